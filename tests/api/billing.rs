//! The billing engine, written like invoice fixtures: time travel with the
//! test clock, then every invoice line, number and total exactly.

use serde_json::{Value, json};

use crate::fixtures::{advance, article, customer, invoices, lines, rows, subscribe, subscription, summary};
use crate::helpers::{Client, count_rows, spawn_app, spawn_app_with};

#[tokio::test]
async fn a_monthly_plan_started_on_jan_31_bills_on_every_month_end() {
    let app = spawn_app().await;
    let t = app.test_tenant("shop", "2024-01-31 00:00:00").await;
    let client = app.client(&t.key);
    article(&client, "M", "9.99", "19", json!({})).await;
    let c = customer(&client).await;
    let created = subscribe(&client, c, "M", json!({})).await;
    let id = created["SUBSCRIPTION_ID"].as_i64().expect("id");
    assert!(created["INVOICE_ID"].is_i64());
    for now in ["2024-02-29", "2024-03-31", "2024-04-30"] {
        let run = advance(&client, now).await;
        assert_eq!(run["INVOICES_CREATED"], 1, "{now}");
    }
    let all = invoices(&client, id).await;
    assert_eq!(
        summary(&all),
        rows(&[
            ("RE-2024-00001", "2024-01-31 00:00:00", "2024-01-31 00:00:00", "2024-02-29 00:00:00", "11.89"),
            ("RE-2024-00002", "2024-02-29 00:00:00", "2024-02-29 00:00:00", "2024-03-31 00:00:00", "11.89"),
            ("RE-2024-00003", "2024-03-31 00:00:00", "2024-03-31 00:00:00", "2024-04-30 00:00:00", "11.89"),
            ("RE-2024-00004", "2024-04-30 00:00:00", "2024-04-30 00:00:00", "2024-05-31 00:00:00", "11.89"),
        ])
    );
    let first = &all[0];
    assert_eq!((first["SUB_TOTAL"].clone(), first["VAT_TOTAL"].clone()), (json!("9.99"), json!("1.90")));
    assert_eq!(first["VAT_ITEMS"], json!([{"VAT_PERCENT": "19.00", "COMPLETE_NET": "9.99", "VAT_VALUE": "1.90"}]));
    assert_eq!(first["ITEMS"][0]["UNIT_PRICE"], "9.99");
    assert_eq!(first["ITEMS"][0]["QUANTITY"], "1");
    assert_eq!(first["DUE_DATE"], "2024-02-14 00:00:00");
    assert_eq!(
        (first["TYPE"].clone(), first["STATUS"].clone(), first["OUTSTANDING_AMOUNT"].clone()),
        (json!("outgoing"), json!("overdue"), json!("11.89"))
    );
    let sub = subscription(&client, id).await;
    assert_eq!(
        (sub["NEXT_EVENT"].clone(), sub["LAST_EVENT"].clone()),
        (json!("2024-05-31 00:00:00"), json!("2024-04-30 00:00:00"))
    );
}

#[tokio::test]
async fn a_run_three_periods_late_issues_three_invoices_in_order_and_never_twice() {
    let app = spawn_app().await;
    let t = app.test_tenant("shop", "2024-01-31 00:00:00").await;
    let client = app.client(&t.key);
    article(&client, "M", "9.99", "19", json!({})).await;
    let c = customer(&client).await;
    let id = subscribe(&client, c, "M", json!({})).await["SUBSCRIPTION_ID"].as_i64().expect("id");
    let run = advance(&client, "2024-04-30 12:00:00").await;
    assert_eq!((run["INVOICES_CREATED"].clone(), run["NOW"].clone()), (json!(3), json!("2024-04-30 12:00:00")));
    let starts: Vec<String> =
        invoices(&client, id).await.iter().map(|i| i["PERIOD_START"].as_str().unwrap_or("").to_owned()).collect();
    assert_eq!(
        starts,
        vec!["2024-01-31 00:00:00", "2024-02-29 00:00:00", "2024-03-31 00:00:00", "2024-04-30 00:00:00"]
    );
    let again = advance(&client, "2024-04-30 12:00:00").await;
    assert_eq!(again["INVOICES_CREATED"], 0);
    let plain = client.ok("billing.run", json!({})).await;
    assert_eq!(plain["INVOICES_CREATED"], 0);
    assert_eq!(count_rows(&app, "invoice").await, 4);
}

