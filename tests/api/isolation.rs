//! Tenant isolation: another tenant's id answers exactly like an id that does
//! not exist, on every method of the table that takes one, and leaves the
//! other tenant's rows alone.
//!
//! The probe list is checked against `recur::rpc::method_names()`: a method
//! added to the table fails `every_method_is_probed_or_named_as_taking_no_id`
//! until someone adds probes for it or says why it takes no id.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::fixtures::{advance, article, invoices, subscribe, subscription};
use crate::helpers::{Client, TestApp, by_id, count_rows, request, spawn_app};

/// Methods that name no object, so nothing of another tenant can be reached
/// through them. Each says why; a new method must be probed or listed here.
const TAKES_NO_ID: &[(&str, &str)] = &[
    ("system.ping", "answers the caller's own tenant and clock"),
    ("rpc.discover", "the same OpenRPC document for every tenant"),
    ("customer.create", "creates; CUSTOMER_EXT_UID is unique per tenant (customer.rs)"),
    ("article.create", "creates; another tenant's ARTICLE_NUMBER is free (numbers_of_another_tenant_are_free_here)"),
    ("billing.run", "bills the caller's tenant only (one_tenants_billing_run_clock_and_numbers_leave_another_alone)"),
    ("key.create", "creates a key of the caller's tenant"),
    ("key.get", "lists the caller's keys only (numbers_of_another_tenant_are_free_here)"),
    ("coupon.create", "creates; CODE is unique per tenant"),
    (
        "tenant.get",
        "answers the caller's own tenant (tenant::only_admin_keys_see_and_change_the_tenant_and_each_sees_its_own)",
    ),
    ("tenant.update", "changes the caller's own tenant (the same test)"),
    ("template.get", "the same built-in template for every tenant"),
    ("webhook.create", "creates an endpoint of the caller's tenant"),
    ("blacklist.set", "lists a key on the caller's blacklist (blacklist::one_tenants_blacklist_is_its_own)"),
];

/// Every table a probe could touch, for "nothing changed" counts.
const TABLES: &[&str] = &[
    "customer",
    "article",
    "subscription",
    "subscription_pause",
    "usage_record",
    "invoice",
    "invoice_item",
    "event",
    "api_key",
    "idempotency_record",
    "counter",
    "payment",
    "mail_outbox",
    "coupon",
    "subscription_discount",
    "consumption",
    "payment_method",
    "blacklist_entry",
];

/// The ids a probe names: another tenant's real ones, or ones that exist nowhere.
/// Text ids (article numbers, own pause ids, invoice numbers) are the same in
/// both worlds: the missing world is probed before tenant B creates them, so
/// messages that echo a text id compare equal too.
struct Ids {
    customer: Value,
    subscription: Value,
    pause: Value,
    usage: Value,
    invoice: Value,
    key: Value,
    payment: Value,
    discount: Value,
    consumption: Value,
    draft: Value,
    draft_item: Value,
    payment_method: Value,
}

const B_PLAN: &str = "B-PLAN";
const B_ADDON: &str = "B-ADDON";
const B_PAUSE: &str = "b-winter";
const B_SUB_UID: &str = "b-sub";
const B_INVOICE_NUMBER: &str = "RE-2025-00001";
const B_COUPON: &str = "B-CODE";
const B_BLACKLISTED: &str = "listed-by-b@example.com";
const NOWHERE: i64 = 999_999_999;

/// Tenant A's own objects, which some probes combine with a foreign id.
struct Own {
    customer: Value,
    subscription: Value,
}

