//! Invoice rows: numbers allocated per counter in one bump (gapless, in the
//! caller's transaction), then every invoice and every line in multi-row
//! inserts, and the usage they bill marked invoiced.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use rust_decimal::Decimal;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, QueryFilter};
use serde_json::json;

use super::super::draft::{Draft, Issued, Kind};
use super::super::numbering;
use super::super::snapshot::Snapshots;
use crate::db::bulk::{insert_rows, insert_rows_without_ids};
use crate::db::counter;
use crate::db::ctx::Ctx;
use crate::db::scope::Scope;
use crate::domain::money::format_decimal;
use crate::domain::pricing::{Priced, PricedLine};
use crate::error::{AppError, AppResult, is_unique_violation};
use entity::DecimalText;
use entity::{invoice, invoice_item, usage_record};

/// The invoice rows of `invoices`, numbered in queue order from `next` (the
/// first number of each counter, from [`allocate_numbers`]); their lines are
/// left to [`insert_items`].
pub(super) async fn numbered<C: ConnectionTrait>(
    ctx: &Ctx<C>,
    now: DateTime<Utc>,
    invoices: Vec<(Draft, Priced)>,
    snapshots: &Snapshots,
    mut next: HashMap<String, i64>,
) -> AppResult<Vec<Issued>> {
    if invoices.is_empty() {
        return Ok(Vec::new());
    }
    let mut rows: Vec<invoice::Model> = Vec::with_capacity(invoices.len());
    for (draft, priced) in &invoices {
        let (name, pat) = counter_of(ctx, draft);
        let seq = next.get_mut(&name).ok_or_else(|| AppError::internal("invoice counter missing"))?;
        let number = numbering::render(pat, draft.invoice_date, *seq);
        *seq += 1;
        let mut row = invoice_row(ctx, now, draft, priced, number, payment_term(ctx, snapshots, draft.customer_id));
        // Documents show seller and buyer as they are now, at issue (API.md section 11).
        snapshots.apply(&mut row);
        rows.push(row);
    }
    let ids = insert_rows::<invoice::Entity, _>(&ctx.db, &rows).await.map_err(|err| {
        if is_unique_violation(&err) {
            AppError::conflict_on("SUBSCRIPTION_ID", "this period is billed already")
        } else {
            AppError::from(err)
        }
    })?;
    let mut issued = Vec::with_capacity(rows.len());
    for ((mut row, id), (draft, priced)) in rows.into_iter().zip(ids).zip(&invoices) {
        row.id = id;
        let lines = item_rows(ctx, id, priced);
        mark_usage_invoiced(ctx, id, &draft.usage_ids).await?;
        issued.push(Issued { invoice: row, items: lines });
    }
    Ok(issued)
}

/// The lines of invoices just inserted, in one multi-row insert.
pub(super) async fn insert_items<C: ConnectionTrait>(ctx: &Ctx<C>, issued: &[Issued]) -> AppResult<()> {
    let items: Vec<invoice_item::Model> = issued.iter().flat_map(|i| i.items.iter().cloned()).collect();
    insert_rows_without_ids::<invoice_item::Entity, _>(&ctx.db, &items).await?;
    Ok(())
}

/// The customer's DAYS_FOR_PAYMENT, or `billing.payment_term_days` (API.md 5.1).
pub(super) fn payment_term<C>(ctx: &Ctx<C>, customers: &Snapshots, customer_id: i64) -> Duration {
    let default = i64::from(ctx.settings.billing.payment_term_days);
    Duration::days(customers.payment_days(customer_id).map_or(default, i64::from))
}

/// The next number of the series `draft` is numbered in (one draft issued alone).
pub(super) async fn next_number<C: ConnectionTrait>(ctx: &Ctx<C>, draft: &Draft) -> AppResult<String> {
    let (name, pat) = counter_of(ctx, draft);
    let seq = counter::next(&ctx.db, ctx.tenant.id, &name).await?;
    Ok(numbering::render(pat, draft.invoice_date, seq))
}

/// The counter a draft's number comes from, and its number pattern.
fn counter_of<'a, C>(ctx: &'a Ctx<C>, draft: &Draft) -> (String, &'a str) {
    let settings = &ctx.settings.billing;
    let (prefix, pat) = match draft.kind {
        Kind::Outgoing => ("invoice", settings.invoice_number_pattern.as_str()),
        Kind::Credit => ("credit", settings.credit_note_number_pattern.as_str()),
    };
    (numbering::counter_name(prefix, pat, draft.invoice_date), pat)
}

