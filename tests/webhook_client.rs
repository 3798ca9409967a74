//! The webhook delivery core against a real receiver on 127.0.0.1 whose
//! signature check is the official `standardwebhooks` Python package:
//! headers, body, signatures (also during a rotation), the retry schedule
//! driven by a simulated tenant clock, redirects, 410, 429 with Retry-After,
//! timeouts, and the SSRF refusal of internal targets.

#[path = "webhook_client/receiver.rs"]
mod receiver;

use std::time::Duration;

use bytes::Bytes;
use chrono::{DateTime, TimeDelta, Utc};
use receiver::Receiver;
use recur::clock::{Clock, SystemClock};
use recur::webhook::{
    Attempt, Client, Event, EventType, Next, Outcome, Outgoing, Secret, Target, format, schedule, sign,
};
use serde_json::{Value, json};

const EVENT_ID: i64 = 4711;

fn tenant_start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-05-01T08:00:00Z").expect("valid").with_timezone(&Utc)
}

fn body() -> Bytes {
    let object = json!({"SUBSCRIPTION_ID": 7, "STATUS": "active", "TITLE": "Pro – Jahresplan"});
    let event = Event {
        id: EVENT_ID,
        event_type: EventType::SubscriptionCreated,
        created: tenant_start(),
        tenant_id: 1,
        object: &object,
        previous: None,
    };
    format::recur(&event, 256 * 1024).expect("serializes").bytes
}

fn client() -> Client {
    Client::new(Duration::from_secs(10)).expect("client")
}

/// One attempt as the worker makes it: signed now (wall clock) with `secrets`.
async fn attempt(client: &Client, url: &str, allow_private: bool, secrets: &[&Secret]) -> Attempt {
    let target = Target::parse(url).expect("a valid URL");
    let body = body();
    let headers = sign::headers(secrets, &sign::msg_id(EVENT_ID), SystemClock.now().timestamp(), &body);
    client.send(&Outgoing { target: &target, allow_private, headers: &headers, body }).await
}

fn header<'a>(request: &'a Value, name: &str) -> &'a str {
    request["headers"][name].as_str().unwrap_or_else(|| panic!("header {name} in {request}"))
}

#[tokio::test]
async fn a_delivery_is_signed_verified_and_carries_the_contracts_headers_and_body() {
    let secret = Secret::generate();
    let Some(rx) = Receiver::start("delivery", &secret.expose(), &[]) else { return };
    let url = format!("http://shop%40example.com:pa%3Ass@127.0.0.1:{}/hooks?x=1", rx.port);
    let a = attempt(&client(), &url, true, &[&secret]).await;
    assert_eq!((a.outcome, a.http_status, a.error.as_deref()), (Outcome::Delivered, Some(200), None), "{a:?}");
    let got = rx.requests(1);
    assert_eq!(got.len(), 1);
    let r = &got[0];
    assert_eq!(r["verified"], true, "standardwebhooks refused it: {}", r["verify_error"]);
    assert_eq!((r["method"].as_str(), r["path"].as_str()), (Some("POST"), Some("/hooks?x=1")));
    assert_eq!(header(r, "content-type"), "application/json");
    assert_eq!(header(r, "webhook-id"), "evt_4711");
    let ts: i64 = header(r, "webhook-timestamp").parse().expect("unix seconds");
    assert!((ts - SystemClock.now().timestamp()).abs() < 60, "wall clock: {ts}");
    assert!(header(r, "webhook-signature").starts_with("v1,"));
    // base64("shop@example.com:pa:ss")
    assert_eq!(header(r, "authorization"), "Basic c2hvcEBleGFtcGxlLmNvbTpwYTpzcw==");
    assert_eq!(r["body"].as_str().map(str::as_bytes), Some(&body()[..]));
    let parsed: Value = serde_json::from_str(r["body"].as_str().expect("text")).expect("JSON body");
    assert_eq!(parsed["id"], header(r, "webhook-id"));
    assert_eq!(parsed["type"], "subscription.created");
    assert_eq!(parsed["created"], "2026-05-01 08:00:00");
    assert_eq!(parsed["data"]["object"]["TITLE"], "Pro – Jahresplan");
}

#[tokio::test]
async fn during_a_rotation_both_secrets_sign_and_a_stranger_secret_does_not_verify() {
    let (old, new) = (Secret::generate(), Secret::generate());
    let Some(rx) = Receiver::start("rotation", &old.expose(), &[]) else { return };
    let rotated_at = tenant_start();
    let during = sign::signing_secrets(&new, Some((&old, rotated_at)), rotated_at + TimeDelta::hours(23));
    let after = sign::signing_secrets(&new, Some((&old, rotated_at)), rotated_at + TimeDelta::hours(24));
    let c = client();
    attempt(&c, &rx.url("/"), true, &during).await;
    attempt(&c, &rx.url("/"), true, &after).await;
    let got = rx.requests(2);
    assert_eq!(header(&got[0], "webhook-signature").split(' ').count(), 2);
    assert_eq!(got[0]["verified"], true, "the old secret's signature is still there");
    assert_eq!(got[1]["verified"], false, "24 h later only the new secret signs");
    assert_eq!(got[1]["verify_error"], "No matching signature found");
}

