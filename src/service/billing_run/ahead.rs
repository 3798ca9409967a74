//! Stepping ahead on SQLite: the next chunk of a run is read and stepped on
//! a task of its own, from the read pool, while the one writer flushes the
//! chunk before (see `billing::chunk::prepare`).

use chrono::{DateTime, Utc};
use sea_orm::{DatabaseBackend, TransactionTrait};
use tokio::task::JoinHandle;

use super::{DuePages, bill_chunk, unclaimed};
use crate::billing::chunk::{self, Claim, Prepared, Summary};
use crate::db::Conn;
use crate::db::ctx::Ctx;
use crate::error::AppResult;
use crate::service::tx::{self, Outcome};
use crate::service::{AppState, TenantRef};

/// Whether a run steps its next chunk while the one before is written: on
/// SQLite's write pool, whose one writer would otherwise wait for every
/// chunk's reads and computing. The step reads from the read pool, and the
/// write transaction only checks and flushes (`billing::chunk::prepare`).
pub(super) fn steps_ahead<C: Conn>(conn: &C) -> bool {
    conn.is_pool() && conn.get_database_backend() == DatabaseBackend::Sqlite
}

/// A chunk being stepped ahead, on a task of its own so that its reads and
/// computing run beside the writer's flush of the chunk before.
struct Ahead {
    ids: Vec<i64>,
    task: JoinHandle<AppResult<Prepared>>,
}

impl Ahead {
    fn spawn(state: &AppState, tenant: TenantRef, now: DateTime<Utc>, ids: Vec<i64>) -> Ahead {
        let ctx = Ctx::new(tenant, now, state.db.read.clone(), state.settings.clone());
        let task_ids = ids.clone();
        Ahead { ids, task: tokio::spawn(async move { chunk::prepare(&ctx, task_ids, now).await }) }
    }

    /// The stepped chunk, or its ids when stepping it failed.
    async fn prepared(self) -> Result<Prepared, Vec<i64>> {
        match self.task.await {
            Ok(Ok(prepared)) => Ok(prepared),
            Ok(Err(err)) => {
                tracing::debug!(error = %err, "stepping a chunk ahead failed; stepping it in its transaction");
                Err(self.ids)
            }
            Err(err) => {
                tracing::error!(error = %err, "the task stepping a chunk ahead ended abnormally");
                Err(self.ids)
            }
        }
    }
}

/// Writes a chunk stepped ahead in one transaction; if that fails (or the
/// chunk could not be stepped ahead) it is billed as any other chunk.
async fn commit_chunk<C: TransactionTrait>(
    state: &AppState,
    conn: &C,
    tenant: TenantRef,
    now: DateTime<Utc>,
    prepared: Result<Prepared, Vec<i64>>,
) -> (Summary, Vec<i64>) {
    let prepared = match prepared {
        Ok(prepared) => prepared,
        Err(ids) => return bill_chunk(state, conn, tenant, now, &ids, Claim::SkipLocked).await,
    };
    let ids = prepared.ids().to_vec();
    let committed = tx::within(state, conn, tenant, now, Outcome::Commit, move |ctx| {
        Box::pin(async move { chunk::commit_prepared(ctx, prepared).await })
    })
    .await;
    match committed {
        Ok(stepped) => (stepped.summary, unclaimed(&ids, &stepped.claimed)),
        Err(err) => {
            tracing::debug!(error = %err, "writing a chunk stepped ahead failed; billing it again");
            bill_chunk(state, conn, tenant, now, &ids, Claim::SkipLocked).await
        }
    }
}

/// The due chunks of a run one after another, each stepped while the one
/// before is written (see [`steps_ahead`]). Answers what was billed and the
/// ids another transaction held.
pub(super) async fn bill_stepping_ahead<C: Conn>(
    state: &AppState,
    conn: &C,
    tenant: TenantRef,
    now: DateTime<Utc>,
    due: &mut DuePages,
    progress: &(dyn Fn(Summary) + Sync),
    stop: &(dyn Fn() -> bool + Sync),
) -> AppResult<(Summary, Vec<i64>)> {
    let mut summary = Summary::default();
    let mut skipped = Vec::new();
    let mut ahead = due.next_chunk(&state.db.read).await?.map(|ids| Ahead::spawn(state, tenant, now, ids));
    while let Some(chunk) = ahead.take() {
        let prepared = chunk.prepared().await;
        if !stop()
            && let Some(ids) = due.next_chunk(&state.db.read).await?
        {
            ahead = Some(Ahead::spawn(state, tenant, now, ids));
        }
        let (done, held) = commit_chunk(state, conn, tenant, now, prepared).await;
        summary.add(done);
        skipped.extend(held);
        progress(summary);
    }
    Ok((summary, skipped))
}
