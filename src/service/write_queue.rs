//! Groups concurrent writes of the same kind into one transaction.
//!
//! SQLite has one writer and answers each statement from a worker thread, so
//! a write's cost is its statement round trips. Calls that create customers or
//! book usage are queued; one task takes everything queued, writes each
//! tenant's group with one counter bump and multi-row inserts, commits, and
//! answers every call; on PostgreSQL two such rounds are written at once.
//! An input that does not validate gets its own error without touching the
//! others; if a group's write fails, the group is redone one call per
//! transaction, so every call stays all-or-nothing.

use std::sync::{Arc, Weak};

use chrono::{DateTime, Utc};
use tokio::sync::{mpsc, oneshot};

use super::customer::{self, CustomerPatch};
use super::tx::{self, Outcome};
use super::usage::{self, NewUsage};
use super::{TenantRef, WriteCtx, tenant};
use crate::error::{AppError, AppResult};
use crate::service::AppState;

/// Calls taken into one round at most.
const MAX_ROUND: usize = 2000;

/// Longest wait for a round to fill up again (see [`gather`]).
const GATHER: std::time::Duration = std::time::Duration::from_millis(1);

/// A write the queue can group.
#[derive(Clone, Debug)]
pub enum Job {
    CreateCustomer(Box<CustomerPatch>),
    RecordUsage(NewUsage),
}

/// What a grouped write produced.
#[derive(Debug)]
pub enum Done {
    Customer(Box<entity::customer::Model>),
    Usage(entity::usage_record::Model),
}

struct Pending {
    tenant: TenantRef,
    job: Job,
    answer: oneshot::Sender<AppResult<Done>>,
}

/// The sending side; the writer task holds the state weakly so dropping the
/// app ends it.
#[derive(Debug, Clone)]
pub struct WriteQueue {
    tx: mpsc::UnboundedSender<Pending>,
}

impl WriteQueue {
    /// Starts the writer task for `state`.
    pub fn start(state: Weak<AppState>) -> (WriteQueue, tokio::task::JoinHandle<()>) {
        let (tx, rx) = mpsc::unbounded_channel();
        (WriteQueue { tx }, tokio::spawn(writer(state, rx)))
    }

    /// Queues `job` for `tenant` and waits for its result.
    pub async fn submit(&self, tenant: TenantRef, job: Job) -> AppResult<Done> {
        let (answer, result) = oneshot::channel();
        self.tx.send(Pending { tenant, job, answer }).map_err(|_| AppError::internal("the write queue has stopped"))?;
        result.await.map_err(|_| AppError::internal("the write queue dropped a call"))?
    }
}

fn same_group(a: &Pending, b: &Pending) -> bool {
    a.tenant.id == b.tenant.id && std::mem::discriminant(&a.job) == std::mem::discriminant(&b.job)
}

/// Takes what is queued into `round`, up to [`MAX_ROUND`].
fn take_queued(rx: &mut mpsc::UnboundedReceiver<Pending>, round: &mut Vec<Pending>) {
    while round.len() < MAX_ROUND {
        match rx.try_recv() {
            Ok(next) => round.push(next),
            Err(_) => break,
        }
    }
}

/// Under load the callers a round answered call again nearly together; taken
/// at once, the first of them would make a round of one that costs almost a
/// full round's time while the rest queue behind it. So when a round comes
/// out much smaller than the last one, it waits up to [`GATHER`] for that
/// many; at low load (the last round was small) it never waits.
async fn gather(rx: &mut mpsc::UnboundedReceiver<Pending>, round: &mut Vec<Pending>, last: usize) {
    if round.len() * 2 >= last {
        return;
    }
    let until = tokio::time::Instant::now() + GATHER;
    while round.len() < last.min(MAX_ROUND) {
        match tokio::time::timeout_at(until, rx.recv()).await {
            Ok(Some(next)) => {
                round.push(next);
                take_queued(rx, round);
            }
            Ok(None) | Err(_) => break,
        }
    }
}

/// Rounds written at once: PostgreSQL takes a second round's transaction on
/// another pooled connection while the first commits (they meet only at the
/// counter rows they bump, which order their numbers); SQLite has one writer.
fn rounds_in_flight(state: &AppState) -> usize {
    if state.db.is_sqlite() { 1 } else { 2 }
}

