//! What the human-readable documents show, as finished texts: the HTML template and the PDF layout both
//! render this one view, so they cannot drift apart in content or wording.

use chrono_tz::Tz;
use serde::Serialize;

use super::DocumentError;
use super::format::{date, local_date, money, percent, period_days, quantity, timezone};
use super::model::{DocumentKind, DocumentLine, InvoiceDocument, given};
use super::tax::{Category, category, has_reverse_charge};
use super::wording::{Words, fill, words};

/// A label and its value.
#[derive(Clone, Debug, Serialize)]
pub struct Pair {
    pub label: String,
    pub value: String,
}

fn pair(label: &str, value: impl Into<String>) -> Pair {
    Pair { label: label.to_owned(), value: value.into() }
}

/// One line of the table.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    pub position: String,
    pub description: String,
    pub quantity: String,
    pub unit_price: String,
    pub vat: String,
    pub net: String,
}

/// The whole document as texts.
#[derive(Clone, Debug, Serialize)]
pub struct View {
    pub lang: &'static str,
    pub title: &'static str,
    pub number: String,
    pub subject: Option<String>,
    pub seller_name: String,
    pub seller_lines: Vec<String>,
    pub seller_contact: Vec<String>,
    /// The seller in one line, above the buyer's address (window envelopes).
    pub sender_line: String,
    pub buyer_lines: Vec<String>,
    pub meta: Vec<Pair>,
    pub intro: Option<String>,
    pub columns: Row,
    pub rows: Vec<Row>,
    /// Net, VAT per rate, and the total last.
    pub totals: Vec<Pair>,
    pub notes: Vec<String>,
    pub payment: Vec<String>,
    pub footer: Option<String>,
    /// "Seite {page} von {pages}" / "Page {page} of {pages}".
    pub page_label: &'static str,
}

impl View {
    /// The view of `doc`; fails like [`crate::document::xml`] on missing parties or an unknown time zone.
    pub fn of(doc: &InvoiceDocument) -> Result<View, DocumentError> {
        super::check_complete(doc)?;
        let tz = timezone(&doc.timezone)?;
        let w = words(doc.language);
        let s = &doc.seller;
        let seller_lines: Vec<String> = [Some(s.address.trim()), given(&s.address_2)]
            .into_iter()
            .flatten()
            .map(str::to_owned)
            .chain([format!("{} {}", s.zipcode.trim(), s.city.trim()), s.country_code.trim().to_ascii_uppercase()])
            .collect();
        let sender_line = std::iter::once(s.name.trim().to_owned()).chain(seller_lines.clone()).collect::<Vec<_>>();
        Ok(View {
            lang: doc.language.code(),
            title: w.title(doc.kind),
            number: doc.number.clone(),
            subject: given(&doc.invoice_title).map(str::to_owned),
            seller_name: s.name.trim().to_owned(),
            seller_lines,
            seller_contact: seller_contact(doc, w),
            sender_line: sender_line.join(" · "),
            buyer_lines: buyer_lines(doc),
            meta: meta(doc, w, tz),
            intro: given(&doc.intro_text).map(str::to_owned),
            columns: Row {
                position: w.col_position.into(),
                description: w.col_description.into(),
                quantity: w.col_quantity.into(),
                unit_price: w.col_unit_price.into(),
                vat: w.col_vat.into(),
                net: w.col_net.into(),
            },
            rows: doc.lines.iter().map(|line| row(doc, w, line)).collect(),
            totals: totals(doc, w),
            notes: notes(doc, w, tz),
            payment: payment(doc, w, tz),
            footer: given(&doc.invoice_footer).map(str::to_owned),
            page_label: w.page,
        })
    }
}

fn seller_contact(doc: &InvoiceDocument, w: &Words) -> Vec<String> {
    let s = &doc.seller;
    [(w.vat_id, &s.vat_id), (w.tax_id, &s.tax_id), (w.email, &s.email), (w.phone, &s.phone)]
        .into_iter()
        .filter_map(|(label, value)| given(value).map(|v| format!("{label}: {v}")))
        .collect()
}

fn buyer_lines(doc: &InvoiceDocument) -> Vec<String> {
    let b = &doc.buyer;
    let person = given(&b.organization).and(b.person_name());
    let city = [given(&b.zipcode), given(&b.city)].into_iter().flatten().collect::<Vec<_>>().join(" ");
    [b.display_name(), person, given(&b.address).map(Into::into), given(&b.address_2).map(Into::into)]
        .into_iter()
        .flatten()
        .chain((!city.is_empty()).then_some(city))
        .chain([b.country_code.trim().to_ascii_uppercase()])
        .collect()
}

