//! A billing run over one tenant: every subscription with work due up to
//! `now`, in keyset pages of ids, billed in chunks of one transaction each
//! (see `billing::chunk`). The due set is streamed, never loaded whole, so
//! memory stays flat as the tenant grows.
//!
//! On PostgreSQL each subscription is claimed with `FOR UPDATE SKIP LOCKED`,
//! so several processes share a run; the unique key on (subscription, period
//! start) makes it impossible to bill a period twice whatever happens.

use std::collections::VecDeque;

use chrono::{DateTime, Utc};
use futures::StreamExt;
use futures::stream::FuturesUnordered;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};

mod ahead;

use self::ahead::{bill_stepping_ahead, steps_ahead};
use super::tx::{self, Outcome};
use super::{AppState, TenantRef};
pub use crate::billing::chunk::Summary;
use crate::billing::chunk::{self, Claim, Stepped};
use crate::db::Conn;
use crate::error::{AppError, AppResult, panics_as_errors};
use entity::subscription::{Column, Entity};

/// Whether a run gives way to a shutdown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Until {
    /// A call's run: it answers only when everything due is billed.
    Done,
    /// A scheduled run: on shutdown it stops after the chunk in hand (the rest
    /// stays due and the next run, in any process, bills it).
    DoneOrStopping,
}

/// Runs billing for `tenant` up to `now`. `conn` is the write pool for a real
/// run (one transaction per chunk) or an open transaction for a dry run (one
/// savepoint per chunk, all rolled back by the caller).
pub async fn run_tenant<C>(
    state: &AppState,
    conn: &C,
    tenant: TenantRef,
    now: DateTime<Utc>,
    progress: &(dyn Fn(Summary) + Sync),
) -> AppResult<Summary>
where
    C: Conn,
{
    run_tenant_until(state, conn, tenant, now, progress, Until::Done).await
}

/// [`run_tenant`], stopping early on shutdown when `until` says so.
pub async fn run_tenant_until<C>(
    state: &AppState,
    conn: &C,
    tenant: TenantRef,
    now: DateTime<Utc>,
    progress: &(dyn Fn(Summary) + Sync),
    until: Until,
) -> AppResult<Summary>
where
    C: Conn,
{
    let stop = || until == Until::DoneOrStopping && state.is_stopping();
    let page_size = state.settings.billing.page_size.max(1);
    let chunk_size = state.settings.billing.chunk_size.max(1);
    let mut due = DuePages { tenant, now, page_size, chunk_size, cursor: 0, chunks: VecDeque::new(), done: false };
    let (mut summary, skipped) = if steps_ahead(conn) {
        bill_stepping_ahead(state, conn, tenant, now, &mut due, progress, &stop).await?
    } else {
        bill_in_flight(state, conn, tenant, now, &mut due, progress, &stop).await?
    };
    if stop() {
        return Ok(summary);
    }
    // Rows another transaction held were skipped; wait for them now, so the
    // run answers only when everything due is billed (by it or by the other).
    for ids in skipped.chunks(chunk_size) {
        if stop() {
            return Ok(summary);
        }
        summary.add(bill_chunk(state, conn, tenant, now, ids, Claim::Wait).await.0);
    }
    summary.invoices += loose_consumptions(state, conn, tenant, now).await;
    progress(summary);
    // Dunning follows billing: the invoices this run issued are not due yet,
    // older ones may have become overdue or reached a level.
    super::dunning::run_tenant(state, conn, tenant, now).await?;
    Ok(summary)
}

/// The due chunks of a run, up to [`chunks_in_flight`] at once, each stepped
/// and written in its own transaction. Answers what was billed and the ids
/// another transaction held.
async fn bill_in_flight<C: Conn>(
    state: &AppState,
    conn: &C,
    tenant: TenantRef,
    now: DateTime<Utc>,
    due: &mut DuePages,
    progress: &(dyn Fn(Summary) + Sync),
    stop: &(dyn Fn() -> bool + Sync),
) -> AppResult<(Summary, Vec<i64>)> {
    let in_flight = chunks_in_flight(state, conn);
    let mut summary = Summary::default();
    let mut skipped = Vec::new();
    let mut running = FuturesUnordered::new();
    loop {
        // The next page is read as soon as its predecessor's last chunk has
        // started, so chunks stay in flight across page boundaries.
        while running.len() < in_flight && !stop() {
            let Some(ids) = due.next_chunk(conn).await? else { break };
            running.push(async move { bill_chunk(state, conn, tenant, now, &ids, Claim::SkipLocked).await });
        }
        let Some((done, held)) = running.next().await else { break };
        summary.add(done);
        skipped.extend(held);
        progress(summary);
    }
    Ok((summary, skipped))
}

/// The ids of the subscriptions due by `now`, read in keyset pages and
/// handed out in chunks; the due set is never loaded whole.
struct DuePages {
    tenant: TenantRef,
    now: DateTime<Utc>,
    page_size: u64,
    chunk_size: usize,
    cursor: i64,
    chunks: VecDeque<Vec<i64>>,
    done: bool,
}

impl DuePages {
    async fn next_chunk<C: ConnectionTrait>(&mut self, conn: &C) -> AppResult<Option<Vec<i64>>> {
        if self.chunks.is_empty() && !self.done {
            let ids: Vec<i64> = Entity::find()
                .select_only()
                .column(Column::Id)
                .filter(Column::TenantId.eq(self.tenant.id.get()))
                .filter(Column::DueAt.lte(self.now))
                .filter(Column::Id.gt(self.cursor))
                .order_by_asc(Column::Id)
                .limit(self.page_size)
                .into_tuple()
                .all(conn)
                .await?;
            match ids.last() {
                Some(&last) => self.cursor = last,
                None => self.done = true,
            }
            self.chunks.extend(ids.chunks(self.chunk_size).map(<[i64]>::to_vec));
        }
        Ok(self.chunks.pop_front())
    }
}

