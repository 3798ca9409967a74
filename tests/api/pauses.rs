//! Pauses: skipped periods, credits for paused days, resuming.

use serde_json::{Value, json};

use crate::fixtures::{advance, article, customer, invoices, lines, subscribe, subscription};
use crate::helpers::{Client, spawn_app};

async fn monthly(app: &crate::helpers::TestApp, clock: &str) -> (Client, i64) {
    let t = app.test_tenant("shop", clock).await;
    let client = app.client(&t.key);
    article(&client, "P", "30.00", "0", json!({})).await;
    let c = customer(&client).await;
    let id = subscribe(&client, c, "P", json!({})).await["SUBSCRIPTION_ID"].as_i64().expect("id");
    (client, id)
}

fn starts(all: &[serde_json::Value]) -> Vec<String> {
    all.iter().map(|i| i["PERIOD_START"].as_str().unwrap_or("").to_owned()).collect()
}

#[tokio::test]
async fn a_pause_for_two_cycles_skips_two_periods_and_billing_resumes() {
    let app = spawn_app().await;
    let (client, id) = monthly(&app, "2025-01-01").await;
    let answer = client
        .ok("subscription.pause", json!({"DATA": {"SUBSCRIPTION_ID": id, "START_DATE": "2025-02-01", "CYCLES": 2}}))
        .await;
    assert_eq!(
        (answer["START_DATE"].clone(), answer["END_DATE"].clone()),
        (json!("2025-02-01 00:00:00"), json!("2025-04-01 00:00:00"))
    );
    let pause_id = answer["PAUSE_ID"].clone();
    advance(&client, "2025-02-15").await;
    let sub = subscription(&client, id).await;
    assert_eq!((sub["STATUS"].clone(), sub["NEXT_EVENT"].clone()), (json!("paused"), json!("2025-04-01 00:00:00")));
    advance(&client, "2025-05-01").await;
    assert_eq!(
        starts(&invoices(&client, id).await),
        vec!["2025-01-01 00:00:00", "2025-04-01 00:00:00", "2025-05-01 00:00:00"]
    );
    assert_eq!(subscription(&client, id).await["STATUS"], "active");
    let pauses = client.ok("subscription.getpauses", json!({"FILTER": {"SUBSCRIPTION_ID": id}})).await;
    assert_eq!(pauses["PAUSES"][0]["STATUS"], "ended");
    assert_eq!(pauses["PAUSES"][0]["LOCKED"], true);
    let err = client.err("subscription.deletepause", json!({"DATA": {"PAUSE_ID": pause_id}})).await;
    assert_eq!((err.code, err.tag()), (1009, Some("PAUSE_ID")), "a pause that skipped a period stays");
}

#[tokio::test]
async fn an_open_ended_pause_runs_until_unpause_which_starts_a_new_period() {
    let app = spawn_app().await;
    let (client, id) = monthly(&app, "2025-01-01").await;
    client
        .ok(
            "subscription.pause",
            json!({"DATA": {"SUBSCRIPTION_ID": id, "START_DATE": "2025-02-01", "PAUSE_ID": "winter"}}),
        )
        .await;
    advance(&client, "2025-03-20").await;
    let sub = subscription(&client, id).await;
    assert_eq!((sub["STATUS"].clone(), sub["NEXT_EVENT"].clone()), (json!("paused"), json!(null)));
    let answer = client.ok("subscription.unpause", json!({"DATA": {"SUBSCRIPTION_ID": id}})).await;
    assert_eq!(answer["PAUSE_ID"], "winter");
    let sub = subscription(&client, id).await;
    assert_eq!((sub["STATUS"].clone(), sub["NEXT_EVENT"].clone()), (json!("active"), json!("2025-04-20 00:00:00")));
    assert_eq!(starts(&invoices(&client, id).await), vec!["2025-01-01 00:00:00", "2025-03-20 00:00:00"]);
    let err = client.err("subscription.unpause", json!({"DATA": {"SUBSCRIPTION_ID": id}})).await;
    assert_eq!(err.code, 1009, "no pause is running");
}

