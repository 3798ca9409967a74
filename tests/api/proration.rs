//! Proration and period rounding where nothing comes out even: February,
//! 31-day months, yearly and weekly periods, prices not divisible by the day
//! count, pause credits, interval changes, changes during a trial or a pause,
//! downgrades that add to a pending change, 0- and 3-decimal currencies,
//! prices and currencies set on the subscription, and article updates.
//!
//! Every expected figure is worked out by hand in the comment above it
//! (README "Proration": credit = -round(old_net x R / D), charge =
//! +round(new_net x R / D), R = days from the change's date to the period
//! end, D = days of the period, round = half away from zero to the minor
//! unit; VAT per rate on the summed nets). None is computed with the crate.

use serde_json::{Value, json};

use crate::fixtures::{advance, article, customer, invoices, lines, subscribe, subscription};
use crate::helpers::{Client, TestApp, spawn_app};

fn pair(kind: &str, net: &str) -> (String, String) {
    (kind.to_owned(), net.to_owned())
}

/// `(SUB_TOTAL, VAT_TOTAL, TOTAL)` of an invoice.
fn totals(invoice: &Value) -> (Value, Value, Value) {
    (invoice["SUB_TOTAL"].clone(), invoice["VAT_TOTAL"].clone(), invoice["TOTAL"].clone())
}

fn t3(a: &str, b: &str, c: &str) -> (Value, Value, Value) {
    (json!(a), json!(b), json!(c))
}

/// A test tenant at `clock` with plans `(number, price, extra tags)` at 19 %
/// VAT and one customer.
async fn shop(app: &TestApp, clock: &str, plans: &[(&str, &str, Value)]) -> (Client, i64) {
    let t = app.test_tenant("shop", clock).await;
    let client = app.client(&t.key);
    for (number, price, extra) in plans {
        article(&client, number, price, "19", extra.clone()).await;
    }
    let c = customer(&client).await;
    (client, c)
}

async fn sub(client: &Client, c: i64, plan: &str, extra: Value) -> i64 {
    subscribe(client, c, plan, extra).await["SUBSCRIPTION_ID"].as_i64().expect("SUBSCRIPTION_ID")
}

async fn change(client: &Client, id: i64, to: &str) -> Value {
    client.ok("subscription.changearticle", json!({"DATA": {"SUBSCRIPTION_ID": id, "ARTICLE_NUMBER": to}})).await
}

/// The invoice a change answered.
async fn answered(client: &Client, answer: &Value) -> Value {
    let found = client.ok("invoice.get", json!({"FILTER": {"INVOICE_ID": answer["INVOICE_ID"]}})).await;
    found["INVOICES"][0].clone()
}

#[tokio::test]
async fn february_prorates_over_28_days_and_over_29_in_a_leap_year() {
    let app = spawn_app().await;
    // 2025: Feb 1 - Mar 1 is D = 28 days; changed on Feb 11, R = 18.
    //   credit -round(10.00 x 18 / 28 = 6.428571) = -6.43
    //   charge +round(20.00 x 18 / 28 = 12.857142) = 12.86
    //   net 6.43, VAT 19 % = 1.2217 -> 1.22, total 7.65
    // 2024: D = 29; changed on Feb 11, R = 19.
    //   credit -round(10.00 x 19 / 29 = 6.551724) = -6.55
    //   charge +round(20.00 x 19 / 29 = 13.103448) = 13.10
    //   net 6.55, VAT 19 % = 1.2445 -> 1.24, total 7.79
    for (start, on, credit, charge, expected) in [
        ("2025-02-01", "2025-02-11", "-6.43", "12.86", t3("6.43", "1.22", "7.65")),
        ("2024-02-01", "2024-02-11", "-6.55", "13.10", t3("6.55", "1.24", "7.79")),
    ] {
        let (client, c) = shop(&app, start, &[("A", "10.00", json!({})), ("B", "20.00", json!({}))]).await;
        let id = sub(&client, c, "A", json!({})).await;
        advance(&client, on).await;
        let invoice = answered(&client, &change(&client, id, "B").await).await;
        assert_eq!(lines(&invoice), vec![pair("proration", credit), pair("proration", charge)], "{start}");
        assert_eq!(totals(&invoice), expected, "{start}");
        assert_eq!(invoice["PERIOD_END"], format!("{}-03-01 00:00:00", &start[..4]));
    }
}

