//! Credit notes (API.md section 10): `invoice.credit`, `invoice.cancel`, and
//! crediting one line by amount (`consumption.refund` of an invoiced
//! consumption). The money is `domain::credit_note`; the note is issued by
//! the one invoice writer in the caller's transaction, with its own gapless
//! number series; then the original records what was taken and its balance
//! moves (`billing::balance`).
//!
//! Two concurrent credits of the last part: the original invoice's row is
//! read with a lock (PostgreSQL `FOR UPDATE`; SQLite has one writer), so the
//! second decides from what the first committed and answers 1009.

use std::str::FromStr;

use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};

use super::invoice::{Draft, Issued, Kind};
use super::{Ctx, WriteCtx, events};
use crate::billing::{balance, writer};
use crate::db::scope::Scope;
use crate::domain::balance::allocate_credit_note;
use crate::domain::credit_note::{self, CreditError, CreditNote, Original, OriginalLine, Part, Request, Take, Taken};
use crate::domain::credit_note::{TakenLine, TakenRate};
use crate::domain::pricing::{Line, LineKind, Priced, PricedLine, VatItem};
use crate::error::{AppError, AppResult};
use entity::{DecimalText, invoice, invoice_item};

/// What to credit, and how.
#[derive(Clone, Debug)]
pub struct CreditInput {
    pub invoice_id: i64,
    pub request: Request,
    /// Shown as the credit note's title.
    pub reason: Option<String>,
    /// What the invoice no longer owes is refunded rather than kept as customer credit.
    pub refund: bool,
}

fn credit_error(err: CreditError) -> AppError {
    match err {
        CreditError::UnknownLine(_)
        | CreditError::Allowance(_)
        | CreditError::NotPositive { .. }
        | CreditError::AmountPrecision { .. } => AppError::invalid(err.tag(), err),
        _ => AppError::conflict_on(err.tag(), err.to_string()),
    }
}

/// The issued, uncanceled outgoing invoice `id` (locked for this transaction).
async fn creditable<C: ConnectionTrait>(ctx: &Ctx<C>, id: i64) -> AppResult<invoice::Model> {
    let invoice = ctx
        .by_id::<invoice::Entity, _>(&ctx.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("INVOICE_ID", "INVOICE_ID: no such invoice"))?;
    match (invoice.kind.as_str(), invoice.status.as_str()) {
        ("credit", _) => Err(AppError::conflict_on("INVOICE_ID", "INVOICE_ID: a credit note is final")),
        (_, "draft") => Err(AppError::conflict_on("INVOICE_ID", "INVOICE_ID: a draft is not issued yet")),
        (_, "canceled") => Err(AppError::conflict_on("INVOICE_ID", "INVOICE_ID: the invoice is canceled")),
        _ => Ok(invoice),
    }
}

