//! Idempotency keys and dry runs (API.md section 6), proven on customer.create.

use serde_json::json;

use crate::helpers::{count_rows, spawn_app};

#[tokio::test]
async fn a_replay_answers_the_stored_result_and_writes_nothing() {
    let app = spawn_app().await;
    let client = app.admin().await;
    let params = json!({"DATA": {"LAST_NAME": "Once"}, "IDEMPOTENCY_KEY": "order-1"});
    let first = client.ok("customer.create", params.clone()).await;
    let second = client.ok("customer.create", params).await;
    assert_eq!(first, second);
    assert_eq!(count_rows(&app, "customer").await, 1);
    // Tag case and order do not make a different call.
    let same = client.ok("customer.create", json!({"idempotency_key": "order-1", "data": {"last_name": "Once"}})).await;
    assert_eq!(first, same);
}

#[tokio::test]
async fn the_same_key_with_other_params_answers_1010() {
    let app = spawn_app().await;
    let client = app.admin().await;
    client.ok("customer.create", json!({"DATA": {"LAST_NAME": "A"}, "IDEMPOTENCY_KEY": "k"})).await;
    let err = client.err("customer.create", json!({"DATA": {"LAST_NAME": "B"}, "IDEMPOTENCY_KEY": "k"})).await;
    assert_eq!(err.code, 1010);
    let err =
        client.err("customer.update", json!({"DATA": {"CUSTOMER_ID": 1, "CITY": "X"}, "IDEMPOTENCY_KEY": "k"})).await;
    assert_eq!(err.code, 1010, "another method is other params");
    assert_eq!(count_rows(&app, "customer").await, 1);
}

#[tokio::test]
async fn keys_are_per_tenant() {
    let app = spawn_app().await;
    let a = app.admin().await;
    let b = app.admin().await;
    a.ok("customer.create", json!({"DATA": {"LAST_NAME": "A"}, "IDEMPOTENCY_KEY": "k"})).await;
    b.ok("customer.create", json!({"DATA": {"LAST_NAME": "B"}, "IDEMPOTENCY_KEY": "k"})).await;
    assert_eq!(count_rows(&app, "customer").await, 2);
}

#[tokio::test]
async fn a_refused_call_stores_nothing() {
    let app = spawn_app().await;
    let client = app.admin().await;
    let err = client.err("customer.create", json!({"DATA": {"EMAIL": "no-name@x.de"}, "IDEMPOTENCY_KEY": "k"})).await;
    assert_eq!(err.code, -32602);
    assert_eq!(count_rows(&app, "idempotency_record").await, 0);
    // The key is still free: a corrected call with the same key runs.
    client.ok("customer.create", json!({"DATA": {"LAST_NAME": "Fixed"}, "IDEMPOTENCY_KEY": "k"})).await;
    assert_eq!(count_rows(&app, "customer").await, 1);
}

#[tokio::test]
async fn concurrent_duplicates_create_one_customer() {
    let app = spawn_app().await;
    let client = app.admin().await;
    let params = json!({"DATA": {"LAST_NAME": "Race"}, "IDEMPOTENCY_KEY": "race-1"});
    let calls = (0..12).map(|_| client.call("customer.create", params.clone()));
    let results = futures::future::join_all(calls).await;
    let mut ids = Vec::new();
    for result in &results {
        match result {
            Ok(value) => ids.push(value["CUSTOMER_ID"].clone()),
            Err(err) => assert_eq!(err.code, 1011, "only 'still in progress' may refuse: {err:?}"),
        }
    }
    assert!(!ids.is_empty());
    assert!(ids.iter().all(|id| *id == ids[0]), "every success names the same customer: {ids:?}");
    assert_eq!(count_rows(&app, "customer").await, 1);
}

#[tokio::test]
async fn a_key_whose_first_call_is_still_running_answers_1011() {
    let app = spawn_app().await;
    let tenant = app.tenant("shop").await;
    let client = app.client(&tenant.key);
    let params = json!({"DATA": {"LAST_NAME": "Slow"}, "IDEMPOTENCY_KEY": "slow-1"});
    // Stand in for a first call that is mid-flight: claim the key as it would.
    let envelope = recur::rpc::envelope::Envelope::parse(
        Some(&params.to_string()),
        recur::rpc::envelope::EnvelopeLimits { max_depth: 64, max_limit: 1000 },
    )
    .expect("envelope");
    let tenant_id = recur::db::scope::TenantId::trusted_for_operator(tenant.id);
    let claim = recur::service::idempotency::claim(
        &app.state.db.write,
        &app.state.settings.idempotency,
        tenant_id,
        "slow-1",
        &envelope.fingerprint("customer.create"),
        app.state.clock.now(),
    )
    .await
    .expect("claim");
    assert!(matches!(claim, recur::service::idempotency::Claim::Fresh(_)));
    let err = client.err("customer.create", params).await;
    assert_eq!(err.code, 1011);
    assert_eq!(count_rows(&app, "customer").await, 0);
}

#[tokio::test]
async fn the_idempotency_key_header_works_for_single_calls() {
    let app = spawn_app().await;
    let client = app.admin().await;
    let body = r#"{"jsonrpc":"2.0","id":1,"method":"customer.create","params":{"DATA":{"LAST_NAME":"H"}}}"#;
    let first = client.post_raw("/rpc", body, &[("Idempotency-Key", "hdr-1")]).await.json();
    let second = client.post_raw("/rpc", body, &[("Idempotency-Key", "hdr-1")]).await.json();
    assert_eq!(first["result"], second["result"]);
    assert_eq!(count_rows(&app, "customer").await, 1);
}

#[tokio::test]
async fn a_dry_run_answers_what_would_be_and_changes_nothing() {
    let app = spawn_app().await;
    let client = app.admin().await;
    let dry = client.ok("customer.create", json!({"DATA": {"LAST_NAME": "Dry"}, "DRY_RUN": true})).await;
    assert_eq!(dry["STATUS"], "success");
    assert_eq!(dry["CUSTOMER_ID"], json!(null));
    assert_eq!(dry["CUSTOMER_NUMBER"], 1);
    assert_eq!(count_rows(&app, "customer").await, 0);
    assert_eq!(count_rows(&app, "event").await, 0);
    assert_eq!(count_rows(&app, "counter").await, 0);
    let invalid = client.err("customer.create", json!({"DATA": {}, "DRY_RUN": true})).await;
    assert_eq!(invalid.code, -32602, "a dry run validates like the real call");
    let real = client.ok("customer.create", json!({"DATA": {"LAST_NAME": "Wet"}})).await;
    assert_eq!(real["CUSTOMER_NUMBER"], 1, "the dry run consumed no number");
}
