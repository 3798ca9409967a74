//! An endpoint's life against the verifying receiver: 410 disables it and
//! later events are skipped, `webhook.redeliver` re-sends (also a skipped
//! delivery), `webhook.test` answers its attempt, and a rotated secret's old
//! signature verifies for 24 h of the tenant's clock and then no longer.

use serde_json::{Value, json};

use crate::helpers::{Client, spawn_app};
use crate::webhooks::{START, deliveries, hooked, msg_id, recorded, requests};
use recur::webhook::{Secret, sign};

async fn customer(client: &Client) -> i64 {
    let created = client.ok("customer.create", json!({"DATA": {"LAST_NAME": "Kundin"}})).await;
    created["CUSTOMER_ID"].as_i64().expect("CUSTOMER_ID")
}

#[tokio::test]
async fn a_410_disables_the_endpoint_later_events_are_skipped_and_redeliver_sends_them_anyway() {
    let test = "a_410_disables_the_endpoint_later_events_are_skipped_and_redeliver_sends_them_anyway";
    let Some(h) = hooked(test, spawn_app().await, json!({}), &["--status", "410"]).await else { return };
    customer(&h.client).await;
    assert_eq!(requests(&h.receiver, 1).await.len(), 1);
    let listed = recorded(&h.client, h.webhook_id, 1).await;
    assert_eq!((listed[0]["STATUS"].as_str(), listed[0]["NEXT_ATTEMPT"].clone()), (Some("failed"), Value::Null));
    assert_eq!(listed[0]["ATTEMPTS"][0]["HTTP_STATUS"], 410);
    let hook = &h.client.ok("webhook.get", json!({})).await["WEBHOOKS"][0];
    assert_eq!(hook["ENABLED"], false);
    assert!(hook["DISABLED_REASON"].as_str().unwrap_or_default().contains("410"), "{hook}");
    let later = customer(&h.client).await;
    // The disabled endpoint gets a skipped delivery and no request.
    let mut skipped = Vec::new();
    for _ in 0..200 {
        skipped = deliveries(&h.client, h.webhook_id).await;
        if skipped.len() == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(skipped[1]["STATUS"], "skipped");
    assert_eq!(skipped[1]["ATTEMPTS"], json!([]));
    assert_eq!(h.receiver.logged().len(), 1);
    let delivery = skipped[1]["DELIVERY_ID"].as_i64().expect("id");
    let answer = h.client.ok("webhook.redeliver", json!({"DATA": {"DELIVERY_ID": delivery}})).await;
    assert_eq!(answer["DELIVERY_IDS"], json!([delivery]));
    let got = requests(&h.receiver, 2).await;
    assert_eq!(got.len(), 2, "redelivered although the endpoint is disabled");
    let body: Value = serde_json::from_str(got[1]["body"].as_str().expect("body")).expect("json");
    assert_eq!(body["data"]["object"]["CUSTOMER_ID"], later);
    assert_eq!(got[1]["verified"], true);
    let err = h.client.err("webhook.redeliver", json!({"DATA": {"DELIVERY_ID": 999_999}})).await;
    assert_eq!((err.code, err.tag()), (1004, Some("DELIVERY_ID")));
    // Re-enabled, new events are delivered again.
    h.client.ok("webhook.update", json!({"DATA": {"WEBHOOK_ID": h.webhook_id, "ENABLED": true}})).await;
    customer(&h.client).await;
    assert_eq!(requests(&h.receiver, 3).await.len(), 3);
}

#[tokio::test]
async fn webhook_test_sends_a_signed_test_event_and_answers_the_attempt() {
    let test = "webhook_test_sends_a_signed_test_event_and_answers_the_attempt";
    let Some(h) = hooked(test, spawn_app().await, json!({"EVENTS": ["invoice.paid"]}), &["--fail-first", "1"]).await
    else {
        return;
    };
    let failed = h.client.ok("webhook.test", json!({"DATA": {"WEBHOOK_ID": h.webhook_id}})).await;
    assert_eq!(failed["HTTP_STATUS"], 500);
    assert!(failed["ERROR"].as_str().unwrap_or_default().starts_with("HTTP 500"), "{failed}");
    let ok = h.client.ok("webhook.test", json!({"DATA": {"WEBHOOK_ID": h.webhook_id}})).await;
    assert_eq!((ok["HTTP_STATUS"].as_i64(), ok["ERROR"].clone()), (Some(200), Value::Null));
    assert!(ok["DURATION_MS"].as_u64().is_some(), "{ok}");
    let got = crate::webhooks::arrived(&h.receiver);
    assert_eq!(got.len(), 2);
    let body: Value = serde_json::from_str(got[1]["body"].as_str().expect("body")).expect("json");
    assert_eq!(body["type"], "webhook.test");
    assert_eq!(body["id"], format!("evt_{}", ok["EVENT_ID"]));
    assert_eq!(body["data"]["object"]["WEBHOOK_ID"], h.webhook_id);
    assert!(got.iter().all(|r| r["verified"] == true));
    let listed = deliveries(&h.client, h.webhook_id).await;
    let statuses: Vec<&str> = listed.iter().filter_map(|d| d["STATUS"].as_str()).collect();
    assert_eq!(statuses, ["failed", "delivered"]);
    let other = h._app.admin().await;
    assert_eq!(other.err("webhook.test", json!({"DATA": {"WEBHOOK_ID": h.webhook_id}})).await.code, 1004);
}

#[tokio::test]
async fn a_rotated_secrets_old_signature_verifies_for_24_hours_of_the_tenants_clock() {
    let test = "a_rotated_secrets_old_signature_verifies_for_24_hours_of_the_tenants_clock";
    let Some(h) = hooked(test, spawn_app().await, json!({}), &[]).await else { return };
    // Each event is awaited before the clock moves: attempts sign by the clock at send time.
    customer(&h.client).await;
    assert_eq!(requests(&h.receiver, 1).await.len(), 1);
    let rotated =
        h.client.ok("webhook.update", json!({"DATA": {"WEBHOOK_ID": h.webhook_id, "ROTATE_SECRET": true}})).await;
    let new = rotated["SECRET"].as_str().expect("new SECRET shown once").to_owned();
    assert_ne!(new, h.secret);
    customer(&h.client).await;
    assert_eq!(requests(&h.receiver, 2).await.len(), 2);
    h.client.ok("billing.run", json!({"DATA": {"NOW": "2026-05-02 07:59:59"}})).await;
    customer(&h.client).await;
    assert_eq!(requests(&h.receiver, 3).await.len(), 3);
    h.client.ok("billing.run", json!({"DATA": {"NOW": "2026-05-02 08:00:00"}})).await;
    customer(&h.client).await;
    let got = requests(&h.receiver, 4).await;
    assert_eq!(got.len(), 4);
    let signatures = |r: &Value| r["headers"]["webhook-signature"].as_str().unwrap_or_default().split(' ').count();
    let new = Secret::parse(&new).expect("whsec_");
    let by_new = |r: &Value| {
        let ts: i64 = r["headers"]["webhook-timestamp"].as_str().and_then(|t| t.parse().ok()).unwrap_or(0);
        let header = r["headers"]["webhook-signature"].as_str().unwrap_or_default();
        sign::verify(&new, msg_id(r), ts, r["body"].as_str().unwrap_or_default().as_bytes(), header)
    };
    // (signatures, verified with the old secret by standardwebhooks, signed by the new one)
    let seen: Vec<(usize, bool, bool)> =
        got.iter().map(|r| (signatures(r), r["verified"] == true, by_new(r))).collect();
    assert_eq!(seen, [(1, true, false), (2, true, true), (2, true, true), (1, false, true)], "rotated at {START}");
}

#[tokio::test]
async fn a_body_over_the_limit_is_sent_thin_with_only_the_objects_id() {
    let test = "a_body_over_the_limit_is_sent_thin_with_only_the_objects_id";
    let app = crate::helpers::spawn_app_with(|s| s.webhooks.max_body_bytes = 2048).await;
    let Some(h) = hooked(test, app, json!({"EVENTS": ["customer.created"]}), &[]).await else { return };
    let small = customer(&h.client).await;
    let comment = "x".repeat(4096);
    let data = json!({"DATA": {"LAST_NAME": "Kundin", "COMMENT": comment}});
    let large = h.client.ok("customer.create", data).await["CUSTOMER_ID"].as_i64().expect("CUSTOMER_ID");
    let got = requests(&h.receiver, 2).await;
    assert!(got.iter().all(|r| r["verified"] == true), "{got:?}");
    let bodies: Vec<Value> =
        got.iter().map(|r| serde_json::from_str(r["body"].as_str().unwrap_or_default()).expect("JSON")).collect();
    assert_eq!(bodies[0]["data"]["object"]["LAST_NAME"], "Kundin", "a small body is sent whole");
    assert_eq!(bodies[0]["data"]["object"]["CUSTOMER_ID"], small);
    assert_eq!(bodies[1]["data"]["object"], json!({"CUSTOMER_ID": large}), "thin: the id only");
    assert_eq!(bodies[1]["type"], "customer.created");
    assert!(got[1]["body"].as_str().map_or(0, str::len) <= 2048);
}

#[tokio::test]
async fn a_slow_endpoint_never_delays_another() {
    let test = "a_slow_endpoint_never_delays_another";
    let events = json!({"EVENTS": ["customer.created"]});
    let Some(slow) = hooked(test, spawn_app().await, events.clone(), &["--delay", "9"]).await else { return };
    let mut data = json!({"URL": "http://127.0.0.1:9/later"});
    data["EVENTS"] = events["EVENTS"].clone();
    let created = slow.client.ok("webhook.create", json!({"DATA": data})).await;
    let Some(fast) = crate::webhooks::receiver::Receiver::start(test, created["SECRET"].as_str().expect("SECRET"), &[])
    else {
        return;
    };
    let update = json!({"WEBHOOK_ID": created["WEBHOOK_ID"], "URL": fast.url("/hook")});
    slow.client.ok("webhook.update", json!({"DATA": update})).await;
    let started = std::time::Instant::now();
    for _ in 0..3 {
        customer(&slow.client).await;
    }
    let got = requests(&fast, 3).await;
    let elapsed = started.elapsed();
    assert_eq!(got.len(), 3);
    assert!(got.iter().all(|r| r["verified"] == true));
    // The slow receiver answers its first request after 9 s; the fast one had all three long before.
    assert!(elapsed < std::time::Duration::from_secs(8), "the fast endpoint waited {elapsed:?}");
    assert!(slow.receiver.logged().is_empty(), "the slow endpoint is still on its first request");
}

#[tokio::test]
async fn events_written_while_no_endpoint_exists_are_passed_over_and_a_new_endpoint_gets_only_later_ones() {
    let test = "events_written_while_no_endpoint_exists_are_passed_over_and_a_new_endpoint_gets_only_later_ones";
    let app = spawn_app().await;
    let other = app.test_tenant("before", crate::webhooks::START).await;
    let before = app.client(&other.key);
    for _ in 0..30 {
        customer(&before).await;
    }
    // Time for the worker to move its cursor over them with no endpoint anywhere.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let Some(h) = hooked(test, app, json!({}), &[]).await else { return };
    let first = customer(&h.client).await;
    customer(&before).await;
    let second = customer(&h.client).await;
    let got = requests(&h.receiver, 2).await;
    let objects: Vec<Value> = got
        .iter()
        .map(|r| serde_json::from_str::<Value>(r["body"].as_str().expect("body")).expect("json"))
        .map(|b| b["data"]["object"]["CUSTOMER_ID"].clone())
        .collect();
    assert_eq!(objects, vec![json!(first), json!(second)]);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(deliveries(&h.client, h.webhook_id).await.len(), 2, "only the endpoint tenant's later events");
}