#[tokio::test]
async fn concurrent_billing_runs_issue_each_invoice_once() {
    let app = spawn_app().await;
    let t = app.test_tenant("shop", "2024-01-01 00:00:00").await;
    let client = app.client(&t.key);
    article(&client, "M", "5.00", "19", json!({})).await;
    let c = customer(&client).await;
    for _ in 0..20 {
        subscribe(&client, c, "M", json!({})).await;
    }
    let runs = (0..4).map(|_| client.call("billing.run", json!({"DATA": {"NOW": "2024-06-01"}})));
    let results = futures::future::join_all(runs).await;
    let created: i64 =
        results.iter().map(|r| r.as_ref().expect("run succeeds")["INVOICES_CREATED"].as_i64().unwrap_or(0)).sum();
    assert_eq!(created, 20 * 5, "each of 5 due periods of 20 subscriptions billed exactly once");
    assert_eq!(count_rows(&app, "invoice").await, 20 * 6);
    assert_gapless(&client, 120).await;
}

/// The tenant's invoice numbers are exactly RE-2024-00001 to `count`: unique, no gap.
async fn assert_gapless(client: &Client, count: usize) -> Vec<Value> {
    let all = client.ok("invoice.get", json!({"LIMIT": 1000})).await;
    let invoices = all["INVOICES"].as_array().expect("list").clone();
    let mut numbers: Vec<&str> = invoices.iter().map(|i| i["INVOICE_NUMBER"].as_str().unwrap_or("")).collect();
    numbers.sort_unstable();
    let expected: Vec<String> = (1..=count).map(|n| format!("RE-2024-{n:05}")).collect();
    assert_eq!(numbers, expected);
    invoices
}

/// On PostgreSQL a run keeps several chunks in flight, each in a transaction
/// of its own; they meet only at the invoice counter.
#[tokio::test]
async fn a_run_with_chunks_in_flight_bills_each_period_once_with_gapless_numbers() {
    let app = spawn_app_with(|s| {
        s.billing.chunk_size = 3;
        s.billing.chunks_in_flight = 3;
    })
    .await;
    let t = app.test_tenant("shop", "2024-01-01 00:00:00").await;
    let client = app.client(&t.key);
    article(&client, "M", "5.00", "19", json!({})).await;
    let c = customer(&client).await;
    let mut subscriptions = Vec::new();
    for _ in 0..20 {
        subscriptions.push(subscribe(&client, c, "M", json!({})).await["SUBSCRIPTION_ID"].clone());
    }
    let run = client.ok("billing.run", json!({"DATA": {"NOW": "2024-06-01"}})).await;
    assert_eq!(run["INVOICES_CREATED"], 20 * 5, "{run}");
    assert_eq!(run["SUBSCRIPTIONS_FAILED"], 0, "{run}");
    let invoices = assert_gapless(&client, 120).await;
    for id in subscriptions {
        let mut dates: Vec<&str> = invoices
            .iter()
            .filter(|i| i["SUBSCRIPTION_ID"] == id)
            .map(|i| i["INVOICE_DATE"].as_str().unwrap_or(""))
            .collect();
        dates.sort_unstable();
        let before = dates.len();
        dates.dedup();
        assert_eq!((before, dates.len()), (6, 6), "subscription {id}: one invoice per period, {dates:?}");
    }
}

