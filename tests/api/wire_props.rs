//! Properties over HTTP: random inputs sent through the wire (in batches, so
//! hundreds of cases cost a few requests), every answer checked against an
//! expectation computed here from API.md section 3 (decimals, datetimes,
//! JSON, text), and prorated changes over random plans, quantities, add-ons,
//! VAT rates and currencies checked against the exact model of
//! `tests/props/oracle.rs`.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Timelike};
use num_bigint::BigInt;
use num_rational::BigRational;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use serde_json::{Value, json};

use crate::fixtures::{advance, article, customer, invoices, lines, subscribe};
use crate::helpers::{by_id, request, spawn_app};
use crate::oracle::{self, rat, round, text};

/// `n` random values of `strategy` (a failing case is printed by the assertion).
fn sample<S: Strategy>(strategy: S, n: usize) -> Vec<S::Value> {
    let mut runner = TestRunner::default();
    (0..n).map(|_| strategy.new_tree(&mut runner).expect("a value").current()).collect()
}

/// What API.md makes of a UNIT_PRICE string: `Some(text as answered)` or a refusal.
/// A decimal is `-?digits(.digits)?` (surrounding blanks ignored); a price is
/// not negative and has at most 4 decimals once trailing zeros are dropped;
/// prices answer at least 2 decimals.
fn price_of_string(sent: &str) -> Option<String> {
    let t = sent.trim();
    let body = t.strip_prefix('-').unwrap_or(t);
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || (body.contains('.') && !digits(frac)) {
        return None;
    }
    price_of(&rat(&format!(
        "{}{int}.{}",
        if t.starts_with('-') { "-" } else { "" },
        if frac.is_empty() { "0" } else { frac }
    )))
}

/// The answered text of an exact price value, or a refusal.
fn price_of(value: &BigRational) -> Option<String> {
    use num_traits::Signed;
    // Decimal tags stay below 10^14 (`rpc::values::DECIMAL_LIMIT`).
    if value.is_negative() || *value >= rat("100000000000000") {
        return None;
    }
    let scale = (0..=4u32).find(|s| round(value, *s) == *value)?;
    Some(text(value, scale.max(2)))
}

/// The exact value of a JSON number text (`-12.5e-1`).
fn json_number(sent: &str) -> BigRational {
    let (mantissa, exponent) = match sent.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.trim_start_matches('+').parse::<i32>().expect("exponent")),
        None => (sent, 0),
    };
    let ten = BigRational::from_integer(BigInt::from(10));
    let scale = num_traits::pow::Pow::pow(&ten, exponent);
    rat(mantissa) * scale
}

fn create_article(i: usize, price_json: &str) -> String {
    format!(
        r#"{{"jsonrpc":"2.0","id":{i},"method":"article.create","params":{{"DATA":{{"ARTICLE_NUMBER":"N{i}","TITLE":"T","UNIT_PRICE":{price_json}}}}}}}"#
    )
}

#[tokio::test]
async fn decimal_strings_and_numbers_are_read_exactly_or_refused() {
    let app = spawn_app().await;
    let client = app.admin().await;
    let strings = sample(
        prop_oneof!["[0-9.,+\\-e_ ]{1,10}", "-?[0-9]{1,8}(\\.[0-9]{1,6})?", " ?[0-9]{1,3}\\.[0-9]{1,5}0{0,6} ?",],
        150,
    );
    let numbers = sample("-?(0|[1-9][0-9]{0,7})(\\.[0-9]{1,6})?([eE][+-]?[0-9])?", 150);
    let mut sent: Vec<(String, Option<String>)> = Vec::new();
    for s in &strings {
        sent.push((serde_json::to_string(s).expect("json string"), price_of_string(s)));
    }
    for n in &numbers {
        sent.push((n.clone(), price_of(&json_number(n))));
    }
    for (chunk_no, chunk) in sent.chunks(100).enumerate() {
        let body: Vec<String> =
            chunk.iter().enumerate().map(|(j, (json, _))| create_article(chunk_no * 100 + j + 1, json)).collect();
        let answer = client.post_raw("/rpc", &format!("[{}]", body.join(",")), &[]).await.json();
        for (j, (json, expected)) in chunk.iter().enumerate() {
            let entry = by_id(&answer, (chunk_no * 100 + j + 1) as i64);
            match expected {
                Some(_) => assert_eq!(entry["result"]["STATUS"], "success", "UNIT_PRICE {json}: {entry}"),
                None => assert_eq!(
                    (entry["error"]["code"].clone(), entry["error"]["data"]["TAG"].clone()),
                    (json!(-32602), json!("UNIT_PRICE")),
                    "UNIT_PRICE {json} must be refused: {entry}"
                ),
            }
        }
    }
    let stored = client.ok("article.get", json!({"LIMIT": 1000})).await;
    let stored: std::collections::HashMap<String, Value> = stored["ARTICLES"]
        .as_array()
        .expect("ARTICLES")
        .iter()
        .map(|a| (a["ARTICLE_NUMBER"].as_str().unwrap_or("").to_owned(), a["UNIT_PRICE"].clone()))
        .collect();
    let accepted = sent.iter().filter(|(_, e)| e.is_some()).count();
    assert_eq!(stored.len(), accepted, "refused prices create nothing");
    for (i, (json, expected)) in sent.iter().enumerate() {
        if let Some(text) = expected {
            assert_eq!(stored[&format!("N{}", i + 1)], json!(text), "UNIT_PRICE {json}");
        }
    }
}