fn vat_items(stored: &Value) -> Vec<VatItem> {
    let dec = |v: &Value, k: &str| v[k].as_str().and_then(|s| Decimal::from_str(s).ok()).unwrap_or_default();
    stored
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|v| VatItem {
                    vat_percent: dec(v, "VAT_PERCENT").normalize(),
                    net: dec(v, "COMPLETE_NET"),
                    vat: dec(v, "VAT_VALUE"),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn original_line(item: &invoice_item::Model) -> OriginalLine {
    let line = Line {
        kind: LineKind::parse(&item.kind).unwrap_or(LineKind::Manual),
        article_number: item.article_number.clone(),
        description: item.description.clone(),
        quantity: item.quantity.0,
        unit_price: item.unit_price.0,
        vat_percent: item.vat_percent.0,
    };
    OriginalLine { id: item.id, priced: PricedLine { line, net: item.complete_net.0 } }
}

/// What earlier credit notes took: per line from the original's lines, per
/// rate from the notes' VAT items (in the original's sign).
async fn taken<C: ConnectionTrait>(ctx: &Ctx<C>, invoice_id: i64, items: &[invoice_item::Model]) -> AppResult<Taken> {
    let lines =
        items.iter().map(|i| TakenLine { id: i.id, quantity: i.credited_quantity.0, net: i.credited_net.0 }).collect();
    let notes = ctx
        .find::<invoice::Entity>()
        .filter(invoice::Column::RelatedInvoiceId.eq(invoice_id))
        .filter(invoice::Column::Kind.eq("credit"))
        .all(&ctx.db)
        .await?;
    let mut rates: Vec<TakenRate> = Vec::new();
    for v in notes.iter().flat_map(|n| vat_items(&n.vat_items)) {
        match rates.iter_mut().find(|r| r.vat_percent == v.vat_percent) {
            Some(r) => {
                r.net -= v.net;
                r.vat -= v.vat;
            }
            None => rates.push(TakenRate { vat_percent: v.vat_percent, net: -v.net, vat: -v.vat }),
        }
    }
    Ok(Taken { lines, rates })
}

fn draft_of(
    original: &invoice::Model,
    note: &CreditNote,
    reason: Option<String>,
    now: chrono::DateTime<chrono::Utc>,
) -> (Draft, Priced) {
    let draft = Draft {
        kind: Kind::Credit,
        customer_id: original.customer_id,
        subscription_id: original.subscription_id,
        related_invoice_id: Some(original.id),
        invoice_title: reason.or_else(|| Some(format!("Credit note for {}", original.invoice_number))),
        invoice_date: now,
        period: original.period_start.zip(original.period_end),
        billed_period: None,
        currency: original.currency_code.clone(),
        lines: note.lines.iter().map(|l| l.priced.line.clone()).collect(),
        usage_ids: Vec::new(),
        consumption_ids: Vec::new(),
    };
    let priced = Priced {
        currency: note.currency.clone(),
        lines: note.lines.iter().map(|l| l.priced.clone()).collect(),
        vat_items: note.vat_items.clone(),
        sub_total: note.sub_total,
        vat_total: note.vat_total,
        total: note.total,
    };
    (draft, priced)
}

/// `invoice.credit`: issues a credit note of `input.request` on the invoice,
/// and allocates it (OUTSTANDING_AMOUNT first, then CREDIT_BALANCE or refund).
pub async fn credit(ctx: &WriteCtx, input: CreditInput) -> AppResult<Issued> {
    let refund = input.refund;
    let (original, issued, note) = issue(ctx, input).await?;
    allocate(ctx, original, issued, &note, refund).await
}

/// Issues the credit note of `input.request` and records what it took of the original's lines;
/// answers the original as it was, the note, and its money, for the caller to allocate.
async fn issue(ctx: &WriteCtx, input: CreditInput) -> AppResult<(invoice::Model, Issued, CreditNote)> {
    let original = creditable(ctx, input.invoice_id).await?;
    let items = ctx
        .find::<invoice_item::Entity>()
        .filter(invoice_item::Column::InvoiceId.eq(original.id))
        .order_by_asc(invoice_item::Column::Position)
        .all(&ctx.db)
        .await?;
    let lines: Vec<OriginalLine> = items.iter().map(original_line).collect();
    let vat = vat_items(&original.vat_items);
    let source = Original { currency: &original.currency_code, lines: &lines, vat_items: &vat };
    let taken = taken(ctx, original.id, &items).await?;
    let note = credit_note::credit(&source, &taken, &input.request).map_err(credit_error)?;
    let (draft, priced) = draft_of(&original, &note, input.reason, ctx.now);
    let issued = writer::issue_priced(ctx, draft, priced).await?;
    record_taken(ctx, &issued, &note, &items).await?;
    Ok((original, issued, note))
}

/// Links the note's lines to the originals and adds what they took to them.
async fn record_taken(
    ctx: &WriteCtx,
    issued: &Issued,
    note: &CreditNote,
    items: &[invoice_item::Model],
) -> AppResult<()> {
    let written = ctx
        .find::<invoice_item::Entity>()
        .filter(invoice_item::Column::InvoiceId.eq(issued.invoice.id))
        .order_by_asc(invoice_item::Column::Position)
        .all(&ctx.db)
        .await?;
    for (row, line) in written.into_iter().zip(&note.lines) {
        let mut row = row;
        row.source_item_id = Some(line.original_id);
        save_item(ctx, row).await?;
    }
    for line in &note.lines {
        let Some(original) = items.iter().find(|i| i.id == line.original_id) else { continue };
        let mut original = original.clone();
        original.credited_quantity = DecimalText(original.credited_quantity.0 + line.credited_quantity);
        original.credited_net = DecimalText(original.credited_net.0 - line.priced.net);
        save_item(ctx, original).await?;
    }
    Ok(())
}

pub(super) async fn save_item(ctx: &WriteCtx, row: invoice_item::Model) -> AppResult<()> {
    use sea_orm::{ActiveModelTrait, IntoActiveModel};
    invoice_item::Entity::update(row.into_active_model().reset_all())
        .filter(invoice_item::Column::TenantId.eq(ctx.tenant.id.get()))
        .exec(&ctx.db)
        .await?;
    Ok(())
}

/// Moves the original's balance by the note's total and marks a refund.
async fn allocate(
    ctx: &WriteCtx,
    original: invoice::Model,
    mut issued: Issued,
    note: &CreditNote,
    refund: bool,
) -> AppResult<Issued> {
    if move_balance(ctx, original, -note.total, refund).await? > Decimal::ZERO {
        issued.invoice.refunded = true;
        balance::save_invoice(ctx, &issued.invoice).await?;
    }
    super::invoice::load(ctx, issued.invoice.id).await
}

/// Credits `gross` (positive) to `original`: CREDITED_TOTAL grows, OUTSTANDING_AMOUNT falls as far
/// as it goes, the rest goes to the customer's CREDIT_BALANCE or, with `refund`, is refunded
/// (answered, so the caller marks the note).
pub(super) async fn move_balance(
    ctx: &WriteCtx,
    mut original: invoice::Model,
    gross: Decimal,
    refund: bool,
) -> AppResult<Decimal> {
    let split = allocate_credit_note(gross, original.outstanding.0, refund);
    original.credited_total = DecimalText(original.credited_total.0 + gross);
    let outstanding = original.outstanding.0 - split.to_invoice;
    balance::settle(ctx, original.clone(), outstanding, ctx.now).await?;
    balance::change_credit_balance(ctx, original.customer_id, split.to_credit_balance, "INVOICE_ID").await?;
    Ok(split.refunded)
}

/// `invoice.cancel`: a credit note of everything not yet credited, then STATUS
/// `canceled` (with `invoice.canceled`). Answers the credit note.
pub async fn cancel(ctx: &WriteCtx, invoice_id: i64, reason: Option<String>) -> AppResult<Issued> {
    let input = CreditInput { invoice_id, request: Request::Whole, reason, refund: false };
    let (mut original, issued, note) = issue(ctx, input).await?;
    // Canceled before the allocation: what the note clears is not a payment, so no `invoice.paid`
    // reaches a shop that marks orders paid on it.
    original.status = "canceled".into();
    let note = allocate(ctx, original, issued, &note, false).await?;
    let original = super::invoice::load(ctx, invoice_id).await?.invoice;
    let data = json!({"INVOICE_NUMBER": original.invoice_number, "CREDIT_NOTE_ID": note.invoice.id});
    events::append(ctx, "invoice", invoice_id, "invoice.canceled", data).await?;
    Ok(note)
}

/// Credits `amount` (a net; `None`: all that is left) of invoice line
/// `invoice_item_id` with a credit note of its own; for `consumption.refund`
/// of a consumption that is invoiced already. 1004 (tag `INVOICE_ITEM_ID`)
/// for a line that is not this tenant's.
pub async fn credit_item_amount(
    ctx: &WriteCtx,
    invoice_item_id: i64,
    amount: Option<Decimal>,
    reason: Option<String>,
) -> AppResult<Issued> {
    let item = ctx
        .by_id::<invoice_item::Entity, _>(&ctx.db, invoice_item_id)
        .await?
        .ok_or_else(|| AppError::not_found("INVOICE_ITEM_ID", "INVOICE_ITEM_ID: no such invoice line"))?;
    let left = (item.complete_net.0 - item.credited_net.0).abs();
    if amount.is_none() && left.is_zero() {
        return Err(AppError::conflict_on("AMOUNT", "AMOUNT: the line is fully credited already"));
    }
    let take = Take::Amount(amount.unwrap_or(left));
    let request = Request::Parts(vec![Part { line_id: item.id, take }]);
    credit(ctx, CreditInput { invoice_id: item.invoice_id, request, reason, refund: false }).await
}
