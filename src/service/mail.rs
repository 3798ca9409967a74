//! Mails about invoices: dunning reminders, copies (`invoice.sendcopy`), and
//! the worker that sends the outbox after commits. A mail is an outbox row
//! written in the transaction that asks for it (`billing::mail`); the worker
//! claims due rows, sends them through the configured transport, retries
//! failures with a doubling delay, and writes each result to the invoice's
//! timeline (`invoice.mail_sent`, `invoice.mail_failed`). A failing mail
//! server therefore never rolls back a billing run.
//!
//! Every mail about an invoice carries its PDF (API.md section 10), rendered
//! by the worker at send time from the stored invoice, so a billing run never
//! waits for a document. A tenant whose SELLER lacks what a document legally
//! needs gets no PDF: the mail goes without it and the timeline says why
//! (ATTACHMENT null, ATTACHMENT_ERROR), rather than holding the mail back.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Condition, LockBehavior, LockType};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DbBackend, EntityTrait, IntoActiveModel, NotSet, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde_json::{Value, json};

use super::documents::{self, Format};
use super::{AppState, WriteCtx};
pub use crate::billing::mail::Recipients;
use crate::billing::mail::{self as outbox, MailKind};
use crate::db::ctx::TenantRef;
use crate::db::scope::TenantId;
use crate::error::{AppError, AppResult};
use crate::mail::{Attachment, Mail, SendError, Transport, addresses};
use entity::{event, invoice, mail_outbox};

/// Queues the reminder of `level` for the customer when it gets invoices by mail.
pub async fn reminder(ctx: &WriteCtx, invoice: &invoice::Model, level: u32) -> AppResult<()> {
    let Some(to) = outbox::mail_recipient(ctx, invoice.customer_id).await? else { return Ok(()) };
    let items = super::invoice::load(ctx, invoice.id).await?.items;
    outbox::enqueue(ctx, invoice, &items, MailKind::Reminder(level), Recipients { to, ..Recipients::default() })
        .await?;
    Ok(())
}

/// `invoice.sendcopy`: queues the invoice to `to` (checked addresses); the outbox row's id.
pub async fn send_copy(ctx: &WriteCtx, invoice_id: i64, to: Recipients) -> AppResult<i64> {
    for (tag, list) in
        [("RECIPIENT", Some(&to.to)), ("RECIPIENT.CC", to.cc.as_ref()), ("RECIPIENT.BCC", to.bcc.as_ref())]
    {
        if let Some(list) = list.filter(|l| !l.is_empty() || tag == "RECIPIENT") {
            addresses(list).map_err(|e| AppError::invalid(tag, e))?;
        }
    }
    let issued = super::invoice::load(ctx, invoice_id).await?;
    if issued.invoice.status == "draft" {
        return Err(AppError::conflict_on("INVOICE_ID", "INVOICE_ID: a draft is not issued yet"));
    }
    outbox::enqueue(ctx, &issued.invoice, &issued.items, MailKind::Copy, to).await
}

/// Starts the mail worker (None when the transport is misconfigured: logged).
pub fn spawn(state: Arc<AppState>) -> Option<tokio::task::JoinHandle<()>> {
    let transport = match Transport::from_settings(&state.settings.mail) {
        Ok(t) => t,
        Err(err) => {
            tracing::error!(%err, "mail transport misconfigured; mails stay in the outbox");
            return None;
        }
    };
    let poll = Duration::from_millis(state.settings.mail.poll_ms.max(10));
    Some(tokio::spawn(async move {
        loop {
            match deliver_due(&state, &transport).await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(err) => tracing::warn!(error = %err, "mail outbox pass failed"),
            }
            tokio::time::sleep(poll).await;
        }
    }))
}

