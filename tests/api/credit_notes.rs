//! Credit notes and cancellation (API.md section 10): exact money, their own
//! gapless series, allocation to the invoice or the customer's credit, and
//! one winner of two concurrent credits of the last part.

use serde_json::{Value, json};

use crate::fixtures::{article, customer, subscribe};
use crate::helpers::{Client, TestApp, count_rows, spawn_app};
use crate::payments::{balance, credit_balance, invoice};

/// A test tenant on 2025-01-01 whose first invoice has a plan line of 10.00
/// at 19 % and an add-on line of 3 x 3.33 at 7 %: 19.99 net, 2.60 VAT, 22.59.
async fn two_rates(app: &TestApp) -> (Client, i64, i64, i64, i64) {
    let t = app.test_tenant("shop", "2025-01-01").await;
    let client = app.client(&t.key);
    article(&client, "P", "10", "19", json!({})).await;
    article(&client, "A", "3.33", "7", json!({"IS_ADDON": true, "ALLOW_MULTIPLE": true})).await;
    let c = customer(&client).await;
    let created = subscribe(&client, c, "P", json!({"ADDONS": [{"ARTICLE_NUMBER": "A", "QUANTITY": 3}]})).await;
    let inv = created["INVOICE_ID"].as_i64().expect("INVOICE_ID");
    let original = invoice(&client, inv).await;
    assert_eq!(original["TOTAL"], "22.59");
    let item = |kind: &str| {
        original["ITEMS"].as_array().and_then(|i| i.iter().find(|l| l["KIND"] == kind)).expect("line")["INVOICE_ITEM_ID"]
            .as_i64()
            .expect("INVOICE_ITEM_ID")
    };
    (client.clone(), c, inv, item("plan"), item("addon"))
}

fn credit(inv: i64, items: Value) -> Value {
    json!({"DATA": {"INVOICE_ID": inv, "ITEMS": items}})
}

/// (SUB_TOTAL, VAT_TOTAL, TOTAL) of an invoice object.
fn sums(i: &Value) -> (String, String, String) {
    let s = |k: &str| i[k].as_str().unwrap_or("").to_owned();
    (s("SUB_TOTAL"), s("VAT_TOTAL"), s("TOTAL"))
}

fn owned(a: &str, b: &str, c: &str) -> (String, String, String) {
    (a.into(), b.into(), c.into())
}

