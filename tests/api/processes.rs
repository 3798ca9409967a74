//! Real `recur serve` processes: graceful shutdown on SIGTERM, crashes
//! (SIGKILL) in the middle of a billing run and of grouped usage writes, and
//! `recur backup` next to a serving gateway.

use std::collections::HashMap;
use std::time::Duration;

use rust_decimal::Decimal;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::fixtures::{article, customer};
use crate::helpers::{TestApp, count_rows, request, spawn_app_with};
use crate::served::Served;

/// Subscriptions seeded for the crash and shutdown runs; each has 12 periods
/// billed by the end, the first when it is created.
const SUBSCRIPTIONS: i64 = 300;
const PERIODS: i64 = 12;
/// What a run to 2024-12-01 bills.
const DUE: i64 = SUBSCRIPTIONS * (PERIODS - 1);

/// A test tenant with `SUBSCRIPTIONS` monthly subscriptions from 2024-01-01.
async fn seed(app: &TestApp) -> String {
    let tenant = app.test_tenant("shop", "2024-01-01").await;
    let client = app.client(&tenant.key);
    article(&client, "P", "9.99", "19", json!({})).await;
    let customer = customer(&client).await;
    for first in (0..SUBSCRIPTIONS).step_by(100) {
        let entries: Vec<Value> = (first..(first + 100).min(SUBSCRIPTIONS))
            .map(|n| {
                request(n, "subscription.create", json!({"DATA": {"CUSTOMER_ID": customer, "ARTICLE_NUMBER": "P"}}))
            })
            .collect();
        let answers = client.batch(&entries).await;
        assert!(answers.as_array().is_some_and(|a| a.iter().all(|r| r.get("result").is_some())), "{answers}");
    }
    tenant.key
}

/// The in-process gateway that seeds and inspects the database, with no
/// background writer of its own: SQLite has one writing process at a time,
/// and the process under test is the `recur serve` child.
async fn quiet_app() -> TestApp {
    spawn_app_with(|s| s.webhooks.worker = false).await
}

