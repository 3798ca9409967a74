//! The EN 16931 e-invoice in UN/CEFACT CII D16B syntax, Factur-X / ZUGFeRD profile EN 16931 (guideline
//! `urn:cen.eu:en16931:2017`), the form XRechnung's CII variant also accepts.
//!
//! Shape, following the official CEN examples (`shared/en16931-validation/examples`):
//! - type code 380 (invoice) or 381 (credit note); a credit note's negative wire amounts are written
//!   positive and it names the corrected invoice (`IncludedNote` and `InvoiceReferencedDocument`);
//! - one line item per line that is not a discount or coupon, with its net; a negative line (a proration
//!   credit) keeps a positive price and gets a negative quantity, since BR-27 forbids negative prices;
//! - discount and coupon lines become document-level allowances (reason code 95 and the line's text, the
//!   VAT category and rate of the line), so no line net is a discount;
//! - the VAT breakdown per rate with the category of [`crate::document::tax`], payment terms with the
//!   due date, SEPA credit transfer (code 58) to the seller's IBAN, and the monetary summation;
//! - dates in format 102 as the tenant-timezone date.

mod figures;
mod parties;
mod settlement;
mod writer;

use chrono_tz::Tz;
use rust_decimal::Decimal;

use super::format::{local_date, timezone, xml_amount, xml_decimal};
use super::model::{DocumentKind, DocumentLine, InvoiceDocument, given};
use super::wording::{fill, words};
use super::{DocumentError, tax::Category};
use figures::Figures;
use writer::Xml;

const NAMESPACES: [(&str, &str); 4] = [
    ("xmlns:rsm", "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"),
    ("xmlns:qdt", "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"),
    ("xmlns:ram", "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"),
    ("xmlns:udt", "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"),
];

/// The specification identifier (BT-24) of the EN 16931 profile.
pub const GUIDELINE: &str = "urn:cen.eu:en16931:2017";

/// The CII XML of `doc` (UTF-8).
pub fn xml(doc: &InvoiceDocument) -> Result<Vec<u8>, DocumentError> {
    super::check_complete(doc)?;
    let tz = timezone(&doc.timezone)?;
    let figures = Figures::of(doc)?;
    let mut x = Xml::new()?;
    x.open_with("rsm:CrossIndustryInvoice", &NAMESPACES)?;
    x.open("rsm:ExchangedDocumentContext")?;
    x.open("ram:GuidelineSpecifiedDocumentContextParameter")?;
    x.text("ram:ID", GUIDELINE)?;
    x.close("ram:GuidelineSpecifiedDocumentContextParameter")?;
    x.close("rsm:ExchangedDocumentContext")?;
    header(&mut x, doc, tz)?;
    x.open("rsm:SupplyChainTradeTransaction")?;
    for line in &figures.items {
        line_item(&mut x, doc, line, &figures)?;
    }
    parties::agreement(&mut x, doc)?;
    x.open("ram:ApplicableHeaderTradeDelivery")?;
    x.close("ram:ApplicableHeaderTradeDelivery")?;
    settlement::settlement(&mut x, doc, &figures, tz)?;
    x.close("rsm:SupplyChainTradeTransaction")?;
    x.close("rsm:CrossIndustryInvoice")?;
    Ok(x.finish())
}

/// `rsm:ExchangedDocument`: number, type code, issue date and notes.
fn header(x: &mut Xml, doc: &InvoiceDocument, tz: Tz) -> Result<(), DocumentError> {
    x.open("rsm:ExchangedDocument")?;
    x.text("ram:ID", &doc.number)?;
    x.text("ram:TypeCode", type_code(doc.kind))?;
    x.date("ram:IssueDateTime", local_date(doc.invoice_date, tz))?;
    for note in notes(doc) {
        x.open("ram:IncludedNote")?;
        x.text("ram:Content", &note)?;
        x.close("ram:IncludedNote")?;
    }
    x.close("rsm:ExchangedDocument")
}

