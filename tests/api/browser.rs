//! One end-to-end run in a real browser: headless Chromium opens a cancel
//! link, clicks the button, and the API then shows the subscription canceled.
//! Screenshots of every hosted page go to `target/hosted-screens/`, with the HTML invoice and the
//! first page of its PDF (rendered by `pdftoppm`).
//!
//! Skips with a message when Chromium or ChromeDriver is missing, unless
//! `RECUR_REQUIRE_BROWSER=1` (CI sets it), which turns a skip into a failure.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{ClientBuilder, Locator};
use serde_json::json;

use crate::fixtures::{advance, article, customer, subscribe, subscription};
use crate::helpers::spawn_app;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

fn screens() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target").join("hosted-screens");
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    dir
}

async fn shot(browser: &fantoccini::Client, name: &str) {
    let png = browser.screenshot().await.expect("screenshot");
    std::fs::write(screens().join(format!("{name}.png")), png).expect("write screenshot");
}

/// Whether Chromium and ChromeDriver are there; a skip is a failure under `RECUR_REQUIRE_BROWSER=1`.
fn browser_present(test: &str) -> bool {
    let required = std::env::var("RECUR_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
    if !Path::new(CHROMIUM).exists() || !Path::new(CHROMEDRIVER).exists() {
        assert!(!required, "RECUR_REQUIRE_BROWSER=1 but {CHROMIUM} or {CHROMEDRIVER} is missing");
        eprintln!("SKIPPED {test}: install Debian's chromium and chromium-driver to run the browser test");
        return false;
    }
    true
}

/// ChromeDriver on a free port and a headless Chromium session (phone-sized window).
async fn start_browser() -> (Driver, fantoccini::Client, tempfile::TempDir) {
    let port = free_port();
    let driver = Driver(
        Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver"),
    );
    let profile = tempfile::tempdir().expect("profile dir");
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": CHROMIUM,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
                "--disable-dev-shm-usage", "--window-size=412,915", format!("--user-data-dir={}", profile.path().display()),
            ],
        }),
    );
    let mut browser = None;
    for _ in 0..50 {
        match ClientBuilder::native().capabilities(caps.clone()).connect(&format!("http://127.0.0.1:{port}")).await {
            Ok(connected) => {
                browser = Some(connected);
                break;
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
    let browser = browser.expect("chromedriver accepts a session");
    (driver, browser, profile)
}

#[tokio::test]
async fn a_customer_cancels_in_a_real_browser() {
    if !browser_present("a_customer_cancels_in_a_real_browser") {
        return;
    }
    let app = spawn_app().await;
    let t = app.test_tenant("Acme Hosting", "2025-01-01").await;
    let client = app.client(&t.key);
    article(&client, "P", "10.00", "19", json!({"TITLE": "Pro plan", "SUBSCRIPTION_CANCELLATION": "1 month"})).await;
    article(&client, "SEAT", "3.00", "19", json!({"TITLE": "Extra seat", "IS_ADDON": true, "ALLOW_MULTIPLE": true}))
        .await;
    let c = customer(&client).await;
    let id = subscribe(&client, c, "P", json!({})).await["SUBSCRIPTION_ID"].as_i64().expect("id");
    advance(&client, "2025-01-15").await;
    let links = client.ok("subscription.createsecurelink", json!({"DATA": {"SUBSCRIPTION_ID": id}})).await;
    let dashboard = client.ok("customer.createsecurelink", json!({"DATA": {"CUSTOMER_ID": c}})).await;

    let (driver, browser, _profile) = start_browser().await;

    for (name, url) in [
        ("addons", &links["ADDONS_URL"]),
        ("reactivate", &links["REACTIVATE_URL"]),
        ("dashboard", &dashboard["DASHBOARD_URL"]),
    ] {
        browser.goto(url.as_str().expect("url")).await.expect("open page");
        shot(&browser, name).await;
    }
    browser.goto(links["CANCEL_URL"].as_str().expect("url")).await.expect("open cancel page");
    let end = browser.find(Locator::Id("end-date")).await.expect("end date shown").text().await.expect("text");
    assert_eq!(end, "2025-03-01");
    shot(&browser, "cancel").await;
    browser.find(Locator::Id("confirm")).await.expect("confirm button").click().await.expect("click");
    let headline =
        browser.wait().for_element(Locator::Id("done")).await.expect("result page").text().await.expect("text");
    assert_eq!(headline, "Your subscription is canceled");
    shot(&browser, "canceled").await;
    browser.close().await.expect("close browser");
    drop(driver);

    let sub = subscription(&client, id).await;
    assert_eq!(
        (sub["STATUS"].clone(), sub["CANCELLATION_DATE"].clone()),
        (json!("canceled"), json!("2025-03-01 00:00:00"))
    );
    for name in ["addons", "reactivate", "dashboard", "cancel", "canceled"] {
        assert!(screens().join(format!("{name}.png")).exists(), "{name}.png");
    }
}

#[tokio::test]
async fn invoice_documents_are_screenshotted() {
    let app = spawn_app().await;
    let (client, _, invoice) = crate::documents::shop(&app).await;
    let id = invoice["INVOICE_ID"].as_i64().expect("id");
    // The PDF's first page as PNG, through poppler's pdftoppm (installed with the document tools).
    let pdf = crate::documents::link(&client, id, "pdf").await;
    let bytes = crate::documents::fetch(pdf["DOCUMENT_URL"].as_str().expect("url")).await.body;
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("invoice.pdf"), bytes).expect("write pdf");
    let rendered = Command::new("pdftoppm")
        .args(["-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile"])
        .arg(dir.path().join("invoice.pdf"))
        .arg(screens().join("invoice-pdf-page-1"))
        .status();
    match rendered {
        Ok(status) => assert!(status.success(), "pdftoppm failed"),
        Err(e) => assert!(
            std::env::var("RECUR_SKIP_DOCUMENT_TOOLS").is_ok_and(|v| v == "1"),
            "pdftoppm: {e}; run .ci/install-document-tools"
        ),
    }
    if !browser_present("invoice_documents_are_screenshotted") {
        return;
    }
    let (driver, browser, _profile) = start_browser().await;
    let html = crate::documents::link(&client, id, "html").await;
    browser.goto(html["DOCUMENT_URL"].as_str().expect("url")).await.expect("open the HTML invoice");
    let number = invoice["INVOICE_NUMBER"].as_str().expect("number");
    assert!(browser.source().await.expect("source").contains(number));
    shot(&browser, "invoice-html").await;
    browser.close().await.expect("close browser");
    drop(driver);
    assert!(screens().join("invoice-html.png").exists());
}
