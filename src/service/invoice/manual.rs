//! Manual invoices (API.md section 10): drafts with KIND `manual` lines,
//! edited with `invoice.update` and `item.delete`, deleted with
//! `invoice.delete`, issued with `invoice.complete`. The rows are written by
//! the billing writer (`billing::writer::store_draft` and friends); this
//! module checks the rules: only drafts change, lines are priced from the
//! article unless given, and every change is on the invoice's timeline.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, ConnectionTrait, QueryFilter, QueryOrder};
use serde_json::json;

use super::{Issued, load};
use crate::billing::writer::{self, DraftHead};
use crate::db::scope::Scope;
use crate::domain::pricing::{Line, LineKind};
use crate::error::{AppError, AppResult};
use crate::service::{Ctx, WriteCtx, article, customer, events};
use entity::{invoice, invoice_item};

/// One line asked for; the article's title, price and rate are the defaults.
#[derive(Clone, Debug)]
pub struct ManualItem {
    /// Where it sits in the request (`ITEMS[0]`), for errors.
    pub tag: String,
    pub article_number: Option<String>,
    pub description: Option<String>,
    pub quantity: Decimal,
    pub unit_price: Option<Decimal>,
    pub vat_percent: Option<Decimal>,
}

/// The tags of `invoice.create`, and those `invoice.update` may change.
#[derive(Clone, Debug, Default)]
pub struct ManualInvoice {
    pub customer_id: Option<i64>,
    pub currency: Option<String>,
    pub invoice_title: Option<String>,
    pub intro_text: Option<String>,
    pub invoice_date: Option<DateTime<Utc>>,
    pub delivery_date: Option<DateTime<Utc>>,
    pub items: Vec<ManualItem>,
}

async fn lines_of<C: ConnectionTrait>(ctx: &Ctx<C>, items: Vec<ManualItem>, currency: &str) -> AppResult<Vec<Line>> {
    let mut lines = Vec::with_capacity(items.len());
    for item in items {
        let tag = |t: &str| format!("{}.{t}", item.tag);
        let found = match &item.article_number {
            Some(number) => Some(article::get_one(ctx, number).await.map_err(|err| match err {
                AppError::NotFound { .. } => AppError::not_found(tag("ARTICLE_NUMBER"), "article not found"),
                other => other,
            })?),
            None => None,
        };
        let unit_price = match (item.unit_price, &found) {
            (Some(p), _) => p,
            (None, Some(a)) if a.currency_code == currency => a.unit_price.0,
            (None, Some(a)) => {
                return Err(AppError::invalid(
                    tag("ARTICLE_NUMBER"),
                    format!("the article is priced in {}; give UNIT_PRICE", a.currency_code),
                ));
            }
            (None, None) => return Err(AppError::invalid(tag("UNIT_PRICE"), "required without ARTICLE_NUMBER")),
        };
        let vat_percent = match (item.vat_percent, &found) {
            (Some(v), _) => v,
            (None, Some(a)) => a.vat_percent.0,
            (None, None) => return Err(AppError::invalid(tag("VAT_PERCENT"), "required without ARTICLE_NUMBER")),
        };
        let description = match (item.description, &found) {
            (Some(d), _) => d,
            (None, Some(a)) => a.title.clone(),
            (None, None) => return Err(AppError::invalid(tag("DESCRIPTION"), "required without ARTICLE_NUMBER")),
        };
        lines.push(Line {
            kind: LineKind::Manual,
            article_number: found.map(|a| a.article_number),
            description,
            quantity: item.quantity,
            unit_price,
            vat_percent,
        });
    }
    Ok(lines)
}

/// `invoice.create`: a draft for a customer.
pub async fn create(ctx: &WriteCtx, input: ManualInvoice) -> AppResult<Issued> {
    let customer_id = input.customer_id.ok_or_else(|| AppError::invalid("CUSTOMER_ID", "required"))?;
    let customer = customer::get_one(ctx, customer_id).await?;
    let currency =
        input.currency.or(customer.currency_code).unwrap_or_else(|| ctx.settings.billing.default_currency.clone());
    let lines = lines_of(ctx, input.items, &currency).await?;
    let head = DraftHead {
        customer_id,
        currency,
        invoice_title: input.invoice_title,
        intro_text: input.intro_text,
        invoice_date: input.invoice_date,
        delivery_date: input.delivery_date,
    };
    let draft = writer::store_draft(ctx, None, head, Vec::new(), lines).await?;
    let data = json!({"CUSTOMER_ID": customer_id, "TOTAL": draft.invoice.total.0.to_string()});
    events::append(ctx, "invoice", draft.invoice.id, "invoice.draft_created", data).await?;
    Ok(draft)
}

