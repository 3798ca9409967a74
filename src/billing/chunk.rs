//! Billing a chunk of subscriptions in the caller's transaction: claim the
//! ones still due (skipping rows another worker holds), step each in memory,
//! and write everything in one flush.
//!
//! On SQLite a chunk can also be stepped ahead, outside the write transaction
//! ([`prepare`]), while the one writer flushes the chunk before it; its write
//! transaction then checks that no subscription changed since it was read and
//! only flushes ([`commit_prepared`]).

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{LockBehavior, LockType};
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QuerySelect};

use super::engine::{self, Preload};
use super::writer::Writes;
use crate::db::ctx::Ctx;
use crate::db::scope::Scope;
use crate::error::AppResult;
use entity::subscription::{Column, Entity, Model};

/// What a run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Subscriptions visited.
    pub subscriptions: u64,
    pub invoices: u64,
    pub closed: u64,
    /// Subscriptions whose step failed (logged; the run goes on).
    pub failed: u64,
}

impl Summary {
    /// Adds `other`'s counts.
    pub fn add(&mut self, other: Summary) {
        self.subscriptions += other.subscriptions;
        self.invoices += other.invoices;
        self.closed += other.closed;
        self.failed += other.failed;
    }
}

/// How a chunk claims its subscriptions on PostgreSQL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Claim {
    /// Skip rows another transaction holds (a concurrent run or write bills them).
    SkipLocked,
    /// Wait for them: the last pass of a run, so that when `billing.run`
    /// answers, everything due is billed, by this call or a concurrent one.
    Wait,
}

/// What a chunk did, and which of its ids it could claim (the others were
/// held by another transaction and skipped).
#[derive(Debug, Default)]
pub struct Stepped {
    pub summary: Summary,
    pub claimed: Vec<i64>,
}

/// Claims the subscriptions of `ids` that are still due by `now`, steps each,
/// and writes all of it in one flush.
pub async fn step_many<C: ConnectionTrait>(
    ctx: &Ctx<C>,
    ids: &[i64],
    now: DateTime<Utc>,
    claim: Claim,
) -> AppResult<Stepped> {
    if ctx.db.get_database_backend() == DbBackend::Postgres {
        // Everything a chunk reads and writes it finds by primary key (its
        // rows, their customers, usage and pauses by owner). Without fresh
        // statistics (autovacuum off, or rows added moments ago) PostgreSQL
        // misjudges a table's size and planned this claim and the rows'
        // UPDATE as sequential scans of every subscription (22 and 44 ms a
        // chunk at 110,000 rows, `auto_explain`; BENCHMARKS.md).
        ctx.db.execute_unprepared("SET LOCAL enable_seqscan = off").await?;
    }
    // By primary key only (see `db::scope`); ownership and dueness are checked here.
    let select = Entity::find().filter(Column::Id.is_in(ids.to_vec()));
    let select = match claim {
        Claim::SkipLocked => select.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked),
        Claim::Wait => select.lock(LockType::Update),
    };
    let claimed = select.all(&ctx.db).await?;
    let claimed_ids: Vec<i64> = claimed.iter().map(|s| s.id).collect();
    let (summary, writes) = step_rows(ctx, ctx.keep_own::<Entity>(claimed), now).await?;
    writes.flush(ctx).await?;
    Ok(Stepped { summary, claimed: claimed_ids })
}

/// Steps those of `own` (this tenant's rows, as stored) that are due by
/// `now`, into one [`Writes`].
async fn step_rows<C: ConnectionTrait>(
    ctx: &Ctx<C>,
    own: Vec<Model>,
    now: DateTime<Utc>,
) -> AppResult<(Summary, Writes)> {
    let subs: Vec<_> = own.into_iter().filter(|s| s.due_at.is_some_and(|d| d <= now)).collect();
    let mut preloads = Preload::many(ctx, &subs).await?;
    let mut writes = Writes::new(ctx.now);
    let mut summary = Summary::default();
    for sub in subs {
        let mut preload = preloads.remove(&sub.id).unwrap_or_default();
        // As stored: the step's row changes are written as the columns that
        // differ from it.
        writes.stored(&sub);
        let (_, step) = engine::advance(ctx.now, sub, now, &mut preload, &mut writes)?;
        summary.subscriptions += 1;
        summary.invoices += step.invoices.len() as u64;
        summary.closed += u64::from(step.closed);
    }
    Ok((summary, writes))
}

/// A chunk stepped outside the write transaction, waiting for its flush.
pub struct Prepared {
    ids: Vec<i64>,
    summary: Summary,
    writes: Writes,
}

impl Prepared {
    /// The chunk's ids.
    pub fn ids(&self) -> &[i64] {
        &self.ids
    }
}

/// Steps the subscriptions of `ids` due by `now` from what `ctx` reads (a read
/// connection, no transaction) and builds their row updates: nothing is
/// written yet.
pub async fn prepare<C: ConnectionTrait>(ctx: &Ctx<C>, ids: Vec<i64>, now: DateTime<Utc>) -> AppResult<Prepared> {
    let own = ctx.by_ids::<Entity, _>(&ctx.db, ids.clone()).await?;
    let (summary, mut writes) = step_rows(ctx, own, now).await?;
    writes.plan_rows(ctx.db.get_database_backend(), ctx.tenant.id.get());
    Ok(Prepared { ids, summary, writes })
}

/// Writes a prepared chunk in the caller's write transaction (SQLite's one
/// writer: nothing else writes until it commits).
///
/// Every change of a subscription bumps its version (`billing::state::touch`),
/// and each row is written only if it still has the version it was stepped
/// from: a row changed meanwhile fails the flush, and the caller bills the
/// chunk again in its transaction. What the step read besides the rows is
/// checked where it is written: usage deleted meanwhile, or a consumption no
/// longer open, fails the flush too. Usage or consumptions added meanwhile
/// stay open for the next invoice, as if they had come after this chunk.
pub async fn commit_prepared<C: ConnectionTrait>(ctx: &Ctx<C>, prepared: Prepared) -> AppResult<Stepped> {
    let Prepared { ids, summary, writes } = prepared;
    writes.flush(ctx).await?;
    Ok(Stepped { summary, claimed: ids })
}
