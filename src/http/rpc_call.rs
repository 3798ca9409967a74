//! `POST /rpc` (and `POST /`): method, content type, authentication, the body
//! read within its limit and screened (see `rpc::screen`), then jsonrpsee, and
//! the HTTP status of the answer (204 for notifications, 429 when a single
//! call is rate limited). Every refusal here answers a JSON-RPC error body.

use std::sync::Arc;

use http::{HeaderValue, Method, StatusCode, header};
use http_body_util::BodyExt;
use jsonrpsee::server::{HttpBody, HttpRequest, HttpResponse};
use serde_json::Value;
use tower::Service;

use super::responses;
use crate::auth::Principal;
use crate::error::AppError;
use crate::rpc::dispatch::RequestMeta;
use crate::rpc::middleware::{NoContent, RateLimited};
use crate::rpc::screen::{self, Screened};
use crate::service::AppState;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// One HTTP request to the JSON-RPC endpoint.
pub struct RpcCall {
    pub state: Arc<AppState>,
    pub bypass: Option<Principal>,
    pub request_id: u64,
}

fn refusal(status: StatusCode, code: i32, message: &str) -> HttpResponse {
    responses::json(status, screen::error_body(&Value::Null, code, message))
}

impl RpcCall {
    /// Serves the request through `inner` (jsonrpsee).
    pub async fn serve<S>(self, mut inner: S, request: HttpRequest<HttpBody>) -> Result<HttpResponse, BoxError>
    where
        S: Service<HttpRequest<HttpBody>, Response = HttpResponse>,
        S::Error: Into<BoxError>,
    {
        if request.method() != Method::POST {
            let mut response =
                refusal(StatusCode::METHOD_NOT_ALLOWED, -32600, "invalid request: use POST with a JSON-RPC body");
            response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("POST"));
            return Ok(response);
        }
        let content_type = request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
        if let Some(message) = content_type_refusal(content_type) {
            return Ok(refusal(StatusCode::UNSUPPORTED_MEDIA_TYPE, -32600, message));
        }
        let (mut parts, body) = request.into_parts();
        let principal = match self.authenticate(&parts).await {
            Ok(principal) => principal,
            Err(response) => return Ok(response),
        };
        let limit = self.state.settings.server.max_body_bytes as usize;
        let bytes = match http_body_util::Limited::new(body, limit).collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(_) => {
                let message = format!("invalid request: the body is larger than {limit} bytes");
                return Ok(refusal(StatusCode::PAYLOAD_TOO_LARGE, -32600, &message));
            }
        };
        let (body, restore) = match screen::screen(&bytes, self.state.settings.server.max_json_depth) {
            Screened::Answer(text) => return Ok(responses::json(StatusCode::OK, text)),
            Screened::Forward { body, restore } => (body, restore),
        };
        let header_key =
            parts.headers.get("idempotency-key").map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        parts.headers.remove(header::CONTENT_LENGTH);
        // Checked above; jsonrpsee knows only a few spellings of it.
        parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        parts.extensions.insert(principal);
        parts.extensions.insert(RequestMeta { request_id: self.request_id, idempotency_key: header_key });
        let request = HttpRequest::from_parts(parts, HttpBody::from(body));
        let response = inner.call(request).await.map_err(Into::into)?;
        let response = match restore {
            Some(restore) => {
                let (parts, body) = response.into_parts();
                let text = String::from_utf8_lossy(&body.collect().await?.to_bytes()).into_owned();
                HttpResponse::from_parts(parts, HttpBody::from(restore.apply(&text)))
            }
            None => response,
        };
        Ok(status_of(response))
    }

    async fn authenticate(&self, parts: &http::request::Parts) -> Result<Principal, HttpResponse> {
        if has_key_in_query(parts.uri.query()) {
            return Err(responses::unauthorized());
        }
        if let Some(principal) = &self.bypass {
            return Ok(principal.clone());
        }
        let header = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
        match self.state.keys.authenticate(&self.state.db.read, header).await {
            Ok(principal) => Ok(principal),
            Err(AppError::Internal(cause)) => {
                tracing::error!(request_id = self.request_id, error = %cause, "authentication failed");
                Err(responses::internal_error())
            }
            Err(_) => Err(responses::unauthorized()),
        }
    }
}

/// HTTP 429 for a rate-limited single call, 204 for an all-notification body.
fn status_of(mut response: HttpResponse) -> HttpResponse {
    if response.extensions().get::<RateLimited>().is_some() {
        *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    if response.extensions().get::<NoContent>().is_some() {
        *response.status_mut() = StatusCode::NO_CONTENT;
        *response.body_mut() = HttpBody::default();
        response.headers_mut().remove(header::CONTENT_TYPE);
    }
    response
}

/// A key must never travel in a URL (logs, proxies and browser history keep them).
pub(super) fn has_key_in_query(query: Option<&str>) -> bool {
    query.is_some_and(|q| {
        q.split('&').any(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let name = name.to_ascii_lowercase();
            matches!(name.as_str(), "api_key" | "apikey" | "key" | "token" | "access_token")
                || value.starts_with("rk_live_")
                || value.starts_with("rk_test_")
        })
    })
}

/// Why a request's `Content-Type` is refused: it must be `application/json`,
/// in UTF-8 when it names a charset (JSON-RPC bodies are UTF-8; jsonrpsee
/// would refuse another charset with a plain-text answer of its own).
fn content_type_refusal(content_type: Option<&str>) -> Option<&'static str> {
    let lower = content_type.unwrap_or_default().trim().to_ascii_lowercase();
    let mut parts = lower.split(';').map(str::trim);
    if parts.next() != Some("application/json") {
        return Some("invalid request: Content-Type must be application/json");
    }
    let charset_ok =
        parts.filter_map(|p| p.strip_prefix("charset=")).all(|c| matches!(c.trim_matches('"'), "utf-8" | "utf8"));
    (!charset_ok).then_some("invalid request: the body must be UTF-8 (Content-Type charset=utf-8)")
}

#[cfg(test)]
mod content_type_tests {
    use super::content_type_refusal;

    #[test]
    fn json_in_utf8_passes_and_anything_else_is_refused() {
        for ok in [
            "application/json",
            "Application/JSON; charset=UTF-8",
            "application/json;charset=\"utf-8\"",
            " application/json ",
        ] {
            assert_eq!(content_type_refusal(Some(ok)), None, "{ok}");
        }
        for bad in [None, Some("text/plain"), Some("application/jsonx"), Some("application/json; charset=latin1")] {
            assert!(content_type_refusal(bad).is_some(), "{bad:?}");
        }
    }
}
