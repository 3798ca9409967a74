//! Transport, auth, envelope and error mapping.

use serde_json::json;

use crate::helpers::{count_rows, spawn_app, spawn_app_with};

#[tokio::test]
async fn health_answers_ok_without_a_key() {
    let app = spawn_app().await;
    let response = app.client_with_auth(None).get_raw("/health").await;
    assert_eq!(response.status, 200);
    assert_eq!(response.json(), json!({"status": "ok"}));
}

#[tokio::test]
async fn ping_answers_the_tenant_and_its_clock() {
    let app = spawn_app().await;
    let tenant = app.test_tenant("clocked", "2024-01-31 00:00:00").await;
    let pong = app.client(&tenant.key).ok("system.ping", json!({})).await;
    assert_eq!(pong, json!({"STATUS": "success", "TENANT_ID": tenant.id, "NOW": "2024-01-31 00:00:00"}));
}

#[tokio::test]
async fn metrics_count_calls_and_errors_per_method() {
    let app = spawn_app().await;
    let client = app.admin().await;
    client.ok("system.ping", json!({})).await;
    client.err("customer.update", json!({"DATA": {"CUSTOMER_ID": 999}})).await;
    let metrics = app.client_with_auth(None).get_raw("/metrics").await;
    assert_eq!(metrics.status, 200);
    assert!(metrics.body.contains(r#"recur_rpc_calls_total{method="system.ping"} 1"#), "{}", metrics.body);
    assert!(metrics.body.contains(r#"recur_rpc_errors_total{method="customer.update",code="1004"} 1"#));
    assert!(metrics.body.contains(r#"recur_rpc_duration_seconds_count{method="system.ping"} 1"#));
}

#[tokio::test]
async fn a_missing_key_answers_401_with_the_jsonrpc_body() {
    let app = spawn_app().await;
    let body = r#"{"jsonrpc":"2.0","id":1,"method":"system.ping"}"#;
    let response = app.client_with_auth(None).post_raw("/rpc", body, &[]).await;
    assert_eq!(response.status, 401);
    assert_eq!(response.json(), json!({"jsonrpc":"2.0","id":null,"error":{"code":1001,"message":"unauthorized"}}));
    assert!(response.headers.contains_key("www-authenticate"));
}

#[tokio::test]
async fn malformed_wrong_and_foreign_prefix_keys_answer_401() {
    let app = spawn_app().await;
    let tenant = app.tenant("shop").await;
    let (lookup, secret) = tenant.key.trim_start_matches("rk_live_").split_once('_').expect("key shape");
    let wrong_secret = format!("rk_live_{lookup}_{}", "x".repeat(secret.len()));
    let unknown_id = format!("rk_live_{}_{secret}", "a".repeat(lookup.len()));
    let test_prefix = tenant.key.replacen("rk_live_", "rk_test_", 1);
    let body = r#"{"jsonrpc":"2.0","id":1,"method":"system.ping"}"#;
    for auth in [
        "Bearer nonsense",
        "Bearer",
        "Token abc",
        &format!("Bearer {wrong_secret}"),
        &format!("Bearer {unknown_id}"),
        &format!("Bearer {test_prefix}"),
    ] {
        let response = app.client_with_auth(Some(auth)).post_raw("/rpc", body, &[]).await;
        assert_eq!(response.status, 401, "{auth}");
        assert_eq!(response.json()["error"]["code"], 1001);
    }
    // The right key still works after a wrong secret for the same key id.
    app.client(&tenant.key).ok("system.ping", json!({})).await;
}

#[tokio::test]
async fn bearer_and_basic_auth_both_work() {
    let app = spawn_app().await;
    let tenant = app.tenant("shop").await;
    let a = app.client(&tenant.key).ok("system.ping", json!({})).await;
    let b = app.basic_client(&tenant.key).ok("system.ping", json!({})).await;
    assert_eq!(a["TENANT_ID"], b["TENANT_ID"]);
}

#[tokio::test]
async fn a_key_in_the_query_string_is_refused() {
    let app = spawn_app().await;
    let tenant = app.tenant("shop").await;
    let body = r#"{"jsonrpc":"2.0","id":1,"method":"system.ping"}"#;
    let response = app.client_with_auth(None).post_raw(&format!("/rpc?api_key={}", tenant.key), body, &[]).await;
    assert_eq!(response.status, 401);
    // Even with a good header, a key in the URL is refused.
    let response = app.client(&tenant.key).post_raw(&format!("/rpc?x={}", tenant.key), body, &[]).await;
    assert_eq!(response.status, 401);
}

#[tokio::test]
async fn post_to_the_root_path_is_the_same_endpoint() {
    let app = spawn_app().await;
    let tenant = app.tenant("shop").await;
    let response =
        app.client(&tenant.key).post_raw("/", r#"{"jsonrpc":"2.0","id":7,"method":"system.ping"}"#, &[]).await;
    assert_eq!(response.status, 200);
    assert_eq!(response.json()["id"], 7);
    assert_eq!(response.json()["result"]["STATUS"], "success");
}

#[tokio::test]
async fn protocol_errors_map_to_their_codes() {
    let app = spawn_app().await;
    let client = app.admin().await;
    let parse = client.post_raw("/rpc", "{not json", &[]).await.json();
    assert_eq!(parse["error"]["code"], -32700);
    let invalid = client.post_raw("/rpc", r#"{"jsonrpc":"2.0","id":1}"#, &[]).await.json();
    assert_eq!(invalid["error"]["code"], -32600);
    let unknown = client.err("customer.frobnicate", json!({})).await;
    assert_eq!(unknown.code, -32601);
    let positional =
        client.post_raw("/rpc", r#"{"jsonrpc":"2.0","id":1,"method":"customer.get","params":[1,2]}"#, &[]).await.json();
    assert_eq!(positional["error"]["code"], -32602);
    let unknown_key = client.err("customer.get", json!({"FILTERS": {}})).await;
    assert_eq!((unknown_key.code, unknown_key.tag()), (-32602, Some("FILTERS")));
}

#[tokio::test]
async fn a_request_with_a_null_id_is_a_call_and_is_answered() {
    let app = spawn_app().await;
    let client = app.admin().await;
    let response = client.post_raw("/rpc", r#"{"jsonrpc":"2.0","id":null,"method":"system.ping"}"#, &[]).await;
    assert_eq!(response.json()["result"]["STATUS"], "success");
}

#[tokio::test]
async fn a_notification_runs_and_answers_nothing() {
    let app = spawn_app().await;
    let client = app.admin().await;
    let body = r#"{"jsonrpc":"2.0","method":"customer.create","params":{"DATA":{"LAST_NAME":"Quiet"}}}"#;
    let response = client.post_raw("/rpc", body, &[]).await;
    assert_eq!(response.status, 204);
    assert_eq!(response.body, "");
    let found = client.ok("customer.get", json!({"FILTER": {"TERM": "quiet"}})).await;
    assert_eq!(found["CUSTOMERS"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn a_body_over_the_limit_answers_413() {
    let app = spawn_app_with_body_limit(2048).await;
    let client = app.admin().await;
    let big = format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"customer.create","params":{{"DATA":{{"LAST_NAME":"{}"}}}}}}"#,
        "x".repeat(4096)
    );
    let response = client.post_raw("/rpc", &big, &[]).await;
    assert_eq!(response.status, 413);
    assert_eq!(count_rows(&app, "customer").await, 0);
}

async fn spawn_app_with_body_limit(bytes: u32) -> crate::helpers::TestApp {
    crate::helpers::spawn_app_with(|s| s.server.max_body_bytes = bytes).await
}

/// An article.create body whose FEATURES nest `levels` lists deep: the body
/// object, params and DATA are three levels more.
fn article_with_features_nested(number: &str, levels: usize) -> String {
    let deep = format!("{}1{}", "[".repeat(levels), "]".repeat(levels));
    format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"article.create","params":{{"DATA":{{"ARTICLE_NUMBER":"{number}","TITLE":"T","UNIT_PRICE":1,"FEATURES":{deep}}}}}}}"#
    )
}

#[tokio::test]
async fn a_body_nested_64_levels_deep_is_accepted_and_65_refused() {
    let app = spawn_app().await;
    let client = app.admin().await;
    // 64 levels: body {, params {, DATA {, and 61 lists.
    let accepted = client.post_raw("/rpc", &article_with_features_nested("D64", 61), &[]).await;
    assert_eq!(
        (accepted.status, accepted.json()["result"]["STATUS"].clone()),
        (200, json!("success")),
        "{}",
        accepted.body
    );
    let stored = client.ok("article.get", json!({"FILTER": {"ARTICLE_NUMBER": "D64"}})).await;
    let mut features = &stored["ARTICLES"][0]["FEATURES"];
    for _ in 0..61 {
        features = &features[0];
    }
    assert_eq!(*features, json!(1), "all 61 levels are stored");
    let refused = client.post_raw("/rpc", &article_with_features_nested("D65", 62), &[]).await.json();
    assert_eq!(refused["error"]["code"], -32600, "{refused}");
    assert_eq!(refused["error"]["message"], "invalid request: JSON nested deeper than 64 levels");
    let deeper = format!("{}1{}", "[".repeat(70), "]".repeat(70));
    let body = format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"customer.create","params":{{"DATA":{{"X_ATTRIBUTES":{deeper}}}}}}}"#
    );
    let response = client.post_raw("/rpc", &body, &[]).await.json();
    assert_eq!(response["error"]["code"], -32600, "{response}");
    assert_eq!(count_rows(&app, "article").await, 1);
    assert_eq!(count_rows(&app, "customer").await, 0);
}

#[tokio::test]
async fn limit_is_capped_and_checked() {
    let app = spawn_app().await;
    let client = app.admin().await;
    let over = client.err("customer.get", json!({"LIMIT": 1001})).await;
    assert_eq!((over.code, over.tag()), (-32602, Some("LIMIT")));
    let zero = client.err("customer.get", json!({"LIMIT": 0})).await;
    assert_eq!(zero.code, -32602);
    let negative = client.err("customer.get", json!({"OFFSET": -1})).await;
    assert_eq!((negative.code, negative.tag()), (-32602, Some("OFFSET")));
    // 1001 customers, in batches of 100 (one write-queue group each).
    for batch in 0..11 {
        let entries: Vec<serde_json::Value> = (0..100)
            .filter(|i| batch * 100 + i < 1001)
            .map(|i| {
                let n = batch * 100 + i + 1;
                crate::helpers::request(n, "customer.create", json!({"DATA": {"LAST_NAME": format!("C{n:04}")}}))
            })
            .collect();
        client.batch(&entries).await;
    }
    assert_eq!(count_rows(&app, "customer").await, 1001);
    let names = |v: serde_json::Value| -> Vec<String> {
        v["CUSTOMERS"]
            .as_array()
            .expect("list")
            .iter()
            .map(|c| c["LAST_NAME"].as_str().unwrap_or("").to_owned())
            .collect()
    };
    let page = names(client.ok("customer.get", json!({"LIMIT": 1000})).await);
    assert_eq!(page.len(), 1000);
    assert_eq!((page[0].as_str(), page[999].as_str()), ("C0001", "C1000"));
    assert_eq!(names(client.ok("customer.get", json!({"LIMIT": 1000, "OFFSET": "1000"})).await), vec!["C1001"]);
    assert_eq!(names(client.ok("customer.get", json!({"LIMIT": "1000", "OFFSET": 5})).await).len(), 996);
}

#[tokio::test]
async fn dry_run_and_idempotency_keys_are_for_writes_only() {
    let app = spawn_app().await;
    let client = app.admin().await;
    let err = client.err("customer.get", json!({"DRY_RUN": true})).await;
    assert_eq!((err.code, err.tag()), (-32602, Some("DRY_RUN")));
    let err = client.err("customer.create", json!({"DATA": {"LAST_NAME": "A"}, "LIMIT": 5})).await;
    assert_eq!((err.code, err.tag()), (-32602, Some("LIMIT")));
}

#[tokio::test]
async fn internal_errors_answer_a_generic_message_without_database_text() {
    let app = spawn_app().await;
    let client = app.admin().await;
    let db = &app.state.db.write;
    use sea_orm::ConnectionTrait;
    db.execute(sea_orm::Statement::from_string(db.get_database_backend(), "DROP TABLE article"))
        .await
        .expect("drop table");
    let err = client.err("article.get", json!({})).await;
    assert_eq!(err.code, -32603);
    assert_eq!(err.message, "internal error");
    assert_eq!(err.data, json!({"ERRORS": ["internal error"]}));
}

#[tokio::test]
async fn the_rate_limit_answers_429_for_single_calls_and_1029_per_batch_entry() {
    let app = crate::helpers::spawn_app_with(|s| {
        s.server.rate_limit_per_second = 1;
        s.server.rate_limit_burst = 3;
    })
    .await;
    let client = app.admin().await;
    let ping = r#"{"jsonrpc":"2.0","id":1,"method":"system.ping"}"#;
    for _ in 0..3 {
        assert_eq!(client.post_raw("/rpc", ping, &[]).await.status, 200);
    }
    let limited = client.post_raw("/rpc", ping, &[]).await;
    assert_eq!(limited.status, 429);
    // One call a second: the next token is at most a second away.
    assert_eq!(limited.headers["retry-after"], "1");
    assert_eq!(limited.json()["error"]["code"], 1029);
    // Waiting what Retry-After says is enough.
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    assert_eq!(client.post_raw("/rpc", ping, &[]).await.status, 200, "Retry-After was honest");
    let other = app.admin().await;
    let batch: Vec<serde_json::Value> = (1..=5).map(|i| crate::helpers::request(i, "system.ping", json!({}))).collect();
    let answer = other.post_raw("/rpc", &serde_json::Value::Array(batch).to_string(), &[]).await;
    assert_eq!(answer.status, 200, "a batch is answered; its entries carry the refusals");
    let codes: Vec<serde_json::Value> =
        answer.json().as_array().expect("list").iter().map(|e| e["error"]["code"].clone()).collect();
    assert_eq!(codes, vec![json!(null), json!(null), json!(null), json!(1029), json!(1029)]);
}

#[tokio::test]
async fn health_answers_503_once_the_postgres_database_is_gone_on_postgres() {
    if !crate::helpers::on_postgres() {
        return crate::helpers::skip(
            "health_answers_503_once_the_postgres_database_is_gone_on_postgres",
            "drops the PostgreSQL database; see the _on_sqlite test",
        );
    }
    let app = spawn_app().await;
    let probe = app.client_with_auth(None);
    assert_eq!(probe.get_raw("/health").await.status, 200);
    let admin_url = std::env::var("RECUR_TEST_DATABASE_URL").expect("on PostgreSQL");
    let name = app.database_url.rsplit('/').next().and_then(|n| n.split('?').next()).expect("database name").to_owned();
    let admin = sea_orm::Database::connect(admin_url.as_str()).await.expect("admin connection");
    use sea_orm::ConnectionTrait;
    let drop = format!("DROP DATABASE \"{name}\" WITH (FORCE)");
    admin.execute(sea_orm::Statement::from_string(admin.get_database_backend(), drop)).await.expect("drop");
    let down = probe.get_raw("/health").await;
    assert_eq!((down.status, down.json()), (503, json!({"status": "unavailable"})));
}

#[tokio::test]
async fn health_answers_503_once_the_database_file_is_not_a_database_on_sqlite() {
    if crate::helpers::on_postgres() {
        return crate::helpers::skip(
            "health_answers_503_once_the_database_file_is_not_a_database_on_sqlite",
            "overwrites the SQLite file; see the _on_postgres test",
        );
    }
    // No background checkpoint: it would copy WAL pages back over the zeroed file.
    let app = spawn_app_with(|s| s.database.sqlite_checkpoint_ms = 0).await;
    let client = app.admin().await;
    client.ok("system.ping", json!({})).await; // the key is verified and cached
    let probe = app.client_with_auth(None);
    assert_eq!(probe.get_raw("/health").await.status, 200);
    let path = app.database_url.trim_start_matches("sqlite://").split('?').next().expect("path").to_owned();
    std::fs::write(&path, vec![0u8; 8192]).expect("overwrite the database file");
    let _ = std::fs::remove_file(format!("{path}-wal"));
    // (A pooled connection may still answer a read from its page cache for a
    // moment; /health must not be fooled by that.)
    let down = probe.get_raw("/health").await;
    assert_eq!((down.status, down.json()), (503, json!({"status": "unavailable"})));
}

#[tokio::test]
async fn metrics_count_billing_runs_invoices_and_closures() {
    let app = spawn_app().await;
    let t = app.test_tenant("shop", "2025-01-01").await;
    let client = app.client(&t.key);
    crate::fixtures::article(&client, "P", "10", "0", json!({})).await;
    let c = crate::fixtures::customer(&client).await;
    crate::fixtures::subscribe(&client, c, "P", json!({})).await;
    crate::fixtures::subscribe(&client, c, "P", json!({"CANCELLATION_DATE": "2025-02-15"})).await;
    crate::fixtures::subscribe(&client, c, "P", json!({"START_DATE": "2025-02-10"})).await;
    // Up to Mar 1: the first bills Feb 1 and Mar 1, the second Feb 1 and closes on
    // Feb 15, the third starts and bills on Feb 10: 4 invoices, 1 closed.
    let dry = client.ok("billing.run", json!({"DATA": {"NOW": "2025-03-01"}, "DRY_RUN": true})).await;
    assert_eq!((dry["INVOICES_CREATED"].clone(), dry["SUBSCRIPTIONS_CLOSED"].clone()), (json!(4), json!(1)));
    let run = crate::fixtures::advance(&client, "2025-03-01").await;
    assert_eq!((run["INVOICES_CREATED"].clone(), run["SUBSCRIPTIONS_CLOSED"].clone()), (json!(4), json!(1)));
    crate::fixtures::advance(&client, "2025-03-01").await;
    app.admin().await.ok("billing.run", json!({})).await;
    let metrics = app.client_with_auth(None).get_raw("/metrics").await.body;
    // Three real runs (a dry run is not counted), four invoices, one closure.
    for line in ["recur_billing_runs_total 3", "recur_billing_invoices_total 4", "recur_billing_closed_total 1"] {
        assert!(metrics.lines().any(|l| l == line), "{line} missing in\n{metrics}");
    }
    assert!(metrics.contains("# TYPE recur_billing_runs_total counter"), "{metrics}");
    assert!(metrics.contains(r#"recur_rpc_calls_total{method="billing.run"} 4"#), "{metrics}");
}

#[tokio::test]
async fn basic_auth_with_a_wrong_or_malformed_key_answers_401() {
    let app = spawn_app().await;
    let tenant = app.tenant("shop").await;
    let (lookup, secret) = tenant.key.trim_start_matches("rk_live_").split_once('_').expect("key shape");
    let wrong = format!("rk_live_{lookup}_{}", "y".repeat(secret.len()));
    let ping = r#"{"jsonrpc":"2.0","id":1,"method":"system.ping"}"#;
    let basic = |credentials: &str| {
        use base64::Engine;
        format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(credentials))
    };
    for auth in [
        basic(&format!("shop@example.com:{wrong}")),
        basic("shop@example.com:"),
        basic(&format!("shop@example.com{}", tenant.key)),
        basic(&format!("{}:shop@example.com", tenant.key)),
        "Basic not-base64!".to_owned(),
        "Basic".to_owned(),
    ] {
        let response = app.client_with_auth(Some(&auth)).post_raw("/rpc", ping, &[]).await;
        assert_eq!(response.status, 401, "{auth}");
        assert_eq!(response.json(), json!({"jsonrpc":"2.0","id":null,"error":{"code":1001,"message":"unauthorized"}}));
    }
    // The right key over Basic still works after the wrong ones.
    assert_eq!(app.basic_client(&tenant.key).ok("system.ping", json!({})).await["TENANT_ID"], tenant.id);
}

#[tokio::test]
async fn ready_answers_once_migrated_with_workers_running() {
    let app = spawn_app().await;
    let probe = app.client_with_auth(None);
    let ready = probe.get_raw("/ready").await;
    assert_eq!((ready.status, ready.json()), (200, json!({"status": "ready"})));
    app.state.ready.store(false, std::sync::atomic::Ordering::Release);
    let stopping = probe.get_raw("/ready").await;
    assert_eq!(stopping.status, 503);
    assert_eq!(probe.get_raw("/health").await.status, 200, "health stays about the database only");
}
