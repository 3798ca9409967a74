//! The one invoice writer. Whatever issues invoices (a billing run, a plan
//! change, a terminate credit, a renewal) queues drafts and row changes in a
//! [`Writes`] and flushes them in the caller's transaction, in a handful of
//! multi-row statements: invoice numbers per counter in one bump, all
//! invoices, all lines, their `invoice.created` events, all other events, all
//! subscription rows.
//!
//! SQLite answers every statement from a worker thread, so a billing run is
//! bound by statement round trips, not by work; a chunk of subscriptions
//! flushed together costs about as many statements as one subscription did.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, IntoActiveModel, QueryFilter};
use serde_json::Value;

mod consumptions;
mod drafts;
mod events;
mod invoices;
mod subscriptions;

pub use drafts::{DraftHead, complete_draft, delete_draft, store_draft};

use super::draft::{Draft, Issued};
use super::snapshot::Snapshots;
use crate::db::ctx::Ctx;
use crate::db::scope::Scope;
use crate::domain::pricing::{self, Priced};
use crate::error::AppResult;
use entity::{subscription, subscription_pause};

/// An event whose data may name an invoice that has no id yet.
pub(super) enum EventData {
    Plain(Value),
    /// `INVOICE_ID`, `INVOICE_NUMBER` and `TOTAL` of invoice `invoice` are added at flush.
    Invoiced {
        invoice: usize,
        data: Value,
    },
}

pub(super) struct NewEvent {
    pub(super) subject: &'static str,
    pub(super) subject_id: i64,
    pub(super) event_type: &'static str,
    pub(super) data: EventData,
}

/// What one or more steps want written.
pub struct Writes {
    now: DateTime<Utc>,
    invoices: Vec<(Draft, Priced)>,
    events: Vec<NewEvent>,
    subscriptions: Vec<subscriptions::Queued>,
    /// Subscription rows as stored, by id (see [`Writes::stored`]).
    stored: HashMap<i64, subscription::Model>,
    /// Subscription writes planned already (see [`Writes::plan_rows`]).
    planned: Vec<subscriptions::Planned>,
    pauses: Vec<subscription_pause::Model>,
    /// Pauses not loaded by the step whose credit an invoice now carries.
    affected_pauses: Vec<i64>,
}

impl Writes {
    /// Nothing yet; `now` stamps events and invoices.
    pub fn new(now: DateTime<Utc>) -> Writes {
        Writes {
            now,
            invoices: Vec::new(),
            events: Vec::new(),
            subscriptions: Vec::new(),
            stored: HashMap::new(),
            planned: Vec::new(),
            pauses: Vec::new(),
            affected_pauses: Vec::new(),
        }
    }

    /// Queues an invoice; its index names it until the flush gives it an id.
    pub fn invoice(&mut self, draft: Draft) -> usize {
        let priced = pricing::price(draft.lines.clone(), &draft.currency);
        self.invoices.push((draft, priced));
        self.invoices.len() - 1
    }

