//! The renderings of `recur::document` judged by the real external checkers, run as processes:
//! the Factur-X EN 16931 XSD and the extraction of the embedded XML (Python `factur-x`), the official
//! EN 16931 schematron (`../shared/en16931-validation/validate.py`, Saxon via `saxonche`), and
//! `pdftotext` (poppler-utils) for the PDF's text.
//!
//! A missing checker fails the test with how to install it (`.ci/install-document-tools`), unless
//! `RECUR_SKIP_DOCUMENT_TOOLS=1`, which skips with a visible line instead.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::str::FromStr;

use chrono::{DateTime, TimeZone, Utc};
use recur::document::{
    Buyer, DocumentKind, DocumentLine, InvoiceDocument, Language, LineKind, Seller, ServicePeriod, VatItem, pdf, xml,
};
use rust_decimal::Decimal;

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

const INSTALL: &str = "install the document checkers with `.ci/install-document-tools` \
    (apt-get install poppler-utils; pip install factur-x saxonche), or set RECUR_SKIP_DOCUMENT_TOOLS=1 to skip";

fn validate_py() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/en16931-validation/validate.py")
}

/// Whether the checkers are there; a missing one fails the test unless skipping was asked for.
fn tools_ready(test: &str) -> bool {
    let ok = |program: &str, args: &[&str]| Command::new(program).args(args).output().is_ok_and(|o| o.status.success());
    let missing: Vec<&str> = [
        ("pdftotext", ok("pdftotext", &["-v"])),
        ("python3 with factur-x", ok("python3", &["-c", "import facturx"])),
        ("python3 with saxonche", ok("python3", &["-c", "import saxonche"])),
        ("../shared/en16931-validation/validate.py", validate_py().is_file()),
    ]
    .into_iter()
    .filter_map(|(name, present)| (!present).then_some(name))
    .collect();
    if missing.is_empty() {
        return true;
    }
    if std::env::var("RECUR_SKIP_DOCUMENT_TOOLS").is_ok_and(|v| v == "1") {
        // Written to the process's stderr directly, past libtest's capture, so `cargo test` shows it.
        let line = format!("SKIPPED {test}: RECUR_SKIP_DOCUMENT_TOOLS=1 and missing: {}\n", missing.join(", "));
        let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
        return false;
    }
    panic!("missing document checkers: {}; {INSTALL}", missing.join(", "));
}

/// Runs a command; panics with its output unless it exits 0.
fn run(what: &str, command: &mut Command) -> String {
    let output = command.output().unwrap_or_else(|e| panic!("{what}: cannot start: {e}; {INSTALL}"));
    let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "{what} failed ({}):\n{stdout}\n{stderr}", output.status);
    stdout.into_owned()
}

/// The decimal in the first `<name ...>` element after `from`.
fn amount(xml: &str, from: &str, name: &str) -> Decimal {
    let start = xml.find(from).unwrap_or_else(|| panic!("no {from}"));
    let open = xml[start..].find(&format!("<{name}")).map(|i| start + i).unwrap_or_else(|| panic!("no {name}"));
    let text_start = xml[open..].find('>').map(|i| open + i + 1).unwrap_or_else(|| panic!("unclosed {name}"));
    let text_end = xml[text_start..].find('<').map(|i| text_start + i).unwrap_or_else(|| panic!("no end of {name}"));
    d(&xml[text_start..text_end])
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

/// Renders `doc`, runs every checker on it, and answers the PDF's text.
fn check(test: &str, doc: &InvoiceDocument, type_code: &str) -> Option<String> {
    if !tools_ready(test) {
        return None;
    }
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let (xml_path, pdf_path, extracted) =
        (dir.path().join("doc.xml"), dir.path().join("doc.pdf"), dir.path().join("x.xml"));
    let xml_bytes = xml(doc).unwrap_or_else(|e| panic!("xml: {e}"));
    std::fs::write(&xml_path, &xml_bytes)
        .and(std::fs::write(&pdf_path, pdf(doc).unwrap_or_else(|e| panic!("pdf: {e}"))))
        .unwrap_or_else(|e| panic!("write: {e}"));

    let script = "import sys, facturx\n\
        facturx.xml_check_xsd(open(sys.argv[1], 'rb').read(), flavor='factur-x', level='en16931')\n\
        name, xml = facturx.get_facturx_xml_from_pdf(open(sys.argv[2], 'rb').read(), check_xsd=False)\n\
        assert name == 'factur-x.xml', name\n\
        open(sys.argv[3], 'wb').write(xml)";
    run(
        "factur-x XSD check and extraction",
        Command::new("python3").args(["-c", script]).args([&xml_path, &pdf_path, &extracted]),
    );
    let report =
        run("EN 16931 schematron (validate.py)", Command::new("python3").arg(validate_py()).arg("-w").arg(&xml_path));
    eprintln!("{test}: {}", report.trim());
    assert_eq!(std::fs::read(&extracted).ok(), Some(xml_bytes.clone()), "the embedded XML is the xml() rendering");

    let xml_text = String::from_utf8(xml_bytes).unwrap_or_else(|e| panic!("xml is not UTF-8: {e}"));
    assert!(xml_text.contains(&format!("<ram:TypeCode>{type_code}</ram:TypeCode>")));
    assert_totals(&xml_text, doc);
    Some(run("pdftotext", Command::new("pdftotext").args(["-enc", "UTF-8"]).arg(&pdf_path).arg("-")))
}

fn assert_shows(text: &str, expected: &[&str]) {
    for needle in expected {
        assert!(text.contains(needle), "the PDF text lacks {needle:?}:\n{text}");
    }
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
