//! Writes collected while subscriptions are stepped forward, then flushed in
//! a handful of multi-row statements: invoice numbers per counter in one
//! bump, all invoices, all lines, all events, all subscription rows.
//!
//! SQLite answers every statement from a worker thread, so a billing run is
//! bound by statement round trips, not by work; a chunk of subscriptions
//! flushed together costs about as many statements as one subscription did.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use rust_decimal::Decimal;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, Iterable, NotSet, QueryFilter,
};
use serde_json::{Value, json};

use super::numbering;
use crate::db::bulk::{insert_rows, rows_per_statement};
use crate::db::counter;
use crate::db::scope::Scope;
use crate::domain::money::format_decimal;
use crate::domain::pricing::{self, Priced};
use crate::error::{AppError, AppResult, is_unique_violation};
use crate::service::Ctx;
use crate::service::invoice::{Draft, Issued, Kind};
use entity::DecimalText;
use entity::{event, invoice, invoice_item, subscription, subscription_pause, usage_record};

/// An event whose data may name an invoice that has no id yet.
enum EventData {
    Plain(Value),
    /// `INVOICE_ID`, `INVOICE_NUMBER` and `TOTAL` of invoice `invoice` are added at flush.
    Invoiced {
        invoice: usize,
        data: Value,
    },
}

struct NewEvent {
    subject: &'static str,
    subject_id: i64,
    event_type: &'static str,
    data: EventData,
}

/// What one or more steps want written.
pub struct Writes {
    now: DateTime<Utc>,
    invoices: Vec<(Draft, Priced)>,
    events: Vec<NewEvent>,
    subscriptions: Vec<subscription::Model>,
    pauses: Vec<subscription_pause::Model>,
}

impl Writes {
    /// Nothing yet; `now` stamps events and invoices.
    pub fn new(now: DateTime<Utc>) -> Writes {
        Writes { now, invoices: Vec::new(), events: Vec::new(), subscriptions: Vec::new(), pauses: Vec::new() }
    }

    /// Queues an invoice; its index names it until the flush gives it an id.
    pub fn invoice(&mut self, draft: Draft) -> usize {
        let priced = pricing::price(draft.lines.clone(), &draft.currency);
        self.invoices.push((draft, priced));
        self.invoices.len() - 1
    }

    /// The figures of queued invoice `index`.
    pub fn priced(&self, index: usize) -> Option<&Priced> {
        self.invoices.get(index).map(|(_, p)| p)
    }

    /// Queues a timeline event.
    pub fn event(&mut self, subject: &'static str, subject_id: i64, event_type: &'static str, data: Value) {
        self.events.push(NewEvent { subject, subject_id, event_type, data: EventData::Plain(data) });
    }

    /// Queues a subscription event that names queued invoice `invoice`.
    pub fn invoiced_event(&mut self, subscription_id: i64, event_type: &'static str, invoice: usize, data: Value) {
        let data = EventData::Invoiced { invoice, data };
        self.events.push(NewEvent { subject: "subscription", subject_id: subscription_id, event_type, data });
    }

    /// Queues the new state of a subscription row (a later one replaces an earlier one).
    pub fn subscription(&mut self, row: subscription::Model) {
        self.subscriptions.retain(|s| s.id != row.id);
        self.subscriptions.push(row);
    }

    /// Queues the new state of a pause row.
    pub fn pause(&mut self, row: subscription_pause::Model) {
        self.pauses.retain(|p| p.id != row.id);
        self.pauses.push(row);
    }

    /// Writes everything, in the caller's transaction; the issued invoices in queue order.
    pub async fn flush<C: ConnectionTrait>(self, ctx: &Ctx<C>) -> AppResult<Vec<Issued>> {
        let Writes { now, invoices, events, subscriptions, pauses } = self;
        let issued = insert_invoices(ctx, now, invoices).await?;
        insert_events(ctx, now, &issued, events).await?;
        save_subscriptions(ctx, subscriptions).await?;
        for pause in pauses {
            subscription_pause::Entity::update(pause.into_active_model().reset_all())
                .filter(subscription_pause::Column::TenantId.eq(ctx.tenant.id.get()))
                .exec(&ctx.db)
                .await?;
        }
        Ok(issued)
    }
}

