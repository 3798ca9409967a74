//! Payments, `invoice.setpaid`, payment reversals and customer credit
//! (API.md section 10), over HTTP with a test clock.

use serde_json::{Value, json};

use crate::fixtures::{advance, article, customer, subscribe};
use crate::helpers::{Client, TestApp, count_rows, spawn_app};

/// A test tenant on 2025-01-01 with a customer subscribed to a monthly plan of
/// 100.00 at 19 %: its first invoice (TOTAL 119.00) is issued at once.
pub async fn shop(app: &TestApp) -> (Client, i64, i64, i64) {
    let t = app.test_tenant("shop", "2025-01-01").await;
    let client = app.client(&t.key);
    article(&client, "P", "100", "19", json!({})).await;
    let c = customer(&client).await;
    let created = subscribe(&client, c, "P", json!({})).await;
    let sub = created["SUBSCRIPTION_ID"].as_i64().expect("SUBSCRIPTION_ID");
    let invoice = created["INVOICE_ID"].as_i64().expect("INVOICE_ID");
    (client, c, sub, invoice)
}

/// The invoice object.
pub async fn invoice(client: &Client, id: i64) -> Value {
    client.ok("invoice.get", json!({"FILTER": {"INVOICE_ID": id}})).await["INVOICES"][0].clone()
}

/// OUTSTANDING_AMOUNT, STATUS and PAID_DATE of an invoice.
pub async fn balance(client: &Client, id: i64) -> (Value, Value, Value) {
    let i = invoice(client, id).await;
    (i["OUTSTANDING_AMOUNT"].clone(), i["STATUS"].clone(), i["PAID_DATE"].clone())
}

/// The customer's CREDIT_BALANCE.
pub async fn credit_balance(client: &Client, customer: i64) -> Value {
    client.ok("customer.get", json!({"FILTER": {"CUSTOMER_ID": customer}})).await["CUSTOMERS"][0]["CREDIT_BALANCE"]
        .clone()
}

fn pay(invoice: i64, amount: &str) -> Value {
    json!({"DATA": {"INVOICE_ID": invoice, "AMOUNT": amount, "METHOD": "sepa", "REFERENCE": "r-1"}})
}

