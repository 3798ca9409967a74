//! The VAT category of each rate (EN 16931 BT-118, UNTDID 5305), shared by the XML and the human-readable
//! documents so that both say the same.
//!
//! The rule, first match wins:
//! - rate > 0: `S` (standard rated);
//! - rate 0, seller and buyer in two different EU member states, both with a VAT id: `AE`, reverse
//!   charge (Art. 196 of Directive 2006/112/EC, § 13b UStG), exemption code `VATEX-EU-AE`; the document
//!   says so in words as the law requires;
//! - rate 0 and the document carries a `vat_exemption_reason` (e.g. § 19 UStG small business): `E` with
//!   that reason;
//! - rate 0 otherwise: `Z` (zero rated).
//!
//! Exports of goods (`G`) and supplies outside the scope of VAT (`O`) are not derived: the stored
//! invoice does not say whether goods left the EU, and `O` forbids the seller VAT id EN 16931 needs
//! elsewhere. A tenant that needs them sets a reason and gets `E`.

use rust_decimal::Decimal;

use super::model::{InvoiceDocument, given};

/// EU member states (ISO 3166-1; Greece is `GR` here and `EL` only in VAT ids).
const EU: [&str; 27] = [
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU", "LV",
    "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
];

/// A VAT category code of EN 16931.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Category {
    Standard,
    ZeroRated,
    Exempt,
    ReverseCharge,
}

impl Category {
    /// The UNTDID 5305 code.
    pub fn code(self) -> &'static str {
        match self {
            Category::Standard => "S",
            Category::ZeroRated => "Z",
            Category::Exempt => "E",
            Category::ReverseCharge => "AE",
        }
    }
}

fn in_eu(country: &str) -> bool {
    EU.contains(&country.trim().to_ascii_uppercase().as_str())
}

/// Whether a 0 % supply to this buyer is an intra-EU reverse-charge supply.
fn reverse_charge_applies(doc: &InvoiceDocument) -> bool {
    let seller = doc.seller.country_code.trim();
    let buyer = doc.buyer.country_code.trim();
    given(&doc.seller.vat_id).is_some()
        && given(&doc.buyer.vat_id).is_some()
        && in_eu(seller)
        && in_eu(buyer)
        && !seller.eq_ignore_ascii_case(buyer)
}

/// The category of one VAT rate of `doc` (the rule of this module's docs).
pub fn category(doc: &InvoiceDocument, rate: Decimal) -> Category {
    if rate > Decimal::ZERO {
        Category::Standard
    } else if reverse_charge_applies(doc) {
        Category::ReverseCharge
    } else if given(&doc.vat_exemption_reason).is_some() {
        Category::Exempt
    } else {
        Category::ZeroRated
    }
}

/// Whether any rate of `doc` is reverse charge, so the document must say so.
pub fn has_reverse_charge(doc: &InvoiceDocument) -> bool {
    doc.vat_items.iter().any(|item| category(doc, item.rate) == Category::ReverseCharge)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::model::{Buyer, DocumentKind, Language, Seller, VatItem};
    use chrono::DateTime;

    fn doc(seller_country: &str, buyer_country: &str, buyer_vat: Option<&str>) -> InvoiceDocument {
        InvoiceDocument {
            kind: DocumentKind::Invoice,
            number: "RE-1".into(),
            invoice_date: DateTime::UNIX_EPOCH,
            due_date: None,
            service_period: None,
            currency: "EUR".into(),
            language: Language::De,
            timezone: "Europe/Berlin".into(),
            seller: Seller {
                country_code: seller_country.into(),
                vat_id: Some("DE123456789".into()),
                ..Seller::default()
            },
            buyer: Buyer { country_code: buyer_country.into(), vat_id: buyer_vat.map(Into::into), ..Buyer::default() },
            lines: vec![],
            vat_items: vec![VatItem { rate: Decimal::ZERO, net: Decimal::ONE, vat: Decimal::ZERO }],
            sub_total: Decimal::ONE,
            vat_total: Decimal::ZERO,
            total: Decimal::ONE,
            related_invoice_number: None,
            related_invoice_date: None,
            payment_days: None,
            vat_exemption_reason: None,
            invoice_title: None,
            intro_text: None,
            invoice_footer: None,
        }
    }

    #[test]
    fn a_positive_rate_is_standard() {
        assert_eq!(category(&doc("DE", "FR", Some("FR12345678901")), Decimal::from(19)), Category::Standard);
    }

    #[test]
    fn zero_percent_to_a_business_in_another_eu_state_is_reverse_charge() {
        let d = doc("DE", "fr", Some("FR12345678901"));
        assert_eq!(category(&d, Decimal::ZERO), Category::ReverseCharge);
        assert!(has_reverse_charge(&d));
        assert_eq!(Category::ReverseCharge.code(), "AE");
    }

    #[test]
    fn zero_percent_without_reverse_charge_is_zero_rated_or_exempt() {
        assert_eq!(category(&doc("DE", "DE", Some("DE999999999")), Decimal::ZERO), Category::ZeroRated);
        assert_eq!(category(&doc("DE", "FR", None), Decimal::ZERO), Category::ZeroRated);
        assert_eq!(category(&doc("DE", "US", Some("US-123")), Decimal::ZERO), Category::ZeroRated);
        let mut small = doc("DE", "DE", None);
        small.vat_exemption_reason = Some("Kleinunternehmer, § 19 UStG".into());
        assert_eq!(category(&small, Decimal::ZERO), Category::Exempt);
        assert!(!has_reverse_charge(&small));
    }
}
