//! The external document checkers, run as processes, shared by the renderer's tests
//! (`tests/document.rs`) and the served documents' tests (`tests/api/document_checks.rs`): the
//! Factur-X EN 16931 XSD and the extraction of the embedded XML (Python `factur-x`), the official
//! EN 16931 schematron (`../shared/en16931-validation/validate.py`, Saxon via `saxonche`), and
//! `pdftotext` (poppler-utils) for the PDF's text.
//!
//! A missing checker fails the test with how to install it (`.ci/install-document-tools`), unless
//! `RECUR_SKIP_DOCUMENT_TOOLS=1`, which skips with a visible line instead.

use std::path::{Path, PathBuf};
use std::process::Command;

const INSTALL: &str = "install the document checkers with `.ci/install-document-tools` \
    (apt-get install poppler-utils; pip install factur-x saxonche), or set RECUR_SKIP_DOCUMENT_TOOLS=1 to skip";

fn validate_py() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/en16931-validation/validate.py")
}

/// Whether the checkers are there; a missing one fails the test unless skipping was asked for.
pub fn tools_ready(test: &str) -> bool {
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

/// What the checkers saw of one document.
pub struct Checked {
    /// The Factur-X XML, as text.
    pub xml: String,
    /// The PDF's text (`pdftotext`).
    pub pdf_text: String,
}

/// Runs every checker on a document's XML and PDF: the XML passes the Factur-X EN 16931 XSD and
/// the EN 16931 schematron, the PDF embeds exactly that XML as `factur-x.xml`, and the XML's
/// document type is `type_code` (380 an invoice, 381 a credit note). Call after [`tools_ready`].
pub fn check_files(test: &str, xml: &[u8], pdf: &[u8], type_code: &str) -> Checked {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let (xml_path, pdf_path, extracted) =
        (dir.path().join("doc.xml"), dir.path().join("doc.pdf"), dir.path().join("x.xml"));
    std::fs::write(&xml_path, xml).and(std::fs::write(&pdf_path, pdf)).unwrap_or_else(|e| panic!("write: {e}"));

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
    assert_eq!(std::fs::read(&extracted).ok().as_deref(), Some(xml), "the PDF embeds the XML as rendered");

    let xml = String::from_utf8(xml.to_vec()).unwrap_or_else(|e| panic!("the XML is not UTF-8: {e}"));
    assert!(xml.contains(&format!("<ram:TypeCode>{type_code}</ram:TypeCode>")), "type code {type_code}");
    let pdf_text = run("pdftotext", Command::new("pdftotext").args(["-enc", "UTF-8"]).arg(&pdf_path).arg("-"));
    Checked { xml, pdf_text }
}

/// The text of the first `<name ...>` element after `from`.
pub fn element<'a>(xml: &'a str, from: &str, name: &str) -> &'a str {
    let start = xml.find(from).unwrap_or_else(|| panic!("no {from}"));
    let open = xml[start..].find(&format!("<{name}")).map(|i| start + i).unwrap_or_else(|| panic!("no {name}"));
    let text = xml[open..].find('>').map(|i| open + i + 1).unwrap_or_else(|| panic!("unclosed {name}"));
    let end = xml[text..].find('<').map(|i| text + i).unwrap_or_else(|| panic!("no end of {name}"));
    &xml[text..end]
}

/// Every one of `expected` is in the PDF's text.
pub fn assert_shows(text: &str, expected: &[&str]) {
    for needle in expected {
        assert!(text.contains(needle), "the PDF text lacks {needle:?}:\n{text}");
    }
}
