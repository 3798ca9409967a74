//! Consumptions (API.md sections 5 and 10): an invoice of their own now
//! (IMMEDIATE), a line on the subscription's next regular invoice (never
//! discounted), an invoice of their own at the next billing run without a
//! subscription; refunds before and after invoicing; bad input, dry runs,
//! idempotency and the timeline. Amounts are computed by hand in comments.

use serde_json::{Value, json};

use crate::fixtures::{advance, article, customer, invoices, lines, subscribe};
use crate::helpers::{Client, TestApp, count_rows, spawn_app};
use crate::payments::{credit_balance, invoice};

fn pair(kind: &str, net: &str) -> (String, String) {
    (kind.to_owned(), net.to_owned())
}

fn data(v: Value) -> Value {
    json!({ "DATA": v })
}

/// The consumption object.
pub async fn consumption(client: &Client, id: i64) -> Value {
    client.ok("consumption.get", json!({"FILTER": {"CONSUMPTION_ID": id}})).await["CONSUMPTIONS"][0].clone()
}

fn id_of(answer: &Value, tag: &str) -> i64 {
    answer[tag].as_i64().unwrap_or_else(|| panic!("{tag} in {answer}"))
}

/// Event types of a timeline, newest first.
async fn timeline(client: &Client, method: &str, tag: &str, id: i64) -> Vec<String> {
    let events = client.ok(method, json!({"FILTER": {tag: id}})).await;
    events["EVENTS"].as_array().expect("EVENTS").iter().map(|e| e["TYPE"].as_str().unwrap_or("").to_owned()).collect()
}

/// A test tenant on 2025-01-01: plan P (100.00 at 19 %), article C (20.00 at
/// 7 %), a customer subscribed to P (its first invoice RE-2025-00001).
async fn shop(app: &TestApp) -> (Client, i64, i64) {
    let t = app.test_tenant("shop", "2025-01-01").await;
    let client = app.client(&t.key);
    article(&client, "P", "100", "19", json!({})).await;
    article(&client, "C", "20", "7", json!({"TITLE": "Extra seat"})).await;
    let c = customer(&client).await;
    let sub = subscribe(&client, c, "P", json!({})).await["SUBSCRIPTION_ID"].as_i64().expect("SUBSCRIPTION_ID");
    (client, c, sub)
}

#[tokio::test]
async fn an_immediate_consumption_is_an_invoice_of_its_own_with_the_next_number_and_credit_applied() {
    let app = spawn_app().await;
    let (client, c, _) = shop(&app).await;
    client.ok("customer.addcredits", data(json!({"CUSTOMER_ID": c, "AMOUNT": "10"}))).await;
    let created = client
        .ok(
            "consumption.create",
            data(json!({"CUSTOMER_ID": c, "TITLE": "Setup call", "UNIT_PRICE": "49.99", "VAT_PERCENT": "19",
                "QUANTITY": 2, "IMMEDIATE": true})),
        )
        .await;
    let id = id_of(&created, "CONSUMPTION_ID");
    let inv = invoice(&client, id_of(&created, "INVOICE_ID")).await;
    // 2 x 49.99 = 99.98; 19 % = 18.9962 -> 19.00; total 118.98, of which 10.00 is paid by credit.
    assert_eq!(inv["INVOICE_NUMBER"], "RE-2025-00002");
    assert_eq!(lines(&inv), vec![pair("consumption", "99.98")]);
    assert_eq!((inv["SUB_TOTAL"].clone(), inv["VAT_TOTAL"].clone()), (json!("99.98"), json!("19.00")));
    assert_eq!((inv["TOTAL"].clone(), inv["OUTSTANDING_AMOUNT"].clone()), (json!("118.98"), json!("108.98")));
    assert_eq!(inv["PAYMENTS"][0]["METHOD"], "credit");
    assert_eq!(inv["SUBSCRIPTION_ID"], Value::Null);
    assert_eq!(credit_balance(&client, c).await, "0.00");
    let row = consumption(&client, id).await;
    assert_eq!(
        (row["STATUS"].clone(), row["INVOICE_ID"].clone(), row["COMPLETE_NET"].clone(), row["IMMEDIATE"].clone()),
        (json!("invoiced"), inv["INVOICE_ID"].clone(), json!("99.98"), json!(true))
    );
    assert_eq!(row["INVOICE_ITEM_ID"], inv["ITEMS"][0]["INVOICE_ITEM_ID"]);
    assert_eq!(timeline(&client, "consumption.gettimeline", "CONSUMPTION_ID", id).await, vec!["consumption.created"]);
    let inv_id = id_of(&inv, "INVOICE_ID");
    assert!(timeline(&client, "invoice.gettimeline", "INVOICE_ID", inv_id).await.contains(&"invoice.created".into()));
}