/// What a probe must answer, in both worlds.
#[derive(Clone, Copy, Debug)]
enum Expect {
    /// 1004 naming the tag.
    NotFound(&'static str),
    /// -32602 naming the tag (the foreign id is checked against A's own object).
    Invalid(&'static str),
    /// A read answering an empty list under this key.
    Empty(&'static str),
}

fn data(v: Value) -> Value {
    json!({ "DATA": v })
}

fn filter(v: Value) -> Value {
    json!({ "FILTER": v })
}

/// Every call that names an object, for the ids `w` (A's own objects in `own`).
fn probes(own: &Own, w: &Ids) -> Vec<(&'static str, Value, Expect)> {
    use Expect::*;
    let sub = &w.subscription;
    vec![
        ("customer.get", filter(json!({"CUSTOMER_ID": w.customer})), Empty("CUSTOMERS")),
        ("customer.update", data(json!({"CUSTOMER_ID": w.customer, "CITY": "X"})), NotFound("CUSTOMER_ID")),
        ("customer.createsecurelink", data(json!({"CUSTOMER_ID": w.customer})), NotFound("CUSTOMER_ID")),
        ("customer.delete", data(json!({"CUSTOMER_ID": w.customer})), NotFound("CUSTOMER_ID")),
        ("article.get", filter(json!({"ARTICLE_NUMBER": B_PLAN})), Empty("ARTICLES")),
        ("article.update", data(json!({"ARTICLE_NUMBER": B_PLAN, "TITLE": "X"})), NotFound("ARTICLE_NUMBER")),
        ("article.delete", data(json!({"ARTICLE_NUMBER": B_ADDON})), NotFound("ARTICLE_NUMBER")),
        ("subscription.get", filter(json!({"SUBSCRIPTION_ID": sub})), Empty("SUBSCRIPTIONS")),
        ("subscription.get", filter(json!({"CUSTOMER_ID": w.customer})), Empty("SUBSCRIPTIONS")),
        ("subscription.get", filter(json!({"SUBSCRIPTION_EXT_UID": B_SUB_UID})), Empty("SUBSCRIPTIONS")),
        (
            "subscription.create",
            data(json!({"CUSTOMER_ID": w.customer, "ARTICLE_NUMBER": "A-PLAN"})),
            NotFound("CUSTOMER_ID"),
        ),
        (
            "subscription.create",
            data(json!({"CUSTOMER_ID": own.customer, "ARTICLE_NUMBER": B_PLAN})),
            NotFound("ARTICLE_NUMBER"),
        ),
        (
            "subscription.create",
            data(
                json!({"CUSTOMER_ID": own.customer, "ARTICLE_NUMBER": "A-PLAN", "ADDONS": [{"ARTICLE_NUMBER": B_ADDON}]}),
            ),
            NotFound("ADDONS[0].ARTICLE_NUMBER"),
        ),
        (
            "subscription.update",
            data(json!({"SUBSCRIPTION_ID": sub, "X_ATTRIBUTES": {"a": "b"}})),
            NotFound("SUBSCRIPTION_ID"),
        ),
        ("subscription.cancel", data(json!({"SUBSCRIPTION_ID": sub})), NotFound("SUBSCRIPTION_ID")),
        ("subscription.reactivate", data(json!({"SUBSCRIPTION_ID": sub})), NotFound("SUBSCRIPTION_ID")),
        (
            "subscription.terminate",
            data(json!({"SUBSCRIPTION_ID": sub, "CREDIT_UNUSED": true})),
            NotFound("SUBSCRIPTION_ID"),
        ),
        ("subscription.postpone", data(json!({"SUBSCRIPTION_ID": sub, "MONTH": 1})), NotFound("SUBSCRIPTION_ID")),
        ("subscription.renew", data(json!({"SUBSCRIPTION_ID": sub})), NotFound("SUBSCRIPTION_ID")),
        (
            "subscription.changearticle",
            data(json!({"SUBSCRIPTION_ID": sub, "ARTICLE_NUMBER": "A-PLAN"})),
            NotFound("SUBSCRIPTION_ID"),
        ),
        (
            "subscription.changearticle",
            data(json!({"SUBSCRIPTION_ID": own.subscription, "ARTICLE_NUMBER": B_PLAN})),
            NotFound("ARTICLE_NUMBER"),
        ),
        (
            "subscription.changequantity",
            data(json!({"SUBSCRIPTION_ID": sub, "ARTICLE_NUMBER": B_PLAN, "QUANTITY": 2})),
            NotFound("SUBSCRIPTION_ID"),
        ),
        (
            "subscription.changequantity",
            data(json!({"SUBSCRIPTION_ID": own.subscription, "ARTICLE_NUMBER": B_ADDON, "QUANTITY": 2})),
            Invalid("ARTICLE_NUMBER"),
        ),
        (
            "subscription.setaddon",
            data(json!({"SUBSCRIPTION_ID": sub, "ARTICLE_NUMBER": "A-ADDON"})),
            NotFound("SUBSCRIPTION_ID"),
        ),
        (
            "subscription.setaddon",
            data(json!({"SUBSCRIPTION_ID": own.subscription, "ARTICLE_NUMBER": B_ADDON})),
            NotFound("ARTICLE_NUMBER"),
        ),
        ("subscription.pause", data(json!({"SUBSCRIPTION_ID": sub})), NotFound("SUBSCRIPTION_ID")),
        ("subscription.unpause", data(json!({"SUBSCRIPTION_ID": sub})), NotFound("SUBSCRIPTION_ID")),
        ("subscription.getpauses", filter(json!({"SUBSCRIPTION_ID": sub})), NotFound("SUBSCRIPTION_ID")),
        ("subscription.deletepause", data(json!({"PAUSE_ID": w.pause})), NotFound("PAUSE_ID")),
        ("subscription.deletepause", data(json!({"PAUSE_ID": B_PAUSE})), NotFound("PAUSE_ID")),
        ("subscription.deletepause", data(json!({"PAUSE_ID": B_PAUSE, "SUBSCRIPTION_ID": sub})), NotFound("PAUSE_ID")),
        ("subscription.createsecurelink", data(json!({"SUBSCRIPTION_ID": sub})), NotFound("SUBSCRIPTION_ID")),
        (
            "subscription.setusagedata",
            data(json!({"SUBSCRIPTION_ID": sub, "ARTICLE_NUMBER": "A-PLAN"})),
            NotFound("SUBSCRIPTION_ID"),
        ),
        (
            "subscription.setusagedata",
            data(json!({"SUBSCRIPTION_ID": own.subscription, "ARTICLE_NUMBER": B_PLAN})),
            NotFound("ARTICLE_NUMBER"),
        ),
        ("subscription.getusagedata", filter(json!({"SUBSCRIPTION_ID": sub})), NotFound("SUBSCRIPTION_ID")),
        ("subscription.deleteusagedata", data(json!({"USAGEDATA_ID": w.usage})), NotFound("USAGEDATA_ID")),
        ("subscription.getupcomingamount", data(json!({"SUBSCRIPTION_ID": sub})), NotFound("SUBSCRIPTION_ID")),
        ("subscription.getupcomingamount", data(json!({"ARTICLE_NUMBER": B_PLAN})), NotFound("ARTICLE_NUMBER")),
        (
            "subscription.getupcomingamount",
            data(json!({"ARTICLE_NUMBER": "A-PLAN", "ADDONS": [{"ARTICLE_NUMBER": B_ADDON}]})),
            NotFound("ADDONS[0].ARTICLE_NUMBER"),
        ),
        ("subscription.gettimeline", filter(json!({"SUBSCRIPTION_ID": sub})), NotFound("SUBSCRIPTION_ID")),
        ("invoice.get", filter(json!({"INVOICE_ID": w.invoice})), Empty("INVOICES")),
        ("invoice.get", filter(json!({"SUBSCRIPTION_ID": sub})), Empty("INVOICES")),
        ("invoice.get", filter(json!({"CUSTOMER_ID": w.customer})), Empty("INVOICES")),
        ("invoice.get", filter(json!({"INVOICE_NUMBER": B_INVOICE_NUMBER})), Empty("INVOICES")),
        ("key.revoke", data(json!({"KEY_ID": w.key})), NotFound("KEY_ID")),
        ("payment.create", data(json!({"INVOICE_ID": w.invoice, "AMOUNT": "1"})), NotFound("INVOICE_ID")),
        ("payment.get", filter(json!({"PAYMENT_ID": w.payment})), Empty("PAYMENTS")),
        ("payment.get", filter(json!({"INVOICE_ID": w.invoice})), Empty("PAYMENTS")),
        ("payment.get", filter(json!({"CUSTOMER_ID": w.customer})), Empty("PAYMENTS")),
        ("payment.reverse", data(json!({"PAYMENT_ID": w.payment})), NotFound("PAYMENT_ID")),
        ("invoice.setpaid", data(json!({"INVOICE_ID": w.invoice})), NotFound("INVOICE_ID")),
        ("invoice.credit", data(json!({"INVOICE_ID": w.invoice})), NotFound("INVOICE_ID")),
        ("invoice.cancel", data(json!({"INVOICE_ID": w.invoice})), NotFound("INVOICE_ID")),
        ("invoice.gettimeline", filter(json!({"INVOICE_ID": w.invoice})), NotFound("INVOICE_ID")),
        ("invoice.pausedunning", data(json!({"INVOICE_ID": w.invoice})), NotFound("INVOICE_ID")),
        ("invoice.unpausedunning", data(json!({"INVOICE_ID": w.invoice})), NotFound("INVOICE_ID")),
        ("invoice.postpone", data(json!({"INVOICE_ID": w.invoice, "DUE_DATE": "2030-01-01"})), NotFound("INVOICE_ID")),
        (
            "invoice.sendcopy",
            data(json!({"INVOICE_ID": w.invoice, "RECIPIENT": "a@example.com"})),
            NotFound("INVOICE_ID"),
        ),
        ("customer.addcredits", data(json!({"CUSTOMER_ID": w.customer, "AMOUNT": "1"})), NotFound("CUSTOMER_ID")),
        ("coupon.get", filter(json!({"CODE": B_COUPON})), Empty("COUPONS")),
        (
            "subscription.setdiscount",
            data(json!({"SUBSCRIPTION_ID": sub, "DISCOUNT_TYPE": "percent", "DISCOUNT": "5"})),
            NotFound("SUBSCRIPTION_ID"),
        ),
        ("subscription.getdiscounts", filter(json!({"SUBSCRIPTION_ID": sub})), NotFound("SUBSCRIPTION_ID")),
        ("subscription.deletediscount", data(json!({"DISCOUNT_ID": w.discount})), NotFound("DISCOUNT_ID")),
        ("coupon.check", data(json!({"CODE": B_COUPON, "ARTICLE_NUMBER": B_PLAN})), NotFound("ARTICLE_NUMBER")),
        ("coupon.delete", data(json!({"CODE": B_COUPON})), NotFound("CODE")),
        ("invoice.getdocument", data(json!({"INVOICE_ID": w.invoice})), NotFound("INVOICE_ID")),
        (
            "consumption.create",
            data(json!({"CUSTOMER_ID": w.customer, "TITLE": "x", "UNIT_PRICE": "1", "VAT_PERCENT": "19"})),
            NotFound("CUSTOMER_ID"),
        ),
        (
            "consumption.create",
            data(json!({"CUSTOMER_ID": own.customer, "SUBSCRIPTION_ID": sub, "ARTICLE_NUMBER": "A-PLAN"})),
            NotFound("SUBSCRIPTION_ID"),
        ),
        (
            "consumption.create",
            data(json!({"CUSTOMER_ID": own.customer, "ARTICLE_NUMBER": B_PLAN})),
            NotFound("ARTICLE_NUMBER"),
        ),
        ("consumption.get", filter(json!({"CONSUMPTION_ID": w.consumption})), Empty("CONSUMPTIONS")),
        ("consumption.get", filter(json!({"CUSTOMER_ID": w.customer})), Empty("CONSUMPTIONS")),
        ("consumption.gettimeline", filter(json!({"CONSUMPTION_ID": w.consumption})), NotFound("CONSUMPTION_ID")),
        ("consumption.refund", data(json!({"CONSUMPTION_ID": w.consumption})), NotFound("CONSUMPTION_ID")),
        ("invoice.create", data(json!({"CUSTOMER_ID": w.customer})), NotFound("CUSTOMER_ID")),
        (
            "invoice.create",
            data(json!({"CUSTOMER_ID": own.customer, "ITEMS": [{"ARTICLE_NUMBER": B_PLAN}]})),
            NotFound("ITEMS[0].ARTICLE_NUMBER"),
        ),
        ("invoice.update", data(json!({"INVOICE_ID": w.draft, "INVOICE_TITLE": "x"})), NotFound("INVOICE_ID")),
        ("invoice.update", data(json!({"INVOICE_ID": w.invoice, "INVOICE_TITLE": "x"})), NotFound("INVOICE_ID")),
        ("invoice.delete", data(json!({"INVOICE_ID": w.draft})), NotFound("INVOICE_ID")),
        ("invoice.complete", data(json!({"INVOICE_ID": w.draft})), NotFound("INVOICE_ID")),
        ("item.get", filter(json!({"INVOICE_ID": w.draft})), NotFound("INVOICE_ID")),
        ("item.get", filter(json!({"INVOICE_ID": w.invoice})), NotFound("INVOICE_ID")),
        ("item.delete", data(json!({"INVOICE_ITEM_ID": w.draft_item})), NotFound("INVOICE_ITEM_ID")),
        // Another tenant's endpoint answering 1004 is checked in webhooks.rs / webhooks_life.rs.
        ("webhook.get", filter(json!({"WEBHOOK_ID": NOWHERE})), Empty("WEBHOOKS")),
        ("webhook.update", data(json!({"WEBHOOK_ID": NOWHERE})), NotFound("WEBHOOK_ID")),
        ("webhook.delete", data(json!({"WEBHOOK_ID": NOWHERE})), NotFound("WEBHOOK_ID")),
        ("webhook.test", data(json!({"WEBHOOK_ID": NOWHERE})), NotFound("WEBHOOK_ID")),
        ("webhook.getdeliveries", filter(json!({"WEBHOOK_ID": NOWHERE})), Empty("DELIVERIES")),
        ("webhook.redeliver", data(json!({"DELIVERY_ID": NOWHERE})), NotFound("DELIVERY_ID")),
        (
            "paymentmethod.create",
            data(json!({"CUSTOMER_ID": w.customer, "TYPE": "card", "PROVIDER_REFERENCE": "tok"})),
            NotFound("CUSTOMER_ID"),
        ),
        ("paymentmethod.get", filter(json!({"PAYMENTMETHOD_ID": w.payment_method})), Empty("PAYMENTMETHODS")),
        ("paymentmethod.get", filter(json!({"CUSTOMER_ID": w.customer})), Empty("PAYMENTMETHODS")),
        (
            "paymentmethod.update",
            data(json!({"PAYMENTMETHOD_ID": w.payment_method, "LABEL": "x"})),
            NotFound("PAYMENTMETHOD_ID"),
        ),
        ("paymentmethod.delete", data(json!({"PAYMENTMETHOD_ID": w.payment_method})), NotFound("PAYMENTMETHOD_ID")),
        ("blacklist.get", filter(json!({"EMAIL": B_BLACKLISTED})), Empty("ENTRIES")),
        ("blacklist.delete", data(json!({"EMAIL": B_BLACKLISTED})), NotFound("EMAIL")),
    ]
}

fn nowhere() -> Ids {
    let n = json!(NOWHERE);
    Ids {
        customer: n.clone(),
        subscription: n.clone(),
        pause: n.clone(),
        usage: n.clone(),
        invoice: n.clone(),
        key: n.clone(),
        payment: n.clone(),
        discount: n.clone(),
        consumption: n.clone(),
        draft: n.clone(),
        draft_item: n.clone(),
        payment_method: n,
    }
}

#[test]
fn every_method_is_probed_or_named_as_taking_no_id() {
    let own = Own { customer: json!(1), subscription: json!(1) };
    let probed: BTreeSet<&str> = probes(&own, &nowhere()).iter().map(|(m, _, _)| *m).collect();
    let exempt: BTreeSet<&str> = TAKES_NO_ID.iter().map(|(m, _)| *m).collect();
    let table: BTreeSet<&str> = recur::rpc::method_names().into_iter().collect();
    let unclassified: Vec<&&str> = table.iter().filter(|m| !probed.contains(*m) && !exempt.contains(*m)).collect();
    assert!(unclassified.is_empty(), "add isolation probes for (or list as taking no id): {unclassified:?}");
    let both: Vec<&&str> = probed.intersection(&exempt).collect();
    assert!(both.is_empty(), "probed and listed as taking no id: {both:?}");
    let stale: Vec<&&str> = probed.union(&exempt).filter(|m| !table.contains(*m)).collect();
    assert!(stale.is_empty(), "not in the method table any more: {stale:?}");
}

/// Tenant A, a test tenant on 2025-01-01 with a customer (external id
/// `shared-uid`, as B's), plans A-PLAN and A-ADDON and a subscription that
/// starts in June (so A has no invoice numbers of its own yet).
async fn tenant_a(app: &TestApp) -> (Client, Own) {
    let t = app.test_tenant("A", "2025-01-01").await;
    let a = app.client(&t.key);
    let c = a.ok("customer.create", data(json!({"LAST_NAME": "A", "CUSTOMER_EXT_UID": "shared-uid"}))).await;
    article(&a, "A-PLAN", "10", "19", json!({})).await;
    article(&a, "A-ADDON", "1", "19", json!({"IS_ADDON": true})).await;
    let s = subscribe(&a, c["CUSTOMER_ID"].as_i64().expect("id"), "A-PLAN", json!({"START_DATE": "2025-06-01"})).await;
    assert_eq!(s["INVOICE_ID"], Value::Null);
    (a, Own { customer: c["CUSTOMER_ID"].clone(), subscription: s["SUBSCRIPTION_ID"].clone() })
}

/// Tenant B, a test tenant on 2025-01-01 with one of everything.
async fn tenant_b(app: &TestApp) -> (Client, Ids) {
    let t = app.test_tenant("B", "2025-01-01").await;
    let b = app.client(&t.key);
    let c = b.ok("customer.create", data(json!({"LAST_NAME": "Owner", "CUSTOMER_EXT_UID": "shared-uid"}))).await;
    article(&b, B_PLAN, "10", "19", json!({})).await;
    article(&b, B_ADDON, "1", "19", json!({"IS_ADDON": true, "ALLOW_MULTIPLE": true})).await;
    let extra = json!({"SUBSCRIPTION_EXT_UID": B_SUB_UID, "ADDONS": [{"ARTICLE_NUMBER": B_ADDON}]});
    let s = subscribe(&b, c["CUSTOMER_ID"].as_i64().expect("id"), B_PLAN, extra).await;
    let sub = s["SUBSCRIPTION_ID"].clone();
    b.ok(
        "subscription.pause",
        data(json!({"SUBSCRIPTION_ID": sub, "PAUSE_ID": B_PAUSE, "START_DATE": "2025-03-01", "CYCLES": 1})),
    )
    .await;
    let p = b
        .ok("subscription.pause", data(json!({"SUBSCRIPTION_ID": sub, "START_DATE": "2025-06-01", "CYCLES": 1})))
        .await;
    let u = b.ok("subscription.setusagedata", data(json!({"SUBSCRIPTION_ID": sub, "ARTICLE_NUMBER": B_ADDON}))).await;
    let k = b.ok("key.create", data(json!({"NOTE": "b's plugin"}))).await;
    b.ok("coupon.create", data(json!({"CODE": B_COUPON, "DISCOUNT_TYPE": "percent", "DISCOUNT": "5"}))).await;
    let d = b
        .ok(
            "subscription.setdiscount",
            data(json!({"SUBSCRIPTION_ID": sub, "DISCOUNT_TYPE": "percent", "DISCOUNT": "5"})),
        )
        .await;
    let inv = b.ok("invoice.get", filter(json!({"INVOICE_ID": s["INVOICE_ID"]}))).await;
    assert_eq!(inv["INVOICES"][0]["INVOICE_NUMBER"], B_INVOICE_NUMBER);
    let paid = b.ok("payment.create", data(json!({"INVOICE_ID": s["INVOICE_ID"], "AMOUNT": "1"}))).await;
    let consumption =
        b.ok("consumption.create", data(json!({"CUSTOMER_ID": c["CUSTOMER_ID"], "ARTICLE_NUMBER": B_ADDON}))).await;
    let draft = b
        .ok("invoice.create", data(json!({"CUSTOMER_ID": c["CUSTOMER_ID"], "ITEMS": [{"ARTICLE_NUMBER": B_PLAN}]})))
        .await;
    let items = b.ok("item.get", filter(json!({"INVOICE_ID": draft["INVOICE_ID"]}))).await;
    let method = b
        .ok(
            "paymentmethod.create",
            data(json!({"CUSTOMER_ID": c["CUSTOMER_ID"], "TYPE": "sepa", "PROVIDER_REFERENCE": "mandate-b"})),
        )
        .await;
    b.ok("blacklist.set", data(json!({"EMAIL": B_BLACKLISTED}))).await;
    let ids = Ids {
        customer: c["CUSTOMER_ID"].clone(),
        subscription: sub,
        pause: p["PAUSE_ID"].clone(),
        usage: u["USAGEDATA_ID"].clone(),
        invoice: s["INVOICE_ID"].clone(),
        key: k["KEY_ID"].clone(),
        payment: paid["PAYMENT_ID"].clone(),
        discount: d["DISCOUNT_ID"].clone(),
        consumption: consumption["CONSUMPTION_ID"].clone(),
        draft: draft["INVOICE_ID"].clone(),
        draft_item: items["ITEMS"][0]["INVOICE_ITEM_ID"].clone(),
        payment_method: method["PAYMENTMETHOD_ID"].clone(),
    };
    assert!(ids.draft_item.is_i64(), "{items}");
    assert!(ids.pause.is_i64(), "a pause without an own id has a numeric PAUSE_ID");
    (b, ids)
}

/// Everything B can see of its own objects, and every table's row count.
async fn b_view(app: &TestApp, b: &Client, w: &Ids) -> Vec<Value> {
    let sub = &w.subscription;
    let mut view = vec![
        b.ok("customer.get", json!({})).await,
        b.ok("article.get", json!({})).await,
        b.ok("subscription.get", filter(json!({"SUBSCRIPTION_ID": sub}))).await,
        b.ok("subscription.gettimeline", filter(json!({"SUBSCRIPTION_ID": sub}))).await,
        b.ok("subscription.getpauses", filter(json!({"SUBSCRIPTION_ID": sub}))).await,
        b.ok("subscription.getusagedata", filter(json!({"SUBSCRIPTION_ID": sub}))).await,
        b.ok("invoice.get", json!({})).await,
        b.ok("key.get", json!({})).await,
    ];
    for table in TABLES {
        view.push(json!({ *table: count_rows(app, table).await }));
    }
    view
}

fn check(method: &str, body: &str, expect: Expect) {
    let answer: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{method}: not JSON ({e}): {body}"));
    let ok = match expect {
        Expect::NotFound(tag) => answer["error"]["code"] == 1004 && answer["error"]["data"]["TAG"] == tag,
        Expect::Invalid(tag) => answer["error"]["code"] == -32602 && answer["error"]["data"]["TAG"] == tag,
        Expect::Empty(key) => answer["result"] == json!({ key: [] }),
    };
    assert!(ok, "{method}: expected {expect:?}, answered {body}");
}

#[tokio::test]
async fn another_tenants_ids_answer_byte_for_byte_like_missing_ones_on_every_method() {
    let app = spawn_app().await;
    let (a, own) = tenant_a(&app).await;
    // The missing world first: B's text ids do not exist yet anywhere.
    let mut missing = Vec::new();
    for (method, params, expect) in probes(&own, &nowhere()) {
        let body = a.raw_call(method, &params).await;
        check(method, &body, expect);
        missing.push(body);
    }
    let (b, theirs) = tenant_b(&app).await;
    let before = b_view(&app, &b, &theirs).await;
    for ((method, params, _), absent) in probes(&own, &theirs).into_iter().zip(&missing) {
        let foreign = a.raw_call(method, &params).await;
        assert_eq!(&foreign, absent, "{method} {params}: another tenant's id must answer like a missing one");
    }
    assert_eq!(b_view(&app, &b, &theirs).await, before, "B's objects and every table are unchanged");
    // B's key is not revoked and B's objects still work for B.
    b.ok("subscription.cancel", data(json!({"SUBSCRIPTION_ID": theirs.subscription}))).await;
    let keys = b.ok("key.get", json!({})).await;
    assert!(keys["KEYS"].as_array().expect("KEYS").iter().all(|k| k["REVOKED"].is_null()), "{keys}");
}

#[tokio::test]
async fn isolation_holds_inside_a_batch() {
    let app = spawn_app().await;
    let (a, own) = tenant_a(&app).await;
    let (b, theirs) = tenant_b(&app).await;
    let before = b_view(&app, &b, &theirs).await;
    let list = probes(&own, &theirs);
    let entries: Vec<Value> =
        list.iter().enumerate().map(|(i, (method, params, _))| request(i as i64 + 1, method, params.clone())).collect();
    let answer = a.batch(&entries).await;
    for (i, (method, _, expect)) in list.iter().enumerate() {
        let entry = by_id(&answer, i as i64 + 1);
        check(method, &entry.to_string(), *expect);
    }
    assert_eq!(b_view(&app, &b, &theirs).await, before);
}

#[tokio::test]
async fn numbers_of_another_tenant_are_free_here() {
    let app = spawn_app().await;
    let (a, _) = tenant_a(&app).await;
    let (b, theirs) = tenant_b(&app).await;
    let b_articles = b.ok("article.get", json!({})).await;
    article(&a, B_PLAN, "99", "7", json!({"TITLE": "A's own B-PLAN"})).await;
    assert_eq!(b.ok("article.get", json!({})).await, b_articles, "B's B-PLAN is untouched");
    let mine = a.ok("article.get", filter(json!({"ARTICLE_NUMBER": B_PLAN}))).await;
    assert_eq!(mine["ARTICLES"][0]["UNIT_PRICE"], "99.00");
    let keys: Vec<Value> = a.ok("key.get", json!({})).await["KEYS"]
        .as_array()
        .expect("KEYS")
        .iter()
        .map(|k| k["KEY_ID"].clone())
        .collect();
    assert!(!keys.contains(&theirs.key), "A lists only its own keys: {keys:?}");
    assert_eq!(keys.len(), 1);
    // Both tenants use the external id shared-uid; each finds its own customer.
    let found = a.ok("customer.get", filter(json!({"CUSTOMER_EXT_UID": "shared-uid"}))).await;
    assert_eq!(found["CUSTOMERS"].as_array().map(Vec::len), Some(1));
    assert_eq!(found["CUSTOMERS"][0]["LAST_NAME"], "A");
}

#[tokio::test]
async fn a_warm_subscription_cache_answers_only_its_own_tenant() {
    let app = spawn_app().await;
    let (a, _) = tenant_a(&app).await;
    let (b, theirs) = tenant_b(&app).await;
    let by_id = filter(json!({"SUBSCRIPTION_ID": theirs.subscription}));
    let missing = a.raw_call("subscription.get", &filter(json!({"SUBSCRIPTION_ID": NOWHERE}))).await;
    // A reads first (nothing to cache for A), then B warms the cache, then A again.
    assert_eq!(a.raw_call("subscription.get", &by_id).await, missing);
    let own = b.raw_call("subscription.get", &by_id).await;
    assert_eq!(b.raw_call("subscription.get", &by_id).await, own, "B's second read comes from the cache");
    assert!(own.contains(B_SUB_UID), "{own}");
    for _ in 0..3 {
        assert_eq!(a.raw_call("subscription.get", &by_id).await, missing, "the warm entry is B's alone");
    }
    assert_eq!(b.raw_call("subscription.get", &by_id).await, own);
}

#[tokio::test]
async fn two_tenants_creating_customers_at_once_keep_their_own_rows_and_numbers() {
    let app = spawn_app().await;
    let a = app.admin().await;
    let b = app.admin().await;
    let create = |client: &Client, who: &str, i: usize| {
        let (client, params) =
            (client.clone(), data(json!({"LAST_NAME": format!("{who}{i:02}"), "CUSTOMER_EXT_UID": format!("u{i}")})));
        async move { client.ok("customer.create", params).await }
    };
    // Single calls of both tenants at once: the write queue groups what arrives together.
    let calls = (0..12).flat_map(|i| [create(&a, "A", i), create(&b, "B", i)]);
    let answers = futures::future::join_all(calls).await;
    assert_eq!(answers.len(), 24);
    // And one batch per tenant at once: each batch is one group of its tenant.
    let batch = |who: &str| -> Vec<Value> {
        (12..20)
            .map(|i| {
                let params = data(json!({"LAST_NAME": format!("{who}{i:02}"), "CUSTOMER_EXT_UID": format!("u{i}")}));
                request(i as i64, "customer.create", params)
            })
            .collect()
    };
    let (ba, bb) = (batch("A"), batch("B"));
    let (ra, rb) = futures::join!(a.batch(&ba), b.batch(&bb));
    for (answer, who) in [(&ra, "A"), (&rb, "B")] {
        for i in 12..20 {
            assert_eq!(by_id(answer, i)["result"]["STATUS"], "success", "{who}: {answer}");
        }
    }
    for (client, who) in [(&a, "A"), (&b, "B")] {
        let listed = client.ok("customer.get", json!({"LIMIT": 100})).await;
        let rows = listed["CUSTOMERS"].as_array().expect("CUSTOMERS");
        let mut names: Vec<&str> = rows.iter().filter_map(|c| c["LAST_NAME"].as_str()).collect();
        names.sort_unstable();
        let expected: Vec<String> = (0..20).map(|i| format!("{who}{i:02}")).collect();
        assert_eq!(names, expected, "{who} sees exactly its own customers");
        let mut numbers: Vec<i64> = rows.iter().filter_map(|c| c["CUSTOMER_NUMBER"].as_i64()).collect();
        numbers.sort_unstable();
        assert_eq!(numbers, (1..=20).collect::<Vec<i64>>(), "{who}'s numbers are its own, gapless");
    }
    assert_eq!(count_rows(&app, "customer").await, 40);
}

/// A test tenant at 2025-01-01 with plan `P` (10 a month at `vat` percent) and
/// one customer: its client and the customer's id.
async fn test_tenant_with_plan(app: &TestApp, name: &str, vat: &str) -> (Client, i64) {
    let t = app.test_tenant(name, "2025-01-01").await;
    let client = app.client(&t.key);
    article(&client, "P", "10", vat, json!({})).await;
    let customer = crate::fixtures::customer(&client).await;
    (client, customer)
}

#[tokio::test]
async fn one_tenants_billing_run_clock_and_numbers_leave_another_alone() {
    let app = spawn_app().await;
    let mut tenants = Vec::new();
    for name in ["A", "B"] {
        let (client, c) = test_tenant_with_plan(&app, name, "0").await;
        let id = subscribe(&client, c, "P", json!({})).await["SUBSCRIPTION_ID"].as_i64().expect("id");
        tenants.push((client, id));
    }
    let (a, a_sub) = &tenants[0];
    let (b, b_sub) = &tenants[1];
    let b_before = (subscription(b, *b_sub).await, invoices(b, *b_sub).await);
    let run = advance(a, "2025-04-01").await;
    assert_eq!(run["INVOICES_CREATED"], 3);
    // A live tenant's run (by the wall clock, long past 2025) bills nothing of the test tenants.
    let live = app.admin().await;
    assert_eq!(live.ok("billing.run", json!({})).await["INVOICES_CREATED"], 0);
    assert_eq!(b.ok("system.ping", json!({})).await["NOW"], "2025-01-01 00:00:00", "B's clock did not move");
    assert_eq!((subscription(b, *b_sub).await, invoices(b, *b_sub).await), b_before);
    advance(b, "2025-02-01").await;
    let numbers = |all: Vec<Value>| -> Vec<String> {
        all.iter().map(|i| i["INVOICE_NUMBER"].as_str().unwrap_or("").to_owned()).collect()
    };
    assert_eq!(numbers(invoices(b, *b_sub).await), vec!["RE-2025-00001", "RE-2025-00002"]);
    assert_eq!(
        numbers(invoices(a, *a_sub).await),
        vec!["RE-2025-00001", "RE-2025-00002", "RE-2025-00003", "RE-2025-00004"]
    );
    assert_eq!(a.ok("system.ping", json!({})).await["NOW"], "2025-04-01 00:00:00");
}

#[tokio::test]
async fn id_lists_answer_only_the_callers_rows_in_id_order_and_page_over_them() {
    let app = spawn_app().await;
    let ids_of = |v: &Value, list: &str, tag: &str| -> Vec<i64> {
        v[list].as_array().map(|a| a.iter().filter_map(|x| x[tag].as_i64()).collect()).unwrap_or_default()
    };
    let mut subs = Vec::new();
    let mut clients = Vec::new();
    for name in ["mine", "theirs"] {
        let (client, c) = test_tenant_with_plan(&app, name, "19").await;
        let mut own = Vec::new();
        for _ in 0..3 {
            own.push(subscribe(&client, c, "P", json!({})).await["SUBSCRIPTION_ID"].as_i64().expect("id"));
        }
        subs.push(own);
        clients.push(client);
    }
    let (mine, theirs) = (&subs[0], &subs[1]);
    let client = &clients[0];
    let asked = json!([mine[2], theirs[0], mine[0], 999_999, theirs[2]]);
    let found = client.ok("subscription.get", json!({"FILTER": {"SUBSCRIPTION_ID": asked}})).await;
    assert_eq!(ids_of(&found, "SUBSCRIPTIONS", "SUBSCRIPTION_ID"), vec![mine[0], mine[2]]);
    let paged =
        client.ok("subscription.get", json!({"FILTER": {"SUBSCRIPTION_ID": asked}, "LIMIT": 1, "OFFSET": 1})).await;
    assert_eq!(ids_of(&paged, "SUBSCRIPTIONS", "SUBSCRIPTION_ID"), vec![mine[2]]);

    let invoice_of = |client: &Client, sub: i64| {
        let client = client.clone();
        async move { invoices(&client, sub).await[0]["INVOICE_ID"].as_i64().expect("an invoice") }
    };
    let (a, b) = (invoice_of(client, mine[0]).await, invoice_of(client, mine[1]).await);
    let other = invoice_of(&clients[1], theirs[1]).await;
    let found = client.ok("invoice.get", json!({"FILTER": {"INVOICE_ID": [other, b, 999_999, a]}})).await;
    assert_eq!(ids_of(&found, "INVOICES", "INVOICE_ID"), vec![a, b]);
    assert!(found["INVOICES"][0]["ITEMS"].as_array().is_some_and(|items| !items.is_empty()), "{found}");
    let paged = client.ok("invoice.get", json!({"FILTER": {"INVOICE_ID": [other, b, a]}, "OFFSET": 1})).await;
    assert_eq!(ids_of(&paged, "INVOICES", "INVOICE_ID"), vec![b]);
    let only_theirs = client.ok("invoice.get", json!({"FILTER": {"INVOICE_ID": [other]}})).await;
    assert_eq!(only_theirs["INVOICES"], json!([]));
}
