//! Mails about an invoice carry its PDF (API.md section 10: "with the PDF attached"): sent
//! through a real SMTP server (aiosmtpd on 127.0.0.1), read back from its maildir and taken apart
//! by Python's `email` package, an independent MIME parser. The attachment is byte for byte the
//! PDF the invoice's signed document link serves (which `document_checks` validates).

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

use crate::documents::{fetch, link};
use crate::fixtures::{article, subscribe};
use crate::helpers::spawn_app_with;
use crate::mail::{smtp_server, wait_for};

/// Every message in `maildir` with its attachments written to `out`:
/// `[{to, type, text, files: [{file, type, disposition, path}]}]`, by recipient.
fn parsed(maildir: &Path, out: &Path) -> Vec<Value> {
    let script = r#"
import sys, os, json, email
from email import policy
box, out, found = sys.argv[1], sys.argv[2], []
for name in sorted(os.listdir(box)):
    msg = email.message_from_binary_file(open(os.path.join(box, name), 'rb'), policy=policy.default)
    files = []
    for i, part in enumerate(msg.iter_attachments()):
        path = os.path.join(out, f"{len(found)}-{i}-{part.get_filename()}")
        open(path, 'wb').write(part.get_content())
        files.append({"file": part.get_filename(), "type": part.get_content_type(),
                      "disposition": part.get_content_disposition(), "path": path})
    text = msg.get_body(preferencelist=('plain',)).get_content()
    found.append({"to": msg["To"], "type": msg.get_content_type(), "text": text, "files": files})
found.sort(key=lambda m: m["to"])
print(json.dumps(found))
"#;
    let output = Command::new("python3").args(["-c", script]).arg(maildir).arg(out).output().expect("python3 runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).expect("JSON")
}

#[tokio::test]
async fn the_invoice_mailed_on_issue_and_its_copy_carry_the_invoice_pdf() {
    let dir = tempfile::tempdir().expect("dir");
    let test = "the_invoice_mailed_on_issue_and_its_copy_carry_the_invoice_pdf";
    let Some((_server, port, maildir)) = smtp_server(test, dir.path()) else { return };
    let app = spawn_app_with(move |s| {
        s.mail.transport = "smtp".into();
        s.mail.smtp_port = port;
        s.mail.smtp_tls = "none".into();
    })
    .await;
    let t = app.test_tenant("shop", "2025-01-01").await;
    let client = app.client(&t.key);
    client.ok("tenant.update", json!({"DATA": {"SELLER": crate::tenant::seller()}})).await;
    article(&client, "P", "100", "19", json!({})).await;
    let data = json!({"LAST_NAME": "Kundin", "EMAIL": "kundin@example.com", "INVOICE_DELIVERY_METHOD": "mail"});
    let c = client.ok("customer.create", json!({"DATA": data})).await["CUSTOMER_ID"].as_i64().expect("id");
    let inv = subscribe(&client, c, "P", json!({})).await["INVOICE_ID"].as_i64().expect("INVOICE_ID");
    let copy = json!({"DATA": {"INVOICE_ID": inv, "RECIPIENT": "buyer@example.com"}});
    client.ok("invoice.sendcopy", copy).await;
    let sent = wait_for(&client, inv, "invoice.mail_sent", 2).await;
    for event in &sent {
        assert_eq!(event["DATA"]["ATTACHMENT"], "RE-2025-00001.pdf", "{event}");
        assert!(event["DATA"].get("ATTACHMENT_ERROR").is_none(), "{event}");
    }
    let hosted = fetch(link(&client, inv, "pdf").await["DOCUMENT_URL"].as_str().expect("url")).await;
    assert_eq!(hosted.status, 200);
    let out = tempfile::tempdir().expect("dir");
    let received = parsed(&maildir.join("new"), out.path());
    let to: Vec<&str> = received.iter().filter_map(|m| m["to"].as_str()).collect();
    assert_eq!(to, ["buyer@example.com", "kundin@example.com"]);
    for mail in &received {
        assert_eq!(mail["type"], "multipart/mixed", "{mail}");
        assert!(mail["text"].as_str().is_some_and(|t| t.contains("Total: 119.00 EUR")), "the text body stays: {mail}");
        let files = mail["files"].as_array().expect("files");
        assert_eq!(files.len(), 1, "{mail}");
        let file = &files[0];
        assert_eq!(
            (file["file"].as_str(), file["type"].as_str(), file["disposition"].as_str()),
            (Some("RE-2025-00001.pdf"), Some("application/pdf"), Some("attachment"))
        );
        let bytes = std::fs::read(file["path"].as_str().expect("path")).expect("attachment written");
        assert!(bytes.starts_with(b"%PDF-"), "a PDF");
        assert!(bytes == hosted.body, "the attachment is the invoice's document, byte for byte");
    }
}