/// README "Consumptions and manual invoices", the consumption example.
#[tokio::test]
async fn an_open_consumption_rides_undiscounted_on_the_subscriptions_next_regular_invoice() {
    let app = spawn_app().await;
    let (client, c, sub) = shop(&app).await;
    client
        .ok(
            "subscription.setdiscount",
            data(json!({"SUBSCRIPTION_ID": sub, "DISCOUNT_TYPE": "percent", "DISCOUNT": 50})),
        )
        .await;
    let created = client
        .ok(
            "consumption.create",
            data(json!({"CUSTOMER_ID": c, "SUBSCRIPTION_ID": sub, "ARTICLE_NUMBER": "C", "QUANTITY": 3})),
        )
        .await;
    assert_eq!(created["INVOICE_ID"], Value::Null, "billed with the next invoice");
    let id = id_of(&created, "CONSUMPTION_ID");
    assert_eq!(consumption(&client, id).await["STATUS"], "open");
    let quote = client.ok("subscription.getupcomingamount", data(json!({"SUBSCRIPTION_ID": sub}))).await;
    assert_eq!(quote["TOTAL"], "123.70", "the quote of the next invoice shows it: {quote}");
    advance(&client, "2025-03-01").await;
    let all = invoices(&client, sub).await;
    assert_eq!(all.len(), 3);
    // February: plan 100.00, discount -50.00 (plan only), 3 x 20.00 = 60.00 at 7 %:
    // VAT 19 % of 50.00 = 9.50, 7 % of 60.00 = 4.20; 110.00 + 13.70 = 123.70.
    let feb = &all[1];
    assert_eq!(lines(feb), vec![pair("plan", "100.00"), pair("discount", "-50.00"), pair("consumption", "60.00")]);
    assert_eq!((feb["SUB_TOTAL"].clone(), feb["VAT_TOTAL"].clone()), (json!("110.00"), json!("13.70")));
    assert_eq!(feb["TOTAL"], "123.70");
    assert_eq!(feb["ITEMS"][2]["DESCRIPTION"], "Extra seat");
    assert_eq!(lines(&all[2]), vec![pair("plan", "100.00"), pair("discount", "-50.00")], "billed once only");
    let row = consumption(&client, id).await;
    assert_eq!((row["STATUS"].clone(), row["INVOICE_ID"].clone()), (json!("invoiced"), feb["INVOICE_ID"].clone()));
}

