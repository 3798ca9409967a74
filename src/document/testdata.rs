//! Sample documents for the unit tests: an invoice with 19 % and 7 % lines, a discount and a coupon
//! (one line per rate each, as billing writes them), its full credit note, and a reverse-charge invoice.

use chrono::{DateTime, TimeZone, Utc};
use rust_decimal::Decimal;
use std::str::FromStr;

use super::model::*;

pub fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap_or_else(|_| panic!("decimal literal {s}"))
}

pub fn at(y: i32, m: u32, day: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, day, h, 0, 0).single().unwrap_or_else(|| panic!("instant {y}-{m}-{day}"))
}

pub fn seller() -> Seller {
    Seller {
        name: "Muster Software GmbH".into(),
        address: "Hauptstraße 1".into(),
        address_2: Some("Aufgang B".into()),
        zipcode: "10115".into(),
        city: "Berlin".into(),
        country_code: "DE".into(),
        vat_id: Some("DE123456789".into()),
        tax_id: Some("30/123/45678".into()),
        email: Some("billing@muster.example".into()),
        phone: Some("+49 30 1234567".into()),
        iban: Some("DE02120300000000202051".into()),
        bic: Some("BYLADEM1001".into()),
        bank_name: Some("Deutsche Kreditbank".into()),
    }
}

fn line(
    position: u32,
    kind: LineKind,
    description: &str,
    qty: &str,
    price: &str,
    vat: &str,
    net: &str,
) -> DocumentLine {
    DocumentLine {
        position,
        article_number: (!kind.is_allowance()).then(|| format!("ART-{position}")),
        description: description.into(),
        quantity: d(qty),
        unit_price: d(price),
        vat_percent: d(vat),
        net: d(net),
        kind,
    }
}

/// 19 %: 49 + 16.50 + 10 - 6.55 - 4.34 = 64.61, VAT 12.28; 7 %: 10 - 1 - 0.66 = 8.34, VAT 0.58.
pub fn invoice() -> InvoiceDocument {
    InvoiceDocument {
        kind: DocumentKind::Invoice,
        number: "RE-2025-00042".into(),
        invoice_date: at(2025, 1, 31, 23),
        due_date: Some(at(2025, 2, 14, 23)),
        service_period: Some(ServicePeriod { start: at(2025, 1, 31, 23), end: at(2025, 2, 28, 23) }),
        currency: "EUR".into(),
        language: Language::De,
        timezone: "Europe/Berlin".into(),
        seller: seller(),
        buyer: Buyer {
            customer_number: Some("K-1001".into()),
            organization: Some("Beispiel AG".into()),
            first_name: Some("Erika".into()),
            last_name: Some("Mustermann".into()),
            address: Some("Lindenallee 5".into()),
            zipcode: Some("80331".into()),
            city: Some("München".into()),
            country_code: "DE".into(),
            email: Some("erika@beispiel.example".into()),
            ..Buyer::default()
        },
        lines: vec![
            line(1, LineKind::Plan, "Pro plan <monthly> & more", "1", "49.00", "19", "49.00"),
            line(2, LineKind::Addon, "Extra seats", "3", "5.50", "19", "16.50"),
            line(3, LineKind::Addon, "Magazine print edition", "1", "10.00", "7", "10.00"),
            line(4, LineKind::Usage, "API calls (per 1,000)", "12.5", "0.80", "19", "10.00"),
            line(5, LineKind::Discount, "Loyalty discount 10 %", "1", "-6.55", "19", "-6.55"),
            line(6, LineKind::Discount, "Loyalty discount 10 %", "1", "-1.00", "7", "-1.00"),
            line(7, LineKind::Coupon, "Coupon SPRING", "1", "-4.34", "19", "-4.34"),
            line(8, LineKind::Coupon, "Coupon SPRING", "1", "-0.66", "7", "-0.66"),
        ],
        vat_items: vec![
            VatItem { rate: d("7"), net: d("8.34"), vat: d("0.58") },
            VatItem { rate: d("19"), net: d("64.61"), vat: d("12.28") },
        ],
        sub_total: d("72.95"),
        vat_total: d("12.86"),
        total: d("85.81"),
        related_invoice_number: None,
        related_invoice_date: None,
        payment_days: Some(14),
        vat_exemption_reason: None,
        invoice_title: Some("Abonnement Januar/Februar".into()),
        intro_text: None,
        invoice_footer: Some(
            "Muster Software GmbH · Amtsgericht Charlottenburg HRB 12345 · Geschäftsführerin: A. Muster".into(),
        ),
    }
}

/// The full credit note of [`invoice`]: negative amounts, as on the wire.
pub fn credit_note() -> InvoiceDocument {
    let original = invoice();
    let negate = |l: &DocumentLine| DocumentLine { unit_price: -l.unit_price, net: -l.net, ..l.clone() };
    InvoiceDocument {
        kind: DocumentKind::CreditNote,
        number: "GS-2025-00007".into(),
        invoice_date: at(2025, 2, 10, 9),
        related_invoice_number: Some(original.number.clone()),
        related_invoice_date: Some(original.invoice_date),
        lines: original.lines.iter().map(negate).collect(),
        vat_items: original.vat_items.iter().map(|v| VatItem { rate: v.rate, net: -v.net, vat: -v.vat }).collect(),
        sub_total: -original.sub_total,
        vat_total: -original.vat_total,
        total: -original.total,
        language: Language::En,
        ..original
    }
}

/// A 0 % B2B invoice from Germany to a French business with a VAT id.
pub fn reverse_charge() -> InvoiceDocument {
    InvoiceDocument {
        number: "RE-2025-00043".into(),
        language: Language::En,
        buyer: Buyer {
            organization: Some("Exemple SARL".into()),
            address: Some("12 rue de la Paix".into()),
            zipcode: Some("75002".into()),
            city: Some("Paris".into()),
            country_code: "FR".into(),
            vat_id: Some("FR40303265045".into()),
            ..Buyer::default()
        },
        lines: vec![line(1, LineKind::Plan, "Enterprise plan", "1", "500.00", "0", "500.00")],
        vat_items: vec![VatItem { rate: d("0"), net: d("500.00"), vat: d("0.00") }],
        sub_total: d("500.00"),
        vat_total: d("0.00"),
        total: d("500.00"),
        ..invoice()
    }
}
