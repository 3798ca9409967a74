//! The FastBill-compatible endpoint's translation (API.md section 8): a
//! FastBill request in, the method of recur's table run through the same
//! dispatcher as `/rpc` (same services, transactions, idempotency, metrics),
//! a FastBill answer out. Nothing here implements a method; what differs
//! from `/rpc` is translated on the way in (`tolerance`) and on the way out
//! (`response`, `services`), using the methods' own schemas (`plan`).

pub mod envelope;
pub mod local_time;
mod memo;
pub mod plan;
pub mod response;
pub mod services;
pub mod tolerance;

use std::sync::Arc;

use chrono_tz::Tz;
use serde_json::{Value, json};

use super::dispatch::{self, RequestMeta};
use super::json::{self, Json};
use super::values;
use crate::auth::Principal;
use crate::error::AppError;
use crate::rpc::Mode;
use crate::service::AppState;

/// FastBill's largest page.
pub const MAX_LIMIT: i64 = 100;

/// The answer to one request: always HTTP 200 unless rate limited.
#[derive(Debug)]
pub struct Answer {
    pub body: String,
    pub rate_limited: bool,
}

/// `{"REQUEST": .., "RESPONSE": {"ERRORS": [message]}}`.
pub fn error_body(request: &Value, message: &str) -> String {
    json!({"REQUEST": request, "RESPONSE": {"ERRORS": [message]}}).to_string()
}

/// The message of an error as FastBill clients show it: naming the tag.
fn message_of(err: &AppError, service: &str) -> String {
    let message = match err {
        AppError::MethodNotFound => return format!("SERVICE: unknown service {service}"),
        other => other.to_string(),
    };
    match err.tag() {
        Some(tag) if !message.starts_with(tag) => format!("{tag}: {message}"),
        _ => message,
    }
}

/// Answers one FastBill request body for an authenticated caller, with
/// datetimes in `zone`.
pub async fn answer(state: Arc<AppState>, principal: &Principal, meta: &RequestMeta, body: &[u8], zone: Tz) -> Answer {
    let reply = |body: String| Answer { body, rate_limited: false };
    let max_depth = state.settings.server.max_json_depth;
    let Some(value) = std::str::from_utf8(body).ok().and_then(|text| json::parse(text, max_depth).ok()) else {
        return reply(error_body(&Value::Null, "parse error: the body is not JSON (or nested too deep)"));
    };
    let echo = envelope::echo(&value);
    let request = match envelope::parse(value) {
        Ok(request) => request,
        Err(message) => return reply(error_body(&echo, &message)),
    };
    let service = request.service.clone();
    let (method, shape) = services::resolve(&service);
    let Some(spec) = crate::rpc::method(&method) else {
        return reply(error_body(&echo, &message_of(&AppError::MethodNotFound, &service)));
    };
    let plan = plan::of(spec);
    let params = params(request, spec.mode, plan, zone);
    match dispatch::call(spec, Some(&params), state, Some(principal), meta).await {
        Ok(raw) => {
            let render = || {
                let mut response = serde_json::from_str::<Value>(raw.get()).ok()?;
                response::localize(&mut response, zone);
                shape(&mut response);
                Some(response.to_string())
            };
            let rendered = if spec.mode == Mode::Read {
                memo::rendered(&service, zone, raw.get(), render)
            } else {
                render().map(Arc::from)
            };
            match rendered {
                // The keys in serde_json's order, as `json!` wrote them.
                Some(response) => reply(format!("{{\"REQUEST\":{echo},\"RESPONSE\":{response}}}")),
                None => {
                    tracing::error!(request_id = meta.request_id, "a reply is not JSON");
                    reply(error_body(&echo, "internal error"))
                }
            }
        }
        // FastBill answered an empty list for an id that does not exist.
        Err(AppError::NotFound { .. }) if spec.mode == Mode::Read && plan.list_key.is_some() => {
            let mut response = json!({ plan.list_key.clone().unwrap_or_default(): [] });
            shape(&mut response);
            reply(json!({"REQUEST": echo, "RESPONSE": response}).to_string())
        }
        Err(err) => Answer {
            rate_limited: matches!(err, AppError::RateLimited),
            body: error_body(&echo, &message_of(&err, &service)),
        },
    }
}

/// The `/rpc` params text of a FastBill request.
fn params(request: envelope::Request, mode: Mode, plan: &plan::Plan, zone: Tz) -> String {
    let mut members = vec![
        ("FILTER".to_owned(), tolerance::object(request.filter, &plan.filter, zone, false)),
        ("DATA".to_owned(), tolerance::object(request.data, &plan.data, zone, true)),
    ];
    if mode == Mode::Read {
        if let Some(limit) = request.limit.filter(|l| !tolerance_unset(l)) {
            // FastBill capped pages at 100; a malformed LIMIT is refused by the envelope.
            let capped = match values::integer(&limit) {
                Ok(n) if n > MAX_LIMIT => Json::Number(MAX_LIMIT.to_string().into()),
                _ => limit,
            };
            members.push(("LIMIT".to_owned(), capped));
        }
        if let Some(offset) = request.offset.filter(|o| !tolerance_unset(o)) {
            members.push(("OFFSET".to_owned(), offset));
        }
    }
    members.extend(request.extra);
    let mut text = String::with_capacity(256);
    Json::Object(members).write_canonical(&mut text);
    text
}

/// LIMIT / OFFSET a PHP client left empty.
fn tolerance_unset(value: &Json) -> bool {
    match value {
        Json::Null | Json::Bool(false) => true,
        Json::String(s) => s.trim().is_empty(),
        Json::Array(items) => items.is_empty(),
        _ => false,
    }
}
