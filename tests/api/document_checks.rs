//! Stored invoices' documents, fetched over their signed links, judged by the external checkers
//! (`tests/common/document_checkers.rs`): an invoice with two VAT rates and a credit note (381,
//! positive amounts) from `subscription.terminate`.

use serde_json::{Value, json};

pub use crate::document_checkers::assert_shows;
use crate::document_checkers::{check_files, element, tools_ready};
use crate::documents::{fetch, link, shop};
use crate::fixtures::{advance, invoices};
use crate::helpers::{Client, spawn_app};

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
    let checked = check_files(test, &xml.body, &pdf.body, type_code);
    let text = checked.xml;
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
    Some(checked.pdf_text)
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
