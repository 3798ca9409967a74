//! The tolerant type rules of API.md section 3.

use serde_json::{Value, json};

use crate::helpers::{count_rows, spawn_app};

fn article(number: &str, price: serde_json::Value) -> serde_json::Value {
    json!({"DATA": {"ARTICLE_NUMBER": number, "TITLE": "Plan", "UNIT_PRICE": price}})
}

#[tokio::test]
async fn a_price_sent_as_number_or_string_stores_the_same_value() {
    let app = spawn_app().await;
    let client = app.admin().await;
    client.ok("article.create", article("N", json!(12.95))).await;
    client.ok("article.create", article("S", json!("12.95"))).await;
    let n = client.ok("article.get", json!({"FILTER": {"ARTICLE_NUMBER": "N"}})).await;
    let s = client.ok("article.get", json!({"FILTER": {"ARTICLE_NUMBER": "S"}})).await;
    assert_eq!(n["ARTICLES"][0]["UNIT_PRICE"], "12.95");
    assert_eq!(n["ARTICLES"][0]["UNIT_PRICE"], s["ARTICLES"][0]["UNIT_PRICE"]);
}

#[tokio::test]
async fn decimals_round_trip_exactly_from_the_json_text() {
    let app = spawn_app().await;
    let client = app.admin().await;
    // Raw bodies: a JSON client would send these numbers through f64 first.
    for (number, price) in [("A", "0.1"), ("B", "12345678901234.5678"), ("C", "0.0001")] {
        let body = format!(
            r#"{{"jsonrpc":"2.0","id":1,"method":"article.create","params":{{"DATA":{{"ARTICLE_NUMBER":"{number}","TITLE":"T","UNIT_PRICE":{price},"VAT_PERCENT":19.5}}}}}}"#
        );
        let answer = client.post_raw("/rpc", &body, &[]).await.json();
        assert_eq!(answer["result"]["STATUS"], "success", "{answer}");
        let got = client.ok("article.get", json!({"FILTER": {"ARTICLE_NUMBER": number}})).await;
        let expected = if price == "0.1" { "0.10" } else { price };
        assert_eq!(got["ARTICLES"][0]["UNIT_PRICE"], expected);
        assert_eq!(got["ARTICLES"][0]["VAT_PERCENT"], "19.50");
    }
}

#[tokio::test]
async fn a_comma_decimal_is_refused_naming_the_tag() {
    let app = spawn_app().await;
    let client = app.admin().await;
    let err = client.err("article.create", article("X", json!("1,5"))).await;
    assert_eq!((err.code, err.tag()), (-32602, Some("UNIT_PRICE")));
    assert!(err.message.contains("UNIT_PRICE"), "{}", err.message);
    assert_eq!(count_rows(&app, "article").await, 0);
}

#[tokio::test]
async fn ids_may_be_digit_strings_and_tags_any_case() {
    let app = spawn_app().await;
    let client = app.admin().await;
    let created = client.ok("customer.create", json!({"data": {"last_name": "Case"}})).await;
    let id = created["CUSTOMER_ID"].as_i64().expect("id");
    let found = client.ok("customer.get", json!({"Filter": {"Customer_Id": id.to_string()}})).await;
    assert_eq!(found["CUSTOMERS"][0]["CUSTOMER_ID"], id);
    let err = client.err("customer.get", json!({"FILTER": {"CUSTOMER_ID": "12a"}})).await;
    assert_eq!((err.code, err.tag()), (-32602, Some("CUSTOMER_ID")));
}

