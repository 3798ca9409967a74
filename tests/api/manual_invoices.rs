//! Manual invoices (API.md section 10): drafts with computed totals and no
//! number, edited with `invoice.update` / `item.delete`, deleted, and issued
//! by `invoice.complete` with the next gapless number, VAT per rate and the
//! customer's credit; issued ones never change (1009), another tenant's
//! drafts answer 1004; FastBill's shapes on both endpoints.

use serde_json::{Value, json};

use crate::fastbill::{fb_err, fb_ok};
use crate::fixtures::{advance, article, customer, invoices, lines, subscribe};
use crate::helpers::{Client, TestApp, count_rows, spawn_app};
use crate::payments::{credit_balance, invoice};

fn pair(kind: &str, net: &str) -> (String, String) {
    (kind.to_owned(), net.to_owned())
}

fn data(v: Value) -> Value {
    json!({ "DATA": v })
}

fn id_of(answer: &Value) -> i64 {
    answer["INVOICE_ID"].as_i64().unwrap_or_else(|| panic!("INVOICE_ID in {answer}"))
}

/// A test tenant on 2025-03-01 with plan P (100.00 at 19 %), a book B (12.50
/// at 7 %) and a customer subscribed to P (invoice RE-2025-00001).
async fn shop(app: &TestApp) -> (Client, i64, i64) {
    let t = app.test_tenant("shop", "2025-03-01").await;
    let client = app.client(&t.key);
    article(&client, "P", "100", "19", json!({})).await;
    article(&client, "B", "12.50", "7", json!({"TITLE": "Handbook"})).await;
    let c = customer(&client).await;
    let sub = subscribe(&client, c, "P", json!({})).await["SUBSCRIPTION_ID"].as_i64().expect("SUBSCRIPTION_ID");
    (client, c, sub)
}

/// 3 x 80.00 consulting at 19 % and 2 handbooks at 7 %.
fn two_rates(c: i64) -> Value {
    json!({"CUSTOMER_ID": c, "INVOICE_TITLE": "Consulting", "ITEMS": [
        {"DESCRIPTION": "Consulting", "QUANTITY": 3, "UNIT_PRICE": "80", "VAT_PERCENT": "19"},
        {"ARTICLE_NUMBER": "B", "QUANTITY": 2}
    ]})
}

async fn items(client: &Client, invoice_id: i64) -> Vec<Value> {
    let found = client.ok("item.get", json!({"FILTER": {"INVOICE_ID": invoice_id}})).await;
    found["ITEMS"].as_array().cloned().unwrap_or_default()
}

