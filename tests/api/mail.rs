//! Mail (API.md section 10): invoices mailed on issue to customers who get
//! them by mail, reminders, `invoice.sendcopy` through a real SMTP server
//! (Python's aiosmtpd on 127.0.0.1, read back from its maildir), retries of
//! a failing server, and every result on the invoice's timeline.

use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};

use crate::fixtures::{advance, article, subscribe};
use crate::helpers::{Client, TestApp, count_rows, skip, spawn_app_with};

/// A test tenant on 2025-01-01, a customer getting invoices by mail, and its
/// first invoice (issued at once).
async fn mailed_shop(app: &TestApp) -> (Client, i64) {
    let t = app.test_tenant("shop", "2025-01-01").await;
    let client = app.client(&t.key);
    article(&client, "P", "100", "19", json!({})).await;
    let data = json!({"LAST_NAME": "Kundin", "EMAIL": "kundin@example.com", "INVOICE_DELIVERY_METHOD": "mail"});
    let c = client.ok("customer.create", json!({"DATA": data})).await["CUSTOMER_ID"].as_i64().expect("id");
    let inv = subscribe(&client, c, "P", json!({})).await["INVOICE_ID"].as_i64().expect("INVOICE_ID");
    (client, inv)
}

/// Waits (up to 15 s) until the invoice's timeline holds `n` events of `kind`; answers them, newest first.
pub async fn wait_for(client: &Client, inv: i64, kind: &str, n: usize) -> Vec<Value> {
    for _ in 0..300 {
        let found = client.ok("invoice.gettimeline", json!({"FILTER": {"INVOICE_ID": inv}, "LIMIT": 100})).await;
        let events: Vec<Value> =
            found["EVENTS"].as_array().into_iter().flatten().filter(|e| e["TYPE"] == kind).cloned().collect();
        if events.len() >= n {
            return events;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no {n} {kind} on the timeline of invoice {inv}");
}

/// The mails in a folder (file transport `.eml`, or a maildir's `new/`), as text.
pub fn mails(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn an_invoice_is_mailed_on_issue_and_each_reminder_follows_as_a_file() {
    let dir = tempfile::tempdir().expect("dir");
    let folder = dir.path().to_string_lossy().to_string();
    let app = spawn_app_with(move |s| s.mail.dir = folder).await;
    let (client, inv) = mailed_shop(&app).await;
    let sent = wait_for(&client, inv, "invoice.mail_sent", 1).await;
    assert_eq!(
        (sent[0]["DATA"]["KIND"].clone(), sent[0]["DATA"]["RECIPIENT"].clone()),
        (json!("invoice"), json!("kundin@example.com"))
    );
    // This tenant has no SELLER: no document can be made, so the mail goes without the PDF and says why.
    assert_eq!(sent[0]["DATA"]["ATTACHMENT"], Value::Null);
    let why = sent[0]["DATA"]["ATTACHMENT_ERROR"].as_str().unwrap_or_default();
    assert!(why.contains("SELLER.NAME"), "{}", sent[0]);
    let files = mails(dir.path());
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(files[0].contains("Subject: Invoice RE-2025-00001"), "{}", files[0]);
    assert!(files[0].contains("To: kundin@example.com"), "{}", files[0]);
    assert!(files[0].contains("Total: 119.00 EUR"), "{}", files[0]);
    advance(&client, "2025-01-22").await;
    wait_for(&client, inv, "invoice.mail_sent", 2).await;
    let reminder = mails(dir.path()).into_iter().find(|m| m.contains("Subject: Reminder 1: invoice RE-2025-00001"));
    assert!(reminder.is_some(), "{:?}", mails(dir.path()));
}

#[tokio::test]
async fn customers_without_mail_delivery_get_nothing_and_a_bad_recipient_names_the_tag() {
    let dir = tempfile::tempdir().expect("dir");
    let folder = dir.path().to_string_lossy().to_string();
    let app = spawn_app_with(move |s| s.mail.dir = folder).await;
    let t = app.test_tenant("shop", "2025-01-01").await;
    let client = app.client(&t.key);
    article(&client, "P", "100", "19", json!({})).await;
    let c = crate::fixtures::customer(&client).await;
    let inv = subscribe(&client, c, "P", json!({})).await["INVOICE_ID"].as_i64().expect("INVOICE_ID");
    advance(&client, "2025-01-22").await;
    assert_eq!(count_rows(&app, "mail_outbox").await, 0);
    for (recipient, tag) in [
        (json!("not an address"), "RECIPIENT"),
        (json!({"TO": "a@example.com", "CC": "nope"}), "RECIPIENT.CC"),
        (json!({"TO": "a@example.com", "REPLY": "b@example.com"}), "RECIPIENT.REPLY"),
        (json!(42), "RECIPIENT"),
    ] {
        let err = client.err("invoice.sendcopy", json!({"DATA": {"INVOICE_ID": inv, "RECIPIENT": recipient}})).await;
        assert_eq!((err.code, err.tag()), (-32602, Some(tag)), "{recipient}: {}", err.message);
    }
    assert_eq!(count_rows(&app, "mail_outbox").await, 0);
}

/// Stops the SMTP server also when an assertion fails.
pub struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A port on 127.0.0.1 that nothing listens on right now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

/// A real SMTP server (aiosmtpd) on 127.0.0.1 delivering into a maildir; `None` (a visible skip) when
/// aiosmtpd is missing and RECUR_REQUIRE_MAIL is unset. Answers the server, its port and the maildir.
pub fn smtp_server(test: &str, dir: &Path) -> Option<(KillOnDrop, u16, std::path::PathBuf)> {
    let aiosmtpd = std::process::Command::new("python3").args(["-c", "import aiosmtpd"]).status();
    if !aiosmtpd.is_ok_and(|s| s.success()) {
        assert!(std::env::var("RECUR_REQUIRE_MAIL").is_err(), "aiosmtpd missing; run .ci/install-mail-tools");
        skip(test, "python3 -m aiosmtpd is not installed");
        return None;
    }
    // aiosmtpd's Mailbox handler makes the maildir only when it does not exist yet.
    let maildir = dir.join("box");
    let port = free_port();
    let server = std::process::Command::new("python3")
        .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
        .arg(&maildir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("aiosmtpd starts");
    let server = KillOnDrop(server);
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Some((server, port, maildir))
}

#[tokio::test]
async fn sendcopy_goes_through_a_real_smtp_server_and_is_read_back() {
    let dir = tempfile::tempdir().expect("dir");
    let Some((_server, port, maildir)) = smtp_server("sendcopy_goes_through_a_real_smtp_server", dir.path()) else {
        return;
    };
    let app = spawn_app_with(move |s| {
        s.mail.transport = "smtp".into();
        s.mail.smtp_port = port;
        s.mail.smtp_tls = "none".into();
    })
    .await;
    let (client, inv) = mailed_shop(&app).await;
    let recipient = json!({"TO": "buyer@example.com", "CC": "books@example.com"});
    let copy = client.ok("invoice.sendcopy", json!({"DATA": {"INVOICE_ID": inv, "RECIPIENT": recipient}})).await;
    assert!(copy["MAIL_ID"].is_i64(), "{copy}");
    wait_for(&client, inv, "invoice.mail_sent", 2).await;
    let received = mails(&maildir.join("new"));
    let copy = received.iter().find(|m| m.contains("To: buyer@example.com")).expect("the copy arrived");
    assert!(copy.contains("Cc: books@example.com"), "{copy}");
    assert!(copy.contains("Subject: Invoice RE-2025-00001"), "{copy}");
    assert!(copy.contains("From: billing@localhost"), "{copy}");
    assert!(received.iter().any(|m| m.contains("To: kundin@example.com")), "the invoice mailed on issue arrived too");
}

#[tokio::test]
async fn a_failing_smtp_server_is_retried_then_given_up_and_the_write_stands() {
    let port = free_port();
    let app = spawn_app_with(move |s| {
        s.mail.transport = "smtp".into();
        s.mail.smtp_port = port;
        s.mail.smtp_tls = "none".into();
        s.mail.retry_seconds = 0;
        s.mail.max_attempts = 3;
    })
    .await;
    let (client, inv) = mailed_shop(&app).await;
    let failed = wait_for(&client, inv, "invoice.mail_failed", 3).await;
    let attempts: Vec<Value> = failed.iter().rev().map(|e| e["DATA"]["ATTEMPT"].clone()).collect();
    assert_eq!(attempts, vec![json!(1), json!(2), json!(3)]);
    assert!(failed[0]["DATA"]["NEXT_ATTEMPT"].is_null(), "the third attempt was the last: {}", failed[0]);
    assert!(failed[1]["DATA"]["NEXT_ATTEMPT"].is_string());
    let invoice = client.ok("invoice.get", json!({"FILTER": {"INVOICE_ID": inv}})).await;
    assert_eq!(invoice["INVOICES"][0]["INVOICE_NUMBER"], "RE-2025-00001", "the issue committed regardless");
}
