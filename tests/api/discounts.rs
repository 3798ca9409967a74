//! Subscription discounts (API.md section 9): creation order, then the
//! coupon; periods counted from the next regular invoice; percent ones also on
//! prorations, fixed ones never; usage never. Amounts computed by hand.

use serde_json::{Value, json};

use crate::fixtures::{advance, article, customer, invoices, lines, subscribe, subscription};
use crate::helpers::{Client, TestApp, count_rows, spawn_app};

async fn shop(app: &TestApp, clock: &str) -> (Client, i64) {
    let t = app.test_tenant("shop", clock).await;
    let client = app.client(&t.key);
    article(&client, "P", "100.00", "19", json!({})).await;
    article(&client, "S", "30.00", "19", json!({})).await;
    article(&client, "L", "60.00", "19", json!({})).await;
    let c = customer(&client).await;
    (client, c)
}

async fn discount(client: &Client, data: Value) -> i64 {
    client.ok("subscription.setdiscount", json!({"DATA": data})).await["DISCOUNT_ID"].as_i64().expect("DISCOUNT_ID")
}

fn owned(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
}

/// 100.00 at 19 % under a 50 % coupon, then discounts of 10 % and of 5.00 for
/// one period: -10.00, then -5.00 of the 90.00 left, then the coupon takes
/// half of 85.00 = -42.50; net 42.50, VAT 8.075 -> 8.08, total 50.58. A month
/// later the fixed one is used up: -10.00, -45.00, net 45.00, total 53.55.
#[tokio::test]
async fn discounts_apply_in_creation_order_before_the_coupon() {
    let app = spawn_app().await;
    let (client, c) = shop(&app, "2025-01-01").await;
    client.ok("coupon.create", json!({"DATA": {"CODE": "HALF", "DISCOUNT_TYPE": "percent", "DISCOUNT": "50"}})).await;
    let id = subscribe(&client, c, "P", json!({"COUPON": "HALF"})).await["SUBSCRIPTION_ID"].as_i64().expect("id");
    let d1 = discount(&client, json!({"SUBSCRIPTION_ID": id, "DISCOUNT_TYPE": "percent", "DISCOUNT": "10"})).await;
    let d2 = discount(&client, json!({"SUBSCRIPTION_ID": id, "DISCOUNT_TYPE": "fixed", "DISCOUNT": "5", "PERIODS": 1}))
        .await;
    advance(&client, "2025-03-01").await;
    let all = invoices(&client, id).await;
    assert_eq!(
        lines(&all[0]),
        owned(&[("plan", "100.00"), ("coupon", "-50.00")]),
        "discounts start with the next invoice"
    );
    assert_eq!(
        lines(&all[1]),
        owned(&[("plan", "100.00"), ("discount", "-10.00"), ("discount", "-5.00"), ("coupon", "-42.50")])
    );
    assert_eq!(
        (all[1]["SUB_TOTAL"].clone(), all[1]["VAT_TOTAL"].clone(), all[1]["TOTAL"].clone()),
        (json!("42.50"), json!("8.08"), json!("50.58"))
    );
    assert_eq!(all[1]["ITEMS"][1]["DESCRIPTION"], format!("Discount #{d1} (10 %)"));
    assert_eq!(all[1]["ITEMS"][2]["DESCRIPTION"], format!("Discount #{d2} (5.00)"));
    assert_eq!(lines(&all[2]), owned(&[("plan", "100.00"), ("discount", "-10.00"), ("coupon", "-45.00")]));
    assert_eq!(all[2]["TOTAL"], "53.55");
    let listed = client.ok("subscription.getdiscounts", json!({"FILTER": {"SUBSCRIPTION_ID": id}})).await;
    let used: Vec<(Value, Value, Value)> = listed["DISCOUNTS"]
        .as_array()
        .expect("DISCOUNTS")
        .iter()
        .map(|d| (d["DISCOUNT"].clone(), d["PERIODS"].clone(), d["PERIODS_USED"].clone()))
        .collect();
    assert_eq!(used, vec![(json!("10.00"), Value::Null, json!(2)), (json!("5.00"), json!(1), json!(1))]);
    assert_eq!(subscription(&client, id).await["DISCOUNTS"], listed["DISCOUNTS"]);
}

#[tokio::test]
async fn a_discount_changes_until_it_is_invoiced_and_a_deleted_one_stops_next_period() {
    let app = spawn_app().await;
    let (client, c) = shop(&app, "2025-01-01").await;
    let id = subscribe(&client, c, "P", json!({})).await["SUBSCRIPTION_ID"].as_i64().expect("id");
    let d = discount(&client, json!({"SUBSCRIPTION_ID": id, "DISCOUNT_TYPE": "percent", "DISCOUNT": "20"})).await;
    let change = json!({"SUBSCRIPTION_ID": id, "DISCOUNT_ID": d, "DISCOUNT_TYPE": "percent", "DISCOUNT": "25"});
    assert_eq!(discount(&client, change.clone()).await, d);
    advance(&client, "2025-02-01").await;
    let err = client.err("subscription.setdiscount", json!({"DATA": change})).await;
    assert_eq!((err.code, err.tag()), (1009, Some("DISCOUNT_ID")));
    client.ok("subscription.deletediscount", json!({"DATA": {"DISCOUNT_ID": d}})).await;
    advance(&client, "2025-03-01").await;
    let all = invoices(&client, id).await;
    assert_eq!(lines(&all[1]), owned(&[("plan", "100.00"), ("discount", "-25.00")]), "issued invoices keep theirs");
    assert_eq!(lines(&all[2]), owned(&[("plan", "100.00")]));
    let listed = client.ok("subscription.getdiscounts", json!({"FILTER": {"SUBSCRIPTION_ID": id}})).await;
    assert_eq!(listed["DISCOUNTS"], json!([]));
    let again = client.err("subscription.deletediscount", json!({"DATA": {"DISCOUNT_ID": d}})).await;
    assert_eq!((again.code, again.tag()), (1004, Some("DISCOUNT_ID")));
}