/// README "Consumptions and manual invoices", the manual invoice example.
#[tokio::test]
async fn a_draft_has_totals_but_no_number_and_complete_issues_it_with_the_next_number() {
    let app = spawn_app().await;
    let (client, c, sub) = shop(&app).await;
    let id = id_of(&client.ok("invoice.create", data(two_rates(c))).await);
    let draft = invoice(&client, id).await;
    // 240.00 at 19 % (VAT 45.60) and 2 x 12.50 = 25.00 at 7 % (VAT 1.75): 265.00 + 47.35 = 312.35.
    assert_eq!(lines(&draft), vec![pair("manual", "240.00"), pair("manual", "25.00")]);
    assert_eq!((draft["STATUS"].clone(), draft["INVOICE_NUMBER"].clone()), (json!("draft"), Value::Null));
    assert_eq!((draft["SUB_TOTAL"].clone(), draft["VAT_TOTAL"].clone()), (json!("265.00"), json!("47.35")));
    assert_eq!((draft["TOTAL"].clone(), draft["OUTSTANDING_AMOUNT"].clone()), (json!("312.35"), json!("0.00")));
    assert_eq!(draft["DOCUMENT_URL"], Value::Null);
    assert_eq!(draft["ITEMS"][1]["DESCRIPTION"], "Handbook");
    let drafts = client.ok("invoice.get", json!({"FILTER": {"STATUS": "draft"}})).await;
    assert_eq!(drafts["INVOICES"].as_array().map(Vec::len), Some(1));
    advance(&client, "2025-04-01").await;
    assert_eq!(invoices(&client, sub).await[1]["INVOICE_NUMBER"], "RE-2025-00002", "a draft takes no number");
    client.ok("customer.addcredits", data(json!({"CUSTOMER_ID": c, "AMOUNT": "12.35"}))).await;
    let done = client.ok("invoice.complete", data(json!({"INVOICE_ID": id}))).await;
    assert_eq!((done["INVOICE_NUMBER"].clone(), done["TOTAL"].clone()), (json!("RE-2025-00003"), json!("312.35")));
    let issued = invoice(&client, id).await;
    assert_eq!(
        (issued["STATUS"].clone(), issued["INVOICE_DATE"].clone()),
        (json!("unpaid"), json!("2025-04-01 00:00:00"))
    );
    assert_eq!(
        (issued["OUTSTANDING_AMOUNT"].clone(), issued["DUE_DATE"].clone()),
        (json!("300.00"), json!("2025-04-15 00:00:00"))
    );
    assert_eq!(issued["PAYMENTS"][0]["METHOD"], "credit");
    assert_eq!(credit_balance(&client, c).await, "0.00");
    let vat = json!([{"VAT_PERCENT": "7.00", "COMPLETE_NET": "25.00", "VAT_VALUE": "1.75"},
                     {"VAT_PERCENT": "19.00", "COMPLETE_NET": "240.00", "VAT_VALUE": "45.60"}]);
    assert_eq!(issued["VAT_ITEMS"], vat);
    let events = client.ok("invoice.gettimeline", json!({"FILTER": {"INVOICE_ID": id}})).await;
    let types: Vec<&str> =
        events["EVENTS"].as_array().expect("EVENTS").iter().filter_map(|e| e["TYPE"].as_str()).collect();
    assert!(types.starts_with(&["invoice.created"]) || types.contains(&"invoice.created"), "{types:?}");
    assert!(types.contains(&"invoice.draft_created"), "{types:?}");
    let line = items(&client, id).await[0]["INVOICE_ITEM_ID"].clone();
    let refusals = [
        ("invoice.complete", json!({"INVOICE_ID": id}), "INVOICE_ID"),
        ("invoice.update", json!({"INVOICE_ID": id, "INVOICE_TITLE": "x"}), "INVOICE_ID"),
        ("invoice.delete", json!({"INVOICE_ID": id}), "INVOICE_ID"),
        ("item.delete", json!({"INVOICE_ITEM_ID": line}), "INVOICE_ITEM_ID"),
    ];
    for (method, d, tag) in refusals {
        let err = client.err(method, data(d)).await;
        assert_eq!((err.code, err.tag()), (1009, Some(tag)), "{method}: {}", err.message);
    }
    assert_eq!(invoice(&client, id).await, issued, "an issued invoice never changes");
}