#[tokio::test]
async fn five_hundreds_are_retried_on_the_schedule_until_the_receiver_takes_it() {
    let secret = Secret::generate();
    let Some(rx) = Receiver::start("schedule", &secret.expose(), &["--fail-first", "2"]) else { return };
    let (c, seed) = (client(), 99);
    let mut now = tenant_start();
    let mut statuses = Vec::new();
    for n in 1.. {
        let a = attempt(&c, &rx.url("/"), true, &[&secret]).await;
        statuses.push(a.http_status);
        match schedule::after_attempt(n, now, &a, seed) {
            Next::RetryAt(at) => {
                let base = schedule::retry_delay(n).expect("a scheduled delay");
                let waited = (at - now).to_std().expect("forward");
                assert!(waited >= base && waited <= base + base / 10, "attempt {n}: {waited:?}");
                assert_eq!(a.error.as_deref(), Some("HTTP 500: receiver answers 500"));
                now = at;
            }
            Next::Delivered => break,
            other => panic!("attempt {n}: {other:?}"),
        }
    }
    assert_eq!(statuses, [Some(500), Some(500), Some(200)]);
    let got = rx.requests(3);
    assert_eq!(got.len(), 3);
    assert!(got.iter().all(|r| r["verified"] == true && header(r, "webhook-id") == "evt_4711"));
    assert!(got.iter().all(|r| r["body"] == got[0]["body"]), "every attempt sends the same body");
}

#[tokio::test]
async fn a_redirect_is_a_failure_with_its_status_and_is_not_followed() {
    let secret = Secret::generate();
    let Some(rx) = Receiver::start("redirect", &secret.expose(), &["--status", "302"]) else { return };
    let a = attempt(&client(), &rx.url("/old"), true, &[&secret]).await;
    assert_eq!((a.outcome, a.http_status), (Outcome::Failed, Some(302)));
    assert_eq!(a.error.as_deref(), Some("HTTP 302: redirect to /moved not followed"));
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(rx.logged().len(), 1, "the Location was not requested");
}

#[tokio::test]
async fn a_410_is_gone_and_disables_the_endpoint_at_once() {
    let secret = Secret::generate();
    let Some(rx) = Receiver::start("gone", &secret.expose(), &["--status", "410"]) else { return };
    let a = attempt(&client(), &rx.url("/"), true, &[&secret]).await;
    assert_eq!((a.outcome, a.http_status), (Outcome::Gone, Some(410)));
    assert_eq!(schedule::after_attempt(1, tenant_start(), &a, 1), Next::Gone);
}

#[tokio::test]
async fn a_429_with_retry_after_waits_that_long() {
    let secret = Secret::generate();
    let args = ["--status", "429", "--retry-after", "120"];
    let Some(rx) = Receiver::start("retry-after", &secret.expose(), &args) else { return };
    let a = attempt(&client(), &rx.url("/"), true, &[&secret]).await;
    assert_eq!((a.outcome, a.http_status, a.retry_after), (Outcome::Failed, Some(429), Some(Duration::from_secs(120))));
    let next = schedule::after_attempt(3, tenant_start(), &a, 1);
    assert_eq!(next, Next::RetryAt(tenant_start() + TimeDelta::seconds(120)));
}

#[tokio::test]
async fn a_receiver_slower_than_the_timeout_is_a_failure_without_status() {
    let secret = Secret::generate();
    let Some(rx) = Receiver::start("timeout", &secret.expose(), &["--delay", "3"]) else { return };
    let short = Client::new(Duration::from_millis(500)).expect("client");
    let a = attempt(&short, &rx.url("/"), true, &[&secret]).await;
    assert_eq!((a.outcome, a.http_status), (Outcome::Failed, None), "{a:?}");
    assert_eq!(a.error.as_deref(), Some("timed out after 500 ms"));
    assert!((500..2500).contains(&a.duration_ms), "{}", a.duration_ms);
}

#[tokio::test]
async fn internal_targets_are_refused_before_connecting_unless_allowed() {
    // A listener that counts connections: a refused target never reaches it.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let accepted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = accepted.clone();
    tokio::spawn(async move {
        while let Ok((_stream, _)) = listener.accept().await {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    });
    let secret = Secret::generate();
    let c = client();
    let targets = [
        format!("http://127.0.0.1:{port}/"),
        format!("http://localhost:{port}/"),
        format!("http://[::1]:{port}/"),
        "http://10.1.2.3/".to_owned(),
        "http://169.254.169.254/latest/meta-data/".to_owned(),
        "http://[::ffff:192.168.0.1]/".to_owned(),
    ];
    for url in &targets {
        let a = attempt(&c, url, false, &[&secret]).await;
        assert_eq!((a.outcome, a.http_status), (Outcome::Failed, None), "{url}: {a:?}");
        let error = a.error.unwrap_or_default();
        assert!(error.contains("private targets are not allowed"), "{url}: {error}");
    }
    assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 0);
    // Allowed (a test tenant), the same name connects.
    let _ = attempt(&c, &format!("http://localhost:{port}/"), true, &[&secret]).await;
    assert!(accepted.load(std::sync::atomic::Ordering::SeqCst) >= 1);
}

#[tokio::test]
async fn https_to_a_server_that_speaks_no_tls_fails_without_a_status() {
    let secret = Secret::generate();
    let Some(rx) = Receiver::start("tls", &secret.expose(), &[]) else { return };
    let a = attempt(&client(), &format!("https://127.0.0.1:{}/", rx.port), true, &[&secret]).await;
    assert_eq!((a.outcome, a.http_status), (Outcome::Failed, None), "{a:?}");
    assert!(a.error.is_some_and(|e| !e.is_empty()));
}
