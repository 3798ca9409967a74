//! `subscription.*`: create, read, update and the life cycle.

use serde_json::{Value, json};

use crate::fixtures::{advance, article, customer, invoices, lines, subscribe, subscription};
use crate::helpers::{count_rows, spawn_app};

#[tokio::test]
async fn create_answers_ids_and_get_shows_the_whole_object() {
    let app = spawn_app().await;
    let t = app.test_tenant("shop", "2025-01-01").await;
    let client = app.client(&t.key);
    article(&client, "PRO", "29.90", "19", json!({"DESCRIPTION": "Pro", "FEATURES": {"seats": 5}})).await;
    article(&client, "SEAT", "3", "19", json!({"IS_ADDON": true, "ALLOW_MULTIPLE": true})).await;
    let c = customer(&client).await;
    let created = subscribe(
        &client,
        c,
        "PRO",
        json!({
            "QUANTITY": 2, "SUBSCRIPTION_EXT_UID": "shop-42", "INVOICE_TITLE": "Your plan",
            "ADDONS": [{"ARTICLE_NUMBER": "SEAT", "QUANTITY": 3}], "X_ATTRIBUTES": {"order": "A-1"}
        }),
    )
    .await;
    assert_eq!(created["STATUS"], "success");
    let id = created["SUBSCRIPTION_ID"].as_i64().expect("id");
    let sub = subscription(&client, id).await;
    for (tag, value) in [
        ("SUBSCRIPTION_EXT_UID", json!("shop-42")),
        ("CUSTOMER_ID", json!(c)),
        ("ARTICLE_NUMBER", json!("PRO")),
        ("QUANTITY", json!("2")),
        ("SUBSCRIPTION_TITLE", json!("Plan PRO")),
        ("INVOICE_TITLE", json!("Your plan")),
        ("STATUS", json!("active")),
        ("START", json!("2025-01-01 00:00:00")),
        ("NEXT_EVENT", json!("2025-02-01 00:00:00")),
        ("LAST_EVENT", json!("2025-01-01 00:00:00")),
        ("CANCELLATION_DATE", json!(null)),
        ("PLAN_UPCOMING", json!(null)),
        ("X_ATTRIBUTES", json!({"order": "A-1"})),
        ("FEATURES", json!({"seats": 5})),
        ("HASH", created["HASH"].clone()),
        (
            "ADDONS",
            json!([{"ARTICLE_NUMBER": "SEAT", "TITLE": "Plan SEAT", "QUANTITY": "3", "UNIT_PRICE": "3.00", "VAT_PERCENT": "19.00"}]),
        ),
        (
            "PLAN",
            json!({"ARTICLE_NUMBER": "PRO", "TITLE": "Plan PRO", "DESCRIPTION": "Pro", "UNIT_PRICE": "29.90", "CURRENCY_CODE": "EUR", "VAT_PERCENT": "19.00", "QUANTITY": "2", "INTERVAL": "1 month"}),
        ),
    ] {
        assert_eq!(sub[tag], value, "{tag}");
    }
    assert!(sub["SUBSCRIPTION_HASH"].as_str().is_some_and(|h| h.len() == 32));
    let invoice = &invoices(&client, id).await[0];
    assert_eq!(invoice["INVOICE_ID"], created["INVOICE_ID"]);
    assert_eq!(lines(invoice), vec![("plan".into(), "59.80".into()), ("addon".into(), "9.00".into())]);
    assert_eq!(invoice["INVOICE_TITLE"], "Your plan");
}

#[tokio::test]
async fn get_filters_combine() {
    let app = spawn_app().await;
    let t = app.test_tenant("shop", "2025-01-01").await;
    let client = app.client(&t.key);
    article(&client, "A", "1", "0", json!({})).await;
    article(&client, "B", "1", "0", json!({})).await;
    let c1 = client
        .ok(
            "customer.create",
            json!({"DATA": {"LAST_NAME": "One", "CUSTOMER_EXT_UID": "c-1"}}),
        )
        .await["CUSTOMER_ID"]
        .as_i64()
        .expect("id");
    let c2 = customer(&client).await;
    let s1 = subscribe(&client, c1, "A", json!({"SUBSCRIPTION_EXT_UID": "s-1"})).await["SUBSCRIPTION_ID"].clone();
    let s2 = subscribe(&client, c2, "B", json!({"START_DATE": "2025-03-01"})).await["SUBSCRIPTION_ID"].clone();
    let s3 = subscribe(&client, c2, "A", json!({})).await["SUBSCRIPTION_ID"].clone();
    let count = |v: Value| v["SUBSCRIPTIONS"].as_array().map_or(0, Vec::len);
    let ids = |v: Value| -> Vec<Value> {
        v["SUBSCRIPTIONS"]
            .as_array()
            .map(|l| l.iter().map(|s| s["SUBSCRIPTION_ID"].clone()).collect())
            .unwrap_or_default()
    };
    // Filters together: every one given must match (each alone matches more).
    for (filter, expected) in [
        (json!({"CUSTOMER_ID": c2, "ARTICLE_NUMBER": "A"}), vec![s3.clone()]),
        (json!({"CUSTOMER_ID": c2, "STATUS": "planned"}), vec![s2.clone()]),
        (json!({"ARTICLE_NUMBER": "A", "STATUS": "active", "CUSTOMER_EXT_UID": "c-1"}), vec![s1.clone()]),
        (
            json!({"STATUS": "active", "NEXT_EVENT_FROM": "2025-02-01", "NEXT_EVENT_TO": "2025-02-01"}),
            vec![s1.clone(), s3.clone()],
        ),
        (json!({"CUSTOMER_ID": c1, "ARTICLE_NUMBER": "B"}), vec![]),
        (json!({"SUBSCRIPTION_EXT_UID": "s-1", "CUSTOMER_ID": c2}), vec![]),
        (json!({"SUBSCRIPTION_ID": s1, "STATUS": "planned"}), vec![]),
        (json!({"SUBSCRIPTION_ID": s2, "CUSTOMER_EXT_UID": "c-1"}), vec![]),
        (json!({"CUSTOMER_ID": c2, "LAST_EVENT_FROM": "2025-01-01", "CREATED_FROM": "2025-01-01"}), vec![s3.clone()]),
    ] {
        assert_eq!(ids(client.ok("subscription.get", json!({"FILTER": filter})).await), expected, "{filter}");
    }
    for (filter, expected) in [
        (json!({"CUSTOMER_ID": c2}), 2),
        (json!({"CUSTOMER_EXT_UID": "c-1"}), 1),
        (json!({"SUBSCRIPTION_EXT_UID": "s-1"}), 1),
        (json!({"STATUS": "planned"}), 1),
        (json!({"ARTICLE_NUMBER": "A"}), 2),
        (json!({"SUBSCRIPTION_ID": s1}), 1),
        (json!({"NEXT_EVENT_FROM": "2025-02-15", "NEXT_EVENT_TO": "2025-03-31"}), 1),
        (json!({"LAST_EVENT_FROM": "2025-01-01"}), 2),
        (json!({"CREATED_TO": "2024-12-31"}), 0),
        (json!({"CUSTOMER_EXT_UID": "nobody"}), 0),
    ] {
        assert_eq!(count(client.ok("subscription.get", json!({"FILTER": filter})).await), expected, "{filter}");
    }
    let err = client.err("subscription.get", json!({"FILTER": {"STATUS": "zombie"}})).await;
    assert_eq!((err.code, err.tag()), (-32602, Some("STATUS")));
}

