//! Replays every request recorded from the PHP client (tests/fixtures/fastbill,
//! from Speicher210/fastbill-api) against a seeded tenant and checks that the
//! answer has the recorded shape (see `fastbill_shape`).

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::fastbill::{PATH, clients};
use crate::fastbill_shape::compare;
use crate::fixtures;
use crate::helpers::{Client, spawn_app};

/// Fixtures of services not on main yet, by what brings them. The lead
/// removes entries as those branches land; the test then replays them.
const PENDING: &[(&str, &str)] = &[];

/// The coupons (`coupon.create` DATA) a fixture expects, as recorded.
fn coupons(name: &str) -> Vec<Value> {
    match name.rsplit('/').next().unwrap_or("") {
        "testGetCoupons" => vec![
            json!({"CODE": "424258989", "TITLE": "6 Monate Rabattcode", "DISCOUNT_TYPE": "percent", "DISCOUNT": "100",
                "DISCOUNT_PERIOD_AMOUNT": 100, "DISCOUNT_PERIOD_UNIT": "event", "VALID_FROM": "2015-10-21",
                "VALID_TO": "2015-11-29", "ASSIGNED_ARTICLES": "60, 666"}),
            json!({"CODE": "test", "TITLE": "1 Monat Rabattcode", "DISCOUNT_TYPE": "fixed", "DISCOUNT": "1",
                "DISCOUNT_PERIOD_AMOUNT": 1, "DISCOUNT_PERIOD_UNIT": "event"}),
        ],
        "testGetUpcomingAmount" => {
            vec![json!({"CODE": "COUPON", "DISCOUNT_TYPE": "percent", "DISCOUNT": "10", "ASSIGNED_ARTICLES": "A123"})]
        }
        "testGetSubscriptionByIdReturnsOneSubscription" => vec![json!({"CODE": "TEST_COUPON", "TITLE": "Coupony",
            "DISCOUNT_TYPE": "percent", "DISCOUNT": "10", "DISCOUNT_PERIOD_AMOUNT": 3, "DISCOUNT_PERIOD_UNIT": "event",
            "USAGES_MAX": 1})],
        _ => Vec::new(),
    }
}

/// Fixtures replayed whose answer differs from the recording on purpose:
/// they must answer RESPONSE.ERRORS, for the reason given.
const DIFFERENT: &[(&str, &str)] = &[(
    "Subscription/testRenewSubscription",
    "recur bills every due period when it becomes due (on create, in billing runs), so a subscription \
     the client can reach has nothing to renew: 1009 'nothing is due' (API.md 5)",
)];

/// The seeded objects the recorded ids are replaced by.
struct Seeded {
    customer: i64,
    subscription: i64,
    invoice: i64,
    usage: i64,
}

/// Articles as the recordings show them; `666` is an add-on where the
/// fixture books it as one.
async fn seed(name: &str, rpc: &Client) -> Seeded {
    let addon = name.ends_with("testSetSubscriptionAddonAction");
    for (number, price) in [("60", "10.00"), ("666", "20.00"), ("1", "27.00"), ("A123", "5.00"), ("ART_123", "1.00")] {
        let extra = json!({
            "SUBSCRIPTION_INTERVAL": "1 month", "TAGS": "tag1, tag2", "SETUP_FEE": "83.00", "DESCRIPTION": "Article",
            "TRANSLATIONS": {"EN": {"TITLE": "Translation title", "DESCRIPTION": "Translation description"}},
            "FEATURES": [{"CODE": "code", "QUANTITY": 2, "VALUE": "value"}],
            "IS_ADDON": addon && number == "666",
        });
        fixtures::article(rpc, number, price, "19", extra).await;
    }
    let mut held = None;
    for coupon in coupons(name) {
        held = Some(rpc.ok("coupon.create", json!({"DATA": coupon})).await["CODE"].clone());
    }
    let holder = fixtures::customer(rpc).await;
    let uid = if name.ends_with("ByExternalUid") { "e1" } else { "seeded" };
    let free = json!({"DATA": {"LAST_NAME": "Tester1", "CUSTOMER_EXT_UID": uid}});
    let customer = rpc.ok("customer.create", free).await["CUSTOMER_ID"].as_i64().expect("customer");
    let mut extra = json!({"START_DATE": "2016-03-15 00:00:00", "TITLE": "title"});
    if name.ends_with("testGetSubscriptionByIdReturnsOneSubscription") {
        extra["COUPON"] = held.unwrap_or_default();
    }
    let created = fixtures::subscribe(rpc, holder, "60", extra).await;
    let subscription = created["SUBSCRIPTION_ID"].as_i64().expect("subscription");
    let invoice = created["INVOICE_ID"].as_i64().expect("an invoice");
    let usage = json!({"DATA": {"SUBSCRIPTION_ID": subscription, "ARTICLE_NUMBER": "666", "QUANTITY": 1}});
    let usage = rpc.ok("subscription.setusagedata", usage).await["USAGEDATA_ID"].as_i64().expect("usage");
    Seeded { customer, subscription, invoice, usage }
}

