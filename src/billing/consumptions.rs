//! Consumptions on invoices (API.md section 10): one `consumption` line per
//! consumption, never discounted. A subscription's open consumptions ride on
//! its next regular invoice (the engine takes them from its preload); open
//! ones without a subscription get an invoice of their own, one per customer
//! and currency, at the next billing run ([`bill_loose`]). Either way the
//! writer marks them invoiced in the same transaction.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, QueryFilter, QueryOrder};

use super::draft::{Draft, Kind};
use super::writer::Writes;
use crate::db::ctx::Ctx;
use crate::db::scope::Scope;
use crate::domain::pricing::{Line, LineKind};
use crate::error::AppResult;
use entity::consumption::{Column, Entity, Model};

/// The invoice line of a consumption.
pub fn line(c: &Model) -> Line {
    Line {
        kind: LineKind::Consumption,
        article_number: c.article_number.clone(),
        description: c.title.clone(),
        quantity: c.quantity.0,
        unit_price: c.unit_price.0,
        vat_percent: c.vat_percent.0,
    }
}

/// Ids and lines of `consumptions`, for [`Draft::with_consumptions`].
pub fn lines(consumptions: &[Model]) -> Vec<(i64, Line)> {
    consumptions.iter().map(|c| (c.id, line(c))).collect()
}

/// An invoice of its own for `consumptions` (one customer, one currency), dated `at`.
pub fn own_invoice(consumptions: &[Model], at: DateTime<Utc>) -> Option<Draft> {
    let first = consumptions.first()?;
    let draft = Draft {
        kind: Kind::Outgoing,
        customer_id: first.customer_id,
        subscription_id: None,
        related_invoice_id: None,
        invoice_title: None,
        invoice_date: at,
        period: None,
        billed_period: None,
        currency: first.currency_code.clone(),
        lines: Vec::new(),
        usage_ids: Vec::new(),
        consumption_ids: Vec::new(),
    };
    Some(draft.with_consumptions(lines(consumptions)))
}

/// The open consumptions of subscriptions `ids`, oldest first.
pub async fn open_of_subscriptions<C: ConnectionTrait>(ctx: &Ctx<C>, ids: Vec<i64>) -> AppResult<Vec<Model>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(ctx
        .find::<Entity>()
        .filter(Column::SubscriptionId.is_in(ids))
        .filter(Column::Status.eq("open"))
        .order_by_asc(Column::Id)
        .all(&ctx.db)
        .await?)
}

/// Issues an invoice per customer and currency for the open consumptions
/// without a subscription booked up to `until`; answers how many it issued.
pub async fn bill_loose<C: ConnectionTrait>(ctx: &Ctx<C>, until: DateTime<Utc>) -> AppResult<u64> {
    let open = ctx
        .find::<Entity>()
        .filter(Column::Status.eq("open"))
        .filter(Column::SubscriptionId.is_null())
        .filter(Column::Created.lte(until))
        .order_by_asc(Column::CustomerId)
        .order_by_asc(Column::CurrencyCode)
        .order_by_asc(Column::Id)
        .all(&ctx.db)
        .await?;
    if open.is_empty() {
        return Ok(0);
    }
    let mut writes = Writes::new(ctx.now);
    let mut count = 0;
    for group in open.chunk_by(|a, b| a.customer_id == b.customer_id && a.currency_code == b.currency_code) {
        if let Some(draft) = own_invoice(group, until) {
            writes.invoice(draft);
            count += 1;
        }
    }
    writes.flush(ctx).await?;
    Ok(count)
}
