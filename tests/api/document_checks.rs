//! Stored invoices' documents, fetched over their signed links, judged by the external checkers: the
//! Factur-X EN 16931 XSD and the embedded-XML extraction (Python `factur-x`), the official EN 16931
//! schematron (`../shared/en16931-validation/validate.py`, Saxon via `saxonche`) and `pdftotext`.
//! An invoice with two VAT rates and a credit note (381, positive amounts) from `subscription.terminate`.
//!
//! A missing checker fails the test with how to install it (`.ci/install-document-tools`), unless
//! `RECUR_SKIP_DOCUMENT_TOOLS=1`, which skips with a visible line instead.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

use crate::documents::{fetch, link, shop};
use crate::fixtures::{advance, invoices};
use crate::helpers::{Client, spawn_app};

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
        let line = format!("SKIPPED {test}: RECUR_SKIP_DOCUMENT_TOOLS=1 and missing: {}\n", missing.join(", "));
        let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
        return false;
    }
    panic!("missing document checkers: {}; {INSTALL}", missing.join(", "));
}

fn run(what: &str, command: &mut Command) -> String {
    let output = command.output().unwrap_or_else(|e| panic!("{what}: cannot start: {e}; {INSTALL}"));
    let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "{what} failed ({}):\n{stdout}\n{stderr}", output.status);
    stdout.into_owned()
}

/// The text of the first `<name ...>` element after `from`.
fn element<'a>(xml: &'a str, from: &str, name: &str) -> &'a str {
    let start = xml.find(from).unwrap_or_else(|| panic!("no {from}"));
    let open = xml[start..].find(&format!("<{name}")).map(|i| start + i).unwrap_or_else(|| panic!("no {name}"));
    let text = xml[open..].find('>').map(|i| open + i + 1).unwrap_or_else(|| panic!("unclosed {name}"));
    let end = xml[text..].find('<').map(|i| text + i).unwrap_or_else(|| panic!("no end of {name}"));
    &xml[text..end]
}

/// Money on the wire without its sign (the XML of a credit note is positive).
fn positive(value: &Value) -> String {
    value.as_str().expect("decimal string").trim_start_matches('-').to_owned()
}

/// Fetches the XML and PDF of `invoice`, runs every checker, compares the totals; answers the PDF text.
pub async fn check(test: &str, client: &Client, invoice: &Value, type_code: &str) -> Option<String> {
    if !tools_ready(test) {
        return None;
    }
    let id = invoice["INVOICE_ID"].as_i64().expect("id");
    let xml = fetch(link(client, id, "xml").await["DOCUMENT_URL"].as_str().expect("url")).await;
    let pdf = fetch(link(client, id, "pdf").await["DOCUMENT_URL"].as_str().expect("url")).await;
    assert_eq!((xml.status, pdf.status), (200, 200));
    let dir = tempfile::tempdir().expect("temp dir");
    let (xml_path, pdf_path, extracted) =
        (dir.path().join("doc.xml"), dir.path().join("doc.pdf"), dir.path().join("x.xml"));
    std::fs::write(&xml_path, &xml.body).and(std::fs::write(&pdf_path, &pdf.body)).expect("write");
    let script = "import sys, facturx\n\
        facturx.xml_check_xsd(open(sys.argv[1], 'rb').read(), flavor='factur-x', level='en16931')\n\
        name, xml = facturx.get_facturx_xml_from_pdf(open(sys.argv[2], 'rb').read(), check_xsd=False)\n\
        assert name == 'factur-x.xml', name\n\
        open(sys.argv[3], 'wb').write(xml)";
    run(
        "factur-x XSD check and extraction",
        Command::new("python3").args(["-c", script]).args([&xml_path, &pdf_path, &extracted]),
    );
    let report = run("EN 16931 schematron", Command::new("python3").arg(validate_py()).arg("-w").arg(&xml_path));
    eprintln!("{test}: {}", report.trim());
    assert_eq!(std::fs::read(&extracted).ok(), Some(xml.body.clone()), "the embedded XML is the xml rendering");

    let text = String::from_utf8(xml.body).expect("UTF-8");
    assert!(text.contains(&format!("<ram:TypeCode>{type_code}</ram:TypeCode>")));
    let sum = "<ram:SpecifiedTradeSettlementHeaderMonetarySummation>";
    assert_eq!(element(&text, sum, "ram:TaxBasisTotalAmount"), positive(&invoice["SUB_TOTAL"]));
    assert_eq!(element(&text, sum, "ram:TaxTotalAmount"), positive(&invoice["VAT_TOTAL"]));
    assert_eq!(element(&text, sum, "ram:GrandTotalAmount"), positive(&invoice["TOTAL"]));
    for vat in invoice["VAT_ITEMS"].as_array().expect("VAT_ITEMS") {
        let basis = format!("<ram:BasisAmount>{}</ram:BasisAmount>", positive(&vat["COMPLETE_NET"]));
        let amount = format!("<ram:CalculatedAmount>{}</ram:CalculatedAmount>", positive(&vat["VAT_VALUE"]));
        assert!(text.contains(&basis) && text.contains(&amount), "VAT {vat} in the breakdown");
    }
    assert!(!text.contains(">-"), "no negative amount in the XML");
    Some(run("pdftotext", Command::new("pdftotext").args(["-enc", "UTF-8"]).arg(&pdf_path).arg("-")))
}

pub fn assert_shows(text: &str, expected: &[&str]) {
    for needle in expected {
        assert!(text.contains(needle), "the PDF text lacks {needle:?}:\n{text}");
    }
}

#[tokio::test]
async fn an_issued_invoice_with_two_vat_rates_passes_the_en16931_checkers() {
    let app = spawn_app().await;
    let (client, _, invoice) = shop(&app).await;
    assert_eq!((invoice["TOTAL"].as_str(), invoice["VAT_ITEMS"].as_array().map(Vec::len)), (Some("79.71"), Some(2)));
    let Some(text) = check("invoice", &client, &invoice, "380").await else { return };
    let number = invoice["INVOICE_NUMBER"].as_str().expect("number");
    assert_shows(&text, &[&format!("Rechnung {number}"), "79,71 EUR", "DE123456789", "DE02120300000000202051"]);
    assert_shows(&text, &["Beispiel AG", "Amtsgericht Charlottenburg HRB 12345", "Leistungszeitraum"]);
}

#[tokio::test]
async fn a_credit_note_is_381_with_positive_amounts_and_passes_the_checkers() {
    let app = spawn_app().await;
    let (client, sub, invoice) = shop(&app).await;
    advance(&client, "2025-03-16 08:00:00").await;
    client.ok("subscription.terminate", json!({"DATA": {"SUBSCRIPTION_ID": sub, "CREDIT_UNUSED": true}})).await;
    let all = invoices(&client, sub).await;
    let credit = all.iter().find(|i| i["TYPE"] == "credit").unwrap_or_else(|| panic!("a credit note: {all:?}"));
    assert_eq!(credit["RELATED_INVOICE_ID"], invoice["INVOICE_ID"]);
    assert!(credit["TOTAL"].as_str().is_some_and(|t| t.starts_with('-')), "negative on the wire");
    let Some(text) = check("credit note", &client, credit, "381").await else { return };
    let number = invoice["INVOICE_NUMBER"].as_str().expect("number");
    assert_shows(&text, &["Rechnungskorrektur", number, "DE123456789"]);
    assert!(!text.contains("Gutschrift"), "not self-billing wording");
}