#[tokio::test]
async fn a_pause_starting_mid_period_credits_the_paused_days_on_the_next_invoice() {
    let app = spawn_app().await;
    let (client, id) = monthly(&app, "2025-04-01").await;
    advance(&client, "2025-04-21").await;
    // April has 30 days; 10 of them (Apr 21 - May 1) are paused: 10.00 back.
    client.ok("subscription.pause", json!({"DATA": {"SUBSCRIPTION_ID": id, "END_DATE": "2025-06-01"}})).await;
    assert_eq!(subscription(&client, id).await["STATUS"], "paused");
    advance(&client, "2025-07-01").await;
    let all = invoices(&client, id).await;
    assert_eq!(starts(&all), vec!["2025-04-01 00:00:00", "2025-06-01 00:00:00", "2025-07-01 00:00:00"]);
    assert_eq!(lines(&all[1]), vec![("plan".into(), "30.00".into()), ("proration".into(), "-10.00".into())]);
    assert_eq!(lines(&all[2]), vec![("plan".into(), "30.00".into())]);
}

#[tokio::test]
async fn a_short_pause_inside_a_period_credits_its_days_and_changes_no_date() {
    let app = spawn_app().await;
    let (client, id) = monthly(&app, "2025-04-01").await;
    client
        .ok(
            "subscription.pause",
            json!({"DATA": {"SUBSCRIPTION_ID": id, "START_DATE": "2025-04-11", "END_DATE": "2025-04-16"}}),
        )
        .await;
    advance(&client, "2025-05-01").await;
    let all = invoices(&client, id).await;
    assert_eq!(lines(&all[1]), vec![("plan".into(), "30.00".into()), ("proration".into(), "-5.00".into())]);
    assert_eq!(subscription(&client, id).await["NEXT_EVENT"], "2025-06-01 00:00:00");
}

#[tokio::test]
async fn unpausing_early_shortens_the_credit() {
    let app = spawn_app().await;
    let (client, id) = monthly(&app, "2025-04-01").await;
    advance(&client, "2025-04-11").await;
    client.ok("subscription.pause", json!({"DATA": {"SUBSCRIPTION_ID": id}})).await;
    advance(&client, "2025-04-14").await;
    client.ok("subscription.unpause", json!({"DATA": {"SUBSCRIPTION_ID": id}})).await;
    assert_eq!(subscription(&client, id).await["STATUS"], "active");
    advance(&client, "2025-05-01").await;
    let all = invoices(&client, id).await;
    assert_eq!(lines(&all[1]), vec![("plan".into(), "30.00".into()), ("proration".into(), "-3.00".into())]);
}

