//! Invoice documents over HTTP (API.md section 11): `invoice.getdocument`, DOCUMENT_URL on
//! `invoice.get`, the signed `/hosted/i/<token>/<file>` links (type, file name, 403, 410), 1009 for a
//! seller without the legally required fields, 1004 across tenants, snapshots fixed at issue, the same
//! bytes twice, and `template.get`. The external checkers judge the same documents in `document_checks`.

use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};

use crate::fixtures::{advance, article, invoices, subscribe};
use crate::helpers::{Client, TestApp, spawn_app};
use crate::tenant::seller;

/// An answer of a hosted document link.
pub struct Fetched {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: Vec<u8>,
}

impl Fetched {
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
    }
}

/// GETs an absolute URL and keeps the body's bytes (a PDF is not text).
pub async fn fetch(url: &str) -> Fetched {
    let client = HyperClient::builder(TokioExecutor::new()).build_http::<Full<bytes::Bytes>>();
    let request = http::Request::get(url).body(Full::new(bytes::Bytes::new())).expect("request");
    let response = client.request(request).await.expect("HTTP request");
    let (status, headers) = (response.status().as_u16(), response.headers().clone());
    let body = response.into_body().collect().await.expect("body").to_bytes().to_vec();
    Fetched { status, headers, body }
}

/// A test tenant on 2025-03-01 with a complete seller, a German business customer, and its first
/// invoice: a 49.00 plan at 19 % and two 10.00 books at 7 % (two VAT rates). Answers the client,
/// the subscription id and the invoice.
pub async fn shop(app: &TestApp) -> (Client, i64, Value) {
    let t = app.test_tenant("Muster", "2025-03-01 08:00:00").await;
    let client = app.client(&t.key);
    let footer = "Amtsgericht Charlottenburg HRB 12345";
    client.ok("tenant.update", json!({"DATA": {"SELLER": seller(), "INVOICE_FOOTER": footer}})).await;
    article(&client, "PRO", "49.00", "19", json!({"TITLE": "Pro plan"})).await;
    article(&client, "BOOK", "10.00", "7", json!({"TITLE": "Handbook", "IS_ADDON": true, "ALLOW_MULTIPLE": true}))
        .await;
    let customer = json!({"ORGANIZATION": "Beispiel AG", "LAST_NAME": "Mustermann", "ADDRESS": "Lindenallee 5",
        "ZIPCODE": "80331", "CITY": "München", "COUNTRY_CODE": "DE", "LANGUAGE_CODE": "de", "VAT_ID": "DE987654321"});
    let c = client.ok("customer.create", json!({"DATA": customer})).await["CUSTOMER_ID"].as_i64().expect("id");
    let addons = json!({"ADDONS": [{"ARTICLE_NUMBER": "BOOK", "QUANTITY": 2}]});
    let sub = subscribe(&client, c, "PRO", addons).await["SUBSCRIPTION_ID"].as_i64().expect("id");
    let invoice = invoices(&client, sub).await.remove(0);
    (client, sub, invoice)
}

/// The signed link of `format` for `invoice_id`.
pub async fn link(client: &Client, invoice_id: i64, format: &str) -> Value {
    client.ok("invoice.getdocument", json!({"DATA": {"INVOICE_ID": invoice_id, "FORMAT": format}})).await
}

