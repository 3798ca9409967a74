//! `invoice.*` handlers.

use super::Reply;
use super::envelope::Envelope;
use super::invoice_wire::InvoiceOut;
use super::wire;
use crate::error::{AppError, AppResult};
use crate::service::ReadCtx;
use crate::service::invoice::{self as service, InvoiceFilter};

/// `invoice.get`.
pub async fn get(ctx: &ReadCtx, env: &mut Envelope) -> AppResult<Reply> {
    let f = &mut env.filter;
    let status = match f.text("STATUS")? {
        None => None,
        Some(s) => match s.to_ascii_lowercase().as_str() {
            v @ ("unpaid" | "paid" | "overdue" | "canceled") => Some(v.to_owned()),
            _ => {
                return Err(AppError::invalid("STATUS", "must be unpaid, paid, overdue or canceled"));
            }
        },
    };
    let kind = match f.text("TYPE")? {
        None => None,
        Some(s) => match s.to_ascii_lowercase().as_str() {
            v @ ("outgoing" | "credit") => Some(v.to_owned()),
            _ => return Err(AppError::invalid("TYPE", "must be outgoing or credit")),
        },
    };
    let filter = InvoiceFilter {
        invoice_id: f.id("INVOICE_ID")?,
        invoice_number: f.text("INVOICE_NUMBER")?,
        customer_id: f.id("CUSTOMER_ID")?,
        subscription_id: f.id("SUBSCRIPTION_ID")?,
        status,
        kind,
        due_from: f.datetime("START_DUE_DATE")?,
        due_to: f.datetime("END_DUE_DATE")?,
        month: f.integer_in("MONTH", 1, 12)?.map(|m| m as u32),
        year: f.integer_in("YEAR", 1970, 9999)?.map(|y| y as i32),
    };
    env.finish()?;
    let rows = service::find(ctx, filter, env.limit(), env.offset()).await?;
    let list: Vec<InvoiceOut> = rows.iter().map(|i| InvoiceOut::from(i, ctx.now)).collect();
    wire::list("INVOICES", &list)
}