#[tokio::test]
async fn overlapping_pauses_are_refused_and_unused_ones_can_be_deleted() {
    let app = spawn_app().await;
    let (client, id) = monthly(&app, "2025-01-01").await;
    let first = client
        .ok(
            "subscription.pause",
            json!({"DATA": {"SUBSCRIPTION_ID": id, "START_DATE": "2025-03-01", "END_DATE": "2025-05-01"}}),
        )
        .await;
    for (start, end) in [("2025-04-01", "2025-06-01"), ("2025-02-01", "2025-03-02")] {
        let err = client
            .err("subscription.pause", json!({"DATA": {"SUBSCRIPTION_ID": id, "START_DATE": start, "END_DATE": end}}))
            .await;
        assert_eq!(err.code, 1009, "{start}");
    }
    client
        .ok(
            "subscription.pause",
            json!({"DATA": {"SUBSCRIPTION_ID": id, "START_DATE": "2025-05-01", "END_DATE": "2025-06-01"}}),
        )
        .await;
    let err = client
        .err(
            "subscription.pause",
            json!({"DATA": {"SUBSCRIPTION_ID": id, "START_DATE": "2025-07-01", "END_DATE": "2025-08-01", "CYCLES": 1}}),
        )
        .await;
    assert_eq!((err.code, err.tag()), (-32602, Some("CYCLES")));
    let err =
        client.err("subscription.pause", json!({"DATA": {"SUBSCRIPTION_ID": id, "START_DATE": "2024-12-01"}})).await;
    assert_eq!((err.code, err.tag()), (-32602, Some("START_DATE")));
    client.ok("subscription.deletepause", json!({"DATA": {"PAUSE_ID": first["PAUSE_ID"]}})).await;
    let pauses = client.ok("subscription.getpauses", json!({"FILTER": {"SUBSCRIPTION_ID": id}})).await;
    assert_eq!(pauses["PAUSES"].as_array().map(Vec::len), Some(1));
    advance(&client, "2025-04-01").await;
    assert_eq!(invoices(&client, id).await.len(), 4, "the deleted pause skips nothing");
    let err = client.err("subscription.deletepause", json!({"DATA": {"PAUSE_ID": 999}})).await;
    assert_eq!(err.code, 1004);
}

#[tokio::test]
async fn an_own_pause_id_changes_a_pause_that_has_not_started() {
    let app = spawn_app().await;
    let (client, id) = monthly(&app, "2025-01-01").await;
    client
        .ok(
            "subscription.pause",
            json!({"DATA": {"SUBSCRIPTION_ID": id, "PAUSE_ID": "summer", "START_DATE": "2025-06-01", "CYCLES": 1}}),
        )
        .await;
    let moved = client
        .ok(
            "subscription.pause",
            json!({"DATA": {"SUBSCRIPTION_ID": id, "PAUSE_ID": "summer", "START_DATE": "2025-07-01", "CYCLES": 2}}),
        )
        .await;
    assert_eq!(moved["END_DATE"], "2025-09-01 00:00:00");
    let pauses = client.ok("subscription.getpauses", json!({"FILTER": {"SUBSCRIPTION_ID": id}})).await;
    assert_eq!(pauses["PAUSES"].as_array().map(Vec::len), Some(1));
    assert_eq!(pauses["PAUSES"][0]["PAUSE_ID"], "summer");
    client.ok("subscription.deletepause", json!({"DATA": {"PAUSE_ID": "summer"}})).await;
    let err = client.err("subscription.pause", json!({"DATA": {"SUBSCRIPTION_ID": id, "PAUSE_ID": "123"}})).await;
    assert_eq!((err.code, err.tag()), (-32602, Some("PAUSE_ID")));
}

/// A pause Apr 11 - Apr 16 of a 30.00 monthly subscription started Apr 1:
/// 5 of April's 30 days, credit -round(30.00 x 5 / 30) = -5.00 on the May invoice.
async fn short_april_pause(client: &Client, id: i64) -> Value {
    client
        .ok(
            "subscription.pause",
            json!({"DATA": {"SUBSCRIPTION_ID": id, "START_DATE": "2025-04-11", "END_DATE": "2025-04-16"}}),
        )
        .await
}

async fn locked(client: &Client, id: i64) -> Vec<Value> {
    let pauses = client.ok("subscription.getpauses", json!({"FILTER": {"SUBSCRIPTION_ID": id}})).await;
    pauses["PAUSES"].as_array().expect("PAUSES").iter().map(|p| p["LOCKED"].clone()).collect()
}

