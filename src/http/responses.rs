//! Canned HTTP responses of the gateway.

use http::{HeaderValue, StatusCode, header};
use jsonrpsee::server::{HttpBody, HttpResponse};

/// A response with a body and content type.
pub fn text(status: StatusCode, content_type: &'static str, body: String) -> HttpResponse {
    let mut response = HttpResponse::new(HttpBody::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// A JSON response.
pub fn json(status: StatusCode, body: String) -> HttpResponse {
    text(status, "application/json; charset=utf-8", body)
}

/// HTTP 401 with the JSON-RPC body of API.md section 1.
pub fn unauthorized() -> HttpResponse {
    let mut response = json(
        StatusCode::UNAUTHORIZED,
        r#"{"jsonrpc":"2.0","id":null,"error":{"code":1001,"message":"unauthorized"}}"#.into(),
    );
    response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"recur\""));
    response
}

/// HTTP 500 with a generic JSON-RPC error (the cause is only logged).
pub fn internal_error() -> HttpResponse {
    json(
        StatusCode::INTERNAL_SERVER_ERROR,
        r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32603,"message":"internal error"}}"#.into(),
    )
}
