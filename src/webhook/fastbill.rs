//! The `fastbill` body: FastBill Automatic's notification, for receivers
//! written against it. `{"id","type","created","customer","subscription",
//! "invoice"|"payment","account_hash"}` with lower-case keys all the way down
//! (the shop's own X_ATTRIBUTES keys excepted), datetimes in the tenant's
//! TIMEZONE, `"0000-00-00 00:00:00"` for an unset one, and FastBill's type names.
//! Events FastBill never notified have no FastBill body (see [`type_name`]).

use chrono::{DateTime, NaiveDateTime, Utc};
use chrono_tz::Tz;
use serde_json::{Map, Value};

use super::events::{EventType, Subject};
use super::format::{self, Body, Event};
use super::sign;

/// The tenant's TIMEZONE when none is set, as FastBill's.
pub const DEFAULT_TIMEZONE: Tz = chrono_tz::Europe::Berlin;
/// FastBill's "unset" datetime.
pub const UNSET: &str = "0000-00-00 00:00:00";
const WIRE_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

/// What a FastBill notification carries besides the event's own object.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub timezone: Tz,
    /// The tenant's account hash (`account_hash`).
    pub account_hash: &'a str,
    /// The customer the event concerns, as `customer.get` answers it.
    pub customer: Option<&'a Value>,
    /// The subscription it concerns, as `subscription.get` answers it.
    pub subscription: Option<&'a Value>,
}

/// Reads a tenant's TIMEZONE (an IANA name); none is `Europe/Berlin`.
pub fn timezone(name: Option<&str>) -> Result<Tz, String> {
    match name.map(str::trim).filter(|n| !n.is_empty()) {
        None => Ok(DEFAULT_TIMEZONE),
        Some(name) => name.parse::<Tz>().map_err(|_| format!("TIMEZONE: `{name}` is not an IANA time zone")),
    }
}

/// FastBill's name for an event, or `None` for an event FastBill had no
/// notification for (no delivery to a `fastbill` endpoint). Pauses are
/// `subscription.changed`; a reversed payment is `payment.chargeback` or
/// `payment.refunded` by its REVERSE_REASON; `invoice.paid` is left to
/// `payment.created`, which FastBill sent for the same payment.
pub fn type_name(event_type: EventType, object: &Value) -> Option<&'static str> {
    use EventType::*;
    Some(match event_type {
        CustomerCreated => "customer.created",
        CustomerChanged => "customer.changed",
        CustomerDeleted => "customer.deleted",
        SubscriptionCreated => "subscription.created",
        SubscriptionChanged | SubscriptionPaused | SubscriptionUnpaused => "subscription.changed",
        SubscriptionCanceled => "subscription.canceled",
        SubscriptionReactivated => "subscription.reactivated",
        SubscriptionClosed => "subscription.closed",
        InvoiceCreated => "invoice.created",
        PaymentCreated => "payment.created",
        PaymentReversed => match object.get("REVERSE_REASON").and_then(Value::as_str) {
            Some("chargeback") => "payment.chargeback",
            _ => "payment.refunded",
        },
        WebhookTest => "webhook.test",
        InvoicePaid | InvoiceOverdue | InvoiceReminded | InvoiceCanceled | CreditnoteCreated | ConsumptionCreated
        | ConsumptionRefunded | CouponRedeemed => return None,
    })
}

/// The FastBill body of `event`, `None` when FastBill had no such
/// notification; thin (each object only its id) beyond `max_bytes`.
pub fn body(event: &Event<'_>, ctx: &Context<'_>, max_bytes: usize) -> Result<Option<Body>, serde_json::Error> {
    let Some(name) = type_name(event.event_type, event.object) else { return Ok(None) };
    let full = notification(event, ctx, name, false);
    let bytes = serde_json::to_vec(&full)?;
    if bytes.len() <= max_bytes {
        return Ok(Some(Body { bytes: bytes.into(), thin: false }));
    }
    let thin = notification(event, ctx, name, true);
    Ok(Some(Body { bytes: serde_json::to_vec(&thin)?.into(), thin: true }))
}

fn notification(event: &Event<'_>, ctx: &Context<'_>, name: &str, thin: bool) -> Value {
    let subject = event.event_type.subject();
    let own = |s: Subject| (subject == s).then_some(event.object);
    let part = |value: Option<&Value>, s: Subject| match value {
        None => Value::Null,
        Some(v) if thin => lower(&format::thin_object(v, s.id_tag()), ctx.timezone),
        Some(v) => lower(v, ctx.timezone),
    };
    let mut out = Map::new();
    out.insert("id".into(), sign::msg_id(event.id).into());
    out.insert("type".into(), name.into());
    out.insert("created".into(), local(event.created, ctx.timezone).into());
    out.insert("customer".into(), part(own(Subject::Customer).or(ctx.customer), Subject::Customer));
    out.insert("subscription".into(), part(own(Subject::Subscription).or(ctx.subscription), Subject::Subscription));
    let own_key = match subject {
        Subject::Invoice => Some("invoice"),
        Subject::Payment => Some("payment"),
        _ => None,
    };
    if let Some(key) = own_key {
        out.insert(key.into(), part(Some(event.object), subject));
    }
    out.insert("account_hash".into(), ctx.account_hash.into());
    Value::Object(out)
}

/// `value` with lower-case keys and FastBill datetimes, recursively. The keys
/// inside X_ATTRIBUTES are the shop's own and keep their case.
pub fn lower(value: &Value, tz: Tz) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, v)| {
                    let converted = match v {
                        _ if key.eq_ignore_ascii_case("X_ATTRIBUTES") => v.clone(),
                        Value::Null if is_datetime_tag(key) => UNSET.into(),
                        Value::String(s) if is_datetime_tag(key) => convert(s, tz).into(),
                        _ => lower(v, tz),
                    };
                    (key.to_ascii_lowercase(), converted)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|v| lower(v, tz)).collect()),
        other => other.clone(),
    }
}

/// Tags holding a datetime on recur's wire (`*_DATE` and these).
fn is_datetime_tag(key: &str) -> bool {
    const TAGS: [&str; 10] = [
        "CREATED",
        "LASTUPDATE",
        "START",
        "NEXT_EVENT",
        "LAST_EVENT",
        "TRIAL_END",
        "PERIOD_START",
        "PERIOD_END",
        "CLOSED",
        "EXPIRES",
    ];
    let key = key.to_ascii_uppercase();
    key.ends_with("_DATE") || TAGS.contains(&key.as_str())
}

/// A wire datetime (UTC) in `tz`; a value of another form is kept as it is.
fn convert(text: &str, tz: Tz) -> String {
    match NaiveDateTime::parse_from_str(text, WIRE_FORMAT) {
        Ok(naive) => local(naive.and_utc(), tz),
        Err(_) => text.to_owned(),
    }
}

fn local(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format(WIRE_FORMAT).to_string()
}

#[cfg(test)]
#[path = "fastbill_tests.rs"]
mod tests;
