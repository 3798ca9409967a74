//! Several attempts to one endpoint at once (`webhooks.in_flight`): a slow
//! receiver gets a burst of events in a few of its answer times instead of
//! one answer time per event, every event once and signed; a failing one
//! gets one attempt at a time (`webhooks.rs` pins that order).

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::helpers::{request, spawn_app};
use crate::webhooks::{hooked, msg_id, recorded, requests};

/// Events in the burst, and how long the receiver takes to answer each.
const EVENTS: i64 = 16;
const ANSWER_SECONDS: &str = "0.5";

#[tokio::test]
async fn a_slow_endpoint_gets_several_attempts_at_once_and_every_event_once() {
    let test = "a_slow_endpoint_gets_several_attempts_at_once_and_every_event_once";
    let events = json!({"EVENTS": ["customer.created"]});
    let Some(h) = hooked(test, spawn_app().await, events, &["--delay", ANSWER_SECONDS]).await else { return };
    let calls: Vec<Value> = (0..EVENTS)
        .map(|n| request(n, "customer.create", json!({"DATA": {"LAST_NAME": format!("Kundin {n}")}})))
        .collect();
    let started = Instant::now();
    let answers = h.client.batch(&calls).await;
    assert!(answers.as_array().is_some_and(|a| a.iter().all(|r| r.get("result").is_some())), "{answers}");
    let got = requests(&h.receiver, EVENTS as usize).await;
    let elapsed = started.elapsed();
    assert_eq!(got.len(), EVENTS as usize, "every event arrived");
    // One at a time that is 16 answers of 0.5 s, 8 s; eight at a time about three.
    assert!(elapsed < Duration::from_secs(5), "the burst took {elapsed:?}");
    assert!(got.iter().all(|r| r["verified"] == true && r["status"] == 200));
    let ids: BTreeSet<&str> = got.iter().map(msg_id).collect();
    assert_eq!(ids.len(), EVENTS as usize, "each event once");
    let listed = recorded(&h.client, h.webhook_id, EVENTS as usize).await;
    assert!(listed.iter().all(|d| d["STATUS"] == "delivered"), "{listed:?}");
    let events: BTreeSet<String> = listed.iter().map(|d| format!("evt_{}", d["EVENT_ID"])).collect();
    assert_eq!(events.iter().map(String::as_str).collect::<BTreeSet<_>>(), ids);
}
