//! `paymentmethod.*`: a customer's stored payment methods, one default per
//! customer, card numbers refused, other tenants' ids answered as absent.

use serde_json::{Value, json};

use crate::fixtures::customer;
use crate::helpers::{Client, count_rows, spawn_app};

async fn methods(client: &Client, customer: i64) -> Vec<Value> {
    let found = client.ok("paymentmethod.get", json!({"FILTER": {"CUSTOMER_ID": customer}})).await;
    found["PAYMENTMETHODS"].as_array().cloned().unwrap_or_default()
}

fn defaults(list: &[Value]) -> Vec<(i64, bool)> {
    list.iter().map(|m| (m["PAYMENTMETHOD_ID"].as_i64().expect("id"), m["IS_DEFAULT"] == json!(true))).collect()
}

#[tokio::test]
async fn a_customers_methods_keep_one_default_and_change_and_go() {
    let app = spawn_app().await;
    let t = app.tenant("shop").await;
    let client = app.client(&t.key);
    let c = customer(&client).await;
    let card = json!({"DATA": {"CUSTOMER_ID": c, "TYPE": "card", "PROVIDER": "stripe",
        "PROVIDER_REFERENCE": "pm_1NqZ2a2eZvKYlo2C", "LABEL": "Visa ending 4242"}});
    let first = client.ok("paymentmethod.create", card).await["PAYMENTMETHOD_ID"].as_i64().expect("id");
    let sepa = json!({"DATA": {"CUSTOMER_ID": c, "TYPE": "SEPA", "PROVIDER_REFERENCE": "mandate-77"}});
    let second = client.ok("paymentmethod.create", sepa).await["PAYMENTMETHOD_ID"].as_i64().expect("id");
    // The first method of a customer is the default; a later one is not unless asked.
    assert_eq!(defaults(&methods(&client, c).await), vec![(first, true), (second, false)]);
    let listed = methods(&client, c).await;
    assert_eq!(listed[0]["TYPE"], "card");
    assert_eq!(listed[0]["PROVIDER"], "stripe");
    assert_eq!(listed[0]["LABEL"], "Visa ending 4242");
    assert_eq!((listed[1]["TYPE"].clone(), listed[1]["PROVIDER"].clone()), (json!("sepa"), Value::Null));

    let updated = client
        .ok(
            "paymentmethod.update",
            json!({"DATA": {"PAYMENTMETHOD_ID": second, "IS_DEFAULT": true, "LABEL": "Girokonto"}}),
        )
        .await;
    assert_eq!(updated["IS_DEFAULT"], json!(true));
    assert_eq!(defaults(&methods(&client, c).await), vec![(first, false), (second, true)]);
    let one = client.ok("paymentmethod.get", json!({"FILTER": {"PAYMENTMETHOD_ID": second}})).await;
    assert_eq!(one["PAYMENTMETHODS"][0]["LABEL"], "Girokonto");
    client.ok("paymentmethod.update", json!({"DATA": {"PAYMENTMETHOD_ID": second, "LABEL": ""}})).await;
    let one = client.ok("paymentmethod.get", json!({"FILTER": {"PAYMENTMETHOD_ID": second}})).await;
    assert_eq!(one["PAYMENTMETHODS"][0]["LABEL"], Value::Null, "an empty LABEL clears it");

    // The default moves, it is never just switched off.
    let err =
        client.err("paymentmethod.update", json!({"DATA": {"PAYMENTMETHOD_ID": second, "IS_DEFAULT": false}})).await;
    assert_eq!((err.code, err.tag()), (1009, Some("IS_DEFAULT")));
    let third = json!({"DATA": {"CUSTOMER_ID": c, "TYPE": "other", "PROVIDER_REFERENCE": "x-3", "IS_DEFAULT": false}});
    let third = client.ok("paymentmethod.create", third).await["PAYMENTMETHOD_ID"].as_i64().expect("id");
    assert_eq!(defaults(&methods(&client, c).await), vec![(first, false), (second, true), (third, false)]);
    // Deleting the default hands it to the oldest method left.
    client.ok("paymentmethod.delete", json!({"DATA": {"PAYMENTMETHOD_ID": second}})).await;
    assert_eq!(defaults(&methods(&client, c).await), vec![(first, true), (third, false)]);
    client.ok("paymentmethod.delete", json!({"DATA": {"PAYMENTMETHOD_ID": first}})).await;
    assert_eq!(defaults(&methods(&client, c).await), vec![(third, true)]);
    let err = client.err("paymentmethod.delete", json!({"DATA": {"PAYMENTMETHOD_ID": first}})).await;
    assert_eq!((err.code, err.tag()), (1004, Some("PAYMENTMETHOD_ID")));
}

