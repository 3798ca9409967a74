//! Coupons (API.md section 9): the code itself, and what it does on a
//! subscription's invoices. Amounts are computed by hand in each test.

use futures::future::join_all;
use serde_json::{Value, json};

use crate::fixtures::{advance, article, customer, invoices, lines, subscribe, subscription};
use crate::helpers::{Client, TestApp, count_rows, spawn_app};

/// A test tenant on 2025-01-01 with plan P 10.00 (19 %), plan Q 40.00 (19 %,
/// not in the coupons' ASSIGNED_ARTICLES below), add-ons A7 5.00 (7 %) and
/// A0 10.00 (0 %), and one customer.
async fn shop(app: &TestApp) -> (Client, i64) {
    let t = app.test_tenant("shop", "2025-01-01").await;
    let client = app.client(&t.key);
    article(&client, "P", "10.00", "19", json!({})).await;
    article(&client, "Q", "40.00", "19", json!({})).await;
    article(&client, "A7", "5.00", "7", json!({"IS_ADDON": true, "ALLOW_MULTIPLE": true})).await;
    article(&client, "A0", "10.00", "0", json!({"IS_ADDON": true})).await;
    let c = customer(&client).await;
    (client, c)
}

async fn coupon(client: &Client, data: Value) -> Value {
    client.ok("coupon.create", json!({"DATA": data})).await
}

fn owned(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
}

fn totals(invoice: &Value) -> (&str, &str, &str) {
    let s = |k: &str| invoice[k].as_str().unwrap_or("");
    (s("SUB_TOTAL"), s("VAT_TOTAL"), s("TOTAL"))
}

#[tokio::test]
async fn a_coupon_is_created_read_checked_and_deleted() {
    let app = spawn_app().await;
    let (client, _) = shop(&app).await;
    let extra = json!({"CODE": "SPRING", "TITLE": "Spring", "DISCOUNT_TYPE": "percent", "DISCOUNT": "10",
        "DISCOUNT_PERIOD_AMOUNT": 3, "DISCOUNT_PERIOD_UNIT": "month", "USAGES_MAX": 5, "ASSIGNED_ARTICLES": "P, A7"});
    assert_eq!(coupon(&client, extra).await["STATUS"], "success");
    let got = client.ok("coupon.get", json!({"FILTER": {"CODE": "SPRING"}})).await["COUPONS"][0].clone();
    assert_eq!(got["DISCOUNT"], "10.00");
    assert_eq!(got["DISCOUNT_PERIOD_UNIT"], "month");
    assert_eq!(got["ASSIGNED_ARTICLES"], json!(["P", "A7"]));
    assert_eq!(
        (got["USAGES"].clone(), got["USAGES_MAX"].clone(), got["STATE"].clone()),
        (json!(0), json!(5), json!("UNUSED"))
    );
    let check = |code: &str, article: &str| {
        client.call("coupon.check", json!({"DATA": {"CODE": code, "ARTICLE_NUMBER": article}}))
    };
    assert_eq!(check("SPRING", "P").await.expect("check")["STATUS"], "valid");
    assert_eq!(check("SPRING", "Q").await.expect("check")["STATUS"], "invalid");
    assert_eq!(check("NOPE", "P").await.expect("check")["STATUS"], "invalid");
    assert_eq!(check("SPRING", "MISSING").await.expect_err("no article").code, 1004);
    client.ok("coupon.delete", json!({"DATA": {"CODE": "SPRING"}})).await;
    assert_eq!(client.ok("coupon.get", json!({})).await["COUPONS"], json!([]));
    assert_eq!(client.err("coupon.delete", json!({"DATA": {"CODE": "SPRING"}})).await.code, 1004);
}

