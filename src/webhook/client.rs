//! One delivery attempt over HTTP: `POST` the signed body, never follow a
//! redirect, read at most a few KiB of the answer, give up after the timeout,
//! and say what happened as an [`Attempt`]. It never panics and never returns
//! an error: every failure is an attempt with `outcome: Failed`.
//!
//! One `Client` serves every endpoint and tenant (its connection pool is
//! shared); targets of tenants allowed to reach private addresses go through a
//! second pool, so a checked connection never serves an unchecked target.

use std::error::Error as StdError;
use std::time::{Duration, Instant};

use bytes::Bytes;
use chrono::DateTime;
use http::header::{AUTHORIZATION, CONTENT_TYPE, LOCATION, RETRY_AFTER, USER_AGENT};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client as Http;
use hyper_util::rt::{TokioExecutor, TokioTimer};

use super::attempt::{self, Attempt, Outcome};
use super::connect::{self, Connector};
use super::sign::SignedHeaders;
use super::target::{Target, TargetError};
use crate::config::WebhookSettings;

/// At most this much of an answer's body is read (the start of it goes into `ERROR`).
pub const MAX_RESPONSE_BYTES: usize = 4096;
/// At most this much of an answer's body is quoted in `ERROR`.
const QUOTED_BYTES: usize = 256;

/// What to send in one attempt.
#[derive(Debug, Clone)]
pub struct Outgoing<'a> {
    pub target: &'a Target,
    /// Test tenants and `webhooks.allow_private_targets`: internal addresses pass.
    pub allow_private: bool,
    /// From [`super::sign::headers`], signed over exactly `body`.
    pub headers: &'a SignedHeaders,
    pub body: Bytes,
}

/// The HTTP client for webhook attempts. Cheap to clone (the pools are shared).
#[derive(Clone)]
pub struct Client {
    strict: Http<Connector, Full<Bytes>>,
    permissive: Http<Connector, Full<Bytes>>,
    timeout: Duration,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").field("timeout", &self.timeout).finish_non_exhaustive()
    }
}

/// What came back before the timeout.
struct Answer {
    status: u16,
    retry_after: Option<String>,
    location: Option<String>,
    body: Vec<u8>,
}

impl Client {
    /// A client whose attempts end after `webhooks.timeout_seconds`.
    pub fn from_settings(settings: &WebhookSettings) -> Result<Client, rustls::Error> {
        Client::new(Duration::from_secs(settings.timeout_seconds.max(1)))
    }

    /// A client whose attempts (connect, TLS, request, bounded body read) end after `timeout`.
    pub fn new(timeout: Duration) -> Result<Client, rustls::Error> {
        let build = |allow_private| -> Result<Http<Connector, Full<Bytes>>, rustls::Error> {
            Ok(Http::builder(TokioExecutor::new())
                .pool_timer(TokioTimer::new())
                .pool_idle_timeout(Duration::from_secs(30))
                .build(connect::connector(allow_private, timeout)?))
        };
        Ok(Client { strict: build(false)?, permissive: build(true)?, timeout })
    }

    /// Makes one attempt. The duration counts from here, the target check included.
    pub async fn send(&self, out: &Outgoing<'_>) -> Attempt {
        let started = Instant::now();
        let elapsed = |started: Instant| u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let exchange = async {
            if out.target.url().host().is_some_and(|h| !matches!(h, url::Host::Domain(_))) {
                // IP literals bypass the checking resolver; check them here.
                out.target.resolve(out.allow_private).await.map_err(|e| e.to_string())?;
            }
            let client = if out.allow_private { &self.permissive } else { &self.strict };
            exchange(client, out).await
        };
        match tokio::time::timeout(self.timeout, exchange).await {
            Err(_) => Attempt::no_answer(elapsed(started), format!("timed out after {} ms", self.timeout.as_millis())),
            Ok(Err(error)) => Attempt::no_answer(elapsed(started), error),
            Ok(Ok(answer)) => judge(answer, elapsed(started), out.headers.timestamp),
        }
    }
}

