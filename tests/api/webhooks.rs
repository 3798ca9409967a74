//! `webhook.*` against a real receiver on 127.0.0.1 that verifies every
//! signature with the official `standardwebhooks` Python package: endpoints,
//! refused input, and signed deliveries with their retry schedule on a test
//! tenant's clock. Shared set-up for the other `webhooks_*` modules.

#[path = "../webhook_client/receiver.rs"]
#[allow(dead_code)]
pub mod receiver;

use std::time::{Duration, Instant};

use receiver::Receiver;
use serde_json::{Value, json};

use crate::helpers::{Client, TestApp, count_rows, spawn_app};

/// A test tenant's clock at the start of every webhook test.
pub const START: &str = "2026-05-01 08:00:00";

/// An app, a test tenant's admin client, an endpoint and its receiver.
pub struct Hooked {
    /// Kept alive for the test.
    pub _app: TestApp,
    pub client: Client,
    pub receiver: Receiver,
    pub webhook_id: i64,
    pub secret: String,
}

/// Creates an endpoint with `create` (URL set for you), starts a receiver
/// verifying with its secret (`args` as `webhook_receiver.py` takes them) and
/// points the endpoint at it. `None` when the tools are missing and skipped.
pub async fn hooked(test: &str, app: TestApp, create: Value, args: &[&str]) -> Option<Hooked> {
    let tenant = app.test_tenant("shop", START).await;
    let client = app.client(&tenant.key);
    let mut data = json!({"URL": "http://127.0.0.1:9/later"});
    if let (Some(d), Some(extra)) = (data.as_object_mut(), create.as_object()) {
        d.extend(extra.clone());
    }
    let created = client.ok("webhook.create", json!({"DATA": data})).await;
    let secret = created["SECRET"].as_str().expect("SECRET").to_owned();
    let webhook_id = created["WEBHOOK_ID"].as_i64().expect("WEBHOOK_ID");
    let receiver = Receiver::start(test, &secret, args)?;
    let url = receiver.url("/hook");
    client.ok("webhook.update", json!({"DATA": {"WEBHOOK_ID": webhook_id, "URL": url}})).await;
    Some(Hooked { _app: app, client, receiver, webhook_id, secret })
}

/// The requests so far in arrival order (the receiver logs after answering,
/// from one thread per request, so its log lines may be out of order).
pub fn arrived(receiver: &Receiver) -> Vec<Value> {
    let mut got = receiver.logged();
    got.sort_by_key(|r| r["n"].as_i64());
    got
}