#[tokio::test]
async fn state_follows_the_tenant_clock_and_the_usages() {
    let app = spawn_app().await;
    let (client, c) = shop(&app).await;
    coupon(&client, json!({"CODE": "LATER", "DISCOUNT_TYPE": "fixed", "DISCOUNT": "1", "VALID_FROM": "2025-02-01"}))
        .await;
    coupon(&client, json!({"CODE": "GONE", "DISCOUNT_TYPE": "fixed", "DISCOUNT": "1", "VALID_TO": "2024-12-31"})).await;
    coupon(&client, json!({"CODE": "ONCE", "DISCOUNT_TYPE": "fixed", "DISCOUNT": "1", "USAGES_MAX": 1})).await;
    subscribe(&client, c, "P", json!({"COUPON": "ONCE"})).await;
    let states: Vec<(String, String)> = client.ok("coupon.get", json!({})).await["COUPONS"]
        .as_array()
        .expect("coupons")
        .iter()
        .map(|c| (c["CODE"].as_str().unwrap_or("").to_owned(), c["STATE"].as_str().unwrap_or("").to_owned()))
        .collect();
    assert_eq!(states, owned(&[("LATER", "PREMATURE"), ("GONE", "EXPIRED"), ("ONCE", "USED")]));
    for code in ["LATER", "GONE", "ONCE", "NOPE"] {
        let err = client
            .err("subscription.create", json!({"DATA": {"CUSTOMER_ID": c, "ARTICLE_NUMBER": "P", "COUPON": code}}))
            .await;
        assert_eq!((err.code, err.tag()), (1009, Some("COUPON")), "{code}: {}", err.message);
    }
    assert_eq!(count_rows(&app, "subscription").await, 1, "refused creates create nothing");
    advance(&client, "2025-02-01").await;
    let later = client.ok("coupon.get", json!({"FILTER": {"CODE": "LATER"}})).await;
    assert_eq!(later["COUPONS"][0]["STATE"], "UNUSED");
}

#[tokio::test]
async fn bad_coupons_are_refused_naming_the_tag_and_nothing_is_stored() {
    let app = spawn_app().await;
    let (client, _) = shop(&app).await;
    coupon(&client, json!({"CODE": "TAKEN", "DISCOUNT_TYPE": "percent", "DISCOUNT": "5"})).await;
    let cases = [
        (json!({"CODE": "A", "DISCOUNT_TYPE": "percent", "DISCOUNT": "-1"}), -32602, "DISCOUNT"),
        (json!({"CODE": "A", "DISCOUNT_TYPE": "percent", "DISCOUNT": "100.01"}), -32602, "DISCOUNT"),
        (json!({"CODE": "A", "DISCOUNT_TYPE": "share", "DISCOUNT": "1"}), -32602, "DISCOUNT_TYPE"),
        (
            json!({"CODE": "A", "DISCOUNT_TYPE": "fixed", "DISCOUNT": "1", "DISCOUNT_PERIOD_AMOUNT": 2, "DISCOUNT_PERIOD_UNIT": "fortnight"}),
            -32602,
            "DISCOUNT_PERIOD_UNIT",
        ),
        (
            json!({"CODE": "A", "DISCOUNT_TYPE": "fixed", "DISCOUNT": "1", "VALID_FROM": "2025-03-01", "VALID_TO": "2025-02-01"}),
            -32602,
            "VALID_TO",
        ),
        (
            json!({"CODE": "A", "DISCOUNT_TYPE": "fixed", "DISCOUNT": "1", "CURRENCY_CODE": "USD", "ASSIGNED_ARTICLES": ["P"]}),
            -32602,
            "CURRENCY_CODE",
        ),
        (json!({"CODE": "TAKEN", "DISCOUNT_TYPE": "percent", "DISCOUNT": "5"}), 1009, "CODE"),
    ];
    for (data, code, tag) in cases {
        let err = client.err("coupon.create", json!({"DATA": data.clone()})).await;
        assert_eq!((err.code, err.tag()), (code, Some(tag)), "{data}: {}", err.message);
    }
    assert_eq!(count_rows(&app, "coupon").await, 1);
}