#[tokio::test]
async fn update_adds_or_replaces_items_item_delete_reprices_and_delete_removes_a_draft() {
    let app = spawn_app().await;
    let (client, c, _) = shop(&app).await;
    let one = json!({"CUSTOMER_ID": c, "ITEMS": [{"DESCRIPTION": "Hours", "QUANTITY": "1.5", "UNIT_PRICE": "60", "VAT_PERCENT": "19"}]});
    let id = id_of(&client.ok("invoice.create", data(one)).await);
    // FastBill's {"ITEM": [...]} on /rpc too: a handbook is added.
    let added = json!({"INVOICE_ID": id, "ITEMS": {"ITEM": [{"ARTICLE_NUMBER": "B"}]}, "INTROTEXT": "Thanks"});
    client.ok("invoice.update", data(added)).await;
    let listed = items(&client, id).await;
    assert_eq!(listed.len(), 2);
    assert_eq!((listed[0]["INVOICE_ID"].clone(), listed[1]["COMPLETE_NET"].clone()), (json!(id), json!("12.50")));
    // 90.00 at 19 % (17.10) + 12.50 at 7 % (0.875 -> 0.88): 102.50 + 17.98 = 120.48.
    assert_eq!(invoice(&client, id).await["TOTAL"], "120.48");
    client.ok("item.delete", data(json!({"INVOICE_ITEM_ID": listed[0]["INVOICE_ITEM_ID"]}))).await;
    let left = invoice(&client, id).await;
    assert_eq!(lines(&left), vec![pair("manual", "12.50")]);
    assert_eq!(left["TOTAL"], "13.38");
    assert_eq!(left["ITEMS"][0]["INVOICE_ITEM_ID"], listed[1]["INVOICE_ITEM_ID"], "kept lines keep their ids");
    let replace = json!({"INVOICE_ID": id, "DELETE_EXISTING_ITEMS": true, "INVOICE_DATE": "2025-02-15",
        "ITEMS": [{"DESCRIPTION": "Audit", "UNIT_PRICE": "500", "VAT_PERCENT": "0"}]});
    client.ok("invoice.update", data(replace)).await;
    assert_eq!(lines(&invoice(&client, id).await), vec![pair("manual", "500.00")]);
    advance(&client, "2025-03-20").await;
    let done = client.ok("invoice.complete", data(json!({"INVOICE_ID": id}))).await;
    assert_eq!(done["INVOICE_NUMBER"], "RE-2025-00002");
    let issued = invoice(&client, id).await;
    assert_eq!(
        (issued["INVOICE_DATE"].clone(), issued["TOTAL"].clone()),
        (json!("2025-02-15 00:00:00"), json!("500.00"))
    );
    let other = id_of(&client.ok("invoice.create", data(json!({"CUSTOMER_ID": c}))).await);
    let err = client.err("invoice.complete", data(json!({"INVOICE_ID": other}))).await;
    assert_eq!((err.code, err.tag()), (1009, Some("INVOICE_ID")), "a draft without lines is not issued");
    client.ok("invoice.delete", data(json!({"INVOICE_ID": other}))).await;
    let gone = client.err("invoice.update", data(json!({"INVOICE_ID": other}))).await;
    assert_eq!((gone.code, gone.tag()), (1004, Some("INVOICE_ID")));
    let types: Vec<String> = client.ok("invoice.gettimeline", json!({"FILTER": {"INVOICE_ID": id}})).await["EVENTS"]
        .as_array()
        .expect("EVENTS")
        .iter()
        .map(|e| e["TYPE"].as_str().unwrap_or("").to_owned())
        .collect();
    let draft_updates = types.iter().filter(|t| *t == "invoice.draft_updated").count();
    assert_eq!((types[0].as_str(), draft_updates), ("invoice.created", 3), "{types:?}");
}

