//! JSON-RPC batches: order, independence, notifications, limits.

use serde_json::{Value, json};

use crate::helpers::{by_id, count_rows, request, spawn_app};

#[tokio::test]
async fn an_empty_batch_is_one_invalid_request_error() {
    let app = spawn_app().await;
    let client = app.admin().await;
    let answer = client.post_raw("/rpc", "[]", &[]).await.json();
    assert_eq!(answer["error"]["code"], -32600, "{answer}");
    assert_eq!(answer["id"], Value::Null);
}

#[tokio::test]
async fn a_batch_of_a_number_answers_one_invalid_request_per_entry() {
    let app = spawn_app().await;
    let client = app.admin().await;
    let answer = client.post_raw("/rpc", "[1]", &[]).await.json();
    let entries = answer.as_array().expect("a list");
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["error"]["code"], -32600);
    assert_eq!(entries[0]["id"], Value::Null);
}

#[tokio::test]
async fn mixed_batches_answer_each_entry_in_order_and_independently() {
    let app = spawn_app().await;
    let client = app.admin().await;
    let answer = client
        .batch(&[
            request(1, "customer.create", json!({"DATA": {"LAST_NAME": "First"}})),
            request(2, "customer.create", json!({"DATA": {"QUANTITY": 1}})),
            request(3, "customer.nosuchmethod", json!({})),
            json!({"jsonrpc": "2.0", "method": "customer.create", "params": {"DATA": {"LAST_NAME": "Silent"}}}),
            json!({"id": 5}),
            request(6, "customer.get", json!({"FILTER": {"TERM": "first"}})),
        ])
        .await;
    let entries = answer.as_array().expect("a list");
    assert_eq!(entries.len(), 5, "the notification is not answered: {answer}");
    let ids: Vec<&Value> = entries.iter().map(|e| &e["id"]).collect();
    // `{"id":5}` is not a request, but its id can be read, so the error carries it.
    assert_eq!(ids, vec![&json!(1), &json!(2), &json!(3), &json!(5), &json!(6)]);
    assert_eq!(by_id(&answer, 1)["result"]["STATUS"], "success");
    assert_eq!(by_id(&answer, 2)["error"]["code"], -32602);
    assert_eq!(by_id(&answer, 3)["error"]["code"], -32601);
    assert_eq!(entries[3]["error"]["code"], -32600);
    // Entry 6 sees entry 1's committed customer: entries run in order.
    assert_eq!(by_id(&answer, 6)["result"]["CUSTOMERS"][0]["LAST_NAME"], "First");
    // The failed entry changed nothing; the notification ran.
    assert_eq!(count_rows(&app, "customer").await, 2);
}

#[tokio::test]
async fn an_all_notification_batch_answers_an_empty_body_and_runs() {
    let app = spawn_app().await;
    let client = app.admin().await;
    let body = json!([
        {"jsonrpc": "2.0", "method": "customer.create", "params": {"DATA": {"LAST_NAME": "A"}}},
        {"jsonrpc": "2.0", "method": "customer.create", "params": {"DATA": {"LAST_NAME": "B"}}},
    ]);
    let response = client.post_raw("/rpc", &body.to_string(), &[]).await;
    assert_eq!(response.status, 204);
    assert_eq!(response.body, "");
    assert_eq!(count_rows(&app, "customer").await, 2);
}

#[tokio::test]
async fn a_batch_over_the_limit_answers_one_error_with_code_1013() {
    let app = spawn_app().await;
    let client = app.admin().await;
    let entries: Vec<Value> =
        (0..101).map(|i| request(i, "customer.create", json!({"DATA": {"LAST_NAME": format!("C{i}")}}))).collect();
    let answer = client.batch(&entries).await;
    assert_eq!(answer["error"]["code"], 1013, "{answer}");
    assert_eq!(count_rows(&app, "customer").await, 0);
    let entries: Vec<Value> = (0..100).map(|i| request(i, "system.ping", json!({}))).collect();
    assert_eq!(client.batch(&entries).await.as_array().map(Vec::len), Some(100));
}

#[tokio::test]
async fn the_idempotency_header_does_not_apply_to_batch_entries() {
    let app = spawn_app().await;
    let client = app.admin().await;
    let body = json!([
        request(1, "customer.create", json!({"DATA": {"LAST_NAME": "A"}})),
        request(2, "customer.create", json!({"DATA": {"LAST_NAME": "B"}})),
    ]);
    let answer = client.post_raw("/rpc", &body.to_string(), &[("idempotency-key", "k-1")]).await.json();
    assert_eq!(by_id(&answer, 1)["result"]["STATUS"], "success");
    assert_eq!(by_id(&answer, 2)["result"]["STATUS"], "success");
    assert_eq!(count_rows(&app, "customer").await, 2);
}