/// Plan 10.00 at 19 %, add-on 5.00 at 7 %, 10 % off for 2 events:
/// coupon lines (by rate, ascending) -0.50 (7 %) and -1.00 (19 %); nets 9.00 and 4.50, VAT
/// 1.71 + 0.315 -> 0.32 = 2.03; total 15.53. The third invoice is full price.
#[tokio::test]
async fn a_percent_coupon_discounts_each_rate_for_its_events_then_ends() {
    let app = spawn_app().await;
    let (client, c) = shop(&app).await;
    coupon(&client, json!({"CODE": "TEN", "DISCOUNT_TYPE": "percent", "DISCOUNT": "10", "DISCOUNT_PERIOD_AMOUNT": 2, "DISCOUNT_PERIOD_UNIT": "event"})).await;
    let extra = json!({"COUPON": "TEN", "ADDONS": [{"ARTICLE_NUMBER": "A7"}]});
    let id = subscribe(&client, c, "P", extra).await["SUBSCRIPTION_ID"].as_i64().expect("id");
    advance(&client, "2025-03-01").await;
    let all = invoices(&client, id).await;
    let discounted = owned(&[("plan", "10.00"), ("addon", "5.00"), ("coupon", "-0.50"), ("coupon", "-1.00")]);
    assert_eq!(lines(&all[0]), discounted);
    assert_eq!(totals(&all[0]), ("13.50", "2.03", "15.53"));
    assert_eq!(all[0]["ITEMS"][2]["DESCRIPTION"], "Coupon TEN");
    assert_eq!(lines(&all[1]), discounted);
    assert_eq!(lines(&all[2]), owned(&[("plan", "10.00"), ("addon", "5.00")]));
    let held = subscription(&client, id).await["COUPON"].clone();
    assert_eq!(
        (held["CODE"].clone(), held["PAYMENTS_DISCOUNTED"].clone(), held["ACTIVE"].clone()),
        (json!("TEN"), json!(2), json!(false))
    );
    let timeline =
        client.ok("subscription.gettimeline", json!({"FILTER": {"SUBSCRIPTION_ID": id}, "LIMIT": 100})).await;
    assert!(timeline["EVENTS"].as_array().expect("events").iter().any(|e| e["TYPE"] == "subscription.coupon_redeemed"));
}

/// 10.00 fixed over three rates of 10.00 each: round(10 x 10/30) = 3.33 three
/// times is 9.99; the missing cent goes to the largest net, on a tie the
/// higher rate. Nets 6.66 / 6.67 / 6.67, VAT 1.27 + 0.47 + 0 = 1.74.
#[tokio::test]
async fn a_fixed_coupon_is_split_over_the_rates_with_the_remainder_on_the_highest() {
    let app = spawn_app().await;
    let (client, c) = shop(&app).await;
    coupon(&client, json!({"CODE": "TENNER", "DISCOUNT_TYPE": "fixed", "DISCOUNT": "10.00"})).await;
    let addons = json!([{"ARTICLE_NUMBER": "A7", "QUANTITY": 2}, {"ARTICLE_NUMBER": "A0"}]);
    let id = subscribe(&client, c, "P", json!({"COUPON": "TENNER", "ADDONS": addons})).await["SUBSCRIPTION_ID"]
        .as_i64()
        .expect("id");
    let first = invoices(&client, id).await.remove(0);
    let expected = [
        ("plan", "10.00"),
        ("addon", "10.00"),
        ("addon", "10.00"),
        ("coupon", "-3.33"),
        ("coupon", "-3.33"),
        ("coupon", "-3.34"),
    ];
    assert_eq!(lines(&first), owned(&expected));
    let rates: Vec<&str> =
        first["ITEMS"].as_array().expect("items")[3..].iter().filter_map(|i| i["VAT_PERCENT"].as_str()).collect();
    assert_eq!(rates, vec!["0.00", "7.00", "19.00"]);
    assert_eq!(totals(&first), ("20.00", "1.74", "21.74"));
}

#[tokio::test]
async fn a_full_coupon_gives_a_zero_invoice_and_setup_fees_stay() {
    let app = spawn_app().await;
    let (client, c) = shop(&app).await;
    article(&client, "S", "10.00", "19", json!({"SETUP_FEE": "5.00"})).await;
    coupon(&client, json!({"CODE": "FREE", "DISCOUNT_TYPE": "percent", "DISCOUNT": "100"})).await;
    let id = subscribe(&client, c, "P", json!({"COUPON": "FREE"})).await["SUBSCRIPTION_ID"].as_i64().expect("id");
    assert_eq!(totals(&invoices(&client, id).await[0]), ("0.00", "0.00", "0.00"));
    let s = subscribe(&client, c, "S", json!({"COUPON": "FREE"})).await["SUBSCRIPTION_ID"].as_i64().expect("id");
    assert_eq!(
        lines(&invoices(&client, s).await[0]),
        owned(&[("plan", "10.00"), ("setup", "5.00"), ("coupon", "-10.00")])
    );
}

