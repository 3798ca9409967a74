//! Plan, quantity and add-on changes with exact proration.

use serde_json::{Value, json};

use crate::fixtures::{advance, article, customer, invoices, lines, subscribe, subscription};
use crate::helpers::{Client, count_rows, spawn_app};

/// A test tenant at 2025-04-01 with plans S (30.00), L (60.00), M (45.00), XL (90.00)
/// and add-on SEAT (6.00, multiples allowed); one subscription to S.
async fn april(app: &crate::helpers::TestApp) -> (Client, i64) {
    let t = app.test_tenant("shop", "2025-04-01").await;
    let client = app.client(&t.key);
    for (number, price) in [("S", "30.00"), ("L", "60.00"), ("M", "45.00"), ("XL", "90.00")] {
        article(&client, number, price, "19", json!({})).await;
    }
    article(&client, "SEAT", "6.00", "19", json!({"IS_ADDON": true, "ALLOW_MULTIPLE": true})).await;
    let c = customer(&client).await;
    let id = subscribe(&client, c, "S", json!({})).await["SUBSCRIPTION_ID"].as_i64().expect("id");
    (client, id)
}

fn pair(kind: &str, net: &str) -> (String, String) {
    (kind.to_owned(), net.to_owned())
}

#[tokio::test]
async fn an_upgrade_mid_period_is_prorated_by_days_on_an_invoice_issued_now() {
    let app = spawn_app().await;
    let (client, id) = april(&app).await;
    advance(&client, "2025-04-11 00:00:00").await;
    let answer =
        client.ok("subscription.changearticle", json!({"DATA": {"SUBSCRIPTION_ID": id, "ARTICLE_NUMBER": "L"}})).await;
    assert_eq!(
        (answer["CHANGE"].clone(), answer["EFFECTIVE_DATE"].clone()),
        (json!("immediate"), json!("2025-04-11 00:00:00"))
    );
    let all = invoices(&client, id).await;
    assert_eq!(all.len(), 2);
    let now = &all[1];
    assert_eq!(now["INVOICE_ID"], answer["INVOICE_ID"]);
    assert_eq!(lines(now), vec![pair("proration", "-20.00"), pair("proration", "40.00")]);
    assert_eq!(
        (now["SUB_TOTAL"].clone(), now["VAT_TOTAL"].clone(), now["TOTAL"].clone()),
        (json!("20.00"), json!("3.80"), json!("23.80"))
    );
    assert_eq!(
        (now["PERIOD_START"].clone(), now["PERIOD_END"].clone()),
        (json!("2025-04-11 00:00:00"), json!("2025-05-01 00:00:00"))
    );
    let sub = subscription(&client, id).await;
    assert_eq!((sub["ARTICLE_NUMBER"].clone(), sub["PLAN"]["UNIT_PRICE"].clone()), (json!("L"), json!("60.00")));
    advance(&client, "2025-05-01").await;
    let all = invoices(&client, id).await;
    assert_eq!(lines(&all[2]), vec![pair("plan", "60.00")]);
    assert_eq!(all[2]["PERIOD_START"], "2025-05-01 00:00:00");
}

#[tokio::test]
async fn a_suppressed_upgrade_moves_its_lines_to_the_next_invoice() {
    let app = spawn_app().await;
    let (client, id) = april(&app).await;
    advance(&client, "2025-04-11").await;
    let answer = client
        .ok(
            "subscription.changearticle",
            json!({"DATA": {"SUBSCRIPTION_ID": id, "ARTICLE_NUMBER": "L", "SUPPRESS_BILL_RUN": 1}}),
        )
        .await;
    assert_eq!(answer["INVOICE_ID"], json!(null));
    assert_eq!(invoices(&client, id).await.len(), 1);
    let upcoming = client.ok("subscription.getupcomingamount", json!({"DATA": {"SUBSCRIPTION_ID": id}})).await;
    assert_eq!(upcoming["SUB_TOTAL"], "80.00");
    advance(&client, "2025-05-01").await;
    let all = invoices(&client, id).await;
    assert_eq!(lines(&all[1]), vec![pair("plan", "60.00"), pair("proration", "-20.00"), pair("proration", "40.00")]);
    assert_eq!(all[1]["SUB_TOTAL"], "80.00");
    advance(&client, "2025-06-01").await;
    assert_eq!(lines(&invoices(&client, id).await[2]), vec![pair("plan", "60.00")], "deferred lines are billed once");
}