#[tokio::test]
async fn consumptions_without_a_subscription_get_one_invoice_at_the_next_billing_run() {
    let app = spawn_app().await;
    let (client, _, _) = shop(&app).await;
    let other = customer(&client).await;
    let mut ids = Vec::new();
    for (title, price) in [("Workshop", "150"), ("Travel", "0.125")] {
        let d = json!({"CUSTOMER_ID": other, "TITLE": title, "UNIT_PRICE": price, "VAT_PERCENT": "19"});
        ids.push(id_of(&client.ok("consumption.create", data(d)).await, "CONSUMPTION_ID"));
    }
    let mine = json!({"FILTER": {"CUSTOMER_ID": other}});
    assert_eq!(client.ok("invoice.get", mine.clone()).await["INVOICES"], json!([]));
    let run = advance(&client, "2025-01-02").await;
    assert_eq!(run["INVOICES_CREATED"], 1);
    let found = client.ok("invoice.get", mine.clone()).await["INVOICES"].clone();
    // 150.00 + round(0.125) = 0.13: 150.13 net, 19 % = 28.5247 -> 28.52, total 178.65.
    assert_eq!(lines(&found[0]), vec![pair("consumption", "150.00"), pair("consumption", "0.13")]);
    assert_eq!((found[0]["VAT_TOTAL"].clone(), found[0]["TOTAL"].clone()), (json!("28.52"), json!("178.65")));
    assert_eq!(found[0]["INVOICE_NUMBER"], "RE-2025-00002");
    for id in ids {
        assert_eq!(consumption(&client, id).await["INVOICE_ID"], found[0]["INVOICE_ID"]);
    }
    assert_eq!(advance(&client, "2025-01-03").await["INVOICES_CREATED"], 0);
    assert_eq!(client.ok("invoice.get", mine).await["INVOICES"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn a_refund_withdraws_an_open_consumption_and_credits_an_invoiced_one() {
    let app = spawn_app().await;
    let (client, c, sub) = shop(&app).await;
    let open = id_of(
        &client
            .ok("consumption.create", data(json!({"CUSTOMER_ID": c, "SUBSCRIPTION_ID": sub, "ARTICLE_NUMBER": "C"})))
            .await,
        "CONSUMPTION_ID",
    );
    let withdrawn = client.ok("consumption.refund", data(json!({"CONSUMPTION_ID": open}))).await;
    assert_eq!((withdrawn["AMOUNT"].clone(), withdrawn["INVOICE_ID"].clone()), (json!("20.00"), Value::Null));
    assert_eq!(consumption(&client, open).await["STATUS"], "refunded");
    let again = client.err("consumption.refund", data(json!({"CONSUMPTION_ID": open}))).await;
    assert_eq!((again.code, again.tag()), (1009, Some("CONSUMPTION_ID")));
    advance(&client, "2025-02-01").await;
    assert_eq!(lines(&invoices(&client, sub).await[1]), vec![pair("plan", "100.00")], "a withdrawn one is not billed");
    let d = json!({"CUSTOMER_ID": c, "ARTICLE_NUMBER": "C", "QUANTITY": 2, "IMMEDIATE": "1"});
    let billed = client.ok("consumption.create", data(d)).await;
    let id = id_of(&billed, "CONSUMPTION_ID");
    let notes = count_rows(&app, "invoice").await;
    let part = data(json!({"CONSUMPTION_ID": id, "AMOUNT": "10", "REFUND_ID": "r-1"}));
    let first = client.ok("consumption.refund", part.clone()).await;
    // A credit note of 10.00 of the 40.00 line at 7 %: -10.00 - 0.70 = -10.70.
    assert_eq!((first["INVOICE_NUMBER"].clone(), first["AMOUNT"].clone()), (json!("GS-2025-00001"), json!("10.00")));
    let note = invoice(&client, id_of(&first, "INVOICE_ID")).await;
    assert_eq!(
        (note["TOTAL"].clone(), note["RELATED_INVOICE_ID"].clone()),
        (json!("-10.70"), billed["INVOICE_ID"].clone())
    );
    assert_eq!(client.ok("consumption.refund", part).await, first, "the same REFUND_ID answers the first result");
    assert_eq!(count_rows(&app, "invoice").await, notes + 1);
    assert_eq!(consumption(&client, id).await["STATUS"], "invoiced", "30.00 is not refunded yet");
    let rest = client.ok("consumption.refund", data(json!({"CONSUMPTION_ID": id, "REFUND_ID": "r-2"}))).await;
    assert_eq!((rest["INVOICE_NUMBER"].clone(), rest["AMOUNT"].clone()), (json!("GS-2025-00002"), json!("30.00")));
    let row = consumption(&client, id).await;
    assert_eq!((row["STATUS"].clone(), row["REFUND_ID"].clone()), (json!("refunded"), json!("r-2")));
    let original = invoice(&client, id_of(&billed, "INVOICE_ID")).await;
    assert_eq!((original["CREDITED_TOTAL"].clone(), original["STATUS"].clone()), (json!("42.80"), json!("paid")));
    let types = timeline(&client, "consumption.gettimeline", "CONSUMPTION_ID", id).await;
    assert_eq!(types, vec!["consumption.refunded", "consumption.refunded", "consumption.created"]);
}

#[tokio::test]
async fn bad_input_names_the_tag_and_changes_nothing() {
    let app = spawn_app().await;
    let (client, c, sub) = shop(&app).await;
    let other = customer(&client).await;
    let closed = subscribe(&client, other, "P", json!({})).await["SUBSCRIPTION_ID"].clone();
    client.ok("subscription.terminate", data(json!({"SUBSCRIPTION_ID": closed}))).await;
    let billed = client
        .ok("consumption.create", data(json!({"CUSTOMER_ID": c, "ARTICLE_NUMBER": "C", "IMMEDIATE": true})))
        .await;
    let before =
        (count_rows(&app, "consumption").await, count_rows(&app, "invoice").await, count_rows(&app, "event").await);
    let own = json!({"CUSTOMER_ID": c, "TITLE": "x", "UNIT_PRICE": "1", "VAT_PERCENT": "19"});
    let with = |k: &str, v: Value| {
        let mut d = own.clone();
        d[k] = v;
        d
    };
    let cases = [
        ("consumption.create", json!({"CUSTOMER_ID": c, "UNIT_PRICE": "1", "VAT_PERCENT": "19"}), -32602, "TITLE"),
        ("consumption.create", json!({"CUSTOMER_ID": c, "TITLE": "x", "VAT_PERCENT": "19"}), -32602, "UNIT_PRICE"),
        ("consumption.create", json!({"CUSTOMER_ID": c, "TITLE": "x", "UNIT_PRICE": "1"}), -32602, "VAT_PERCENT"),
        ("consumption.create", with("VAT_PERCENT", json!("101")), -32602, "VAT_PERCENT"),
        ("consumption.create", with("QUANTITY", json!(0)), -32602, "QUANTITY"),
        ("consumption.create", with("UNIT_PRICE", json!("1,5")), -32602, "UNIT_PRICE"),
        ("consumption.create", with("UNIT_PRICE", json!("-1")), -32602, "UNIT_PRICE"),
        ("consumption.create", with("COLOR", json!("red")), -32602, "COLOR"),
        ("consumption.create", with("CUSTOMER_ID", json!(999_999)), 1004, "CUSTOMER_ID"),
        ("consumption.create", with("ARTICLE_NUMBER", json!("NOPE")), 1004, "ARTICLE_NUMBER"),
        ("consumption.create", with("SUBSCRIPTION_ID", closed.clone()), -32602, "SUBSCRIPTION_ID"),
        (
            "consumption.create",
            json!({"CUSTOMER_ID": other, "SUBSCRIPTION_ID": closed, "ARTICLE_NUMBER": "C"}),
            1009,
            "SUBSCRIPTION_ID",
        ),
        ("consumption.refund", json!({"CONSUMPTION_ID": billed["CONSUMPTION_ID"], "AMOUNT": "20.01"}), 1009, "AMOUNT"),
        ("consumption.refund", json!({"CONSUMPTION_ID": billed["CONSUMPTION_ID"], "AMOUNT": "0"}), -32602, "AMOUNT"),
        ("consumption.refund", json!({"CONSUMPTION_ID": 999_999}), 1004, "CONSUMPTION_ID"),
    ];
    for (method, d, code, tag) in cases {
        let err = client.err(method, data(d.clone())).await;
        assert_eq!((err.code, err.tag()), (code, Some(tag)), "{method} {d}: {}", err.message);
    }
    let err = client.err("consumption.get", json!({"FILTER": {"CUSTOMER": c}})).await;
    assert_eq!((err.code, err.tag()), (-32602, Some("CUSTOMER")), "a misspelt FILTER never widens a read");
    let after =
        (count_rows(&app, "consumption").await, count_rows(&app, "invoice").await, count_rows(&app, "event").await);
    assert_eq!(after, before);
    let _ = sub;
}

#[tokio::test]
async fn dry_runs_change_nothing_and_idempotency_keys_answer_the_first_result() {
    let app = spawn_app().await;
    let (client, c, _) = shop(&app).await;
    let now = json!({"CUSTOMER_ID": c, "ARTICLE_NUMBER": "C", "IMMEDIATE": true});
    let before =
        (count_rows(&app, "consumption").await, count_rows(&app, "invoice").await, count_rows(&app, "counter").await);
    let dry = client.ok("consumption.create", json!({"DATA": now.clone(), "DRY_RUN": true})).await;
    assert_eq!((dry["CONSUMPTION_ID"].clone(), dry["INVOICE_ID"].clone()), (Value::Null, Value::Null));
    // 20.00 at 7 %: 1.40 VAT, 21.40.
    assert_eq!(dry["INVOICE_PREVIEW"]["TOTAL"], "21.40");
    assert_eq!(dry["INVOICE_PREVIEW"]["ITEMS"][0]["KIND"], "consumption");
    let after =
        (count_rows(&app, "consumption").await, count_rows(&app, "invoice").await, count_rows(&app, "counter").await);
    assert_eq!(after, before, "a dry run writes nothing");
    let keyed = json!({"DATA": now, "IDEMPOTENCY_KEY": "c-1"});
    let first = client.ok("consumption.create", keyed.clone()).await;
    assert_eq!(client.ok("consumption.create", keyed).await, first);
    assert_eq!(count_rows(&app, "consumption").await, before.0 + 1);
    let id = id_of(&first, "CONSUMPTION_ID");
    let refund = json!({"CONSUMPTION_ID": id, "AMOUNT": "5"});
    let dry = client.ok("consumption.refund", json!({"DATA": refund.clone(), "DRY_RUN": true})).await;
    assert_eq!((dry["AMOUNT"].clone(), dry["INVOICE_ID"].clone()), (json!("5.00"), Value::Null));
    assert_eq!(count_rows(&app, "invoice").await, before.1 + 1, "only the consumption's invoice");
    let keyed = json!({"DATA": refund, "IDEMPOTENCY_KEY": "r-1"});
    let first = client.ok("consumption.refund", keyed.clone()).await;
    assert_eq!(client.ok("consumption.refund", keyed).await, first);
    assert_eq!(count_rows(&app, "invoice").await, before.1 + 2, "one credit note");
    assert_eq!(first["INVOICE_NUMBER"], "GS-2025-00001");
}

#[tokio::test]
async fn a_subscription_that_closes_bills_its_open_consumptions_on_the_final_invoice() {
    let app = spawn_app().await;
    let (client, c, sub) = shop(&app).await;
    let d =
        json!({"CUSTOMER_ID": c, "SUBSCRIPTION_ID": sub, "TITLE": "Late fee", "UNIT_PRICE": "5", "VAT_PERCENT": "0"});
    let id = id_of(&client.ok("consumption.create", data(d)).await, "CONSUMPTION_ID");
    client.ok("subscription.terminate", data(json!({"SUBSCRIPTION_ID": sub}))).await;
    let all = invoices(&client, sub).await;
    let last = all.last().expect("a final invoice");
    assert_eq!(lines(last), vec![pair("consumption", "5.00")]);
    assert_eq!((last["TOTAL"].clone(), all.len()), (json!("5.00"), 2));
    assert_eq!(consumption(&client, id).await["INVOICE_ID"], last["INVOICE_ID"]);
}
