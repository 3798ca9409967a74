use super::*;
use serde_json::json;

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).expect("valid").with_timezone(&Utc)
}

fn subscription() -> Value {
    json!({
        "SUBSCRIPTION_ID": 7,
        "CUSTOMER_ID": 3,
        "STATUS": "active",
        "START": "2026-01-15 10:00:00",
        "NEXT_EVENT": "2026-07-15 10:00:00",
        "CANCELLATION_DATE": null,
        "EXPIRATION_DATE": null,
        "PLAN": {"ARTICLE_NUMBER": "pro", "UNIT_PRICE": "9.90", "EFFECTIVE_DATE": "2026-02-01 00:00:00"},
        "ADDONS": [{"ARTICLE_NUMBER": "seat", "QUANTITY": "2"}],
        "X_ATTRIBUTES": {"orderId": "A-1"},
        "SUBSCRIPTION_TITLE": "2026-01-15 10:00:00",
    })
}

fn customer() -> Value {
    json!({"CUSTOMER_ID": 3, "FIRST_NAME": "Ada", "CREATED": "2025-12-31 23:30:00", "BIRTHDAY": "1990-05-01"})
}

fn ctx<'a>(customer: &'a Value, subscription: Option<&'a Value>) -> Context<'a> {
    Context { timezone: DEFAULT_TIMEZONE, account_hash: "acc123", customer: Some(customer), subscription }
}

#[test]
fn a_subscription_event_is_fastbills_notification() {
    let (sub, cust) = (subscription(), customer());
    let event = Event {
        id: 42,
        event_type: EventType::SubscriptionCreated,
        created: at("2026-01-15T10:00:00Z"),
        tenant_id: 1,
        object: &sub,
        previous: None,
    };
    let body = body(&event, &ctx(&cust, None), 1 << 20).expect("serializes").expect("FastBill has it");
    let got: Value = serde_json::from_slice(&body.bytes).expect("json");
    let want = json!({
        "id": "evt_42",
        "type": "subscription.created",
        "created": "2026-01-15 11:00:00",
        "customer": {"customer_id": 3, "first_name": "Ada", "created": "2026-01-01 00:30:00", "birthday": "1990-05-01"},
        "subscription": {
            "subscription_id": 7,
            "customer_id": 3,
            "status": "active",
            "start": "2026-01-15 11:00:00",
            "next_event": "2026-07-15 12:00:00",
            "cancellation_date": "0000-00-00 00:00:00",
            "expiration_date": "0000-00-00 00:00:00",
            "plan": {"article_number": "pro", "unit_price": "9.90", "effective_date": "2026-02-01 01:00:00"},
            "addons": [{"article_number": "seat", "quantity": "2"}],
            "x_attributes": {"orderId": "A-1"},
            "subscription_title": "2026-01-15 10:00:00",
        },
        "account_hash": "acc123",
    });
    assert_eq!(got, want);
}

#[test]
fn invoice_and_payment_events_carry_their_object_under_its_name() {
    let (sub, cust) = (subscription(), customer());
    let invoice = json!({"INVOICE_ID": 5, "PAID_DATE": null, "DUE_DATE": "2026-03-29 22:00:00"});
    let mut event = Event {
        id: 1,
        event_type: EventType::InvoiceCreated,
        created: at("2026-03-15T00:00:00Z"),
        tenant_id: 1,
        object: &invoice,
        previous: None,
    };
    let c = ctx(&cust, Some(&sub));
    let got: Value =
        serde_json::from_slice(&body(&event, &c, 1 << 20).expect("ok").expect("some").bytes).expect("json");
    assert_eq!(got["invoice"], json!({"invoice_id": 5, "paid_date": UNSET, "due_date": "2026-03-30 00:00:00"}));
    assert_eq!(got["subscription"]["subscription_id"], 7);
    assert!(got.get("payment").is_none());
    let payment = json!({"PAYMENT_ID": 8, "REVERSE_REASON": "chargeback"});
    event.event_type = EventType::PaymentReversed;
    event.object = &payment;
    let got: Value =
        serde_json::from_slice(&body(&event, &c, 1 << 20).expect("ok").expect("some").bytes).expect("json");
    assert_eq!(got["type"], "payment.chargeback");
    assert_eq!(got["payment"], json!({"payment_id": 8, "reverse_reason": "chargeback"}));
    assert!(got.get("invoice").is_none());
}

#[test]
fn type_names_are_fastbills_and_events_it_never_sent_have_no_body() {
    let none = Value::Null;
    assert_eq!(type_name(EventType::SubscriptionPaused, &none), Some("subscription.changed"));
    assert_eq!(type_name(EventType::SubscriptionReactivated, &none), Some("subscription.reactivated"));
    assert_eq!(type_name(EventType::PaymentReversed, &json!({"REVERSE_REASON": "refund"})), Some("payment.refunded"));
    assert_eq!(type_name(EventType::InvoicePaid, &none), None);
    let coupon = json!({"CODE": "X"});
    let event = Event {
        id: 1,
        event_type: EventType::CouponRedeemed,
        created: at("2026-01-01T00:00:00Z"),
        tenant_id: 1,
        object: &coupon,
        previous: None,
    };
    let cust = customer();
    assert_eq!(body(&event, &ctx(&cust, None), 1 << 20).expect("ok"), None);
}

#[test]
fn a_large_notification_is_sent_thin() {
    let cust = customer();
    let invoice = json!({"INVOICE_ID": 5, "ITEMS": vec!["x".repeat(100); 3000]});
    let event = Event {
        id: 2,
        event_type: EventType::InvoiceCreated,
        created: at("2026-01-01T00:00:00Z"),
        tenant_id: 1,
        object: &invoice,
        previous: None,
    };
    let b = body(&event, &ctx(&cust, None), 256 * 1024).expect("ok").expect("some");
    assert!(b.thin);
    let got: Value = serde_json::from_slice(&b.bytes).expect("json");
    assert_eq!(got["invoice"], json!({"invoice_id": 5}));
    assert_eq!(got["customer"], json!({"customer_id": 3}));
    assert_eq!(got["subscription"], Value::Null);
}

#[test]
fn timezones_default_to_berlin_and_unknown_names_are_refused() {
    assert_eq!(timezone(None), Ok(chrono_tz::Europe::Berlin));
    assert_eq!(timezone(Some(" ")), Ok(chrono_tz::Europe::Berlin));
    assert_eq!(timezone(Some("America/New_York")), Ok(chrono_tz::America::New_York));
    assert!(timezone(Some("Mars/Olympus")).expect_err("unknown").contains("Mars/Olympus"));
    // Across the spring DST change in Berlin: 00:59 UTC is 01:59 CET, 01:00 UTC is 03:00 CEST.
    assert_eq!(convert("2026-03-29 00:59:59", DEFAULT_TIMEZONE), "2026-03-29 01:59:59");
    assert_eq!(convert("2026-03-29 01:00:00", DEFAULT_TIMEZONE), "2026-03-29 03:00:00");
    assert_eq!(convert("not a date", DEFAULT_TIMEZONE), "not a date");
}
