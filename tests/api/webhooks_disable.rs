//! The 5-day rule (API.md section 12): an endpoint whose deliveries have all failed for 5 days is
//! disabled (`webhook.disabled` in the tenant's timeline), driven by a test tenant's clock through
//! the real retry schedule (each step moves the clock to the delivery's NEXT_ATTEMPT with
//! `billing.run`, which makes the attempts due by then before it answers). A delivery in between
//! clears the failing streak; `webhook.update` ENABLED true re-enables and starts a new streak.

use chrono::{NaiveDateTime, TimeDelta};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::helpers::{Client, TestApp, count_rows, spawn_app};
use crate::webhooks::receiver::Receiver;
use crate::webhooks::{Hooked, START, deliveries, hooked, recorded, requests};

const FORMAT: &str = "%Y-%m-%d %H:%M:%S";

fn at(text: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(text, FORMAT).unwrap_or_else(|e| panic!("{text}: {e}"))
}

async fn run_at(client: &Client, now: NaiveDateTime) {
    client.ok("billing.run", json!({"DATA": {"NOW": now.format(FORMAT).to_string()}})).await;
}

async fn customer(client: &Client) {
    client.ok("customer.create", json!({"DATA": {"LAST_NAME": "Kundin"}})).await;
}

/// The endpoint's (ENABLED, DISABLED_REASON).
async fn state(client: &Client, id: i64) -> (Value, Value) {
    let hook = &client.ok("webhook.get", json!({"FILTER": {"WEBHOOK_ID": id}})).await["WEBHOOKS"][0];
    (hook["ENABLED"].clone(), hook["DISABLED_REASON"].clone())
}

/// Follows delivery `index`'s NEXT_ATTEMPT (a second past it: the wire shows whole seconds, the
/// jitter has milliseconds) while it is pending and the next attempt is before `until`; answers the
/// delivery as it then is.
async fn follow(client: &Client, id: i64, index: usize, until: NaiveDateTime) -> Value {
    loop {
        let delivery = deliveries(client, id).await[index].clone();
        let next = delivery["NEXT_ATTEMPT"].as_str().map(at);
        match next {
            Some(next) if delivery["STATUS"] == "pending" && next < until => {
                run_at(client, next + TimeDelta::seconds(1)).await;
            }
            _ => return delivery,
        }
    }
}

/// The tenant's `webhook.disabled` timeline events (no method reads the tenant's timeline yet).
async fn disabled_events(app: &TestApp) -> i64 {
    let db = &app.state.db.read;
    let sql = "SELECT COUNT(*) FROM event WHERE event_type = 'webhook.disabled' AND subject = 'webhook'";
    let row = db.query_one(Statement::from_string(db.get_database_backend(), sql)).await.expect("query").expect("row");
    row.try_get_by_index::<i64>(0).expect("count")
}

#[tokio::test]
async fn an_endpoint_failing_for_five_days_of_the_tenants_clock_is_disabled_and_update_re_enables_it() {
    let test = "an_endpoint_failing_for_five_days_of_the_tenants_clock_is_disabled_and_update_re_enables_it";
    let Some(h) = hooked(test, spawn_app().await, json!({}), &["--status", "500"]).await else { return };
    let (client, id) = (&h.client, h.webhook_id);
    let start = at(START);
    let five_days = start + TimeDelta::days(5);
    customer(client).await;
    recorded(client, id, 1).await;
    // The first event runs through its whole schedule: 10 attempts over about 3.2 days, then failed.
    let first = follow(client, id, 0, five_days).await;
    assert_eq!((first["STATUS"].as_str(), first["ATTEMPTS"].as_array().map(Vec::len)), (Some("failed"), Some(10)));
    let last = at(first["ATTEMPTS"][9]["AT"].as_str().expect("AT"));
    assert!(last > start + TimeDelta::hours(75) && last < start + TimeDelta::days(4), "{first}");
    assert_eq!(state(client, id).await, (json!(true), Value::Null), "3 days of failures are not 5");
    // A second event a day before the fifth: still failing since the first attempt.
    run_at(client, five_days - TimeDelta::hours(1)).await;
    customer(client).await;
    recorded(client, id, 11).await;
    let second = follow(client, id, 1, five_days).await;
    assert_eq!(second["STATUS"], "pending");
    assert_eq!(state(client, id).await.0, json!(true), "4 days 23 hours of failures");
    assert_eq!(disabled_events(&h._app).await, 0);
    // The first attempt at or after START + 5 days fails too, and disables the endpoint.
    let next = at(second["NEXT_ATTEMPT"].as_str().expect("NEXT_ATTEMPT"));
    assert!(next >= five_days, "{second}");
    run_at(client, next + TimeDelta::seconds(1)).await;
    let reason = json!("every attempt failed for 5 days");
    assert_eq!(state(client, id).await, (json!(false), reason));
    assert_eq!(disabled_events(&h._app).await, 1);
    let listed = deliveries(client, id).await;
    assert_eq!((listed[1]["STATUS"].as_str(), listed[1]["NEXT_ATTEMPT"].clone()), (Some("skipped"), Value::Null));
    let sent = h.receiver.logged().len();
    assert_eq!(sent, 15, "10 attempts, then the second event's at 0 s, 5 s, 5 min, 30 min and the one past 5 days");
    // While disabled: a skipped delivery and no request, however far the clock moves.
    customer(client).await;
    run_at(client, next + TimeDelta::days(2)).await;
    let listed = deliveries(client, id).await;
    assert_eq!((listed.len(), listed[2]["STATUS"].as_str()), (3, Some("skipped")));
    assert_eq!(h.receiver.logged().len(), sent);
    assert_eq!(count_rows(&h._app, "webhook_attempt").await, 15);
    re_enabled(&h, test, next + TimeDelta::days(2)).await;
}

/// Re-enabled at `now` (the endpoint disabled, 3 deliveries so far): the streak starts anew, so one
/// more failure does not disable it again, and once the receiver answers the retry is delivered.
async fn re_enabled(h: &Hooked, test: &str, now: NaiveDateTime) {
    let (client, id) = (&h.client, h.webhook_id);
    client.ok("webhook.update", json!({"DATA": {"WEBHOOK_ID": id, "ENABLED": true}})).await;
    assert_eq!(state(client, id).await, (json!(true), Value::Null));
    customer(client).await;
    recorded(client, id, 16).await;
    assert_eq!(state(client, id).await.0, json!(true), "a new streak after re-enabling");
    // ... and once the receiver answers, the retry is delivered.
    let Some(healthy) = Receiver::start(test, &h.secret, &[]) else { return };
    client.ok("webhook.update", json!({"DATA": {"WEBHOOK_ID": id, "URL": healthy.url("/hook")}})).await;
    let fourth = follow(client, id, 3, now + TimeDelta::days(30)).await;
    assert_eq!(fourth["STATUS"], "delivered", "{fourth}");
    let got = requests(&healthy, 1).await;
    assert_eq!((got.len(), got[0]["verified"].clone()), (1, json!(true)));
    assert_eq!(disabled_events(&h._app).await, 1);
}