#[tokio::test]
async fn create_refuses_bad_references_and_changes_nothing() {
    let app = spawn_app().await;
    let t = app.test_tenant("shop", "2025-01-01").await;
    let client = app.client(&t.key);
    article(&client, "P", "10", "19", json!({})).await;
    article(&client, "ADD", "1", "19", json!({"IS_ADDON": true})).await;
    article(&client, "USD", "1", "19", json!({"IS_ADDON": true, "CURRENCY_CODE": "USD"})).await;
    let c = customer(&client).await;
    let cases = [
        (json!({"CUSTOMER_ID": c, "ARTICLE_NUMBER": "NOPE"}), 1004, "ARTICLE_NUMBER"),
        (json!({"CUSTOMER_ID": 999, "ARTICLE_NUMBER": "P"}), 1004, "CUSTOMER_ID"),
        (json!({"CUSTOMER_ID": c, "ARTICLE_NUMBER": "ADD"}), -32602, "ARTICLE_NUMBER"),
        (
            json!({"CUSTOMER_ID": c, "ARTICLE_NUMBER": "P", "ADDONS": [{"ARTICLE_NUMBER": "P"}]}),
            -32602,
            "ADDONS[0].ARTICLE_NUMBER",
        ),
        (
            json!({"CUSTOMER_ID": c, "ARTICLE_NUMBER": "P", "ADDONS": [{"ARTICLE_NUMBER": "USD"}]}),
            -32602,
            "ADDONS[0].ARTICLE_NUMBER",
        ),
        (
            json!({"CUSTOMER_ID": c, "ARTICLE_NUMBER": "P", "ADDONS": [{"ARTICLE_NUMBER": "ADD", "QUANTITY": 2}]}),
            -32602,
            "ADDONS[0].QUANTITY",
        ),
        (json!({"CUSTOMER_ID": c, "ARTICLE_NUMBER": "P", "QUANTITY": 0}), -32602, "QUANTITY"),
        (json!({"CUSTOMER_ID": c, "ARTICLE_NUMBER": "P", "START_DATE": "2025-02-30"}), -32602, "START_DATE"),
        (json!({"CUSTOMER_ID": c, "ARTICLE_NUMBER": "P", "CURRENCY_CODE": "USD"}), -32602, "CURRENCY_CODE"),
        (
            json!({"CUSTOMER_ID": c, "ARTICLE_NUMBER": "P", "CANCELLATION_DATE": "2024-01-01"}),
            -32602,
            "CANCELLATION_DATE",
        ),
    ];
    let before =
        (count_rows(&app, "subscription").await, count_rows(&app, "invoice").await, count_rows(&app, "event").await);
    for (data, code, tag) in cases {
        let err = client.err("subscription.create", json!({"DATA": data})).await;
        assert_eq!((err.code, err.tag()), (code, Some(tag)), "{data}");
    }
    let after =
        (count_rows(&app, "subscription").await, count_rows(&app, "invoice").await, count_rows(&app, "event").await);
    assert_eq!(before, after);
    // The refused calls consumed no invoice number.
    let ok = subscribe(&client, c, "P", json!({})).await;
    let invoice = client.ok("invoice.get", json!({"FILTER": {"INVOICE_ID": ok["INVOICE_ID"]}})).await;
    assert_eq!(invoice["INVOICES"][0]["INVOICE_NUMBER"], "RE-2025-00001");
}

