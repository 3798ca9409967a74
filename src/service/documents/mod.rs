//! Invoice documents on request (API.md section 11): the PDF, HTML and EN 16931 XML of a stored
//! invoice or credit note, and the signed, expiring links to them.
//!
//! Documents are rendered when asked for, from the stored invoice only (`build`), never during a
//! billing run: issuing an invoice snapshots seller and buyer and nothing else, so a run never waits
//! for a renderer. Rendering is CPU work (the PDF shapes text and subsets a font), so it runs on the
//! blocking pool, off the async workers. The renderers are pure and deterministic, so there is no
//! cache to keep coherent: the same invoice gives the same bytes every time.

mod build;

use chrono::{DateTime, Utc};

pub use build::{model, seller_complete};

use super::links::token::{self, Link, LinkAction, Subject};
use super::{AppState, Ctx};
use crate::document::{self, DocumentError, InvoiceDocument};
use crate::error::{AppError, AppResult};

/// A rendering of a document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Pdf,
    Html,
    Xml,
}

impl Format {
    /// Parses `pdf` / `html` / `xml` (any case).
    pub fn parse(text: &str) -> Option<Format> {
        match text.trim().to_ascii_lowercase().as_str() {
            "pdf" => Some(Format::Pdf),
            "html" => Some(Format::Html),
            "xml" => Some(Format::Xml),
            _ => None,
        }
    }

    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Html => "html",
            Format::Xml => "xml",
        }
    }

    /// The `Content-Type` it is served with.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Pdf => "application/pdf",
            Format::Html => "text/html; charset=utf-8",
            Format::Xml => "application/xml",
        }
    }

    fn action(self) -> LinkAction {
        match self {
            Format::Pdf => LinkAction::Pdf,
            Format::Html => LinkAction::Html,
            Format::Xml => LinkAction::Xml,
        }
    }

    /// The format a link action stands for.
    pub fn of_action(action: LinkAction) -> Option<Format> {
        match action {
            LinkAction::Pdf => Some(Format::Pdf),
            LinkAction::Html => Some(Format::Html),
            LinkAction::Xml => Some(Format::Xml),
            _ => None,
        }
    }
}

/// A rendered document.
#[derive(Debug)]
pub struct Rendered {
    pub bytes: Vec<u8>,
    /// `RE-2025-00001.pdf`.
    pub file_name: String,
    pub format: Format,
}

/// A missing required field is 1009 naming its tag (`SELLER.VAT_ID`); anything else is ours (-32603).
fn refusal(err: DocumentError) -> AppError {
    match err {
        DocumentError::Missing(tag) => AppError::conflict_on(tag, format!("the document needs {tag}; set it first")),
        other => AppError::internal(other),
    }
}

/// Checks that `doc` can be rendered (the legally required fields), answering 1009 naming the first
/// missing tag.
pub fn check(doc: &InvoiceDocument) -> AppResult<()> {
    match document::missing_document_field(doc) {
        Some(tag) => Err(refusal(DocumentError::Missing(tag))),
        None => Ok(()),
    }
}

/// Renders `doc` as `format`, on the blocking pool.
pub async fn render(doc: InvoiceDocument, format: Format) -> AppResult<Rendered> {
    tokio::task::spawn_blocking(move || render_now(&doc, format)).await.map_err(AppError::internal)?
}

/// Renders `doc` as `format` on this thread (the benchmark and tests).
pub fn render_now(doc: &InvoiceDocument, format: Format) -> AppResult<Rendered> {
    let bytes = match format {
        Format::Pdf => document::pdf(doc),
        Format::Html => document::html(doc).map(String::into_bytes),
        Format::Xml => document::xml(doc),
    }
    .map_err(refusal)?;
    Ok(Rendered { bytes, file_name: document::file_name(doc, format.extension()), format })
}

/// The invoice's document rendered, for this tenant (1004 for another tenant's or no invoice).
pub async fn rendered<C: sea_orm::ConnectionTrait>(
    ctx: &Ctx<C>,
    invoice_id: i64,
    format: Format,
) -> AppResult<Rendered> {
    render(model(ctx, invoice_id).await?, format).await
}

/// A signed link to the document of invoice `invoice_id` numbered `number`:
/// `<public_url>/hosted/i/<token>/<number>.<ext>`.
pub fn url(
    state: &AppState,
    tenant: &entity::tenant::Model,
    (invoice_id, number): (i64, &str),
    format: Format,
    expires: DateTime<Utc>,
) -> AppResult<String> {
    let secret = hex::decode(&tenant.link_secret).map_err(|_| AppError::internal("tenant link secret is not hex"))?;
    let link = Link {
        tenant_id: tenant.id,
        subject: Subject::Invoice(invoice_id),
        action: format.action(),
        expires: expires.timestamp(),
        version: 0,
    };
    let base = state.settings.server.public_url.trim_end_matches('/');
    let file = format!("{}.{}", document::file_stem(number), format.extension());
    Ok(format!("{base}/hosted/i/{}/{file}", token::sign(&link, &secret)))
}

/// When a link minted at `now` expires: `ttl_hours` later, rounded up to the full hour, so the links
/// one invoice gets within an hour are the same (answers stay stable, caches stay warm).
pub fn expiry(now: DateTime<Utc>, ttl_hours: u64) -> DateTime<Utc> {
    let hours = i64::try_from(ttl_hours.min(24 * 365 * 100)).unwrap_or(0);
    let at = now.timestamp().saturating_add(hours * 3600);
    DateTime::from_timestamp(at.div_euclid(3600) * 3600 + if at.rem_euclid(3600) == 0 { 0 } else { 3600 }, 0)
        .unwrap_or(now)
}