#[tokio::test]
async fn php_empty_arrays_are_empty_objects() {
    let app = spawn_app().await;
    let client = app.admin().await;
    let created = client.ok("customer.create", json!({"DATA": {"LAST_NAME": "P", "X_ATTRIBUTES": []}})).await;
    client.ok("customer.create", json!({"DATA": {"LAST_NAME": "Q", "X_ATTRIBUTES": {}}})).await;
    // FILTER [] is no filter, like FILTER {}: both customers.
    let all = client.ok("customer.get", json!({"FILTER": []})).await;
    assert_eq!(all, client.ok("customer.get", json!({"FILTER": {}})).await);
    assert_eq!(all["CUSTOMERS"].as_array().map(Vec::len), Some(2));
    // X_ATTRIBUTES [] is stored as the empty object, like {}.
    assert_eq!(all["CUSTOMERS"][0]["CUSTOMER_ID"], created["CUSTOMER_ID"]);
    assert_eq!(all["CUSTOMERS"][0]["X_ATTRIBUTES"], json!({}));
    assert_eq!(all["CUSTOMERS"][1]["X_ATTRIBUTES"], json!({}));
    // params [] are the empty envelope: ping answers as with {}.
    assert_eq!(client.ok("system.ping", json!([])).await, client.ok("system.ping", json!({})).await);
    // DATA [] is empty data: refused exactly like DATA {} (LAST_NAME is required).
    let from_list = client.err("customer.create", json!({"DATA": []})).await;
    let from_object = client.err("customer.create", json!({"DATA": {}})).await;
    assert_eq!((from_list.code, from_list.tag()), (-32602, Some("LAST_NAME")));
    assert_eq!((from_list.message, from_list.data), (from_object.message, from_object.data));
    assert_eq!(count_rows(&app, "customer").await, 2);
}

#[tokio::test]
async fn booleans_accept_numbers_and_strings() {
    let app = spawn_app().await;
    let client = app.admin().await;
    for (i, flag) in [json!(1), json!("1"), json!("true"), json!(true)].into_iter().enumerate() {
        let data =
            json!({"DATA": {"ARTICLE_NUMBER": format!("ADD{i}"), "TITLE": "A", "UNIT_PRICE": "1", "IS_ADDON": flag}});
        client.ok("article.create", data).await;
    }
    let addons = client.ok("article.get", json!({"FILTER": {"IS_ADDON": 1}})).await;
    assert_eq!(addons["ARTICLES"].as_array().map(Vec::len), Some(4));
    let err = client.err("article.get", json!({"FILTER": {"IS_ADDON": "maybe"}})).await;
    assert_eq!((err.code, err.tag()), (-32602, Some("IS_ADDON")));
}

#[tokio::test]
async fn intervals_accept_words_and_unipay_codes() {
    let app = spawn_app().await;
    let client = app.admin().await;
    for (number, given, canonical) in [
        ("W", "W", "1 week"),
        ("Q", "q", "3 months"),
        ("S", "S", "6 months"),
        ("A", "A", "1 year"),
        ("D", "14 days", "14 days"),
    ] {
        let data = json!({"DATA": {"ARTICLE_NUMBER": number, "TITLE": "T", "UNIT_PRICE": "1", "SUBSCRIPTION_INTERVAL": given}});
        client.ok("article.create", data).await;
        let got = client.ok("article.get", json!({"FILTER": {"ARTICLE_NUMBER": number}})).await;
        assert_eq!(got["ARTICLES"][0]["SUBSCRIPTION_INTERVAL"], canonical);
    }
    let bad = json!({"DATA": {"ARTICLE_NUMBER": "X", "TITLE": "T", "UNIT_PRICE": "1", "SUBSCRIPTION_INTERVAL": "1 fortnight"}});
    let err = client.err("article.create", bad).await;
    assert_eq!((err.code, err.tag()), (-32602, Some("SUBSCRIPTION_INTERVAL")));
}

#[tokio::test]
async fn unknown_tags_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let client = app.admin().await;
    let err = client.err("customer.create", json!({"DATA": {"LAST_NAME": "A", "LAST_NAMEX": "B"}})).await;
    assert_eq!((err.code, err.tag()), (-32602, Some("LAST_NAMEX")));
    assert_eq!(count_rows(&app, "customer").await, 0);
    assert_eq!(count_rows(&app, "event").await, 0);
    // A misspelt filter must never widen a read.
    client.ok("customer.create", json!({"DATA": {"LAST_NAME": "A"}})).await;
    let err = client.err("customer.get", json!({"FILTER": {"CUSTOMERID": 999}})).await;
    assert_eq!((err.code, err.tag()), (-32602, Some("CUSTOMERID")));
}