#[tokio::test]
async fn a_dry_run_create_previews_the_invoice_and_stores_nothing() {
    let app = spawn_app().await;
    let t = app.test_tenant("shop", "2025-01-01").await;
    let client = app.client(&t.key);
    article(&client, "P", "10", "19", json!({"SETUP_FEE": "2.50"})).await;
    let c = customer(&client).await;
    let before =
        (count_rows(&app, "subscription").await, count_rows(&app, "invoice").await, count_rows(&app, "counter").await);
    let dry = client
        .ok("subscription.create", json!({"DATA": {"CUSTOMER_ID": c, "ARTICLE_NUMBER": "P"}, "DRY_RUN": true}))
        .await;
    assert_eq!((dry["SUBSCRIPTION_ID"].clone(), dry["INVOICE_ID"].clone()), (json!(null), json!(null)));
    let preview = &dry["INVOICE_PREVIEW"];
    assert_eq!(preview["INVOICE_NUMBER"], json!(null));
    assert_eq!(lines(preview), vec![("plan".into(), "10.00".into()), ("setup".into(), "2.50".into())]);
    assert_eq!(
        (preview["SUB_TOTAL"].clone(), preview["VAT_TOTAL"].clone(), preview["TOTAL"].clone()),
        (json!("12.50"), json!("2.38"), json!("14.88"))
    );
    let after =
        (count_rows(&app, "subscription").await, count_rows(&app, "invoice").await, count_rows(&app, "counter").await);
    assert_eq!(before, after);
}

#[tokio::test]
async fn update_moves_next_event_and_refuses_a_stale_hash() {
    let app = spawn_app().await;
    let t = app.test_tenant("shop", "2025-01-01").await;
    let client = app.client(&t.key);
    article(&client, "P", "10", "0", json!({})).await;
    let c = customer(&client).await;
    let created = subscribe(&client, c, "P", json!({})).await;
    let id = created["SUBSCRIPTION_ID"].clone();
    let updated = client.ok("subscription.update", json!({"DATA": {"SUBSCRIPTION_ID": id, "NEXT_EVENT": "2025-02-10", "X_ATTRIBUTES": {"a": "b"}, "HASH": created["HASH"]}})).await;
    assert_ne!(updated["HASH"], created["HASH"]);
    let sub = subscription(&client, id.as_i64().expect("id")).await;
    assert_eq!(
        (sub["NEXT_EVENT"].clone(), sub["X_ATTRIBUTES"].clone()),
        (json!("2025-02-10 00:00:00"), json!({"a": "b"}))
    );
    let before = count_rows(&app, "event").await;
    let stale = client
        .err(
            "subscription.update",
            json!({"DATA": {"SUBSCRIPTION_ID": id, "SUBSCRIPTION_EXT_UID": "x", "HASH": created["HASH"]}}),
        )
        .await;
    assert_eq!((stale.code, stale.tag()), (1009, Some("HASH")));
    assert_eq!(subscription(&client, id.as_i64().expect("id")).await["HASH"], updated["HASH"], "nothing changed");
    assert_eq!(count_rows(&app, "event").await, before);
    let past =
        client.err("subscription.update", json!({"DATA": {"SUBSCRIPTION_ID": id, "NEXT_EVENT": "2024-12-01"}})).await;
    assert_eq!((past.code, past.tag()), (-32602, Some("NEXT_EVENT")));
    advance(&client, "2025-03-10").await;
    let starts: Vec<Value> =
        invoices(&client, id.as_i64().expect("id")).await.iter().map(|i| i["PERIOD_START"].clone()).collect();
    assert_eq!(starts, vec![json!("2025-01-01 00:00:00"), json!("2025-02-10 00:00:00"), json!("2025-03-10 00:00:00")]);
}

#[tokio::test]
async fn cancel_respects_the_notice_period_and_closes_after_the_last_period() {
    let app = spawn_app().await;
    let t = app.test_tenant("shop", "2025-01-01").await;
    let client = app.client(&t.key);
    article(&client, "N", "10", "19", json!({"SUBSCRIPTION_CANCELLATION": "1 month"})).await;
    let c = customer(&client).await;
    let id = subscribe(&client, c, "N", json!({})).await["SUBSCRIPTION_ID"].as_i64().expect("id");
    advance(&client, "2025-01-15").await;
    let canceled =
        client.ok("subscription.cancel", json!({"DATA": {"SUBSCRIPTION_ID": id, "CANCELLATION_NOTE": "moving"}})).await;
    assert_eq!(canceled["CANCELLATION_DATE"], "2025-03-01 00:00:00");
    let sub = subscription(&client, id).await;
    assert_eq!((sub["STATUS"].clone(), sub["CANCELLATION_NOTE"].clone()), (json!("canceled"), json!("moving")));
    advance(&client, "2025-02-28").await;
    assert_eq!(subscription(&client, id).await["STATUS"], "canceled");
    let run = advance(&client, "2025-03-01").await;
    assert_eq!((run["INVOICES_CREATED"].clone(), run["SUBSCRIPTIONS_CLOSED"].clone()), (json!(0), json!(1)));
    let sub = subscription(&client, id).await;
    assert_eq!((sub["STATUS"].clone(), sub["CLOSE_REASON"].clone()), (json!("closed"), json!("cancellation")));
    advance(&client, "2025-06-01").await;
    let starts: Vec<Value> = invoices(&client, id).await.iter().map(|i| i["PERIOD_START"].clone()).collect();
    assert_eq!(starts, vec![json!("2025-01-01 00:00:00"), json!("2025-02-01 00:00:00")]);
    let err = client.err("subscription.cancel", json!({"DATA": {"SUBSCRIPTION_ID": id}})).await;
    assert_eq!(err.code, 1009);
}

