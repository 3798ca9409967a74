//! `invoice.sendcopy` (API.md section 10, Mail).

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::json::Json;
use super::params::de::raw;
use super::params::{Id, NoTags};
use super::table::{Call, Method, MethodSpec, Write, WriteCx, write};
use super::wire::Success;
use crate::error::{AppError, AppResult};
use crate::service::mail::{self as service, Recipients};

/// This namespace's slice of the method table.
pub static METHODS: &[MethodSpec] = &[write::<SendCopy>()];

/// `invoice.sendcopy`.
pub struct SendCopy;

/// `DATA` of `invoice.sendcopy`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct SendCopyData {
    invoice_id: Id,
    /// An address (or a comma-separated list), or FastBill's `{TO, CC, BCC}`.
    recipient: RecipientTag,
}

/// RECIPIENT: a text of addresses or an object `{TO, CC, BCC}`.
#[derive(Debug)]
pub struct RecipientTag(Value);

impl<'de> Deserialize<'de> for RecipientTag {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match raw(deserializer)? {
            v @ (Json::String(_) | Json::Object(_)) => Ok(RecipientTag(v.to_value())),
            other => Err(de::Error::custom(format!("expected an address or {{TO, CC, BCC}}, got {}", other.kind()))),
        }
    }
}

impl JsonSchema for RecipientTag {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("Recipient")
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "An e-mail address (or a comma-separated list), or {TO, CC, BCC}.",
            "type": ["string", "object"]
        })
    }
}

/// What `invoice.sendcopy` answers.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct SendCopyReply {
    status: Success,
    invoice_id: i64,
    /// The queued mail (null in a dry run); its result shows on the invoice's timeline.
    mail_id: Option<i64>,
}

fn recipients(value: Value) -> AppResult<Recipients> {
    let text = |v: Option<&Value>, tag: &str| -> AppResult<Option<String>> {
        match v {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.trim().to_owned())),
            Some(_) => Err(AppError::invalid(tag, "must be a text of e-mail addresses")),
        }
    };
    let to = match &value {
        Value::String(_) => text(Some(&value), "RECIPIENT")?,
        Value::Object(map) => {
            let get = |k: &str| map.iter().find(|(key, _)| key.eq_ignore_ascii_case(k)).map(|(_, v)| v);
            if let Some(unknown) = map.keys().find(|k| !["TO", "CC", "BCC"].iter().any(|t| k.eq_ignore_ascii_case(t))) {
                return Err(AppError::invalid(format!("RECIPIENT.{}", unknown.to_ascii_uppercase()), "unknown tag"));
            }
            let cc = text(get("CC"), "RECIPIENT.CC")?;
            let bcc = text(get("BCC"), "RECIPIENT.BCC")?;
            let to = text(get("TO"), "RECIPIENT.TO")?;
            return Ok(Recipients { to: to.unwrap_or_default(), cc, bcc });
        }
        _ => return Err(AppError::invalid("RECIPIENT", "an address or {TO, CC, BCC}")),
    };
    Ok(Recipients { to: to.unwrap_or_default(), ..Recipients::default() })
}

impl Method for SendCopy {
    const NAME: &'static str = "invoice.sendcopy";
    const SUMMARY: &'static str = "Mails the invoice to RECIPIENT through the configured transport, after the commit.";
    const ERRORS: &'static [i32] = &[1004, 1009];
    type Filter = NoTags;
    type Data = SendCopyData;
    type Reply = SendCopyReply;
}

impl Write for SendCopy {
    async fn run(cx: WriteCx<'_>, call: Call<NoTags, SendCopyData>) -> AppResult<SendCopyReply> {
        let d = call.data;
        let to = recipients(d.recipient.0)?;
        let id = service::send_copy(&cx, d.invoice_id.0, to).await?;
        Ok(SendCopyReply { status: Success, invoice_id: d.invoice_id.0, mail_id: (!cx.dry_run).then_some(id) })
    }
}
