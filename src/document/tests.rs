//! Unit tests over whole renderings of the sample documents (the external validators run in
//! `tests/document.rs`).

use super::testdata::{credit_note, d, invoice, reverse_charge};
use super::*;

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| panic!("not UTF-8: {e}"))
}

/// The text of the first `<name>` element.
fn element<'a>(xml: &'a str, name: &str) -> &'a str {
    let open = format!("<{name}>");
    let start = xml.find(&open).unwrap_or_else(|| panic!("no {name} in the XML")) + open.len();
    let end = xml[start..].find('<').map_or(xml.len(), |i| start + i);
    &xml[start..end]
}

#[test]
fn the_invoice_xml_carries_the_totals_and_moves_discounts_to_allowances() -> Result<(), DocumentError> {
    let xml = text(xml(&invoice())?);
    assert_eq!(element(&xml, "ram:TypeCode"), "380");
    assert_eq!(element(&xml, "ram:ID"), "urn:cen.eu:en16931:2017");
    assert_eq!(element(&xml, "ram:LineTotalAmount"), "49.00", "first line");
    assert!(xml.contains("<ram:LineTotalAmount>85.50</ram:LineTotalAmount>\n"), "header line total");
    assert_eq!(element(&xml, "ram:AllowanceTotalAmount"), "12.55");
    assert_eq!(element(&xml, "ram:TaxBasisTotalAmount"), "72.95");
    assert!(xml.contains(r#"<ram:TaxTotalAmount currencyID="EUR">12.86</ram:TaxTotalAmount>"#));
    assert_eq!(element(&xml, "ram:GrandTotalAmount"), "85.81");
    assert_eq!(element(&xml, "ram:DuePayableAmount"), "85.81");
    assert_eq!(xml.matches("<ram:IncludedSupplyChainTradeLineItem>").count(), 4);
    assert_eq!(xml.matches("<ram:SpecifiedTradeAllowanceCharge>").count(), 4);
    assert!(!xml.contains("<ram:LineTotalAmount>-"), "no negative line net");
    assert!(xml.contains("Pro plan &lt;monthly&gt; &amp; more"), "escaped");
    assert!(xml.contains(r#"<ram:ID schemeID="VA">DE123456789</ram:ID>"#));
    assert!(xml.contains(r#"<ram:ID schemeID="FC">30/123/45678</ram:ID>"#));
    assert_eq!(element(&xml, "ram:IBANID"), "DE02120300000000202051");
    Ok(())
}

#[test]
fn dates_are_tenant_timezone_dates_in_format_102() -> Result<(), DocumentError> {
    // 2025-01-31 23:00 UTC is 1 February in Berlin; the period ends at local midnight of 1 March.
    let xml = text(xml(&invoice())?);
    assert!(xml.contains(r#"<udt:DateTimeString format="102">20250201</udt:DateTimeString>"#));
    assert!(xml.contains("<ram:EndDateTime>\n"));
    assert!(xml.contains(r#"<udt:DateTimeString format="102">20250228</udt:DateTimeString>"#));
    assert!(xml.contains(r#"<udt:DateTimeString format="102">20250215</udt:DateTimeString>"#), "due date");
    Ok(())
}

#[test]
fn a_credit_note_is_381_with_positive_amounts_and_names_the_invoice() -> Result<(), DocumentError> {
    let xml = text(xml(&credit_note())?);
    assert_eq!(element(&xml, "ram:TypeCode"), "381");
    assert_eq!(element(&xml, "ram:GrandTotalAmount"), "85.81");
    assert_eq!(element(&xml, "ram:AllowanceTotalAmount"), "12.55");
    assert!(!xml.contains(">-"), "no negative amount or quantity: {xml}");
    assert!(xml.contains("<ram:IssuerAssignedID>RE-2025-00042</ram:IssuerAssignedID>"));
    assert!(xml.contains("corrects invoice RE-2025-00042"));
    assert!(!xml.contains("<ram:IBANID>"), "a credit note names no payee account");
    Ok(())
}

#[test]
fn reverse_charge_is_category_ae_with_its_reason() -> Result<(), DocumentError> {
    let xml = text(xml(&reverse_charge())?);
    assert!(xml.contains("<ram:CategoryCode>AE</ram:CategoryCode>"));
    assert!(xml.contains("<ram:ExemptionReasonCode>VATEX-EU-AE</ram:ExemptionReasonCode>"));
    assert!(xml.contains(r#"<ram:ID schemeID="VA">FR40303265045</ram:ID>"#));
    let page = html(&reverse_charge())?;
    assert!(page.contains("Reverse charge: the recipient of the service is liable for the VAT."));
    Ok(())
}

#[test]
fn a_negative_line_keeps_a_positive_price_and_gets_a_negative_quantity() -> Result<(), DocumentError> {
    let mut doc = invoice();
    doc.lines[3] = DocumentLine {
        kind: LineKind::Proration,
        quantity: d("1"),
        unit_price: d("-10.00"),
        net: d("-10.00"),
        ..doc.lines[3].clone()
    };
    doc.lines[0].unit_price = d("69.00");
    doc.lines[0].net = d("69.00");
    let xml = text(xml(&doc)?);
    assert!(xml.contains(r#"<ram:BilledQuantity unitCode="C62">-1</ram:BilledQuantity>"#));
    assert!(xml.contains("<ram:LineTotalAmount>-10.00</ram:LineTotalAmount>"));
    assert!(!xml.contains("<ram:ChargeAmount>-"));
    Ok(())
}

#[test]
fn yen_amounts_have_no_decimals() -> Result<(), DocumentError> {
    let doc = InvoiceDocument {
        currency: "JPY".into(),
        lines: vec![DocumentLine {
            unit_price: d("1235"),
            net: d("2470"),
            quantity: d("2"),
            ..invoice().lines[0].clone()
        }],
        vat_items: vec![VatItem { rate: d("19"), net: d("2470"), vat: d("469") }],
        sub_total: d("2470"),
        vat_total: d("469"),
        total: d("2939"),
        ..invoice()
    };
    let xml = text(xml(&doc)?);
    assert_eq!(element(&xml, "ram:GrandTotalAmount"), "2939");
    assert!(xml.contains(r#"<ram:TaxTotalAmount currencyID="JPY">469</ram:TaxTotalAmount>"#));
    assert!(html(&doc)?.contains("2.939 JPY"));
    Ok(())
}

#[test]
fn totals_that_are_not_the_sum_of_the_lines_are_refused() {
    let mut doc = invoice();
    doc.total = d("85.82");
    assert!(matches!(xml(&doc), Err(DocumentError::Inconsistent(_))));
    let mut doc = invoice();
    doc.vat_items[0].net = d("8.35");
    assert!(matches!(pdf(&doc), Err(DocumentError::Inconsistent(_))));
}

#[test]
fn a_seller_without_required_fields_gets_no_document() {
    let mut doc = invoice();
    doc.seller.city = " ".into();
    for result in [xml(&doc).map(|_| ()), html(&doc).map(|_| ()), pdf(&doc).map(|_| ())] {
        assert!(matches!(result, Err(DocumentError::Missing("SELLER.CITY"))), "{result:?}");
    }
    let mut note = credit_note();
    note.related_invoice_number = None;
    assert!(matches!(xml(&note), Err(DocumentError::Missing("RELATED_INVOICE_NUMBER"))));
}

#[test]
fn the_html_is_escaped_and_worded_by_language() -> Result<(), DocumentError> {
    let page = html(&invoice())?;
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains(r#"<html lang="de">"#));
    assert!(page.contains("Rechnung RE-2025-00042"));
    assert!(page.contains("Pro plan &lt;monthly&gt; &amp; more"), "escaped");
    assert!(!page.contains("<monthly>"));
    assert!(
        page.contains("85,81 EUR") && page.contains("Leistungszeitraum") && page.contains("01.02.2025 – 28.02.2025")
    );
    assert!(page.contains("Rabatt: Loyalty discount 10 %") && page.contains("Gutschein: Coupon SPRING"));
    assert!(page.contains("Zahlbar innerhalb von 14 Tagen ohne Abzug bis zum 15.02.2025."));
    assert!(page.contains("IBAN: DE02120300000000202051"));
    let note = html(&credit_note())?;
    assert!(note.contains("Credit note GS-2025-00007") && note.contains("-85.81 EUR"));
    assert!(note.contains("This credit note corrects invoice RE-2025-00042 of 1 February 2025."));
    assert!(!note.contains("Gutschrift"));
    Ok(())
}

#[test]
fn the_html_style_is_allowed_by_its_csp_hash() {
    assert!(html_csp().starts_with("default-src 'none'; style-src 'sha256-"));
}

#[test]
fn rendering_twice_gives_the_same_bytes() -> Result<(), DocumentError> {
    for doc in [invoice(), credit_note(), reverse_charge()] {
        assert_eq!(xml(&doc)?, xml(&doc)?);
        assert_eq!(html(&doc)?, html(&doc)?);
        assert_eq!(pdf(&doc)?, pdf(&doc)?);
    }
    Ok(())
}

#[test]
fn the_pdf_is_pdf_a_3_with_the_factur_x_attachment_and_xmp() -> Result<(), DocumentError> {
    let bytes = pdf(&invoice())?;
    let raw = String::from_utf8_lossy(&bytes);
    assert!(raw.starts_with("%PDF-1.7"), "{}", &raw[..20]);
    assert!(raw.contains("factur-x.xml") && raw.contains("/AFRelationship/Alternative"));
    assert!(raw.contains("<pdfaid:part>3</pdfaid:part>"));
    assert!(raw.contains("<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>"));
    assert!(raw.trim_end().ends_with("%%EOF"));
    let newest_xmp = raw.rsplit("<?xpacket begin").next().unwrap_or_default();
    assert_eq!(newest_xmp.matches("<pdfaExtension:schemas>").count(), 1, "one extension bag");
    assert!(newest_xmp.contains("<pdfaSchema:prefix>fx</pdfaSchema:prefix>"));
    Ok(())
}

fn long_invoice() -> InvoiceDocument {
    let mut doc = invoice();
    let usage = doc.lines[3].clone();
    let extra: Vec<DocumentLine> = (9..=70)
        .map(|position| DocumentLine {
            position,
            description: format!("Usage line {position} with a description long enough to wrap onto a second line"),
            quantity: d("1"),
            unit_price: d("0.00"),
            net: d("0.00"),
            ..usage.clone()
        })
        .collect();
    doc.lines.extend(extra);
    doc
}

#[test]
fn a_long_invoice_breaks_into_pages() -> Result<(), DocumentError> {
    let raw = String::from_utf8_lossy(&pdf(&long_invoice())?).into_owned();
    let count = raw.split("/Count ").nth(1).and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next());
    assert!(count.and_then(|c| c.parse::<u32>().ok()).is_some_and(|pages| pages >= 3), "{count:?}");
    Ok(())
}

#[test]
fn file_names_are_the_number_made_safe() {
    assert_eq!(file_name(&invoice(), "pdf"), "RE-2025-00042.pdf");
    let doc = InvoiceDocument { number: "RE/2025 \"1\"".into(), ..invoice() };
    assert_eq!(file_name(&doc, "xml"), "RE_2025__1_.xml");
}

#[test]
#[ignore = "writes the sample renderings to $RECUR_DOCUMENT_OUT for a look"]
fn write_samples() -> Result<(), DocumentError> {
    let dir = std::env::var("RECUR_DOCUMENT_OUT").unwrap_or_else(|_| "target/document-samples".into());
    std::fs::create_dir_all(&dir).map_err(|e| DocumentError::Pdf(e.to_string()))?;
    let small_business = InvoiceDocument {
        seller: Seller { vat_id: None, ..invoice().seller },
        vat_exemption_reason: Some("Kein Ausweis von Umsatzsteuer, da Kleinunternehmer gemäß § 19 UStG.".into()),
        buyer: Buyer { vat_id: None, country_code: "DE".into(), ..reverse_charge().buyer },
        ..reverse_charge()
    };
    let yen = InvoiceDocument {
        currency: "JPY".into(),
        lines: vec![DocumentLine {
            unit_price: d("1235"),
            net: d("2470"),
            quantity: d("2"),
            ..invoice().lines[0].clone()
        }],
        vat_items: vec![VatItem { rate: d("19"), net: d("2470"), vat: d("469") }],
        sub_total: d("2470"),
        vat_total: d("469"),
        total: d("2939"),
        ..invoice()
    };
    let samples = [
        ("invoice", invoice()),
        ("credit-note", credit_note()),
        ("reverse-charge", reverse_charge()),
        ("small-business", small_business),
        ("yen", yen),
        ("long", long_invoice()),
    ];
    for (name, doc) in samples {
        let write = |ext: &str, bytes: &[u8]| std::fs::write(format!("{dir}/{name}.{ext}"), bytes);
        write("xml", &xml(&doc)?)
            .and(write("html", html(&doc)?.as_bytes()))
            .and(write("pdf", &pdf(&doc)?))
            .map_err(|e| DocumentError::Pdf(e.to_string()))?;
    }
    Ok(())
}
