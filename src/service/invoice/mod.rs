//! Invoices: issuing (number, lines, VAT); reading is in `query`.

mod query;

pub use query::{InvoiceFilter, billed_period_invoice, effective_status, find, load};

use chrono::{DateTime, Duration, Utc};
use rust_decimal::Decimal;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, NotSet, QueryFilter};
use serde_json::json;

use super::{Ctx, events};
use crate::billing::numbering;
use crate::db::counter;
use crate::db::scope::Scope;
use crate::domain::money::format_decimal;
use crate::domain::pricing::{self, Line, Priced};
use crate::error::{AppError, AppResult, is_unique_violation};
use entity::DecimalText;
use entity::{invoice, invoice_item, usage_record};

/// Outgoing invoice or credit note.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Outgoing,
    Credit,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Outgoing => "outgoing",
            Kind::Credit => "credit",
        }
    }
}

/// Everything needed to issue one invoice.
#[derive(Clone, Debug)]
pub struct Draft {
    pub kind: Kind,
    pub customer_id: i64,
    pub subscription_id: Option<i64>,
    pub related_invoice_id: Option<i64>,
    pub invoice_title: Option<String>,
    pub invoice_date: DateTime<Utc>,
    pub period: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// The period start of a subscription's regular invoice (unique per subscription).
    pub billed_period: Option<DateTime<Utc>>,
    pub currency: String,
    pub lines: Vec<Line>,
    /// Usage records this invoice bills; marked invoiced with it.
    pub usage_ids: Vec<i64>,
}

/// An issued invoice with its lines. Lines of an invoice just issued carry
/// id 0; loaded ones carry their ids.
#[derive(Clone, Debug)]
pub struct Issued {
    pub invoice: invoice::Model,
    pub items: Vec<invoice_item::Model>,
}

/// Prices a draft without issuing it (previews).
pub fn price(draft: &Draft) -> Priced {
    pricing::price(draft.lines.clone(), &draft.currency)
}

/// Issues `draft`: allocates the next number in the same transaction, stores
/// the invoice and its lines, marks billed usage. A period billed before
/// answers 1009 (the unique key on subscription and period refuses it).
pub async fn issue<C: ConnectionTrait>(ctx: &Ctx<C>, draft: Draft) -> AppResult<Issued> {
    let priced = price(&draft);
    let settings = &ctx.settings.billing;
    let (prefix, pattern) = match draft.kind {
        Kind::Outgoing => ("invoice", settings.invoice_number_pattern.as_str()),
        Kind::Credit => ("credit", settings.credit_note_number_pattern.as_str()),
    };
    let seq =
        counter::next(&ctx.db, ctx.tenant.id, &numbering::counter_name(prefix, pattern, draft.invoice_date)).await?;
    let number = numbering::render(pattern, draft.invoice_date, seq);
    let term = i64::from(settings.payment_term_days);
    let status = if priced.total.is_zero() { "paid" } else { "unpaid" };
    let vat_items: Vec<_> = priced
        .vat_items
        .iter()
        .map(|v| {
            json!({
                "VAT_PERCENT": format_decimal(v.vat_percent, 2),
                "COMPLETE_NET": v.net.to_string(),
                "VAT_VALUE": v.vat.to_string(),
            })
        })
        .collect();
    let mut row = invoice::Model {
        id: 0,
        tenant_id: ctx.tenant.id.get(),
        invoice_number: number,
        kind: draft.kind.as_str().to_owned(),
        status: status.to_owned(),
        customer_id: draft.customer_id,
        subscription_id: draft.subscription_id,
        related_invoice_id: draft.related_invoice_id,
        invoice_title: draft.invoice_title.clone(),
        invoice_date: draft.invoice_date,
        due_date: draft.invoice_date + Duration::days(term),
        paid_date: priced.total.is_zero().then_some(draft.invoice_date),
        period_start: draft.period.map(|p| p.0),
        period_end: draft.period.map(|p| p.1),
        billed_period: draft.billed_period,
        currency_code: draft.currency.clone(),
        sub_total: DecimalText(priced.sub_total),
        vat_total: DecimalText(priced.vat_total),
        total: DecimalText(priced.total),
        outstanding: DecimalText(if priced.total.is_zero() { Decimal::ZERO } else { priced.total }),
        vat_items: json!(vat_items),
        created: ctx.now,
    };
    let mut active = row.clone().into_active_model().reset_all();
    active.id = NotSet;
    row.id = match invoice::Entity::insert(active).exec(&ctx.db).await {
        Ok(inserted) => inserted.last_insert_id,
        Err(err) if is_unique_violation(&err) && draft.billed_period.is_some() => {
            return Err(AppError::conflict("this period is billed already"));
        }
        Err(err) => return Err(err.into()),
    };
    let invoice_id = row.id;
    let items: Vec<invoice_item::Model> = priced
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| invoice_item::Model {
            id: 0,
            tenant_id: ctx.tenant.id.get(),
            invoice_id,
            position: i as i32 + 1,
            kind: l.line.kind.as_str().to_owned(),
            article_number: l.line.article_number.clone(),
            description: l.line.description.clone(),
            quantity: DecimalText(l.line.quantity),
            unit_price: DecimalText(l.line.unit_price),
            vat_percent: DecimalText(l.line.vat_percent),
            complete_net: DecimalText(l.net),
        })
        .collect();
    if !items.is_empty() {
        let rows = items.iter().map(|item| {
            let mut active = item.clone().into_active_model().reset_all();
            active.id = NotSet;
            active
        });
        invoice_item::Entity::insert_many(rows).exec(&ctx.db).await?;
    }
    if !draft.usage_ids.is_empty() {
        ctx.update_many::<usage_record::Entity>()
            .col_expr(usage_record::Column::InvoiceId, Expr::value(invoice_id))
            .filter(usage_record::Column::Id.is_in(draft.usage_ids.clone()))
            .filter(usage_record::Column::InvoiceId.is_null())
            .exec(&ctx.db)
            .await?;
    }
    // Built from what was written rather than read back; line ids stay 0
    // (only previews show lines of a fresh invoice, and they show no ids).
    let issued = Issued { invoice: row, items };
    events::append(
        ctx,
        "invoice",
        invoice_id,
        "invoice.created",
        json!({
            "INVOICE_NUMBER": issued.invoice.invoice_number,
            "TYPE": issued.invoice.kind,
            "TOTAL": issued.invoice.total.0.to_string(),
            "SUBSCRIPTION_ID": issued.invoice.subscription_id,
        }),
    )
    .await?;
    Ok(issued)
}
