//! Invoice documents: the PDF, HTML and EN 16931 XML renderings of one issued invoice or credit note
//! (API.md section 11).
//!
//! Pure: [`InvoiceDocument`] in, bytes out; no database, no clock, no I/O. The service layer snapshots
//! the stored invoice, the seller and the buyer into an `InvoiceDocument` and calls [`xml`], [`html`]
//! or [`pdf`]. The same input always gives the same bytes (the PDF's dates are the invoice date, its
//! ids hashes of the content), so a document re-rendered years later is the one first sent.
//!
//! - [`xml`]: UN/CEFACT CII D16B, Factur-X / ZUGFeRD profile EN 16931. Written with `quick-xml`'s
//!   streaming writer: it escapes text, adds no dependencies of note, and a CII invoice is a fixed tree
//!   of a few dozen element kinds, which a serde mapping (a struct per element) would only make longer.
//!   Checked in `tests/document.rs` against the Factur-X XSD and the official EN 16931 schematron.
//! - [`html`]: a minijinja template (the crate already renders the hosted pages with it; autoescape is
//!   on for `.html`), one standalone page with an inline style.
//! - [`pdf`]: `krilla`, A4, PDF/A-3b, with the XML embedded as the Factur-X attachment `factur-x.xml`
//!   (AFRelationship Alternative) and the Factur-X XMP metadata. krilla is maintained (it is typst's
//!   PDF backend), shapes text with rustybuzz, subsets and embeds the font (so the text is selectable and
//!   `pdftotext` reads it), validates PDF/A-3 while writing, embeds associated files, and writes
//!   deterministic ids. `printpdf` does not validate PDF/A; `typst` as a library compiles slowly and
//!   brings a whole typesetting language. krilla cannot add custom XMP, so [`pdf`] appends the
//!   Factur-X XMP as an incremental update (see `pdf/facturx.rs`).
//! - Dates are shown in the tenant's TIMEZONE via `chrono-tz` (IANA database compiled in, no system
//!   files), amounts are `rust_decimal` throughout and formatted with the currency's minor unit.
//! - The font is Liberation Sans 2.1.5 (SIL OFL 1.1, `fonts/OFL.txt`), parsed once.

mod format;
mod html;
mod model;
mod pdf;
mod required;
mod tax;
mod view;
mod wording;
mod xml;

pub use html::{html, html_csp};
pub use model::{
    Buyer, DocumentKind, DocumentLine, InvoiceDocument, Language, LineKind, Seller, ServicePeriod, VatItem,
};
pub use pdf::pdf;
pub use required::{missing_buyer_field, missing_document_field, missing_seller_field};
pub use xml::xml;

/// Why a document could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// A field the law or EN 16931 requires is missing; the tag names it (`SELLER.NAME`, `BUYER.NAME`,
    /// `RELATED_INVOICE_NUMBER`, ...). The API answers 1009 with this TAG.
    #[error("missing {0}")]
    Missing(&'static str),
    /// The tenant's TIMEZONE is not an IANA time zone name.
    #[error("unknown time zone {0:?}")]
    TimeZone(String),
    /// The stored totals or VAT items are not the sums of the lines.
    #[error("inconsistent amounts: {0}")]
    Inconsistent(String),
    #[error("xml: {0}")]
    Xml(String),
    #[error("html template: {0}")]
    Template(String),
    #[error("pdf: {0}")]
    Pdf(String),
}

/// Refuses a document that lacks a required field ([`missing_document_field`]).
fn check_complete(doc: &InvoiceDocument) -> Result<(), DocumentError> {
    match missing_document_field(doc) {
        Some(tag) => Err(DocumentError::Missing(tag)),
        None => Ok(()),
    }
}

/// The file name of a rendering: `RE-2025-00001.pdf`. Characters that are unsafe in a file name or a
/// `Content-Disposition` header become `_`.
pub fn file_name(doc: &InvoiceDocument, extension: &str) -> String {
    format!("{}.{extension}", file_stem(&doc.number))
}

/// The file name of an invoice number without extension (`RE-2025-00001`), as [`file_name`] makes it.
pub fn file_stem(number: &str) -> String {
    number
        .trim()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '_' })
        .collect()
}

#[cfg(test)]
mod testdata;
#[cfg(test)]
mod tests;
