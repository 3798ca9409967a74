//! The documents of an invoice with discount and coupon lines (API.md sections 9 and 11), judged
//! by the external checkers of `document_checks`: the lines become document-level allowances in
//! the EN 16931 XML (which validates against the Factur-X XSD and the schematron, totals equal to the
//! cent), and the PDF shows the discount lines and the exact totals.
//!
//! The second invoice of a plan of 49.00 at 19 % with two books of 10.00 at 7 %, under a fixed
//! discount of 5.00 (from the second invoice on) and a 10 % coupon, both forever. Computed by hand:
//! - the discount splits 5.00 by net, 49 : 20 of 69: 19 %: 3.5507 -> -3.55, 7 %: 1.4493 -> -1.45;
//! - the coupon takes 10 % of what is left: 19 %: 45.45 -> -4.55 (4.545, half away from zero),
//!   7 %: 18.55 -> -1.86 (1.855);
//! - nets 19 %: 49.00 - 3.55 - 4.55 = 40.90, VAT 7.771 -> 7.77; 7 %: 20.00 - 1.45 - 1.86 = 16.69,
//!   VAT 1.1683 -> 1.17; SUB_TOTAL 57.59, VAT_TOTAL 8.94, TOTAL 66.53.

use serde_json::{Value, json};

use crate::document_checks::{assert_shows, check};
use crate::documents::{fetch, link};
use crate::fixtures::{advance, article, invoices, lines, subscribe};
use crate::helpers::spawn_app;
use crate::tenant::seller;

/// `(KIND, COMPLETE_NET)` pairs, owned.
fn owned(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
}

#[tokio::test]
async fn an_invoice_with_discount_and_coupon_lines_renders_them_and_passes_the_checkers() {
    let app = spawn_app().await;
    let t = app.test_tenant("Muster", "2025-03-01 08:00:00").await;
    let client = app.client(&t.key);
    client.ok("tenant.update", json!({"DATA": {"SELLER": seller()}})).await;
    article(&client, "PRO", "49.00", "19", json!({"TITLE": "Pro plan"})).await;
    article(&client, "BOOK", "10.00", "7", json!({"TITLE": "Handbook", "IS_ADDON": true, "ALLOW_MULTIPLE": true}))
        .await;
    let coupon = json!({"CODE": "TENOFF", "TITLE": "Ten off", "DISCOUNT_TYPE": "percent", "DISCOUNT": "10"});
    client.ok("coupon.create", json!({"DATA": coupon})).await;
    let customer = json!({"ORGANIZATION": "Beispiel AG", "LAST_NAME": "Mustermann", "ADDRESS": "Lindenallee 5",
        "ZIPCODE": "80331", "CITY": "München", "COUNTRY_CODE": "DE", "LANGUAGE_CODE": "de", "VAT_ID": "DE987654321"});
    let c = client.ok("customer.create", json!({"DATA": customer})).await["CUSTOMER_ID"].as_i64().expect("id");
    let extra = json!({"ADDONS": [{"ARTICLE_NUMBER": "BOOK", "QUANTITY": 2}], "COUPON": "TENOFF"});
    let sub = subscribe(&client, c, "PRO", extra).await["SUBSCRIPTION_ID"].as_i64().expect("id");
    let discount = json!({"SUBSCRIPTION_ID": sub, "DISCOUNT_TYPE": "fixed", "DISCOUNT": "5.00"});
    client.ok("subscription.setdiscount", json!({"DATA": discount})).await;
    advance(&client, "2025-04-01 08:00:00").await;
    let all = invoices(&client, sub).await;
    assert_eq!(all.len(), 2, "{all:?}");
    let invoice: &Value = &all[1];
    let mut got = lines(invoice);
    got.sort();
    let mut expected = owned(&[
        ("plan", "49.00"),
        ("addon", "20.00"),
        ("discount", "-3.55"),
        ("discount", "-1.45"),
        ("coupon", "-4.55"),
        ("coupon", "-1.86"),
    ]);
    expected.sort();
    assert_eq!(got, expected);
    let sums = [&invoice["SUB_TOTAL"], &invoice["VAT_TOTAL"], &invoice["TOTAL"]];
    assert_eq!(sums, [&json!("57.59"), &json!("8.94"), &json!("66.53")]);

    let Some(text) = check("discount and coupon", &client, invoice, "380").await else { return };
    assert_shows(&text, &["Rabatt: Discount #1 (5.00)", "Gutschein: Coupon TENOFF", "-3,55 EUR", "-1,45 EUR"]);
    assert_shows(&text, &["-4,55 EUR", "-1,86 EUR", "zzgl. 7 % USt. auf 16,69 EUR", "zzgl. 19 % USt. auf 40,90 EUR"]);
    assert_shows(&text, &["57,59 EUR", "1,17 EUR", "7,77 EUR", "Gesamtbetrag", "66,53 EUR", "RE-2025-00002"]);
    assert_shows(&text, &["Rabatte und Gutscheine mindern die Bemessungsgrundlage der Umsatzsteuer."]);

    let id = invoice["INVOICE_ID"].as_i64().expect("id");
    let xml = fetch(link(&client, id, "xml").await["DOCUMENT_URL"].as_str().expect("url")).await;
    let xml = String::from_utf8(xml.body).expect("UTF-8");
    // Allowances, not negative lines: two line items, four allowances (one per line and rate).
    assert_eq!(xml.matches("<ram:IncludedSupplyChainTradeLineItem>").count(), 2, "{xml}");
    let allowances = xml.matches("<ram:SpecifiedTradeAllowanceCharge>").count();
    assert_eq!(allowances, 4, "{xml}");
    for amount in ["3.55", "1.45", "4.55", "1.86"] {
        assert!(xml.contains(&format!("<ram:ActualAmount>{amount}</ram:ActualAmount>")), "allowance {amount}: {xml}");
    }
    for (element, amount) in
        [("LineTotalAmount", "69.00"), ("AllowanceTotalAmount", "11.41"), ("TaxBasisTotalAmount", "57.59")]
    {
        assert!(xml.contains(&format!("<ram:{element}>{amount}</ram:{element}>")), "{element} {amount}: {xml}");
    }
}
