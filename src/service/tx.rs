//! The one transaction helper every front door uses (the RPC dispatcher, the
//! hosted pages, the billing run, the write queue): begin, build the context,
//! run the work, then commit or roll back; after a commit, bump the object
//! cache's epoch and run the after-commit hooks.
//!
//! Inside the transaction every read by id locks its row (see
//! `db::scope::Scope::locks_rows`): two writes of one subscription, invoice or
//! customer run one after the other, and the second decides from what the
//! first committed. That is what makes a HASH check, a once-only add-on or a
//! proration invoice safe under concurrent calls on PostgreSQL.

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use sea_orm::{DatabaseTransaction, TransactionTrait};

use super::AppState;
use crate::db::ctx::{Ctx, TenantRef};
use crate::error::AppResult;

/// Work inside one transaction.
pub trait Work<'c, T>: FnOnce(&'c Ctx<DatabaseTransaction>) -> BoxFuture<'c, AppResult<T>> {}

impl<'c, T, F> Work<'c, T> for F where F: FnOnce(&'c Ctx<DatabaseTransaction>) -> BoxFuture<'c, AppResult<T>> {}

/// How a unit of work ends when it succeeds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Commit,
    /// `DRY_RUN`: the answer of a successful run, with every change rolled back.
    RollBack,
}

/// Runs `work` for `tenant` at `now` in a transaction of its own on the write
/// pool. An error rolls everything back; so does a dry run.
pub async fn write<T, F>(
    state: &AppState,
    tenant: TenantRef,
    now: DateTime<Utc>,
    outcome: Outcome,
    work: F,
) -> AppResult<T>
where
    F: for<'c> Work<'c, T>,
{
    run(state, &state.db.write, tenant, Now::TenantClock(now), outcome, work).await
}

/// Which instant the work runs at.
#[derive(Clone, Copy)]
enum Now {
    /// Exactly this one (a billing run bills up to its own now).
    Fixed(DateTime<Utc>),
    /// The tenant's now as read before the transaction; a test tenant's
    /// clock is read again inside it, since a `billing.run` may have moved it
    /// meanwhile (a change must not act at a time the run already billed).
    TenantClock(DateTime<Utc>),
}

/// Like [`write`], on `conn`: the write pool, or an open transaction (then the
/// work runs in a savepoint, as a dry-run billing run nests them).
pub async fn within<C, T, F>(
    state: &AppState,
    conn: &C,
    tenant: TenantRef,
    now: DateTime<Utc>,
    outcome: Outcome,
    work: F,
) -> AppResult<T>
where
    C: TransactionTrait,
    F: for<'c> Work<'c, T>,
{
    run(state, conn, tenant, Now::Fixed(now), outcome, work).await
}

async fn run<C, T, F>(
    state: &AppState,
    conn: &C,
    tenant: TenantRef,
    now: Now,
    outcome: Outcome,
    work: F,
) -> AppResult<T>
where
    C: TransactionTrait,
    F: for<'c> Work<'c, T>,
{
    let txn = crate::db::begin_write(conn).await?;
    let now = match now {
        Now::Fixed(now) => now,
        Now::TenantClock(now) if tenant.is_test => match super::tenant::test_clock_in(&txn, tenant.id).await? {
            Some(clock) => clock.max(now),
            None => now,
        },
        Now::TenantClock(now) => now,
    };
    let mut ctx = state.txn_ctx(tenant, now, txn);
    ctx.dry_run = outcome == Outcome::RollBack;
    ctx.lock_rows = true;
    let result = work(&ctx).await;
    let Ctx { db: txn, after_commit, .. } = ctx;
    match (result, outcome) {
        (Ok(value), Outcome::Commit) => {
            crate::cache::notify_commit(&txn).await?;
            txn.commit().await?;
            state.objects.bump();
            after_commit.run();
            Ok(value)
        }
        (Ok(value), Outcome::RollBack) => {
            txn.rollback().await?;
            Ok(value)
        }
        (Err(err), _) => {
            txn.rollback().await?;
            Err(err)
        }
    }
}
