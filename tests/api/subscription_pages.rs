//! `subscription.get` without filters pages through a tenant's subscriptions by id: served from
//! the cache's id list and serialized objects, and always what the database holds.

use serde_json::{Value, json};

use crate::fixtures::{article, customer, subscribe};
use crate::helpers::{spawn_app, spawn_app_with};

fn ids(page: &Value) -> Vec<i64> {
    page["SUBSCRIPTIONS"].as_array().expect("list").iter().map(|s| s["SUBSCRIPTION_ID"].as_i64().expect("id")).collect()
}

async fn five_subscriptions(client: &crate::helpers::Client) -> Vec<i64> {
    article(client, "PRO", "10", "19", json!({})).await;
    let c = customer(client).await;
    let mut all = Vec::new();
    for _ in 0..5 {
        all.push(subscribe(client, c, "PRO", json!({})).await["SUBSCRIPTION_ID"].as_i64().expect("id"));
    }
    all
}

#[tokio::test]
async fn pages_are_slices_in_id_order_and_see_every_write() {
    let app = spawn_app().await;
    let t = app.test_tenant("shop", "2025-01-01").await;
    let client = app.client(&t.key);
    let all = five_subscriptions(&client).await;
    assert_eq!(ids(&client.ok("subscription.get", json!({"LIMIT": 2, "OFFSET": 1})).await), all[1..3]);
    assert_eq!(ids(&client.ok("subscription.get", json!({"LIMIT": 100, "OFFSET": 3})).await), all[3..]);
    assert_eq!(ids(&client.ok("subscription.get", json!({"OFFSET": 5})).await), Vec::<i64>::new());
    assert_eq!(ids(&client.ok("subscription.get", json!({})).await), all);
    // A write after the list was cached shows in the next page, and so does a changed object.
    let c = customer(&client).await;
    let new = subscribe(&client, c, "PRO", json!({})).await["SUBSCRIPTION_ID"].as_i64().expect("id");
    let page = client.ok("subscription.get", json!({"LIMIT": 10, "OFFSET": 4})).await;
    assert_eq!(ids(&page), vec![all[4], new]);
    client
        .ok("subscription.update", json!({"DATA": {"SUBSCRIPTION_ID": all[4], "SUBSCRIPTION_EXT_UID": "moved"}}))
        .await;
    let page = client.ok("subscription.get", json!({"LIMIT": 1, "OFFSET": 4})).await;
    assert_eq!(page["SUBSCRIPTIONS"][0]["SUBSCRIPTION_EXT_UID"], "moved");
    // The page object is the one `subscription.get` by id shows.
    let one = client.ok("subscription.get", json!({"FILTER": {"SUBSCRIPTION_ID": all[4]}})).await;
    assert_eq!(page["SUBSCRIPTIONS"][0], one["SUBSCRIPTIONS"][0]);
}

#[tokio::test]
async fn a_tenant_pages_only_its_own_subscriptions() {
    let app = spawn_app().await;
    let (a, b) = (app.test_tenant("a", "2025-01-01").await, app.test_tenant("b", "2025-01-01").await);
    let (ca, cb) = (app.client(&a.key), app.client(&b.key));
    let mine = five_subscriptions(&ca).await;
    let theirs = five_subscriptions(&cb).await;
    assert_eq!(ids(&ca.ok("subscription.get", json!({"LIMIT": 100})).await), mine);
    assert_eq!(ids(&cb.ok("subscription.get", json!({"OFFSET": 2})).await), theirs[2..]);
}

#[tokio::test]
async fn without_the_cache_pages_come_from_the_database() {
    let app = spawn_app_with(|s| s.cache.subscription_entries = 0).await;
    let t = app.test_tenant("shop", "2025-01-01").await;
    let client = app.client(&t.key);
    let all = five_subscriptions(&client).await;
    assert_eq!(ids(&client.ok("subscription.get", json!({"LIMIT": 2, "OFFSET": 2})).await), all[2..4]);
}
