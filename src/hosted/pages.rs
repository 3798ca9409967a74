//! Rendering: minijinja templates compiled into the binary (HTML-escaped by
//! default, `.html` names), and the security headers every page carries.

use std::sync::OnceLock;

use http::{HeaderValue, StatusCode, header};
use jsonrpsee::server::{HttpBody, HttpResponse};
use minijinja::Environment;
use serde::Serialize;

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("templates/base.html")),
    ("plan.html", include_str!("templates/plan.html")),
    ("cancel.html", include_str!("templates/cancel.html")),
    ("reactivate.html", include_str!("templates/reactivate.html")),
    ("addons.html", include_str!("templates/addons.html")),
    ("dashboard.html", include_str!("templates/dashboard.html")),
    ("done.html", include_str!("templates/done.html")),
    ("error.html", include_str!("templates/error.html")),
];

/// The style sheet, served at `/hosted/assets/style.css`.
pub const STYLE: &str = include_str!("templates/style.css");

/// Pages allow no scripts, styles only from us, forms only to us, no framing.
const CSP: &str =
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

fn environment() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        for (name, source) in TEMPLATES {
            if let Err(err) = env.add_template(name, source) {
                tracing::error!(template = name, error = %err, "hosted template does not compile");
            }
        }
        env
    })
}

/// Renders template `name` with `context`.
pub fn render<S: Serialize>(name: &str, context: S) -> Result<String, minijinja::Error> {
    environment().get_template(name)?.render(context)
}

/// An HTML page with the security headers; `cookie` sets the CSRF nonce.
pub fn html(status: StatusCode, body: String, cookie: Option<String>) -> HttpResponse {
    let mut response = HttpResponse::new(HttpBody::from(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(cookie) = cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        headers.insert(header::SET_COOKIE, cookie);
    }
    response
}

/// A page explaining why a link does not work.
pub fn refusal(status: StatusCode, tenant: &str, headline: &str, message: &str) -> HttpResponse {
    let body = render("error.html", minijinja::context! { tenant, headline, message })
        .unwrap_or_else(|_| format!("<!doctype html><title>{status}</title><h1>{}</h1>", status.as_str()));
    html(status, body, None)
}

/// The style sheet response.
pub fn stylesheet() -> HttpResponse {
    let mut response = HttpResponse::new(HttpBody::from(STYLE));
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8"));
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    response.headers_mut().insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}
