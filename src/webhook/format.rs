//! Request bodies. The `recur` format (API.md section 12):
//! `{"id","type","created","tenant_id","data":{"object","previous"}}`, with
//! `created` as the wire's UTC `YYYY-MM-DD HH:MM:SS`; the `fastbill` format is
//! in [`super::fastbill`]. A body over the limit is sent thin: `data.object`
//! holds only the object's id tag, and `previous` is left out.
//!
//! The bytes built here are the bytes signed and sent, once per event and
//! format; every attempt and endpoint of that format reuses them.

use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Map, Value};

use super::events::EventType;
use super::sign;

/// The event as the outbox hands it over.
#[derive(Debug, Clone, Copy)]
pub struct Event<'a> {
    /// EVENT_ID; the `webhook-id` and the body's `id` are `evt_<id>`.
    pub id: i64,
    pub event_type: EventType,
    /// When it happened, by the tenant's clock (UTC).
    pub created: DateTime<Utc>,
    pub tenant_id: i64,
    /// The object as its `*.get` answers it (upper-case tags).
    pub object: &'a Value,
    /// The changed tags' values before, on `*.changed`.
    pub previous: Option<&'a Value>,
}

/// A body ready to sign and send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body {
    pub bytes: Bytes,
    /// Whether the object was cut down to its id to stay under the limit.
    pub thin: bool,
}

/// The endpoint's FORMAT.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Recur,
    Fastbill,
}

impl Format {
    /// Reads FORMAT (`recur`, `fastbill`; any case). `None`: answer -32602, TAG FORMAT.
    pub fn parse(text: &str) -> Option<Format> {
        match text.trim().to_ascii_lowercase().as_str() {
            "recur" => Some(Format::Recur),
            "fastbill" => Some(Format::Fastbill),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Recur => "recur",
            Format::Fastbill => "fastbill",
        }
    }
}

#[derive(Serialize)]
struct Envelope<'a> {
    id: String,
    #[serde(rename = "type")]
    event_type: &'static str,
    created: String,
    tenant_id: i64,
    data: Data<'a>,
}

#[derive(Serialize)]
struct Data<'a> {
    object: &'a Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    previous: Option<&'a Value>,
}

/// The `recur` body of `event`; thin when the full one exceeds `max_bytes`.
pub fn recur(event: &Event<'_>, max_bytes: usize) -> Result<Body, serde_json::Error> {
    let envelope = |object, previous| Envelope {
        id: sign::msg_id(event.id),
        event_type: event.event_type.as_str(),
        created: wire_datetime(event.created),
        tenant_id: event.tenant_id,
        data: Data { object, previous },
    };
    let full = serde_json::to_vec(&envelope(event.object, event.previous))?;
    if full.len() <= max_bytes {
        return Ok(Body { bytes: full.into(), thin: false });
    }
    let thin = thin_object(event.object, event.event_type.subject().id_tag());
    Ok(Body { bytes: serde_json::to_vec(&envelope(&thin, None))?.into(), thin: true })
}

/// `{"<ID_TAG>": <its value>}` of `object` (empty when it has no such tag).
pub fn thin_object(object: &Value, id_tag: &str) -> Value {
    let mut thin = Map::new();
    if let Some(id) = object.get(id_tag) {
        thin.insert(id_tag.to_owned(), id.clone());
    }
    Value::Object(thin)
}

/// The wire's datetime, `YYYY-MM-DD HH:MM:SS` (UTC).
pub fn wire_datetime(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn at() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-01-31T23:30:05Z").expect("valid").with_timezone(&Utc)
    }

    #[test]
    fn the_recur_body_is_the_contracts_envelope_in_order() {
        let object = json!({"SUBSCRIPTION_ID": 7, "STATUS": "active"});
        let previous = json!({"STATUS": "trial"});
        let event = Event {
            id: 42,
            event_type: EventType::SubscriptionChanged,
            created: at(),
            tenant_id: 3,
            object: &object,
            previous: Some(&previous),
        };
        let body = recur(&event, 256 * 1024).expect("serializes");
        assert!(!body.thin);
        assert_eq!(
            std::str::from_utf8(&body.bytes).expect("utf-8"),
            r#"{"id":"evt_42","type":"subscription.changed","created":"2026-01-31 23:30:05","tenant_id":3,"data":{"object":{"STATUS":"active","SUBSCRIPTION_ID":7},"previous":{"STATUS":"trial"}}}"#
        );
    }

    #[test]
    fn previous_is_left_out_when_there_is_none() {
        let object = json!({"CUSTOMER_ID": 1});
        let event = Event {
            id: 1,
            event_type: EventType::CustomerCreated,
            created: at(),
            tenant_id: 1,
            object: &object,
            previous: None,
        };
        let body: Value = serde_json::from_slice(&recur(&event, 1 << 20).expect("ok").bytes).expect("json");
        assert_eq!(body["data"], json!({"object": {"CUSTOMER_ID": 1}}));
    }

    #[test]
    fn a_body_over_the_limit_is_sent_thin_with_only_the_id_tag() {
        let object = json!({"INVOICE_ID": 9, "ITEMS": vec!["x".repeat(100); 3000]});
        let event = Event {
            id: 5,
            event_type: EventType::InvoiceCreated,
            created: at(),
            tenant_id: 2,
            object: &object,
            previous: None,
        };
        let body = recur(&event, 256 * 1024).expect("serializes");
        assert!(body.thin);
        let parsed: Value = serde_json::from_slice(&body.bytes).expect("json");
        assert_eq!(parsed["data"], json!({"object": {"INVOICE_ID": 9}}));
        assert_eq!(parsed["id"], "evt_5");
    }

    #[test]
    fn formats_parse_in_any_case() {
        assert_eq!(Format::parse("FastBill"), Some(Format::Fastbill));
        assert_eq!(Format::parse("recur"), Some(Format::Recur));
        assert_eq!(Format::parse("xml"), None);
        assert_eq!(Format::Fastbill.as_str(), "fastbill");
    }
}