#[tokio::test]
async fn bad_input_names_the_tag_and_another_tenants_draft_answers_not_found() {
    let app = spawn_app().await;
    let (client, c, _) = shop(&app).await;
    let draft = id_of(&client.ok("invoice.create", data(two_rates(c))).await);
    let before =
        (count_rows(&app, "invoice").await, count_rows(&app, "invoice_item").await, count_rows(&app, "counter").await);
    let item = |v: Value| json!({"CUSTOMER_ID": c, "ITEMS": [{"DESCRIPTION": "x", "UNIT_PRICE": "1", "VAT_PERCENT": "19"}, v]});
    let cases = [
        ("invoice.create", item(json!({"DESCRIPTION": "x", "VAT_PERCENT": "19"})), -32602, "ITEMS[1].UNIT_PRICE"),
        ("invoice.create", item(json!({"UNIT_PRICE": "1", "VAT_PERCENT": "19"})), -32602, "ITEMS[1].DESCRIPTION"),
        ("invoice.create", item(json!({"DESCRIPTION": "x", "UNIT_PRICE": "1"})), -32602, "ITEMS[1].VAT_PERCENT"),
        (
            "invoice.create",
            item(json!({"DESCRIPTION": "x", "UNIT_PRICE": "1", "VAT_PERCENT": "120"})),
            -32602,
            "ITEMS[1].VAT_PERCENT",
        ),
        ("invoice.create", item(json!({"ARTICLE_NUMBER": "B", "QUANTITY": "-1"})), -32602, "ITEMS[1].QUANTITY"),
        ("invoice.create", item(json!({"ARTICLE_NUMBER": "NOPE"})), 1004, "ITEMS[1].ARTICLE_NUMBER"),
        ("invoice.create", json!({"CUSTOMER_ID": c, "ITEMS": {"LINES": []}}), -32602, "ITEMS"),
        ("invoice.create", json!({"CUSTOMER_ID": 999_999}), 1004, "CUSTOMER_ID"),
        ("invoice.create", json!({"ITEMS": []}), -32602, "CUSTOMER_ID"),
        ("invoice.create", json!({"CUSTOMER_ID": c, "CURRENCY_CODE": "EURO"}), -32602, "CURRENCY_CODE"),
        (
            "invoice.update",
            json!({"INVOICE_ID": draft, "ITEMS": [{"ARTICLE_NUMBER": "NOPE"}]}),
            1004,
            "ITEMS[0].ARTICLE_NUMBER",
        ),
        ("invoice.update", json!({"INVOICE_ID": draft, "CUSTOMER_ID": 999_999}), 1004, "CUSTOMER_ID"),
        ("invoice.update", json!({"INVOICE_ID": draft, "INVOICE_DATE": "2025-02-30"}), -32602, "INVOICE_DATE"),
        ("item.delete", json!({"INVOICE_ITEM_ID": 999_999}), 1004, "INVOICE_ITEM_ID"),
    ];
    for (method, d, code, tag) in cases {
        let err = client.err(method, data(d.clone())).await;
        assert_eq!((err.code, err.tag()), (code, Some(tag)), "{method} {d}: {}", err.message);
    }
    let after =
        (count_rows(&app, "invoice").await, count_rows(&app, "invoice_item").await, count_rows(&app, "counter").await);
    assert_eq!(after, before, "nothing written");
    assert_eq!(invoice(&client, draft).await["TOTAL"], "312.35");
    let stranger = app.client(&app.test_tenant("other", "2025-03-01").await.key);
    let line = items(&client, draft).await[0]["INVOICE_ITEM_ID"].clone();
    let foreign = [
        ("invoice.update", json!({"DATA": {"INVOICE_ID": draft, "INVOICE_TITLE": "x"}}), "INVOICE_ID"),
        ("invoice.complete", json!({"DATA": {"INVOICE_ID": draft}}), "INVOICE_ID"),
        ("invoice.delete", json!({"DATA": {"INVOICE_ID": draft}}), "INVOICE_ID"),
        ("item.get", json!({"FILTER": {"INVOICE_ID": draft}}), "INVOICE_ID"),
        ("item.delete", json!({"DATA": {"INVOICE_ITEM_ID": line}}), "INVOICE_ITEM_ID"),
    ];
    for (method, params, tag) in foreign {
        let err = stranger.err(method, params).await;
        assert_eq!((err.code, err.tag()), (1004, Some(tag)), "{method}");
    }
    assert_eq!(items(&client, draft).await.len(), 2);
}

#[tokio::test]
async fn dry_runs_change_nothing_and_idempotency_keys_answer_the_first_result() {
    let app = spawn_app().await;
    let (client, c, _) = shop(&app).await;
    let rows = || async { (count_rows(&app, "invoice").await, count_rows(&app, "invoice_item").await) };
    let before = rows().await;
    let dry = client.ok("invoice.create", json!({"DATA": two_rates(c), "DRY_RUN": true})).await;
    assert_eq!((dry["INVOICE_ID"].clone(), dry["INVOICE_PREVIEW"]["TOTAL"].clone()), (Value::Null, json!("312.35")));
    assert_eq!(rows().await, before);
    let keyed = json!({"DATA": two_rates(c), "IDEMPOTENCY_KEY": "draft-1"});
    let first = client.ok("invoice.create", keyed.clone()).await;
    assert_eq!(client.ok("invoice.create", keyed).await, first);
    assert_eq!(rows().await, (before.0 + 1, before.1 + 2));
    let id = id_of(&first);
    let line = items(&client, id).await[0]["INVOICE_ITEM_ID"].clone();
    let shown = invoice(&client, id).await;
    for (method, d) in [
        ("invoice.update", json!({"INVOICE_ID": id, "DELETE_EXISTING_ITEMS": true})),
        ("item.delete", json!({"INVOICE_ITEM_ID": line})),
        ("invoice.delete", json!({"INVOICE_ID": id})),
    ] {
        client.ok(method, json!({"DATA": d, "DRY_RUN": true})).await;
        assert_eq!(invoice(&client, id).await, shown, "{method} in a dry run");
    }
    let dry = client.ok("invoice.complete", json!({"DATA": {"INVOICE_ID": id}, "DRY_RUN": true})).await;
    assert_eq!(
        (dry["INVOICE_NUMBER"].clone(), dry["INVOICE_PREVIEW"]["STATUS"].clone()),
        (Value::Null, json!("unpaid"))
    );
    assert_eq!(invoice(&client, id).await["STATUS"], "draft");
    let keyed = json!({"DATA": {"INVOICE_ID": id}, "IDEMPOTENCY_KEY": "complete-1"});
    let done = client.ok("invoice.complete", keyed.clone()).await;
    assert_eq!(done["INVOICE_NUMBER"], "RE-2025-00002", "the dry run consumed no number");
    assert_eq!(client.ok("invoice.complete", keyed).await, done);
    let keyed = json!({"DATA": {"INVOICE_ID": id, "INVOICE_TITLE": "x"}, "IDEMPOTENCY_KEY": "u-1"});
    let refused = client.err("invoice.update", keyed).await;
    assert_eq!(refused.code, 1009);
}