#[tokio::test]
async fn reactivate_before_the_cancellation_date_keeps_billing() {
    let app = spawn_app().await;
    let t = app.test_tenant("shop", "2025-01-01").await;
    let client = app.client(&t.key);
    article(&client, "N", "10", "19", json!({"SUBSCRIPTION_CANCELLATION": "1 month"})).await;
    let c = customer(&client).await;
    let id = subscribe(&client, c, "N", json!({})).await["SUBSCRIPTION_ID"].as_i64().expect("id");
    advance(&client, "2025-01-15").await;
    client.ok("subscription.cancel", json!({"DATA": {"SUBSCRIPTION_ID": id}})).await;
    advance(&client, "2025-02-10").await;
    let answer = client.ok("subscription.reactivate", json!({"DATA": {"SUBSCRIPTION_ID": id}})).await;
    assert_eq!(answer["INVOICE_ID"], json!(null));
    let sub = subscription(&client, id).await;
    assert_eq!((sub["STATUS"].clone(), sub["CANCELLATION_DATE"].clone()), (json!("active"), json!(null)));
    advance(&client, "2025-04-01").await;
    assert_eq!(invoices(&client, id).await.len(), 4);
    let err = client.err("subscription.reactivate", json!({"DATA": {"SUBSCRIPTION_ID": id}})).await;
    assert_eq!(err.code, 1009, "an active subscription has nothing to reactivate");
}

#[tokio::test]
async fn an_explicit_cancellation_date_and_trial_cancellations() {
    let app = spawn_app().await;
    let t = app.test_tenant("shop", "2025-01-01").await;
    let client = app.client(&t.key);
    article(&client, "P", "10", "0", json!({})).await;
    article(&client, "T", "10", "0", json!({"SUBSCRIPTION_TRIAL": "30 days", "SUBSCRIPTION_CANCELLATION": "3 months"}))
        .await;
    let c = customer(&client).await;
    let p = subscribe(&client, c, "P", json!({})).await["SUBSCRIPTION_ID"].as_i64().expect("id");
    let answer = client
        .ok("subscription.cancel", json!({"DATA": {"SUBSCRIPTION_ID": p, "CANCELLATION_DATE": "2025-01-20"}}))
        .await;
    assert_eq!(answer["CANCELLATION_DATE"], "2025-01-20 00:00:00");
    let trial = subscribe(&client, c, "T", json!({})).await["SUBSCRIPTION_ID"].as_i64().expect("id");
    let answer = client.ok("subscription.cancel", json!({"DATA": {"SUBSCRIPTION_ID": trial}})).await;
    assert_eq!(answer["CANCELLATION_DATE"], "2025-01-31 00:00:00", "a trial ends at its end, without notice");
    advance(&client, "2025-02-01").await;
    assert_eq!(subscription(&client, p).await["STATUS"], "closed");
    assert_eq!(subscription(&client, trial).await["STATUS"], "closed");
    assert!(invoices(&client, trial).await.is_empty(), "a trial canceled in time is never billed");
    let err = client
        .err("subscription.cancel", json!({"DATA": {"SUBSCRIPTION_ID": p, "CANCELLATION_DATE": "2024-01-01"}}))
        .await;
    assert_eq!(err.code, 1009, "closed comes first");
}

#[tokio::test]
async fn reactivating_a_closed_subscription_starts_a_new_period() {
    let app = spawn_app().await;
    let t = app.test_tenant("shop", "2025-01-01").await;
    let client = app.client(&t.key);
    article(&client, "P", "10", "0", json!({"SETUP_FEE": 5})).await;
    let c = customer(&client).await;
    let id = subscribe(&client, c, "P", json!({})).await["SUBSCRIPTION_ID"].as_i64().expect("id");
    client.ok("subscription.terminate", json!({"DATA": {"SUBSCRIPTION_ID": id}})).await;
    advance(&client, "2025-03-10").await;
    let answer = client.ok("subscription.reactivate", json!({"DATA": {"SUBSCRIPTION_ID": id}})).await;
    let sub = subscription(&client, id).await;
    assert_eq!(
        (sub["STATUS"].clone(), sub["NEXT_EVENT"].clone(), sub["CLOSE_REASON"].clone()),
        (json!("active"), json!("2025-04-10 00:00:00"), json!(null))
    );
    let all = invoices(&client, id).await;
    assert_eq!(all.last().map(|i| i["INVOICE_ID"].clone()), Some(answer["INVOICE_ID"].clone()));
    assert_eq!(lines(&all[1]), vec![("plan".into(), "10.00".into())], "no second setup fee");
}

#[tokio::test]
async fn terminate_closes_now_and_credits_the_unused_days() {
    let app = spawn_app().await;
    let t = app.test_tenant("shop", "2025-04-01").await;
    let client = app.client(&t.key);
    article(&client, "P", "30.00", "19", json!({})).await;
    let c = customer(&client).await;
    let id = subscribe(&client, c, "P", json!({})).await["SUBSCRIPTION_ID"].as_i64().expect("id");
    advance(&client, "2025-04-11").await;
    let answer =
        client.ok("subscription.terminate", json!({"DATA": {"SUBSCRIPTION_ID": id, "CREDIT_UNUSED": 1}})).await;
    let sub = subscription(&client, id).await;
    assert_eq!((sub["STATUS"].clone(), sub["CLOSE_REASON"].clone()), (json!("closed"), json!("termination")));
    let all = invoices(&client, id).await;
    let credit = &all[1];
    assert_eq!(credit["INVOICE_ID"], answer["INVOICE_ID"]);
    assert_eq!(
        (credit["TYPE"].clone(), credit["RELATED_INVOICE_ID"].clone()),
        (json!("credit"), all[0]["INVOICE_ID"].clone())
    );
    assert_eq!(credit["INVOICE_NUMBER"], "GS-2025-00001");
    assert_eq!(lines(credit), vec![("proration".into(), "-20.00".into())], "20 of 30 days unused");
    assert_eq!((credit["VAT_TOTAL"].clone(), credit["TOTAL"].clone()), (json!("-3.80"), json!("-23.80")));
    advance(&client, "2025-07-01").await;
    assert_eq!(invoices(&client, id).await.len(), 2);
    let err = client.err("subscription.terminate", json!({"DATA": {"SUBSCRIPTION_ID": id}})).await;
    assert_eq!(err.code, 1009);
}