#[tokio::test]
async fn a_yearly_plan_started_on_feb_29_keeps_its_anchor() {
    let app = spawn_app().await;
    let t = app.test_tenant("shop", "2024-02-29 08:00:00").await;
    let client = app.client(&t.key);
    article(&client, "Y", "120", "19", json!({"SUBSCRIPTION_INTERVAL": "1 year"})).await;
    let c = customer(&client).await;
    let id = subscribe(&client, c, "Y", json!({})).await["SUBSCRIPTION_ID"].as_i64().expect("id");
    advance(&client, "2028-03-01").await;
    let periods: Vec<(String, String)> = invoices(&client, id)
        .await
        .iter()
        .map(|i| {
            (i["PERIOD_START"].as_str().unwrap_or("").to_owned(), i["PERIOD_END"].as_str().unwrap_or("").to_owned())
        })
        .collect();
    let expect = |a: &str, b: &str| (a.to_owned(), b.to_owned());
    assert_eq!(
        periods,
        vec![
            expect("2024-02-29 08:00:00", "2025-02-28 08:00:00"),
            expect("2025-02-28 08:00:00", "2026-02-28 08:00:00"),
            expect("2026-02-28 08:00:00", "2027-02-28 08:00:00"),
            expect("2027-02-28 08:00:00", "2028-02-29 08:00:00"),
            expect("2028-02-29 08:00:00", "2029-02-28 08:00:00"),
        ]
    );
    let numbers: Vec<String> =
        invoices(&client, id).await.iter().map(|i| i["INVOICE_NUMBER"].as_str().unwrap_or("").to_owned()).collect();
    assert_eq!(
        numbers,
        vec!["RE-2024-00001", "RE-2025-00001", "RE-2026-00001", "RE-2027-00001", "RE-2028-00001"],
        "the sequence restarts each year"
    );
}

#[tokio::test]
async fn vat_is_computed_on_the_summed_nets_of_a_rate() {
    let app = spawn_app().await;
    let t = app.test_tenant("shop", "2024-01-01").await;
    let client = app.client(&t.key);
    article(&client, "P", "0.07", "19", json!({})).await;
    article(&client, "A1", "0.07", "19", json!({"IS_ADDON": true})).await;
    article(&client, "A2", "0.07", "19", json!({"IS_ADDON": true})).await;
    let c = customer(&client).await;
    let created = subscribe(
        &client,
        c,
        "P",
        json!({"ADDONS": [{"ARTICLE_NUMBER": "A1"}, {"ARTICLE_NUMBER": "A2", "QUANTITY": 1}]}),
    )
    .await;
    let invoice = &invoices(&client, created["SUBSCRIPTION_ID"].as_i64().expect("id")).await[0];
    assert_eq!(
        lines(invoice),
        vec![("plan".into(), "0.07".into()), ("addon".into(), "0.07".into()), ("addon".into(), "0.07".into())]
    );
    assert_eq!(
        (invoice["SUB_TOTAL"].clone(), invoice["VAT_TOTAL"].clone(), invoice["TOTAL"].clone()),
        (json!("0.21"), json!("0.04"), json!("0.25"))
    );
    assert_eq!(invoice["VAT_ITEMS"], json!([{"VAT_PERCENT": "19.00", "COMPLETE_NET": "0.21", "VAT_VALUE": "0.04"}]));
}

#[tokio::test]
async fn vat_rounds_half_away_from_zero() {
    let app = spawn_app().await;
    let t = app.test_tenant("shop", "2024-01-01").await;
    let client = app.client(&t.key);
    article(&client, "P", "1.50", "19", json!({})).await;
    let c = customer(&client).await;
    let created = subscribe(&client, c, "P", json!({})).await;
    let invoice = &invoices(&client, created["SUBSCRIPTION_ID"].as_i64().expect("id")).await[0];
    assert_eq!((invoice["VAT_TOTAL"].clone(), invoice["TOTAL"].clone()), (json!("0.29"), json!("1.79")));
}