/// Numbers in queue order (gapless per counter), then all invoices and lines.
async fn insert_invoices<C: ConnectionTrait>(
    ctx: &Ctx<C>,
    now: DateTime<Utc>,
    invoices: Vec<(Draft, Priced)>,
) -> AppResult<Vec<Issued>> {
    if invoices.is_empty() {
        return Ok(Vec::new());
    }
    let settings = &ctx.settings.billing;
    let pattern = |kind: Kind| match kind {
        Kind::Outgoing => ("invoice", settings.invoice_number_pattern.as_str()),
        Kind::Credit => ("credit", settings.credit_note_number_pattern.as_str()),
    };
    let mut counts: Vec<(String, i64)> = Vec::new();
    for (draft, _) in &invoices {
        let (prefix, pat) = pattern(draft.kind);
        let name = numbering::counter_name(prefix, pat, draft.invoice_date);
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
    let term = Duration::days(i64::from(settings.payment_term_days));
    let mut rows: Vec<invoice::Model> = Vec::with_capacity(invoices.len());
    for (draft, priced) in &invoices {
        let (prefix, pat) = pattern(draft.kind);
        let name = numbering::counter_name(prefix, pat, draft.invoice_date);
        let seq = next.get_mut(&name).ok_or_else(|| AppError::internal("invoice counter missing"))?;
        let number = numbering::render(pat, draft.invoice_date, *seq);
        *seq += 1;
        rows.push(invoice_row(ctx, now, draft, priced, number, term));
    }
    let ids = insert_rows::<invoice::Entity, _>(&ctx.db, &rows, |r| {
        let mut active = r.clone().into_active_model().reset_all();
        active.id = NotSet;
        active
    })
    .await
    .map_err(|err| {
        if is_unique_violation(&err) {
            AppError::conflict("this period is billed already")
        } else {
            AppError::from(err)
        }
    })?;
    let mut issued = Vec::with_capacity(rows.len());
    let mut items: Vec<invoice_item::Model> = Vec::new();
    for ((mut row, id), (draft, priced)) in rows.into_iter().zip(ids).zip(&invoices) {
        row.id = id;
        let lines: Vec<invoice_item::Model> = priced
            .lines
            .iter()
            .enumerate()
            .map(|(i, l)| invoice_item::Model {
                id: 0,
                tenant_id: ctx.tenant.id.get(),
                invoice_id: id,
                position: i32::try_from(i + 1).unwrap_or(i32::MAX),
                kind: l.line.kind.as_str().to_owned(),
                article_number: l.line.article_number.clone(),
                description: l.line.description.clone(),
                quantity: DecimalText(l.line.quantity),
                unit_price: DecimalText(l.line.unit_price),
                vat_percent: DecimalText(l.line.vat_percent),
                complete_net: DecimalText(l.net),
            })
            .collect();
        items.extend(lines.iter().cloned());
        if !draft.usage_ids.is_empty() {
            ctx.update_many::<usage_record::Entity>()
                .col_expr(usage_record::Column::InvoiceId, Expr::value(id))
                .filter(usage_record::Column::Id.is_in(draft.usage_ids.clone()))
                .filter(usage_record::Column::InvoiceId.is_null())
                .exec(&ctx.db)
                .await?;
        }
        issued.push(Issued { invoice: row, items: lines });
    }
    insert_rows::<invoice_item::Entity, _>(&ctx.db, &items, |r| {
        let mut active = r.clone().into_active_model().reset_all();
        active.id = NotSet;
        active
    })
    .await?;
    Ok(issued)
}

fn invoice_row<C>(
    ctx: &Ctx<C>,
    now: DateTime<Utc>,
    draft: &Draft,
    priced: &Priced,
    number: String,
    term: Duration,
) -> invoice::Model {
    let paid = priced.total.is_zero();
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
    }
}

/// `invoice.created` for each new invoice, then the queued events.
async fn insert_events<C: ConnectionTrait>(
    ctx: &Ctx<C>,
    now: DateTime<Utc>,
    issued: &[Issued],
    events: Vec<NewEvent>,
) -> AppResult<()> {
    let tenant = ctx.tenant.id.get();
    let mut rows: Vec<event::Model> = issued
        .iter()
        .map(|i| event::Model {
            id: 0,
            tenant_id: tenant,
            subject: "invoice".into(),
            subject_id: i.invoice.id,
            event_type: "invoice.created".into(),
            data: json!({
                "INVOICE_NUMBER": i.invoice.invoice_number,
                "TYPE": i.invoice.kind,
                "TOTAL": i.invoice.total.0.to_string(),
                "SUBSCRIPTION_ID": i.invoice.subscription_id,
            }),
            created: now,
        })
        .collect();
    for e in events {
        let data = match e.data {
            EventData::Plain(data) => data,
            EventData::Invoiced { invoice, mut data } => {
                if let (Some(i), Some(map)) = (issued.get(invoice), data.as_object_mut()) {
                    map.insert("INVOICE_ID".into(), json!(i.invoice.id));
                    map.insert("INVOICE_NUMBER".into(), json!(i.invoice.invoice_number));
                    map.insert("TOTAL".into(), json!(i.invoice.total.0.to_string()));
                }
                data
            }
        };
        rows.push(event::Model {
            id: 0,
            tenant_id: tenant,
            subject: e.subject.into(),
            subject_id: e.subject_id,
            event_type: e.event_type.into(),
            data,
            created: now,
        });
    }
    if !rows.is_empty() {
        insert_rows::<event::Entity, _>(&ctx.db, &rows, |r| {
            let mut active = r.clone().into_active_model().reset_all();
            active.id = NotSet;
            active
        })
        .await?;
    }
    Ok(())
}

/// Writes subscription rows: one UPDATE for one row, else an upsert of many
/// rows per statement (every row exists; the insert part never applies).
async fn save_subscriptions<C: ConnectionTrait>(ctx: &Ctx<C>, rows: Vec<subscription::Model>) -> AppResult<()> {
    use subscription::{Column, Entity};
    let tenant = ctx.tenant.id.get();
    if let [row] = rows.as_slice() {
        Entity::update(row.clone().into_active_model().reset_all())
            .filter(Column::TenantId.eq(tenant))
            .exec(&ctx.db)
            .await?;
        return Ok(());
    }
    use sea_orm::IdenStatic;
    let columns: Vec<Column> = Column::iter().filter(|c| !matches!(c.as_str(), "id" | "tenant_id")).collect();
    for piece in rows.chunks(rows_per_statement(Column::iter().count())) {
        let upsert = OnConflict::column(Column::Id)
            .update_columns(columns.clone())
            .action_and_where(Expr::col((Entity, Column::TenantId)).eq(tenant))
            .to_owned();
        Entity::insert_many(piece.iter().map(|r| r.clone().into_active_model().reset_all()))
            .on_conflict(upsert)
            .exec_without_returning(&ctx.db)
            .await?;
    }
    Ok(())
}
