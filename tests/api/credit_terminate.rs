//! `subscription.terminate` with CREDIT_UNUSED (API.md section 10): the credit
//! note for the unused days is a credit note like any other, so it lowers the
//! related invoice's OUTSTANDING_AMOUNT (or, on a paid invoice, goes to the
//! customer's CREDIT_BALANCE) and counts in its CREDITED_TOTAL.

use serde_json::{Value, json};

use crate::fixtures::{advance, invoices};
use crate::helpers::spawn_app;
use crate::payments::{balance, credit_balance, invoice, shop};

/// Terminates `sub` with CREDIT_UNUSED on 2025-01-16 and answers the credit note.
/// 16 of January's 31 days are unused: 100.00 x 16 / 31 = 51.61 net, 9.81 VAT, 61.42.
async fn terminate(client: &crate::helpers::Client, sub: i64) -> Value {
    advance(client, "2025-01-16").await;
    client.ok("subscription.terminate", json!({"DATA": {"SUBSCRIPTION_ID": sub, "CREDIT_UNUSED": true}})).await;
    let all = invoices(client, sub).await;
    let note = all.iter().find(|i| i["TYPE"] == "credit").unwrap_or_else(|| panic!("a credit note: {all:?}")).clone();
    assert_eq!(
        (note["SUB_TOTAL"].clone(), note["VAT_TOTAL"].clone(), note["TOTAL"].clone()),
        (json!("-51.61"), json!("-9.81"), json!("-61.42"))
    );
    note
}

#[tokio::test]
async fn the_unused_days_credit_lowers_the_unpaid_invoices_outstanding_amount() {
    let app = spawn_app().await;
    let (client, c, sub, inv) = shop(&app).await;
    let note = terminate(&client, sub).await;
    assert_eq!((note["RELATED_INVOICE_ID"].clone(), note["STATUS"].clone()), (json!(inv), json!("paid")));
    let original = invoice(&client, inv).await;
    assert_eq!(
        (original["OUTSTANDING_AMOUNT"].clone(), original["CREDITED_TOTAL"].clone(), original["STATUS"].clone()),
        (json!("57.58"), json!("61.42"), json!("overdue")),
        "119.00 - 61.42; still past its due date"
    );
    assert_eq!(credit_balance(&client, c).await, "0.00");
    client.ok("invoice.setpaid", json!({"DATA": {"INVOICE_ID": inv}})).await;
    let paid = invoice(&client, inv).await["PAYMENTS"][0]["AMOUNT"].clone();
    assert_eq!(paid, "57.58", "setpaid pays what is left after the credit");
}

#[tokio::test]
async fn on_a_paid_invoice_the_unused_days_credit_goes_to_the_customers_credit_balance() {
    let app = spawn_app().await;
    let (client, c, sub, inv) = shop(&app).await;
    client.ok("invoice.setpaid", json!({"DATA": {"INVOICE_ID": inv}})).await;
    terminate(&client, sub).await;
    assert_eq!(balance(&client, inv).await.0, "0.00");
    assert_eq!(invoice(&client, inv).await["CREDITED_TOTAL"], "61.42");
    assert_eq!(credit_balance(&client, c).await, "61.42");
}

#[tokio::test]
async fn after_the_unused_days_credit_a_cancel_credits_only_what_is_left_of_the_invoice() {
    let app = spawn_app().await;
    let (client, c, sub, inv) = shop(&app).await;
    let first = terminate(&client, sub).await;
    let original = invoice(&client, inv).await;
    let plan = original["ITEMS"][0]["INVOICE_ITEM_ID"].clone();
    assert_eq!(first["ITEMS"][0]["KIND"], "proration");
    let more = json!({"DATA": {"INVOICE_ID": inv, "ITEMS": [{"INVOICE_ITEM_ID": plan, "AMOUNT": "48.40"}]}});
    let err = client.err("invoice.credit", more).await;
    assert_eq!((err.code, err.tag()), (1009, Some("AMOUNT")), "48.39 of the plan's 100.00 is left: {}", err.message);
    let canceled = client.ok("invoice.cancel", json!({"DATA": {"INVOICE_ID": inv}})).await;
    let note = invoice(&client, canceled["INVOICE_ID"].as_i64().expect("id")).await;
    assert_eq!(
        (note["SUB_TOTAL"].clone(), note["VAT_TOTAL"].clone(), note["TOTAL"].clone()),
        (json!("-48.39"), json!("-9.19"), json!("-57.58")),
        "100.00 - 51.61 net; the VAT left of 19 %: 19.00 - 9.81"
    );
    let original = invoice(&client, inv).await;
    assert_eq!(
        (original["CREDITED_TOTAL"].clone(), original["OUTSTANDING_AMOUNT"].clone(), original["STATUS"].clone()),
        (json!("119.00"), json!("0.00"), json!("canceled")),
        "the two notes negate the invoice to the cent"
    );
    assert_eq!(credit_balance(&client, c).await, "0.00", "nothing was paid, nothing is owed back");
}

