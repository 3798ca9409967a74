//! Several gateways over one PostgreSQL database (API.md section 12): every process runs the
//! delivery worker, endpoints are claimed with `FOR UPDATE SKIP LOCKED`, so each event reaches the
//! endpoint exactly once per attempt, and every event is delivered, once. Events are written
//! through all of them at once; the receiver fails the first requests, so retries (made due by
//! `billing.run` on one of them while the others' workers compete) are counted too.
//! On SQLite (one writing process) this is skipped, visibly.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::helpers::{Client, count_rows, on_postgres, skip, spawn_app};
use crate::served::Served;
use crate::webhooks::receiver::Receiver;
use crate::webhooks::{START, arrived, msg_id};

const EVENTS: usize = 60;
const FAILURES: usize = 15;

/// Creates `n` customers through `client`.
async fn customers(client: Client, n: usize) {
    for i in 0..n {
        client.ok("customer.create", json!({"DATA": {"LAST_NAME": format!("Kundin {i}")}})).await;
    }
}

/// The deliveries once none is pending (waits up to 30 s).
async fn settled(client: &Client, id: i64) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let found = deliveries_all(client, id).await;
        let attempted = found.iter().all(|d| d["ATTEMPTS"].as_array().is_some_and(|a| !a.is_empty()));
        if (found.len() == EVENTS && attempted) || Instant::now() > deadline {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn three_gateways_on_postgres_deliver_every_event_once_per_attempt_and_once_in_all() {
    let test = "three_gateways_on_postgres_deliver_every_event_once_per_attempt_and_once_in_all";
    if !on_postgres() {
        return skip(test, "needs PostgreSQL (several writing processes)");
    }
    let app = spawn_app().await;
    let tenant = app.test_tenant("shop", START).await;
    let local = app.client(&tenant.key);
    let created = local.ok("webhook.create", json!({"DATA": {"URL": "http://127.0.0.1:9/later"}})).await;
    let id = created["WEBHOOK_ID"].as_i64().expect("WEBHOOK_ID");
    let Some(receiver) =
        Receiver::start(test, created["SECRET"].as_str().expect("SECRET"), &["--fail-first", &FAILURES.to_string()])
    else {
        return;
    };
    local.ok("webhook.update", json!({"DATA": {"WEBHOOK_ID": id, "URL": receiver.url("/hook")}})).await;
    let (b, c) = (Served::start(&app, &[]), Served::start(&app, &[]));
    let clients = [local.clone(), b.client(&tenant.key), c.client(&tenant.key)];
    let writers = clients.clone().map(|client| tokio::spawn(customers(client, EVENTS / 3)));
    for writer in writers {
        writer.await.expect("writer");
    }
    let first = settled(&local, id).await;
    assert_eq!(first.len(), EVENTS, "one delivery per event");
    // The failed first attempts are due 5 s (+ jitter) later by the tenant's clock.
    clients[1].ok("billing.run", json!({"DATA": {"NOW": "2026-05-01 08:01:00"}})).await;
    let listed = deliveries_all(&local, id).await;
    let statuses: Vec<&str> = listed.iter().filter_map(|d| d["STATUS"].as_str()).collect();
    assert!(statuses.iter().all(|s| *s == "delivered"), "{statuses:?}");

    let got = arrived(&receiver);
    let mut by_id: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for request in &got {
        assert_eq!(request["verified"], true, "{request}");
        let entry = by_id.entry(msg_id(request).to_owned()).or_default();
        entry.0 += 1;
        entry.1 += usize::from(request["status"] == 200);
    }
    assert_eq!(by_id.len(), EVENTS, "every event arrived");
    assert!(by_id.values().all(|(_, ok)| *ok == 1), "each event answered 200 exactly once: {by_id:?}");
    assert_eq!(got.len(), EVENTS + FAILURES, "one request per attempt, nothing sent twice");
    for delivery in &listed {
        let requests = by_id.get(&format!("evt_{}", delivery["EVENT_ID"])).map_or(0, |(n, _)| *n);
        let attempts = delivery["ATTEMPTS"].as_array().map_or(0, Vec::len);
        assert_eq!(requests, attempts, "requests and recorded attempts agree: {delivery}");
    }
    assert_eq!(count_rows(&app, "webhook_attempt").await, i64::try_from(EVENTS + FAILURES).unwrap_or(0));
}

/// All deliveries of the endpoint (more than the default page).
async fn deliveries_all(client: &Client, id: i64) -> Vec<Value> {
    let found = client.ok("webhook.getdeliveries", json!({"FILTER": {"WEBHOOK_ID": id}, "LIMIT": 1000})).await;
    found["DELIVERIES"].as_array().cloned().unwrap_or_default()
}
