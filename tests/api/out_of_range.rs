//! Figures past what billing can compute with, and calls that fail inside: a decimal tag of 10^14
//! or more is refused where it comes in, naming its tag; a subscription whose stored
//! figures overflow anyway (written before that limit) fails alone, in a billing run and in a
//! batch, answered -32603 without taking the connection or the batch's other answers with it.

use serde_json::{Value, json};

use crate::fixtures::{advance, article, customer, invoices, subscribe};
use crate::helpers::{by_id, count_rows, execute_sql, request, spawn_app};

const BIG: &str = "9999999999999999999999999999";

#[tokio::test]
async fn decimals_of_a_hundred_trillion_or_more_are_refused_naming_the_tag_and_store_nothing() {
    let app = spawn_app().await;
    let t = app.test_tenant("shop", "2025-01-01").await;
    let client = app.client(&t.key);
    article(&client, "P", "10", "19", json!({})).await;
    article(&client, "CALL", "0.01", "19", json!({})).await;
    let c = customer(&client).await;
    let sub = subscribe(&client, c, "P", json!({})).await["SUBSCRIPTION_ID"].clone();
    let usage = count_rows(&app, "usage_record").await;
    for quantity in [json!(BIG), json!("100000000000000"), json!(-1e14), json!("79228162514264337593543950335")] {
        let data = json!({"SUBSCRIPTION_ID": sub, "ARTICLE_NUMBER": "CALL", "QUANTITY": quantity});
        let err = client.err("subscription.setusagedata", json!({ "DATA": data })).await;
        assert_eq!((err.code, err.tag()), (-32602, Some("QUANTITY")), "{quantity}: {}", err.message);
        assert!(err.message.contains("out of range"), "{}", err.message);
    }
    assert_eq!(count_rows(&app, "usage_record").await, usage, "no booking stored");
    let data = json!({"SUBSCRIPTION_ID": sub, "ARTICLE_NUMBER": "CALL", "QUANTITY": "99999999999999.9999"});
    client.ok("subscription.setusagedata", json!({ "DATA": data })).await;

    let consumptions = count_rows(&app, "consumption").await;
    let data = json!({"CUSTOMER_ID": c, "TITLE": "t", "UNIT_PRICE": "10", "VAT_PERCENT": "19", "QUANTITY": BIG});
    let err = client.err("consumption.create", json!({ "DATA": data })).await;
    assert_eq!((err.code, err.tag()), (-32602, Some("QUANTITY")));
    assert_eq!(count_rows(&app, "consumption").await, consumptions);

    let data = json!({"SUBSCRIPTION_ID": sub, "ARTICLE_NUMBER": "P", "QUANTITY": BIG});
    let err = client.err("subscription.changequantity", json!({ "DATA": data })).await;
    assert_eq!((err.code, err.tag()), (-32602, Some("QUANTITY")));
    let err = client.err("customer.addcredits", json!({"DATA": {"CUSTOMER_ID": c, "AMOUNT": BIG}})).await;
    assert_eq!((err.code, err.tag()), (-32602, Some("AMOUNT")));
    let err =
        client.err("subscription.getupcomingamount", json!({"DATA": {"ARTICLE_NUMBER": "P", "QUANTITY": BIG}})).await;
    assert_eq!((err.code, err.tag()), (-32602, Some("QUANTITY")));
}