/// How many chunks of a run may be in flight at once: on PostgreSQL over
/// the pool, while one chunk writes, the next claims its rows (`SKIP LOCKED`)
/// and computes; they meet only at the invoice counter, which orders their
/// numbers. SQLite has one writer, and an open transaction one connection.
fn chunks_in_flight<C: Conn>(state: &AppState, conn: &C) -> usize {
    if conn.is_pool() && conn.get_database_backend() == DatabaseBackend::Postgres {
        // The page read between chunks needs a connection of its own while
        // the chunks in flight hold theirs (the pool has at least 2).
        let pool = usize::try_from(state.settings.database.max_connections.max(2)).unwrap_or(2);
        state.settings.billing.chunks_in_flight.clamp(1, pool - 1)
    } else {
        1
    }
}

/// Consumptions without a subscription get invoices of their own at a run,
/// in one transaction. A failure is logged, never propagated (as a broken
/// subscription's): they stay open for the next run.
async fn loose_consumptions<C: TransactionTrait>(
    state: &AppState,
    conn: &C,
    tenant: TenantRef,
    now: DateTime<Utc>,
) -> u64 {
    let billed = panics_as_errors(tx::within(state, conn, tenant, now, Outcome::Commit, move |ctx| {
        Box::pin(async move { crate::billing::consumptions::bill_loose(ctx, now).await })
    }))
    .await;
    billed.unwrap_or_else(|err| {
        tracing::error!(tenant_id = tenant.id.get(), error = %err, cause = ?err, "billing consumptions failed");
        0
    })
}

/// A chunk of subscriptions in one transaction: most steps succeed, and one
/// commit for many of them is what makes a large run fast. If any step of the
/// chunk fails, the chunk is rolled back and its subscriptions are stepped
/// one by one, so a failure still touches only its own subscription.
async fn bill_chunk<C: TransactionTrait>(
    state: &AppState,
    conn: &C,
    tenant: TenantRef,
    now: DateTime<Utc>,
    ids: &[i64],
    claim: Claim,
) -> (Summary, Vec<i64>) {
    if ids.len() > 1 {
        match in_transaction(state, conn, tenant, now, ids, claim).await {
            Ok(stepped) => return (stepped.summary, unclaimed(ids, &stepped.claimed)),
            Err(err) => tracing::debug!(error = %err, "billing chunk failed; stepping its subscriptions one by one"),
        }
    }
    let mut summary = Summary::default();
    let mut held = Vec::new();
    for &id in ids {
        let (done, skipped) = bill_one(state, conn, tenant, now, id, claim).await;
        summary.add(done);
        held.extend(skipped);
    }
    (summary, held)
}

/// The ids of `ids` not among `claimed`.
fn unclaimed(ids: &[i64], claimed: &[i64]) -> Vec<i64> {
    ids.iter().copied().filter(|id| !claimed.contains(id)).collect()
}

async fn in_transaction<C: TransactionTrait>(
    state: &AppState,
    conn: &C,
    tenant: TenantRef,
    now: DateTime<Utc>,
    ids: &[i64],
    claim: Claim,
) -> AppResult<Stepped> {
    let ids = ids.to_vec();
    // A step that panics (a bug, or stored figures past `Decimal`'s range)
    // fails like a step that errs: its chunk is redone one subscription at a
    // time and only that subscription is counted failed, so it cannot stop
    // the run, the tenant's later runs or the scheduler.
    panics_as_errors(tx::within(state, conn, tenant, now, Outcome::Commit, move |ctx| {
        Box::pin(async move { chunk::step_many(ctx, &ids, now, claim).await })
    }))
    .await
}

/// One subscription in its own transaction. Failures are logged and counted,
/// never propagated: one broken subscription must not stop a run.
async fn bill_one<C: TransactionTrait>(
    state: &AppState,
    conn: &C,
    tenant: TenantRef,
    now: DateTime<Utc>,
    id: i64,
    claim: Claim,
) -> (Summary, Vec<i64>) {
    match in_transaction(state, conn, tenant, now, &[id], claim).await {
        Ok(stepped) => (stepped.summary, unclaimed(&[id], &stepped.claimed)),
        // Another worker billed this period first; nothing left to do.
        Err(AppError::Conflict { .. }) => (Summary::default(), Vec::new()),
        Err(err) => {
            tracing::error!(subscription_id = id, tenant_id = tenant.id.get(), error = %err, cause = ?err, "billing step failed");
            (Summary { failed: 1, ..Summary::default() }, Vec::new())
        }
    }
}

/// `billing.run` of the calling tenant on `conn` (the write pool, or one
/// transaction when the whole run must commit at once): moves a test tenant's
/// clock from `clock` to `now` first; a dry run does everything inside a
/// transaction and rolls it back.
pub async fn run_for_caller<C>(
    state: &AppState,
    conn: &C,
    tenant: TenantRef,
    clock: DateTime<Utc>,
    now: DateTime<Utc>,
    dry_run: bool,
) -> AppResult<Summary>
where
    C: Conn,
{
    if dry_run {
        let txn = crate::db::begin_write(conn).await?;
        if now != clock {
            super::tenant::advance_clock(&txn, tenant.id, now).await?;
        }
        let summary = run_tenant(state, &txn, tenant, now, &|_| {}).await;
        txn.rollback().await?;
        return summary;
    }
    if now != clock {
        super::tenant::advance_clock(conn, tenant.id, now).await?;
    }
    let summary = run_tenant(state, conn, tenant, now, &|_| {}).await?;
    state.metrics.observe_billing_run(summary.invoices, summary.closed);
    Ok(summary)
}