/// Datetimes from 1970 to 9998 with a time of day.
fn datetime() -> impl Strategy<Value = NaiveDateTime> {
    (0i64..2_900_000, 0u32..86_400).prop_map(|(days, secs)| {
        let date = NaiveDate::from_ymd_opt(1970, 1, 1).expect("date") + Duration::days(days);
        date.and_hms_opt(secs / 3600, secs / 60 % 60, secs % 60).expect("time")
    })
}

fn wire(at: NaiveDateTime) -> String {
    format!("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", at.year(), at.month(), at.day(), at.hour(), at.minute(), at.second())
}

/// `(sent, answered)`: the three accepted forms of one instant.
fn forms(at: NaiveDateTime, offset_minutes: i64) -> Vec<(String, Option<String>)> {
    let local = at + Duration::minutes(offset_minutes);
    let sign = if offset_minutes < 0 { '-' } else { '+' };
    let (h, m) = (offset_minutes.abs() / 60, offset_minutes.abs() % 60);
    let rfc = format!("{}T{}{sign}{h:02}:{m:02}", &wire(local)[..10], &wire(local)[11..]);
    vec![
        (wire(at), Some(wire(at))),
        (wire(at)[..10].to_owned(), Some(format!("{} 00:00:00", &wire(at)[..10]))),
        (rfc, Some(wire(at))),
        (format!("{}Z", wire(at).replace(' ', "T")), Some(wire(at))),
    ]
}

/// Impossible dates and times: day past the month's end, month 0 or 13,
/// day 0, hour 24, minute 60.
fn impossible() -> impl Strategy<Value = String> {
    (1970i32..9999, 1u32..=12, 0u8..5, 0u32..60).prop_map(|(y, m, what, x)| {
        let last = NaiveDate::from_ymd_opt(if m == 12 { y + 1 } else { y }, if m == 12 { 1 } else { m + 1 }, 1)
            .and_then(|d| d.pred_opt())
            .map_or(28, |d| d.day());
        match what {
            0 => format!("{y:04}-{m:02}-{:02}", last + 1 + x % (32 - last)),
            1 => format!("{y:04}-{:02}-01", if x % 2 == 0 { 0 } else { 13 }),
            2 => format!("{y:04}-{m:02}-00 10:00:00"),
            3 => format!("{y:04}-{m:02}-01 24:{:02}:00", x),
            _ => format!("{y:04}-{m:02}-01 10:60:{:02}", x),
        }
    })
}

