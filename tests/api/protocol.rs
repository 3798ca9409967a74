//! JSON-RPC ids and bodies at the edges of the spec (issue 17): every id is
//! answered as sent, what is not a request answers -32600 and runs nothing,
//! and every error object carries `data.ERRORS`.

use serde_json::{Value, json};

use crate::helpers::{count_rows, spawn_app, spawn_app_with};

const CREATE: &str = r#""method":"customer.create","params":{"DATA":{"LAST_NAME":"Edge"}}"#;

#[tokio::test]
async fn numeric_ids_jsonrpsee_cannot_hold_are_answered_exactly_as_sent() {
    let app = spawn_app().await;
    let client = app.admin().await;
    for id in ["-1", "1.5", "1e2", "-0", "18446744073709551616", "0"] {
        let body = format!(r#"{{"jsonrpc":"2.0","id":{id},{CREATE}}}"#);
        let response = client.post_raw("/rpc", &body, &[]).await;
        assert_eq!(response.status, 200, "{id}: {}", response.body);
        assert!(response.body.contains(&format!(r#""id":{id}"#)), "{id}: {}", response.body);
        assert_eq!(response.json()["result"]["STATUS"], "success", "{id}");
    }
    assert_eq!(count_rows(&app, "customer").await, 6);
    let batch =
        format!(r#"[{{"jsonrpc":"2.0","id":-5,{CREATE}}},{{"jsonrpc":"2.0","id":2.25,"method":"system.ping"}}]"#);
    let response = client.post_raw("/rpc", &batch, &[]).await;
    assert!(response.body.contains(r#""id":-5"#) && response.body.contains(r#""id":2.25"#), "{}", response.body);
}

#[tokio::test]
async fn object_array_boolean_and_duplicate_ids_answer_invalid_request_and_run_nothing() {
    let app = spawn_app().await;
    let client = app.admin().await;
    for id in ["{}", "[1]", "true", "1,\"id\":2"] {
        let body = format!(r#"{{"jsonrpc":"2.0","id":{id},{CREATE}}}"#);
        let response = client.post_raw("/rpc", &body, &[]).await;
        let answer = response.json();
        assert_eq!((response.status, answer["error"]["code"].clone()), (200, json!(-32600)), "{id}: {answer}");
        assert_eq!(answer["id"], Value::Null, "{id}");
        assert!(answer["error"]["data"]["ERRORS"].is_array(), "{id}: {answer}");
    }
    let batch =
        format!(r#"[{{"jsonrpc":"2.0","id":true,{CREATE}}},{{"jsonrpc":"2.0","id":3,"method":"system.ping"}}]"#);
    let answer = client.post_raw("/rpc", &batch, &[]).await.json();
    assert_eq!(answer[0]["error"]["code"], -32600, "{answer}");
    assert_eq!(answer[1]["result"]["STATUS"], "success", "{answer}");
    assert_eq!(count_rows(&app, "customer").await, 0);
}

#[tokio::test]
async fn json_that_is_not_a_request_answers_invalid_request_not_parse_error() {
    let app = spawn_app().await;
    let client = app.admin().await;
    for body in [r#""customer.get""#, "42", "null", "true", "{}", r#"{"jsonrpc":"2.0","method":1,"params":"bar"}"#] {
        let answer = client.post_raw("/rpc", body, &[]).await.json();
        assert_eq!((answer["error"]["code"].clone(), answer["id"].clone()), (json!(-32600), Value::Null), "{body}");
    }
    let parse = client.post_raw("/rpc", "{nope", &[]).await.json();
    assert_eq!(parse["error"]["code"], -32700);
    assert!(parse["error"]["data"]["ERRORS"].is_array(), "{parse}");
    let unknown = client.post_raw("/rpc", r#"{"jsonrpc":"2.0","id":1,"method":"no.such"}"#, &[]).await.json();
    assert_eq!(unknown["error"]["code"], -32601);
    assert_eq!(unknown["error"]["data"]["ERRORS"][0], "method not found", "{unknown}");
}

#[tokio::test]
async fn a_chunked_body_over_the_limit_answers_413_and_wrong_method_or_type_answer_json() {
    let app = spawn_app_with(|s| s.server.max_body_bytes = 2048).await;
    let client = app.admin().await;
    let big = format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"customer.create","params":{{"DATA":{{"LAST_NAME":"{}"}}}}}}"#,
        "x".repeat(4096)
    );
    let response = client.post_raw("/rpc", &big, &[("transfer-encoding", "chunked")]).await;
    assert_eq!(response.status, 413, "{}", response.body);
    assert_eq!(response.json()["error"]["data"]["ERRORS"].as_array().map(Vec::len), Some(1));
    let get = client.get_raw("/rpc").await;
    assert_eq!((get.status, get.json()["error"]["code"].clone()), (405, json!(-32600)));
    for refused in ["text/plain", "application/json; charset=latin1"] {
        let text = client.post_raw("/rpc", "{}", &[("content-type", refused)]).await;
        assert_eq!((text.status, text.json()["error"]["code"].clone()), (415, json!(-32600)), "{refused}");
    }
    let ping = r#"{"jsonrpc":"2.0","id":1,"method":"system.ping"}"#;
    for accepted in
        ["application/json; charset=utf-8", "Application/JSON;charset=\"UTF-8\"", "application/json;charset=utf8"]
    {
        let answer = client.post_raw("/rpc", ping, &[("content-type", accepted)]).await;
        assert_eq!((answer.status, answer.json()["result"]["STATUS"].clone()), (200, json!("success")), "{accepted}");
    }
    assert_eq!(count_rows(&app, "customer").await, 0);
}

#[tokio::test]
async fn migrating_an_up_to_date_database_logs_no_notices() {
    // On PostgreSQL the migrator's CREATE TABLE IF NOT EXISTS used to log
    // `relation "seaql_migrations" already exists` on every start.
    let app = spawn_app().await;
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_recur"))
        .arg("migrate")
        .env("RECUR_CONFIG_DIR", concat!(env!("CARGO_MANIFEST_DIR"), "/config"))
        .env("RECUR__DATABASE__URL", &app.database_url)
        .env_remove("RUST_LOG")
        .output()
        .expect("run recur migrate");
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{log}");
    assert!(!log.contains("already exists"), "{log}");
}
