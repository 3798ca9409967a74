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

#[tokio::test]
async fn keys_of_1_to_255_characters_are_accepted_and_others_refused() {
    let app = spawn_app().await;
    let client = app.admin().await;
    for key in ["k", &"k".repeat(255)] {
        let params = json!({"DATA": {"LAST_NAME": format!("L{}", key.len())}, "IDEMPOTENCY_KEY": key});
        let first = client.ok("customer.create", params.clone()).await;
        assert_eq!(client.ok("customer.create", params).await, first, "a {}-character key replays", key.len());
    }
    for key in [json!(""), json!("k".repeat(256)), json!(12), json!(["k"])] {
        let err = client.err("customer.create", json!({"DATA": {"LAST_NAME": "X"}, "IDEMPOTENCY_KEY": key})).await;
        assert_eq!((err.code, err.tag()), (-32602, Some("IDEMPOTENCY_KEY")), "{key}");
    }
    // The header takes the same keys for single calls.
    let body = r#"{"jsonrpc":"2.0","id":1,"method":"customer.create","params":{"DATA":{"LAST_NAME":"H"}}}"#;
    let long = "h".repeat(255);
    let first = client.post_raw("/rpc", body, &[("Idempotency-Key", &long)]).await.json();
    let again = client.post_raw("/rpc", body, &[("Idempotency-Key", &long)]).await.json();
    assert_eq!(first["result"], again["result"]);
    assert_eq!(count_rows(&app, "customer").await, 3);
}

#[tokio::test]
async fn a_key_of_255_multibyte_characters_is_accepted() {
    let app = spawn_app().await;
    let client = app.admin().await;
    let params = json!({"DATA": {"LAST_NAME": "U"}, "IDEMPOTENCY_KEY": "ä".repeat(255)});
    let first = client.ok("customer.create", params.clone()).await;
    assert_eq!(client.ok("customer.create", params).await, first);
}

#[tokio::test]
async fn an_idempotency_key_header_over_255_characters_is_refused() {
    let app = spawn_app().await;
    let client = app.admin().await;
    let body = r#"{"jsonrpc":"2.0","id":1,"method":"customer.create","params":{"DATA":{"LAST_NAME":"H"}}}"#;
    let answer = client.post_raw("/rpc", body, &[("Idempotency-Key", &"h".repeat(256))]).await.json();
    assert_eq!(answer["error"]["code"], -32602, "{answer}");
    assert_eq!(count_rows(&app, "customer").await, 0);
}

#[tokio::test]
async fn a_stored_result_answers_for_the_first_24_hours_of_a_test_clock() {
    let app = spawn_app().await;
    let t = app.test_tenant("shop", "2025-01-01").await;
    let client = app.client(&t.key);
    let params = json!({"DATA": {"LAST_NAME": "Once"}, "IDEMPOTENCY_KEY": "day-1"});
    let first = client.ok("customer.create", params.clone()).await;
    crate::fixtures::advance(&client, "2025-01-01 23:59:59").await;
    assert_eq!(client.ok("customer.create", params).await, first);
    let err = client.err("customer.create", json!({"DATA": {"LAST_NAME": "Other"}, "IDEMPOTENCY_KEY": "day-1"})).await;
    assert_eq!(err.code, 1010);
    assert_eq!(count_rows(&app, "customer").await, 1);
}

/// Keys protect against a client's retries in real time, so they are kept by
/// the wall clock also for test tenants: moving a test clock a day forward
/// does not make a retry run twice (the retention itself is tested by ageing
/// the record below).
#[tokio::test]
async fn a_test_clock_moved_24_hours_on_still_replays_a_key() {
    let app = spawn_app().await;
    let t = app.test_tenant("shop", "2025-01-01").await;
    let client = app.client(&t.key);
    let params = json!({"DATA": {"LAST_NAME": "Once"}, "IDEMPOTENCY_KEY": "day-1"});
    let first = client.ok("customer.create", params.clone()).await;
    crate::fixtures::advance(&client, "2025-01-02 00:00:01").await;
    let again = client.ok("customer.create", params).await;
    assert_eq!(again["CUSTOMER_ID"], first["CUSTOMER_ID"], "the stored result answers");
    assert_eq!(count_rows(&app, "customer").await, 1);
}

/// Moves the stored time of the record of `key` `minutes` into the past (by
/// the wall clock, which idempotency records are kept by).
async fn age_record(app: &crate::helpers::TestApp, key: &str, minutes: u32) {
    let sql = if crate::helpers::on_postgres() {
        format!(
            r#"UPDATE idempotency_record SET created = created - interval '{minutes} minutes' WHERE "key" = '{key}'"#
        )
    } else {
        format!(
            r#"UPDATE idempotency_record SET created = strftime('%Y-%m-%dT%H:%M:%S+00:00', created, '-{minutes} minutes') WHERE "key" = '{key}'"#
        )
    };
    crate::helpers::execute_sql(app, &sql).await;
}