    /// Queues an invoice priced already (a credit note, whose VAT per rate
    /// follows `domain::credit_note`, not a fresh pricing of its lines).
    pub fn priced_invoice(&mut self, draft: Draft, priced: Priced) -> usize {
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

    /// Queues the new state of a subscription row (a later one replaces an
    /// earlier one). Only the columns that differ from the row as stored are
    /// written when the caller said how it is stored ([`Writes::stored`]);
    /// else every column.
    pub fn subscription(&mut self, row: subscription::Model) {
        self.subscriptions.retain(|q| q.row.id != row.id);
        self.subscriptions.push(subscriptions::Queued { row, stored: None });
    }

    /// Says that `row` is a subscription as the database holds it now (read
    /// in this transaction, not changed in memory).
    pub fn stored(&mut self, row: &subscription::Model) {
        self.stored.insert(row.id, row.clone());
    }

    /// Builds the statements of the subscription rows queued so far, so that
    /// the flush only runs them: for rows stepped outside the write
    /// transaction (a chunk stepped ahead), so each is written only if it
    /// still has the version it was stepped from. Rows queued later are
    /// planned by the flush, unchecked.
    pub fn plan_rows(&mut self, backend: DbBackend, tenant: i64) {
        let queued = with_stored(std::mem::take(&mut self.subscriptions), &mut self.stored);
        self.planned.extend(subscriptions::plan(backend, tenant, queued, true));
    }

    /// Marks pauses as having affected an invoice (their credit is on it), for
    /// pauses the step did not load (they ended before this step).
    pub fn pauses_affected(&mut self, ids: impl IntoIterator<Item = i64>) {
        self.affected_pauses.extend(ids);
    }

    /// Queues the new state of a pause row.
    pub fn pause(&mut self, row: subscription_pause::Model) {
        self.pauses.retain(|p| p.id != row.id);
        self.pauses.push(row);
    }

    /// Writes everything, in the caller's transaction; the issued invoices in queue order.
    pub async fn flush<C: ConnectionTrait>(self, ctx: &Ctx<C>) -> AppResult<Vec<Issued>> {
        let Writes { now, invoices, events, subscriptions, mut stored, mut planned, pauses, affected_pauses } = self;
        let queued = with_stored(subscriptions, &mut stored);
        planned.extend(subscriptions::plan(ctx.db.get_database_backend(), ctx.tenant.id.get(), queued, false));
        let billed: consumptions::Billed = invoices
            .iter()
            .enumerate()
            .filter(|(_, (draft, _))| !draft.consumption_ids.is_empty())
            .map(|(i, (draft, _))| (i, draft.consumption_ids.clone()))
            .collect();
        // The customers of the flush, read once for snapshots, payment terms, credit and mail.
        let customers = Snapshots::load(ctx, invoices.iter().map(|(d, _)| d.customer_id).collect()).await?;
        let mut issued = write_rows(ctx, now, planned, invoices, &customers, billed, events).await?;
        // Customer credit is a prepayment: it settles what was just issued.
        super::balance::apply_customer_credit(ctx, &mut issued, &customers.with_credit()).await?;
        // Customers who get invoices by mail: queued here, sent after the commit.
        super::mail::on_issue(ctx, &issued, &customers).await?;
        for pause in pauses {
            subscription_pause::Entity::update(pause.into_active_model().reset_all())
                .filter(subscription_pause::Column::TenantId.eq(ctx.tenant.id.get()))
                .exec(&ctx.db)
                .await?;
        }
        if !affected_pauses.is_empty() {
            ctx.update_many::<subscription_pause::Entity>()
                .col_expr(subscription_pause::Column::Affected, Expr::value(true))
                .filter(subscription_pause::Column::Id.is_in(affected_pauses))
                .exec(&ctx.db)
                .await?;
        }
        Ok(issued)
    }
}

/// The subscription, invoice, line and event rows of a flush, and the
/// consumptions its invoices bill.
///
/// On PostgreSQL one statement after another, and what needs no number
/// first: from the counter's bump to the commit, other transactions of the
/// tenant that issue invoices wait (a run's chunks in flight). SQLite has one
/// writer, so nobody waits on the counter: numbers first, then each
/// statement's rows are built while SQLite's thread runs the statement
/// before (the invoices during the subscriptions' UPDATE, the events during
/// the lines' INSERT).
async fn write_rows<C: ConnectionTrait>(
    ctx: &Ctx<C>,
    now: DateTime<Utc>,
    planned: Vec<subscriptions::Planned>,
    drafts: Vec<(Draft, Priced)>,
    customers: &Snapshots,
    billed: consumptions::Billed,
    queued: Vec<NewEvent>,
) -> AppResult<Vec<Issued>> {
    let issued = if ctx.db.get_database_backend() == DbBackend::Sqlite {
        let next = invoices::allocate_numbers(ctx, &drafts).await?;
        let (written, issued) =
            futures::join!(subscriptions::execute(ctx, planned), invoices::numbered(ctx, now, drafts, customers, next));
        written?;
        let issued = issued?;
        let (lines, logged) =
            futures::join!(invoices::insert_items(ctx, &issued), events::insert(ctx, now, &issued, queued));
        lines?;
        logged?;
        issued
    } else {
        subscriptions::execute(ctx, planned).await?;
        let next = invoices::allocate_numbers(ctx, &drafts).await?;
        let issued = invoices::numbered(ctx, now, drafts, customers, next).await?;
        invoices::insert_items(ctx, &issued).await?;
        events::insert(ctx, now, &issued, queued).await?;
        issued
    };
    // After the lines: a consumption is marked with the line that bills it.
    consumptions::mark_invoiced(ctx, &issued, billed).await?;
    Ok(issued)
}

/// The queued rows with the stored rows they were stepped from.
fn with_stored(
    mut queued: Vec<subscriptions::Queued>,
    stored: &mut HashMap<i64, subscription::Model>,
) -> Vec<subscriptions::Queued> {
    for q in &mut queued {
        q.stored = stored.remove(&q.row.id);
    }
    queued
}

/// Issues one draft now, in the caller's transaction.
pub async fn issue<C: ConnectionTrait>(ctx: &Ctx<C>, draft: Draft) -> AppResult<Issued> {
    let mut writes = Writes::new(ctx.now);
    writes.invoice(draft);
    writes.flush(ctx).await?.pop().ok_or_else(|| crate::error::AppError::internal("the writer issued nothing"))
}

/// Issues one draft priced already (a credit note), in the caller's transaction.
pub async fn issue_priced<C: ConnectionTrait>(ctx: &Ctx<C>, draft: Draft, priced: Priced) -> AppResult<Issued> {
    let mut writes = Writes::new(ctx.now);
    writes.priced_invoice(draft, priced);
    writes.flush(ctx).await?.pop().ok_or_else(|| crate::error::AppError::internal("the writer issued nothing"))
}
