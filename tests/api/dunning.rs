//! Dunning with a test clock (API.md section 10), as a hand-computed table:
//! an invoice issued 2025-01-01, due 2025-01-15 (14 days), DUNNING.DAYS
//! 7, 14, 21 and FINAL_ACTION `pause`. The tenant is in Europe/Berlin, so
//! midnight UTC is 01:00 there: the same date.

use serde_json::{Value, json};

use crate::fixtures::{advance, subscription};
use crate::helpers::{Client, spawn_app_with};
use crate::payments::{invoice, shop};

/// (STATUS, DUNNING_LEVEL) of an invoice.
async fn dunning(client: &Client, id: i64) -> (String, i64) {
    let i = invoice(client, id).await;
    (i["STATUS"].as_str().unwrap_or("").to_owned(), i["DUNNING_LEVEL"].as_i64().unwrap_or(-1))
}

/// The event types of an invoice's timeline, oldest first.
async fn timeline(client: &Client, id: i64) -> Vec<String> {
    let found = client.ok("invoice.gettimeline", json!({"FILTER": {"INVOICE_ID": id}, "LIMIT": 100})).await;
    let mut types: Vec<String> = found["EVENTS"]
        .as_array()
        .map(|e| e.iter().filter_map(|e| e["TYPE"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    types.reverse();
    types
}

fn on(inv: i64) -> Value {
    json!({"DATA": {"INVOICE_ID": inv}})
}

#[tokio::test]
async fn the_dunning_table_overdue_then_three_levels_and_the_final_action_once() {
    let app = spawn_app_with(|s| s.billing.dunning_final_action = "pause".into()).await;
    let (client, _, sub, inv) = shop(&app).await;
    assert_eq!(invoice(&client, inv).await["DUE_DATE"], "2025-01-15 00:00:00");
    let table = [
        ("2025-01-15", "unpaid", 0),
        ("2025-01-16", "overdue", 0),
        ("2025-01-21", "overdue", 0),
        ("2025-01-22", "overdue", 1),
        ("2025-01-28", "overdue", 1),
        ("2025-01-29", "overdue", 2),
        ("2025-02-04", "overdue", 2),
        ("2025-02-05", "overdue", 3),
        ("2025-02-20", "overdue", 3),
    ];
    for (day, status, level) in table {
        advance(&client, day).await;
        assert_eq!(dunning(&client, inv).await, (status.to_owned(), level), "on {day}");
        let paused = subscription(&client, sub).await["STATUS"] == "paused";
        assert_eq!(paused, day >= "2025-02-05", "the final action comes with level 3, on {day}");
    }
    let reminded = ["invoice.reminded"; 3].map(str::to_owned);
    let mut expected = vec!["invoice.created".to_owned(), "invoice.overdue".to_owned()];
    expected.extend(reminded);
    assert_eq!(timeline(&client, inv).await, expected);
    let found = client.ok("invoice.gettimeline", json!({"FILTER": {"INVOICE_ID": inv}})).await;
    assert_eq!(found["EVENTS"][0]["DATA"]["FINAL_ACTION"], "pause");
    let listed = client.ok("invoice.get", json!({"FILTER": {"STATUS": "overdue"}})).await;
    assert_eq!(listed["INVOICES"][0]["INVOICE_ID"], inv);
}

#[tokio::test]
async fn a_pause_holds_the_level_an_unpause_catches_up_a_postpone_resets_and_paying_stops() {
    let app = spawn_app_with(|_| {}).await;
    let (client, _, _, inv) = shop(&app).await;
    advance(&client, "2025-01-22").await;
    assert_eq!(dunning(&client, inv).await, ("overdue".to_owned(), 1));
    let paused = client.ok("invoice.pausedunning", on(inv)).await;
    assert_eq!((paused["DUNNING_PAUSED"].clone(), paused["DUNNING_LEVEL"].clone()), (json!(true), json!(1)));
    advance(&client, "2025-01-29").await;
    assert_eq!(dunning(&client, inv).await, ("overdue".to_owned(), 1), "the pause holds level 1");
    let resumed = client.ok("invoice.unpausedunning", on(inv)).await;
    assert_eq!((resumed["DUNNING_PAUSED"].clone(), resumed["DUNNING_LEVEL"].clone()), (json!(false), json!(2)));
    let moved = client.ok("invoice.postpone", json!({"DATA": {"INVOICE_ID": inv, "DUE_DATE": "2025-02-15"}})).await;
    assert_eq!(
        (moved["DUE_DATE"].clone(), moved["DUNNING_LEVEL"].clone(), moved["DUE_DATE_POSTPONED"].clone()),
        (json!("2025-02-15 00:00:00"), json!(0), json!(true))
    );
    assert_eq!(dunning(&client, inv).await, ("unpaid".to_owned(), 0));
    let again = client.err("invoice.postpone", json!({"DATA": {"INVOICE_ID": inv, "DUE_DATE": "2025-03-01"}})).await;
    assert_eq!((again.code, again.tag()), (1009, Some("DUE_DATE")));
    advance(&client, "2025-02-16").await;
    assert_eq!(dunning(&client, inv).await, ("overdue".to_owned(), 0));
    advance(&client, "2025-02-22").await;
    assert_eq!(dunning(&client, inv).await, ("overdue".to_owned(), 1), "7 days after the new due date");
    client.ok("invoice.setpaid", on(inv)).await;
    advance(&client, "2025-03-20").await;
    assert_eq!(dunning(&client, inv).await, ("paid".to_owned(), 1), "paying stops dunning; the level stays");
    let reminders = timeline(&client, inv).await.iter().filter(|t| *t == "invoice.reminded").count();
    assert_eq!(reminders, 3, "levels 1 and 2, then level 1 again after the postpone");
    for method in ["invoice.pausedunning", "invoice.unpausedunning"] {
        let err = client.err(method, on(inv)).await;
        assert_eq!((err.code, err.tag()), (1009, Some("INVOICE_ID")), "{method} of a paid invoice");
    }
}

#[tokio::test]
async fn a_postpone_to_an_earlier_date_or_a_bad_date_names_due_date_and_changes_nothing() {
    let app = spawn_app_with(|_| {}).await;
    let (client, _, _, inv) = shop(&app).await;
    for (due, code) in [("2025-01-10", -32602), ("2025-01-15", -32602), ("2025-02-30", -32602)] {
        let err = client.err("invoice.postpone", json!({"DATA": {"INVOICE_ID": inv, "DUE_DATE": due}})).await;
        assert_eq!((err.code, err.tag()), (code, Some("DUE_DATE")), "{due}: {}", err.message);
    }
    let i = invoice(&client, inv).await;
    assert_eq!((i["DUE_DATE"].clone(), i["DUE_DATE_POSTPONED"].clone()), (json!("2025-01-15 00:00:00"), json!(false)));
}

/// The subscription's timeline types, oldest first.
async fn subscription_timeline(client: &Client, sub: i64) -> Vec<Value> {
    let found = client.ok("subscription.gettimeline", json!({"FILTER": {"SUBSCRIPTION_ID": sub}, "LIMIT": 100})).await;
    let mut events = found["EVENTS"].as_array().cloned().unwrap_or_default();
    events.reverse();
    events
}

#[tokio::test]
async fn final_action_cancel_cancels_the_subscription_at_the_period_end_once_and_it_closes_there() {
    let app = spawn_app_with(|_| {}).await;
    let (client, _, sub, inv) = shop(&app).await;
    let dunning_cfg = json!({"DAYS": [7, 14, 21], "FINAL_ACTION": "cancel"});
    let updated = client.ok("tenant.update", json!({"DATA": {"DUNNING": dunning_cfg}})).await;
    assert_eq!(updated["TENANT"]["DUNNING"]["FINAL_ACTION"], "cancel", "{updated}");
    advance(&client, "2025-02-04").await;
    assert_eq!(dunning(&client, inv).await, ("overdue".to_owned(), 2));
    assert_eq!(subscription(&client, sub).await["STATUS"], "active", "no final action before level 3");
    advance(&client, "2025-02-05").await;
    assert_eq!(dunning(&client, inv).await, ("overdue".to_owned(), 3));
    let s = subscription(&client, sub).await;
    assert_eq!(
        (s["STATUS"].clone(), s["CANCELLATION_DATE"].clone(), s["CANCELLATION_NOTE"].clone()),
        (json!("canceled"), json!("2025-03-01 00:00:00"), json!("dunning")),
        "canceled at the end of the period running on 2025-02-05 (no notice period)"
    );
    let found = client.ok("invoice.gettimeline", json!({"FILTER": {"INVOICE_ID": inv}})).await;
    assert_eq!(found["EVENTS"][0]["TYPE"], "invoice.reminded");
    assert_eq!(found["EVENTS"][0]["DATA"]["FINAL_ACTION"], "cancel");
    // Once: a shop that takes the cancellation back is not overruled by a later run.
    client.ok("subscription.reactivate", json!({"DATA": {"SUBSCRIPTION_ID": sub}})).await;
    advance(&client, "2025-02-20").await;
    let s = subscription(&client, sub).await;
    assert_eq!((s["STATUS"].clone(), s["CANCELLATION_DATE"].clone()), (json!("active"), Value::Null));
    let canceled: Vec<Value> = subscription_timeline(&client, sub)
        .await
        .into_iter()
        .filter(|e| e["TYPE"] == "subscription.canceled")
        .map(|e| e["DATA"]["CANCELLATION_NOTE"].clone())
        .collect();
    assert_eq!(canceled, vec![json!("dunning")], "the final action acted once");
}

#[tokio::test]
async fn final_action_cancel_lets_the_subscription_close_at_its_period_end() {
    let app = spawn_app_with(|s| s.billing.dunning_final_action = "cancel".into()).await;
    let (client, _, sub, inv) = shop(&app).await;
    advance(&client, "2025-02-05").await;
    assert_eq!(dunning(&client, inv).await, ("overdue".to_owned(), 3));
    assert_eq!(subscription(&client, sub).await["STATUS"], "canceled");
    let before = crate::fixtures::invoices(&client, sub).await.len();
    advance(&client, "2025-03-02").await;
    let s = subscription(&client, sub).await;
    assert_eq!((s["STATUS"].clone(), s["CLOSE_REASON"].clone()), (json!("closed"), json!("cancellation")));
    let after = crate::fixtures::invoices(&client, sub).await;
    assert_eq!(after.len(), before, "no invoice for the period after the cancellation: {after:?}");
}