#[tokio::test]
async fn a_downgrade_waits_for_the_period_end() {
    let app = spawn_app().await;
    let (client, id) = april(&app).await;
    client.ok("subscription.changearticle", json!({"DATA": {"SUBSCRIPTION_ID": id, "ARTICLE_NUMBER": "L"}})).await;
    advance(&client, "2025-04-20").await;
    let before = count_rows(&app, "invoice").await;
    let answer =
        client.ok("subscription.changearticle", json!({"DATA": {"SUBSCRIPTION_ID": id, "ARTICLE_NUMBER": "M"}})).await;
    assert_eq!(
        (answer["CHANGE"].clone(), answer["EFFECTIVE_DATE"].clone(), answer["INVOICE_ID"].clone()),
        (json!("scheduled"), json!("2025-05-01 00:00:00"), json!(null))
    );
    assert_eq!(count_rows(&app, "invoice").await, before, "nothing is billed now");
    let sub = subscription(&client, id).await;
    assert_eq!(sub["ARTICLE_NUMBER"], "L");
    assert_eq!(sub["PLAN_UPCOMING"]["ARTICLE_NUMBER"], "M");
    assert_eq!(sub["PLAN_UPCOMING"]["EFFECTIVE_DATE"], "2025-05-01 00:00:00");
    assert_eq!(sub["PLAN_UPCOMING"]["UNIT_PRICE"], "45.00");
    let upcoming = client.ok("subscription.getupcomingamount", json!({"DATA": {"SUBSCRIPTION_ID": id}})).await;
    assert_eq!(upcoming["SUB_TOTAL"], "45.00", "the next invoice is at the lower price");
    advance(&client, "2025-05-01").await;
    let all = invoices(&client, id).await;
    assert_eq!(lines(all.last().expect("invoice")), vec![pair("plan", "45.00")]);
    let sub = subscription(&client, id).await;
    assert_eq!((sub["ARTICLE_NUMBER"].clone(), sub["PLAN_UPCOMING"].clone()), (json!("M"), json!(null)));
}

#[tokio::test]
async fn an_upgrade_replaces_a_pending_downgrade_and_the_period_sums_to_what_was_active() {
    let app = spawn_app().await;
    let (client, id) = april(&app).await;
    // Period April 1 - May 1 (30 days): S 30 from day 0, L 60 from day 10,
    // a downgrade to M asked on day 15 (scheduled), XL 90 from day 20.
    advance(&client, "2025-04-11").await;
    client.ok("subscription.changearticle", json!({"DATA": {"SUBSCRIPTION_ID": id, "ARTICLE_NUMBER": "L"}})).await;
    advance(&client, "2025-04-16").await;
    client.ok("subscription.changearticle", json!({"DATA": {"SUBSCRIPTION_ID": id, "ARTICLE_NUMBER": "M"}})).await;
    assert_eq!(subscription(&client, id).await["PLAN_UPCOMING"]["ARTICLE_NUMBER"], "M");
    advance(&client, "2025-04-21").await;
    client.ok("subscription.changearticle", json!({"DATA": {"SUBSCRIPTION_ID": id, "ARTICLE_NUMBER": "XL"}})).await;
    let sub = subscription(&client, id).await;
    assert_eq!((sub["ARTICLE_NUMBER"].clone(), sub["PLAN_UPCOMING"].clone()), (json!("XL"), json!(null)));
    let all = invoices(&client, id).await;
    assert_eq!(lines(&all[2]), vec![pair("proration", "-20.00"), pair("proration", "30.00")]);
    let period: rust_decimal::Decimal = all
        .iter()
        .map(|i| i["SUB_TOTAL"].as_str().and_then(|s| s.parse::<rust_decimal::Decimal>().ok()).unwrap_or_default())
        .sum();
    // Time-weighted: 10 days of S at 1.00 + 10 days of L at 2.00 + 10 days of XL at 3.00.
    assert_eq!(period.to_string(), "60.00");
    advance(&client, "2025-05-01").await;
    assert_eq!(lines(invoices(&client, id).await.last().expect("invoice")), vec![pair("plan", "90.00")]);
}

