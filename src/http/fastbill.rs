//! `POST /api/1.0/api.php`, the FastBill-compatible endpoint (API.md section
//! 8): HTTP Basic `email:apikey` (the user name is not checked: the key alone
//! names the tenant, and shops put their old FastBill account email there),
//! HTTP 401 for missing or wrong credentials, the body within the same limit
//! as `/rpc` (HTTP 413 beyond), then `rpc::fastbill` translates and runs the
//! method. Every answer of a readable request is HTTP 200 with REQUEST and
//! RESPONSE; a rate-limited one is HTTP 429 as on `/rpc`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono_tz::Tz;
use http::{HeaderValue, Method, StatusCode, header};
use http_body_util::BodyExt;
use jsonrpsee::server::{HttpBody, HttpRequest, HttpResponse};
use serde_json::Value;

use super::responses;
use crate::auth::Principal;
use crate::error::AppError;
use crate::rpc::dispatch::RequestMeta;
use crate::rpc::fastbill::{self, local_time};
use crate::service::AppState;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The endpoint's path, as FastBill clients have it built in.
pub const PATH: &str = "/api/1.0/api.php";

/// Tenants' time zones, cached for the key cache's TTL: every request needs
/// its tenant's zone, and `tenant.update` changes it rarely.
#[derive(Debug, Default)]
pub struct Zones {
    known: Mutex<HashMap<i64, (Tz, Instant)>>,
}

impl Zones {
    async fn of(&self, state: &AppState, tenant: i64) -> Result<Tz, AppError> {
        let ttl = Duration::from_secs(state.settings.auth.key_cache_ttl_seconds);
        if let Ok(known) = self.known.lock()
            && let Some((zone, at)) = known.get(&tenant)
            && at.elapsed() < ttl
        {
            return Ok(*zone);
        }
        let row = crate::service::tenant::find(&state.db.read, tenant).await?;
        let zone = row.map_or(local_time::DEFAULT_ZONE, |t| local_time::zone(&t.timezone));
        if let Ok(mut known) = self.known.lock() {
            known.insert(tenant, (zone, Instant::now()));
        }
        Ok(zone)
    }
}

/// One request to the endpoint.
pub struct FastBillCall {
    pub state: Arc<AppState>,
    pub zones: Arc<Zones>,
    pub bypass: Option<Principal>,
    pub request_id: u64,
}

fn refusal(status: StatusCode, message: &str) -> HttpResponse {
    responses::json(status, fastbill::error_body(&Value::Null, message))
}

impl FastBillCall {
    /// Serves the request.
    pub async fn serve(self, request: HttpRequest<HttpBody>) -> Result<HttpResponse, BoxError> {
        if request.method() != Method::POST {
            let mut response = refusal(StatusCode::METHOD_NOT_ALLOWED, "use POST with a JSON body");
            response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("POST"));
            return Ok(response);
        }
        let (parts, body) = request.into_parts();
        let principal = match self.authenticate(&parts).await {
            Ok(principal) => principal,
            Err(response) => return Ok(response),
        };
        let limit = self.state.settings.server.max_body_bytes as usize;
        let bytes = match http_body_util::Limited::new(body, limit).collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(_) => {
                let message = format!("invalid request: the body is larger than {limit} bytes");
                return Ok(refusal(StatusCode::PAYLOAD_TOO_LARGE, &message));
            }
        };
        let zone = match self.zones.of(&self.state, principal.tenant.get()).await {
            Ok(zone) => zone,
            Err(err) => {
                tracing::error!(request_id = self.request_id, error = %err, "tenant time zone");
                return Ok(refusal(StatusCode::INTERNAL_SERVER_ERROR, "internal error"));
            }
        };
        let header_key =
            parts.headers.get("idempotency-key").map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        let meta = RequestMeta { request_id: self.request_id, idempotency_key: header_key };
        let answer = fastbill::answer(self.state.clone(), &principal, &meta, &bytes, zone).await;
        let mut response = responses::json(StatusCode::OK, answer.body);
        if answer.rate_limited {
            *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        Ok(response)
    }

    async fn authenticate(&self, parts: &http::request::Parts) -> Result<Principal, HttpResponse> {
        if super::rpc_call::has_key_in_query(parts.uri.query()) {
            return Err(unauthorized());
        }
        if let Some(principal) = &self.bypass {
            return Ok(principal.clone());
        }
        let header = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
        match self.state.keys.authenticate(&self.state.db.read, header).await {
            Ok(principal) => Ok(principal),
            Err(AppError::Internal(cause)) => {
                tracing::error!(request_id = self.request_id, error = %cause, "authentication failed");
                Err(refusal(StatusCode::INTERNAL_SERVER_ERROR, "internal error"))
            }
            Err(_) => Err(unauthorized()),
        }
    }
}

/// HTTP 401, with the Basic challenge FastBill clients answer.
fn unauthorized() -> HttpResponse {
    let mut response = refusal(StatusCode::UNAUTHORIZED, "unauthorized: wrong email or API key");
    response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"recur\""));
    response
}