#[tokio::test]
async fn each_format_is_served_with_its_type_and_the_invoice_number_as_file_name() {
    let app = spawn_app().await;
    let (client, _, invoice) = shop(&app).await;
    let (id, number) = (invoice["INVOICE_ID"].as_i64().expect("id"), invoice["INVOICE_NUMBER"].as_str().expect("n"));
    assert_eq!(invoice["VAT_ITEMS"].as_array().map(Vec::len), Some(2), "two VAT rates: {invoice}");
    for (format, content_type, disposition) in [
        ("pdf", "application/pdf", "inline"),
        ("html", "text/html; charset=utf-8", "inline"),
        ("xml", "application/xml", "attachment"),
    ] {
        let answer = link(&client, id, format).await;
        let file = format!("{number}.{format}");
        assert_eq!(answer["FILENAME"], file.as_str());
        assert_eq!(answer["EXPIRES"], "2025-03-31 08:00:00", "720 hours by the tenant's clock");
        let url = answer["DOCUMENT_URL"].as_str().expect("url");
        assert!(url.starts_with(&format!("{}/hosted/i/", app.url())) && url.ends_with(&format!("/{file}")), "{url}");
        let got = fetch(url).await;
        assert_eq!(got.status, 200, "{format}: {}", String::from_utf8_lossy(&got.body));
        assert_eq!(got.header("content-type"), content_type);
        assert_eq!(got.header("content-disposition"), format!("{disposition}; filename=\"{file}\""));
        assert_eq!(got.header("referrer-policy"), "no-referrer");
        assert_eq!(fetch(url).await.body, got.body, "{format}: the same bytes twice");
    }
    let pdf = fetch(link(&client, id, "pdf").await["DOCUMENT_URL"].as_str().expect("url")).await;
    assert!(pdf.body.starts_with(b"%PDF-"));
    let html =
        String::from_utf8(fetch(link(&client, id, "html").await["DOCUMENT_URL"].as_str().expect("u")).await.body);
    let html = html.expect("UTF-8");
    assert!(html.contains(number) && html.contains("Muster Software GmbH") && html.contains("Beispiel AG"));

    // DOCUMENT_URL on invoice.get is the PDF's link; the default FORMAT is pdf.
    let got = client.ok("invoice.get", json!({"FILTER": {"INVOICE_ID": id}})).await;
    let default = client.ok("invoice.getdocument", json!({"DATA": {"INVOICE_ID": id}})).await;
    assert_eq!(got["INVOICES"][0]["DOCUMENT_URL"], default["DOCUMENT_URL"]);
    assert_eq!(default["FILENAME"], format!("{number}.pdf").as_str());
}

#[tokio::test]
async fn tampered_links_answer_403_expired_ones_410_and_other_tenants_1004() {
    let app = spawn_app().await;
    let (client, _, invoice) = shop(&app).await;
    let id = invoice["INVOICE_ID"].as_i64().expect("id");
    let url = link(&client, id, "pdf").await["DOCUMENT_URL"].as_str().expect("url").to_owned();
    let (head, file) = url.rsplit_once('/').expect("file");
    let (prefix, token) = head.rsplit_once('/').expect("token");
    let (payload, tag) = token.split_once('.').expect("signed");
    let flipped = if tag.starts_with('A') { tag.replacen('A', "B", 1) } else { format!("A{}", &tag[1..]) };
    for bad in [
        format!("{prefix}/{payload}.{flipped}/{file}"),
        format!("{prefix}/{token}/{}", file.replace(".pdf", ".xml")),
        format!("{prefix}/{token}/RE-1999-00001.pdf"),
        format!("{prefix}/garbage/{file}"),
    ] {
        let status = fetch(&bad).await.status;
        assert!(status == 403 || (status == 404 && bad.contains("RE-1999")), "{bad}: {status}");
    }
    let other = app.client(&app.test_tenant("Other", "2025-03-01").await.key);
    other.ok("tenant.update", json!({"DATA": {"SELLER": seller()}})).await;
    let err = other.err("invoice.getdocument", json!({"DATA": {"INVOICE_ID": id}})).await;
    assert_eq!((err.code, err.tag()), (1004, Some("INVOICE_ID")));
    let err = client.err("invoice.getdocument", json!({"DATA": {"INVOICE_ID": id, "FORMAT": "docx"}})).await;
    assert_eq!((err.code, err.tag()), (-32602, Some("FORMAT")));

    assert_eq!(fetch(&url).await.status, 200);
    advance(&client, "2025-03-31 09:00:00").await;
    assert_eq!(fetch(&url).await.status, 410, "past EXPIRES by the tenant's clock");
}