#[tokio::test]
async fn a_31_day_month_with_prices_not_divisible_by_the_days() {
    let app = spawn_app().await;
    let (client, c) = shop(&app, "2025-01-01", &[("A", "9.99", json!({})), ("B", "19.99", json!({}))]).await;
    let id = sub(&client, c, "A", json!({})).await;
    advance(&client, "2025-01-21").await;
    // January: D = 31; Jan 21 -> Feb 1 leaves R = 11.
    //   credit -round(9.99 x 11 / 31 = 109.89 / 31 = 3.544838) = -3.54
    //   charge +round(19.99 x 11 / 31 = 219.89 / 31 = 7.093225) = 7.09
    //   net 3.55, VAT 19 % = 0.6745 -> 0.67, total 4.22
    let invoice = answered(&client, &change(&client, id, "B").await).await;
    assert_eq!(lines(&invoice), vec![pair("proration", "-3.54"), pair("proration", "7.09")]);
    assert_eq!(totals(&invoice), t3("3.55", "0.67", "4.22"));
    assert_eq!(invoice["ITEMS"][0]["DESCRIPTION"], "Unused time: 1 x Plan A (11 of 31 days)");
    assert_eq!(invoice["ITEMS"][1]["DESCRIPTION"], "Remaining time: 1 x Plan B (11 of 31 days)");
}

#[tokio::test]
async fn proration_lines_round_half_away_from_zero() {
    let app = spawn_app().await;
    let (client, c) = shop(&app, "2025-04-01", &[("A", "0.45", json!({})), ("B", "0.75", json!({}))]).await;
    let id = sub(&client, c, "A", json!({})).await;
    advance(&client, "2025-04-16").await;
    // April: D = 30; Apr 16 -> May 1 leaves R = 15.
    //   credit -round(0.45 x 15 / 30 = 0.225) = -0.23 (half away from zero; half-even gives -0.22)
    //   charge +round(0.75 x 15 / 30 = 0.375) = 0.38 (half-even gives 0.38 too)
    //   net 0.15, VAT 19 % = 0.0285 -> 0.03, total 0.18
    let invoice = answered(&client, &change(&client, id, "B").await).await;
    assert_eq!(lines(&invoice), vec![pair("proration", "-0.23"), pair("proration", "0.38")]);
    assert_eq!(totals(&invoice), t3("0.15", "0.03", "0.18"));
}

#[tokio::test]
async fn yearly_periods_prorate_over_365_or_366_days() {
    let app = spawn_app().await;
    let yearly = json!({"SUBSCRIPTION_INTERVAL": "1 year"});
    // 2025: D = 365; Mar 1 2025 -> Jan 1 2026 leaves R = 306
    //   (Mar 31 + Apr 30 + May 31 + Jun 30 + Jul 31 + Aug 31 + Sep 30 + Oct 31 + Nov 30 + Dec 31).
    //   credit -round(120.00 x 306 / 365 = 36720 / 365 = 100.602739) = -100.60
    //   charge +round(240.00 x 306 / 365 = 73440 / 365 = 201.205479) = 201.21
    //   net 100.61, VAT 19 % = 19.1159 -> 19.12, total 119.73
    // 2024 (leap): D = 366; Mar 1 2024 -> Jan 1 2025 leaves R = 306 as well.
    //   credit -round(36720 / 366 = 100.327868) = -100.33
    //   charge +round(73440 / 366 = 200.655737) = 200.66
    //   net 100.33, VAT 19 % = 19.0627 -> 19.06, total 119.39
    for (start, on, credit, charge, expected) in [
        ("2025-01-01", "2025-03-01", "-100.60", "201.21", t3("100.61", "19.12", "119.73")),
        ("2024-01-01", "2024-03-01", "-100.33", "200.66", t3("100.33", "19.06", "119.39")),
    ] {
        let plans = [("Y1", "120.00", yearly.clone()), ("Y2", "240.00", yearly.clone())];
        let (client, c) = shop(&app, start, &plans).await;
        let id = sub(&client, c, "Y1", json!({})).await;
        advance(&client, on).await;
        let invoice = answered(&client, &change(&client, id, "Y2").await).await;
        assert_eq!(lines(&invoice), vec![pair("proration", credit), pair("proration", charge)], "{start}");
        assert_eq!(totals(&invoice), expected, "{start}");
    }
}