/// Draft `id` of this tenant with its lines: 1004 when there is none, 1009
/// when it is issued (invoices never change after issue).
pub async fn draft<C: ConnectionTrait>(ctx: &Ctx<C>, id: i64) -> AppResult<Issued> {
    let found = load(ctx, id).await?;
    if found.invoice.status != "draft" {
        return Err(AppError::conflict_on("INVOICE_ID", "INVOICE_ID: the invoice is issued; it cannot change"));
    }
    Ok(found)
}

fn head_of(row: &invoice::Model) -> DraftHead {
    DraftHead {
        customer_id: row.customer_id,
        currency: row.currency_code.clone(),
        invoice_title: row.invoice_title.clone(),
        intro_text: row.intro_text.clone(),
        invoice_date: row.date_fixed.then_some(row.invoice_date),
        delivery_date: row.delivery_date,
    }
}

/// `invoice.update`: changes the given tags of a draft; ITEMS are added to its
/// lines, or replace them with `delete_existing`.
pub async fn update(ctx: &WriteCtx, id: i64, patch: ManualInvoice, delete_existing: bool) -> AppResult<Issued> {
    let Issued { invoice: row, items } = draft(ctx, id).await?;
    let mut head = head_of(&row);
    if let Some(customer_id) = patch.customer_id {
        head.customer_id = customer::get_one(ctx, customer_id).await?.id;
    }
    if let Some(currency) = patch.currency {
        head.currency = currency;
    }
    head.invoice_title = patch.invoice_title.or(head.invoice_title);
    head.intro_text = patch.intro_text.or(head.intro_text);
    head.invoice_date = patch.invoice_date.or(head.invoice_date);
    head.delivery_date = patch.delivery_date.or(head.delivery_date);
    let lines = lines_of(ctx, patch.items, &head.currency).await?;
    let keep = if delete_existing { Vec::new() } else { items };
    let draft = writer::store_draft(ctx, Some(row), head, keep, lines).await?;
    let data = json!({"TOTAL": draft.invoice.total.0.to_string(), "DELETE_EXISTING_ITEMS": delete_existing});
    events::append(ctx, "invoice", id, "invoice.draft_updated", data).await?;
    Ok(draft)
}

/// `invoice.delete`: a draft and its lines.
pub async fn delete(ctx: &WriteCtx, id: i64) -> AppResult<()> {
    let found = draft(ctx, id).await?;
    writer::delete_draft(ctx, &found.invoice).await?;
    events::append(ctx, "invoice", id, "invoice.draft_deleted", json!({"CUSTOMER_ID": found.invoice.customer_id}))
        .await?;
    Ok(())
}

/// `invoice.complete`: issues the draft with its number (1009 for an invoice
/// issued already, or a draft without lines).
pub async fn complete(ctx: &WriteCtx, id: i64) -> AppResult<Issued> {
    let found = draft(ctx, id).await?;
    if found.items.is_empty() {
        return Err(AppError::conflict_on("INVOICE_ID", "INVOICE_ID: the draft has no lines"));
    }
    writer::complete_draft(ctx, found.invoice).await
}

/// `item.delete`: one line of a draft (1004 for a line not this tenant's).
pub async fn delete_item(ctx: &WriteCtx, item_id: i64) -> AppResult<Issued> {
    let item = ctx
        .by_id::<invoice_item::Entity, _>(&ctx.db, item_id)
        .await?
        .ok_or_else(|| AppError::not_found("INVOICE_ITEM_ID", "INVOICE_ITEM_ID: no such invoice line"))?;
    let Issued { invoice: row, items } = draft(ctx, item.invoice_id).await.map_err(|err| match err {
        AppError::Conflict { .. } => {
            AppError::conflict_on("INVOICE_ITEM_ID", "INVOICE_ITEM_ID: the line's invoice is issued; it cannot change")
        }
        other => other,
    })?;
    let keep = items.into_iter().filter(|i| i.id != item_id).collect();
    let head = head_of(&row);
    let draft = writer::store_draft(ctx, Some(row), head, keep, Vec::new()).await?;
    let data = json!({"TOTAL": draft.invoice.total.0.to_string(), "DELETED_ITEM_ID": item_id});
    events::append(ctx, "invoice", draft.invoice.id, "invoice.draft_updated", data).await?;
    Ok(draft)
}

/// `item.get`: the lines of invoice `invoice_id` (any invoice of this tenant).
pub async fn items<C: ConnectionTrait>(ctx: &Ctx<C>, invoice_id: i64) -> AppResult<Vec<invoice_item::Model>> {
    load(ctx, invoice_id).await?;
    Ok(ctx
        .find::<invoice_item::Entity>()
        .filter(invoice_item::Column::InvoiceId.eq(invoice_id))
        .order_by_asc(invoice_item::Column::Position)
        .all(&ctx.db)
        .await?)
}
