//! Concurrent writes on one object (issue 17): several calls that change the
//! same subscription at once, and changes racing a billing run.
//!
//! Each scenario is one function, asserting what must hold whatever order the
//! calls take effect in. `concurrency.rs` runs them on SQLite, whose single
//! writer serializes them today; the tests here run them on whatever backend
//! the suite uses and are the PostgreSQL assertions. The ones that fail on
//! PostgreSQL today are ignored with the reason, to be un-ignored by the fix
//! of issue 17 (`cargo nextest run --test api races --run-ignored all` with
//! `RECUR_TEST_DATABASE_URL` set runs them).

use futures::future::join_all;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::fixtures::{advance, article, customer, invoices, lines, subscribe, subscription};
use crate::helpers::{Client, RpcError, TestApp};

/// Concurrent calls per scenario.
const CALLS: usize = 10;

/// A test tenant on 2025-04-01 with plans S 30.00, L 60.00, XL 90.00 (19 %),
/// add-ons ONCE (6.00, once only) and SEAT (6.00, multiples); one customer.
async fn shop(app: &TestApp) -> (Client, i64) {
    let t = app.test_tenant("shop", "2025-04-01").await;
    let client = app.client(&t.key);
    for (number, price) in [("S", "30.00"), ("L", "60.00"), ("XL", "90.00")] {
        article(&client, number, price, "19", json!({})).await;
    }
    article(&client, "ONCE", "6.00", "19", json!({"IS_ADDON": true})).await;
    article(&client, "SEAT", "6.00", "19", json!({"IS_ADDON": true, "ALLOW_MULTIPLE": true})).await;
    let c = customer(&client).await;
    (client, c)
}

async fn all_at_once(client: &Client, method: &str, params: Value, n: usize) -> Vec<Result<Value, RpcError>> {
    join_all((0..n).map(|_| client.call(method, params.clone()))).await
}

fn successes(results: &[Result<Value, RpcError>]) -> usize {
    results.iter().filter(|r| r.is_ok()).count()
}

fn refusals_are(results: &[Result<Value, RpcError>], code: i32) {
    for r in results {
        if let Err(e) = r {
            assert_eq!(e.code, code, "only {code} may refuse: {e:?}");
        }
    }
}

fn money(v: &Value) -> Decimal {
    v.as_str().and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("not a decimal string: {v}"))
}

/// Ten `changequantity` 1 -> 2 on one subscription, ten days into a paid
/// 30.00 period (April, 30 days): one proration invoice, credit
/// -round(30.00 x 20/30) = -20.00 and charge round(60.00 x 20/30) = 40.00.
pub async fn concurrent_quantity_increases_issue_one_proration_invoice(app: &TestApp) {
    let (client, c) = shop(app).await;
    let id = subscribe(&client, c, "S", json!({})).await["SUBSCRIPTION_ID"].as_i64().expect("id");
    advance(&client, "2025-04-11").await;
    let params = json!({"DATA": {"SUBSCRIPTION_ID": id, "ARTICLE_NUMBER": "S", "QUANTITY": 2}});
    let results = all_at_once(&client, "subscription.changequantity", params, CALLS).await;
    refusals_are(&results, 1011);
    let all = invoices(&client, id).await;
    assert_eq!(all.len(), 2, "the first period and ONE proration invoice: {all:?}");
    let pair = |k: &str, n: &str| (k.to_owned(), n.to_owned());
    assert_eq!(lines(&all[1]), vec![pair("proration", "-20.00"), pair("proration", "40.00")]);
    assert_eq!(subscription(&client, id).await["QUANTITY"], "2");
}