#[tokio::test]
async fn weekly_periods_prorate_over_seven_days() {
    let app = spawn_app().await;
    let weekly = json!({"SUBSCRIPTION_INTERVAL": "1 week"});
    let plans = [("W1", "10.00", weekly.clone()), ("W2", "15.00", weekly)];
    let (client, c) = shop(&app, "2025-01-06", &plans).await;
    let id = sub(&client, c, "W1", json!({})).await;
    advance(&client, "2025-01-09").await;
    // Jan 6 - Jan 13: D = 7; Jan 9 leaves R = 4.
    //   credit -round(10.00 x 4 / 7 = 5.714285) = -5.71
    //   charge +round(15.00 x 4 / 7 = 8.571428) = 8.57
    //   net 2.86, VAT 19 % = 0.5434 -> 0.54, total 3.40
    let invoice = answered(&client, &change(&client, id, "W2").await).await;
    assert_eq!(lines(&invoice), vec![pair("proration", "-5.71"), pair("proration", "8.57")]);
    assert_eq!(totals(&invoice), t3("2.86", "0.54", "3.40"));
    advance(&client, "2025-01-20").await;
    let all = invoices(&client, id).await;
    let starts: Vec<&str> = all.iter().filter_map(|i| i["PERIOD_START"].as_str()).collect();
    assert_eq!(
        starts,
        vec!["2025-01-06 00:00:00", "2025-01-09 00:00:00", "2025-01-13 00:00:00", "2025-01-20 00:00:00"]
    );
    assert_eq!(lines(&all[3]), vec![pair("plan", "15.00")]);
}