#[tokio::test]
async fn a_month_coupon_discounts_periods_that_start_before_its_end() {
    let app = spawn_app().await;
    let (client, c) = shop(&app).await;
    coupon(&client, json!({"CODE": "M2", "DISCOUNT_TYPE": "fixed", "DISCOUNT": "2.50", "DISCOUNT_PERIOD_AMOUNT": 2, "DISCOUNT_PERIOD_UNIT": "month"})).await;
    let id = subscribe(&client, c, "P", json!({"COUPON": "M2"})).await["SUBSCRIPTION_ID"].as_i64().expect("id");
    advance(&client, "2025-04-01").await;
    let nets: Vec<String> =
        invoices(&client, id).await.iter().map(|i| i["SUB_TOTAL"].as_str().unwrap_or("").to_owned()).collect();
    // Jan 1 and Feb 1 start before Mar 1 (redeemed Jan 1 + 2 months); Mar 1 and Apr 1 do not.
    assert_eq!(nets, vec!["7.50", "7.50", "10.00", "10.00"]);
}

#[tokio::test]
async fn a_quote_with_a_coupon_redeems_nothing() {
    let app = spawn_app().await;
    let (client, _) = shop(&app).await;
    coupon(&client, json!({"CODE": "HALF", "DISCOUNT_TYPE": "percent", "DISCOUNT": "50", "USAGES_MAX": 1})).await;
    let quote =
        client.ok("subscription.getupcomingamount", json!({"DATA": {"ARTICLE_NUMBER": "P", "COUPON": "HALF"}})).await;
    assert_eq!((quote["SUB_TOTAL"].clone(), quote["TOTAL"].clone()), (json!("5.00"), json!("5.95")));
    let got = client.ok("coupon.get", json!({"FILTER": {"CODE": "HALF"}})).await;
    assert_eq!(got["COUPONS"][0]["USAGES"], 0);
    let err =
        client.err("subscription.getupcomingamount", json!({"DATA": {"ARTICLE_NUMBER": "Q", "COUPON": "NOPE"}})).await;
    assert_eq!((err.code, err.tag()), (1009, Some("COUPON")));
}

/// A 50 % coupon: an upgrade P (10.00) -> P2 (20.00) on Jan 11 (21 of 31 days
/// left) prorates -6.77 / +13.55, and the coupon takes half of the 6.78 net:
/// -3.39. A change to Q (outside ASSIGNED_ARTICLES) ends the coupon and its
/// proration lines are not discounted.
#[tokio::test]
async fn percent_coupons_discount_prorations_and_a_plan_outside_the_list_ends_them() {
    let app = spawn_app().await;
    let (client, c) = shop(&app).await;
    article(&client, "P2", "20.00", "19", json!({})).await;
    coupon(
        &client,
        json!({"CODE": "HALF", "DISCOUNT_TYPE": "percent", "DISCOUNT": "50", "ASSIGNED_ARTICLES": ["P", "P2"]}),
    )
    .await;
    let id = subscribe(&client, c, "P", json!({"COUPON": "HALF"})).await["SUBSCRIPTION_ID"].as_i64().expect("id");
    advance(&client, "2025-01-11").await;
    client.ok("subscription.changearticle", json!({"DATA": {"SUBSCRIPTION_ID": id, "ARTICLE_NUMBER": "P2"}})).await;
    let all = invoices(&client, id).await;
    assert_eq!(lines(&all[1]), owned(&[("proration", "-6.77"), ("proration", "13.55"), ("coupon", "-3.39")]));
    client.ok("subscription.changearticle", json!({"DATA": {"SUBSCRIPTION_ID": id, "ARTICLE_NUMBER": "Q"}})).await;
    let all = invoices(&client, id).await;
    assert_eq!(lines(&all[2]), owned(&[("proration", "-13.55"), ("proration", "27.10")]));
    assert_eq!(subscription(&client, id).await["COUPON"]["ACTIVE"], false);
}

#[tokio::test]
async fn the_last_use_goes_to_exactly_one_of_concurrent_redemptions() {
    let app = spawn_app().await;
    let (client, c) = shop(&app).await;
    coupon(&client, json!({"CODE": "LAST", "DISCOUNT_TYPE": "percent", "DISCOUNT": "10", "USAGES_MAX": 1})).await;
    let params = json!({"DATA": {"CUSTOMER_ID": c, "ARTICLE_NUMBER": "P", "COUPON": "LAST"}});
    let results = join_all((0..8).map(|_| client.call("subscription.create", params.clone()))).await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "{results:?}");
    for err in results.iter().filter_map(|r| r.as_ref().err()) {
        assert_eq!((err.code, err.tag()), (1009, Some("COUPON")), "{err:?}");
    }
    assert_eq!(client.ok("coupon.get", json!({})).await["COUPONS"][0]["USAGES"], 1);
    assert_eq!(count_rows(&app, "subscription").await, 1);
}