#[tokio::test]
async fn a_stored_result_answers_for_24_hours_after_it_was_stored_and_no_longer() {
    let app = spawn_app().await;
    let client = app.admin().await;
    let params = json!({"DATA": {"LAST_NAME": "Day"}, "IDEMPOTENCY_KEY": "r-24"});
    let first = client.ok("customer.create", params.clone()).await;
    age_record(&app, "r-24", 24 * 60 - 1).await;
    assert_eq!(client.ok("customer.create", params.clone()).await, first, "23 h 59 min later it still answers");
    age_record(&app, "r-24", 2).await;
    let again = client.ok("customer.create", params.clone()).await;
    assert_ne!(again["CUSTOMER_ID"], first["CUSTOMER_ID"], "24 h 1 min later the key is a new call");
    assert_eq!(client.ok("customer.create", params).await, again, "whose result is stored in turn");
    assert_eq!(count_rows(&app, "customer").await, 2);
}

#[tokio::test]
async fn a_claim_left_pending_by_a_crashed_call_answers_1011_then_is_taken_over() {
    let app = spawn_app().await;
    let client = app.admin().await;
    let params = json!({"DATA": {"LAST_NAME": "Crash"}, "IDEMPOTENCY_KEY": "stale-1"});
    let first = client.ok("customer.create", params.clone()).await;
    // Make the record look like a claim whose call died before storing a result.
    crate::helpers::execute_sql(&app, r#"UPDATE idempotency_record SET response = NULL WHERE "key" = 'stale-1'"#).await;
    let err = client.err("customer.create", params.clone()).await;
    assert_eq!(err.code, 1011, "still in progress within the pending timeout (5 min)");
    age_record(&app, "stale-1", 10).await;
    let taken = client.ok("customer.create", params.clone()).await;
    assert_ne!(
        taken["CUSTOMER_ID"], first["CUSTOMER_ID"],
        "10 min later the stale claim is taken over and the call runs"
    );
    assert_eq!(client.ok("customer.create", params).await, taken, "and its result is stored");
    assert_eq!(count_rows(&app, "customer").await, 2);
}

/// Makes storing an idempotency result fail, as a crash between the write and
/// the store would.
async fn fail_storing_results(app: &crate::helpers::TestApp) {
    if crate::helpers::on_postgres() {
        crate::helpers::execute_sql(
            app,
            "CREATE FUNCTION fail_store() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'store failed'; END $$ LANGUAGE plpgsql",
        )
        .await;
        crate::helpers::execute_sql(
            app,
            "CREATE TRIGGER fail_store BEFORE UPDATE ON idempotency_record FOR EACH ROW \
             WHEN (NEW.response IS NOT NULL) EXECUTE FUNCTION fail_store()",
        )
        .await;
    } else {
        crate::helpers::execute_sql(
            app,
            "CREATE TRIGGER fail_store BEFORE UPDATE OF response ON idempotency_record \
             WHEN NEW.response IS NOT NULL BEGIN SELECT RAISE(ABORT, 'store failed'); END",
        )
        .await;
    }
}

#[tokio::test]
async fn a_write_whose_result_cannot_be_stored_changes_nothing() {
    let app = spawn_app().await;
    let client = app.admin().await;
    fail_storing_results(&app).await;
    let err = client.err("customer.create", json!({"DATA": {"LAST_NAME": "X"}, "IDEMPOTENCY_KEY": "k"})).await;
    assert_eq!(err.code, -32603);
    assert_eq!((count_rows(&app, "customer").await, count_rows(&app, "event").await), (0, 0));
    assert_eq!(count_rows(&app, "idempotency_record").await, 0, "the claim is released");
}

#[tokio::test]
async fn a_billing_run_whose_result_cannot_be_stored_changes_nothing() {
    let app = spawn_app().await;
    let t = app.test_tenant("shop", "2025-01-01").await;
    let client = app.client(&t.key);
    crate::fixtures::article(&client, "P", "10", "0", json!({})).await;
    let c = crate::fixtures::customer(&client).await;
    crate::fixtures::subscribe(&client, c, "P", json!({})).await;
    fail_storing_results(&app).await;
    let err = client.err("billing.run", json!({"DATA": {"NOW": "2025-03-01"}, "IDEMPOTENCY_KEY": "run-1"})).await;
    assert_eq!(err.code, -32603);
    assert_eq!(count_rows(&app, "invoice").await, 1, "an error changes nothing: no period was billed");
    assert_eq!(client.ok("system.ping", json!({})).await["NOW"], "2025-01-01 00:00:00", "nor the clock moved");
}

#[tokio::test]
async fn a_billing_run_with_a_key_replays_its_answer_and_bills_nothing_more() {
    let app = spawn_app().await;
    let t = app.test_tenant("shop", "2025-01-01").await;
    let client = app.client(&t.key);
    crate::fixtures::article(&client, "P", "10", "0", json!({})).await;
    let c = crate::fixtures::customer(&client).await;
    crate::fixtures::subscribe(&client, c, "P", json!({})).await;
    let params = json!({"DATA": {"NOW": "2025-03-01"}, "IDEMPOTENCY_KEY": "run-1"});
    let first = client.ok("billing.run", params.clone()).await;
    assert_eq!(first["INVOICES_CREATED"], 2);
    assert_eq!(client.ok("billing.run", params).await, first);
    assert_eq!(count_rows(&app, "invoice").await, 3);
}
