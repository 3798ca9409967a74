//! Mails about invoices, queued in the caller's transaction (the outbox
//! `mail_outbox`) and sent after the commit by `service::mail`'s worker:
//! invoices issued to customers who get them by mail (the invoice writer
//! calls [`on_issue`]), dunning reminders, copies. The row holds the text and
//! HTML bodies; the worker adds the invoice's PDF when it sends.

use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, IntoActiveModel, NotSet};

use super::draft::Issued;
use super::snapshot::Snapshots;
use crate::db::ctx::Ctx;
use crate::db::scope::Scope;
use crate::domain::format;
use crate::error::AppResult;
use entity::{customer, invoice, invoice_item, mail_outbox};

/// What a mail is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MailKind {
    /// An invoice just issued.
    Invoice,
    /// Dunning level `n` reached.
    Reminder(u32),
    /// `invoice.sendcopy`.
    Copy,
}

impl MailKind {
    fn as_str(self) -> &'static str {
        match self {
            MailKind::Invoice => "invoice",
            MailKind::Reminder(_) => "reminder",
            MailKind::Copy => "copy",
        }
    }
}

/// The recipients of a mail.
#[derive(Clone, Debug, Default)]
pub struct Recipients {
    pub to: String,
    pub cc: Option<String>,
    pub bcc: Option<String>,
}

/// A customer gets invoices and reminders by mail when its
/// INVOICE_DELIVERY_METHOD (API.md 5.1) is `mail`.
pub fn delivers_by_mail(method: &str) -> bool {
    method.eq_ignore_ascii_case("mail")
}

/// The customer's address when it gets invoices by mail.
pub async fn mail_recipient<C: ConnectionTrait>(ctx: &Ctx<C>, customer_id: i64) -> AppResult<Option<String>> {
    let row = ctx.by_id::<customer::Entity, _>(&ctx.db, customer_id).await?;
    Ok(row.filter(|c| delivers_by_mail(&c.invoice_delivery_method)).and_then(|c| c.email))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Subject, text and HTML of a mail about `invoice`.
pub fn render(invoice: &invoice::Model, items: &[invoice_item::Model], kind: MailKind) -> (String, String, String) {
    let c = invoice.currency_code.as_str();
    let noun = if invoice.kind == "credit" { "Credit note" } else { "Invoice" };
    let subject = match kind {
        MailKind::Reminder(level) => format!("Reminder {level}: invoice {} is overdue", invoice.invoice_number),
        _ => format!("{noun} {}", invoice.invoice_number),
    };
    let mut text = format!("{subject}\n\n");
    let mut rows = String::new();
    for item in items {
        let net = format::money(item.complete_net.0, c);
        text.push_str(&format!("{} x {}: {net} {c}\n", format::quantity(item.quantity.0), item.description));
        rows.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{net} {c}</td></tr>",
            format::quantity(item.quantity.0),
            escape(&item.description)
        ));
    }
    let totals = [
        ("Net", format::money(invoice.sub_total.0, c)),
        ("VAT", format::money(invoice.vat_total.0, c)),
        ("Total", format::money(invoice.total.0, c)),
        ("Outstanding", format::money(invoice.outstanding.0, c)),
    ];
    for (label, value) in &totals {
        text.push_str(&format!("{label}: {value} {c}\n"));
        rows.push_str(&format!("<tr><th colspan=\"2\">{label}</th><td>{value} {c}</td></tr>"));
    }
    let due = format::datetime(invoice.due_date);
    text.push_str(&format!("Due: {due}\n"));
    let html = format!(
        "<!DOCTYPE html><html><body><h1>{}</h1><table>{rows}</table><p>Due: {due}</p></body></html>",
        escape(&subject)
    );
    (subject, text, html)
}

/// Queues a mail about `invoice` to `to`, in the caller's transaction.
pub async fn enqueue<C: ConnectionTrait>(
    ctx: &Ctx<C>,
    invoice: &invoice::Model,
    items: &[invoice_item::Model],
    kind: MailKind,
    to: Recipients,
) -> AppResult<i64> {
    let (subject, body_text, body_html) = render(invoice, items, kind);
    let row = mail_outbox::Model {
        id: 0,
        tenant_id: ctx.tenant.id.get(),
        invoice_id: Some(invoice.id),
        kind: kind.as_str().into(),
        recipient: to.to,
        cc: to.cc,
        bcc: to.bcc,
        subject,
        body_text,
        body_html,
        status: "pending".into(),
        attempts: 0,
        // The first attempt is due at once whatever the clocks say (the worker
        // takes every mail not yet attempted); retries follow the wall clock.
        next_attempt: ctx.now,
        last_error: None,
        created: ctx.now,
        sent_at: None,
    };
    let mut active = row.into_active_model().reset_all();
    active.id = NotSet;
    Ok(mail_outbox::Entity::insert(active).exec(&ctx.db).await?.last_insert_id)
}

/// Queues the invoices just issued to customers who get them by mail, as the
/// writer read the customers for the flush (no statement of its own).
pub(crate) async fn on_issue<C: ConnectionTrait>(
    ctx: &Ctx<C>,
    issued: &[Issued],
    customers: &Snapshots,
) -> AppResult<()> {
    for i in issued {
        let Some(email) = customers.mail_to(i.invoice.customer_id) else { continue };
        let to = Recipients { to: email.to_owned(), ..Recipients::default() };
        enqueue(ctx, &i.invoice, &i.items, MailKind::Invoice, to).await?;
    }
    Ok(())
}