#[tokio::test]
async fn payments_lower_the_outstanding_amount_and_the_one_that_clears_it_sets_paid() {
    let app = spawn_app().await;
    let (client, c, _, inv) = shop(&app).await;
    assert_eq!(balance(&client, inv).await, (json!("119.00"), json!("unpaid"), Value::Null));
    let first = client.ok("payment.create", pay(inv, "50")).await;
    assert_eq!((first["STATUS"].clone(), first["ALLOCATED"].clone()), (json!("success"), json!("50.00")));
    assert_eq!(balance(&client, inv).await, (json!("69.00"), json!("unpaid"), Value::Null));
    let data = json!({"DATA": {"INVOICE_ID": inv, "AMOUNT": "69.00", "METHOD": "card", "PAID_DATE": "2025-01-03"}});
    client.ok("payment.create", data).await;
    assert_eq!(balance(&client, inv).await, (json!("0.00"), json!("paid"), json!("2025-01-03 00:00:00")));
    let listed = invoice(&client, inv).await["PAYMENTS"].clone();
    let methods: Vec<(&str, &str)> = listed
        .as_array()
        .expect("PAYMENTS")
        .iter()
        .map(|p| (p["METHOD"].as_str().unwrap_or(""), p["AMOUNT"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(methods, vec![("sepa", "50.00"), ("card", "69.00")]);
    let got = client.ok("payment.get", json!({"FILTER": {"PAYMENT_ID": first["PAYMENT_ID"]}})).await;
    let p = &got["PAYMENTS"][0];
    assert_eq!(
        (p["INVOICE_ID"].clone(), p["CUSTOMER_ID"].clone(), p["REFERENCE"].clone(), p["STATUS"].clone()),
        (json!(inv), json!(c), json!("r-1"), json!("completed"))
    );
    assert_eq!(credit_balance(&client, c).await, "0.00");
}

#[tokio::test]
async fn an_overpayment_goes_to_credit_balance_and_its_reversal_takes_it_back_once() {
    let app = spawn_app().await;
    let (client, c, _, inv) = shop(&app).await;
    let paid = client.ok("payment.create", pay(inv, "150")).await;
    assert_eq!((paid["AMOUNT"].clone(), paid["ALLOCATED"].clone()), (json!("150.00"), json!("119.00")));
    assert_eq!(credit_balance(&client, c).await, "31.00");
    assert_eq!(balance(&client, inv).await.1, "paid");
    let reversed =
        client.ok("payment.reverse", json!({"DATA": {"PAYMENT_ID": paid["PAYMENT_ID"], "REASON": "chargeback"}})).await;
    assert_eq!(
        (reversed["PAYMENT_STATUS"].clone(), reversed["REVERSE_REASON"].clone()),
        (json!("reversed"), json!("chargeback"))
    );
    assert_eq!(balance(&client, inv).await, (json!("119.00"), json!("unpaid"), Value::Null));
    assert_eq!(credit_balance(&client, c).await, "0.00");
    let again = client.err("payment.reverse", json!({"DATA": {"PAYMENT_ID": paid["PAYMENT_ID"]}})).await;
    assert_eq!((again.code, again.tag()), (1009, Some("PAYMENT_ID")));
    let got = client.ok("payment.get", json!({"FILTER": {"INVOICE_ID": inv}})).await;
    assert_eq!(got["PAYMENTS"][0]["STATUS"], "reversed");
}

#[tokio::test]
async fn a_reversal_whose_overpayment_was_spent_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let (client, c, sub, inv) = shop(&app).await;
    let paid = client.ok("payment.create", pay(inv, "150")).await;
    advance(&client, "2025-02-01").await;
    let all = client.ok("invoice.get", json!({"FILTER": {"SUBSCRIPTION_ID": sub}})).await;
    let second = all["INVOICES"][1]["INVOICE_ID"].as_i64().expect("second invoice");
    assert_eq!(balance(&client, second).await.0, "88.00", "31.00 of credit applied at issue");
    assert_eq!(credit_balance(&client, c).await, "0.00");
    let err = client.err("payment.reverse", json!({"DATA": {"PAYMENT_ID": paid["PAYMENT_ID"]}})).await;
    assert_eq!((err.code, err.tag()), (1009, Some("PAYMENT_ID")));
    assert_eq!(balance(&client, inv).await.1, "paid");
}

#[tokio::test]
async fn customer_credit_is_applied_at_issue_as_a_payment_of_method_credit() {
    let app = spawn_app().await;
    let (client, c, sub, _) = shop(&app).await;
    let added = client.ok("customer.addcredits", json!({"DATA": {"CUSTOMER_ID": c, "AMOUNT": "50"}})).await;
    assert_eq!(added["CREDIT_BALANCE"], "50.00");
    advance(&client, "2025-02-01").await;
    let all = client.ok("invoice.get", json!({"FILTER": {"SUBSCRIPTION_ID": sub}})).await;
    let second = &all["INVOICES"][1];
    assert_eq!((second["TOTAL"].clone(), second["OUTSTANDING_AMOUNT"].clone()), (json!("119.00"), json!("69.00")));
    assert_eq!(second["PAYMENTS"][0]["METHOD"], "credit");
    assert_eq!(second["PAYMENTS"][0]["AMOUNT"], "50.00");
    assert_eq!(credit_balance(&client, c).await, "0.00");
    client.ok("customer.addcredits", json!({"DATA": {"CUSTOMER_ID": c, "AMOUNT": "500"}})).await;
    advance(&client, "2025-03-01").await;
    let all = client.ok("invoice.get", json!({"FILTER": {"SUBSCRIPTION_ID": sub}})).await;
    let third = &all["INVOICES"][2];
    assert_eq!((third["STATUS"].clone(), third["PAID_DATE"].clone()), (json!("paid"), json!("2025-03-01 00:00:00")));
    assert_eq!(credit_balance(&client, c).await, "381.00");
}

#[tokio::test]
async fn setpaid_pays_what_is_outstanding_once() {
    let app = spawn_app().await;
    let (client, _, _, inv) = shop(&app).await;
    client.ok("payment.create", pay(inv, "19")).await;
    let set = client.ok("invoice.setpaid", json!({"DATA": {"INVOICE_ID": inv, "PAID_DATE": "2025-01-05"}})).await;
    assert_eq!((set["AMOUNT"].clone(), set["METHOD"].clone()), (json!("100.00"), json!("manual")));
    assert_eq!(balance(&client, inv).await, (json!("0.00"), json!("paid"), json!("2025-01-05 00:00:00")));
    let again = client.err("invoice.setpaid", json!({"DATA": {"INVOICE_ID": inv}})).await;
    assert_eq!((again.code, again.tag()), (1009, Some("INVOICE_ID")));
}

#[tokio::test]
async fn bad_payments_name_the_tag_and_change_nothing() {
    let app = spawn_app().await;
    let (client, c, _, inv) = shop(&app).await;
    let cases = [
        (json!({"INVOICE_ID": inv, "AMOUNT": "10", "CURRENCY_CODE": "USD"}), -32602, "CURRENCY_CODE"),
        (json!({"INVOICE_ID": inv, "AMOUNT": "0"}), -32602, "AMOUNT"),
        (json!({"INVOICE_ID": inv, "AMOUNT": "-5"}), -32602, "AMOUNT"),
        (json!({"INVOICE_ID": inv, "AMOUNT": "1.234"}), -32602, "AMOUNT"),
        (json!({"INVOICE_ID": inv, "AMOUNT": "1,5"}), -32602, "AMOUNT"),
        (json!({"INVOICE_ID": inv}), -32602, "AMOUNT"),
        (json!({"INVOICE_ID": 999_999, "AMOUNT": "10"}), 1004, "INVOICE_ID"),
        (json!({"INVOICE_ID": inv, "AMOUNT": "10", "AMOUTN": 1}), -32602, "AMOUTN"),
    ];
    for (data, code, tag) in cases {
        let err = client.err("payment.create", json!({"DATA": data})).await;
        assert_eq!((err.code, err.tag()), (code, Some(tag)), "{data}: {}", err.message);
        assert!(err.message.contains(tag), "{}", err.message);
    }
    let err = client.err("customer.addcredits", json!({"DATA": {"CUSTOMER_ID": c, "AMOUNT": "0"}})).await;
    assert_eq!((err.code, err.tag()), (-32602, Some("AMOUNT")));
    let err = client.err("payment.reverse", json!({"DATA": {"PAYMENT_ID": 1, "REASON": "mistake"}})).await;
    assert_eq!((err.code, err.tag()), (-32602, Some("REASON")));
    assert_eq!(count_rows(&app, "payment").await, 0);
    assert_eq!(balance(&client, inv).await, (json!("119.00"), json!("unpaid"), Value::Null));
    assert_eq!(credit_balance(&client, c).await, "0.00");
}

#[tokio::test]
async fn reversing_a_payment_after_a_full_credit_leaves_the_invoice_settled_by_the_credit() {
    let app = spawn_app().await;
    let (client, c, _, inv) = shop(&app).await;
    let paid = client.ok("payment.create", json!({"DATA": {"INVOICE_ID": inv, "AMOUNT": "150.00"}})).await;
    assert_eq!(credit_balance(&client, c).await, "31.00");
    client.ok("invoice.credit", json!({"DATA": {"INVOICE_ID": inv}})).await;
    assert_eq!(credit_balance(&client, c).await, "150.00", "the credit went to the balance: the invoice was paid");
    client.ok("payment.reverse", json!({"DATA": {"PAYMENT_ID": paid["PAYMENT_ID"], "REASON": "refund"}})).await;
    // TOTAL 119.00 - no payment - 119.00 credited = 0: the credit settles the invoice now.
    let (outstanding, status, _) = balance(&client, inv).await;
    assert_eq!((outstanding, status), (json!("0.00"), json!("paid")));
    assert_eq!(credit_balance(&client, c).await, "0.00", "nothing was paid, nothing is left over");
}

#[tokio::test]
async fn reversing_a_payment_after_a_partial_credit_brings_back_what_is_still_owed() {
    let app = spawn_app().await;
    let (client, c, _, inv) = shop(&app).await;
    let paid = client.ok("payment.create", json!({"DATA": {"INVOICE_ID": inv, "AMOUNT": "119.00"}})).await;
    let items = client.ok("item.get", json!({"FILTER": {"INVOICE_ID": inv}})).await;
    let item = items["ITEMS"][0]["INVOICE_ITEM_ID"].clone();
    let part = json!({"DATA": {"INVOICE_ID": inv, "ITEMS": [{"INVOICE_ITEM_ID": item, "AMOUNT": "30.00"}]}});
    client.ok("invoice.credit", part).await;
    assert_eq!(credit_balance(&client, c).await, "35.70");
    client.ok("payment.reverse", json!({"DATA": {"PAYMENT_ID": paid["PAYMENT_ID"], "REASON": "chargeback"}})).await;
    // 119.00 - 35.70 credited = 83.30 still owed; the credit settles the rest, not the balance.
    let (outstanding, status, _) = balance(&client, inv).await;
    assert_eq!((outstanding, status), (json!("83.30"), json!("unpaid")));
    assert_eq!(credit_balance(&client, c).await, "0.00");
}