#[tokio::test]
async fn terminate_bills_open_usage_on_a_final_invoice() {
    let app = spawn_app().await;
    let t = app.test_tenant("shop", "2025-04-01").await;
    let client = app.client(&t.key);
    article(&client, "P", "30.00", "0", json!({})).await;
    let c = customer(&client).await;
    let id = subscribe(&client, c, "P", json!({})).await["SUBSCRIPTION_ID"].as_i64().expect("id");
    client
        .ok(
            "subscription.setusagedata",
            json!({"DATA": {"SUBSCRIPTION_ID": id, "ARTICLE_NUMBER": "P", "QUANTITY": 2, "UNIT_PRICE": "0.5"}}),
        )
        .await;
    client.ok("subscription.terminate", json!({"DATA": {"SUBSCRIPTION_ID": id}})).await;
    let all = invoices(&client, id).await;
    assert_eq!(lines(&all[1]), vec![("usage".into(), "1.00".into())]);
}

#[tokio::test]
async fn postpone_and_renew_move_billing() {
    let app = spawn_app().await;
    let t = app.test_tenant("shop", "2025-01-31").await;
    let client = app.client(&t.key);
    article(&client, "P", "10", "0", json!({})).await;
    let c = customer(&client).await;
    let id = subscribe(&client, c, "P", json!({})).await["SUBSCRIPTION_ID"].as_i64().expect("id");
    let err = client.err("subscription.renew", json!({"DATA": {"SUBSCRIPTION_ID": id}})).await;
    assert_eq!(err.code, 1009, "nothing is due yet");
    let moved = client.ok("subscription.postpone", json!({"DATA": {"SUBSCRIPTION_ID": id, "MONTH": 2}})).await;
    assert_eq!(moved["NEXT_EVENT"], "2025-04-28 00:00:00");
    let err = client.err("subscription.postpone", json!({"DATA": {"SUBSCRIPTION_ID": id, "MONTH": 13}})).await;
    assert_eq!((err.code, err.tag()), (-32602, Some("MONTH")));
    // Move the clock without a run, then renew bills what is due.
    client.ok("billing.run", json!({"DATA": {"NOW": "2025-04-28"}, "DRY_RUN": true})).await;
    let t_id = recur::db::scope::TenantId::trusted_for_operator(t.id);
    let at = recur::rpc::values::datetime("2025-05-30").expect("date");
    recur::service::tenant::advance_clock(&app.state.db.write, t_id, at).await.expect("clock");
    let renewed = client.ok("subscription.renew", json!({"DATA": {"SUBSCRIPTION_ID": id}})).await;
    let all = invoices(&client, id).await;
    assert_eq!(
        crate::fixtures::summary(&all),
        crate::fixtures::rows(&[
            ("RE-2025-00001", "2025-01-31 00:00:00", "2025-01-31 00:00:00", "2025-02-28 00:00:00", "10.00"),
            ("RE-2025-00002", "2025-04-28 00:00:00", "2025-04-28 00:00:00", "2025-05-28 00:00:00", "10.00"),
            ("RE-2025-00003", "2025-05-28 00:00:00", "2025-05-28 00:00:00", "2025-06-28 00:00:00", "10.00"),
        ]),
        "both due periods, each on its own invoice dated at its start"
    );
    // The answer names the first invoice renew issued; each bills the plan once.
    assert_eq!(renewed["INVOICE_ID"], all[1]["INVOICE_ID"]);
    for invoice in &all[1..] {
        assert_eq!(lines(invoice), vec![("plan".into(), "10.00".into())]);
        assert_eq!(
            (invoice["SUB_TOTAL"].clone(), invoice["VAT_TOTAL"].clone(), invoice["ITEMS"][0]["QUANTITY"].clone()),
            (json!("10.00"), json!("0.00"), json!("1"))
        );
    }
    let sub = subscription(&client, id).await;
    assert_eq!(
        (sub["LAST_EVENT"].clone(), sub["NEXT_EVENT"].clone()),
        (json!("2025-05-28 00:00:00"), json!("2025-06-28 00:00:00"))
    );
    let err = client.err("subscription.renew", json!({"DATA": {"SUBSCRIPTION_ID": id}})).await;
    assert_eq!(err.code, 1009, "renewed up to now: nothing is due any more");
}

#[tokio::test]
async fn a_dry_run_billing_run_reports_and_changes_nothing() {
    let app = spawn_app().await;
    let t = app.test_tenant("shop", "2025-01-01").await;
    let client = app.client(&t.key);
    article(&client, "P", "10", "0", json!({})).await;
    let c = customer(&client).await;
    subscribe(&client, c, "P", json!({})).await;
    let dry = client.ok("billing.run", json!({"DATA": {"NOW": "2025-04-01"}, "DRY_RUN": true})).await;
    assert_eq!(dry["INVOICES_CREATED"], 3);
    assert_eq!(count_rows(&app, "invoice").await, 1);
    assert_eq!(client.ok("system.ping", json!({})).await["NOW"], "2025-01-01 00:00:00", "the clock did not move");
}

