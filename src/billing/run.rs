//! A billing run over one tenant: every subscription with work due up to
//! `now`, in keyset pages of ids, each moved forward in a transaction of its
//! own. The due set is streamed, never loaded whole, so memory stays flat as
//! the tenant grows.
//!
//! On PostgreSQL each subscription is claimed with `FOR UPDATE SKIP LOCKED`,
//! so several processes share a run; the unique key on (subscription, period
//! start) makes it impossible to bill a period twice whatever happens.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::LockBehavior;
use sea_orm::sea_query::LockType;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait};

use super::engine::{self, Preload};
use super::writes::Writes;
use crate::db::scope::Scope;
use crate::error::{AppError, AppResult};
use crate::service::{AfterCommit, Ctx, TenantRef};
use crate::state::AppState;
use entity::subscription::{Column, Entity};

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
    fn add(&mut self, other: Summary) {
        self.subscriptions += other.subscriptions;
        self.invoices += other.invoices;
        self.closed += other.closed;
        self.failed += other.failed;
    }
}

/// Runs billing for `tenant` up to `now`. `conn` is the write pool for a real
/// run (one transaction per subscription) or an open transaction for a dry
/// run (one savepoint per subscription, all rolled back by the caller).
pub async fn run_tenant<C>(
    state: &Arc<AppState>,
    conn: &C,
    tenant: TenantRef,
    now: DateTime<Utc>,
    progress: &(dyn Fn(Summary) + Sync),
) -> AppResult<Summary>
where
    C: TransactionTrait + ConnectionTrait,
{
    let page_size = state.settings.billing.page_size.max(1);
    let mut summary = Summary::default();
    let mut cursor = 0i64;
    loop {
        let ids: Vec<i64> = Entity::find()
            .select_only()
            .column(Column::Id)
            .filter(Column::TenantId.eq(tenant.id.get()))
            .filter(Column::DueAt.lte(now))
            .filter(Column::Id.gt(cursor))
            .order_by_asc(Column::Id)
            .limit(page_size)
            .into_tuple()
            .all(conn)
            .await?;
        let Some(&last) = ids.last() else { break };
        cursor = last;
        for chunk in ids.chunks(state.settings.billing.chunk_size.max(1)) {
            summary.add(step_chunk(state, conn, tenant, now, chunk).await);
        }
        progress(summary);
    }
    Ok(summary)
}

/// A chunk of subscriptions in one transaction: most steps succeed, and one
/// commit for many of them is what makes a large run fast. If any step of the
/// chunk fails, the chunk is rolled back and its subscriptions are stepped
/// one by one, so a failure still touches only its own subscription.
async fn step_chunk<C: TransactionTrait>(
    state: &Arc<AppState>,
    conn: &C,
    tenant: TenantRef,
    now: DateTime<Utc>,
    ids: &[i64],
) -> Summary {
    if ids.len() > 1 {
        match try_chunk(state, conn, tenant, now, ids).await {
            Ok(summary) => return summary,
            Err(err) => tracing::debug!(error = %err, "billing chunk failed; stepping its subscriptions one by one"),
        }
    }
    let mut summary = Summary::default();
    for &id in ids {
        summary.add(step_one(state, conn, tenant, now, id).await);
    }
    summary
}

async fn try_chunk<C: TransactionTrait>(
    state: &Arc<AppState>,
    conn: &C,
    tenant: TenantRef,
    now: DateTime<Utc>,
    ids: &[i64],
) -> AppResult<Summary> {
    let txn = conn.begin().await?;
    let ctx = Ctx { tenant, now, db: txn, state: state.clone(), dry_run: false, after_commit: AfterCommit::default() };
    let result = step_many(&ctx, ids, now).await;
    let Ctx { db: txn, .. } = ctx;
    match result {
        Ok(summary) => {
            txn.commit().await?;
            state.objects.bump();
            Ok(summary)
        }
        Err(err) => {
            txn.rollback().await?;
            Err(err)
        }
    }
}

/// Claims the subscriptions of `ids` that are still due (skipping any another
/// worker holds), steps each in memory, and writes all of it in one flush.
async fn step_many<C: ConnectionTrait>(ctx: &Ctx<C>, ids: &[i64], now: DateTime<Utc>) -> AppResult<Summary> {
    // By primary key only (see `db::scope`); ownership and dueness are checked here.
    let claimed = Entity::find()
        .filter(Column::Id.is_in(ids.to_vec()))
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .all(&ctx.db)
        .await?;
    let subs: Vec<_> =
        ctx.keep_own::<Entity>(claimed).into_iter().filter(|s| s.due_at.is_some_and(|d| d <= now)).collect();
    let mut preloads = Preload::many(ctx, &subs).await?;
    let mut writes = Writes::new(ctx.now);
    let mut summary = Summary::default();
    for sub in subs {
        let mut preload = preloads.remove(&sub.id).unwrap_or_default();
        let (_, step) = engine::advance(ctx.now, sub, now, &mut preload, &mut writes)?;
        summary.subscriptions += 1;
        summary.invoices += step.invoices.len() as u64;
        summary.closed += u64::from(step.closed);
    }
    writes.flush(ctx).await?;
    Ok(summary)
}

/// One subscription in its own transaction. Failures are logged and counted,
/// never propagated: one broken subscription must not stop a run.
async fn step_one<C: TransactionTrait>(
    state: &Arc<AppState>,
    conn: &C,
    tenant: TenantRef,
    now: DateTime<Utc>,
    id: i64,
) -> Summary {
    match try_chunk(state, conn, tenant, now, &[id]).await {
        Ok(summary) => summary,
        // Another worker billed this period first; nothing left to do.
        Err(AppError::Conflict { .. }) => Summary::default(),
        Err(err) => {
            tracing::error!(subscription_id = id, tenant_id = tenant.id.get(), error = %err, cause = ?err, "billing step failed");
            Summary { failed: 1, ..Summary::default() }
        }
    }
}