/// Ten `setaddon` of a once-only add-on at once, half-way through April
/// (15 of 30 days): one succeeds with one proration line round(6.00 x 15/30)
/// = 3.00, the others answer 1009, one add-on is stored.
pub async fn concurrent_once_only_add_ons_are_booked_once(app: &TestApp) {
    let (client, c) = shop(app).await;
    let id = subscribe(&client, c, "S", json!({})).await["SUBSCRIPTION_ID"].as_i64().expect("id");
    advance(&client, "2025-04-16").await;
    let params = json!({"DATA": {"SUBSCRIPTION_ID": id, "ARTICLE_NUMBER": "ONCE"}});
    let results = all_at_once(&client, "subscription.setaddon", params, CALLS).await;
    assert_eq!(successes(&results), 1, "{results:?}");
    refusals_are(&results, 1009);
    let sub = subscription(&client, id).await;
    assert_eq!(sub["ADDONS"].as_array().map(Vec::len), Some(1), "{sub}");
    assert_eq!(sub["ADDONS"][0]["QUANTITY"], "1");
    let all = invoices(&client, id).await;
    assert_eq!(all.len(), 2, "{all:?}");
    assert_eq!(lines(&all[1]), vec![("proration".to_owned(), "3.00".to_owned())]);
}

/// Ten `setaddon` of one seat each at once (multiples allowed), on April 16:
/// ten seats, and the prorated charges add up to 10 x 3.00 = 30.00 whatever
/// the order (each step credits the seats before it and charges one more).
pub async fn concurrent_seat_bookings_all_count(app: &TestApp) {
    let (client, c) = shop(app).await;
    let id = subscribe(&client, c, "S", json!({})).await["SUBSCRIPTION_ID"].as_i64().expect("id");
    advance(&client, "2025-04-16").await;
    let params = json!({"DATA": {"SUBSCRIPTION_ID": id, "ARTICLE_NUMBER": "SEAT"}});
    let results = all_at_once(&client, "subscription.setaddon", params, CALLS).await;
    assert_eq!(successes(&results), CALLS, "{results:?}");
    assert_eq!(subscription(&client, id).await["ADDONS"][0]["QUANTITY"], "10");
    let all = invoices(&client, id).await;
    let prorated: Decimal = all[1..].iter().map(|i| money(&i["SUB_TOTAL"])).sum();
    assert_eq!(prorated.to_string(), "30.00", "{all:?}");
}

/// Twenty `subscription.update` with the same HASH: exactly one wins, the
/// others answer 1009 naming HASH.
pub async fn concurrent_updates_with_one_hash_have_one_winner(app: &TestApp) {
    let (client, c) = shop(app).await;
    let created = subscribe(&client, c, "S", json!({})).await;
    let id = created["SUBSCRIPTION_ID"].as_i64().expect("id");
    let calls = (0..20).map(|i| {
        let params = json!({"DATA": {"SUBSCRIPTION_ID": id, "X_ATTRIBUTES": {"writer": i.to_string()}, "HASH": created["HASH"]}});
        let client = client.clone();
        async move { client.call("subscription.update", params).await }
    });
    let results = join_all(calls).await;
    assert_eq!(successes(&results), 1, "{results:?}");
    for r in &results {
        if let Err(e) = r {
            assert_eq!((e.code, e.tag()), (1009, Some("HASH")), "{e:?}");
        }
    }
}

/// Ten `subscription.terminate` at once: one closes it, the others answer 1009;
/// the timeline holds one `subscription.terminated`.
pub async fn concurrent_terminates_close_once(app: &TestApp) {
    let (client, c) = shop(app).await;
    let id = subscribe(&client, c, "S", json!({})).await["SUBSCRIPTION_ID"].as_i64().expect("id");
    advance(&client, "2025-04-11").await;
    let params = json!({"DATA": {"SUBSCRIPTION_ID": id, "CREDIT_UNUSED": true}});
    let results = all_at_once(&client, "subscription.terminate", params, CALLS).await;
    assert_eq!(successes(&results), 1, "{results:?}");
    refusals_are(&results, 1009);
    let timeline =
        client.ok("subscription.gettimeline", json!({"FILTER": {"SUBSCRIPTION_ID": id}, "LIMIT": 100})).await;
    let terminated = timeline.to_string().matches("\"subscription.terminated\"").count();
    assert_eq!(terminated, 1, "{timeline}");
    let credits = invoices(&client, id).await.iter().filter(|i| i["TYPE"] == "credit").count();
    assert_eq!(credits, 1, "the unused days are credited once");
}