#[tokio::test]
async fn upcoming_amounts_quote_purchases_and_next_invoices() {
    let app = spawn_app().await;
    let t = app.test_tenant("shop", "2025-01-01").await;
    let client = app.client(&t.key);
    article(&client, "P", "10", "19", json!({"SETUP_FEE": "1"})).await;
    article(&client, "A", "2.5", "7", json!({"IS_ADDON": true, "ALLOW_MULTIPLE": true})).await;
    let quote = client.ok("subscription.getupcomingamount", json!({"DATA": {"ARTICLE_NUMBER": "P", "QUANTITY": 2, "COUNTRY_CODE": "de", "ADDONS": [{"ARTICLE_NUMBER": "A", "QUANTITY": 2}]}})).await;
    assert_eq!(
        (
            quote["SUB_TOTAL"].clone(),
            quote["VAT_TOTAL"].clone(),
            quote["TOTAL"].clone(),
            quote["CURRENCY_CODE"].clone()
        ),
        (json!("26.00"), json!("4.34"), json!("30.34"), json!("EUR"))
    );
    assert_eq!(
        quote["VAT_ITEMS"],
        json!([{"VAT_PERCENT": "7.00", "COMPLETE_NET": "5.00", "VAT_VALUE": "0.35"}, {"VAT_PERCENT": "19.00", "COMPLETE_NET": "21.00", "VAT_VALUE": "3.99"}])
    );
    assert_eq!(count_rows(&app, "subscription").await, 0, "a quote stores nothing");
    let c = customer(&client).await;
    let id = subscribe(&client, c, "P", json!({"ADDONS": [{"ARTICLE_NUMBER": "A"}]})).await["SUBSCRIPTION_ID"]
        .as_i64()
        .expect("id");
    client
        .ok("subscription.setusagedata", json!({"DATA": {"SUBSCRIPTION_ID": id, "ARTICLE_NUMBER": "A", "QUANTITY": 1}}))
        .await;
    let next = client.ok("subscription.getupcomingamount", json!({"DATA": {"SUBSCRIPTION_ID": id}})).await;
    assert_eq!(next["NEXT_EVENT"], "2025-02-01 00:00:00");
    let kinds: Vec<&str> = next["ITEMS"].as_array().expect("items").iter().filter_map(|i| i["KIND"].as_str()).collect();
    assert_eq!(kinds, vec!["plan", "addon", "usage"], "no setup fee on the next invoice");
    assert_eq!(next["SUB_TOTAL"], "15.00");
    advance(&client, "2025-02-01").await;
    let billed = invoices(&client, id).await;
    assert_eq!(billed[1]["TOTAL"], next["TOTAL"], "the quote was the invoice");
}

/// A stub: coupons do not exist yet (issue 11), so any COUPON answers 1004
/// naming COUPON and changes nothing. Replace with the real behaviour when
/// coupons land.
#[tokio::test]
async fn the_timeline_lists_every_change_newest_first() {
    let app = spawn_app().await;
    let t = app.test_tenant("shop", "2025-01-01").await;
    let client = app.client(&t.key);
    article(&client, "P", "10", "0", json!({})).await;
    let c = customer(&client).await;
    let id = subscribe(&client, c, "P", json!({})).await["SUBSCRIPTION_ID"].as_i64().expect("id");
    client.ok("subscription.cancel", json!({"DATA": {"SUBSCRIPTION_ID": id}})).await;
    client.ok("subscription.reactivate", json!({"DATA": {"SUBSCRIPTION_ID": id}})).await;
    advance(&client, "2025-02-01").await;
    let timeline = client.ok("subscription.gettimeline", json!({"FILTER": {"SUBSCRIPTION_ID": id}})).await;
    let types: Vec<&str> =
        timeline["EVENTS"].as_array().expect("events").iter().filter_map(|e| e["TYPE"].as_str()).collect();
    assert_eq!(
        types,
        vec![
            "subscription.invoiced",
            "subscription.reactivated",
            "subscription.canceled",
            "subscription.invoiced",
            "subscription.created"
        ]
    );
    assert_eq!(timeline["EVENTS"][0]["CREATED"], "2025-02-01 00:00:00");
    assert_eq!(timeline["EVENTS"][0]["DATA"]["PERIOD_START"], "2025-02-01 00:00:00");
    let err = client.err("subscription.gettimeline", json!({"FILTER": {"SUBSCRIPTION_ID": 9999}})).await;
    assert_eq!(err.code, 1004);
}

