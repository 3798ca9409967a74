//! `GET /hosted/i/<token>/<file>`: an invoice document through its signed link (API.md section 11).
//!
//! The token names tenant, invoice, format and expiry; the file name (`RE-2025-00001.pdf`) must be
//! the invoice's, with the extension of the signed format. A tampered link answers 403, an expired
//! one 410; a document that lacks a legally required field answers 409 naming it.

use std::sync::Arc;

use http::{HeaderValue, StatusCode, header};
use jsonrpsee::server::{HttpBody, HttpResponse};

use super::pages;
use super::refused;
use crate::error::AppError;
use crate::service::AppState;
use crate::service::documents::{self, Format, Rendered};
use crate::service::links::token::{LinkAction, Subject};
use crate::service::links::{self as link, Refusal};

/// Serves one document.
pub async fn serve(state: &Arc<AppState>, token: &str, file: &str) -> HttpResponse {
    let action = match file.rsplit_once('.').map(|(_, ext)| ext) {
        Some("pdf") => LinkAction::Pdf,
        Some("html") => LinkAction::Html,
        Some("xml") => LinkAction::Xml,
        _ => return refused(Refusal::Invalid, ""),
    };
    let visit = match link::resolve(state, token, action).await {
        Ok(visit) => visit,
        Err(refusal) => return refused(refusal, ""),
    };
    let (Subject::Invoice(id), Some(format)) = (visit.link.subject, Format::of_action(action)) else {
        return refused(Refusal::Invalid, "");
    };
    let tenant = visit.tenant.name.clone();
    match documents::rendered(&visit.read_ctx(state), id, format).await {
        Ok(rendered) if rendered.file_name == file => response(rendered),
        Ok(_) => pages::refusal(StatusCode::NOT_FOUND, &tenant, "Document not found", "There is no such file."),
        Err(AppError::NotFound { .. }) => refused(Refusal::Invalid, &tenant),
        Err(AppError::Conflict { message, .. }) => {
            pages::refusal(StatusCode::CONFLICT, &tenant, "This document cannot be shown yet", &message)
        }
        Err(err) => {
            tracing::error!(error = %err, cause = ?err, invoice_id = id, "document rendering failed");
            pages::refusal(
                StatusCode::INTERNAL_SERVER_ERROR,
                &tenant,
                "Something went wrong",
                "Please try again later.",
            )
        }
    }
}

/// The document with its type, its file name, and the headers every hosted answer carries.
fn response(rendered: Rendered) -> HttpResponse {
    let Rendered { bytes, file_name, format } = rendered;
    let mut response = HttpResponse::new(HttpBody::from(bytes));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(format.content_type()));
    // The file name is ASCII letters, digits, `-`, `_` and `.` only (document::file_stem), so it needs no quoting rules.
    let disposition = match format {
        Format::Xml => "attachment",
        Format::Pdf | Format::Html => "inline",
    };
    if let Ok(value) = HeaderValue::from_str(&format!("{disposition}; filename=\"{file_name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    if format == Format::Html {
        // The document's own inline style, allowed by its hash; nothing else.
        let csp = crate::document::html_csp();
        if let Ok(value) = HeaderValue::from_str(csp) {
            headers.insert(header::CONTENT_SECURITY_POLICY, value);
        }
    }
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    response
}
