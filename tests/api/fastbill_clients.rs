//! What other FastBill clients send (Ruby, Node, shop plugins): lower-case
//! tags, FastBill's unset values, PHP's `[]`, numbers as strings, and naive
//! datetimes in the tenant's zone (Europe/Berlin) across DST changes.

use serde_json::json;

use crate::fastbill::{clients, fb, fb_ok};
use crate::fixtures;
use crate::helpers::spawn_app;

#[tokio::test]
async fn lower_case_cancellation_date_is_local_time_and_kept_as_given() {
    let app = spawn_app().await;
    let (fastbill, rpc) = clients(&app).await;
    fixtures::article(&rpc, "PRO", "10.00", "19", json!({})).await;
    let customer = fixtures::customer(&rpc).await;
    let id = fixtures::subscribe(&rpc, customer, "PRO", json!({})).await["SUBSCRIPTION_ID"].clone();
    let cancel = json!({"service": "subscription.cancel",
        "data": {"subscription_id": id, "cancellation_date": "2024-07-20 12:30:45"}});
    let answer = fb_ok(&fastbill, cancel).await;
    assert_eq!(answer["CANCELLATION_DATE"], "2024-07-20 12:30:45", "answered in Berlin time, as given");
    let stored = fixtures::subscription(&rpc, id.as_i64().expect("id")).await;
    assert_eq!(stored["CANCELLATION_DATE"], "2024-07-20 10:30:45", "stored and answered in UTC on /rpc");
}

#[tokio::test]
async fn fastbills_unset_values_and_phps_empty_arrays() {
    let app = spawn_app().await;
    let (fastbill, rpc) = clients(&app).await;
    fixtures::article(&rpc, "PRO", "10.00", "19", json!({})).await;
    let customer = fixtures::customer(&rpc).await;
    let create = json!({"SERVICE": "subscription.create", "FILTER": [], "DATA": {
        "CUSTOMER_ID": customer.to_string(), "ARTICLE_NUMBER": "PRO", "X_ATTRIBUTES": [],
        "CANCELLATION_DATE": "0000-00-00 00:00:00", "NEXT_EVENT": "", "SUBSCRIPTION_EXT_UID": false, "HASH": "x"}});
    let created = fb_ok(&fastbill, create).await;
    let id = created["SUBSCRIPTION_ID"].as_i64().expect("integer id");
    let found =
        fb_ok(&fastbill, json!({"SERVICE": "subscription.get", "FILTER": {"SUBSCRIPTION_ID": [id, 999]}})).await;
    let subscription = &found["SUBSCRIPTIONS"][0];
    assert_eq!(found["SUBSCRIPTIONS"].as_array().map(Vec::len), Some(1));
    assert_eq!(subscription["CANCELLATION_DATE"], "0000-00-00 00:00:00", "unset is written as FastBill wrote it");
    assert_eq!(subscription["X_ATTRIBUTES"], json!({}));
    let listed = fb_ok(&fastbill, json!({"SERVICE": "subscription.get", "FILTER": [], "LIMIT": "100"})).await;
    assert_eq!(listed["SUBSCRIPTIONS"].as_array().map(Vec::len), Some(1));
    let attributes = json!([{"KEY": "shop", "VALUE": "de"}]);
    let update = json!({"SERVICE": "subscription.update", "DATA": {"SUBSCRIPTION_ID": id, "X_ATTRIBUTES": attributes}});
    fb_ok(&fastbill, update).await;
    assert_eq!(fixtures::subscription(&rpc, id).await["X_ATTRIBUTES"], json!({"shop": "de"}));
}

#[tokio::test]
async fn month_as_a_zero_padded_string_postpones() {
    let app = spawn_app().await;
    let (fastbill, rpc) = clients(&app).await;
    fixtures::article(&rpc, "PRO", "10.00", "19", json!({})).await;
    let customer = fixtures::customer(&rpc).await;
    let id = fixtures::subscribe(&rpc, customer, "PRO", json!({})).await["SUBSCRIPTION_ID"].as_i64().expect("id");
    let before = fixtures::subscription(&rpc, id).await["NEXT_EVENT"].clone();
    fb_ok(&fastbill, json!({"SERVICE": "subscription.postpone", "DATA": {"SUBSCRIPTION_ID": id, "MONTH": "06"}})).await;
    let after = fixtures::subscription(&rpc, id).await["NEXT_EVENT"].clone();
    assert_eq!((before, after), (json!("2024-02-15 09:00:00"), json!("2024-08-15 09:00:00")));
}

#[tokio::test]
async fn berlin_dates_across_dst_changes_both_ways() {
    let app = spawn_app().await;
    let (fastbill, rpc) = clients(&app).await;
    fixtures::article(&rpc, "PRO", "10.00", "19", json!({})).await;
    let customer = fixtures::customer(&rpc).await;
    // Local time -> UTC: winter (+1), summer (+2), the skipped 02:30 of the
    // spring change (moves forward by the gap), the repeated 02:30 in autumn (first).
    let cases = [
        ("2024-03-30 12:00:00", "2024-03-30 11:00:00", "2024-03-30 12:00:00"),
        ("2024-03-31 12:00:00", "2024-03-31 10:00:00", "2024-03-31 12:00:00"),
        ("2024-03-31 02:30:00", "2024-03-31 01:30:00", "2024-03-31 03:30:00"),
        ("2024-10-27 02:30:00", "2024-10-27 00:30:00", "2024-10-27 02:30:00"),
        ("2024-10-27", "2024-10-26 22:00:00", "2024-10-27 00:00:00"),
    ];
    for (sent, utc, local) in cases {
        let create = json!({"SERVICE": "subscription.create",
            "DATA": {"CUSTOMER_ID": customer, "ARTICLE_NUMBER": "PRO", "START": sent}});
        let id = fb_ok(&fastbill, create).await["SUBSCRIPTION_ID"].as_i64().expect("id");
        assert_eq!(fixtures::subscription(&rpc, id).await["START"], utc, "{sent} on /rpc");
        let here = fb(&fastbill, json!({"SERVICE": "subscription.get", "FILTER": {"SUBSCRIPTION_ID": id}})).await;
        assert_eq!(here["RESPONSE"]["SUBSCRIPTIONS"][0]["START"], local, "{sent} here");
    }
}

#[tokio::test]
async fn fastbill_intervals_and_trials_on_article_create() {
    let app = spawn_app().await;
    let (fastbill, _) = clients(&app).await;
    let data = json!({"ARTICLE_NUMBER": "T", "TITLE": "Trial", "UNIT_PRICE": 9.5, "VAT_PERCENT": "19",
        "SUBSCRIPTION_INTERVAL": "2 month", "SUBSCRIPTION_TRIAL": "14", "SUBSCRIPTION_CANCELLATION": "1 day"});
    fb_ok(&fastbill, json!({"SERVICE": "article.create", "DATA": data})).await;
    let found = fb_ok(&fastbill, json!({"SERVICE": "article.get", "FILTER": {"ARTICLE_NUMBER": "T"}})).await;
    let article = &found["ARTICLES"][0];
    assert_eq!(article["SUBSCRIPTION_INTERVAL"], "2 months");
    assert_eq!(article["SUBSCRIPTION_TRIAL"], "14 days");
}