fn meta(doc: &InvoiceDocument, w: &Words, tz: Tz) -> Vec<Pair> {
    let lang = doc.language;
    let mut meta = vec![pair(w.number(doc.kind), doc.number.clone())];
    meta.push(pair(w.date(doc.kind), date(local_date(doc.invoice_date, tz), lang)));
    if let (DocumentKind::Invoice, Some(due)) = (doc.kind, doc.due_date) {
        meta.push(pair(w.due_date, date(local_date(due, tz), lang)));
    }
    if let Some(period) = &doc.service_period {
        let (first, last) = period_days(period, tz);
        meta.push(pair(w.service_period, format!("{} – {}", date(first, lang), date(last, lang))));
    }
    if let Some(number) = given(&doc.buyer.customer_number) {
        meta.push(pair(w.customer_number, number));
    }
    if let Some(vat_id) = given(&doc.buyer.vat_id) {
        meta.push(pair(w.buyer_vat_id, vat_id));
    }
    if let (DocumentKind::CreditNote, Some(related)) = (doc.kind, given(&doc.related_invoice_number)) {
        meta.push(pair(w.corrects_invoice, related));
    }
    meta
}

fn row(doc: &InvoiceDocument, w: &Words, line: &DocumentLine) -> Row {
    let (lang, currency) = (doc.language, doc.currency.as_str());
    let description = match w.line_prefix(line.kind) {
        Some(prefix) => format!("{prefix}: {}", line.description.trim()),
        None => line.description.trim().to_owned(),
    };
    Row {
        position: line.position.to_string(),
        description,
        quantity: quantity(line.quantity, lang),
        unit_price: money(line.unit_price, currency, lang),
        vat: percent(line.vat_percent, lang),
        net: money(line.net, currency, lang),
    }
}

fn totals(doc: &InvoiceDocument, w: &Words) -> Vec<Pair> {
    let (lang, currency) = (doc.language, doc.currency.as_str());
    let mut totals = vec![pair(w.net_total, money(doc.sub_total, currency, lang))];
    for item in &doc.vat_items {
        let label = fill(w.vat_line, &[("rate", &percent(item.rate, lang)), ("net", &money(item.net, currency, lang))]);
        totals.push(pair(&label, money(item.vat, currency, lang)));
    }
    totals.push(pair(w.total(doc.kind), money(doc.total, currency, lang)));
    totals
}

fn notes(doc: &InvoiceDocument, w: &Words, tz: Tz) -> Vec<String> {
    let mut notes = Vec::new();
    if doc.kind == DocumentKind::CreditNote {
        notes.push(payment_terms(doc, tz));
    }
    if has_reverse_charge(doc) {
        notes.push(w.reverse_charge.to_owned());
    }
    if doc.vat_items.iter().any(|v| category(doc, v.rate) == Category::Exempt) {
        notes.extend(given(&doc.vat_exemption_reason).map(str::to_owned));
    }
    if doc.lines.iter().any(|l| l.kind.is_allowance()) {
        notes.push(w.discount_note.to_owned());
    }
    notes
}

fn payment(doc: &InvoiceDocument, w: &Words, tz: Tz) -> Vec<String> {
    if doc.kind == DocumentKind::CreditNote {
        return Vec::new();
    }
    let s = &doc.seller;
    let mut lines = vec![payment_terms(doc, tz)];
    if let Some(iban) = given(&s.iban) {
        lines.push(fill(w.pay_transfer, &[("number", &doc.number)]));
        let account = [("IBAN", Some(iban)), ("BIC", given(&s.bic)), (w.bank, given(&s.bank_name))];
        lines.extend(account.into_iter().filter_map(|(label, value)| value.map(|v| format!("{label}: {v}"))));
    }
    lines
}

/// The payment terms in words (also BT-20 of the XML): pay within N days by the due date, by the due
/// date, or at once; for a credit note, which invoice it corrects and that it is settled.
pub fn payment_terms(doc: &InvoiceDocument, tz: Tz) -> String {
    let (w, lang) = (words(doc.language), doc.language);
    if doc.kind == DocumentKind::CreditNote {
        let number = given(&doc.related_invoice_number).unwrap_or_default();
        let related = match doc.related_invoice_date {
            Some(at) => fill(w.credit_note_date, &[("related", number), ("date", &date(local_date(at, tz), lang))]),
            None => number.to_owned(),
        };
        return fill(w.credit_note_text, &[("related", &related)]);
    }
    match (doc.due_date, doc.payment_days) {
        (Some(due), Some(days)) => {
            fill(w.pay_within, &[("days", &days.to_string()), ("due", &date(local_date(due, tz), lang))])
        }
        (Some(due), None) => fill(w.pay_by, &[("due", &date(local_date(due, tz), lang))]),
        (None, _) => w.pay_now.to_owned(),
    }
}