#[tokio::test]
async fn usage_is_billed_in_arrears_on_the_next_invoice_and_never_twice() {
    let app = spawn_app().await;
    let t = app.test_tenant("shop", "2024-01-01").await;
    let client = app.client(&t.key);
    article(&client, "P", "10", "19", json!({})).await;
    article(&client, "CALL", "0.0125", "19", json!({"IS_ADDON": true})).await;
    let c = customer(&client).await;
    let id = subscribe(&client, c, "P", json!({})).await["SUBSCRIPTION_ID"].as_i64().expect("id");
    advance(&client, "2024-01-10").await;
    let u1 = client
        .ok(
            "subscription.setusagedata",
            json!({"DATA": {"SUBSCRIPTION_ID": id, "ARTICLE_NUMBER": "CALL", "QUANTITY": "1.5"}}),
        )
        .await;
    client.ok("subscription.setusagedata", json!({"DATA": {"SUBSCRIPTION_ID": id, "ARTICLE_NUMBER": "CALL", "QUANTITY": 2.25, "DESCRIPTION": "Calls week 2", "USAGE_DATE": "2024-01-12 10:00:00"}})).await;
    let listed = client.ok("subscription.getusagedata", json!({"FILTER": {"SUBSCRIPTION_ID": id}})).await;
    assert_eq!(listed["USAGEDATA"][0]["STATUS"], "open");
    assert_eq!(listed["USAGEDATA"][1]["USAGE_DATE"], "2024-01-12 10:00:00");
    advance(&client, "2024-02-01").await;
    advance(&client, "2024-03-01").await;
    let all = invoices(&client, id).await;
    assert_eq!(lines(&all[0]), vec![("plan".into(), "10.00".into())]);
    assert_eq!(
        lines(&all[1]),
        vec![("plan".into(), "10.00".into()), ("usage".into(), "0.02".into()), ("usage".into(), "0.03".into())]
    );
    assert_eq!(all[1]["ITEMS"][1]["UNIT_PRICE"], "0.0125");
    assert_eq!(all[1]["ITEMS"][2]["DESCRIPTION"], "Calls week 2");
    assert_eq!(all[1]["SUB_TOTAL"], "10.05");
    assert_eq!(lines(&all[2]), vec![("plan".into(), "10.00".into())], "usage is never billed twice");
    let listed = client.ok("subscription.getusagedata", json!({"FILTER": {"SUBSCRIPTION_ID": id}})).await;
    assert_eq!(listed["USAGEDATA"][0]["STATUS"], "invoiced");
    let err = client.err("subscription.deleteusagedata", json!({"DATA": {"USAGEDATA_ID": u1["USAGEDATA_ID"]}})).await;
    assert_eq!(err.code, 1009);
}

#[tokio::test]
async fn open_usage_can_be_deleted_and_filtered_by_date() {
    let app = spawn_app().await;
    let t = app.test_tenant("shop", "2024-01-01").await;
    let client = app.client(&t.key);
    article(&client, "P", "10", "19", json!({})).await;
    let c = customer(&client).await;
    let id = subscribe(&client, c, "P", json!({})).await["SUBSCRIPTION_ID"].as_i64().expect("id");
    let u = client
        .ok(
            "subscription.setusagedata",
            json!({"DATA": {"SUBSCRIPTION_ID": id, "ARTICLE_NUMBER": "P", "QUANTITY": 1, "UNIT_PRICE": "2"}}),
        )
        .await;
    client
        .ok(
            "subscription.setusagedata",
            json!({"DATA": {"SUBSCRIPTION_ID": id, "ARTICLE_NUMBER": "P", "USAGE_DATE": "2023-12-01"}}),
        )
        .await;
    let january = client
        .ok(
            "subscription.getusagedata",
            json!({"FILTER": {"SUBSCRIPTION_ID": id, "START": "2024-01-01", "END": "2024-01-31"}}),
        )
        .await;
    assert_eq!(january["USAGEDATA"].as_array().map(Vec::len), Some(1));
    client.ok("subscription.deleteusagedata", json!({"DATA": {"USAGEDATA_ID": u["USAGEDATA_ID"]}})).await;
    let left = client.ok("subscription.getusagedata", json!({"FILTER": {"SUBSCRIPTION_ID": id}})).await;
    assert_eq!(left["USAGEDATA"].as_array().map(Vec::len), Some(1));
    let err = client
        .err(
            "subscription.setusagedata",
            json!({"DATA": {"SUBSCRIPTION_ID": id, "ARTICLE_NUMBER": "P", "CURRENCY_CODE": "USD"}}),
        )
        .await;
    assert_eq!((err.code, err.tag()), (-32602, Some("CURRENCY_CODE")));
    let err = client.err("subscription.getusagedata", json!({"FILTER": {}})).await;
    assert_eq!((err.code, err.tag()), (-32602, Some("SUBSCRIPTION_ID")));
}

