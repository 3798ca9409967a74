//! `blacklist.*`: keys listed, looked up, replaced and removed; a listed
//! customer cannot subscribe; one tenant's list is its own.

use serde_json::{Value, json};

use crate::fixtures::article;
use crate::helpers::{Client, count_rows, spawn_app};

async fn customer_with(client: &Client, tags: Value) -> i64 {
    let mut data = json!({"LAST_NAME": "Kundin"});
    if let (Some(d), Some(t)) = (data.as_object_mut(), tags.as_object()) {
        d.extend(t.clone());
    }
    client.ok("customer.create", json!({ "DATA": data })).await["CUSTOMER_ID"].as_i64().expect("id")
}

fn subscribe(c: i64) -> Value {
    json!({"DATA": {"CUSTOMER_ID": c, "ARTICLE_NUMBER": "P"}})
}

#[tokio::test]
async fn a_listed_vat_id_organization_number_or_email_stops_subscription_create_until_removed() {
    let app = spawn_app().await;
    let t = app.tenant("shop").await;
    let client = app.client(&t.key);
    article(&client, "P", "10", "19", json!({})).await;
    let by_vat = customer_with(&client, json!({"VAT_ID": "DE123456789"})).await;
    let by_org = customer_with(&client, json!({"TAX_ID": "556677-8899"})).await;
    let by_mail = customer_with(&client, json!({"EMAIL": "erika@example.com"})).await;
    let clean = customer_with(&client, json!({"VAT_ID": "DE999999999", "EMAIL": "ok@example.com"})).await;

    let set = client.ok("blacklist.set", json!({"DATA": {"VAT_ID": "de 123 456 789", "REASON": "fraud"}})).await;
    assert_eq!(set["CREATED"], json!(true));
    client.ok("blacklist.set", json!({"DATA": {"ORGANIZATION_NUMBER": "5566778899"}})).await;
    client.ok("blacklist.set", json!({"DATA": {"EMAIL": " Erika@Example.COM "}})).await;
    let subscriptions = count_rows(&app, "subscription").await;
    for (c, what) in [(by_vat, "VAT_ID"), (by_org, "ORGANIZATION_NUMBER"), (by_mail, "EMAIL")] {
        let err = client.err("subscription.create", subscribe(c)).await;
        assert_eq!((err.code, err.tag()), (1009, Some("CUSTOMER_ID")), "{what}: {}", err.message);
        assert!(err.message.contains(what), "{}", err.message);
    }
    assert_eq!(count_rows(&app, "subscription").await, subscriptions, "nothing stored");
    client.ok("subscription.create", subscribe(clean)).await;

    let all = client.ok("blacklist.get", json!({})).await;
    let entries = all["ENTRIES"].as_array().cloned().unwrap_or_default();
    assert_eq!(entries.len(), 3);
    assert_eq!((entries[0]["VAT_ID"].clone(), entries[0]["REASON"].clone()), (json!("DE123456789"), json!("fraud")));
    assert_eq!(entries[0].get("EMAIL"), None, "an entry carries its own key only");
    assert_eq!(entries[2]["EMAIL"], "erika@example.com");
    let one = client.ok("blacklist.get", json!({"FILTER": {"VAT_ID": "DE-123.456.789"}})).await;
    assert_eq!(one["ENTRIES"].as_array().map(Vec::len), Some(1));

    // Setting a listed key again replaces its reason.
    let again = client.ok("blacklist.set", json!({"DATA": {"VAT_ID": "DE123456789", "REASON": "chargebacks"}})).await;
    assert_eq!(again["CREATED"], json!(false));
    let one = client.ok("blacklist.get", json!({"FILTER": {"VAT_ID": "DE123456789"}})).await;
    assert_eq!(one["ENTRIES"][0]["REASON"], "chargebacks");

    client.ok("blacklist.delete", json!({"DATA": {"VAT_ID": "DE123456789"}})).await;
    client.ok("subscription.create", subscribe(by_vat)).await;
    let err = client.err("blacklist.delete", json!({"DATA": {"VAT_ID": "DE123456789"}})).await;
    assert_eq!((err.code, err.tag()), (1004, Some("VAT_ID")));
}

#[tokio::test]
async fn an_entry_takes_exactly_one_key() {
    let app = spawn_app().await;
    let t = app.tenant("shop").await;
    let client = app.client(&t.key);
    let err = client.err("blacklist.set", json!({"DATA": {"VAT_ID": "DE1", "EMAIL": "a@b.c"}})).await;
    assert_eq!((err.code, err.tag()), (-32602, Some("EMAIL")));
    let err = client.err("blacklist.set", json!({"DATA": {"REASON": "x"}})).await;
    assert_eq!((err.code, err.tag()), (-32602, Some("ORGANIZATION_NUMBER")));
    // An empty tag is one not given.
    let err = client.err("blacklist.set", json!({"DATA": {"EMAIL": "  "}})).await;
    assert_eq!((err.code, err.tag()), (-32602, Some("ORGANIZATION_NUMBER")));
    let err = client.err("blacklist.set", json!({"DATA": {"IBAN": "DE02"}})).await;
    assert_eq!((err.code, err.tag()), (-32602, Some("IBAN")));
    assert_eq!(count_rows(&app, "blacklist_entry").await, 0);
}

#[tokio::test]
async fn one_tenants_blacklist_is_its_own() {
    let app = spawn_app().await;
    let (a, b) = (app.tenant("a").await, app.tenant("b").await);
    let (client_a, client_b) = (app.client(&a.key), app.client(&b.key));
    article(&client_b, "P", "10", "19", json!({})).await;
    client_a.ok("blacklist.set", json!({"DATA": {"EMAIL": "erika@example.com"}})).await;
    assert_eq!(client_b.ok("blacklist.get", json!({})).await["ENTRIES"], json!([]));
    let c = customer_with(&client_b, json!({"EMAIL": "erika@example.com"})).await;
    client_b.ok("subscription.create", subscribe(c)).await;
    let err = client_b.err("blacklist.delete", json!({"DATA": {"EMAIL": "erika@example.com"}})).await;
    assert_eq!((err.code, err.tag()), (1004, Some("EMAIL")));
}
