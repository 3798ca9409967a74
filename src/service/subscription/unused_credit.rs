//! The credit note of `subscription.terminate` with CREDIT_UNUSED: the unused days of the current
//! paid period, given back as a share of what the period's invoice charged. Discount and coupon
//! lines are shared out like the plan and add-on lines they reduced, so a period billed at half
//! price gives back half as much (the note never credits more than was paid for those days).

use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};

use super::lifecycle::days_between;
use crate::billing::lines;
use crate::db::scope::Scope;
use crate::domain::money::round_money;
use crate::domain::pricing::{Line, LineKind};
use crate::error::AppResult;
use crate::service::WriteCtx;
use crate::service::invoice::{self, Draft, Kind};
use entity::invoice_item;
use entity::subscription::Model;

/// The credit note for the unused days of the current paid period, if any.
pub async fn draft(ctx: &WriteCtx, sub: &Model) -> AppResult<Option<Draft>> {
    let (Some(start), Some(end)) = (sub.last_event, sub.next_event) else {
        return Ok(None);
    };
    if ctx.now < start || ctx.now >= end {
        return Ok(None);
    }
    let total_days = days_between(start, end);
    let unused_days = days_between(ctx.now, end);
    if total_days <= 0 || unused_days <= 0 {
        return Ok(None);
    }
    let share = Share { unused_days, total_days };
    let period_invoice = invoice::billed_period_invoice(ctx, sub.id, start).await?;
    let lines = match &period_invoice {
        Some(inv) => from_invoice(&billed_lines(ctx, inv.id).await?, share, &sub.currency_code),
        // A period billed before invoices carried their period: the subscription's own lines.
        None => from_subscription(sub, share)?,
    };
    let lines: Vec<Line> = lines.into_iter().filter(|l| !l.unit_price.is_zero()).collect();
    if lines.is_empty() {
        return Ok(None);
    }
    let related = period_invoice.map(|i| i.id);
    Ok(Some(Draft::for_subscription(sub, Kind::Credit, ctx.now, Some((ctx.now, end)), lines).related_to(related)))
}

#[derive(Clone, Copy)]
struct Share {
    unused_days: i64,
    total_days: i64,
}

impl Share {
    fn of(self, amount: Decimal, currency: &str) -> Decimal {
        round_money(amount * Decimal::from(self.unused_days) / Decimal::from(self.total_days), currency)
    }

    fn describe(self, what: &str) -> String {
        format!("Unused time: {what} ({} of {} days)", self.unused_days, self.total_days)
    }
}

/// The period invoice's recurring lines and the discounts on them.
async fn billed_lines(ctx: &WriteCtx, invoice_id: i64) -> AppResult<Vec<invoice_item::Model>> {
    Ok(ctx
        .find::<invoice_item::Entity>()
        .filter(invoice_item::Column::InvoiceId.eq(invoice_id))
        .filter(invoice_item::Column::Kind.is_in(["plan", "addon", "discount", "coupon"]))
        .order_by_asc(invoice_item::Column::Position)
        .all(&ctx.db)
        .await?)
}

/// Each billed line's share, negated: plan and add-on lines come back as KIND proration, discount
/// and coupon lines keep their kind (and become positive).
fn from_invoice(items: &[invoice_item::Model], share: Share, currency: &str) -> Vec<Line> {
    items
        .iter()
        .map(|item| Line {
            kind: match item.kind.as_str() {
                "discount" => LineKind::Discount,
                "coupon" => LineKind::Coupon,
                _ => LineKind::Proration,
            },
            article_number: item.article_number.clone(),
            description: share.describe(&item.description),
            quantity: Decimal::ONE,
            unit_price: -share.of(item.complete_net.0, currency),
            vat_percent: item.vat_percent.0,
        })
        .collect()
}

fn from_subscription(sub: &Model, share: Share) -> AppResult<Vec<Line>> {
    Ok(lines::recurring(sub)?
        .into_iter()
        .map(|l| Line {
            kind: LineKind::Proration,
            description: share.describe(&l.description),
            unit_price: -share.of(l.quantity * l.unit_price, &sub.currency_code),
            quantity: Decimal::ONE,
            ..l
        })
        .collect())
}