#[tokio::test]
async fn datetimes_in_every_accepted_form_read_back_in_utc_and_impossible_ones_are_refused() {
    let app = spawn_app().await;
    let t = app.test_tenant("shop", "2025-01-01").await;
    let client = app.client(&t.key);
    article(&client, "P", "10", "0", json!({})).await;
    let c = customer(&client).await;
    let id = subscribe(&client, c, "P", json!({})).await["SUBSCRIPTION_ID"].clone();
    let offsets = sample(prop::sample::select(vec![-720i64, -570, -300, -60, 0, 60, 120, 330, 345, 540, 840]), 40);
    let mut sent: Vec<(String, Option<String>)> = Vec::new();
    for (at, offset) in sample(datetime(), 40).into_iter().zip(offsets) {
        sent.extend(forms(at, offset));
    }
    sent.extend(sample(impossible(), 40).into_iter().map(|s| (s, None)));
    let mut ids: Vec<(String, Option<String>, Value)> = Vec::new();
    for (chunk_no, chunk) in sent.chunks(100).enumerate() {
        let entries: Vec<Value> = chunk
            .iter()
            .enumerate()
            .map(|(j, (s, _))| {
                let data = json!({"SUBSCRIPTION_ID": id, "ARTICLE_NUMBER": "P", "USAGE_DATE": s});
                request((chunk_no * 100 + j + 1) as i64, "subscription.setusagedata", json!({"DATA": data}))
            })
            .collect();
        let answer = client.batch(&entries).await;
        for (j, (s, expected)) in chunk.iter().enumerate() {
            let entry = by_id(&answer, (chunk_no * 100 + j + 1) as i64);
            match expected {
                Some(_) => ids.push((s.clone(), expected.clone(), entry["result"]["USAGEDATA_ID"].clone())),
                None => assert_eq!(
                    (entry["error"]["code"].clone(), entry["error"]["data"]["TAG"].clone()),
                    (json!(-32602), json!("USAGE_DATE")),
                    "USAGE_DATE {s:?} must be refused: {entry}"
                ),
            }
        }
    }
    let listed =
        client.ok("subscription.getusagedata", json!({"FILTER": {"SUBSCRIPTION_ID": id}, "LIMIT": 1000})).await;
    let stored: std::collections::HashMap<i64, Value> = listed["USAGEDATA"]
        .as_array()
        .expect("USAGEDATA")
        .iter()
        .map(|u| (u["USAGEDATA_ID"].as_i64().unwrap_or(0), u["USAGE_DATE"].clone()))
        .collect();
    assert_eq!(stored.len(), ids.len());
    for (s, expected, usage_id) in ids {
        let usage_id = usage_id.as_i64().unwrap_or_else(|| panic!("USAGE_DATE {s:?} was accepted without an id"));
        assert_eq!(stored[&usage_id], json!(expected), "USAGE_DATE {s:?}");
    }
}