#[tokio::test]
async fn partial_credits_by_quantity_and_amount_then_the_rest_negate_the_invoice_cent_for_cent() {
    let app = spawn_app().await;
    let (client, _, inv, plan, addon) = two_rates(&app).await;
    let first = client.ok("invoice.credit", credit(inv, json!([{"INVOICE_ITEM_ID": addon, "QUANTITY": 1}]))).await;
    assert_eq!((first["INVOICE_NUMBER"].clone(), first["TOTAL"].clone()), (json!("GS-2025-00001"), json!("-3.56")));
    let note = invoice(&client, first["INVOICE_ID"].as_i64().expect("id")).await;
    assert_eq!(sums(&note), owned("-3.33", "-0.23", "-3.56"), "7 % of 3.33 is 0.2331");
    assert_eq!(
        (note["TYPE"].clone(), note["STATUS"].clone(), note["RELATED_INVOICE_ID"].clone()),
        (json!("credit"), json!("paid"), json!(inv))
    );
    let line = &note["ITEMS"][0];
    assert_eq!(
        (line["KIND"].clone(), line["QUANTITY"].clone(), line["UNIT_PRICE"].clone(), line["COMPLETE_NET"].clone()),
        (json!("addon"), json!("1"), json!("-3.33"), json!("-3.33"))
    );
    let second = client.ok("invoice.credit", credit(inv, json!([{"INVOICE_ITEM_ID": plan, "AMOUNT": "2.50"}]))).await;
    let note = invoice(&client, second["INVOICE_ID"].as_i64().expect("id")).await;
    assert_eq!(sums(&note), owned("-2.50", "-0.48", "-2.98"), "19 % of 2.50 is 0.475, rounded away from zero");
    assert_eq!(balance(&client, inv).await.0, "16.05");
    let rest = client.ok("invoice.credit", json!({"DATA": {"INVOICE_ID": inv, "REASON": "the rest"}})).await;
    assert_eq!(rest["INVOICE_NUMBER"], "GS-2025-00003");
    let note = invoice(&client, rest["INVOICE_ID"].as_i64().expect("id")).await;
    assert_eq!(sums(&note), owned("-14.16", "-1.89", "-16.05"), "the last notes take the VAT left per rate");
    let vat: Vec<(&str, &str)> = note["VAT_ITEMS"]
        .as_array()
        .expect("VAT_ITEMS")
        .iter()
        .map(|v| (v["VAT_PERCENT"].as_str().unwrap_or(""), v["VAT_VALUE"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(vat, vec![("7.00", "-0.47"), ("19.00", "-1.42")], "0.70 - 0.23 and 1.90 - 0.48");
    let original = invoice(&client, inv).await;
    assert_eq!(
        (original["CREDITED_TOTAL"].clone(), original["OUTSTANDING_AMOUNT"].clone(), original["STATUS"].clone()),
        (json!("22.59"), json!("0.00"), json!("paid"))
    );
    let err = client.err("invoice.credit", json!({"DATA": {"INVOICE_ID": inv}})).await;
    assert_eq!((err.code, err.tag()), (1009, Some("ITEMS")));
}

#[tokio::test]
async fn a_credit_larger_than_what_is_left_or_malformed_names_the_tag_and_changes_nothing() {
    let app = spawn_app().await;
    let (client, _, inv, plan, addon) = two_rates(&app).await;
    let invoices_before = count_rows(&app, "invoice").await;
    let cases = [
        (json!([{"INVOICE_ITEM_ID": addon, "QUANTITY": 4}]), 1009, "QUANTITY"),
        (json!([{"INVOICE_ITEM_ID": plan, "AMOUNT": "10.01"}]), 1009, "AMOUNT"),
        (json!([{"INVOICE_ITEM_ID": plan, "AMOUNT": "1"}, {"INVOICE_ITEM_ID": plan, "AMOUNT": "9.5"}]), 1009, "AMOUNT"),
        (json!([{"INVOICE_ITEM_ID": 999_999, "QUANTITY": 1}]), -32602, "INVOICE_ITEM_ID"),
        (json!([{"INVOICE_ITEM_ID": plan, "QUANTITY": 1, "AMOUNT": "1"}]), -32602, "ITEMS[0]"),
        (json!([{"INVOICE_ITEM_ID": plan}]), -32602, "ITEMS[0]"),
        (json!([{"INVOICE_ITEM_ID": plan, "AMOUNT": "0"}]), -32602, "AMOUNT"),
        (json!([{"INVOICE_ITEM_ID": plan, "AMOUNT": "0.001"}]), -32602, "AMOUNT"),
        (json!([]), 1009, "ITEMS"),
    ];
    for (items, code, tag) in cases {
        let err = client.err("invoice.credit", credit(inv, items.clone())).await;
        assert_eq!((err.code, err.tag()), (code, Some(tag)), "{items}: {}", err.message);
    }
    assert_eq!(count_rows(&app, "invoice").await, invoices_before);
    assert_eq!(invoice(&client, inv).await["CREDITED_TOTAL"], "0.00");
    let ok = client.ok("invoice.credit", credit(inv, json!([{"INVOICE_ITEM_ID": addon, "QUANTITY": 3}]))).await;
    assert_eq!(ok["INVOICE_NUMBER"], "GS-2025-00001", "refused credits consumed no number");
}

#[tokio::test]
async fn a_credit_of_a_paid_invoice_goes_to_credit_balance_unless_refunded() {
    let app = spawn_app().await;
    let (client, c, inv, plan, addon) = two_rates(&app).await;
    client.ok("invoice.setpaid", json!({"DATA": {"INVOICE_ID": inv}})).await;
    let kept = client.ok("invoice.credit", credit(inv, json!([{"INVOICE_ITEM_ID": plan, "AMOUNT": "10"}]))).await;
    assert_eq!((kept["TOTAL"].clone(), kept["REFUNDED"].clone()), (json!("-11.90"), json!(false)));
    assert_eq!(credit_balance(&client, c).await, "11.90");
    let data =
        json!({"DATA": {"INVOICE_ID": inv, "ITEMS": [{"INVOICE_ITEM_ID": addon, "QUANTITY": 1}], "REFUND": true}});
    let refunded = client.ok("invoice.credit", data).await;
    assert_eq!(refunded["REFUNDED"], true);
    let note = invoice(&client, refunded["INVOICE_ID"].as_i64().expect("id")).await;
    assert_eq!(note["REFUNDED"], true);
    assert_eq!(credit_balance(&client, c).await, "11.90");
    assert_eq!(balance(&client, inv).await.1, "paid");
}

#[tokio::test]
async fn cancel_credits_the_rest_once_and_a_canceled_invoice_or_a_credit_note_takes_no_payment() {
    let app = spawn_app().await;
    let (client, _, inv, _, addon) = two_rates(&app).await;
    client.ok("invoice.credit", credit(inv, json!([{"INVOICE_ITEM_ID": addon, "QUANTITY": 1}]))).await;
    let canceled = client.ok("invoice.cancel", json!({"DATA": {"INVOICE_ID": inv}})).await;
    assert_eq!(
        (canceled["INVOICE_NUMBER"].clone(), canceled["TOTAL"].clone()),
        (json!("GS-2025-00002"), json!("-19.03"))
    );
    let original = invoice(&client, inv).await;
    assert_eq!(
        (original["STATUS"].clone(), original["OUTSTANDING_AMOUNT"].clone(), original["CREDITED_TOTAL"].clone()),
        (json!("canceled"), json!("0.00"), json!("22.59"))
    );
    let timeline = client.ok("invoice.gettimeline", json!({"FILTER": {"INVOICE_ID": inv}})).await;
    assert_eq!(timeline["EVENTS"][0]["TYPE"], "invoice.canceled");
    let payments = count_rows(&app, "payment").await;
    for (method, data, tag) in [
        ("invoice.cancel", json!({"INVOICE_ID": inv}), "INVOICE_ID"),
        ("invoice.credit", json!({"INVOICE_ID": inv}), "INVOICE_ID"),
        ("payment.create", json!({"INVOICE_ID": inv, "AMOUNT": "1"}), "INVOICE_ID"),
        ("payment.create", json!({"INVOICE_ID": canceled["INVOICE_ID"], "AMOUNT": "1"}), "INVOICE_ID"),
        ("invoice.credit", json!({"INVOICE_ID": canceled["INVOICE_ID"]}), "INVOICE_ID"),
        ("invoice.cancel", json!({"INVOICE_ID": canceled["INVOICE_ID"]}), "INVOICE_ID"),
    ] {
        let err = client.err(method, json!({"DATA": data})).await;
        assert_eq!((err.code, err.tag()), (1009, Some(tag)), "{method} {data}: {}", err.message);
    }
    assert_eq!(count_rows(&app, "payment").await, payments);
}

#[tokio::test]
async fn two_concurrent_credits_of_the_last_part_have_exactly_one_winner() {
    let app = spawn_app().await;
    let (client, _, inv, _, addon) = two_rates(&app).await;
    client.ok("invoice.credit", credit(inv, json!([{"INVOICE_ITEM_ID": addon, "QUANTITY": 3}]))).await;
    let other = client.clone();
    let body = json!({"DATA": {"INVOICE_ID": inv}});
    let (a, b) = tokio::join!(client.call("invoice.credit", body.clone()), other.call("invoice.credit", body.clone()));
    let wins = [&a, &b].iter().filter(|r| r.is_ok()).count();
    let conflicts = [&a, &b].iter().filter(|r| r.as_ref().is_err_and(|e| e.code == 1009)).count();
    assert_eq!((wins, conflicts), (1, 1), "{a:?} {b:?}");
    let notes = client.ok("invoice.get", json!({"FILTER": {"TYPE": "credit"}})).await;
    let numbers: Vec<&str> =
        notes["INVOICES"].as_array().expect("list").iter().filter_map(|n| n["INVOICE_NUMBER"].as_str()).collect();
    assert_eq!(numbers, vec!["GS-2025-00001", "GS-2025-00002"], "one winner, gapless");
    assert_eq!(invoice(&client, inv).await["CREDITED_TOTAL"], "22.59");
}
