//! Credit notes that billing issues against an invoice (the unused days of `subscription.terminate`
//! with CREDIT_UNUSED) are settled like those of `invoice.credit` (API.md section 10): the related
//! invoice's CREDITED_TOTAL grows and its OUTSTANDING_AMOUNT falls; what a paid invoice no longer
//! owes goes to the customer's CREDIT_BALANCE.
//!
//! Their lines are shares of the invoice's lines, so each is matched to the invoice line it gives
//! back (a plan or add-on line by ARTICLE_NUMBER and VAT rate, a discount or coupon line by kind
//! and rate) and counted in that line's credited net. A later `invoice.credit` or `invoice.cancel` then credits
//! only what is left, and the notes of an invoice add up to no more than its total.

use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};

use super::WriteCtx;
use super::credit_note::{move_balance, save_item};
use super::invoice::Issued;
use crate::db::scope::Scope;
use crate::error::AppResult;
use entity::{DecimalText, invoice, invoice_item};

/// Settles every credit note among `issued` that names a related invoice; others are left alone.
pub async fn allocate(ctx: &WriteCtx, issued: &[Issued]) -> AppResult<()> {
    for note in issued.iter().filter(|i| i.invoice.kind == "credit") {
        let Some(related) = note.invoice.related_invoice_id else { continue };
        let Some(original) = ctx.by_id::<invoice::Entity, _>(&ctx.db, related).await? else { continue };
        // The writer's `Issued` carries the lines as drafted; their stored rows have the ids.
        let lines = lines_of(ctx, note.invoice.id).await?;
        take_lines(ctx, original.id, &lines).await?;
        move_balance(ctx, original, -note.invoice.total.0, false).await?;
    }
    Ok(())
}

/// The stored lines of invoice `invoice_id`, in order.
async fn lines_of(ctx: &WriteCtx, invoice_id: i64) -> AppResult<Vec<invoice_item::Model>> {
    Ok(ctx
        .find::<invoice_item::Entity>()
        .filter(invoice_item::Column::InvoiceId.eq(invoice_id))
        .order_by_asc(invoice_item::Column::Position)
        .all(&ctx.db)
        .await?)
}

/// Counts each note line in the invoice line it gives back, up to what is left of that line, and
/// links it there (`source_item_id`): a proration line gives back a plan or add-on line (same
/// ARTICLE_NUMBER and VAT rate), a discount or coupon line (positive on the note) gives back a
/// discount or coupon line of the same rate (negative on the invoice). A line whose net runs out
/// is fully credited, quantity too.
async fn take_lines(ctx: &WriteCtx, invoice_id: i64, note_lines: &[invoice_item::Model]) -> AppResult<()> {
    let mut items = lines_of(ctx, invoice_id).await?;
    for line in note_lines {
        let given = -line.complete_net.0;
        if given.is_zero() {
            continue;
        }
        let left = |i: &invoice_item::Model| i.complete_net.0 - i.credited_net.0;
        let Some(item) = items.iter_mut().find(|i| {
            gives_back(&line.kind, &i.kind)
                && (line.kind != "proration" || i.article_number == line.article_number)
                && i.vat_percent.0 == line.vat_percent.0
                && left(i).is_sign_positive() == given.is_sign_positive()
                && !left(i).is_zero()
        }) else {
            continue;
        };
        let take = if given > Decimal::ZERO { given.min(left(item)) } else { given.max(left(item)) };
        item.credited_net = DecimalText(item.credited_net.0 + take);
        if left(item).is_zero() {
            item.credited_quantity = item.quantity;
        }
        save_item(ctx, item.clone()).await?;
        let mut linked = line.clone();
        linked.source_item_id = Some(item.id);
        save_item(ctx, linked).await?;
    }
    Ok(())
}

/// Whether a note line of `note_kind` gives back an invoice line of `item_kind`.
fn gives_back(note_kind: &str, item_kind: &str) -> bool {
    match note_kind {
        "proration" => matches!(item_kind, "plan" | "addon"),
        "discount" | "coupon" => item_kind == note_kind,
        _ => false,
    }
}