/// Ten identical `subscription.pause` at once: pauses may not overlap, so one
/// is stored and the others answer 1009.
pub async fn concurrent_identical_pauses_store_one(app: &TestApp) {
    let (client, c) = shop(app).await;
    let id = subscribe(&client, c, "S", json!({})).await["SUBSCRIPTION_ID"].as_i64().expect("id");
    let params = json!({"DATA": {"SUBSCRIPTION_ID": id, "START_DATE": "2025-05-01", "CYCLES": 1}});
    let results = all_at_once(&client, "subscription.pause", params, CALLS).await;
    assert_eq!(successes(&results), 1, "{results:?}");
    refusals_are(&results, 1009);
    let pauses = client.ok("subscription.getpauses", json!({"FILTER": {"SUBSCRIPTION_ID": id}})).await;
    assert_eq!(pauses["PAUSES"].as_array().map(Vec::len), Some(1), "{pauses}");
}

/// Two different upgrades of one subscription at once, on April 11 (20 of
/// 30 days left). In either order the period's proration nets come to 40.00:
/// S -> L (-20.00 + 40.00) then L -> XL (-40.00 + 60.00), or S -> XL
/// (-20.00 + 60.00) with L then a scheduled downgrade. Both computing from S
/// would credit S twice (60.00).
pub async fn two_upgrades_at_once_credit_the_old_plan_once(app: &TestApp) {
    let (client, c) = shop(app).await;
    let id = subscribe(&client, c, "S", json!({})).await["SUBSCRIPTION_ID"].as_i64().expect("id");
    advance(&client, "2025-04-11").await;
    let change = |to: &'static str| {
        let client = client.clone();
        async move {
            client
                .call("subscription.changearticle", json!({"DATA": {"SUBSCRIPTION_ID": id, "ARTICLE_NUMBER": to}}))
                .await
        }
    };
    let (l, xl) = futures::join!(change("L"), change("XL"));
    assert!(l.is_ok() && xl.is_ok(), "{l:?} {xl:?}");
    let all = invoices(&client, id).await;
    let prorated: Decimal = all[1..].iter().map(|i| money(&i["SUB_TOTAL"])).sum();
    assert_eq!(prorated.to_string(), "40.00", "{all:?}");
    let s_credits = all.iter().flat_map(lines).filter(|(_, net)| net == "-20.00").count();
    assert_eq!(s_credits, 1, "S is credited once");
    assert_eq!(subscription(&client, id).await["ARTICLE_NUMBER"], "XL");
}

/// Eight subscriptions to S (30.00) on April 30 at noon; a billing run to
/// May 1 races an upgrade to L (60.00) of each. Whichever comes first, May
/// costs exactly 60.00: the May invoice at L, or the May invoice at S plus a
/// whole-period upgrade (-30.00 + 60.00) dated May 1. The upgrade is never
/// lost and no period is billed twice.
pub async fn upgrades_racing_a_billing_run_are_billed_once_and_in_full(app: &TestApp) {
    let t = app.test_tenant("shop", "2025-04-01").await;
    let client = app.client(&t.key);
    article(&client, "S", "30.00", "0", json!({})).await;
    article(&client, "L", "60.00", "0", json!({})).await;
    let c = customer(&client).await;
    let mut ids = Vec::new();
    for _ in 0..8 {
        ids.push(subscribe(&client, c, "S", json!({})).await["SUBSCRIPTION_ID"].as_i64().expect("id"));
    }
    advance(&client, "2025-04-30 12:00:00").await;
    let run = client.call("billing.run", json!({"DATA": {"NOW": "2025-05-01"}}));
    let changes = join_all(ids.iter().map(|id| {
        client.call("subscription.changearticle", json!({"DATA": {"SUBSCRIPTION_ID": id, "ARTICLE_NUMBER": "L"}}))
    }));
    let (run, changes) = futures::join!(run, changes);
    run.expect("the run succeeds");
    for r in &changes {
        assert!(r.is_ok(), "{r:?}");
    }
    advance(&client, "2025-05-01").await;
    for id in ids {
        let all = invoices(&client, id).await;
        let may: Vec<&Value> =
            all.iter().filter(|i| i["PERIOD_START"].as_str().is_some_and(|s| s >= "2025-05-01")).collect();
        let regular = may.iter().filter(|i| lines(i).iter().any(|(k, _)| k == "plan")).count();
        assert_eq!(regular, 1, "May is billed once: {all:?}");
        let paid: Decimal = may.iter().map(|i| money(&i["SUB_TOTAL"])).sum();
        assert_eq!(paid.to_string(), "60.00", "May costs 60.00 at L: {all:?}");
        assert_eq!(subscription(&client, id).await["ARTICLE_NUMBER"], "L");
    }
}

