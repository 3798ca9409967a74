//! `key.*`, scopes, revocation and the operator CLI.

use serde_json::json;

use crate::helpers::{spawn_app, spawn_app_with};

#[tokio::test]
async fn a_default_key_works_but_cannot_manage_keys() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let created = admin.ok("key.create", json!({"DATA": {"NOTE": "shop plugin"}})).await;
    let key = created["API_KEY"].as_str().expect("key shown once").to_owned();
    assert!(key.starts_with("rk_live_"));
    assert_eq!(created["SCOPE"], "default");
    let plugin = app.client(&key);
    plugin.ok("customer.create", json!({"DATA": {"LAST_NAME": "P"}})).await;
    for method in ["key.create", "key.get", "key.revoke"] {
        let err = plugin.err(method, json!({})).await;
        assert_eq!(err.code, 1003, "{method}");
    }
    let listed = admin.ok("key.get", json!({})).await;
    let keys = listed["KEYS"].as_array().expect("KEYS");
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[1]["NOTE"], "shop plugin");
    assert_eq!(keys[1]["SCOPE"], "default");
    let hint = keys[1]["HINT"].as_str().expect("hint");
    assert!(hint.starts_with("rk_live_") && !key.contains(hint) && hint.len() < key.len());
    assert!(!listed.to_string().contains(&key), "the key is never shown again");
}

#[tokio::test]
async fn a_revoked_key_fails_on_the_next_call() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let created = admin.ok("key.create", json!({"DATA": {"SCOPE": "admin"}})).await;
    let other = app.client(created["API_KEY"].as_str().expect("key"));
    other.ok("system.ping", json!({})).await; // now cached
    admin.ok("key.revoke", json!({"DATA": {"KEY_ID": created["KEY_ID"]}})).await;
    let response = other.post_raw("/rpc", r#"{"jsonrpc":"2.0","id":1,"method":"system.ping"}"#, &[]).await;
    assert_eq!(response.status, 401);
    let again = admin.err("key.revoke", json!({"DATA": {"KEY_ID": created["KEY_ID"]}})).await;
    assert_eq!((again.code, again.tag()), (1009, Some("KEY_ID")));
    let missing = admin.err("key.revoke", json!({"DATA": {"KEY_ID": 9999}})).await;
    assert_eq!((missing.code, missing.tag()), (1004, Some("KEY_ID")));
    let listed = admin.ok("key.get", json!({})).await;
    assert!(listed["KEYS"][1]["REVOKED"].is_string());
}

#[tokio::test]
async fn dry_run_key_create_shows_no_key_and_stores_none() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let dry = admin.ok("key.create", json!({"DATA": {}, "DRY_RUN": true})).await;
    assert_eq!((dry["KEY_ID"].clone(), dry["API_KEY"].clone()), (json!(null), json!(null)));
    assert_eq!(admin.ok("key.get", json!({})).await["KEYS"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn test_tenants_get_rk_test_keys() {
    let app = spawn_app().await;
    let tenant = app.test_tenant("sandbox", "2024-01-01").await;
    assert!(tenant.key.starts_with("rk_test_"));
    let created = app.client(&tenant.key).ok("key.create", json!({})).await;
    assert!(created["API_KEY"].as_str().is_some_and(|k| k.starts_with("rk_test_")));
}

#[tokio::test]
async fn the_cli_creates_tenants_and_keys_that_the_gateway_accepts() {
    // The CLI works on the running gateway's database, as an operator's would
    // (a SQLite file shared by two processes, or the PostgreSQL database).
    let app = spawn_app_with(|s| s.auth.key_cache_ttl_seconds = 1).await;
    let url = app.database_url.clone();
    let run = |args: &[&str]| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_recur"))
            .args(args)
            .env("RECUR_CONFIG_DIR", concat!(env!("CARGO_MANIFEST_DIR"), "/config"))
            .env("RECUR__DATABASE__URL", &url)
            .env("RECUR__AUTH__ARGON2_MEMORY_KIB", "1024")
            .env("RECUR__AUTH__ARGON2_ITERATIONS", "1")
            .env("RECUR__LOG__LEVEL", "warn")
            .output()
            .expect("run recur");
        assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).expect("utf-8")
    };
    let line: serde_json::Value =
        serde_json::from_str(run(&["tenant", "create", "Shop", "--test", "--clock", "2024-01-31T00:00:00Z"]).trim())
            .expect("one JSON line");
    let tenant_id = line["TENANT_ID"].as_i64().expect("TENANT_ID");
    let admin_key = line["API_KEY"].as_str().expect("API_KEY").to_owned();
    let create_key = || -> (serde_json::Value, String) {
        let created: serde_json::Value =
            serde_json::from_str(run(&["key", "create", "--tenant", &tenant_id.to_string()]).trim()).expect("JSON");
        let key = created["API_KEY"].as_str().expect("API_KEY").to_owned();
        (created["KEY_ID"].clone(), key)
    };
    let (used_id, used_key) = create_key();
    let (unused_id, unused_key) = create_key();
    let pong = app.client(&admin_key).ok("system.ping", json!({})).await;
    assert_eq!(pong["NOW"], "2024-01-31 00:00:00");
    assert_eq!(app.client(&used_key).err("key.get", json!({})).await.code, 1003);

    run(&["key", "revoke", &used_id.to_string()]);
    run(&["key", "revoke", &unused_id.to_string()]);
    let ping = r#"{"jsonrpc":"2.0","id":1,"method":"system.ping"}"#;
    // A key the gateway never cached is refused at once.
    assert_eq!(app.client(&unused_key).post_raw("/rpc", ping, &[]).await.status, 401);
    // A key revoked by another process is refused once its cache entry expires (auth.key_cache_ttl_seconds).
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(app.client(&used_key).post_raw("/rpc", ping, &[]).await.status, 401);
}

#[tokio::test]
async fn many_concurrent_first_calls_with_a_new_key_all_succeed() {
    let app = crate::helpers::spawn_app_with(|s| s.auth.key_cache_ttl_seconds = 1).await;
    let admin = app.admin().await;
    let created = admin.ok("key.create", json!({})).await;
    let client = app.client(created["API_KEY"].as_str().expect("key"));
    for _round in 0..2 {
        let calls = (0..24).map(|_| client.call("system.ping", json!({})));
        for result in futures::future::join_all(calls).await {
            assert_eq!(result.expect("authenticated")["STATUS"], "success");
        }
        // Past the TTL the cached verdict is re-checked against the key row.
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    }
    admin.ok("key.revoke", json!({"DATA": {"KEY_ID": created["KEY_ID"]}})).await;
    let ping = r#"{"jsonrpc":"2.0","id":1,"method":"system.ping"}"#;
    assert_eq!(client.post_raw("/rpc", ping, &[]).await.status, 401);
}