#[tokio::test]
async fn under_a_coupon_the_unused_days_credit_gives_back_a_share_of_what_was_paid() {
    let app = spawn_app().await;
    let t = app.test_tenant("shop", "2025-01-01").await;
    let client = app.client(&t.key);
    crate::fixtures::article(&client, "P", "100", "19", json!({})).await;
    let half = json!({"DATA": {"CODE": "HALF", "DISCOUNT_TYPE": "percent", "DISCOUNT": "50"}});
    client.ok("coupon.create", half).await;
    let c = crate::fixtures::customer(&client).await;
    let created = crate::fixtures::subscribe(&client, c, "P", json!({"COUPON": "HALF"})).await;
    let (sub, inv) = (created["SUBSCRIPTION_ID"].as_i64().expect("id"), created["INVOICE_ID"].as_i64().expect("id"));
    assert_eq!(invoice(&client, inv).await["TOTAL"], "59.50", "100.00 - 50.00 coupon, 19 % VAT");
    advance(&client, "2025-01-16").await;
    client.ok("subscription.terminate", json!({"DATA": {"SUBSCRIPTION_ID": sub, "CREDIT_UNUSED": true}})).await;
    let all = invoices(&client, sub).await;
    let note = all.iter().find(|i| i["TYPE"] == "credit").expect("a credit note").clone();
    // 16 of 31 days: the plan's -51.61 and the coupon's +25.81 (50.00 x 16 / 31 = 25.806).
    let kinds: Vec<(String, String)> = note["ITEMS"]
        .as_array()
        .expect("ITEMS")
        .iter()
        .map(|i| (i["KIND"].as_str().unwrap_or("").to_owned(), i["COMPLETE_NET"].as_str().unwrap_or("").to_owned()))
        .collect();
    assert_eq!(kinds, [("proration".to_owned(), "-51.61".to_owned()), ("coupon".to_owned(), "25.81".to_owned())]);
    assert_eq!(
        (note["SUB_TOTAL"].clone(), note["VAT_TOTAL"].clone(), note["TOTAL"].clone()),
        (json!("-25.80"), json!("-4.90"), json!("-30.70")),
        "never more than the customer paid for the unused days"
    );
    let canceled = client.ok("invoice.cancel", json!({"DATA": {"INVOICE_ID": inv}})).await;
    let rest = invoice(&client, canceled["INVOICE_ID"].as_i64().expect("id")).await;
    assert_eq!(
        (rest["SUB_TOTAL"].clone(), rest["VAT_TOTAL"].clone(), rest["TOTAL"].clone()),
        (json!("-24.20"), json!("-4.60"), json!("-28.80")),
        "48.39 of the plan less 24.19 of the coupon; the VAT left: 9.50 - 4.90"
    );
    let original = invoice(&client, inv).await;
    assert_eq!(
        (original["CREDITED_TOTAL"].clone(), original["OUTSTANDING_AMOUNT"].clone()),
        (json!("59.50"), json!("0.00"))
    );
    assert_eq!(credit_balance(&client, c).await, "0.00");
}

#[tokio::test]
async fn an_invoice_credited_in_full_gets_no_second_credit_at_termination() {
    let app = spawn_app().await;
    let (client, c, sub, inv) = shop(&app).await;
    client.ok("invoice.setpaid", json!({"DATA": {"INVOICE_ID": inv}})).await;
    client.ok("invoice.credit", json!({"DATA": {"INVOICE_ID": inv}})).await;
    advance(&client, "2025-01-16").await;
    client.ok("subscription.terminate", json!({"DATA": {"SUBSCRIPTION_ID": sub, "CREDIT_UNUSED": true}})).await;
    let notes: Vec<Value> = invoices(&client, sub).await.into_iter().filter(|i| i["TYPE"] == "credit").collect();
    assert_eq!(notes.len(), 1, "only the full credit: {notes:?}");
    assert_eq!(invoice(&client, inv).await["CREDITED_TOTAL"], "119.00");
    assert_eq!(credit_balance(&client, c).await, "119.00", "what was paid, once");
}

#[tokio::test]
async fn after_an_upgrade_the_unused_days_credit_gives_back_the_new_plan_not_the_old_one_again() {
    let app = spawn_app().await;
    let (client, _, sub, inv) = shop(&app).await;
    crate::fixtures::article(&client, "BIG", "310", "19", json!({})).await;
    advance(&client, "2025-01-11").await;
    let change = client
        .ok("subscription.changearticle", json!({"DATA": {"SUBSCRIPTION_ID": sub, "ARTICLE_NUMBER": "BIG"}}))
        .await;
    let change_invoice = change["INVOICE_ID"].as_i64().expect("the upgrade's invoice");
    advance(&client, "2025-01-21").await;
    client.ok("subscription.terminate", json!({"DATA": {"SUBSCRIPTION_ID": sub, "CREDIT_UNUSED": true}})).await;
    let all = invoices(&client, sub).await;
    let notes: Vec<&Value> = all.iter().filter(|i| i["TYPE"] == "credit").collect();
    assert_eq!(notes.len(), 1, "{all:?}");
    // BIG was charged for the 21 days from Jan 11 (310.00 x 21 / 31 = 210.00); 11 are unused.
    assert_eq!(notes[0]["RELATED_INVOICE_ID"], json!(change_invoice));
    assert_eq!((notes[0]["SUB_TOTAL"].clone(), notes[0]["TOTAL"].clone()), (json!("-110.00"), json!("-130.90")));
    assert_eq!(invoice(&client, inv).await["CREDITED_TOTAL"], "0.00", "P's unused days were credited by the upgrade");
}