#[tokio::test]
async fn refused_writes_leave_everything_unchanged() {
    let app = spawn_app().await;
    let t = app.test_tenant("shop", "2025-01-01").await;
    let client = app.client(&t.key);
    let other = app.admin().await;
    article(&client, "P", "10", "0", json!({})).await;
    article(&other, "P", "10", "0", json!({})).await;
    let c = customer(&client).await;
    let closed = subscribe(&client, c, "P", json!({})).await["SUBSCRIPTION_ID"].as_i64().expect("id");
    client.ok("subscription.terminate", json!({"DATA": {"SUBSCRIPTION_ID": closed}})).await;
    let oc = customer(&other).await;
    let foreign = subscribe(&other, oc, "P", json!({})).await;
    let snapshot = |id: i64| {
        let client = client.clone();
        async move { subscription(&client, id).await }
    };
    let before_closed = snapshot(closed).await;
    let tables = ["subscription", "invoice", "invoice_item", "event", "usage_record", "counter"];
    let mut before = Vec::new();
    for t in tables {
        before.push(count_rows(&app, t).await);
    }
    for (method, data, code) in [
        ("subscription.cancel", json!({"SUBSCRIPTION_ID": closed}), 1009),
        ("subscription.postpone", json!({"SUBSCRIPTION_ID": closed, "MONTH": 1}), 1009),
        ("subscription.renew", json!({"SUBSCRIPTION_ID": closed}), 1009),
        ("subscription.setusagedata", json!({"SUBSCRIPTION_ID": closed, "ARTICLE_NUMBER": "P"}), 1009),
        ("subscription.cancel", json!({"SUBSCRIPTION_ID": foreign["SUBSCRIPTION_ID"]}), 1004),
        ("subscription.terminate", json!({"SUBSCRIPTION_ID": foreign["SUBSCRIPTION_ID"]}), 1004),
        ("subscription.update", json!({"SUBSCRIPTION_ID": foreign["SUBSCRIPTION_ID"], "HASH": foreign["HASH"]}), 1004),
        (
            "subscription.setusagedata",
            json!({"SUBSCRIPTION_ID": foreign["SUBSCRIPTION_ID"], "ARTICLE_NUMBER": "P"}),
            1004,
        ),
        ("subscription.update", json!({"SUBSCRIPTION_ID": closed, "HASH": "stale"}), 1009),
        ("subscription.create", json!({"CUSTOMER_ID": c, "ARTICLE_NUMBER": "GONE"}), 1004),
        ("customer.delete", json!({"CUSTOMER_ID": oc}), 1004),
    ] {
        let err = client.err(method, json!({"DATA": data})).await;
        assert_eq!(err.code, code, "{method} {data}");
    }
    let mut after = Vec::new();
    for t in tables {
        after.push(count_rows(&app, t).await);
    }
    assert_eq!(before, after);
    assert_eq!(snapshot(closed).await, before_closed);
    let seen = client.ok("invoice.get", json!({"FILTER": {"SUBSCRIPTION_ID": foreign["SUBSCRIPTION_ID"]}})).await;
    assert_eq!(seen["INVOICES"], json!([]));
    let seen = client.ok("subscription.get", json!({"FILTER": {"SUBSCRIPTION_ID": foreign["SUBSCRIPTION_ID"]}})).await;
    assert_eq!(seen["SUBSCRIPTIONS"], json!([]));
}

#[tokio::test]
async fn customers_and_articles_in_use_cannot_be_deleted() {
    let app = spawn_app().await;
    let t = app.test_tenant("shop", "2025-01-01").await;
    let client = app.client(&t.key);
    article(&client, "P", "10", "0", json!({})).await;
    article(&client, "A", "1", "0", json!({"IS_ADDON": true})).await;
    let c = customer(&client).await;
    let id = subscribe(&client, c, "P", json!({"ADDONS": [{"ARTICLE_NUMBER": "A"}]})).await["SUBSCRIPTION_ID"]
        .as_i64()
        .expect("id");
    for (method, data, tag) in [
        ("customer.delete", json!({"CUSTOMER_ID": c}), "CUSTOMER_ID"),
        ("article.delete", json!({"ARTICLE_NUMBER": "P"}), "ARTICLE_NUMBER"),
        ("article.delete", json!({"ARTICLE_NUMBER": "A"}), "ARTICLE_NUMBER"),
    ] {
        let err = client.err(method, json!({"DATA": data})).await;
        assert_eq!((err.code, err.tag()), (1009, Some(tag)), "{method}");
    }
    client.ok("subscription.terminate", json!({"DATA": {"SUBSCRIPTION_ID": id}})).await;
    client.ok("article.delete", json!({"DATA": {"ARTICLE_NUMBER": "A"}})).await;
    let err = client.err("customer.delete", json!({"DATA": {"CUSTOMER_ID": c}})).await;
    assert_eq!(err.code, 1009, "its first invoice is unpaid");
}

#[tokio::test]
async fn invoice_get_filters_by_number_status_type_and_dates() {
    let app = spawn_app().await;
    let t = app.test_tenant("shop", "2025-01-01").await;
    let client = app.client(&t.key);
    article(&client, "P", "10", "0", json!({})).await;
    article(&client, "FREE", "0", "0", json!({})).await;
    let c = customer(&client).await;
    let id = subscribe(&client, c, "P", json!({})).await["SUBSCRIPTION_ID"].as_i64().expect("id");
    subscribe(&client, c, "FREE", json!({})).await;
    advance(&client, "2025-02-05").await;
    client.ok("subscription.terminate", json!({"DATA": {"SUBSCRIPTION_ID": id, "CREDIT_UNUSED": true}})).await;
    let count = |v: Value| v["INVOICES"].as_array().map_or(0, Vec::len);
    for (filter, expected) in [
        (json!({"INVOICE_NUMBER": "RE-2025-00001"}), 1),
        (json!({"TYPE": "credit"}), 1),
        // The credit note is `paid` at once (API.md 5.1).
        (json!({"STATUS": "paid"}), 3),
        (json!({"STATUS": "overdue"}), 1),
        (json!({"STATUS": "unpaid"}), 1),
        (json!({"CUSTOMER_ID": c}), 5),
        (json!({"MONTH": 2, "YEAR": 2025}), 3),
        (json!({"YEAR": 2024}), 0),
        (json!({"START_DUE_DATE": "2025-02-01", "END_DUE_DATE": "2025-02-28"}), 3),
    ] {
        assert_eq!(count(client.ok("invoice.get", json!({"FILTER": filter})).await), expected, "{filter}");
    }
    let err = client.err("invoice.get", json!({"FILTER": {"STATUS": "lost"}})).await;
    assert_eq!((err.code, err.tag()), (-32602, Some("STATUS")));
}