#[tokio::test]
async fn a_seller_without_legally_required_fields_gets_1009_naming_the_tag() {
    let app = spawn_app().await;
    let (client, _, invoice) = shop(&app).await;
    let id = invoice["INVOICE_ID"].as_i64().expect("id");
    // Invoices issued from now on snapshot the incomplete seller.
    client.ok("tenant.update", json!({"DATA": {"SELLER": {"VAT_ID": null, "CITY": ""}}})).await;
    let c = client.ok("customer.create", json!({"DATA": {"LAST_NAME": "Neu"}})).await["CUSTOMER_ID"].clone();
    let sub = subscribe(&client, c.as_i64().expect("id"), "PRO", json!({})).await["SUBSCRIPTION_ID"].clone();
    let second = invoices(&client, sub.as_i64().expect("id")).await.remove(0);
    let err = client.err("invoice.getdocument", json!({"DATA": {"INVOICE_ID": second["INVOICE_ID"]}})).await;
    assert_eq!((err.code, err.tag()), (1009, Some("SELLER.CITY")), "{}", err.message);
    assert_eq!(second["DOCUMENT_URL"], Value::Null);
    client.ok("tenant.update", json!({"DATA": {"SELLER": {"CITY": "Berlin"}}})).await;
    let err = client.err("invoice.getdocument", json!({"DATA": {"INVOICE_ID": second["INVOICE_ID"]}})).await;
    assert_eq!((err.code, err.tag()), (1009, Some("SELLER.VAT_ID")), "VAT_ID or TAX_ID");
    // What the snapshot lacked is filled from the completed profile; it never gave a document before.
    client.ok("tenant.update", json!({"DATA": {"SELLER": {"TAX_ID": "30/123/45678"}}})).await;
    let xml = link(&client, second["INVOICE_ID"].as_i64().expect("id"), "xml").await;
    let xml = fetch(xml["DOCUMENT_URL"].as_str().expect("url")).await;
    assert!(String::from_utf8_lossy(&xml.body).contains(r#"<ram:ID schemeID="FC">30/123/45678</ram:ID>"#));

    // The first invoice keeps the seller it was issued with.
    link(&client, id, "pdf").await;
    let html = fetch(link(&client, id, "html").await["DOCUMENT_URL"].as_str().expect("url")).await;
    assert!(String::from_utf8_lossy(&html.body).contains("DE123456789"));
}

#[tokio::test]
async fn changing_seller_or_customer_later_changes_no_issued_document() {
    let app = spawn_app().await;
    let (client, _, invoice) = shop(&app).await;
    let id = invoice["INVOICE_ID"].as_i64().expect("id");
    let before = fetch(link(&client, id, "xml").await["DOCUMENT_URL"].as_str().expect("url")).await.body;
    let issued = String::from_utf8_lossy(&before);
    for buyer in ["Beispiel AG", "Lindenallee 5", "80331", "München", "DE987654321"] {
        assert!(issued.contains(buyer), "the buyer as at issue shows {buyer}: {issued}");
    }
    client
        .ok("tenant.update", json!({"DATA": {"SELLER": {"NAME": "Renamed GmbH"}, "TIMEZONE": "Europe/Berlin"}}))
        .await;
    let customer = json!({"CUSTOMER_ID": invoice["CUSTOMER_ID"], "ORGANIZATION": "Moved AG", "CITY": "Hamburg"});
    client.ok("customer.update", json!({"DATA": customer})).await;
    let after = fetch(link(&client, id, "xml").await["DOCUMENT_URL"].as_str().expect("url")).await.body;
    assert_eq!(String::from_utf8_lossy(&after), String::from_utf8_lossy(&before));
    assert!(!String::from_utf8_lossy(&after).contains("Renamed"));
}

#[tokio::test]
async fn template_get_lists_the_document_template() {
    let app = spawn_app().await;
    let client = app.admin().await;
    let answer = client.ok("template.get", json!({})).await;
    let templates = answer["TEMPLATES"].as_array().expect("TEMPLATES");
    assert_eq!(templates.len(), 1);
    assert_eq!(templates[0]["TEMPLATE_ID"], 1);
    assert!(templates[0]["TEMPLATE_NAME"].is_string());
}

#[tokio::test]
async fn the_customer_dashboard_links_each_invoice_pdf() {
    let app = spawn_app().await;
    let (client, _, invoice) = shop(&app).await;
    let dashboard =
        client.ok("customer.createsecurelink", json!({"DATA": {"CUSTOMER_ID": invoice["CUSTOMER_ID"]}})).await;
    let page = fetch(dashboard["DASHBOARD_URL"].as_str().expect("url")).await;
    let body = String::from_utf8(page.body).expect("UTF-8");
    let href = body.split("class=\"pdf\" href=\"").nth(1).and_then(|rest| rest.split('"').next()).expect("a PDF link");
    let url = href.replace("&#x2f;", "/").replace("&amp;", "&");
    let number = invoice["INVOICE_NUMBER"].as_str().expect("number");
    assert!(url.ends_with(&format!("/{number}.pdf")), "{url}");
    let pdf = fetch(&url).await;
    assert_eq!((pdf.status, pdf.header("content-type")), (200, "application/pdf"));
}
