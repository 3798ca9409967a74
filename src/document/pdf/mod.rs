//! The PDF rendering: A4, PDF/A-3b, the view of [`crate::document::view`] laid out in Liberation Sans,
//! with the CII XML embedded as the Factur-X attachment.

mod facturx;
mod fonts;
mod layout;
mod paint;
mod sections;

use chrono::{DateTime, Datelike, Offset, Timelike, Utc};
use chrono_tz::Tz;
use krilla::configure::{Archival, ConfigurationBuilder};
use krilla::metadata::{DateTime as PdfDateTime, Metadata};
use krilla::{Document, SerializeSettings};

use super::DocumentError;
use super::format::timezone;
use super::model::InvoiceDocument;
use super::view::View;
use layout::{LEFT, Layout, RIGHT, Style};

/// The PDF of `doc`, with `xml(doc)` embedded as `factur-x.xml`.
pub fn pdf(doc: &InvoiceDocument) -> Result<Vec<u8>, DocumentError> {
    let view = View::of(doc)?;
    let xml = super::xml::xml(doc)?;
    let tz = timezone(&doc.timezone)?;
    let fonts = fonts::fonts()?;
    let footer = match &view.footer {
        Some(text) => Layout::new(fonts, 0.0).wrap(text, paint::FOOTER_SIZE, Style::Muted, RIGHT - LEFT),
        None => Vec::new(),
    };
    let mut layout = Layout::new(fonts, paint::content_bottom(footer.len()));
    sections::lay_out(&mut layout, &view);

    let mut document = Document::new_with(settings()?);
    let page_label = format!("{} {} · {}", view.title, view.number, view.page_label);
    paint::paint(&mut document, fonts, &layout.pages, &footer, &page_label)?;
    let date = pdf_date(doc.invoice_date, tz);
    document.set_metadata(metadata(doc, &view, date));
    facturx::embed(&mut document, xml, date)?;
    let bytes = document.finish().map_err(|e| DocumentError::Pdf(format!("{e:?}")))?;
    facturx::add_xmp(bytes)
}

/// PDF/A-3b (what Factur-X asks for), which makes krilla check the archival rules while writing.
fn settings() -> Result<SerializeSettings, DocumentError> {
    let configuration = ConfigurationBuilder::new()
        .with_archival_validator(Archival::A3_B)
        .finish()
        .map_err(|e| DocumentError::Pdf(format!("{e:?}")))?;
    Ok(SerializeSettings { configuration, ..SerializeSettings::default() })
}

/// Title, author, language and the dates: the invoice date in the tenant's time zone, never "now", so
/// the same invoice renders to the same bytes.
fn metadata(doc: &InvoiceDocument, view: &View, date: PdfDateTime) -> Metadata {
    Metadata::new()
        .title(format!("{} {}", view.title, doc.number))
        .authors(vec![view.seller_name.clone()])
        .language(view.lang.to_owned())
        .creator("recur".to_owned())
        .document_id(doc.number.clone())
        .creation_date(date)
}

/// An instant as a PDF date with the tenant's UTC offset at that instant.
fn pdf_date(at: DateTime<Utc>, tz: Tz) -> PdfDateTime {
    let local = at.with_timezone(&tz);
    let offset = local.offset().fix().local_minus_utc() / 60;
    let (hours, minutes) = (offset / 60, (offset % 60).abs());
    PdfDateTime::new(u16::try_from(local.year()).unwrap_or(1970))
        .month(local.month() as u8)
        .day(local.day() as u8)
        .hour(local.hour() as u8)
        .minute(local.minute() as u8)
        .second(local.second() as u8)
        .utc_offset_hour(hours as i8)
        .utc_offset_minute(minutes as u8)
}
