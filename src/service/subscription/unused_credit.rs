//! The credit note of `subscription.terminate` with CREDIT_UNUSED: the unused days of the current
//! paid period, given back as a share of what the period's invoice charged. Discount and coupon
//! lines are shared out like the plan and add-on lines they reduced, so a period billed at half
//! price gives back half as much (the note never credits more than was paid for those days).

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};

use super::lifecycle::days_between;
use crate::billing::lines;
use crate::db::scope::Scope;
use crate::domain::money::{minor_units, round_money};
use crate::domain::pricing::{self, Line, LineKind};
use crate::error::AppResult;
use crate::service::WriteCtx;
use crate::service::invoice::{self, Draft, Kind};
use entity::invoice as invoice_model;
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
    let (lines, related) = match (change_within(ctx, sub.id, start).await?, period_invoice) {
        // The plan or quantities changed in this period: the period's invoice no longer says what
        // the remaining days are paid at; the change's invoice charged them from the change to
        // the period end, so its charges (and the discounts on them) are shared out over that span.
        (Some((change, charged)), _) => {
            let from = change.period_start.unwrap_or(change.invoice_date);
            let span = Share { unused_days, total_days: days_between(from, end).max(unused_days) };
            (from_invoice(&charged, span, &sub.currency_code), Some(change))
        }
        (None, Some(inv)) => (from_invoice(&billed_lines(ctx, inv.id).await?, share, &sub.currency_code), Some(inv)),
        // A period billed before invoices carried their period: the subscription's own lines.
        (None, None) => (from_subscription(sub, share)?, None),
    };
    let mut lines: Vec<Line> = lines.into_iter().filter(|l| !l.unit_price.is_zero()).collect();
    if let Some(inv) = &related {
        // Never more than is left to credit of that invoice (earlier credit notes took the rest).
        let left = inv.total.0 - inv.credited_total.0;
        if left <= Decimal::ZERO {
            return Ok(None);
        }
        cap(&mut lines, left, &sub.currency_code);
    }
    if lines.is_empty() {
        return Ok(None);
    }
    let related = related.map(|i| i.id);
    Ok(Some(Draft::for_subscription(sub, Kind::Credit, ctx.now, Some((ctx.now, end)), lines).related_to(related)))
}

/// The newest invoice of a plan or quantity change in the period from `start` (an invoice of the
/// subscription that bills no period and charges a proration line), with what it charged for
/// the new plan or quantities: its positive proration lines and the discounts on them (its credit
/// for the old plan's unused time is not paid for anything).
async fn change_within(
    ctx: &WriteCtx,
    subscription_id: i64,
    start: DateTime<Utc>,
) -> AppResult<Option<(invoice_model::Model, Vec<invoice_item::Model>)>> {
    let candidates = ctx
        .find::<invoice_model::Entity>()
        .filter(invoice_model::Column::SubscriptionId.eq(subscription_id))
        .filter(invoice_model::Column::Kind.eq("outgoing"))
        .filter(invoice_model::Column::BilledPeriod.is_null())
        .filter(invoice_model::Column::InvoiceDate.gte(start))
        .filter(invoice_model::Column::InvoiceDate.lte(ctx.now))
        .order_by_desc(invoice_model::Column::Id)
        .all(&ctx.db)
        .await?;
    if candidates.is_empty() {
        return Ok(None);
    }
    let items = ctx
        .find::<invoice_item::Entity>()
        .filter(invoice_item::Column::InvoiceId.is_in(candidates.iter().map(|c| c.id)))
        .filter(invoice_item::Column::Kind.is_in(["proration", "discount", "coupon"]))
        .order_by_asc(invoice_item::Column::Position)
        .all(&ctx.db)
        .await?;
    let charges = |item: &invoice_item::Model| item.kind == "proration" && item.complete_net.0 > Decimal::ZERO;
    let Some(change) = candidates.into_iter().find(|c| items.iter().any(|i| i.invoice_id == c.id && charges(i))) else {
        return Ok(None);
    };
    let charged =
        items.into_iter().filter(|i| i.invoice_id == change.id && (i.kind != "proration" || charges(i))).collect();
    Ok(Some((change, charged)))
}

/// Lowers the (negative) lines so that the note's total credits at most `left` (a gross amount):
/// each in proportion, then a minor unit at a time off the largest while rounding left it above.
fn cap(lines: &mut [Line], left: Decimal, currency: &str) {
    let total = |lines: &[Line]| -pricing::price(lines.to_vec(), currency).total;
    let credited = total(lines);
    if credited <= left || credited.is_zero() {
        return;
    }
    for line in lines.iter_mut() {
        line.unit_price = round_money(line.unit_price * left / credited, currency);
    }
    let unit = Decimal::new(1, minor_units(currency));
    for _ in 0..1000 {
        if total(lines) <= left {
            return;
        }
        let Some(largest) = lines.iter_mut().max_by_key(|l| l.unit_price.abs()) else { return };
        largest.unit_price += if largest.unit_price.is_sign_negative() { unit } else { -unit };
    }
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
