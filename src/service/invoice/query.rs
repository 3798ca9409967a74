//! Reading invoices with their lines.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, TimeZone, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, QueryFilter, QueryOrder, QuerySelect};

use super::Issued;
use crate::db::scope::Scope;
use crate::error::{AppError, AppResult};
use crate::service::Ctx;
use entity::{invoice, invoice_item};

/// One invoice of this tenant with its lines.
pub async fn load<C: ConnectionTrait>(ctx: &Ctx<C>, invoice_id: i64) -> AppResult<Issued> {
    let invoice = ctx
        .by_id::<invoice::Entity, _>(&ctx.db, invoice_id)
        .await?
        .ok_or_else(|| AppError::not_found("INVOICE_ID", "invoice not found"))?;
    let items = ctx
        .find::<invoice_item::Entity>()
        .filter(invoice_item::Column::InvoiceId.eq(invoice_id))
        .order_by_asc(invoice_item::Column::Position)
        .all(&ctx.db)
        .await?;
    Ok(Issued { invoice, items })
}

/// The regular invoice of the period of `subscription_id` starting at `start`.
pub async fn billed_period_invoice<C: ConnectionTrait>(
    ctx: &Ctx<C>,
    subscription_id: i64,
    start: DateTime<Utc>,
) -> AppResult<Option<invoice::Model>> {
    Ok(ctx
        .find::<invoice::Entity>()
        .filter(invoice::Column::SubscriptionId.eq(subscription_id))
        .filter(invoice::Column::BilledPeriod.eq(start))
        .one(&ctx.db)
        .await?)
}

/// Filters of `invoice.get`; all given must match.
#[derive(Debug, Default)]
pub struct InvoiceFilter {
    pub invoice_id: Option<i64>,
    /// Any of these ids (FastBill clients ask for several at once).
    pub invoice_ids: Option<Vec<i64>>,
    pub invoice_number: Option<String>,
    pub customer_id: Option<i64>,
    pub subscription_id: Option<i64>,
    /// `unpaid`, `paid`, `overdue` or `canceled`.
    pub status: Option<String>,
    /// `outgoing` or `credit`.
    pub kind: Option<String>,
    pub due_from: Option<DateTime<Utc>>,
    pub due_to: Option<DateTime<Utc>>,
    pub month: Option<u32>,
    pub year: Option<i32>,
    /// Unpaid invoices due before this are `overdue` (default: now).
    pub overdue_from: Option<DateTime<Utc>>,
}

/// A page of invoices with their lines, by id.
pub async fn find<C: ConnectionTrait>(
    ctx: &Ctx<C>,
    filter: InvoiceFilter,
    limit: u64,
    offset: u64,
) -> AppResult<Vec<Issued>> {
    if let Some(ids) = only_ids(&filter) {
        // By primary key alone (see `customer::find`'s `by_ids`), then paged here.
        let invoices = ctx.by_ids::<invoice::Entity, _>(&ctx.db, ids).await?;
        return with_items(ctx, crate::service::page_by(invoices, |i| i.id, limit, offset)).await;
    }
    let query = filtered(ctx, filter);
    let invoices = query.order_by_asc(invoice::Column::Id).limit(limit).offset(offset).all(&ctx.db).await?;
    with_items(ctx, invoices).await
}

/// The id list when the filter names a list of ids and nothing else.
fn only_ids(filter: &InvoiceFilter) -> Option<Vec<i64>> {
    let InvoiceFilter {
        invoice_id: None,
        invoice_ids: Some(ids),
        invoice_number: None,
        customer_id: None,
        subscription_id: None,
        status: None,
        kind: None,
        due_from: None,
        due_to: None,
        month: None,
        year: None,
        overdue_from: _,
    } = filter
    else {
        return None;
    };
    Some(ids.clone())
}

/// The invoices matching every filter.
fn filtered<C>(ctx: &Ctx<C>, filter: InvoiceFilter) -> sea_orm::Select<invoice::Entity> {
    use invoice::Column as C_;
    let mut query = ctx.find::<invoice::Entity>();
    if let Some(id) = filter.invoice_id {
        query = query.filter(C_::Id.eq(id));
    }
    if let Some(ids) = filter.invoice_ids {
        query = query.filter(C_::Id.is_in(ids));
    }
    if let Some(number) = filter.invoice_number {
        query = query.filter(C_::InvoiceNumber.eq(number));
    }
    if let Some(id) = filter.customer_id {
        query = query.filter(C_::CustomerId.eq(id));
    }
    if let Some(id) = filter.subscription_id {
        query = query.filter(C_::SubscriptionId.eq(id));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(C_::Kind.eq(kind));
    }
    let cutoff = filter.overdue_from.unwrap_or(ctx.now);
    match filter.status.as_deref() {
        Some("overdue") => query = query.filter(C_::Status.eq("unpaid")).filter(C_::DueDate.lt(cutoff)),
        Some("unpaid") => query = query.filter(C_::Status.eq("unpaid")).filter(C_::DueDate.gte(cutoff)),
        Some(other) => query = query.filter(C_::Status.eq(other)),
        None => {}
    }
    if let Some(from) = filter.due_from {
        query = query.filter(C_::DueDate.gte(from));
    }
    if let Some(to) = filter.due_to {
        query = query.filter(C_::DueDate.lte(to));
    }
    if filter.month.is_some() || filter.year.is_some() {
        let year = filter.year.unwrap_or_else(|| ctx.now.year());
        let (from, to) = match filter.month {
            Some(m) => {
                (month_start(year, m), if m == 12 { month_start(year + 1, 1) } else { month_start(year, m + 1) })
            }
            None => (month_start(year, 1), month_start(year + 1, 1)),
        };
        query = query.filter(C_::InvoiceDate.gte(from)).filter(C_::InvoiceDate.lt(to));
    }
    query
}

/// The invoices with their lines in position order (one query for all lines).
async fn with_items<C: ConnectionTrait>(ctx: &Ctx<C>, invoices: Vec<invoice::Model>) -> AppResult<Vec<Issued>> {
    let ids: Vec<i64> = invoices.iter().map(|i| i.id).collect();
    let items = if ids.is_empty() {
        Vec::new()
    } else {
        ctx.find::<invoice_item::Entity>()
            .filter(invoice_item::Column::InvoiceId.is_in(ids))
            .order_by_asc(invoice_item::Column::Position)
            .all(&ctx.db)
            .await?
    };
    let mut by_invoice: HashMap<i64, Vec<invoice_item::Model>> = HashMap::new();
    for item in items {
        by_invoice.entry(item.invoice_id).or_default().push(item);
    }
    Ok(invoices
        .into_iter()
        .map(|invoice| {
            let items = by_invoice.remove(&invoice.id).unwrap_or_default();
            Issued { invoice, items }
        })
        .collect())
}

fn month_start(year: i32, month: u32) -> DateTime<Utc> {
    // YEAR and MONTH are checked at the boundary (1970..=9999, 1..=12), so the
    // first of such a month always exists; the fallback is unreachable.
    Utc.with_ymd_and_hms(year, month, 1, 0, 0, 0).single().unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// The status as clients see it: unpaid past the due date is `overdue`.
pub fn effective_status(invoice: &invoice::Model, now: DateTime<Utc>) -> &str {
    if invoice.status == "unpaid" && invoice.due_date < now { "overdue" } else { &invoice.status }
}