#[tokio::test]
async fn a_subscription_whose_stored_usage_overflows_fails_alone_in_a_run_and_in_a_batch() {
    let app = spawn_app().await;
    let t = app.test_tenant("shop", "2025-01-01").await;
    let client = app.client(&t.key);
    article(&client, "P", "10", "19", json!({})).await;
    article(&client, "CALL", "10", "19", json!({})).await;
    let c = customer(&client).await;
    let broken = subscribe(&client, c, "P", json!({})).await["SUBSCRIPTION_ID"].as_i64().expect("id");
    let sound = subscribe(&client, c, "P", json!({})).await["SUBSCRIPTION_ID"].as_i64().expect("id");
    let data = json!({"SUBSCRIPTION_ID": broken, "ARTICLE_NUMBER": "CALL", "QUANTITY": "1"});
    client.ok("subscription.setusagedata", json!({ "DATA": data })).await;
    // As a booking stored before decimal tags were bounded: 1e28 - 1 calls at 10.00 overflow.
    execute_sql(&app, &format!("UPDATE usage_record SET quantity = '{BIG}' WHERE subscription_id = {broken}")).await;

    // The run bills the sound subscription and answers; the broken one stays due.
    let run = advance(&client, "2025-02-01 00:00:00").await;
    assert_eq!(run["SUBSCRIPTIONS_FAILED"], json!(1), "{run}");
    assert_eq!(invoices(&client, sound).await.len(), 2, "the first period and February");
    assert_eq!(invoices(&client, broken).await.len(), 1, "only the first period, billed at creation");

    // In a batch the failing entry answers -32603 and the others their results.
    let batch = client
        .batch(&[
            request(1, "system.ping", json!({})),
            request(2, "subscription.getupcomingamount", json!({"DATA": {"SUBSCRIPTION_ID": broken}})),
            request(3, "subscription.get", json!({"FILTER": {"SUBSCRIPTION_ID": sound}})),
        ])
        .await;
    assert!(by_id(&batch, 1).get("result").is_some(), "{batch}");
    assert_eq!(by_id(&batch, 2)["error"]["code"], json!(-32603), "{batch}");
    assert_eq!(by_id(&batch, 2)["error"]["message"], json!("internal error"), "no panic text on the wire");
    assert_eq!(by_id(&batch, 3)["result"]["SUBSCRIPTIONS"][0]["SUBSCRIPTION_ID"], json!(sound), "{batch}");
    client.ok("system.ping", json!({})).await;
}

#[tokio::test]
async fn a_bad_key_tag_is_named_and_a_huge_offset_answers_an_empty_page() {
    let app = spawn_app().await;
    let t = app.tenant("shop").await;
    let client = app.client(&t.key);
    article(&client, "P", "10", "19", json!({})).await;
    let c = customer(&client).await;
    for id in [json!("abc"), json!(true), json!([]), json!(1.5), json!(0)] {
        let err = client.err("customer.update", json!({"DATA": {"CUSTOMER_ID": id, "CITY": "x"}})).await;
        assert_eq!((err.code, err.tag()), (-32602, Some("CUSTOMER_ID")), "{id}: {}", err.message);
    }
    let sub = subscribe(&client, c, "P", json!({})).await["SUBSCRIPTION_ID"].clone();
    for offset in [i64::MAX, i64::MAX - 9] {
        let page = json!({"FILTER": {"SUBSCRIPTION_ID": sub}, "OFFSET": offset});
        let found: Value = client.ok("subscription.gettimeline", page).await;
        assert_eq!(found["EVENTS"], json!([]), "{offset}");
    }
}

#[tokio::test]
async fn dates_past_9999_are_refused_where_they_would_be_computed() {
    let app = spawn_app().await;
    let t = app.test_tenant("shop", "2025-01-01").await;
    let client = app.client(&t.key);
    article(&client, "P", "10", "19", json!({})).await;
    let c = customer(&client).await;
    let sub = subscribe(&client, c, "P", json!({})).await["SUBSCRIPTION_ID"].clone();
    client.ok("subscription.update", json!({"DATA": {"SUBSCRIPTION_ID": sub, "NEXT_EVENT": "9999-12-15"}})).await;
    let err = client.err("subscription.postpone", json!({"DATA": {"SUBSCRIPTION_ID": sub, "MONTH": 1}})).await;
    assert_eq!((err.code, err.tag()), (-32602, Some("MONTH")), "{}", err.message);
    let pause = json!({"DATA": {"SUBSCRIPTION_ID": sub, "START_DATE": "9999-12-15", "CYCLES": 3}});
    let err = client.err("subscription.pause", pause).await;
    assert_eq!((err.code, err.tag()), (-32602, Some("CYCLES")), "{}", err.message);
    let found = client.ok("subscription.get", json!({"FILTER": {"SUBSCRIPTION_ID": sub}})).await;
    assert_eq!(found["SUBSCRIPTIONS"][0]["NEXT_EVENT"], "9999-12-15 00:00:00", "nothing changed");
}
