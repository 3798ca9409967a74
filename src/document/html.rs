//! The HTML rendering: one standalone page (inline style, no scripts, no external resources), for the
//! hosted dashboard and mail bodies. minijinja escapes every value (`.html` templates autoescape).

use std::sync::LazyLock;

use base64::Engine;
use minijinja::{Environment, context};
use sha2::{Digest, Sha256};

use super::DocumentError;
use super::model::InvoiceDocument;
use super::view::View;

const TEMPLATE: &str = include_str!("templates/invoice.html");
const STYLE: &str = include_str!("templates/invoice.css");

/// The Content-Security-Policy to serve the page with: nothing but its own inline style block, allowed
/// by hash (the hosted pages' policy forbids inline styles, which a standalone page and a mail need).
pub fn html_csp() -> &'static str {
    static CSP: LazyLock<String> = LazyLock::new(|| {
        let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(STYLE.as_bytes()));
        format!("default-src 'none'; style-src 'sha256-{hash}'; base-uri 'none'; form-action 'none'")
    });
    &CSP
}

/// The HTML page of `doc` (UTF-8).
pub fn html(doc: &InvoiceDocument) -> Result<String, DocumentError> {
    let view = View::of(doc)?;
    let mut env = Environment::new();
    let template_error = |err: minijinja::Error| DocumentError::Template(err.to_string());
    env.add_template("invoice.html", TEMPLATE).map_err(template_error)?;
    let template = env.get_template("invoice.html").map_err(template_error)?;
    template.render(context! { v => view, style => STYLE }).map_err(template_error)
}