#[tokio::test]
async fn codes_are_case_insensitive_and_checked() {
    let app = spawn_app().await;
    let client = app.admin().await;
    let created = client
        .ok("customer.create", json!({"DATA": {"LAST_NAME": "A", "COUNTRY_CODE": "de", "CURRENCY_CODE": "eur"}}))
        .await;
    let found = client.ok("customer.get", json!({"FILTER": {"CUSTOMER_ID": created["CUSTOMER_ID"]}})).await;
    assert_eq!(found["CUSTOMERS"][0]["COUNTRY_CODE"], "DE");
    assert_eq!(found["CUSTOMERS"][0]["CURRENCY_CODE"], "EUR");
    let err = client.err("customer.create", json!({"DATA": {"LAST_NAME": "A", "COUNTRY_CODE": "XX"}})).await;
    assert_eq!((err.code, err.tag()), (-32602, Some("COUNTRY_CODE")));
}

#[tokio::test]
async fn datetimes_with_an_rfc_3339_offset_are_read_as_utc() {
    let app = spawn_app().await;
    let t = app.test_tenant("shop", "2025-01-01").await;
    let client = app.client(&t.key);
    client.ok("article.create", json!({"DATA": {"ARTICLE_NUMBER": "P", "TITLE": "P", "UNIT_PRICE": "10"}})).await;
    let c = client.ok("customer.create", json!({"DATA": {"LAST_NAME": "Z"}})).await["CUSTOMER_ID"].clone();
    // 01:30 at UTC+2 is 23:30 UTC the day before; 20:00 at UTC-5 is 01:00 UTC the next day.
    for (sent, utc) in [
        ("2025-03-01T01:30:00+02:00", "2025-02-28 23:30:00"),
        ("2025-02-28T20:00:00-05:00", "2025-03-01 01:00:00"),
        ("2025-03-10T12:00:00+05:45", "2025-03-10 06:15:00"),
        ("2025-03-10T12:00:00Z", "2025-03-10 12:00:00"),
        ("2025-03-10t12:00:00z", "2025-03-10 12:00:00"),
    ] {
        let data = json!({"CUSTOMER_ID": c, "ARTICLE_NUMBER": "P", "START_DATE": sent});
        let id = client.ok("subscription.create", json!({"DATA": data})).await["SUBSCRIPTION_ID"].clone();
        let sub = client.ok("subscription.get", json!({"FILTER": {"SUBSCRIPTION_ID": id}})).await;
        assert_eq!(
            (sub["SUBSCRIPTIONS"][0]["START"].clone(), sub["SUBSCRIPTIONS"][0]["NEXT_EVENT"].clone()),
            (json!(utc), json!(utc)),
            "{sent}"
        );
    }
    // Filters read offsets the same way: from 00:00 UTC+1 is from 23:00 UTC.
    let found = client
        .ok("subscription.get", json!({"FILTER": {"NEXT_EVENT_FROM": "2025-03-01T00:00:00+01:00", "NEXT_EVENT_TO": "2025-03-01T02:00:00+01:00"}}))
        .await;
    let starts: Vec<&Value> = found["SUBSCRIPTIONS"].as_array().expect("list").iter().map(|s| &s["START"]).collect();
    assert_eq!(starts, vec![&json!("2025-02-28 23:30:00"), &json!("2025-03-01 01:00:00")]);
    // And the test clock: NOW with an offset answers in UTC.
    let run = client.ok("billing.run", json!({"DATA": {"NOW": "2025-03-01T01:30:00+02:00"}})).await;
    assert_eq!(run["NOW"], "2025-02-28 23:30:00");
    assert_eq!(run["INVOICES_CREATED"], 1, "the subscription starting at that instant is billed");
}
