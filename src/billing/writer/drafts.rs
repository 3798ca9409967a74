//! Drafts: manual invoices before `invoice.complete` (API.md section 10).
//! A draft is an invoice row with STATUS `draft`, a placeholder number
//! (`~draft-N`, from a counter of its own, never the gapless series; the
//! wire shows it as null) and totals priced like any invoice, so the client
//! sees what completing it would issue. Completing allocates the real number
//! in the completing transaction, dates it, snapshots seller and buyer, and
//! then does what every flush does for a new invoice: `invoice.created`,
//! customer credit applied, the mail queued. The row keeps its id.

use chrono::{DateTime, Duration, Utc};
use rust_decimal::Decimal;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, NotSet, QueryFilter};
use sea_orm::{QueryOrder, sea_query::Expr};

use super::super::draft::{Draft, Issued, Kind};
use super::super::snapshot::Snapshots;
use super::super::{balance, mail};
use super::{events, invoices};
use crate::db::bulk::insert_rows;
use crate::db::counter;
use crate::db::ctx::Ctx;
use crate::db::scope::Scope;
use crate::domain::pricing::{self, Line, LineKind, Priced};
use crate::error::{AppError, AppResult};
use entity::{DecimalText, invoice, invoice_item};

/// What a draft says besides its lines.
#[derive(Clone, Debug)]
pub struct DraftHead {
    pub customer_id: i64,
    pub currency: String,
    pub invoice_title: Option<String>,
    pub intro_text: Option<String>,
    /// `None`: dated when completed.
    pub invoice_date: Option<DateTime<Utc>>,
    pub delivery_date: Option<DateTime<Utc>>,
}

fn line_of(item: &invoice_item::Model) -> Line {
    Line {
        kind: LineKind::parse(&item.kind).unwrap_or(LineKind::Manual),
        article_number: item.article_number.clone(),
        description: item.description.clone(),
        quantity: item.quantity.0,
        unit_price: item.unit_price.0,
        vat_percent: item.vat_percent.0,
    }
}

fn draft_of(head: &DraftHead, date: DateTime<Utc>, lines: Vec<Line>) -> Draft {
    Draft {
        kind: Kind::Outgoing,
        customer_id: head.customer_id,
        subscription_id: None,
        related_invoice_id: None,
        invoice_title: head.invoice_title.clone(),
        invoice_date: date,
        period: None,
        billed_period: None,
        currency: head.currency.clone(),
        lines,
        usage_ids: Vec::new(),
        consumption_ids: Vec::new(),
    }
}

/// Writes a draft: new when `existing` is `None`, else that draft revised.
/// Its lines become `keep` (lines it has; the others are deleted) followed by
/// `add`; totals are priced again over all of them.
pub async fn store_draft<C: ConnectionTrait>(
    ctx: &Ctx<C>,
    existing: Option<invoice::Model>,
    head: DraftHead,
    keep: Vec<invoice_item::Model>,
    add: Vec<Line>,
) -> AppResult<Issued> {
    let date = head.invoice_date.or(existing.as_ref().map(|e| e.created)).unwrap_or(ctx.now);
    let lines: Vec<Line> = keep.iter().map(line_of).chain(add.iter().cloned()).collect();
    let draft = draft_of(&head, date, lines);
    let priced = pricing::price(draft.lines.clone(), &draft.currency);
    let number = match &existing {
        Some(e) => e.invoice_number.clone(),
        None => format!("~draft-{}", counter::next(&ctx.db, ctx.tenant.id, "draft").await?),
    };
    let mut row = invoices::invoice_row(ctx, ctx.now, &draft, &priced, number, Duration::zero());
    row.status = "draft".into();
    row.outstanding = DecimalText(Decimal::ZERO);
    row.paid_date = None;
    row.intro_text = head.intro_text;
    row.delivery_date = head.delivery_date;
    row.date_fixed = head.invoice_date.is_some();
    match existing {
        Some(e) => {
            row.id = e.id;
            row.created = e.created;
            save(ctx, &row).await?;
        }
        None => {
            let mut active = row.clone().into_active_model().reset_all();
            active.id = NotSet;
            row.id = invoice::Entity::insert(active).exec(&ctx.db).await?.last_insert_id;
        }
    }
    let items = store_items(ctx, row.id, keep, &priced).await?;
    Ok(Issued { invoice: row, items })
}