async fn exchange(client: &Http<Connector, Full<Bytes>>, out: &Outgoing<'_>) -> Result<Answer, String> {
    let h = out.headers;
    let mut request = http::Request::post(out.target.url().as_str())
        .header(CONTENT_TYPE, "application/json")
        .header(USER_AGENT, concat!("recur-webhooks/", env!("CARGO_PKG_VERSION")))
        .header("webhook-id", h.id.as_str())
        .header("webhook-timestamp", h.timestamp.to_string())
        .header("webhook-signature", h.signature.as_str());
    if let Some(auth) = out.target.basic_auth() {
        request = request.header(AUTHORIZATION, auth);
    }
    let request = request.body(Full::new(out.body.clone())).map_err(|e| format!("request not built: {e}"))?;
    let response = client.request(request).await.map_err(|e| describe(&e))?;
    let header =
        |name| response.headers().get(name).and_then(|v: &http::HeaderValue| v.to_str().ok()).map(str::to_owned);
    let (status, retry_after, location) = (response.status().as_u16(), header(RETRY_AFTER), header(LOCATION));
    let mut body = response.into_body();
    let mut read = Vec::new();
    while read.len() < MAX_RESPONSE_BYTES {
        match body.frame().await {
            Some(Ok(frame)) => read.extend_from_slice(frame.data_ref().map_or(&[][..], |d| d.as_ref())),
            // The status is the answer; a body cut short does not change it.
            Some(Err(_)) | None => break,
        }
    }
    read.truncate(MAX_RESPONSE_BYTES);
    Ok(Answer { status, retry_after, location, body: read })
}

/// The attempt an answer makes; `timestamp` (the attempt's wall clock) dates a `Retry-After` date.
fn judge(answer: Answer, duration_ms: u64, timestamp: i64) -> Attempt {
    let status = answer.status;
    let outcome = attempt::outcome_of(status);
    let now = DateTime::from_timestamp(timestamp, 0).unwrap_or_default();
    let retry_after = attempt::retry_after(status, answer.retry_after.as_deref(), now);
    let error = match (outcome, answer.location) {
        (Outcome::Delivered, _) => None,
        (_, Some(location)) if (300..400).contains(&status) => {
            Some(format!("HTTP {status}: redirect to {} not followed", super::target::redacted(&location)))
        }
        _ => Some(format!("HTTP {status}{}", quote(&answer.body))),
    };
    Attempt { http_status: Some(status), duration_ms, error, retry_after, outcome }
}

/// `": <start of the body>"`, or nothing for an empty body.
fn quote(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(QUOTED_BYTES)]);
    let text: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let text = text.trim();
    if text.is_empty() { String::new() } else { format!(": {text}") }
}

/// A transport error for people: a refused target says so plainly, anything
/// else is its cause chain (hyper's top-level message alone says little).
fn describe(error: &(dyn StdError + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next: Option<&(dyn StdError + 'static)> = Some(error);
    while let Some(e) = next {
        if let Some(refused) = e.downcast_ref::<TargetError>() {
            return refused.to_string();
        }
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = e.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str) -> Answer {
        Answer { status, retry_after: None, location: None, body: body.as_bytes().to_vec() }
    }

    #[test]
    fn a_2xx_is_delivered_without_error() {
        let a = judge(answer(204, ""), 12, 0);
        assert_eq!((a.outcome, a.http_status, a.error, a.duration_ms), (Outcome::Delivered, Some(204), None, 12));
    }

    #[test]
    fn failures_quote_the_start_of_the_body_on_one_line() {
        let a = judge(answer(500, "boom\nstack trace"), 1, 0);
        assert_eq!(a.error.as_deref(), Some("HTTP 500: boom stack trace"));
        let long = "x".repeat(MAX_RESPONSE_BYTES);
        assert_eq!(judge(answer(502, &long), 1, 0).error.map(|e| e.len()), Some("HTTP 502: ".len() + QUOTED_BYTES));
        assert_eq!(judge(answer(404, ""), 1, 0).error.as_deref(), Some("HTTP 404"));
    }

    #[test]
    fn a_redirect_names_its_location_without_credentials() {
        let mut a = answer(302, "");
        a.location = Some("https://u:pw@elsewhere.example/".into());
        let a = judge(a, 1, 0);
        assert_eq!(a.outcome, Outcome::Failed);
        assert_eq!(a.error.as_deref(), Some("HTTP 302: redirect to https://u:***@elsewhere.example/ not followed"));
    }

    #[test]
    fn gone_and_retry_after_are_read() {
        assert_eq!(judge(answer(410, ""), 1, 0).outcome, Outcome::Gone);
        let mut a = answer(429, "");
        a.retry_after = Some("30".into());
        assert_eq!(judge(a, 1, 0).retry_after, Some(Duration::from_secs(30)));
    }
}
