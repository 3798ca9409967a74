//! Sending one mail through the configured transport (`mail.transport`):
//! `file` writes an `.eml` file per mail into a folder, `smtp` sends through
//! a server (plain, STARTTLS or implicit TLS, optional login) with lettre.
//! A mail with attachments is `multipart/mixed`: the text/HTML alternative
//! first, then each file. Knows nothing of invoices or the outbox;
//! `service::mail` does.

use std::path::PathBuf;
use std::time::Duration;

use lettre::message::{Attachment as Part, Mailbox, Mailboxes, MultiPart, header};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::MailSettings;

/// One mail to send.
#[derive(Clone, Debug)]
pub struct Mail {
    /// A name for the `.eml` file (unique per mail).
    pub key: String,
    /// Comma-separated addresses.
    pub to: String,
    pub cc: Option<String>,
    pub bcc: Option<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Files sent along (the invoice's PDF).
    pub attachments: Vec<Attachment>,
}

/// A file attached to a mail.
#[derive(Clone, Debug)]
pub struct Attachment {
    /// `RE-2025-00001.pdf`.
    pub file_name: String,
    /// `application/pdf`.
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// Where mails go.
#[derive(Clone)]
pub enum Transport {
    File(PathBuf),
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

/// A failed send: `permanent` when retrying cannot help (a malformed address).
#[derive(Debug)]
pub struct SendError {
    pub message: String,
    pub permanent: bool,
}

/// Parses a comma-separated address list; the error names what is wrong.
pub fn addresses(list: &str) -> Result<Mailboxes, String> {
    list.parse::<Mailboxes>().map_err(|e| format!("not an e-mail address list ({e})"))
}

impl Transport {
    /// The transport `settings` describe.
    pub fn from_settings(settings: &MailSettings) -> Result<Transport, String> {
        match settings.transport.as_str() {
            "file" => Ok(Transport::File(PathBuf::from(&settings.dir))),
            "smtp" => {
                let host = settings.smtp_host.as_str();
                let builder = match settings.smtp_tls.as_str() {
                    "none" => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
                    "starttls" => {
                        AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host).map_err(|e| e.to_string())?
                    }
                    "tls" => AsyncSmtpTransport::<Tokio1Executor>::relay(host).map_err(|e| e.to_string())?,
                    other => return Err(format!("mail.smtp_tls: unknown mode `{other}` (none, starttls, tls)")),
                };
                let mut builder = builder.port(settings.smtp_port).timeout(Some(Duration::from_secs(10)));
                if !settings.smtp_user.is_empty() {
                    let login = Credentials::new(settings.smtp_user.clone(), settings.smtp_password.clone());
                    builder = builder.credentials(login);
                }
                Ok(Transport::Smtp(builder.build()))
            }
            other => Err(format!("mail.transport: unknown transport `{other}` (file, smtp)")),
        }
    }

    /// Sends `mail` from `from`.
    pub async fn send(&self, from: &str, mail: &Mail) -> Result<(), SendError> {
        let message = build(from, mail).map_err(|message| SendError { message, permanent: true })?;
        let transient = |message: String| SendError { message, permanent: false };
        match self {
            Transport::File(dir) => {
                tokio::fs::create_dir_all(dir).await.map_err(|e| transient(e.to_string()))?;
                let path = dir.join(format!("{}.eml", mail.key));
                tokio::fs::write(path, message.formatted()).await.map_err(|e| transient(e.to_string()))
            }
            Transport::Smtp(smtp) => smtp.send(message).await.map(|_| ()).map_err(|e| {
                let permanent = e.is_permanent();
                SendError { message: e.to_string(), permanent }
            }),
        }
    }
}

fn build(from: &str, mail: &Mail) -> Result<Message, String> {
    let from: Mailbox = from.parse().map_err(|e| format!("mail.from: {e}"))?;
    let mut builder = Message::builder().from(from).subject(mail.subject.clone());
    builder = builder.mailbox(header::To::from(addresses(&mail.to)?));
    if let Some(cc) = mail.cc.as_deref().filter(|c| !c.is_empty()) {
        builder = builder.mailbox(header::Cc::from(addresses(cc)?));
    }
    if let Some(bcc) = mail.bcc.as_deref().filter(|c| !c.is_empty()) {
        builder = builder.mailbox(header::Bcc::from(addresses(bcc)?));
    }
    let mut body = MultiPart::alternative_plain_html(mail.text.clone(), mail.html.clone());
    if !mail.attachments.is_empty() {
        body = MultiPart::mixed().multipart(body);
        for file in &mail.attachments {
            let content_type = header::ContentType::parse(&file.content_type)
                .map_err(|e| format!("attachment {}: content type: {e}", file.file_name))?;
            body = body.singlepart(Part::new(file.file_name.clone()).body(file.bytes.clone(), content_type));
        }
    }
    builder.multipart(body).map_err(|e| e.to_string())
}