#[tokio::test]
async fn bad_discounts_are_refused_naming_the_tag_and_change_nothing() {
    let app = spawn_app().await;
    let (client, c) = shop(&app, "2025-01-01").await;
    let id = subscribe(&client, c, "P", json!({})).await["SUBSCRIPTION_ID"].as_i64().expect("id");
    let before = subscription(&client, id).await;
    let base = |extra: Value| {
        let mut d = json!({"SUBSCRIPTION_ID": id, "DISCOUNT_TYPE": "percent", "DISCOUNT": "10"});
        for (k, v) in extra.as_object().expect("object") {
            d[k] = v.clone();
        }
        json!({"DATA": d})
    };
    let cases = [
        (json!({"DISCOUNT": "-5"}), -32602, "DISCOUNT"),
        (json!({"DISCOUNT": "150"}), -32602, "DISCOUNT"),
        (json!({"DISCOUNT_TYPE": "gift"}), -32602, "DISCOUNT_TYPE"),
        (json!({"DISCOUNT_TYPE": "fixed", "DISCOUNT": "0"}), -32602, "DISCOUNT"),
        (json!({"DISCOUNT_TYPE": "fixed", "DISCOUNT": "5", "CURRENCY_CODE": "USD"}), -32602, "CURRENCY_CODE"),
        (json!({"PERIODS": 0}), -32602, "PERIODS"),
        (json!({"DISCOUNT_ID": 424242}), 1004, "DISCOUNT_ID"),
    ];
    for (extra, code, tag) in cases {
        let err = client.err("subscription.setdiscount", base(extra.clone())).await;
        assert_eq!((err.code, err.tag()), (code, Some(tag)), "{extra}: {}", err.message);
    }
    assert_eq!(subscription(&client, id).await, before);
    assert_eq!(count_rows(&app, "subscription_discount").await, 0);
}

/// S 30.00 with 20 % and 5.00 off: April's invoice is 30.00 - 6.00 - 5.00.
/// On April 11 (20 of 30 days left) S -> L prorates -20.00 / +40.00, and only
/// the percent discount applies: -4.00. Usage is never discounted.
#[tokio::test]
async fn percent_discounts_reach_prorations_fixed_ones_and_usage_never() {
    let app = spawn_app().await;
    let (client, c) = shop(&app, "2025-03-01").await;
    article(&client, "CALLS", "0.50", "19", json!({"IS_ADDON": true})).await;
    let id = subscribe(&client, c, "S", json!({})).await["SUBSCRIPTION_ID"].as_i64().expect("id");
    discount(&client, json!({"SUBSCRIPTION_ID": id, "DISCOUNT_TYPE": "percent", "DISCOUNT": "20"})).await;
    discount(&client, json!({"SUBSCRIPTION_ID": id, "DISCOUNT_TYPE": "fixed", "DISCOUNT": "5"})).await;
    let usage = json!({"SUBSCRIPTION_ID": id, "ARTICLE_NUMBER": "CALLS", "QUANTITY": 4, "USAGE_DATE": "2025-03-15"});
    advance(&client, "2025-03-15").await;
    client.ok("subscription.setusagedata", json!({"DATA": usage})).await;
    advance(&client, "2025-04-11").await;
    client.ok("subscription.changearticle", json!({"DATA": {"SUBSCRIPTION_ID": id, "ARTICLE_NUMBER": "L"}})).await;
    let all = invoices(&client, id).await;
    assert_eq!(
        lines(&all[1]),
        owned(&[("plan", "30.00"), ("usage", "2.00"), ("discount", "-6.00"), ("discount", "-5.00")])
    );
    assert_eq!(lines(&all[2]), owned(&[("proration", "-20.00"), ("proration", "40.00"), ("discount", "-4.00")]));
}

#[tokio::test]
async fn setdiscount_honours_dry_run_and_idempotency_keys() {
    let app = spawn_app().await;
    let (client, c) = shop(&app, "2025-01-01").await;
    let id = subscribe(&client, c, "P", json!({})).await["SUBSCRIPTION_ID"].as_i64().expect("id");
    let data = json!({"SUBSCRIPTION_ID": id, "DISCOUNT_TYPE": "fixed", "DISCOUNT": "5"});
    let dry = client.ok("subscription.setdiscount", json!({"DATA": data, "DRY_RUN": true})).await;
    assert_eq!(dry["DISCOUNT_ID"], Value::Null);
    assert_eq!(count_rows(&app, "subscription_discount").await, 0);
    let keyed = json!({"DATA": data, "IDEMPOTENCY_KEY": "disc-1"});
    let first = client.ok("subscription.setdiscount", keyed.clone()).await;
    let second = client.ok("subscription.setdiscount", keyed).await;
    assert_eq!(first, second);
    let listed = client.ok("subscription.getdiscounts", json!({"FILTER": {"SUBSCRIPTION_ID": id}})).await;
    assert_eq!(listed["DISCOUNTS"].as_array().map(Vec::len), Some(1));
}