#[tokio::test]
async fn a_trial_bills_at_its_end_and_the_setup_fee_only_once() {
    let app = spawn_app().await;
    let t = app.test_tenant("shop", "2024-03-01 09:30:00").await;
    let client = app.client(&t.key);
    article(&client, "T", "20", "19", json!({"SUBSCRIPTION_TRIAL": "14 days", "SETUP_FEE": "5"})).await;
    let c = customer(&client).await;
    let created = subscribe(&client, c, "T", json!({})).await;
    assert_eq!(created["INVOICE_ID"], json!(null), "nothing is billed during the trial");
    let id = created["SUBSCRIPTION_ID"].as_i64().expect("id");
    let sub = subscription(&client, id).await;
    assert_eq!(
        (sub["STATUS"].clone(), sub["TRIAL_END"].clone(), sub["NEXT_EVENT"].clone()),
        (json!("trial"), json!("2024-03-15 09:30:00"), json!("2024-03-15 09:30:00"))
    );
    advance(&client, "2024-03-15 09:29:59").await;
    assert!(invoices(&client, id).await.is_empty());
    advance(&client, "2024-04-15 09:30:00").await;
    let all = invoices(&client, id).await;
    assert_eq!(lines(&all[0]), vec![("plan".into(), "20.00".into()), ("setup".into(), "5.00".into())]);
    assert_eq!(all[0]["PERIOD_START"], "2024-03-15 09:30:00");
    assert_eq!(lines(&all[1]), vec![("plan".into(), "20.00".into())]);
    assert_eq!(subscription(&client, id).await["STATUS"], "active");
}

#[tokio::test]
async fn a_fixed_length_subscription_closes_after_its_last_period() {
    let app = spawn_app().await;
    let t = app.test_tenant("shop", "2025-01-01").await;
    let client = app.client(&t.key);
    article(&client, "F", "10", "0", json!({"SUBSCRIPTION_DURATION": 3})).await;
    let c = customer(&client).await;
    let id = subscribe(&client, c, "F", json!({})).await["SUBSCRIPTION_ID"].as_i64().expect("id");
    assert_eq!(subscription(&client, id).await["EXPIRATION_DATE"], "2025-04-01 00:00:00");
    advance(&client, "2025-03-31").await;
    assert_eq!(subscription(&client, id).await["STATUS"], "active");
    let run = advance(&client, "2025-04-01").await;
    assert_eq!((run["INVOICES_CREATED"].clone(), run["SUBSCRIPTIONS_CLOSED"].clone()), (json!(0), json!(1)));
    let sub = subscription(&client, id).await;
    assert_eq!(
        (sub["STATUS"].clone(), sub["CLOSE_REASON"].clone(), sub["NEXT_EVENT"].clone()),
        (json!("closed"), json!("expiration"), json!(null))
    );
    advance(&client, "2025-12-01").await;
    assert_eq!(invoices(&client, id).await.len(), 3);
}

