//! Tenant isolation: another tenant's id answers exactly like a missing one.

use serde_json::{Value, json};

use crate::helpers::{by_id, count_rows, request, spawn_app};

struct World {
    customer_id: Value,
    article_number: &'static str,
    key_id: Value,
}

async fn populate(client: &crate::helpers::Client, article_number: &'static str) -> World {
    let customer =
        client.ok("customer.create", json!({"DATA": {"LAST_NAME": "Owner", "CUSTOMER_EXT_UID": "shared-uid"}})).await;
    client
        .ok("article.create", json!({"DATA": {"ARTICLE_NUMBER": article_number, "TITLE": "T", "UNIT_PRICE": 1}}))
        .await;
    let key = client.ok("key.create", json!({})).await;
    World { customer_id: customer["CUSTOMER_ID"].clone(), article_number, key_id: key["KEY_ID"].clone() }
}

/// The calls of every method that takes an id, for `w`'s objects.
fn probes(w: &World) -> Vec<(&'static str, Value)> {
    vec![
        ("customer.update", json!({"DATA": {"CUSTOMER_ID": w.customer_id, "CITY": "X"}})),
        ("customer.delete", json!({"DATA": {"CUSTOMER_ID": w.customer_id}})),
        ("article.update", json!({"DATA": {"ARTICLE_NUMBER": w.article_number, "TITLE": "X"}})),
        ("article.delete", json!({"DATA": {"ARTICLE_NUMBER": w.article_number}})),
        ("key.revoke", json!({"DATA": {"KEY_ID": w.key_id}})),
    ]
}

#[tokio::test]
async fn another_tenants_ids_answer_like_missing_ones_on_every_method() {
    let app = spawn_app().await;
    let a = app.admin().await;
    let b = app.admin().await;
    let theirs = populate(&b, "B-ONLY").await;
    populate(&a, "A-ONLY").await;
    let missing = World { customer_id: json!(999_999), article_number: "NOPE", key_id: json!(999_999) };
    let before =
        (count_rows(&app, "customer").await, count_rows(&app, "article").await, count_rows(&app, "event").await);
    for ((method, foreign), (_, absent)) in probes(&theirs).into_iter().zip(probes(&missing)) {
        let foreign_err = a.err(method, foreign).await;
        let absent_err = a.err(method, absent).await;
        assert_eq!(foreign_err.code, 1004, "{method}");
        assert_eq!((foreign_err.message, foreign_err.data), (absent_err.message, absent_err.data), "{method}");
    }
    for filter in [
        json!({"CUSTOMER_ID": theirs.customer_id}),
        json!({"CUSTOMER_EXT_UID": "shared-uid", "CUSTOMER_NUMBER": 1, "TERM": "owner", "CUSTOMER_ID": theirs.customer_id}),
    ] {
        let found = a.ok("customer.get", json!({"FILTER": filter})).await;
        assert_eq!(found["CUSTOMERS"], json!([]));
    }
    let articles = a.ok("article.get", json!({"FILTER": {"ARTICLE_NUMBER": "B-ONLY"}})).await;
    assert_eq!(articles["ARTICLES"], json!([]));
    let after =
        (count_rows(&app, "customer").await, count_rows(&app, "article").await, count_rows(&app, "event").await);
    assert_eq!(before, after);
    // B's objects are untouched and still work for B.
    b.ok("customer.update", json!({"DATA": {"CUSTOMER_ID": theirs.customer_id, "CITY": "Mine"}})).await;
}

#[tokio::test]
async fn isolation_holds_inside_a_batch() {
    let app = spawn_app().await;
    let a = app.admin().await;
    let b = app.admin().await;
    let theirs = populate(&b, "B-ONLY").await;
    let entries: Vec<Value> = probes(&theirs)
        .into_iter()
        .enumerate()
        .map(|(i, (method, params))| request(i as i64 + 1, method, params))
        .chain([request(99, "customer.get", json!({"FILTER": {"CUSTOMER_ID": theirs.customer_id}}))])
        .collect();
    let answer = a.batch(&entries).await;
    for id in 1..=5 {
        assert_eq!(by_id(&answer, id)["error"]["code"], 1004, "{answer}");
    }
    assert_eq!(by_id(&answer, 99)["result"]["CUSTOMERS"], json!([]));
}