#[tokio::test]
async fn the_fastbill_endpoint_creates_drafts_lists_and_deletes_items_in_its_shapes() {
    let app = spawn_app().await;
    let t = app.test_tenant("shop", "2025-03-01").await;
    let (fastbill, client) = (app.basic_client(&t.key), app.client(&t.key));
    let c = customer(&client).await;
    let body = json!({"SERVICE": "invoice.create", "DATA": {"CUSTOMER_ID": c, "ITEMS": {"ITEM": [
        {"description": "Hosting", "quantity": "2", "unit_price": "9.90", "vat_percent": 19},
        {"DESCRIPTION": "Domain", "UNIT_PRICE": 12, "VAT_PERCENT": "19"}
    ]}}});
    let created = fb_ok(&fastbill, body).await;
    assert_eq!(created["STATUS"], "success");
    let id = id_of(&created);
    let listed = fb_ok(&fastbill, json!({"SERVICE": "item.get", "FILTER": {"INVOICE_ID": id}})).await;
    let listed = listed["ITEMS"].as_array().cloned().expect("ITEMS");
    assert_eq!(listed.len(), 2);
    assert!(listed[0]["INVOICE_ITEM_ID"].is_i64(), "{listed:?}");
    assert_eq!(listed[0]["COMPLETE_NET"], "19.80");
    let deleted =
        fb_ok(&fastbill, json!({"SERVICE": "item.delete", "DATA": {"INVOICE_ITEM_ID": listed[1]["INVOICE_ITEM_ID"]}}))
            .await;
    assert_eq!(deleted["STATUS"], "success");
    // 19.80 at 19 %: 3.762 -> 3.76, 23.56.
    assert_eq!(invoice(&client, id).await["TOTAL"], "23.56");
    let single = json!({"SERVICE": "invoice.update", "DATA": {"INVOICE_ID": id, "ITEMS": {"ITEM": {"DESCRIPTION": "SSL", "UNIT_PRICE": "5", "VAT_PERCENT": "19"}}}});
    fb_ok(&fastbill, single).await;
    assert_eq!(invoice(&client, id).await["TOTAL"], "29.51", "24.80 + 4.712 -> 4.71");
    let missing = fb_ok(&fastbill, json!({"SERVICE": "item.get", "FILTER": {"INVOICE_ID": 999_999}})).await;
    assert_eq!(missing["ITEMS"], json!([]), "FastBill answered an empty list for an unknown id");
    let done = fb_ok(&fastbill, json!({"SERVICE": "invoice.complete", "DATA": {"INVOICE_ID": id}})).await;
    assert_eq!(done["INVOICE_NUMBER"], "RE-2025-00001");
    let refused = fb_err(&fastbill, json!({"SERVICE": "invoice.delete", "DATA": {"INVOICE_ID": id}})).await;
    assert!(refused.contains("INVOICE_ID"), "{refused}");
}
