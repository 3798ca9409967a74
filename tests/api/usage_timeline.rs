//! Usage bookings' events are filed under the booking, not the subscription
//! (`service::events::USAGE`): the subscription's timeline still lists them
//! among its own events, newest first and paged over both, keeps a deleted
//! booking's event, shows no other subscription's; and a booking is still
//! delivered as `subscription.changed` about its subscription.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::fixtures::{article, customer, subscribe};
use crate::helpers::{Client, spawn_app};
use crate::webhooks::{arrived, hooked, msg_id};

async fn book(client: &Client, subscription: &Value, quantity: &str) -> i64 {
    let data = json!({"SUBSCRIPTION_ID": subscription, "ARTICLE_NUMBER": "CALL", "QUANTITY": quantity});
    let booked = client.ok("subscription.setusagedata", json!({ "DATA": data })).await;
    booked["USAGEDATA_ID"].as_i64().expect("USAGEDATA_ID")
}

async fn timeline(client: &Client, subscription: &Value, limit: u64, offset: u64) -> Vec<Value> {
    let filter = json!({"FILTER": {"SUBSCRIPTION_ID": subscription}, "LIMIT": limit, "OFFSET": offset});
    let found = client.ok("subscription.gettimeline", filter).await;
    found["EVENTS"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn a_subscriptions_timeline_merges_its_bookings_newest_first_pages_over_both_and_keeps_deleted_ones() {
    let app = spawn_app().await;
    let t = app.test_tenant("shop", "2024-01-01").await;
    let client = app.client(&t.key);
    article(&client, "P", "10", "19", json!({})).await;
    article(&client, "CALL", "0.0125", "19", json!({})).await;
    let c = customer(&client).await;
    let a = subscribe(&client, c, "P", json!({})).await["SUBSCRIPTION_ID"].clone();
    let b = subscribe(&client, c, "P", json!({})).await["SUBSCRIPTION_ID"].clone();
    let before = timeline(&client, &a, 100, 0).await;
    let first = book(&client, &a, "1").await;
    let second = book(&client, &a, "2").await;
    book(&client, &b, "9").await;
    let third = book(&client, &a, "3").await;
    client.ok("subscription.deleteusagedata", json!({"DATA": {"USAGEDATA_ID": second}})).await;

    let all = timeline(&client, &a, 100, 0).await;
    let ids: Vec<i64> = all.iter().map(|e| e["EVENT_ID"].as_i64().expect("EVENT_ID")).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first: {ids:?}");
    let newest: Vec<(&str, &Value)> =
        all[..4].iter().map(|e| (e["TYPE"].as_str().unwrap_or_default(), &e["DATA"]["USAGEDATA_ID"])).collect();
    assert_eq!(
        newest,
        vec![
            ("subscription.usage_deleted", &json!(second)),
            ("subscription.usage_recorded", &json!(third)),
            ("subscription.usage_recorded", &json!(second)),
            ("subscription.usage_recorded", &json!(first)),
        ],
        "the deleted booking's event stays: {all:?}"
    );
    assert_eq!(all[1]["DATA"]["QUANTITY"], "3");
    assert_eq!(all[4..], before[..], "the subscription's own events follow, unchanged");
    assert!(!all.iter().any(|e| e["DATA"]["QUANTITY"] == "9"), "no booking of another subscription");

    let mut paged = Vec::new();
    for offset in (0..all.len() as u64 + 2).step_by(2) {
        paged.extend(timeline(&client, &a, 2, offset).await);
    }
    assert_eq!(paged, all, "pages of two walk the same list");
    let other = timeline(&client, &b, 100, 0).await;
    assert_eq!(other[0]["TYPE"], "subscription.usage_recorded");
    assert_eq!(other[0]["DATA"]["QUANTITY"], "9");
}

#[tokio::test]
async fn a_booking_is_delivered_as_subscription_changed_about_its_subscription() {
    let test = "a_booking_is_delivered_as_subscription_changed_about_its_subscription";
    let app = spawn_app().await;
    let Some(h) = hooked(test, app, json!({"EVENTS": ["subscription.changed"]}), &[]).await else { return };
    article(&h.client, "P", "10", "19", json!({})).await;
    article(&h.client, "CALL", "0.0125", "19", json!({})).await;
    let c = customer(&h.client).await;
    let sub = subscribe(&h.client, c, "P", json!({})).await["SUBSCRIPTION_ID"].clone();
    let booking = book(&h.client, &sub, "4.5").await;
    let recorded = timeline(&h.client, &sub, 1, 0).await;
    assert_eq!(recorded[0]["TYPE"], "subscription.usage_recorded");
    assert_eq!(recorded[0]["DATA"]["USAGEDATA_ID"], booking);
    let expected = format!("evt_{}", recorded[0]["EVENT_ID"]);

    let deadline = Instant::now() + Duration::from_secs(10);
    let request = loop {
        if let Some(found) = arrived(&h.receiver).into_iter().find(|r| msg_id(r) == expected) {
            break found;
        }
        assert!(Instant::now() < deadline, "no delivery {expected}: {:?}", arrived(&h.receiver));
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(request["verified"], true, "{request}");
    let body: Value = serde_json::from_str(request["body"].as_str().expect("body")).expect("JSON body");
    assert_eq!(body["type"], "subscription.changed");
    let object = &body["data"]["object"];
    assert_eq!(object["SUBSCRIPTION_ID"], sub, "the subscription as subscription.get answers it: {object}");
    assert_eq!(object["CUSTOMER_ID"], c);
    assert_eq!(object["ARTICLE_NUMBER"], "P");
}