#[tokio::test]
async fn quantity_increases_are_prorated_and_decreases_wait() {
    let app = spawn_app().await;
    let t = app.test_tenant("shop", "2025-04-01").await;
    let client = app.client(&t.key);
    article(&client, "U", "3.00", "0", json!({})).await;
    let c = customer(&client).await;
    let id = subscribe(&client, c, "U", json!({"QUANTITY": 5})).await["SUBSCRIPTION_ID"].as_i64().expect("id");
    advance(&client, "2025-04-11").await;
    let up = client
        .ok(
            "subscription.changequantity",
            json!({"DATA": {"SUBSCRIPTION_ID": id, "ARTICLE_NUMBER": "U", "QUANTITY": 8}}),
        )
        .await;
    assert_eq!(up["CHANGE"], "immediate");
    let all = invoices(&client, id).await;
    // 5 x 3.00 = 15.00 and 8 x 3.00 = 24.00 for 20 of 30 days.
    assert_eq!(lines(&all[1]), vec![pair("proration", "-10.00"), pair("proration", "16.00")]);
    let down = client
        .ok(
            "subscription.changequantity",
            json!({"DATA": {"SUBSCRIPTION_ID": id, "ARTICLE_NUMBER": "U", "QUANTITY": 2}}),
        )
        .await;
    assert_eq!((down["CHANGE"].clone(), down["INVOICE_ID"].clone()), (json!("scheduled"), json!(null)));
    assert_eq!(subscription(&client, id).await["QUANTITY"], "8");
    advance(&client, "2025-05-01").await;
    let all = invoices(&client, id).await;
    assert_eq!(lines(&all[2]), vec![pair("plan", "6.00")]);
    assert_eq!(subscription(&client, id).await["QUANTITY"], "2");
    let err = client
        .err(
            "subscription.changequantity",
            json!({"DATA": {"SUBSCRIPTION_ID": id, "ARTICLE_NUMBER": "NOPE", "QUANTITY": 1}}),
        )
        .await;
    assert_eq!((err.code, err.tag()), (-32602, Some("ARTICLE_NUMBER")));
    let err = client
        .err(
            "subscription.changequantity",
            json!({"DATA": {"SUBSCRIPTION_ID": id, "ARTICLE_NUMBER": "U", "QUANTITY": 0}}),
        )
        .await;
    assert_eq!((err.code, err.tag()), (-32602, Some("QUANTITY")));
}

#[tokio::test]
async fn an_add_on_booked_mid_period_is_prorated_then_billed_in_full() {
    let app = spawn_app().await;
    let (client, id) = april(&app).await;
    advance(&client, "2025-04-16").await;
    let answer = client
        .ok("subscription.setaddon", json!({"DATA": {"SUBSCRIPTION_ID": id, "ARTICLE_NUMBER": "SEAT", "QUANTITY": 2}}))
        .await;
    assert!(answer["INVOICE_ID"].is_i64());
    // 2 x 6.00 for 15 of 30 days.
    assert_eq!(lines(&invoices(&client, id).await[1]), vec![pair("proration", "6.00")]);
    client
        .ok(
            "subscription.setaddon",
            json!({"DATA": {"SUBSCRIPTION_ID": id, "ARTICLE_NUMBER": "SEAT", "SUPPRESS_BILL_RUN": true}}),
        )
        .await;
    assert_eq!(subscription(&client, id).await["ADDONS"][0]["QUANTITY"], "3");
    advance(&client, "2025-06-01").await;
    let all = invoices(&client, id).await;
    // The deferred change: credit 2 seats, charge 3 seats for 15 of 30 days.
    assert_eq!(
        lines(&all[2]),
        vec![pair("plan", "30.00"), pair("addon", "18.00"), pair("proration", "-6.00"), pair("proration", "9.00")]
    );
    assert_eq!(lines(&all[3]), vec![pair("plan", "30.00"), pair("addon", "18.00")]);
}