#[tokio::test]
async fn pause_credits_in_a_31_day_month_and_in_february() {
    let app = spawn_app().await;
    // January 2025 (D = 31), paused from Jan 21 to Feb 15: 11 paid days unused
    // (Jan 21 -> Feb 1): credit -round(9.99 x 11 / 31 = 3.544838) = -3.54.
    // The Feb 1 period falls in the pause; billing resumes on Feb 15,
    // re-anchored: 9.99 - 3.54 = 6.45 for Feb 15 - Mar 15, then 9.99.
    let (client, c) = shop(&app, "2025-01-01", &[("P", "9.99", json!({}))]).await;
    let id = sub(&client, c, "P", json!({})).await;
    advance(&client, "2025-01-21").await;
    client.ok("subscription.pause", json!({"DATA": {"SUBSCRIPTION_ID": id, "END_DATE": "2025-02-15"}})).await;
    advance(&client, "2025-03-15").await;
    let all = invoices(&client, id).await;
    let periods: Vec<(&str, &str)> = all
        .iter()
        .map(|i| (i["PERIOD_START"].as_str().unwrap_or(""), i["PERIOD_END"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(
        periods,
        vec![
            ("2025-01-01 00:00:00", "2025-02-01 00:00:00"),
            ("2025-02-15 00:00:00", "2025-03-15 00:00:00"),
            ("2025-03-15 00:00:00", "2025-04-15 00:00:00"),
        ]
    );
    assert_eq!(lines(&all[1]), vec![pair("plan", "9.99"), pair("proration", "-3.54")]);
    // net 6.45, VAT 19 % = 1.2255 -> 1.23, total 7.68
    assert_eq!(totals(&all[1]), t3("6.45", "1.23", "7.68"));
    assert_eq!(all[1]["ITEMS"][1]["DESCRIPTION"], "Paused: 1 x Plan P (11 of 31 days)");
    // February 2025 (D = 28), paused Feb 11 - Feb 16: 5 days,
    // credit -round(10.00 x 5 / 28 = 1.785714) = -1.79; March: 10.00 - 1.79 = 8.21.
    let (client, c) = shop(&app, "2025-02-01", &[("P", "10.00", json!({}))]).await;
    let id = sub(&client, c, "P", json!({})).await;
    client
        .ok(
            "subscription.pause",
            json!({"DATA": {"SUBSCRIPTION_ID": id, "START_DATE": "2025-02-11", "END_DATE": "2025-02-16"}}),
        )
        .await;
    advance(&client, "2025-03-01").await;
    let all = invoices(&client, id).await;
    assert_eq!(lines(&all[1]), vec![pair("plan", "10.00"), pair("proration", "-1.79")]);
    assert_eq!(all[1]["SUB_TOTAL"], "8.21");
    assert_eq!(subscription(&client, id).await["NEXT_EVENT"], "2025-04-01 00:00:00");
}

#[tokio::test]
async fn a_change_of_interval_starts_a_new_cycle_or_waits_when_it_costs_less_per_day() {
    let app = spawn_app().await;
    let plans = [
        ("M", "30.00", json!({})),
        ("Y400", "400.00", json!({"SUBSCRIPTION_INTERVAL": "1 year"})),
        ("Y300", "300.00", json!({"SUBSCRIPTION_INTERVAL": "1 year"})),
    ];
    let (client, c) = shop(&app, "2025-04-01", &plans).await;
    let up = sub(&client, c, "M", json!({})).await;
    let down = sub(&client, c, "M", json!({})).await;
    advance(&client, "2025-04-11").await;
    // Per day: M 30.00 / 30 = 1.00; Y400 400.00 / 365 = 1.0959 (more: now);
    // Y300 300.00 / 365 = 0.8219 (less: at the period end).
    // Now: the unused 20 of 30 days of M are credited, -round(30.00 x 20 / 30) = -20.00,
    // on the first invoice of a new yearly cycle from Apr 11:
    //   400.00 - 20.00 = 380.00, VAT 19 % = 72.20, total 452.20.
    let answer = change(&client, up, "Y400").await;
    assert_eq!(answer["CHANGE"], "immediate");
    let invoice = answered(&client, &answer).await;
    assert_eq!(lines(&invoice), vec![pair("plan", "400.00"), pair("proration", "-20.00")]);
    assert_eq!(totals(&invoice), t3("380.00", "72.20", "452.20"));
    assert_eq!(
        (invoice["PERIOD_START"].clone(), invoice["PERIOD_END"].clone()),
        (json!("2025-04-11 00:00:00"), json!("2026-04-11 00:00:00"))
    );
    let s = subscription(&client, up).await;
    assert_eq!(
        (s["NEXT_EVENT"].clone(), s["PLAN"]["INTERVAL"].clone()),
        (json!("2026-04-11 00:00:00"), json!("1 year"))
    );
    // Later: Y300 from May 1, a yearly cycle anchored there.
    let answer = change(&client, down, "Y300").await;
    assert_eq!(
        (answer["CHANGE"].clone(), answer["EFFECTIVE_DATE"].clone(), answer["INVOICE_ID"].clone()),
        (json!("scheduled"), json!("2025-05-01 00:00:00"), Value::Null)
    );
    assert_eq!(subscription(&client, down).await["PLAN_UPCOMING"]["INTERVAL"], "1 year");
    advance(&client, "2025-05-01").await;
    let all = invoices(&client, down).await;
    let last = all.last().expect("invoice");
    assert_eq!(lines(last), vec![pair("plan", "300.00")]);
    assert_eq!(
        (last["PERIOD_START"].clone(), last["PERIOD_END"].clone()),
        (json!("2025-05-01 00:00:00"), json!("2026-05-01 00:00:00"))
    );
    assert_eq!(subscription(&client, down).await["NEXT_EVENT"], "2026-05-01 00:00:00");
}

#[tokio::test]
async fn changes_during_a_trial_apply_without_proration_either_way() {
    let app = spawn_app().await;
    let trial = json!({"SUBSCRIPTION_TRIAL": "14 days"});
    let plans = [("T20", "20.00", trial.clone()), ("T40", "40.00", trial)];
    let (client, c) = shop(&app, "2025-03-01", &plans).await;
    let up = sub(&client, c, "T20", json!({})).await;
    let down = sub(&client, c, "T40", json!({})).await;
    advance(&client, "2025-03-05").await;
    // Nothing paid covers a trial day: both changes apply at once, bill nothing now.
    for (id, to) in [(up, "T40"), (down, "T20")] {
        let answer = change(&client, id, to).await;
        assert_eq!((answer["CHANGE"].clone(), answer["INVOICE_ID"].clone()), (json!("immediate"), Value::Null));
        let s = subscription(&client, id).await;
        assert_eq!(
            (s["STATUS"].clone(), s["ARTICLE_NUMBER"].clone(), s["PLAN_UPCOMING"].clone()),
            (json!("trial"), json!(to), Value::Null)
        );
    }
    client
        .ok(
            "subscription.changequantity",
            json!({"DATA": {"SUBSCRIPTION_ID": up, "ARTICLE_NUMBER": "T40", "QUANTITY": 2}}),
        )
        .await;
    assert!(invoices(&client, up).await.is_empty());
    // The trial ends on Mar 15; the first period is billed at the new terms.
    advance(&client, "2025-03-15").await;
    let first_up = &invoices(&client, up).await[0];
    assert_eq!(lines(first_up), vec![pair("plan", "80.00")]);
    assert_eq!(first_up["PERIOD_START"], "2025-03-15 00:00:00");
    assert_eq!(lines(&invoices(&client, down).await[0]), vec![pair("plan", "20.00")]);
}

#[tokio::test]
async fn a_change_during_a_pause_applies_without_proration_and_keeps_the_pause_credit() {
    let app = spawn_app().await;
    let (client, c) = shop(&app, "2025-04-01", &[("S", "30.00", json!({})), ("L", "60.00", json!({}))]).await;
    let id = sub(&client, c, "S", json!({})).await;
    advance(&client, "2025-04-21").await;
    // Paused Apr 21 - Jun 1: 10 of April's 30 paid days at S: -round(30.00 x 10 / 30) = -10.00.
    client.ok("subscription.pause", json!({"DATA": {"SUBSCRIPTION_ID": id, "END_DATE": "2025-06-01"}})).await;
    advance(&client, "2025-05-10").await;
    let answer = change(&client, id, "L").await;
    assert_eq!((answer["CHANGE"].clone(), answer["INVOICE_ID"].clone()), (json!("immediate"), Value::Null));
    let s = subscription(&client, id).await;
    assert_eq!((s["STATUS"].clone(), s["ARTICLE_NUMBER"].clone()), (json!("paused"), json!("L")));
    advance(&client, "2025-06-01").await;
    let all = invoices(&client, id).await;
    assert_eq!(all.len(), 2, "May is skipped, nothing is billed for the change");
    // June at L, with the credit computed at S when the pause started: 60.00 - 10.00.
    assert_eq!(lines(&all[1]), vec![pair("plan", "60.00"), pair("proration", "-10.00")]);
    assert_eq!(all[1]["PERIOD_START"], "2025-06-01 00:00:00");
}

/// A subscription to L (60.00) x 3 with SEAT (6.00) x 3 on 2025-04-01:
/// 180.00 + 18.00 = 198.00 a period.
async fn big_subscription(app: &TestApp) -> (Client, i64) {
    let plans = [
        ("L", "60.00", json!({})),
        ("M", "45.00", json!({})),
        ("SEAT", "6.00", json!({"IS_ADDON": true, "ALLOW_MULTIPLE": true})),
    ];
    let (client, c) = shop(app, "2025-04-01", &plans).await;
    let id = sub(&client, c, "L", json!({"QUANTITY": 3, "ADDONS": [{"ARTICLE_NUMBER": "SEAT", "QUANTITY": 3}]})).await;
    advance(&client, "2025-04-11").await;
    (client, id)
}

async fn quantity(client: &Client, id: i64, number: &str, q: i64) -> Value {
    client
        .ok(
            "subscription.changequantity",
            json!({"DATA": {"SUBSCRIPTION_ID": id, "ARTICLE_NUMBER": number, "QUANTITY": q}}),
        )
        .await
}

#[tokio::test]
async fn quantity_and_add_on_downgrades_add_to_a_pending_change() {
    let app = spawn_app().await;
    let (client, id) = big_subscription(&app).await;
    // L x 3 -> x 2: 120.00 + 18.00 = 138.00 < 198.00, at May 1.
    assert_eq!(quantity(&client, id, "L", 2).await["CHANGE"], "scheduled");
    // SEAT x 3 -> x 1 adds to it: L x 2 and SEAT x 1 from May 1.
    assert_eq!(quantity(&client, id, "SEAT", 1).await["CHANGE"], "scheduled");
    let s = subscription(&client, id).await;
    assert_eq!(
        (s["QUANTITY"].clone(), s["ADDONS"][0]["QUANTITY"].clone()),
        (json!("3"), json!("3")),
        "unchanged until May"
    );
    let upcoming = &s["PLAN_UPCOMING"];
    assert_eq!(
        (upcoming["QUANTITY"].clone(), upcoming["ADDONS"][0]["QUANTITY"].clone(), upcoming["EFFECTIVE_DATE"].clone()),
        (json!("2"), json!("1"), json!("2025-05-01 00:00:00"))
    );
    let next = client.ok("subscription.getupcomingamount", json!({"DATA": {"SUBSCRIPTION_ID": id}})).await;
    assert_eq!(next["SUB_TOTAL"], "126.00");
    advance(&client, "2025-05-01").await;
    // May: 2 x 60.00 + 1 x 6.00.
    assert_eq!(
        lines(invoices(&client, id).await.last().expect("invoice")),
        vec![pair("plan", "120.00"), pair("addon", "6.00")]
    );
}

#[tokio::test]
async fn a_plan_change_replaces_pending_downgrades_and_an_immediate_change_drops_them() {
    let app = spawn_app().await;
    let (client, id) = big_subscription(&app).await;
    quantity(&client, id, "L", 2).await;
    // changearticle always replaces what is pending: M x 3 (the current quantity)
    // with SEAT x 3 = 135.00 + 18.00 = 153.00 < 198.00, at May 1.
    assert_eq!(change(&client, id, "M").await["CHANGE"], "scheduled");
    let upcoming = subscription(&client, id).await["PLAN_UPCOMING"].clone();
    assert_eq!((upcoming["ARTICLE_NUMBER"].clone(), upcoming["QUANTITY"].clone()), (json!("M"), json!("3")));
    // One more seat is worth more per day: it applies now and drops the pending change.
    // 3 -> 4 seats for 20 of 30 days: -round(18.00 x 20 / 30) = -12.00, +round(24.00 x 20 / 30) = 16.00.
    let answer =
        client.ok("subscription.setaddon", json!({"DATA": {"SUBSCRIPTION_ID": id, "ARTICLE_NUMBER": "SEAT"}})).await;
    assert_eq!(answer["CHANGE"], "immediate");
    assert_eq!(lines(&answered(&client, &answer).await), vec![pair("proration", "-12.00"), pair("proration", "16.00")]);
    assert_eq!(subscription(&client, id).await["PLAN_UPCOMING"], Value::Null);
    advance(&client, "2025-05-01").await;
    assert_eq!(
        lines(invoices(&client, id).await.last().expect("invoice")),
        vec![pair("plan", "180.00"), pair("addon", "24.00")]
    );
}

#[tokio::test]
async fn a_quantity_decrease_adds_to_a_pending_plan_change() {
    let app = spawn_app().await;
    let (client, id) = big_subscription(&app).await;
    change(&client, id, "M").await;
    // The current plan is still L; lowering its quantity must add to the pending
    // change (README: quantity and add-on downgrades add to it): M x 2 from May 1.
    let answer = client
        .call(
            "subscription.changequantity",
            json!({"DATA": {"SUBSCRIPTION_ID": id, "ARTICLE_NUMBER": "L", "QUANTITY": 2}}),
        )
        .await;
    assert_eq!(answer.expect("a downgrade adds to the pending change")["CHANGE"], "scheduled");
    let upcoming = subscription(&client, id).await["PLAN_UPCOMING"].clone();
    assert_eq!((upcoming["ARTICLE_NUMBER"].clone(), upcoming["QUANTITY"].clone()), (json!("M"), json!("2")));
}

#[tokio::test]
async fn yen_bills_whole_units_end_to_end() {
    let app = spawn_app().await;
    let t = app.test_tenant("shop", "2025-04-01").await;
    let client = app.client(&t.key);
    article(&client, "J1", "999", "10", json!({"CURRENCY_CODE": "JPY"})).await;
    article(&client, "J2", "1999", "10", json!({"CURRENCY_CODE": "jpy"})).await;
    let c = customer(&client).await;
    let id = sub(&client, c, "J1", json!({})).await;
    // First period: 999, VAT 10 % = 99.9 -> 100, total 1099.
    let first = &invoices(&client, id).await[0];
    assert_eq!(first["CURRENCY_CODE"], "JPY");
    assert_eq!(lines(first), vec![pair("plan", "999")]);
    assert_eq!(totals(first), t3("999", "100", "1099"));
    assert_eq!(first["VAT_ITEMS"], json!([{"VAT_PERCENT": "10.00", "COMPLETE_NET": "999", "VAT_VALUE": "100"}]));
    advance(&client, "2025-04-11").await;
    // Apr 11, R = 20 of D = 30:
    //   credit -round(999 x 20 / 30 = 666) = -666
    //   charge +round(1999 x 20 / 30 = 1332.67) = 1333
    //   net 667, VAT 10 % = 66.7 -> 67, total 734
    let invoice = answered(&client, &change(&client, id, "J2").await).await;
    assert_eq!(lines(&invoice), vec![pair("proration", "-666"), pair("proration", "1333")]);
    assert_eq!(totals(&invoice), t3("667", "67", "734"));
    // Usage at a fractional yen price: 3 x 0.5 = 1.5 -> 2 (half away from zero).
    client
        .ok(
            "subscription.setusagedata",
            json!({"DATA": {"SUBSCRIPTION_ID": id, "ARTICLE_NUMBER": "J2", "QUANTITY": 3, "UNIT_PRICE": "0.5"}}),
        )
        .await;
    advance(&client, "2025-05-01").await;
    // May: 1999 + 2 = 2001, VAT 10 % = 200.1 -> 200, total 2201.
    let may = invoices(&client, id).await.last().cloned().expect("invoice");
    assert_eq!(lines(&may), vec![pair("plan", "1999"), pair("usage", "2")]);
    assert_eq!(may["ITEMS"][1]["UNIT_PRICE"], "0.5");
    assert_eq!(totals(&may), t3("2001", "200", "2201"));
    assert_eq!(subscription(&client, id).await["PLAN"]["UNIT_PRICE"], "1999");
}

#[tokio::test]
async fn kuwaiti_dinar_bills_three_decimals_end_to_end() {
    let app = spawn_app().await;
    let t = app.test_tenant("shop", "2025-04-01").await;
    let client = app.client(&t.key);
    article(&client, "K1", "9.995", "15", json!({"CURRENCY_CODE": "KWD"})).await;
    article(&client, "K2", "19.995", "15", json!({"CURRENCY_CODE": "KWD"})).await;
    let c = customer(&client).await;
    let id = sub(&client, c, "K1", json!({})).await;
    // First period: 9.995, VAT 15 % = 1.49925 -> 1.499, total 11.494.
    let first = &invoices(&client, id).await[0];
    assert_eq!(lines(first), vec![pair("plan", "9.995")]);
    assert_eq!(totals(first), t3("9.995", "1.499", "11.494"));
    advance(&client, "2025-04-11").await;
    // R = 20 of D = 30:
    //   credit -round(9.995 x 20 / 30 = 6.663333) = -6.663
    //   charge +round(19.995 x 20 / 30 = 13.33) = 13.330
    //   net 6.667, VAT 15 % = 1.00005 -> 1.000, total 7.667
    let invoice = answered(&client, &change(&client, id, "K2").await).await;
    assert_eq!(lines(&invoice), vec![pair("proration", "-6.663"), pair("proration", "13.330")]);
    assert_eq!(totals(&invoice), t3("6.667", "1.000", "7.667"));
    assert_eq!(invoice["VAT_ITEMS"], json!([{"VAT_PERCENT": "15.00", "COMPLETE_NET": "6.667", "VAT_VALUE": "1.000"}]));
}

#[tokio::test]
async fn a_unit_price_and_currency_set_on_the_subscription_are_billed() {
    let app = spawn_app().await;
    let (client, c) = shop(&app, "2025-04-01", &[("P", "10.00", json!({}))]).await;
    let id = sub(&client, c, "P", json!({"QUANTITY": 3, "UNIT_PRICE": "12.3456", "CURRENCY_CODE": "usd"})).await;
    // 3 x 12.3456 = 37.0368 -> 37.04, VAT 19 % = 7.0376 -> 7.04, total 44.08, in USD.
    let first = &invoices(&client, id).await[0];
    assert_eq!(
        (first["CURRENCY_CODE"].clone(), first["ITEMS"][0]["UNIT_PRICE"].clone()),
        (json!("USD"), json!("12.3456"))
    );
    assert_eq!(totals(first), t3("37.04", "7.04", "44.08"));
    let plan = subscription(&client, id).await["PLAN"].clone();
    assert_eq!((plan["UNIT_PRICE"].clone(), plan["CURRENCY_CODE"].clone()), (json!("12.3456"), json!("USD")));
    advance(&client, "2025-04-11").await;
    // 3 -> 4 with 20 of 30 days left, nets from the unrounded full-period nets:
    //   credit -round(37.0368 x 20 / 30 = 24.6912) = -24.69
    //   charge +round(49.3824 x 20 / 30 = 32.9216) = 32.92
    //   net 8.23, VAT 19 % = 1.5637 -> 1.56, total 9.79
    let invoice = answered(&client, &quantity(&client, id, "P", 4).await).await;
    assert_eq!(lines(&invoice), vec![pair("proration", "-24.69"), pair("proration", "32.92")]);
    assert_eq!((totals(&invoice), invoice["CURRENCY_CODE"].clone()), (t3("8.23", "1.56", "9.79"), json!("USD")));
}

#[tokio::test]
async fn article_update_leaves_running_subscriptions_at_their_terms() {
    let app = spawn_app().await;
    let (client, c) = shop(&app, "2025-02-01", &[("P", "10.00", json!({}))]).await;
    let running = sub(&client, c, "P", json!({})).await;
    client
        .ok(
            "article.update",
            json!({"DATA": {"ARTICLE_NUMBER": "P", "UNIT_PRICE": "20.00", "VAT_PERCENT": 7, "TITLE": "New P"}}),
        )
        .await;
    let newer = sub(&client, c, "P", json!({})).await;
    let plan = subscription(&client, running).await["PLAN"].clone();
    assert_eq!(
        (plan["UNIT_PRICE"].clone(), plan["VAT_PERCENT"].clone(), plan["TITLE"].clone()),
        (json!("10.00"), json!("19.00"), json!("Plan P"))
    );
    // The new subscription: 20.00 at 7 % = 1.40, total 21.40.
    assert_eq!(totals(&invoices(&client, newer).await[0]), t3("20.00", "1.40", "21.40"));
    advance(&client, "2025-02-11").await;
    // A quantity change of the running one prorates its own price, 10.00, not 20.00:
    // 1 -> 2 on Feb 11, R = 18 of D = 28: -round(10.00 x 18 / 28 = 6.428571) = -6.43,
    // +round(20.00 x 18 / 28 = 12.857142) = 12.86.
    let invoice = answered(&client, &quantity(&client, running, "P", 2).await).await;
    assert_eq!(lines(&invoice), vec![pair("proration", "-6.43"), pair("proration", "12.86")]);
    advance(&client, "2025-03-01").await;
    // March: 2 x 10.00 = 20.00 at 19 % = 3.80, total 23.80.
    let march = invoices(&client, running).await.last().cloned().expect("invoice");
    assert_eq!(totals(&march), t3("20.00", "3.80", "23.80"));
    assert_eq!(march["ITEMS"][0]["DESCRIPTION"], "Plan P");
}

#[tokio::test]
async fn whether_a_change_waits_depends_on_the_period_net_not_on_price_or_quantity_alone() {
    let app = spawn_app().await;
    let plans = [("S", "30.00", json!({})), ("U4", "4.00", json!({}))];
    let (client, c) = shop(&app, "2025-04-01", &plans).await;
    let up = sub(&client, c, "S", json!({})).await;
    let down = sub(&client, c, "U4", json!({"QUANTITY": 10})).await;
    advance(&client, "2025-04-11").await;
    // S x 1 = 30.00 -> U4 x 10 = 40.00: a lower unit price, but more per period, so now:
    //   credit -round(30.00 x 20 / 30) = -20.00, charge +round(40.00 x 20 / 30 = 26.666) = 26.67,
    //   net 6.67, VAT 19 % = 1.2673 -> 1.27, total 7.94.
    let answer = client
        .ok(
            "subscription.changearticle",
            json!({"DATA": {"SUBSCRIPTION_ID": up, "ARTICLE_NUMBER": "U4", "QUANTITY": 10}}),
        )
        .await;
    assert_eq!(answer["CHANGE"], "immediate");
    let invoice = answered(&client, &answer).await;
    assert_eq!(lines(&invoice), vec![pair("proration", "-20.00"), pair("proration", "26.67")]);
    assert_eq!(totals(&invoice), t3("6.67", "1.27", "7.94"));
    // U4 x 10 = 40.00 -> S x 1 = 30.00: a higher unit price, but less per period: at May 1.
    let answer = client
        .ok(
            "subscription.changearticle",
            json!({"DATA": {"SUBSCRIPTION_ID": down, "ARTICLE_NUMBER": "S", "QUANTITY": 1}}),
        )
        .await;
    assert_eq!((answer["CHANGE"].clone(), answer["INVOICE_ID"].clone()), (json!("scheduled"), Value::Null));
}