#[tokio::test]
async fn a_pause_whose_credit_is_not_invoiced_yet_is_deleted_with_its_credit() {
    let app = spawn_app().await;
    let (client, id) = monthly(&app, "2025-04-01").await;
    let first = short_april_pause(&client, id).await;
    let second = client
        .ok(
            "subscription.pause",
            json!({"DATA": {"SUBSCRIPTION_ID": id, "START_DATE": "2025-04-21", "END_DATE": "2025-04-26"}}),
        )
        .await;
    advance(&client, "2025-04-22").await;
    assert_eq!(locked(&client, id).await, vec![json!(false), json!(false)], "credits wait for the next invoice");
    // The running second pause goes, with its credit; the subscription runs again.
    client.ok("subscription.deletepause", json!({"DATA": {"PAUSE_ID": second["PAUSE_ID"]}})).await;
    assert_eq!(subscription(&client, id).await["STATUS"], "active");
    advance(&client, "2025-05-01").await;
    let all = invoices(&client, id).await;
    assert_eq!(lines(&all[1]), vec![("plan".into(), "30.00".into()), ("proration".into(), "-5.00".into())]);
    assert_eq!(
        first["PAUSE_ID"],
        client.ok("subscription.getpauses", json!({"FILTER": {"SUBSCRIPTION_ID": id}})).await["PAUSES"][0]["PAUSE_ID"]
    );
}

#[tokio::test]
async fn a_pause_whose_credit_was_invoiced_cannot_be_deleted() {
    let app = spawn_app().await;
    let (client, id) = monthly(&app, "2025-04-01").await;
    let pause = short_april_pause(&client, id).await;
    // One run over the pause and the boundary: the May invoice carries its credit.
    advance(&client, "2025-05-01").await;
    assert_eq!(
        lines(&invoices(&client, id).await[1]),
        vec![("plan".into(), "30.00".into()), ("proration".into(), "-5.00".into())]
    );
    assert_eq!(locked(&client, id).await, vec![json!(true)]);
    let before = (subscription(&client, id).await, crate::helpers::count_rows(&app, "event").await);
    let err = client.err("subscription.deletepause", json!({"DATA": {"PAUSE_ID": pause["PAUSE_ID"]}})).await;
    assert_eq!((err.code, err.tag()), (1009, Some("PAUSE_ID")));
    assert_eq!((subscription(&client, id).await, crate::helpers::count_rows(&app, "event").await), before);
    advance(&client, "2025-06-01").await;
    assert_eq!(lines(&invoices(&client, id).await[2]), vec![("plan".into(), "30.00".into())], "credited once");
}

#[tokio::test]
async fn a_pause_that_ended_before_the_run_invoicing_its_credit_cannot_be_deleted() {
    let app = spawn_app().await;
    let (client, id) = monthly(&app, "2025-04-01").await;
    let pause = short_april_pause(&client, id).await;
    // Runs inside the pause, after it, then at the boundary that invoices its credit.
    for now in ["2025-04-12", "2025-04-20", "2025-05-01"] {
        advance(&client, now).await;
    }
    assert_eq!(
        lines(&invoices(&client, id).await[1]),
        vec![("plan".into(), "30.00".into()), ("proration".into(), "-5.00".into())]
    );
    assert_eq!(locked(&client, id).await, vec![json!(true)], "its credit is on the May invoice");
    let err = client.err("subscription.deletepause", json!({"DATA": {"PAUSE_ID": pause["PAUSE_ID"]}})).await;
    assert_eq!((err.code, err.tag()), (1009, Some("PAUSE_ID")));
}

#[tokio::test]
async fn a_pause_of_one_cycle_from_the_start_of_a_billed_period_frees_that_period_only() {
    let app = spawn_app().await;
    let (client, id) = monthly(&app, "2025-01-01").await;
    // January is billed at creation; the pause starts with it.
    let answer = client.ok("subscription.pause", json!({"DATA": {"SUBSCRIPTION_ID": id, "CYCLES": 1}})).await;
    assert_eq!(
        (answer["START_DATE"].clone(), answer["END_DATE"].clone()),
        (json!("2025-01-01 00:00:00"), json!("2025-02-01 00:00:00"))
    );
    advance(&client, "2025-02-01").await;
    assert_eq!(starts(&invoices(&client, id).await), vec!["2025-01-01 00:00:00", "2025-02-01 00:00:00"]);
}