#[tokio::test]
async fn add_ons_must_be_add_on_articles_in_the_subscriptions_currency() {
    let app = spawn_app().await;
    let (client, id) = april(&app).await;
    article(&client, "ONCE", "1", "19", json!({"IS_ADDON": true})).await;
    article(&client, "USD", "1", "19", json!({"IS_ADDON": true, "CURRENCY_CODE": "USD"})).await;
    for (data, code, tag) in [
        (json!({"ARTICLE_NUMBER": "L"}), -32602, "ARTICLE_NUMBER"),
        (json!({"ARTICLE_NUMBER": "USD"}), -32602, "ARTICLE_NUMBER"),
        (json!({"ARTICLE_NUMBER": "ONCE", "QUANTITY": 2}), -32602, "QUANTITY"),
        (json!({"ARTICLE_NUMBER": "NOPE"}), 1004, "ARTICLE_NUMBER"),
    ] {
        let mut d = data.clone();
        d["SUBSCRIPTION_ID"] = json!(id);
        let err = client.err("subscription.setaddon", json!({"DATA": d})).await;
        assert_eq!((err.code, err.tag()), (code, Some(tag)), "{data}");
    }
    client.ok("subscription.setaddon", json!({"DATA": {"SUBSCRIPTION_ID": id, "ARTICLE_NUMBER": "ONCE"}})).await;
    let err =
        client.err("subscription.setaddon", json!({"DATA": {"SUBSCRIPTION_ID": id, "ARTICLE_NUMBER": "ONCE"}})).await;
    assert_eq!((err.code, err.tag()), (1009, Some("ARTICLE_NUMBER")), "booked once without ALLOW_MULTIPLE");
    let err = client
        .err("subscription.changearticle", json!({"DATA": {"SUBSCRIPTION_ID": id, "ARTICLE_NUMBER": "SEAT"}}))
        .await;
    assert_eq!((err.code, err.tag()), (-32602, Some("ARTICLE_NUMBER")), "a plan change needs a plan");
}

#[tokio::test]
async fn change_article_resets_and_adds_add_ons() {
    let app = spawn_app().await;
    let (client, id) = april(&app).await;
    client.ok("subscription.setaddon", json!({"DATA": {"SUBSCRIPTION_ID": id, "ARTICLE_NUMBER": "SEAT"}})).await;
    article(&client, "DISK", "2", "19", json!({"IS_ADDON": true})).await;
    let data = json!({"SUBSCRIPTION_ID": id, "ARTICLE_NUMBER": "L", "QUANTITY": 2, "RESET_ADDONS": 1, "ADDONS": [{"ARTICLE_NUMBER": "DISK"}], "FEATURES": {"tier": "large"}});
    client.ok("subscription.changearticle", json!({"DATA": data})).await;
    let sub = subscription(&client, id).await;
    assert_eq!((sub["QUANTITY"].clone(), sub["FEATURES"].clone()), (json!("2"), json!({"tier": "large"})));
    let numbers: Vec<&str> =
        sub["ADDONS"].as_array().expect("addons").iter().filter_map(|a| a["ARTICLE_NUMBER"].as_str()).collect();
    assert_eq!(numbers, vec!["DISK"]);
}