/// Every `...Request.json` with its response, by `Group/name`.
fn recorded() -> Vec<(String, PathBuf, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fastbill");
    let mut found = Vec::new();
    for group in std::fs::read_dir(&root).expect("fixtures").flatten().filter(|e| e.path().is_dir()) {
        for file in std::fs::read_dir(group.path()).expect("group").flatten() {
            let name = file.file_name().to_string_lossy().into_owned();
            if let Some(stem) = name.strip_suffix("Request.json") {
                let response = group.path().join(format!("{stem}Response.json"));
                let id = format!("{}/{stem}", group.file_name().to_string_lossy());
                found.push((id, file.path(), response));
            }
        }
    }
    found.sort();
    found
}

fn read(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("readable")).expect("JSON")
}

/// True when the recorded answer is an empty list: the recorded id must stay unknown.
fn expects_nothing(response: &Value) -> bool {
    response["RESPONSE"].as_object().is_some_and(|r| r.values().all(|v| v.as_array().is_some_and(Vec::is_empty)))
}

/// The recorded ids replaced by the seeded objects'.
fn substitute(section: &mut Value, seeded: &Seeded) {
    let Some(members) = section.as_object_mut() else { return };
    for (tag, value) in members.iter_mut() {
        let id = match tag.as_str() {
            "CUSTOMER_ID" => seeded.customer,
            "SUBSCRIPTION_ID" => seeded.subscription,
            "INVOICE_ID" => seeded.invoice,
            "USAGEDATA_ID" => seeded.usage,
            _ => continue,
        };
        *value = json!(id);
    }
}

/// What a fixture needs beyond the seed.
async fn prepare(name: &str, rpc: &Client, seeded: &Seeded) {
    let id = seeded.subscription;
    if name.ends_with("testReactivateSubscription") {
        rpc.ok("subscription.cancel", json!({"DATA": {"SUBSCRIPTION_ID": id}})).await;
    }
}

async fn replay(name: &str, request: &Path, response: &Path) -> Vec<String> {
    let app = spawn_app().await;
    let tenant = app.test_tenant("shop", "2016-05-01 00:00:00").await;
    let (fastbill, rpc) = (app.basic_client(&tenant.key), app.client(&tenant.key));
    let seeded = seed(name, &rpc).await;
    prepare(name, &rpc, &seeded).await;
    let mut body = read(request);
    let recorded = read(response);
    if !expects_nothing(&recorded) {
        for section in ["FILTER", "DATA"] {
            if let Some(section) = body.get_mut(section) {
                substitute(section, &seeded);
            }
        }
    }
    let answer = fastbill.post_raw(PATH, &body.to_string(), &[]).await;
    if answer.status != 200 {
        return vec![format!("HTTP {}: {}", answer.status, answer.body)];
    }
    let ours = answer.json();
    // A recording without RESPONSE (two in the set) only tells that it worked.
    let recorded = if recorded.get("RESPONSE").is_some() { recorded } else { json!({"RESPONSE": {}}) };
    if DIFFERENT.iter().any(|(different, _)| *different == name) {
        let refused = ours["RESPONSE"]["ERRORS"].is_array();
        return if refused { Vec::new() } else { vec![format!("should answer ERRORS (DIFFERENT): {ours}")] };
    }
    compare(&recorded, &ours).into_iter().map(|p| format!("{p}\n    ours: {ours}")).collect()
}

#[tokio::test]
async fn every_recorded_request_answers_in_the_recorded_shape() {
    let _ = clients;
    let mut failures = Vec::new();
    let mut replayed = 0;
    for (name, request, response) in recorded() {
        if let Some((_, why)) = PENDING.iter().find(|(pending, _)| *pending == name) {
            eprintln!("SKIPPED (pending): {name}: {why}");
            continue;
        }
        replayed += 1;
        for problem in replay(&name, &request, &response).await {
            failures.push(format!("{name}: {problem}"));
        }
    }
    assert!(replayed >= 30, "only {replayed} fixtures replayed");
    assert!(failures.is_empty(), "{} problems:\n{}", failures.len(), failures.join("\n"));
}
