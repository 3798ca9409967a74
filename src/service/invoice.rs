//! Invoices: issuing (number, lines, VAT) and reading.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Duration, TimeZone, Utc};
use rust_decimal::Decimal;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, NotSet, QueryFilter, QueryOrder,
    QuerySelect,
};
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
    let settings = &ctx.state.settings.billing;
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

/// One invoice of this tenant with its lines.
pub async fn load<C: ConnectionTrait>(ctx: &Ctx<C>, invoice_id: i64) -> AppResult<Issued> {
    let invoice = ctx
        .find::<invoice::Entity>()
        .filter(invoice::Column::Id.eq(invoice_id))
        .one(&ctx.db)
        .await?
        .ok_or_else(|| AppError::not_found("INVOICE_ID", "invoice not found"))?;
    let items = ctx
        .find::<invoice_item::Entity>()
        .filter(invoice_item::Column::InvoiceId.eq(invoice_id))
        .order_by_asc(invoice_item::Column::Position)
        .all(&ctx.db)
        .await?;
    Ok(Issued { invoice, items })
}

/// The regular invoice of the period of `subscription_id` starting at `start`.
pub async fn billed_period_invoice<C: ConnectionTrait>(
    ctx: &Ctx<C>,
    subscription_id: i64,
    start: DateTime<Utc>,
) -> AppResult<Option<invoice::Model>> {
    Ok(ctx
        .find::<invoice::Entity>()
        .filter(invoice::Column::SubscriptionId.eq(subscription_id))
        .filter(invoice::Column::BilledPeriod.eq(start))
        .one(&ctx.db)
        .await?)
}

/// Filters of `invoice.get`; all given must match.
#[derive(Debug, Default)]
pub struct InvoiceFilter {
    pub invoice_id: Option<i64>,
    pub invoice_number: Option<String>,
    pub customer_id: Option<i64>,
    pub subscription_id: Option<i64>,
    /// `unpaid`, `paid`, `overdue` or `canceled`.
    pub status: Option<String>,
    /// `outgoing` or `credit`.
    pub kind: Option<String>,
    pub due_from: Option<DateTime<Utc>>,
    pub due_to: Option<DateTime<Utc>>,
    pub month: Option<u32>,
    pub year: Option<i32>,
}

/// A page of invoices with their lines, by id.
pub async fn find<C: ConnectionTrait>(
    ctx: &Ctx<C>,
    filter: InvoiceFilter,
    limit: u64,
    offset: u64,
) -> AppResult<Vec<Issued>> {
    use invoice::Column as C_;
    let mut query = ctx.find::<invoice::Entity>();
    if let Some(id) = filter.invoice_id {
        query = query.filter(C_::Id.eq(id));
    }
    if let Some(number) = filter.invoice_number {
        query = query.filter(C_::InvoiceNumber.eq(number));
    }
    if let Some(id) = filter.customer_id {
        query = query.filter(C_::CustomerId.eq(id));
    }
    if let Some(id) = filter.subscription_id {
        query = query.filter(C_::SubscriptionId.eq(id));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(C_::Kind.eq(kind));
    }
    match filter.status.as_deref() {
        Some("overdue") => query = query.filter(C_::Status.eq("unpaid")).filter(C_::DueDate.lt(ctx.now)),
        Some("unpaid") => query = query.filter(C_::Status.eq("unpaid")).filter(C_::DueDate.gte(ctx.now)),
        Some(other) => query = query.filter(C_::Status.eq(other)),
        None => {}
    }
    if let Some(from) = filter.due_from {
        query = query.filter(C_::DueDate.gte(from));
    }
    if let Some(to) = filter.due_to {
        query = query.filter(C_::DueDate.lte(to));
    }
    if filter.month.is_some() || filter.year.is_some() {
        let year = filter.year.unwrap_or_else(|| ctx.now.year());
        let (from, to) = match filter.month {
            Some(m) => {
                (month_start(year, m), if m == 12 { month_start(year + 1, 1) } else { month_start(year, m + 1) })
            }
            None => (month_start(year, 1), month_start(year + 1, 1)),
        };
        query = query.filter(C_::InvoiceDate.gte(from)).filter(C_::InvoiceDate.lt(to));
    }
    let invoices = query.order_by_asc(C_::Id).limit(limit).offset(offset).all(&ctx.db).await?;
    let ids: Vec<i64> = invoices.iter().map(|i| i.id).collect();
    let items = if ids.is_empty() {
        Vec::new()
    } else {
        ctx.find::<invoice_item::Entity>()
            .filter(invoice_item::Column::InvoiceId.is_in(ids))
            .order_by_asc(invoice_item::Column::Position)
            .all(&ctx.db)
            .await?
    };
    let mut by_invoice: HashMap<i64, Vec<invoice_item::Model>> = HashMap::new();
    for item in items {
        by_invoice.entry(item.invoice_id).or_default().push(item);
    }
    Ok(invoices
        .into_iter()
        .map(|invoice| {
            let items = by_invoice.remove(&invoice.id).unwrap_or_default();
            Issued { invoice, items }
        })
        .collect())
}

fn month_start(year: i32, month: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(year, month, 1, 0, 0, 0).single().unwrap_or_default()
}

/// The status as clients see it: unpaid past the due date is `overdue`.
pub fn effective_status(invoice: &invoice::Model, now: DateTime<Utc>) -> &str {
    if invoice.status == "unpaid" && invoice.due_date < now { "overdue" } else { &invoice.status }
}