/// Advances each counter once by the number of drafts it numbers; the first number of each.
pub(super) async fn allocate_numbers<C: ConnectionTrait>(
    ctx: &Ctx<C>,
    invoices: &[(Draft, Priced)],
) -> AppResult<HashMap<String, i64>> {
    let mut counts: Vec<(String, i64)> = Vec::new();
    for (draft, _) in invoices {
        let (name, _) = counter_of(ctx, draft);
        match counts.iter_mut().find(|(n, _)| *n == name) {
            Some((_, k)) => *k += 1,
            None => counts.push((name, 1)),
        }
    }
    let mut next: HashMap<String, i64> = HashMap::with_capacity(counts.len());
    for (name, k) in counts {
        let last = counter::advance(&ctx.db, ctx.tenant.id, &name, k).await?;
        next.insert(name, last - k + 1);
    }
    Ok(next)
}

fn item_rows<C>(ctx: &Ctx<C>, invoice_id: i64, priced: &Priced) -> Vec<invoice_item::Model> {
    priced.lines.iter().enumerate().map(|(i, l)| item_row(ctx, invoice_id, i + 1, l)).collect()
}

/// The stored line at `position` (from 1) of invoice `invoice_id`.
pub(super) fn item_row<C>(ctx: &Ctx<C>, invoice_id: i64, position: usize, l: &PricedLine) -> invoice_item::Model {
    invoice_item::Model {
        id: 0,
        tenant_id: ctx.tenant.id.get(),
        invoice_id,
        position: i32::try_from(position).unwrap_or(i32::MAX),
        kind: l.line.kind.as_str().to_owned(),
        article_number: l.line.article_number.clone(),
        description: l.line.description.clone(),
        quantity: DecimalText(l.line.quantity),
        unit_price: DecimalText(l.line.unit_price),
        vat_percent: DecimalText(l.line.vat_percent),
        complete_net: DecimalText(l.net),
        credited_quantity: DecimalText::default(),
        credited_net: DecimalText::default(),
        source_item_id: None,
    }
}

/// Marks the usage records an invoice bills. Each must still be open: a
/// booking deleted (or billed) since the step read it fails the flush, so no
/// invoice bills usage that is gone.
async fn mark_usage_invoiced<C: ConnectionTrait>(ctx: &Ctx<C>, invoice_id: i64, usage_ids: &[i64]) -> AppResult<()> {
    if usage_ids.is_empty() {
        return Ok(());
    }
    let marked = ctx
        .update_many::<usage_record::Entity>()
        .col_expr(usage_record::Column::InvoiceId, Expr::value(invoice_id))
        .filter(usage_record::Column::Id.is_in(usage_ids.to_vec()))
        .filter(usage_record::Column::InvoiceId.is_null())
        .exec(&ctx.db)
        .await?;
    if marked.rows_affected != usage_ids.len() as u64 {
        return Err(AppError::conflict_on("USAGEDATA_ID", "USAGEDATA_ID: no longer open"));
    }
    Ok(())
}

pub(super) fn invoice_row<C>(
    ctx: &Ctx<C>,
    now: DateTime<Utc>,
    draft: &Draft,
    priced: &Priced,
    number: String,
    term: Duration,
) -> invoice::Model {
    // A credit note settles by allocation at once (API.md 5.1: `paid`).
    let paid = priced.total.is_zero() || draft.kind == Kind::Credit;
    invoice::Model {
        id: 0,
        tenant_id: ctx.tenant.id.get(),
        invoice_number: number,
        kind: match draft.kind {
            Kind::Outgoing => "outgoing",
            Kind::Credit => "credit",
        }
        .to_owned(),
        status: if paid { "paid" } else { "unpaid" }.to_owned(),
        customer_id: draft.customer_id,
        subscription_id: draft.subscription_id,
        related_invoice_id: draft.related_invoice_id,
        invoice_title: draft.invoice_title.clone(),
        invoice_date: draft.invoice_date,
        due_date: draft.invoice_date + term,
        paid_date: paid.then_some(draft.invoice_date),
        period_start: draft.period.map(|p| p.0),
        period_end: draft.period.map(|p| p.1),
        billed_period: draft.billed_period,
        currency_code: draft.currency.clone(),
        sub_total: DecimalText(priced.sub_total),
        vat_total: DecimalText(priced.vat_total),
        total: DecimalText(priced.total),
        outstanding: DecimalText(if paid { Decimal::ZERO } else { priced.total }),
        vat_items: json!(
            priced
                .vat_items
                .iter()
                .map(|v| json!({
                    "VAT_PERCENT": format_decimal(v.vat_percent, 2),
                    "COMPLETE_NET": v.net.to_string(),
                    "VAT_VALUE": v.vat.to_string(),
                }))
                .collect::<Vec<_>>()
        ),
        created: now,
        intro_text: None,
        delivery_date: None,
        credited_total: DecimalText::default(),
        refunded: false,
        dunning_level: 0,
        dunning_paused: false,
        due_date_postponed: false,
        dunning_final_applied: false,
        seller: None,
        buyer: None,
        language_code: None,
        date_fixed: false,
    }
}