#[tokio::test]
async fn a_second_gateway_on_the_same_database_sees_changes_after_caching() {
    let app = spawn_app().await;
    let t = app.test_tenant("shop", "2025-01-01").await;
    let client = app.client(&t.key);
    article(&client, "P", "10", "0", json!({})).await;
    let c = customer(&client).await;
    let id = subscribe(&client, c, "P", json!({})).await["SUBSCRIPTION_ID"].as_i64().expect("id");
    let other = crate::helpers::spawn_second(&app).await;
    let remote = crate::helpers::Client::for_url(format!("http://{}", other.local_addr()), &t.key);
    // Fill the other gateway's cache, then change the subscription through the first one.
    assert_eq!(subscription(&remote, id).await["STATUS"], "active");
    assert_eq!(subscription(&remote, id).await["STATUS"], "active");
    client.ok("subscription.cancel", json!({"DATA": {"SUBSCRIPTION_ID": id}})).await;
    assert_eq!(subscription(&client, id).await["STATUS"], "canceled", "the writing gateway reads its own write");
    let mut seen = Value::Null;
    for _ in 0..50 {
        seen = subscription(&remote, id).await["STATUS"].clone();
        if seen == "canceled" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(seen, "canceled", "the other gateway's cache is invalidated through the event feed");
}

#[tokio::test]
async fn subscription_hash_stays_while_hash_changes_with_every_change() {
    let app = spawn_app().await;
    let t = app.test_tenant("shop", "2025-04-01").await;
    let client = app.client(&t.key);
    article(&client, "S", "30", "0", json!({})).await;
    article(&client, "L", "60", "0", json!({})).await;
    article(&client, "SEAT", "5", "0", json!({"IS_ADDON": true, "ALLOW_MULTIPLE": true})).await;
    let c = customer(&client).await;
    let created = subscribe(&client, c, "S", json!({})).await;
    let id = created["SUBSCRIPTION_ID"].as_i64().expect("id");
    let other = subscribe(&client, c, "S", json!({})).await["SUBSCRIPTION_ID"].as_i64().expect("id");
    let public = subscription(&client, id).await["SUBSCRIPTION_HASH"].clone();
    assert!(public.as_str().is_some_and(|h| h.len() == 32), "{public}");
    assert_ne!(subscription(&client, other).await["SUBSCRIPTION_HASH"], public, "each subscription has its own");
    let mut hashes = vec![created["HASH"].clone()];
    let data = |extra: Value| {
        let mut d = json!({"SUBSCRIPTION_ID": id});
        d.as_object_mut().expect("object").extend(extra.as_object().cloned().unwrap_or_default());
        json!({"DATA": d})
    };
    // (call, whether it changes the subscription: a run with nothing due does not)
    for (method, params, changes) in [
        ("subscription.update", data(json!({"X_ATTRIBUTES": {"a": "b"}})), true),
        ("subscription.cancel", data(json!({})), true),
        ("subscription.reactivate", data(json!({})), true),
        ("billing.run", json!({"DATA": {"NOW": "2025-04-11"}}), false),
        ("subscription.changearticle", data(json!({"ARTICLE_NUMBER": "L"})), true),
        ("subscription.changequantity", data(json!({"ARTICLE_NUMBER": "L", "QUANTITY": 2})), true),
        ("subscription.setaddon", data(json!({"ARTICLE_NUMBER": "SEAT"})), true),
        ("subscription.pause", data(json!({})), true),
        ("subscription.unpause", data(json!({})), true),
        ("billing.run", json!({"DATA": {"NOW": "2025-05-01"}}), true),
        ("subscription.postpone", data(json!({"MONTH": 1})), true),
        ("billing.run", json!({"DATA": {"NOW": "2025-05-10"}}), false),
        ("subscription.terminate", data(json!({})), true),
        ("subscription.reactivate", data(json!({})), true),
    ] {
        client.ok(method, params).await;
        let now = subscription(&client, id).await;
        assert_eq!(now["SUBSCRIPTION_HASH"], public, "after {method}");
        let last = hashes.last().cloned().expect("a hash");
        if changes {
            assert!(!hashes.contains(&now["HASH"]), "HASH changes with {method}");
        } else {
            assert_eq!(now["HASH"], last, "HASH stays when {method} changes nothing");
        }
        hashes.push(now["HASH"].clone());
    }
}

#[tokio::test]
async fn refusals_for_the_subscriptions_state_name_subscription_id() {
    let app = spawn_app().await;
    let t = app.test_tenant("shop", "2025-01-01").await;
    let client = app.client(&t.key);
    article(&client, "P", "10", "19", json!({})).await;
    let c = customer(&client).await;
    let planned = subscribe(&client, c, "P", json!({"START_DATE": "2025-06-01"})).await;
    let err = client.err("subscription.pause", json!({"DATA": {"SUBSCRIPTION_ID": planned["SUBSCRIPTION_ID"]}})).await;
    assert_eq!((err.code, err.tag()), (1009, Some("SUBSCRIPTION_ID")), "{}", err.message);
    let sub = subscribe(&client, c, "P", json!({})).await["SUBSCRIPTION_ID"].clone();
    client.ok("subscription.terminate", json!({"DATA": {"SUBSCRIPTION_ID": sub}})).await;
    for method in ["subscription.terminate", "subscription.getupcomingamount"] {
        let err = client.err(method, json!({"DATA": {"SUBSCRIPTION_ID": sub}})).await;
        assert_eq!((err.code, err.tag()), (1009, Some("SUBSCRIPTION_ID")), "{method}: {}", err.message);
    }
}
