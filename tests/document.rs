//! The renderings of `recur::document` judged by the real external checkers
//! (`common/document_checkers.rs`): the Factur-X EN 16931 XSD, the extraction of the embedded XML,
//! the official EN 16931 schematron and `pdftotext` for the PDF's text.

#[path = "common/document_checkers.rs"]
mod document_checkers;

use std::str::FromStr;

use chrono::{DateTime, TimeZone, Utc};
use recur::document::{
    Buyer, DocumentKind, DocumentLine, InvoiceDocument, Language, LineKind, Seller, ServicePeriod, VatItem, pdf, xml,
};
use rust_decimal::Decimal;

use self::document_checkers::{assert_shows, check_files, element, tools_ready};

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap_or_else(|_| panic!("decimal literal {s}"))
}

fn at(y: i32, m: u32, day: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, day, h, 0, 0).single().unwrap_or_else(|| panic!("instant {y}-{m}-{day}"))
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
    let (quantity, unit_price, vat_percent, net) = (d(qty), d(price), d(vat), d(net));
    let article_number = Some(format!("ART-{position}"));
    DocumentLine {
        position,
        article_number,
        description: description.into(),
        quantity,
        unit_price,
        vat_percent,
        net,
        kind,
    }
}

/// Two VAT rates (19 %, 7 %), a discount and a coupon, each as one negative line per rate.
fn invoice() -> InvoiceDocument {
    InvoiceDocument {
        kind: DocumentKind::Invoice,
        number: "RE-2025-00001".into(),
        invoice_date: at(2025, 3, 1, 8),
        due_date: Some(at(2025, 3, 15, 8)),
        service_period: Some(ServicePeriod { start: at(2025, 2, 28, 23), end: at(2025, 3, 31, 22) }),
        currency: "EUR".into(),
        language: Language::De,
        timezone: "Europe/Berlin".into(),
        seller: Seller {
            name: "Muster Software GmbH".into(),
            address: "Hauptstraße 1".into(),
            zipcode: "10115".into(),
            city: "Berlin".into(),
            country_code: "DE".into(),
            vat_id: Some("DE123456789".into()),
            email: Some("billing@muster.example".into()),
            iban: Some("DE02120300000000202051".into()),
            bic: Some("BYLADEM1001".into()),
            ..Seller::default()
        },
        buyer: Buyer {
            customer_number: Some("K-1001".into()),
            organization: Some("Beispiel AG".into()),
            last_name: Some("Mustermann".into()),
            address: Some("Lindenallee 5".into()),
            zipcode: Some("80331".into()),
            city: Some("München".into()),
            country_code: "DE".into(),
            ..Buyer::default()
        },
        lines: vec![
            line(1, LineKind::Plan, "Pro plan", "1", "49.00", "19", "49.00"),
            line(2, LineKind::Addon, "Extra seats", "3", "5.50", "19", "16.50"),
            line(3, LineKind::Addon, "Print edition", "1", "10.00", "7", "10.00"),
            line(4, LineKind::Discount, "Loyalty discount 10 %", "1", "-6.55", "19", "-6.55"),
            line(5, LineKind::Discount, "Loyalty discount 10 %", "1", "-1.00", "7", "-1.00"),
            line(6, LineKind::Coupon, "Coupon SPRING", "1", "-4.34", "19", "-4.34"),
            line(7, LineKind::Coupon, "Coupon SPRING", "1", "-0.66", "7", "-0.66"),
        ],
        vat_items: vec![
            VatItem { rate: d("7"), net: d("8.34"), vat: d("0.58") },
            VatItem { rate: d("19"), net: d("54.61"), vat: d("10.38") },
        ],
        sub_total: d("62.95"),
        vat_total: d("10.96"),
        total: d("73.91"),
        related_invoice_number: None,
        related_invoice_date: None,
        payment_days: Some(14),
        vat_exemption_reason: None,
        invoice_title: None,
        intro_text: None,
        invoice_footer: Some("Amtsgericht Charlottenburg HRB 12345".into()),
    }
}

/// The full credit note of [`invoice`], negative as on the wire, in English.
fn credit_note() -> InvoiceDocument {
    let original = invoice();
    let negate = |l: &DocumentLine| DocumentLine { unit_price: -l.unit_price, net: -l.net, ..l.clone() };
    InvoiceDocument {
        kind: DocumentKind::CreditNote,
        number: "GS-2025-00001".into(),
        invoice_date: at(2025, 3, 20, 10),
        language: Language::En,
        related_invoice_number: Some(original.number.clone()),
        related_invoice_date: Some(original.invoice_date),
        lines: original.lines.iter().map(negate).collect(),
        vat_items: original.vat_items.iter().map(|v| VatItem { rate: v.rate, net: -v.net, vat: -v.vat }).collect(),
        sub_total: -original.sub_total,
        vat_total: -original.vat_total,
        total: -original.total,
        ..original
    }
}