#[tokio::test]
async fn changes_are_refused_once_closed_and_allowed_while_canceled() {
    let app = spawn_app().await;
    let (client, id) = april(&app).await;
    client.ok("subscription.cancel", json!({"DATA": {"SUBSCRIPTION_ID": id}})).await;
    advance(&client, "2025-04-11").await;
    client.ok("subscription.changearticle", json!({"DATA": {"SUBSCRIPTION_ID": id, "ARTICLE_NUMBER": "L"}})).await;
    assert_eq!(subscription(&client, id).await["STATUS"], "canceled");
    advance(&client, "2025-05-01").await;
    let before: Vec<i64> = vec![count_rows(&app, "invoice").await, count_rows(&app, "event").await];
    for (method, data) in [
        ("subscription.changearticle", json!({"SUBSCRIPTION_ID": id, "ARTICLE_NUMBER": "XL"})),
        ("subscription.changequantity", json!({"SUBSCRIPTION_ID": id, "ARTICLE_NUMBER": "L", "QUANTITY": 3})),
        ("subscription.setaddon", json!({"SUBSCRIPTION_ID": id, "ARTICLE_NUMBER": "SEAT"})),
        ("subscription.pause", json!({"SUBSCRIPTION_ID": id})),
    ] {
        assert_eq!(client.err(method, json!({"DATA": data})).await.code, 1009, "{method}");
    }
    assert_eq!(vec![count_rows(&app, "invoice").await, count_rows(&app, "event").await], before);
}

#[tokio::test]
async fn dry_runs_preview_the_invoice_and_change_nothing() {
    let app = spawn_app().await;
    let (client, id) = april(&app).await;
    advance(&client, "2025-04-11").await;
    let snapshot = subscription(&client, id).await;
    let tables = ["invoice", "invoice_item", "event", "counter"];
    let mut before = Vec::new();
    for t in tables {
        before.push(count_rows(&app, t).await);
    }
    let dry = client
        .ok(
            "subscription.changearticle",
            json!({"DATA": {"SUBSCRIPTION_ID": id, "ARTICLE_NUMBER": "L"}, "DRY_RUN": true}),
        )
        .await;
    assert_eq!(dry["INVOICE_ID"], json!(null));
    assert_eq!(lines(&dry["INVOICE_PREVIEW"]), vec![pair("proration", "-20.00"), pair("proration", "40.00")]);
    let dry = client
        .ok(
            "subscription.setaddon",
            json!({"DATA": {"SUBSCRIPTION_ID": id, "ARTICLE_NUMBER": "SEAT"}, "DRY_RUN": true}),
        )
        .await;
    assert_eq!(lines(&dry["INVOICE_PREVIEW"]), vec![pair("proration", "4.00")]);
    let dry = client
        .ok(
            "subscription.changequantity",
            json!({"DATA": {"SUBSCRIPTION_ID": id, "ARTICLE_NUMBER": "S", "QUANTITY": 2}, "DRY_RUN": true}),
        )
        .await;
    assert_eq!(dry["INVOICE_PREVIEW"]["SUB_TOTAL"], "20.00");
    let dry = client.ok("subscription.pause", json!({"DATA": {"SUBSCRIPTION_ID": id}, "DRY_RUN": true})).await;
    assert_eq!(dry["PAUSE_ID"], json!(null));
    let mut after = Vec::new();
    for t in tables {
        after.push(count_rows(&app, t).await);
    }
    assert_eq!(before, after);
    assert_eq!(subscription(&client, id).await, snapshot);
    assert_eq!(count_rows(&app, "subscription_pause").await, 0);
}

#[tokio::test]
async fn an_idempotency_key_makes_an_upgrade_safe_to_retry() {
    let app = spawn_app().await;
    let (client, id) = april(&app).await;
    advance(&client, "2025-04-11").await;
    let params = json!({"DATA": {"SUBSCRIPTION_ID": id, "ARTICLE_NUMBER": "L"}, "IDEMPOTENCY_KEY": "up-1"});
    let first = client.ok("subscription.changearticle", params.clone()).await;
    let again = client.ok("subscription.changearticle", params).await;
    assert_eq!(first, again);
    assert_eq!(invoices(&client, id).await.len(), 2, "one proration invoice");
    let _: Value = first;
}