/// Two `billing.run` at once over 20 monthly subscriptions five periods
/// behind: whichever answers first, every due period is billed by then.
pub async fn a_billing_run_answers_after_everything_due_is_billed(app: &TestApp) {
    let t = app.test_tenant("shop", "2024-01-01").await;
    let client = app.client(&t.key);
    article(&client, "M", "5.00", "19", json!({})).await;
    let c = customer(&client).await;
    for _ in 0..20 {
        subscribe(&client, c, "M", json!({})).await;
    }
    let count = || async {
        let all = client.ok("invoice.get", json!({"LIMIT": 1000})).await;
        all["INVOICES"].as_array().map_or(0, Vec::len)
    };
    let mut runs: futures::stream::FuturesUnordered<_> =
        (0..2).map(|_| client.call("billing.run", json!({"DATA": {"NOW": "2024-06-01"}}))).collect();
    use futures::StreamExt;
    while let Some(answer) = runs.next().await {
        answer.expect("the run succeeds");
        assert_eq!(count().await, 20 * 6, "a run answered before every due period was billed");
    }
}

/// Subscriptions in [`usage_deleted_during_a_billing_run_is_billed_or_deleted_never_both`].
const BOOKED: usize = 40;

/// Forty subscriptions (10.00 a month from April 1) with one usage booking
/// each (CALL, 1 x 1.00), billed to May 1 in chunks of four while every
/// booking is deleted at once. On SQLite a chunk is stepped ahead of its write
/// transaction (`billing::chunk::prepare`), so a deletion can fall between
/// the step's read and its flush. Whatever the order: a booking whose
/// deletion answered success is on no invoice, one whose deletion was refused
/// (1009, invoiced) is on exactly one, and every subscription's May is billed
/// once. `app` must bill in chunks of four (`billing.chunk_size`).
pub async fn usage_deleted_during_a_billing_run_is_billed_or_deleted_never_both(app: &TestApp) {
    let t = app.test_tenant("shop", "2025-04-01").await;
    let client = app.client(&t.key);
    article(&client, "P", "10.00", "0", json!({})).await;
    article(&client, "CALL", "1.00", "0", json!({})).await;
    let c = customer(&client).await;
    let mut booked = Vec::new();
    for _ in 0..BOOKED {
        let id = subscribe(&client, c, "P", json!({})).await["SUBSCRIPTION_ID"].as_i64().expect("id");
        let data = json!({"SUBSCRIPTION_ID": id, "ARTICLE_NUMBER": "CALL", "QUANTITY": "1"});
        let booking = client.ok("subscription.setusagedata", json!({ "DATA": data })).await;
        booked.push((id, booking["USAGEDATA_ID"].as_i64().expect("USAGEDATA_ID")));
    }
    advance(&client, "2025-04-30 12:00:00").await;
    let run = client.call("billing.run", json!({"DATA": {"NOW": "2025-05-01"}}));
    let deletions = join_all(
        booked
            .iter()
            .map(|(_, usage)| client.call("subscription.deleteusagedata", json!({"DATA": {"USAGEDATA_ID": usage}}))),
    );
    let (run, deletions) = futures::join!(run, deletions);
    run.expect("the run succeeds");
    advance(&client, "2025-05-01").await;
    for ((id, usage), deleted) in booked.iter().zip(&deletions) {
        let all = invoices(&client, *id).await;
        let may: Vec<&Value> =
            all.iter().filter(|i| i["PERIOD_START"].as_str().is_some_and(|s| s >= "2025-05-01")).collect();
        let regular = may.iter().filter(|i| lines(i).iter().any(|(k, _)| k == "plan")).count();
        assert_eq!(regular, 1, "May is billed once: {all:?}");
        let billed = all.iter().flat_map(lines).filter(|(kind, _)| kind == "usage").count();
        match deleted {
            Ok(_) => assert_eq!(billed, 0, "booking {usage} was deleted, yet billed: {all:?}"),
            Err(e) => {
                assert_eq!(e.code, 1009, "only 'invoiced already' may refuse the deletion: {e:?}");
                assert_eq!(billed, 1, "booking {usage} is invoiced, so billed once: {all:?}");
            }
        }
    }
}