#[tokio::test]
async fn a_first_method_is_the_default_a_dry_run_names_no_id_and_a_deleted_customer_takes_its_methods() {
    let app = spawn_app().await;
    let t = app.tenant("shop").await;
    let client = app.client(&t.key);
    let c = customer(&client).await;
    let data = json!({"CUSTOMER_ID": c, "TYPE": "card", "PROVIDER_REFERENCE": "pm_1", "IS_DEFAULT": false});
    let dry = client.ok("paymentmethod.create", json!({"DATA": data.clone(), "DRY_RUN": true})).await;
    assert_eq!(dry["PAYMENTMETHOD_ID"], Value::Null);
    assert_eq!(count_rows(&app, "payment_method").await, 0);
    let id = client.ok("paymentmethod.create", json!({ "DATA": data })).await["PAYMENTMETHOD_ID"].as_i64().expect("id");
    assert_eq!(defaults(&methods(&client, c).await), vec![(id, true)], "IS_DEFAULT false cannot leave none");
    client.ok("customer.delete", json!({"DATA": {"CUSTOMER_ID": c}})).await;
    let found = client.ok("paymentmethod.get", json!({"FILTER": {"PAYMENTMETHOD_ID": id}})).await;
    assert_eq!(found["PAYMENTMETHODS"], json!([]));
    let err = client.err("paymentmethod.update", json!({"DATA": {"PAYMENTMETHOD_ID": id, "LABEL": "x"}})).await;
    assert_eq!((err.code, err.tag()), (1004, Some("PAYMENTMETHOD_ID")));
}

#[tokio::test]
async fn card_numbers_and_bad_tags_are_refused_naming_the_tag_and_store_nothing() {
    let app = spawn_app().await;
    let t = app.tenant("shop").await;
    let client = app.client(&t.key);
    let c = customer(&client).await;
    let cases = [
        (json!({"CUSTOMER_ID": c, "TYPE": "card", "PROVIDER_REFERENCE": "4111 1111 1111 1111"}), "PROVIDER_REFERENCE"),
        (
            json!({"CUSTOMER_ID": c, "TYPE": "card", "PROVIDER_REFERENCE": "tok", "LABEL": "5500-0000-0000-0004"}),
            "LABEL",
        ),
        (json!({"CUSTOMER_ID": c, "TYPE": "card", "PROVIDER_REFERENCE": "4242.4242.4242.4242"}), "PROVIDER_REFERENCE"),
        (
            json!({"CUSTOMER_ID": c, "TYPE": "card", "PROVIDER_REFERENCE": "t", "PROVIDER": "4242424242424242"}),
            "PROVIDER",
        ),
        (json!({"CUSTOMER_ID": c, "TYPE": "cheque", "PROVIDER_REFERENCE": "tok"}), "TYPE"),
        (json!({"CUSTOMER_ID": c, "PROVIDER_REFERENCE": "tok"}), "TYPE"),
        (json!({"CUSTOMER_ID": c, "TYPE": "card"}), "PROVIDER_REFERENCE"),
        (json!({"CUSTOMER_ID": c, "TYPE": "card", "PROVIDER_REFERENCE": "tok", "CVC": "123"}), "CVC"),
        (json!({"CUSTOMER_ID": "abc", "TYPE": "card", "PROVIDER_REFERENCE": "tok"}), "CUSTOMER_ID"),
    ];
    for (data, tag) in cases {
        let err = client.err("paymentmethod.create", json!({ "DATA": data })).await;
        assert_eq!((err.code, err.tag()), (-32602, Some(tag)), "{data}: {}", err.message);
    }
    let err = client
        .err(
            "paymentmethod.create",
            json!({"DATA": {"CUSTOMER_ID": 999_999, "TYPE": "card", "PROVIDER_REFERENCE": "t"}}),
        )
        .await;
    assert_eq!((err.code, err.tag()), (1004, Some("CUSTOMER_ID")));
    assert_eq!(count_rows(&app, "payment_method").await, 0);
}

#[tokio::test]
async fn another_tenants_methods_answer_like_absent_ones() {
    let app = spawn_app().await;
    let (a, b) = (app.tenant("a").await, app.tenant("b").await);
    let (client_a, client_b) = (app.client(&a.key), app.client(&b.key));
    let c = customer(&client_a).await;
    let made = json!({"DATA": {"CUSTOMER_ID": c, "TYPE": "paypal", "PROVIDER_REFERENCE": "BA-123"}});
    let id = client_a.ok("paymentmethod.create", made).await["PAYMENTMETHOD_ID"].clone();
    let found = client_b.ok("paymentmethod.get", json!({"FILTER": {"PAYMENTMETHOD_ID": id}})).await;
    assert_eq!(found["PAYMENTMETHODS"], json!([]));
    assert_eq!(client_b.ok("paymentmethod.get", json!({})).await["PAYMENTMETHODS"], json!([]));
    for (method, data) in [
        ("paymentmethod.update", json!({"PAYMENTMETHOD_ID": id, "LABEL": "x"})),
        ("paymentmethod.delete", json!({"PAYMENTMETHOD_ID": id})),
    ] {
        let err = client_b.err(method, json!({ "DATA": data })).await;
        assert_eq!((err.code, err.tag()), (1004, Some("PAYMENTMETHOD_ID")), "{method}");
    }
    let err = client_b
        .err("paymentmethod.create", json!({"DATA": {"CUSTOMER_ID": c, "TYPE": "card", "PROVIDER_REFERENCE": "t"}}))
        .await;
    assert_eq!((err.code, err.tag()), (1004, Some("CUSTOMER_ID")));
    assert_eq!(methods(&client_a, c).await.len(), 1);
}
