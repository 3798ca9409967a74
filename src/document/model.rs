//! The input of every rendering: what a document shows, as snapshotted when the invoice was issued.
//!
//! Plain data. The service layer fills it from the stored invoice, its items and the seller and buyer
//! snapshots; nothing here is recomputed from subscriptions. Amounts are exactly as on the wire: a
//! credit note's lines and totals arrive negative (API.md section 10), the renderers decide how to
//! show them (the XML turns them positive under type code 381).

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

/// Invoice or credit note (API.md 5.1 `TYPE` `outgoing` / `credit`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocumentKind {
    Invoice,
    CreditNote,
}

/// The language a document is worded in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Language {
    De,
    En,
}

impl Language {
    /// The customer's LANGUAGE_CODE: `de` (also `de-AT`, `DE`) is German, anything else English.
    pub fn from_code(code: &str) -> Language {
        let primary = code.trim().split(['-', '_']).next().unwrap_or_default();
        if primary.eq_ignore_ascii_case("de") { Language::De } else { Language::En }
    }

    /// The BCP 47 tag (`de` / `en`).
    pub fn code(self) -> &'static str {
        match self {
            Language::De => "de",
            Language::En => "en",
        }
    }
}

/// What a line is for: the engine's own kinds, which the stored line's `KIND` names.
pub use crate::domain::pricing::LineKind;

/// The seller block, snapshotted from the tenant's SELLER at issue. Blank optional texts count as absent.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Seller {
    pub name: String,
    pub address: String,
    pub address_2: Option<String>,
    pub zipcode: String,
    pub city: String,
    /// ISO 3166-1 alpha-2.
    pub country_code: String,
    pub vat_id: Option<String>,
    pub tax_id: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub iban: Option<String>,
    pub bic: Option<String>,
    pub bank_name: Option<String>,
}

/// The buyer, snapshotted from the customer at issue.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Buyer {
    pub customer_number: Option<String>,
    pub organization: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub address: Option<String>,
    pub address_2: Option<String>,
    pub zipcode: Option<String>,
    pub city: Option<String>,
    /// ISO 3166-1 alpha-2; required by EN 16931 (BR-11).
    pub country_code: String,
    pub vat_id: Option<String>,
    pub email: Option<String>,
}

impl Buyer {
    /// "First Last", when either is given.
    pub fn person_name(&self) -> Option<String> {
        let parts: Vec<&str> = [&self.first_name, &self.last_name].into_iter().filter_map(|p| given(p)).collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    }

    /// The organization, else the person's name: the buyer name of EN 16931 (BT-44).
    pub fn display_name(&self) -> Option<String> {
        given(&self.organization).map(str::to_owned).or_else(|| self.person_name())
    }
}

/// One invoice line, as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct DocumentLine {
    /// 1-based position on the document.
    pub position: u32,
    pub article_number: Option<String>,
    pub description: String,
    pub quantity: Decimal,
    pub unit_price: Decimal,
    pub vat_percent: Decimal,
    /// The line's net (COMPLETE_NET), rounded to the currency's minor unit.
    pub net: Decimal,
    pub kind: LineKind,
}

/// VAT of one rate (API.md 5.1 `VAT_ITEMS`).
#[derive(Clone, Debug, PartialEq)]
pub struct VatItem {
    pub rate: Decimal,
    /// Sum of the nets at this rate, discount and coupon lines included.
    pub net: Decimal,
    pub vat: Decimal,
}

/// The billed service period. `end` is exclusive, as stored (the next period's start); documents show
/// the local date of the last second before it as the last day.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ServicePeriod {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// Everything an invoice or credit note document shows.
#[derive(Clone, Debug)]
pub struct InvoiceDocument {
    pub kind: DocumentKind,
    pub number: String,
    pub invoice_date: DateTime<Utc>,
    pub due_date: Option<DateTime<Utc>>,
    pub service_period: Option<ServicePeriod>,
    /// ISO 4217, upper case.
    pub currency: String,
    pub language: Language,
    /// The tenant's TIMEZONE (IANA name, `Europe/Berlin`); all dates are shown as dates there.
    pub timezone: String,
    pub seller: Seller,
    pub buyer: Buyer,
    pub lines: Vec<DocumentLine>,
    pub vat_items: Vec<VatItem>,
    pub sub_total: Decimal,
    pub vat_total: Decimal,
    pub total: Decimal,
    /// Credit notes: the number (and date) of the invoice they correct.
    pub related_invoice_number: Option<String>,
    pub related_invoice_date: Option<DateTime<Utc>>,
    /// Payment term in days (the customer's DAYS_FOR_PAYMENT or the tenant's), worded beside the due date.
    pub payment_days: Option<u32>,
    /// Legal reason for 0 % VAT that is not reverse charge (e.g. small business, § 19 UStG): makes such
    /// rates category E with this text. Without it a 0 % rate is Z (see `xml` for the whole rule).
    pub vat_exemption_reason: Option<String>,
    pub invoice_title: Option<String>,
    pub intro_text: Option<String>,
    pub invoice_footer: Option<String>,
}

/// `Some(text)` when the option holds non-blank text.
pub fn given(text: &Option<String>) -> Option<&str> {
    text.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn german_is_chosen_by_the_primary_language_tag() {
        assert_eq!(Language::from_code("de"), Language::De);
        assert_eq!(Language::from_code("DE-at"), Language::De);
        assert_eq!(Language::from_code("en"), Language::En);
        assert_eq!(Language::from_code("fr"), Language::En);
        assert_eq!(Language::from_code(""), Language::En);
    }

    #[test]
    fn line_kinds_parse_and_allowances_are_discounts_and_coupons() {
        assert_eq!(LineKind::parse("coupon"), Some(LineKind::Coupon));
        assert_eq!(LineKind::parse("credit"), Some(LineKind::Credit));
        assert_eq!(LineKind::parse("gift"), None);
        assert!(LineKind::Discount.is_allowance() && LineKind::Coupon.is_allowance());
        assert!(!LineKind::Proration.is_allowance());
    }
}