/// Claims due mails (leasing them for ten minutes), sends and records each.
pub async fn deliver_due(state: &AppState, transport: &Transport) -> AppResult<usize> {
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db.write).await?;
    let due = Condition::any().add(mail_outbox::Column::Attempts.eq(0)).add(mail_outbox::Column::NextAttempt.lte(now));
    let mut select = mail_outbox::Entity::find()
        .filter(mail_outbox::Column::Status.eq("pending"))
        .filter(due)
        .order_by_asc(mail_outbox::Column::Id)
        .limit(20);
    if state.db.backend() == DbBackend::Postgres {
        select = select.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let rows = select.all(&txn).await?;
    for row in &rows {
        let mut lease = row.clone();
        lease.attempts += 1;
        lease.next_attempt = now + chrono::Duration::minutes(10);
        lease.into_active_model().reset_all().update(&txn).await?;
    }
    txn.commit().await?;
    for row in &rows {
        let pdf = invoice_pdf(state, row).await;
        let attached = match &pdf {
            Some(Ok(file)) => json!({"ATTACHMENT": file.file_name}),
            Some(Err(err)) => json!({"ATTACHMENT": null, "ATTACHMENT_ERROR": err}),
            None => json!({"ATTACHMENT": null}),
        };
        let mail = Mail {
            key: format!("{}-{}-{}", row.tenant_id, row.id, row.kind),
            to: row.recipient.clone(),
            cc: row.cc.clone(),
            bcc: row.bcc.clone(),
            subject: row.subject.clone(),
            text: row.body_text.clone(),
            html: row.body_html.clone(),
            attachments: pdf.and_then(Result::ok).into_iter().collect(),
        };
        let result = transport.send(&state.settings.mail.from, &mail).await;
        record(state, row.clone(), result, attached).await?;
    }
    Ok(rows.len())
}

/// The PDF of the mail's invoice, rendered now (`None` for a mail about no invoice); `Err` says why
/// there is none.
async fn invoice_pdf(state: &AppState, row: &mail_outbox::Model) -> Option<Result<Attachment, String>> {
    let invoice_id = row.invoice_id?;
    let tenant = match entity::tenant::Entity::find_by_id(row.tenant_id).one(&state.db.read).await {
        Ok(Some(tenant)) => tenant,
        Ok(None) => return Some(Err("the tenant no longer exists".into())),
        Err(err) => return Some(Err(err.to_string())),
    };
    // The tenant is the one whose own transaction queued the row.
    let who = TenantRef { id: TenantId::trusted_for_operator(tenant.id), is_test: tenant.is_test };
    let ctx = state.read_ctx(who, state.clock.now());
    let rendered = documents::rendered(&ctx, invoice_id, Format::Pdf).await;
    Some(rendered.map_err(|e| e.to_string()).map(|r| Attachment {
        file_name: r.file_name,
        content_type: r.format.content_type().to_owned(),
        bytes: r.bytes,
    }))
}

/// Stores an attempt's result and puts it on the invoice's timeline
/// (`attached` says which PDF went along).
async fn record(
    state: &AppState,
    mut row: mail_outbox::Model,
    result: Result<(), SendError>,
    attached: Value,
) -> AppResult<()> {
    let now = state.clock.now();
    let settings = &state.settings.mail;
    // `row` is the copy from before the lease, which counted this attempt.
    row.attempts += 1;
    let (event_type, data) = match result {
        Ok(()) => {
            row.status = "sent".into();
            row.sent_at = Some(now);
            row.last_error = None;
            let mut data = json!({"KIND": row.kind, "RECIPIENT": row.recipient, "ATTEMPT": row.attempts});
            if let (Some(data), Some(attached)) = (data.as_object_mut(), attached.as_object()) {
                data.extend(attached.clone());
            }
            ("invoice.mail_sent", data)
        }
        Err(err) => {
            let last = err.permanent || row.attempts >= i32::try_from(settings.max_attempts).unwrap_or(i32::MAX);
            let doublings = u32::try_from(row.attempts - 1).unwrap_or(0).min(12);
            let wait = settings.retry_seconds.saturating_mul(1u64 << doublings).min(3600);
            row.status = if last { "failed" } else { "pending" }.into();
            row.next_attempt = now + chrono::Duration::seconds(i64::try_from(wait).unwrap_or(3600));
            row.last_error = Some(err.message.clone());
            let next = (!last).then(|| crate::domain::format::datetime(row.next_attempt));
            let data = json!({"KIND": row.kind, "RECIPIENT": row.recipient, "ATTEMPT": row.attempts, "ERROR": err.message, "NEXT_ATTEMPT": next});
            ("invoice.mail_failed", data)
        }
    };
    let txn = crate::db::begin_write(&state.db.write).await?;
    let tenant_clock = entity::tenant::Entity::find_by_id(row.tenant_id).one(&txn).await?.and_then(|t| t.clock);
    let created: DateTime<Utc> = tenant_clock.unwrap_or(now);
    row.clone().into_active_model().reset_all().update(&txn).await?;
    if let Some(invoice_id) = row.invoice_id {
        let event = event::Model {
            id: 0,
            tenant_id: row.tenant_id,
            subject: "invoice".into(),
            subject_id: invoice_id,
            event_type: event_type.into(),
            data,
            created,
        };
        let mut active = event.into_active_model().reset_all();
        active.id = NotSet;
        event::Entity::insert(active).exec(&txn).await?;
    }
    txn.commit().await?;
    Ok(())
}