/// Deletes the draft's lines that are not kept, renumbers and re-nets the
/// kept ones, and inserts the added ones (the priced lines after the kept).
async fn store_items<C: ConnectionTrait>(
    ctx: &Ctx<C>,
    invoice_id: i64,
    keep: Vec<invoice_item::Model>,
    priced: &Priced,
) -> AppResult<Vec<invoice_item::Model>> {
    let kept: Vec<i64> = keep.iter().map(|i| i.id).collect();
    ctx.delete_many::<invoice_item::Entity>()
        .filter(invoice_item::Column::InvoiceId.eq(invoice_id))
        .filter(invoice_item::Column::Id.is_not_in(kept))
        .exec(&ctx.db)
        .await?;
    let mut items = Vec::with_capacity(priced.lines.len());
    for (i, (mut item, line)) in keep.into_iter().zip(&priced.lines).enumerate() {
        let position = i32::try_from(i + 1).unwrap_or(i32::MAX);
        if item.position != position || item.complete_net.0 != line.net {
            ctx.update_many::<invoice_item::Entity>()
                .col_expr(invoice_item::Column::Position, Expr::value(position))
                .col_expr(invoice_item::Column::CompleteNet, Expr::value(line.net.to_string()))
                .filter(invoice_item::Column::Id.eq(item.id))
                .exec(&ctx.db)
                .await?;
            item.position = position;
            item.complete_net = DecimalText(line.net);
        }
        items.push(item);
    }
    let start = items.len();
    let new: Vec<invoice_item::Model> = priced.lines[start..]
        .iter()
        .enumerate()
        .map(|(i, l)| invoices::item_row(ctx, invoice_id, start + i + 1, l))
        .collect();
    let ids = insert_rows::<invoice_item::Entity, _>(&ctx.db, &new).await?;
    items.extend(new.into_iter().zip(ids).map(|(mut item, id)| {
        item.id = id;
        item
    }));
    Ok(items)
}

async fn save<C: ConnectionTrait>(ctx: &Ctx<C>, row: &invoice::Model) -> AppResult<()> {
    invoice::Entity::update(row.clone().into_active_model().reset_all())
        .filter(invoice::Column::TenantId.eq(ctx.tenant.id.get()))
        .exec(&ctx.db)
        .await?;
    Ok(())
}

/// Deletes draft `row` and its lines.
pub async fn delete_draft<C: ConnectionTrait>(ctx: &Ctx<C>, row: &invoice::Model) -> AppResult<()> {
    ctx.delete_many::<invoice_item::Entity>().filter(invoice_item::Column::InvoiceId.eq(row.id)).exec(&ctx.db).await?;
    ctx.delete_many::<invoice::Entity>()
        .filter(invoice::Column::Id.eq(row.id))
        .filter(invoice::Column::Status.eq("draft"))
        .exec(&ctx.db)
        .await?;
    Ok(())
}

/// Issues draft `row`: its number from the gapless series now, dated now
/// unless the draft set INVOICE_DATE, due by the customer's payment term.
pub async fn complete_draft<C: ConnectionTrait>(ctx: &Ctx<C>, row: invoice::Model) -> AppResult<Issued> {
    if row.status != "draft" {
        return Err(AppError::conflict_on("INVOICE_ID", "INVOICE_ID: the invoice is issued already"));
    }
    let items = ctx
        .find::<invoice_item::Entity>()
        .filter(invoice_item::Column::InvoiceId.eq(row.id))
        .order_by_asc(invoice_item::Column::Position)
        .all(&ctx.db)
        .await?;
    let date = if row.date_fixed { row.invoice_date } else { ctx.now };
    let head = DraftHead {
        customer_id: row.customer_id,
        currency: row.currency_code.clone(),
        invoice_title: row.invoice_title.clone(),
        intro_text: row.intro_text.clone(),
        invoice_date: Some(date),
        delivery_date: row.delivery_date,
    };
    let draft = draft_of(&head, date, items.iter().map(line_of).collect());
    let priced = pricing::price(draft.lines.clone(), &draft.currency);
    let number = invoices::next_number(ctx, &draft).await?;
    let customers = Snapshots::load(ctx, vec![row.customer_id]).await?;
    let term = invoices::payment_term(ctx, &customers, row.customer_id);
    let mut issued = invoices::invoice_row(ctx, ctx.now, &draft, &priced, number, term);
    issued.id = row.id;
    issued.created = row.created;
    issued.intro_text = row.intro_text;
    issued.delivery_date = row.delivery_date;
    issued.date_fixed = row.date_fixed;
    customers.apply(&mut issued);
    save(ctx, &issued).await?;
    let mut issued = vec![Issued { invoice: issued, items }];
    events::insert(ctx, ctx.now, &issued, Vec::new()).await?;
    balance::apply_customer_credit(ctx, &mut issued, &customers.with_credit()).await?;
    mail::on_issue(ctx, &issued, &customers).await?;
    issued.pop().ok_or_else(|| AppError::internal("the draft vanished"))
}
