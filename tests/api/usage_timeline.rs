//! Usage bookings' events are filed under the booking, not the subscription
//! (`service::events::USAGE`): the subscription's timeline still lists them
//! among its own events, newest first and paged over both, keeps a deleted
//! booking's event, shows no other subscription's; and a booking is still
//! delivered as `subscription.changed` about its subscription, once, in one
//! sequence of event ids with the other events.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::fixtures::{article, customer, subscribe};
use crate::helpers::{Client, by_id, request, spawn_app};
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
    assert_eq!(all[1]["EVENT_ID"], json!(third), "a booking is its own event: its id is the event's");
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

/// Bookings take their ids from the event ids: grouped bookings and the
/// customers created between them reach the endpoint once each, and their
/// ids follow the order the calls were answered in (a batch's bookings
/// before the customer created after it).
#[tokio::test]
async fn grouped_bookings_and_other_events_are_delivered_once_each_in_one_id_sequence() {
    let test = "grouped_bookings_and_other_events_are_delivered_once_each_in_one_id_sequence";
    let app = spawn_app().await;
    let filter = json!({"EVENTS": ["subscription.changed", "customer.created"]});
    let Some(h) = hooked(test, app, filter, &[]).await else { return };
    article(&h.client, "P", "10", "19", json!({})).await;
    article(&h.client, "CALL", "0.0125", "19", json!({})).await;
    let c = customer(&h.client).await;
    let sub = subscribe(&h.client, c, "P", json!({})).await["SUBSCRIPTION_ID"].clone();
    let mut rounds: Vec<(Vec<i64>, i64)> = Vec::new();
    for round in 0..3_i64 {
        let entries: Vec<Value> = (0..25_i64)
            .map(|n| {
                let data = json!({"SUBSCRIPTION_ID": sub, "ARTICLE_NUMBER": "CALL", "QUANTITY": n + 1});
                request(n, "subscription.setusagedata", json!({ "DATA": data }))
            })
            .collect();
        let answer = h.client.batch(&entries).await;
        let booked: Vec<i64> =
            (0..25).map(|n| by_id(&answer, n)["result"]["USAGEDATA_ID"].as_i64().expect("USAGEDATA_ID")).collect();
        let created = h.client.ok("customer.create", json!({"DATA": {"LAST_NAME": format!("K{round}")}})).await;
        rounds.push((booked, created["CUSTOMER_ID"].as_i64().expect("CUSTOMER_ID")));
    }
    let body =
        |r: &Value| -> Value { serde_json::from_str(r["body"].as_str().unwrap_or("null")).unwrap_or(Value::Null) };
    let created_event = |got: &[Value], customer: i64| -> Option<i64> {
        got.iter()
            .find(|r| body(r)["type"] == "customer.created" && body(r)["data"]["object"]["CUSTOMER_ID"] == customer)
            .and_then(|r| msg_id(r).strip_prefix("evt_").and_then(|id| id.parse().ok()))
    };
    let deadline = Instant::now() + Duration::from_secs(15);
    let got = loop {
        let got = arrived(&h.receiver);
        let bookings_in = rounds.iter().flat_map(|r| &r.0).all(|b| got.iter().any(|r| msg_id(r) == format!("evt_{b}")));
        if bookings_in && rounds.iter().all(|r| created_event(&got, r.1).is_some()) {
            break got;
        }
        assert!(Instant::now() < deadline, "not all arrived: {got:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let mut sequence: Vec<i64> = Vec::new();
    for (booked, customer) in &rounds {
        for b in booked {
            let name = format!("evt_{b}");
            let copies: Vec<&Value> = got.iter().filter(|r| msg_id(r) == name).collect();
            assert_eq!(copies.len(), 1, "{name} delivered once");
            assert_eq!(copies[0]["verified"], true);
            assert_eq!(body(copies[0])["type"], "subscription.changed");
        }
        let mut booked = booked.clone();
        booked.sort_unstable(); // one batch's calls are answered together, in no set order
        sequence.extend(booked);
        sequence.extend(created_event(&got, *customer));
    }
    assert!(sequence.windows(2).all(|w| w[0] < w[1]), "ids in the order the calls were answered: {sequence:?}");
}
