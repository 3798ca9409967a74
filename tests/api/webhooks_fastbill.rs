//! The `fastbill` format end to end (FastBill Automatic's notification:
//! lower-case keys, the customer and subscription beside the event's object,
//! datetimes in the tenant's TIMEZONE, `0000-00-00 00:00:00` for unset, HTTP
//! Basic from `user:password@`), and the operator's switch that lets live
//! tenants target private addresses.

use base64::Engine;
use serde_json::{Value, json};

use crate::fixtures;
use crate::helpers::{count_rows, spawn_app, spawn_app_with};
use crate::webhooks::{hooked, requests};

#[tokio::test]
async fn a_fastbill_endpoint_gets_fastbills_notification_with_basic_auth_and_local_times() {
    let test = "a_fastbill_endpoint_gets_fastbills_notification_with_basic_auth_and_local_times";
    let create = json!({"FORMAT": "fastbill", "EVENTS": ["subscription.created"]});
    let Some(h) = hooked(test, spawn_app().await, create, &[]).await else { return };
    let url = format!("http://shop:geheim@127.0.0.1:{}/notify", h.receiver.port);
    h.client.ok("webhook.update", json!({"DATA": {"WEBHOOK_ID": h.webhook_id, "URL": url}})).await;
    let shown = h.client.ok("webhook.get", json!({})).await;
    assert_eq!(shown["WEBHOOKS"][0]["URL"], format!("http://shop:***@127.0.0.1:{}/notify", h.receiver.port));
    fixtures::article(&h.client, "PRO", "10.00", "19", json!({"SUBSCRIPTION_INTERVAL": "1 month"})).await;
    let customer = fixtures::customer(&h.client).await;
    let created = fixtures::subscribe(&h.client, customer, "PRO", json!({})).await;
    let subscription = created["SUBSCRIPTION_ID"].as_i64().expect("SUBSCRIPTION_ID");
    let got = requests(&h.receiver, 1).await;
    assert_eq!(got.len(), 1, "only subscription.created was asked for");
    let request = &got[0];
    assert_eq!(request["verified"], true);
    assert_eq!(request["path"], "/notify");
    let basic = base64::engine::general_purpose::STANDARD.encode("shop:geheim");
    assert_eq!(request["headers"]["authorization"], format!("Basic {basic}"));
    let body: Value = serde_json::from_str(request["body"].as_str().expect("body")).expect("json");
    let mut keys: Vec<&str> = body.as_object().expect("object").keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["account_hash", "created", "customer", "id", "subscription", "type"]);
    assert_eq!(body["type"], "subscription.created");
    assert_eq!(body["id"], request["headers"]["webhook-id"]);
    // 08:00 UTC is 10:00 in Europe/Berlin (summer time), the tenant's TIMEZONE.
    assert_eq!(body["created"], "2026-05-01 10:00:00");
    assert_eq!(body["subscription"]["subscription_id"], subscription);
    assert_eq!(body["subscription"]["start"], "2026-05-01 10:00:00");
    assert_eq!(body["subscription"]["cancellation_date"], "0000-00-00 00:00:00");
    assert_eq!(body["customer"]["customer_id"], customer);
    assert!(body["account_hash"].as_str().is_some_and(|h| h.len() == 32), "{body}");
    let all_lower = |v: &Value| v.as_object().is_some_and(|m| m.keys().all(|k| k.chars().all(|c| !c.is_uppercase())));
    assert!(all_lower(&body["subscription"]) && all_lower(&body["customer"]), "{body}");
}

#[tokio::test]
async fn live_tenants_may_target_private_addresses_only_when_the_operator_allows_it() {
    let strict = spawn_app().await;
    let live = strict.admin().await;
    let err = live.err("webhook.create", json!({"DATA": {"URL": "http://192.168.1.20/hook"}})).await;
    assert_eq!((err.code, err.tag()), (1009, Some("URL")), "{}", err.message);
    assert!(err.message.contains("192.168.1.20"), "{}", err.message);
    assert_eq!(count_rows(&strict, "webhook").await, 0);
    let open = spawn_app_with(|s| s.webhooks.allow_private_targets = true).await;
    let live = open.admin().await;
    live.ok("webhook.create", json!({"DATA": {"URL": "http://192.168.1.20/hook"}})).await;
    assert_eq!(count_rows(&open, "webhook").await, 1);
}