/// JSON values without NUL characters, floats or numbers beyond i64.
fn json_value() -> impl Strategy<Value = Value> {
    let text = "[^\u{0}]{0,12}";
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        text.prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 40, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("[^\u{0}]{0,8}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

#[tokio::test]
async fn json_values_and_texts_round_trip() {
    let app = spawn_app().await;
    let client = app.admin().await;
    // FEATURES is an object or a list (API.md 5), of any JSON inside.
    let features = sample(
        prop_oneof![
            prop::collection::btree_map("[^\u{0}]{0,8}", json_value(), 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
            prop::collection::vec(json_value(), 0..6).prop_map(Value::Array),
        ],
        100,
    );
    let entries: Vec<Value> = features
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let data = json!({"ARTICLE_NUMBER": format!("F{i}"), "TITLE": "T", "UNIT_PRICE": 1, "FEATURES": f});
            request(i as i64 + 1, "article.create", json!({"DATA": data}))
        })
        .collect();
    let answer = client.batch(&entries).await;
    for (i, feature) in features.iter().enumerate() {
        assert_eq!(by_id(&answer, i as i64 + 1)["result"]["STATUS"], "success", "{feature}");
    }
    let stored = client.ok("article.get", json!({"LIMIT": 1000})).await;
    for a in stored["ARTICLES"].as_array().expect("ARTICLES") {
        let i: usize = a["ARTICLE_NUMBER"].as_str().and_then(|n| n[1..].parse().ok()).expect("F<i>");
        assert_eq!(a["FEATURES"], features[i], "FEATURES {}", features[i]);
    }
    // Names of any Unicode text (NUL aside) come back without surrounding
    // white space (text tags are trimmed), X_ATTRIBUTES exactly.
    let name = "[^\u{0}]{1,40}".prop_filter("a name is more than white space", |n: &String| !n.trim().is_empty());
    let texts = sample((name, prop::collection::btree_map("[^\u{0}]{1,20}", "[^\u{0}]{0,60}", 0..8)), 60);
    let entries: Vec<Value> = texts
        .iter()
        .enumerate()
        .map(|(i, (name, attributes))| {
            request(i as i64 + 1, "customer.create", json!({"DATA": {"LAST_NAME": name, "X_ATTRIBUTES": attributes}}))
        })
        .collect();
    let answer = client.batch(&entries).await;
    for (i, (name, attributes)) in texts.iter().enumerate() {
        let created = by_id(&answer, i as i64 + 1);
        let id = created["result"]["CUSTOMER_ID"].clone();
        assert!(id.is_i64(), "{name:?}: {created}");
        let got = client.ok("customer.get", json!({"FILTER": {"CUSTOMER_ID": id}})).await;
        assert_eq!(got["CUSTOMERS"][0]["LAST_NAME"], json!(name.trim()), "{name:?}");
        assert_eq!(got["CUSTOMERS"][0]["X_ATTRIBUTES"], json!(attributes));
    }
}

#[tokio::test]
async fn leap_seconds_and_instants_past_year_9999_are_refused() {
    let app = spawn_app().await;
    let t = app.test_tenant("shop", "2025-01-01").await;
    let client = app.client(&t.key);
    article(&client, "P", "10", "0", json!({})).await;
    let c = customer(&client).await;
    let id = subscribe(&client, c, "P", json!({})).await["SUBSCRIPTION_ID"].clone();
    for bad in ["2024-06-30 23:59:60", "9999-12-31T23:59:60Z", "9999-12-31T23:00:00-05:00", "10000-01-01"] {
        let data = json!({"SUBSCRIPTION_ID": id, "ARTICLE_NUMBER": "P", "USAGE_DATE": bad});
        let err = client.err("subscription.setusagedata", json!({"DATA": data})).await;
        assert_eq!((err.code, err.tag()), (-32602, Some("USAGE_DATE")), "{bad}");
    }
}

#[tokio::test]
async fn a_nul_character_is_refused_naming_the_tag_on_every_backend() {
    let app = spawn_app().await;
    let client = app.admin().await;
    for (params, tag) in [
        (json!({"DATA": {"LAST_NAME": "a\u{0}b"}}), "LAST_NAME"),
        (json!({"DATA": {"LAST_NAME": "a", "X_ATTRIBUTES": {"k\u{0}": "v"}}}), "X_ATTRIBUTES"),
        (json!({"FILTER": {"TERM": "\u{0}"}}), "TERM"),
    ] {
        let method = if params.get("FILTER").is_some() { "customer.get" } else { "customer.create" };
        let err = client.err(method, params.clone()).await;
        assert_eq!((err.code, err.tag()), (-32602, Some(tag)), "{params}");
    }
    assert_eq!(crate::helpers::count_rows(&app, "customer").await, 0);
}

#[tokio::test]
async fn filter_strings_over_256_characters_are_refused() {
    let app = spawn_app().await;
    let client = app.admin().await;
    client.ok("customer.get", json!({"FILTER": {"TERM": "x".repeat(256)}})).await;
    let err = client.err("customer.get", json!({"FILTER": {"TERM": "x".repeat(257)}})).await;
    assert_eq!((err.code, err.tag()), (-32602, Some("TERM")));
}

/// One random upgrade: a plan with a quantity and an add-on, in a currency
/// with 0, 2 or 3 decimals, at random VAT rates, changed on a random day.
#[derive(Debug, Clone)]
struct Scenario {
    currency: &'static str,
    start: NaiveDate,
    interval: &'static str,
    plan: String,
    plan_vat: &'static str,
    quantity: u32,
    addon: String,
    addon_vat: &'static str,
    addon_quantity: u32,
    /// 0: more of the plan, 1: more of the add-on, 2: a dearer plan.
    change: u8,
    more: u32,
    dearer: String,
    day_fraction: f64,
}

fn scenario() -> impl Strategy<Value = Scenario> {
    let currency = prop::sample::select(vec!["EUR", "JPY", "KWD", "USD"]);
    let vat = || prop::sample::select(vec!["0", "7", "10", "19", "20.5"]);
    (
        currency,
        0i64..1500,
        prop::sample::select(vec!["1 month", "1 week", "1 year", "3 months", "10 days"]),
        (1i64..2_000_000, 1u32..=4, vat()),
        (0i64..500_000, 1u32..=3, vat()),
        (0u8..3, 1u32..=3, 1i64..1_000_000),
        0.0f64..1.0,
    )
        .prop_map(|(currency, day, interval, plan, addon, change, fraction)| {
            let scale = oracle::minor_units(currency);
            // Prices with at most 4 decimals, and no more than the currency has plus two.
            let price = |n: i64| {
                text(
                    &round(&BigRational::new(BigInt::from(n), BigInt::from(10_000)), scale.min(2) + 2),
                    scale.min(2) + 2,
                )
            };
            Scenario {
                currency,
                start: NaiveDate::from_ymd_opt(2024, 1, 1).expect("date") + Duration::days(day),
                interval,
                plan: price(plan.0),
                plan_vat: plan.2,
                quantity: plan.1,
                addon: price(addon.0),
                addon_vat: addon.2,
                addon_quantity: addon.1,
                change: change.0,
                more: change.1,
                dearer: price(plan.0 + change.2),
                day_fraction: fraction,
            }
        })
}

#[tokio::test]
async fn upgrades_over_random_plans_add_ons_vat_rates_and_currencies_prorate_like_the_model() {
    let app = spawn_app().await;
    for s in sample(scenario(), 12) {
        let scale = oracle::minor_units(s.currency);
        let t = app.test_tenant("shop", &s.start.to_string()).await;
        let client = app.client(&t.key);
        let priced = |extra: Value| {
            let mut e = json!({"CURRENCY_CODE": s.currency, "SUBSCRIPTION_INTERVAL": s.interval});
            e.as_object_mut().expect("object").extend(extra.as_object().cloned().unwrap_or_default());
            e
        };
        article(&client, "PLAN", &s.plan, s.plan_vat, priced(json!({}))).await;
        article(&client, "BIG", &s.dearer, s.plan_vat, priced(json!({}))).await;
        article(&client, "ADD", &s.addon, s.addon_vat, priced(json!({"IS_ADDON": true, "ALLOW_MULTIPLE": true}))).await;
        let c = customer(&client).await;
        let extra =
            json!({"QUANTITY": s.quantity, "ADDONS": [{"ARTICLE_NUMBER": "ADD", "QUANTITY": s.addon_quantity}]});
        let id = subscribe(&client, c, "PLAN", extra).await["SUBSCRIPTION_ID"].as_i64().expect("id");
        let first = &invoices(&client, id).await[0];
        let end =
            NaiveDate::parse_from_str(&first["PERIOD_END"].as_str().expect("end")[..10], "%Y-%m-%d").expect("date");
        let day = |d: NaiveDate| oracle::day_number(i64::from(d.year()), d.month(), d.day());
        let d = day(end) - day(s.start);
        let offset = ((d as f64) * s.day_fraction) as i64;
        let at = s.start + Duration::days(offset);
        let r = day(end) - day(at);
        advance(&client, &at.to_string()).await;
        let (method, data) = match s.change {
            0 => ("subscription.changequantity", json!({"ARTICLE_NUMBER": "PLAN", "QUANTITY": s.quantity + s.more})),
            1 => ("subscription.setaddon", json!({"ARTICLE_NUMBER": "ADD", "QUANTITY": s.more})),
            _ => ("subscription.changearticle", json!({"ARTICLE_NUMBER": "BIG"})),
        };
        let mut data = data;
        data["SUBSCRIPTION_ID"] = json!(id);
        let answer = client.ok(method, json!({"DATA": data})).await;
        // The model: the changed item is credited and charged for r of d days.
        let q = |n: u32| rat(&n.to_string());
        let (old, new, vat) = match s.change {
            0 => (q(s.quantity) * rat(&s.plan), q(s.quantity + s.more) * rat(&s.plan), s.plan_vat),
            1 => (q(s.addon_quantity) * rat(&s.addon), q(s.addon_quantity + s.more) * rat(&s.addon), s.addon_vat),
            _ => (q(s.quantity) * rat(&s.plan), q(s.quantity) * rat(&s.dearer), s.plan_vat),
        };
        let share = |net: &BigRational| round(&(net * BigInt::from(r) / BigInt::from(d)), scale);
        let expected: Vec<(String, String)> = [-share(&old), share(&new)]
            .into_iter()
            .filter(|a| *a != BigRational::from_integer(BigInt::from(0)))
            .map(|a| ("proration".to_owned(), text(&a, scale)))
            .collect();
        let model_lines: Vec<oracle::Line> = expected
            .iter()
            .map(|(_, a)| oracle::Line { quantity: rat("1"), unit_price: rat(a), vat_percent: rat(vat) })
            .collect();
        let context = format!("{s:?}: d = {d}, r = {r}");
        if expected.is_empty() {
            assert_eq!(answer["INVOICE_ID"], Value::Null, "{context}");
            continue;
        }
        let found = client.ok("invoice.get", json!({"FILTER": {"INVOICE_ID": answer["INVOICE_ID"]}})).await;
        let invoice = &found["INVOICES"][0];
        assert_eq!(lines(invoice), expected, "{context}");
        let (_, _, sub_total, vat_total, total) = oracle::invoice(&model_lines, scale);
        assert_eq!(
            (invoice["SUB_TOTAL"].clone(), invoice["VAT_TOTAL"].clone(), invoice["TOTAL"].clone()),
            (json!(text(&sub_total, scale)), json!(text(&vat_total, scale)), json!(text(&total, scale))),
            "{context}"
        );
    }
}