async fn writer(state: Weak<AppState>, mut rx: mpsc::UnboundedReceiver<Pending>) {
    let mut last = 0;
    // Rounds run as tasks of this set, so aborting the writer aborts them
    // (their transactions roll back) as it did when it wrote them itself.
    let mut rounds = tokio::task::JoinSet::new();
    while let Some(first) = rx.recv().await {
        let Some(state) = state.upgrade() else { return };
        while rounds.try_join_next().is_some() {}
        while rounds.len() >= rounds_in_flight(&state) {
            let _ = rounds.join_next().await;
        }
        let mut round = vec![first];
        take_queued(&mut rx, &mut round);
        gather(&mut rx, &mut round, last).await;
        last = round.len();
        rounds.spawn(async move { write_round(&state, round).await });
    }
    while rounds.join_next().await.is_some() {}
}

/// Writes one round: groups keep the calls' order; calls of other tenants
/// or kinds wait their turn.
async fn write_round(state: &Arc<AppState>, mut round: Vec<Pending>) {
    while !round.is_empty() {
        let mut group: Vec<Pending> = Vec::new();
        let mut rest = Vec::new();
        for p in round.drain(..) {
            if group.first().is_none_or(|lead| same_group(lead, &p)) {
                group.push(p);
            } else {
                rest.push(p);
            }
        }
        round = rest;
        let started = std::time::Instant::now();
        let calls = group.len();
        write_group(state, group).await;
        tracing::debug!(calls, ms = started.elapsed().as_secs_f64() * 1000.0, "write group");
    }
}

async fn write_group(state: &Arc<AppState>, group: Vec<Pending>) {
    let tenant = group[0].tenant;
    let now = match tenant::now_of(state, tenant).await {
        Ok(now) => now,
        Err(err) => {
            let message = err.to_string();
            for p in group {
                let _ = p.answer.send(Err(AppError::internal(message.clone())));
            }
            return;
        }
    };
    let jobs: Vec<Job> = group.iter().map(|p| p.job.clone()).collect();
    match write(state, tenant, now, jobs).await {
        Ok(results) => {
            for (p, result) in group.into_iter().zip(results) {
                let _ = p.answer.send(result);
            }
        }
        Err(err) if group.len() == 1 => {
            if let Some(p) = group.into_iter().next() {
                let _ = p.answer.send(Err(err));
            }
        }
        Err(_) => {
            for p in group {
                let result = match write(state, tenant, now, vec![p.job.clone()]).await {
                    Ok(mut results) => results.pop().unwrap_or_else(|| Err(AppError::internal("no result"))),
                    Err(err) => Err(err),
                };
                let _ = p.answer.send(result);
            }
        }
    }
}

/// Writes `jobs` (all of one kind) in one transaction.
async fn write(
    state: &Arc<AppState>,
    tenant: TenantRef,
    now: DateTime<Utc>,
    jobs: Vec<Job>,
) -> AppResult<Vec<AppResult<Done>>> {
    tx::write(state, tenant, now, Outcome::Commit, move |ctx| Box::pin(write_jobs(ctx, jobs))).await
}

async fn write_jobs(ctx: &WriteCtx, jobs: Vec<Job>) -> AppResult<Vec<AppResult<Done>>> {
    match jobs.first() {
        Some(Job::CreateCustomer(_)) => {
            let patches = jobs.into_iter().filter_map(|j| if let Job::CreateCustomer(p) = j { Some(*p) } else { None });
            customer::create_many(ctx, patches.collect())
                .await
                .map(|rs| rs.into_iter().map(|r| r.map(|c| Done::Customer(Box::new(c)))).collect())
        }
        Some(Job::RecordUsage(_)) => {
            let inputs = jobs.into_iter().filter_map(|j| if let Job::RecordUsage(u) = j { Some(u) } else { None });
            usage::record_many(ctx, inputs.collect())
                .await
                .map(|rs| rs.into_iter().map(|r| r.map(Done::Usage)).collect())
        }
        None => Ok(Vec::new()),
    }
}