/// Rounds per PostgreSQL test: a race shows up in most rounds, not all.
const ROUNDS: usize = 3;

/// Runs `scenario` on PostgreSQL, `ROUNDS` times on fresh databases; on SQLite
/// it says so and leaves it to `concurrency.rs`.
async fn on_postgres<F: std::future::Future<Output = ()>>(name: &str, scenario: impl Fn(TestApp) -> F) {
    if !crate::helpers::on_postgres() {
        crate::helpers::skip(name, "a PostgreSQL race; concurrency.rs runs this scenario on SQLite");
        return;
    }
    for _ in 0..ROUNDS {
        scenario(crate::helpers::spawn_app().await).await;
    }
}

#[tokio::test]
async fn concurrent_quantity_increases_issue_one_proration_invoice_on_postgres() {
    on_postgres("concurrent_quantity_increases_issue_one_proration_invoice_on_postgres", |app| async move {
        concurrent_quantity_increases_issue_one_proration_invoice(&app).await
    })
    .await;
}

#[tokio::test]
async fn concurrent_once_only_add_ons_are_booked_once_on_postgres() {
    on_postgres("concurrent_once_only_add_ons_are_booked_once_on_postgres", |app| async move {
        concurrent_once_only_add_ons_are_booked_once(&app).await
    })
    .await;
}

#[tokio::test]
async fn concurrent_seat_bookings_all_count_on_postgres() {
    on_postgres("concurrent_seat_bookings_all_count_on_postgres", |app| async move {
        concurrent_seat_bookings_all_count(&app).await
    })
    .await;
}

#[tokio::test]
async fn concurrent_updates_with_one_hash_have_one_winner_on_postgres() {
    on_postgres("concurrent_updates_with_one_hash_have_one_winner_on_postgres", |app| async move {
        concurrent_updates_with_one_hash_have_one_winner(&app).await
    })
    .await;
}

#[tokio::test]
async fn concurrent_terminates_close_once_on_postgres() {
    on_postgres("concurrent_terminates_close_once_on_postgres", |app| async move {
        concurrent_terminates_close_once(&app).await
    })
    .await;
}

#[tokio::test]
async fn concurrent_identical_pauses_store_one_on_postgres() {
    on_postgres("concurrent_identical_pauses_store_one_on_postgres", |app| async move {
        concurrent_identical_pauses_store_one(&app).await
    })
    .await;
}

#[tokio::test]
async fn two_upgrades_at_once_credit_the_old_plan_once_on_postgres() {
    on_postgres("two_upgrades_at_once_credit_the_old_plan_once_on_postgres", |app| async move {
        two_upgrades_at_once_credit_the_old_plan_once(&app).await
    })
    .await;
}

#[tokio::test]
async fn upgrades_racing_a_billing_run_are_billed_once_and_in_full_on_postgres() {
    on_postgres("upgrades_racing_a_billing_run_are_billed_once_and_in_full_on_postgres", |app| async move {
        upgrades_racing_a_billing_run_are_billed_once_and_in_full(&app).await
    })
    .await;
}

#[tokio::test]
async fn a_billing_run_answers_after_everything_due_is_billed_on_postgres() {
    on_postgres("a_billing_run_answers_after_everything_due_is_billed_on_postgres", |app| async move {
        a_billing_run_answers_after_everything_due_is_billed(&app).await
    })
    .await;
}

#[tokio::test]
async fn usage_deleted_during_a_billing_run_is_billed_or_deleted_never_both_on_postgres() {
    let name = "usage_deleted_during_a_billing_run_is_billed_or_deleted_never_both_on_postgres";
    if !crate::helpers::on_postgres() {
        crate::helpers::skip(name, "a PostgreSQL race; concurrency.rs runs this scenario on SQLite");
        return;
    }
    for _ in 0..ROUNDS {
        let app = crate::helpers::spawn_app_with(|s| s.billing.chunk_size = 4).await;
        usage_deleted_during_a_billing_run_is_billed_or_deleted_never_both(&app).await;
    }
}