/// Waits until the run has committed invoices (it is under way).
async fn wait_for_invoices(app: &TestApp) {
    for _ in 0..2000 {
        if count_rows(app, "invoice").await > SUBSCRIPTIONS {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("no invoice appeared");
}

async fn query(app: &TestApp, sql: &str) -> Vec<sea_orm::QueryResult> {
    let db = &app.state.db.read;
    db.query_all(Statement::from_string(db.get_database_backend(), sql.to_owned())).await.expect(sql)
}

/// Every due period billed once, numbers gapless, every invoice's totals consistent.
async fn assert_billed_exactly_once(app: &TestApp) {
    let twice =
        query(app, "SELECT subscription_id FROM invoice GROUP BY subscription_id, billed_period HAVING COUNT(*) > 1")
            .await;
    assert!(twice.is_empty(), "periods billed twice");
    assert_eq!(count_rows(app, "invoice").await, SUBSCRIPTIONS * PERIODS, "every due period billed");
    let rows = query(app, "SELECT invoice_number, sub_total, vat_total, total FROM invoice").await;
    let mut numbers: Vec<String> = Vec::new();
    for row in rows {
        let number: String = row.try_get("", "invoice_number").expect("number");
        let amount = |c: &str| -> Decimal { row.try_get::<String>("", c).expect(c).parse().expect("decimal") };
        assert_eq!(amount("total"), amount("sub_total") + amount("vat_total"), "{number}");
        numbers.push(number);
    }
    numbers.sort();
    let expected: Vec<String> = (1..=SUBSCRIPTIONS * PERIODS).map(|n| format!("RE-2024-{n:05}")).collect();
    assert_eq!(numbers, expected, "gapless numbers");
}

#[tokio::test]
async fn sigterm_answers_the_billing_run_in_flight_then_exits_0() {
    let app = quiet_app().await;
    let key = seed(&app).await;
    let served = Served::start(&app, &[("RECUR__BILLING__CHUNK_SIZE", "10")]);
    let client = served.client(&key);
    let call = tokio::spawn(async move { client.call("billing.run", json!({"DATA": {"NOW": "2024-12-01"}})).await });
    wait_for_invoices(&app).await;
    served.terminate();
    let answer = call.await.expect("task");
    let answer = answer.unwrap_or_else(|e| panic!("the call in flight failed: {e:?}; log: {:?}", served.errors()));
    assert_eq!(answer["INVOICES_CREATED"], DUE);
    let mut served = served;
    assert_eq!(served.wait_exit(Duration::from_secs(30)), Some(0), "exit status within server.shutdown_seconds");
    assert!(served.logged("recur gateway stopped"));
    assert_billed_exactly_once(&app).await;
}

#[tokio::test]
async fn a_billing_run_killed_midway_bills_every_period_once_after_a_restart() {
    let app = quiet_app().await;
    let key = seed(&app).await;
    let first = Served::start(&app, &[("RECUR__BILLING__CHUNK_SIZE", "10")]);
    let client = first.client(&key);
    let call = tokio::spawn(async move { client.reach("billing.run", json!({"DATA": {"NOW": "2024-12-01"}})).await });
    wait_for_invoices(&app).await;
    first.crash();
    assert!(call.await.expect("task").is_none(), "the killed run never answered");
    let billed = count_rows(&app, "invoice").await - SUBSCRIPTIONS;
    assert!(billed < DUE, "killed before the run was done ({billed})");

    let second = Served::start(&app, &[]);
    let rest = second.client(&key).ok("billing.run", json!({"DATA": {"NOW": "2024-12-01"}})).await;
    assert_eq!(rest["INVOICES_CREATED"], DUE - billed);
    assert_billed_exactly_once(&app).await;
}

/// Books usage from 8 callers until `served` is killed, which happens once
/// `kill_after` bookings were answered; the descriptions answered with success.
async fn book_until_killed(served: Served, key: &str, subscription: i64, kill_after: usize) -> Vec<String> {
    let answered = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let callers: Vec<_> = (0..8)
        .map(|caller| {
            let (client, answered) = (served.client(key), answered.clone());
            tokio::spawn(async move {
                for n in 0.. {
                    let description = format!("c{caller}-{n}");
                    let data = json!({"SUBSCRIPTION_ID": subscription, "ARTICLE_NUMBER": "CALL", "QUANTITY": "1.5", "DESCRIPTION": description});
                    match client.reach("subscription.setusagedata", json!({ "DATA": data })).await {
                        Some(Ok(_)) => answered.lock().expect("lock").push(description),
                        Some(Err(err)) => panic!("booking refused: {err:?}"),
                        None => return,
                    }
                }
            })
        })
        .collect();
    for _ in 0..6000 {
        if answered.lock().expect("lock").len() >= kill_after {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    served.crash();
    futures::future::join_all(callers).await;
    answered.lock().expect("lock").clone()
}

#[tokio::test]
async fn grouped_usage_bookings_answered_before_a_crash_are_stored_once() {
    let app = quiet_app().await;
    let tenant = app.test_tenant("meter", "2024-01-01").await;
    let setup = app.client(&tenant.key);
    article(&setup, "P", "10", "19", json!({})).await;
    article(&setup, "CALL", "0.01", "19", json!({"IS_ADDON": true})).await;
    let customer = customer(&setup).await;
    let created =
        setup.ok("subscription.create", json!({"DATA": {"CUSTOMER_ID": customer, "ARTICLE_NUMBER": "P"}})).await;
    let subscription = created["SUBSCRIPTION_ID"].as_i64().expect("id");
    let served = Served::start(&app, &[]);
    let answered = book_until_killed(served, &tenant.key, subscription, 200).await;
    assert!(answered.len() >= 200, "only {} bookings answered", answered.len());
    let stored = query(&app, "SELECT description FROM usage_record").await;
    let mut counts: HashMap<String, usize> = HashMap::new();
    for row in stored {
        *counts.entry(row.try_get("", "description").expect("description")).or_default() += 1;
    }
    assert!(counts.values().all(|&n| n == 1), "a booking stored twice");
    let lost: Vec<&String> = answered.iter().filter(|d| !counts.contains_key(*d)).collect();
    assert!(lost.is_empty(), "answered but not stored: {lost:?}");
}