/// The receiver's requests once there are `n` (waits up to 10 s without blocking the server).
pub async fn requests(receiver: &Receiver, n: usize) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let got = arrived(receiver);
        if got.len() >= n || Instant::now() > deadline {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The deliveries of an endpoint, oldest first.
pub async fn deliveries(client: &Client, webhook_id: i64) -> Vec<Value> {
    let found = client.ok("webhook.getdeliveries", json!({"FILTER": {"WEBHOOK_ID": webhook_id}, "LIMIT": 100})).await;
    found["DELIVERIES"].as_array().cloned().unwrap_or_default()
}

/// The deliveries once `n` attempts are recorded over all of them (waits up
/// to 30 s: the whole suite in parallel on 2 cores can be slow).
pub async fn recorded(client: &Client, webhook_id: i64, n: usize) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let listed = deliveries(client, webhook_id).await;
        let made: usize = listed.iter().map(|d| d["ATTEMPTS"].as_array().map_or(0, Vec::len)).sum();
        if made >= n || Instant::now() > deadline {
            return listed;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The request's `webhook-id` header.
pub fn msg_id(request: &Value) -> &str {
    request["headers"]["webhook-id"].as_str().unwrap_or_default()
}

async fn new_customer(client: &Client, name: &str) -> i64 {
    let created = client.ok("customer.create", json!({"DATA": {"LAST_NAME": name, "EMAIL": "k@example.com"}})).await;
    created["CUSTOMER_ID"].as_i64().expect("CUSTOMER_ID")
}

#[tokio::test]
async fn endpoints_are_created_listed_updated_and_deleted_without_showing_secrets() {
    let app = spawn_app().await;
    let client = app.admin().await;
    let created = client
        .ok(
            "webhook.create",
            json!({"DATA": {"URL": "https://user:pw@shop.example/hook", "EVENTS": ["invoice.paid", "customer.created"], "FORMAT": "FastBill"}}),
        )
        .await;
    let secret = created["SECRET"].as_str().expect("SECRET shown once");
    assert!(secret.starts_with("whsec_"), "{secret}");
    let id = created["WEBHOOK_ID"].as_i64().expect("id");
    let listed = client.ok("webhook.get", json!({"FILTER": {"WEBHOOK_ID": id}})).await;
    let hook = &listed["WEBHOOKS"][0];
    assert_eq!(hook["URL"], "https://user:***@shop.example/hook");
    assert_eq!(hook["EVENTS"], json!(["customer.created", "invoice.paid"]));
    assert_eq!((hook["FORMAT"].as_str(), hook["ENABLED"].as_bool()), (Some("fastbill"), Some(true)));
    assert!(!listed.to_string().contains(secret), "no secret in webhook.get");
    let updated = client.ok("webhook.update", json!({"DATA": {"WEBHOOK_ID": id, "ENABLED": false}})).await;
    assert!(updated.get("SECRET").is_none(), "no secret without rotation: {updated}");
    let listed = client.ok("webhook.get", json!({})).await;
    assert_eq!(listed["WEBHOOKS"][0]["ENABLED"], false);
    let other = app.admin().await;
    assert_eq!(other.err("webhook.delete", json!({"DATA": {"WEBHOOK_ID": id}})).await.code, 1004);
    client.ok("webhook.delete", json!({"DATA": {"WEBHOOK_ID": id}})).await;
    assert_eq!(client.ok("webhook.get", json!({})).await["WEBHOOKS"], json!([]));
}

#[tokio::test]
async fn bad_urls_events_formats_and_private_targets_are_refused_naming_the_tag_and_store_nothing() {
    let app = spawn_app().await;
    let live = app.admin().await;
    let cases = [
        (json!({"URL": "ftp://shop.example/hook"}), -32602, "URL"),
        (json!({"URL": "not a url"}), -32602, "URL"),
        (json!({"URL": "https://shop.example/h", "EVENTS": ["invoice.paid", "invoice.exploded"]}), -32602, "EVENTS"),
        (json!({"URL": "https://shop.example/h", "EVENTS": ["subscription.plan_changed"]}), -32602, "EVENTS"),
        (json!({"URL": "https://shop.example/h", "FORMAT": "xml"}), -32602, "FORMAT"),
        (json!({"URL": "http://127.0.0.1:8080/h"}), 1009, "URL"),
        (json!({"URL": "http://10.1.2.3/h"}), 1009, "URL"),
        (json!({"URL": "http://[::1]/h"}), 1009, "URL"),
        (json!({"URL": "http://169.254.169.254/latest"}), 1009, "URL"),
    ];
    for (data, code, tag) in cases {
        let err = live.err("webhook.create", json!({"DATA": data.clone()})).await;
        assert_eq!((err.code, err.tag()), (code, Some(tag)), "{data}: {}", err.message);
    }
    let err = live.err("webhook.create", json!({"DATA": {"URL": "https://a.example/", "EVENTS": ["nope"]}})).await;
    assert!(err.message.contains("`nope`"), "names the unknown type: {}", err.message);
    assert_eq!(count_rows(&app, "webhook").await, 0);
    // A test tenant may target loopback (that is how shops develop against it).
    let tenant = app.test_tenant("dev", START).await;
    app.client(&tenant.key).ok("webhook.create", json!({"DATA": {"URL": "http://127.0.0.1:8080/h"}})).await;
    assert_eq!(count_rows(&app, "webhook").await, 1);
}

#[tokio::test]
async fn events_arrive_signed_in_order_and_failures_are_retried_on_the_tenants_clock() {
    let test = "events_arrive_signed_in_order_and_failures_are_retried_on_the_tenants_clock";
    let app = spawn_app().await;
    let Some(h) = hooked(test, app, json!({"EVENTS": ["customer.created"]}), &["--fail-first", "2"]).await else {
        return;
    };
    let ids = [new_customer(&h.client, "Erste").await, new_customer(&h.client, "Zweite").await];
    let third = new_customer(&h.client, "Dritte").await;
    let first = requests(&h.receiver, 3).await;
    assert_eq!(first.len(), 3, "three first attempts: {first:?}");
    let listed = recorded(&h.client, h.webhook_id, 3).await;
    let events: Vec<i64> = listed.iter().map(|d| d["EVENT_ID"].as_i64().expect("EVENT_ID")).collect();
    assert!(events.windows(2).all(|w| w[0] < w[1]), "{events:?}");
    let sent: Vec<&str> = first.iter().map(msg_id).collect();
    let expected: Vec<String> = events.iter().map(|e| format!("evt_{e}")).collect();
    assert_eq!(sent, expected, "first attempts in creation order");
    for (request, customer) in first.iter().zip([ids[0], ids[1], third]) {
        assert_eq!(request["verified"], true, "{request}");
        assert_eq!(request["headers"]["content-type"], "application/json");
        let ts: i64 = request["headers"]["webhook-timestamp"].as_str().expect("ts").parse().expect("unix seconds");
        assert!((chrono::Utc::now().timestamp() - ts).abs() < 60, "wall-clock timestamp, also for test tenants");
        let body: Value = serde_json::from_str(request["body"].as_str().expect("body")).expect("JSON body");
        assert_eq!(body["id"], msg_id(request));
        assert_eq!((body["type"].as_str(), body["created"].as_str()), (Some("customer.created"), Some(START)));
        assert_eq!(body["data"]["object"]["CUSTOMER_ID"], customer);
    }
    let statuses: Vec<i64> = first.iter().map(|r| r["status"].as_i64().unwrap_or(0)).collect();
    assert_eq!(statuses, [500, 500, 200]);
    assert_eq!(listed[0]["STATUS"], "pending");
    assert_eq!(listed[0]["NEXT_ATTEMPT"], "2026-05-01 08:00:05", "5 s later plus under 10 % jitter");
    assert_eq!(listed[0]["ATTEMPTS"][0]["HTTP_STATUS"], 500);
    assert_eq!(listed[2]["STATUS"], "delivered");
    // The clock stands still: nothing is retried until billing.run moves it.
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(h.receiver.logged().len(), 3);
    h.client.ok("billing.run", json!({"DATA": {"NOW": "2026-05-01 08:00:06"}})).await;
    let all = arrived(&h.receiver);
    assert_eq!(all.len(), 5, "both retries made before billing.run answered");
    assert_eq!(all[3..].iter().map(msg_id).collect::<Vec<_>>(), &expected[..2]);
    assert!(all.iter().all(|r| r["verified"] == true));
    let listed = deliveries(&h.client, h.webhook_id).await;
    for d in &listed[..2] {
        assert_eq!(d["STATUS"], "delivered", "{d}");
        let at: Vec<&str> =
            d["ATTEMPTS"].as_array().expect("ATTEMPTS").iter().filter_map(|a| a["AT"].as_str()).collect();
        assert_eq!(at, ["2026-05-01 08:00:00", "2026-05-01 08:00:06"]);
        assert_eq!(d["NEXT_ATTEMPT"], Value::Null);
    }
}

/// The worker reads in full only the events of tenants with an endpoint;
/// another tenant's events, many more than one round takes, are passed over
/// and never delivered, and the hooked tenant's next event still arrives.
#[tokio::test]
async fn another_tenants_events_are_passed_over_and_the_next_own_event_arrives() {
    let test = "another_tenants_events_are_passed_over_and_the_next_own_event_arrives";
    let app = spawn_app().await;
    let other = app.tenant("other shop").await;
    let other = app.client(&other.key);
    let Some(h) = hooked(test, app, json!({"EVENTS": ["customer.created"]}), &[]).await else {
        return;
    };
    let mut id = 0;
    for _ in 0..12 {
        let entries: Vec<Value> = (0..100)
            .map(|_| {
                id += 1;
                crate::helpers::request(id, "customer.create", json!({"DATA": {"LAST_NAME": format!("Fremd {id}")}}))
            })
            .collect();
        let answers = other.batch(&entries).await;
        let failed: Vec<&Value> =
            answers.as_array().expect("batch answer").iter().filter(|a| a.get("error").is_some()).collect();
        assert!(failed.is_empty(), "{failed:?}");
    }
    let own = new_customer(&h.client, "Eigene").await;
    let got = requests(&h.receiver, 1).await;
    assert_eq!(got.len(), 1, "{got:?}");
    let body: Value = serde_json::from_str(got[0]["body"].as_str().expect("body")).expect("JSON body");
    assert_eq!(body["data"]["object"]["CUSTOMER_ID"], own);
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(h.receiver.logged().len(), 1, "nothing of the other tenant is sent");
    assert_eq!(deliveries(&h.client, h.webhook_id).await.len(), 1);
}
