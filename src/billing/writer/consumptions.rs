//! Consumptions billed by a flush: each is marked invoiced with the invoice
//! and the line that bills it, in the flush's transaction. A consumption that
//! is no longer open (refunded meanwhile by a concurrent call) fails the flush
//! with a conflict, so no invoice ever bills a withdrawn consumption.

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, QueryFilter, QueryOrder, QuerySelect};

use super::super::draft::Issued;
use crate::db::ctx::Ctx;
use crate::db::scope::Scope;
use crate::error::{AppError, AppResult};
use entity::{consumption, invoice_item};

/// The consumption ids of each queued invoice that bills some, by queue index.
pub(super) type Billed = Vec<(usize, Vec<i64>)>;

/// Marks the consumptions of `billed` invoiced by their lines of `issued`.
pub(super) async fn mark_invoiced<C: ConnectionTrait>(
    ctx: &Ctx<C>,
    issued: &[Issued],
    billed: Billed,
) -> AppResult<()> {
    for (index, ids) in billed {
        let Some(invoice) = issued.get(index) else { continue };
        // The k-th consumption line is the k-th consumption (see `Draft::consumption_ids`).
        let lines: Vec<i64> = ctx
            .find::<invoice_item::Entity>()
            .select_only()
            .column(invoice_item::Column::Id)
            .filter(invoice_item::Column::InvoiceId.eq(invoice.invoice.id))
            .filter(invoice_item::Column::Kind.eq("consumption"))
            .order_by_asc(invoice_item::Column::Position)
            .into_tuple()
            .all(&ctx.db)
            .await?;
        if lines.len() != ids.len() {
            return Err(AppError::internal("an invoice lost consumption lines"));
        }
        for (id, line) in ids.into_iter().zip(lines) {
            let done = ctx
                .update_many::<consumption::Entity>()
                .col_expr(consumption::Column::Status, Expr::value("invoiced"))
                .col_expr(consumption::Column::InvoiceId, Expr::value(invoice.invoice.id))
                .col_expr(consumption::Column::InvoiceItemId, Expr::value(line))
                .filter(consumption::Column::Id.eq(id))
                .filter(consumption::Column::Status.eq("open"))
                .exec(&ctx.db)
                .await?;
            if done.rows_affected != 1 {
                return Err(AppError::conflict_on("CONSUMPTION_ID", "CONSUMPTION_ID: no longer open"));
            }
        }
    }
    Ok(())
}
