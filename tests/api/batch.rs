//! JSON-RPC batches: order, independence, notifications, limits.

use serde_json::{Value, json};

use crate::fixtures::{article, customer, subscribe};
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

#[tokio::test]
async fn grouped_creates_keep_batch_order_and_fail_one_by_one() {
    let app = spawn_app().await;
    let client = app.admin().await;
    let answer = client
        .batch(&[
            request(1, "customer.create", json!({"DATA": {"LAST_NAME": "A", "CUSTOMER_EXT_UID": "x-1"}})),
            request(2, "customer.create", json!({"DATA": {"LAST_NAME": "B"}})),
            request(3, "customer.create", json!({"DATA": {"LAST_NAME": "C", "CUSTOMER_EXT_UID": "x-1"}})),
            request(4, "customer.create", json!({"DATA": {"LAST_NAME": "D", "NO_SUCH_TAG": 1}})),
            request(5, "customer.create", json!({"DATA": {"LAST_NAME": "E"}})),
        ])
        .await;
    let number = |id| by_id(&answer, id)["result"]["CUSTOMER_NUMBER"].as_i64().expect("CUSTOMER_NUMBER");
    assert!(number(1) < number(2) && number(2) < number(5), "numbers follow the batch order: {answer}");
    assert_eq!(by_id(&answer, 3)["error"]["code"], 1009, "a duplicate inside the group: {answer}");
    assert_eq!(by_id(&answer, 4)["error"]["data"]["TAG"], "NO_SUCH_TAG");
    assert_eq!(count_rows(&app, "customer").await, 3);
    let listed = client.ok("customer.get", json!({"FILTER": {"CUSTOMER_EXT_UID": "x-1"}})).await;
    assert_eq!(listed["CUSTOMERS"][0]["LAST_NAME"], "A", "the first of two duplicates wins");
}

/// A grouped create numbers its customers and writes their events in one
/// statement on PostgreSQL (`service::customer::numbered`): each customer
/// gets one `customer.created` event carrying its own number, in batch order.
#[tokio::test]
async fn grouped_creates_write_one_event_per_customer_with_its_number() {
    use sea_orm::{ConnectionTrait, Statement};
    let app = spawn_app().await;
    let client = app.admin().await;
    client.ok("customer.create", json!({"DATA": {"LAST_NAME": "first"}})).await;
    let calls: Vec<Value> =
        (1..=30).map(|i| request(i, "customer.create", json!({"DATA": {"LAST_NAME": format!("C{i:02}")}}))).collect();
    let answer = client.batch(&calls).await;
    let created: Vec<(i64, i64)> = (1..=30)
        .map(|i| {
            let r = &by_id(&answer, i)["result"];
            (r["CUSTOMER_ID"].as_i64().expect("CUSTOMER_ID"), r["CUSTOMER_NUMBER"].as_i64().expect("CUSTOMER_NUMBER"))
        })
        .collect();
    assert_eq!(created.iter().map(|c| c.1).collect::<Vec<_>>(), (2..=31).collect::<Vec<i64>>(), "{answer}");
    let db = &app.state.db.read;
    let sql = "SELECT subject_id, data FROM event WHERE event_type = 'customer.created' ORDER BY id";
    let rows = db.query_all(Statement::from_string(db.get_database_backend(), sql)).await.expect("events");
    let events: Vec<(i64, i64)> = rows
        .iter()
        .map(|row| {
            let data: Value = row.try_get("", "data").expect("data");
            (row.try_get("", "subject_id").expect("subject_id"), data["CUSTOMER_NUMBER"].as_i64().expect("number"))
        })
        .skip(1)
        .collect();
    assert_eq!(events, created, "one event per customer, with its number, in batch order");
    let listed = client.ok("customer.get", json!({"FILTER": {"CUSTOMER_NUMBER": 17}})).await;
    assert_eq!(listed["CUSTOMERS"][0]["LAST_NAME"], "C16");
}

#[tokio::test]
async fn grouped_usage_bookings_answer_each_entry() {
    let app = spawn_app().await;
    let t = app.test_tenant("shop", "2024-01-01").await;
    let client = app.client(&t.key);
    article(&client, "P", "10", "19", json!({})).await;
    article(&client, "CALL", "0.0125", "19", json!({})).await;
    let c = customer(&client).await;
    let id = subscribe(&client, c, "P", json!({})).await["SUBSCRIPTION_ID"].clone();
    let book = |n: i64, data: Value| request(n, "subscription.setusagedata", json!({ "DATA": data }));
    let answer = client
        .batch(&[
            book(1, json!({"SUBSCRIPTION_ID": id, "ARTICLE_NUMBER": "CALL", "QUANTITY": "1.5"})),
            book(2, json!({"SUBSCRIPTION_ID": 999_999, "ARTICLE_NUMBER": "CALL", "QUANTITY": 1})),
            book(3, json!({"SUBSCRIPTION_ID": id, "ARTICLE_NUMBER": "NOPE", "QUANTITY": 1})),
            book(4, json!({"SUBSCRIPTION_ID": id, "ARTICLE_NUMBER": "CALL", "QUANTITY": "12345678.0001"})),
        ])
        .await;
    assert_eq!(by_id(&answer, 1)["result"]["STATUS"], "success", "{answer}");
    assert_eq!(by_id(&answer, 2)["error"]["code"], 1004);
    assert_eq!(by_id(&answer, 2)["error"]["data"]["TAG"], "SUBSCRIPTION_ID");
    assert_eq!(by_id(&answer, 3)["error"]["data"]["TAG"], "ARTICLE_NUMBER");
    let listed = client.ok("subscription.getusagedata", json!({"FILTER": {"SUBSCRIPTION_ID": id}})).await;
    let quantities: Vec<&Value> =
        listed["USAGEDATA"].as_array().expect("list").iter().map(|u| &u["QUANTITY"]).collect();
    assert_eq!(quantities, vec![&json!("1.5"), &json!("12345678.0001")]);
    let timeline = client.ok("subscription.gettimeline", json!({"FILTER": {"SUBSCRIPTION_ID": id}})).await;
    let booked = timeline.to_string().matches("subscription.usage_recorded").count();
    assert_eq!(booked, 2, "one timeline event per booking: {timeline}");
}
