//! The scheduled billing run inside `recur serve`, and the pass over every
//! tenant that `recur bill` runs once.

use std::sync::Arc;
use std::time::Duration;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::billing_run::{self as run, Summary};
use super::{AppState, TenantRef, idempotency};
use crate::db::scope::TenantId;
use crate::error::AppResult;

/// Bills every tenant up to its "now" (test tenants: their own clock).
pub async fn bill_all_tenants(state: &Arc<AppState>, progress: &(dyn Fn(Summary) + Sync)) -> AppResult<Summary> {
    let mut total = Summary::default();
    let mut cursor = 0i64;
    loop {
        let tenants = entity::tenant::Entity::find()
            .filter(entity::tenant::Column::Id.gt(cursor))
            .order_by_asc(entity::tenant::Column::Id)
            .limit(100)
            .all(&state.db.read)
            .await?;
        let Some(last) = tenants.last() else { break };
        if state.is_stopping() {
            break;
        }
        cursor = last.id;
        for tenant in tenants {
            let now = tenant.clock.unwrap_or_else(|| state.clock.now());
            let reference = TenantRef { id: TenantId::trusted(tenant.id), is_test: tenant.is_test };
            let before = total;
            let progress = |s| {
                let mut sum = before;
                sum.add(s);
                progress(sum)
            };
            let done =
                run::run_tenant_until(state, &state.db.write, reference, now, &progress, run::Until::DoneOrStopping)
                    .await?;
            total.add(done);
            if state.is_stopping() {
                break;
            }
        }
    }
    state.metrics.observe_billing_run(total.invoices, total.closed);
    Ok(total)
}

/// Runs billing every `billing.schedule_seconds` until shutdown: a run in
/// progress ends after its current chunk, then the task returns.
pub fn spawn(state: Arc<AppState>) -> Option<tokio::task::JoinHandle<()>> {
    let every = state.settings.billing.schedule_seconds;
    if every == 0 {
        return None;
    }
    Some(tokio::spawn(async move {
        let mut ticker = tokio::time::interval(Duration::from_secs(every));
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut stopping = state.stopping.subscribe();
        loop {
            tokio::select! {
                _ = ticker.tick() => {}
                _ = stopping.wait_for(|s| *s) => return,
            }
            match bill_all_tenants(&state, &|_| {}).await {
                Ok(s) if s.subscriptions > 0 => {
                    tracing::info!(invoices = s.invoices, closed = s.closed, failed = s.failed, "scheduled billing run")
                }
                Ok(_) => {}
                Err(err) => tracing::error!(error = %err, "scheduled billing run failed"),
            }
            if let Err(err) = idempotency::purge(&state.db.write, &state.settings.idempotency, state.clock.now()).await
            {
                tracing::error!(error = %err, "purging idempotency records failed");
            }
        }
    }))
}