#[tokio::test]
async fn a_planned_subscription_starts_and_bills_at_its_start() {
    let app = spawn_app().await;
    let t = app.test_tenant("shop", "2025-01-01").await;
    let client = app.client(&t.key);
    article(&client, "P", "10", "0", json!({})).await;
    let c = customer(&client).await;
    let created = subscribe(&client, c, "P", json!({"START_DATE": "2025-02-15"})).await;
    let id = created["SUBSCRIPTION_ID"].as_i64().expect("id");
    assert_eq!(created["INVOICE_ID"], json!(null));
    assert_eq!(subscription(&client, id).await["STATUS"], "planned");
    advance(&client, "2025-02-15").await;
    let sub = subscription(&client, id).await;
    assert_eq!((sub["STATUS"].clone(), sub["NEXT_EVENT"].clone()), (json!("active"), json!("2025-03-15 00:00:00")));
    assert_eq!(invoices(&client, id).await.len(), 1);
}

#[tokio::test]
async fn billing_run_now_is_for_test_tenants_and_never_goes_back() {
    let app = spawn_app().await;
    let live = app.admin().await;
    let err = live.err("billing.run", json!({"DATA": {"NOW": "2030-01-01"}})).await;
    assert_eq!(err.code, 1003);
    live.ok("billing.run", json!({})).await;
    let t = app.test_tenant("shop", "2025-01-01").await;
    let client = app.client(&t.key);
    advance(&client, "2025-06-01").await;
    let err = client.err("billing.run", json!({"DATA": {"NOW": "2025-05-01"}})).await;
    assert_eq!((err.code, err.tag()), (-32602, Some("NOW")));
    assert_eq!(client.ok("system.ping", json!({})).await["NOW"], "2025-06-01 00:00:00");
    let key = client.ok("key.create", json!({})).await;
    let plain = app.client(key["API_KEY"].as_str().expect("key"));
    assert_eq!(plain.err("billing.run", json!({})).await.code, 1003, "billing.run needs an admin key");
}

#[tokio::test]
async fn the_scheduler_inside_serve_bills_due_subscriptions() {
    let app = spawn_app_with(|s| s.billing.schedule_seconds = 1).await;
    let client = app.admin().await;
    article(&client, "P", "10", "0", json!({})).await;
    let c = customer(&client).await;
    let soon = app.state.clock.now() + chrono::Duration::seconds(2);
    let next = soon.format("%Y-%m-%d %H:%M:%S").to_string();
    let created = subscribe(&client, c, "P", json!({"NEXT_EVENT": next})).await;
    assert_eq!(created["INVOICE_ID"], json!(null));
    let id = created["SUBSCRIPTION_ID"].as_i64().expect("id");
    for _ in 0..50 {
        if !invoices(&client, id).await.is_empty() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    panic!("the scheduled run did not bill the subscription");
}

#[tokio::test]
async fn one_broken_subscription_does_not_stop_a_run() {
    let app = spawn_app().await;
    let t = app.test_tenant("shop", "2025-01-01").await;
    let client = app.client(&t.key);
    article(&client, "M", "5.00", "0", json!({})).await;
    let c = customer(&client).await;
    let mut ids = Vec::new();
    for _ in 0..5 {
        ids.push(subscribe(&client, c, "M", json!({})).await["SUBSCRIPTION_ID"].as_i64().expect("id"));
    }
    // Corrupt one row the way a bad manual edit would.
    use sea_orm::ConnectionTrait;
    let db = &app.state.db.write;
    let sql = format!("UPDATE subscription SET interval = 'fortnightly' WHERE id = {}", ids[2]);
    db.execute(sea_orm::Statement::from_string(db.get_database_backend(), sql)).await.expect("corrupt");
    let run = advance(&client, "2025-02-01").await;
    assert_eq!((run["INVOICES_CREATED"].clone(), run["SUBSCRIPTIONS_FAILED"].clone()), (json!(4), json!(1)));
    for (i, id) in ids.iter().enumerate() {
        assert_eq!(invoices(&client, *id).await.len(), if i == 2 { 1 } else { 2 }, "subscription {i}");
    }
}