/// 0 % to a French business with a VAT id: reverse charge (AE).
fn reverse_charge() -> InvoiceDocument {
    let buyer = Buyer {
        organization: Some("Exemple SARL".into()),
        city: Some("Paris".into()),
        country_code: "FR".into(),
        vat_id: Some("FR40303265045".into()),
        ..Buyer::default()
    };
    InvoiceDocument {
        number: "RE-2025-00002".into(),
        language: Language::En,
        buyer,
        lines: vec![line(1, LineKind::Plan, "Enterprise plan", "2", "250.00", "0", "500.00")],
        vat_items: vec![VatItem { rate: d("0"), net: d("500.00"), vat: d("0.00") }],
        sub_total: d("500.00"),
        vat_total: d("0.00"),
        total: d("500.00"),
        ..invoice()
    }
}

/// A small business (§ 19 UStG): only a tax number, 0 % with an exemption reason (category E).
fn small_business() -> InvoiceDocument {
    let seller = Seller { vat_id: None, tax_id: Some("30/123/45678".into()), ..invoice().seller };
    let reason = "Kein Ausweis von Umsatzsteuer, da Kleinunternehmer gemäß § 19 UStG.";
    InvoiceDocument { seller, vat_exemption_reason: Some(reason.into()), buyer: invoice().buyer, ..reverse_charge() }
}

/// The decimal in the first `<name ...>` element after `from`.
fn amount(xml: &str, from: &str, name: &str) -> Decimal {
    d(element(xml, from, name))
}

/// The XML's summation and VAT breakdown equal the document's figures, positive, to the cent.
fn assert_totals(xml: &str, doc: &InvoiceDocument) {
    let sum = "<ram:SpecifiedTradeSettlementHeaderMonetarySummation>";
    let items: Decimal = doc.lines.iter().filter(|l| !l.kind.is_allowance()).map(|l| l.net).sum();
    let allowances: Decimal = doc.lines.iter().filter(|l| l.kind.is_allowance()).map(|l| l.net).sum();
    assert_eq!(amount(xml, sum, "ram:LineTotalAmount"), items.abs());
    assert_eq!(amount(xml, sum, "ram:AllowanceTotalAmount"), allowances.abs());
    assert_eq!(amount(xml, sum, "ram:TaxBasisTotalAmount"), doc.sub_total.abs());
    assert_eq!(amount(xml, sum, "ram:TaxTotalAmount"), doc.vat_total.abs());
    assert_eq!(amount(xml, sum, "ram:GrandTotalAmount"), doc.total.abs());
    assert_eq!(amount(xml, sum, "ram:DuePayableAmount"), doc.total.abs());
    let mut from = 0;
    for item in &doc.vat_items {
        // Only the breakdown's ApplicableTradeTax has a CalculatedAmount (the lines' have none).
        let at = xml[from..].find("<ram:CalculatedAmount>").map(|i| from + i);
        let at = at.unwrap_or_else(|| panic!("no VAT breakdown for {} %", item.rate));
        assert_eq!(amount(&xml[at..], "<", "ram:CalculatedAmount"), item.vat.abs());
        assert_eq!(amount(&xml[at..], "<", "ram:BasisAmount"), item.net.abs());
        assert_eq!(amount(&xml[at..], "<", "ram:RateApplicablePercent"), item.rate);
        from = at + 1;
    }
}

/// Renders `doc`, runs every checker on it, compares the XML's totals with the document's, and
/// answers the PDF's text.
fn check(test: &str, doc: &InvoiceDocument, type_code: &str) -> Option<String> {
    if !tools_ready(test) {
        return None;
    }
    let xml_bytes = xml(doc).unwrap_or_else(|e| panic!("xml: {e}"));
    let pdf_bytes = pdf(doc).unwrap_or_else(|e| panic!("pdf: {e}"));
    let checked = check_files(test, &xml_bytes, &pdf_bytes, type_code);
    assert_totals(&checked.xml, doc);
    Some(checked.pdf_text)
}

#[test]
fn an_invoice_with_two_rates_a_discount_and_a_coupon_passes_the_en16931_checkers() {
    let Some(text) = check("invoice", &invoice(), "380") else { return };
    assert_shows(&text, &["Rechnung RE-2025-00001", "73,91 EUR", "DE123456789", "DE02120300000000202051"]);
    assert_shows(&text, &["Leistungszeitraum", "01.03.2025 – 31.03.2025", "Rabatt: Loyalty discount", "Gutschein:"]);
}

#[test]
fn a_credit_note_is_381_with_positive_amounts_and_passes_the_checkers() {
    let Some(text) = check("credit note", &credit_note(), "381") else { return };
    assert_shows(&text, &["Credit note GS-2025-00001", "-73.91 EUR", "DE123456789", "RE-2025-00001"]);
    assert!(!text.contains("Gutschrift"));
}

#[test]
fn a_reverse_charge_b2b_invoice_passes_the_checkers() {
    let Some(text) = check("reverse charge", &reverse_charge(), "380") else { return };
    assert_shows(&text, &["Invoice RE-2025-00002", "500.00 EUR", "DE123456789", "DE02120300000000202051"]);
    assert_shows(&text, &["Reverse charge", "FR40303265045"]);
}

#[test]
fn a_small_business_invoice_without_vat_id_passes_the_checkers() {
    let Some(text) = check("small business", &small_business(), "380") else { return };
    assert_shows(&text, &["Invoice RE-2025-00002", "500.00 EUR", "Tax number: 30/123/45678", "§ 19 UStG"]);
    assert!(!text.contains("Reverse charge"));
}