/// UNTDID 1001: 380 commercial invoice, 381 credit note.
pub fn type_code(kind: DocumentKind) -> &'static str {
    match kind {
        DocumentKind::Invoice => "380",
        DocumentKind::CreditNote => "381",
    }
}

/// Free-text notes (BT-22): title and intro text, and for a credit note the invoice it corrects.
fn notes(doc: &InvoiceDocument) -> Vec<String> {
    let mut notes: Vec<String> =
        [&doc.invoice_title, &doc.intro_text].into_iter().filter_map(|t| given(t).map(str::to_owned)).collect();
    if let (DocumentKind::CreditNote, Some(related)) = (doc.kind, given(&doc.related_invoice_number)) {
        let w = words(doc.language);
        notes.push(format!("{}: {}", w.title_credit_note, fill(w.credit_note_text, &[("related", related)])));
    }
    notes
}

/// One `ram:IncludedSupplyChainTradeLineItem`.
fn line_item(x: &mut Xml, doc: &InvoiceDocument, line: &DocumentLine, f: &Figures<'_>) -> Result<(), DocumentError> {
    let (mut price, mut quantity) = (line.unit_price * f.sign, line.quantity);
    if price.is_sign_negative() {
        (price, quantity) = (-price, -quantity);
    }
    let category = f.breakdown.iter().find(|b| b.rate == line.vat_percent).map_or(Category::Standard, |b| b.category);
    x.open("ram:IncludedSupplyChainTradeLineItem")?;
    x.open("ram:AssociatedDocumentLineDocument")?;
    x.text("ram:LineID", &line.position.to_string())?;
    x.close("ram:AssociatedDocumentLineDocument")?;
    x.open("ram:SpecifiedTradeProduct")?;
    x.text_opt("ram:SellerAssignedID", line.article_number.as_deref())?;
    x.text("ram:Name", item_name(line))?;
    x.close("ram:SpecifiedTradeProduct")?;
    x.open("ram:SpecifiedLineTradeAgreement")?;
    x.open("ram:NetPriceProductTradePrice")?;
    x.text("ram:ChargeAmount", &xml_decimal(price))?;
    x.close("ram:NetPriceProductTradePrice")?;
    x.close("ram:SpecifiedLineTradeAgreement")?;
    x.open("ram:SpecifiedLineTradeDelivery")?;
    x.text_with("ram:BilledQuantity", &[("unitCode", "C62")], &xml_decimal(quantity))?;
    x.close("ram:SpecifiedLineTradeDelivery")?;
    x.open("ram:SpecifiedLineTradeSettlement")?;
    trade_tax(x, "ram:ApplicableTradeTax", category, line.vat_percent)?;
    x.open("ram:SpecifiedTradeSettlementLineMonetarySummation")?;
    x.text("ram:LineTotalAmount", &xml_amount(line.net * f.sign, &doc.currency))?;
    x.close("ram:SpecifiedTradeSettlementLineMonetarySummation")?;
    x.close("ram:SpecifiedLineTradeSettlement")?;
    x.close("ram:IncludedSupplyChainTradeLineItem")
}

/// The item name (BT-153, required): the description, else the article number.
fn item_name(line: &DocumentLine) -> &str {
    let description = line.description.trim();
    if description.is_empty() { line.article_number.as_deref().unwrap_or("-") } else { description }
}

/// The tax of a line (`ram:ApplicableTradeTax`) or an allowance (`ram:CategoryTradeTax`): type, category
/// and rate.
fn trade_tax(x: &mut Xml, element: &str, category: Category, rate: Decimal) -> Result<(), DocumentError> {
    x.open(element)?;
    x.text("ram:TypeCode", "VAT")?;
    x.text("ram:CategoryCode", category.code())?;
    x.text("ram:RateApplicablePercent", &xml_decimal(rate))?;
    x.close(element)
}
