//! The delivery worker inside `serve`: fans the outbox out, leases endpoints
//! with due deliveries (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so several
//! processes never deliver one endpoint at once), and runs one task per
//! endpoint, at most `webhooks.concurrency` at a time: deliveries of one
//! endpoint go out in event order, and a slow endpoint holds up only itself.
//!
//! [`deliver_due_now`] does the same for one tenant and waits: `billing.run`
//! on a test tenant calls it after its clock moved (after its transaction
//! committed), so every attempt due by the new clock is made before it answers.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, DbBackend};
use tokio::task::JoinSet;

use super::outbox::{self, Gaps};
use super::send::{self, LEASE};
use super::{Objects, stmt};
use crate::db::ctx::TenantRef;
use crate::error::AppResult;
use crate::service::AppState;

/// Starts the worker unless `webhooks.worker` is off.
pub fn spawn(app: Arc<AppState>, objects: Arc<dyn Objects>) -> Option<tokio::task::JoinHandle<()>> {
    app.settings.webhooks.worker.then(|| tokio::spawn(run(app, objects)))
}

async fn run(app: Arc<AppState>, objects: Arc<dyn Objects>) {
    let poll = Duration::from_millis(app.settings.webhooks.poll_ms.max(5));
    let slots = app.settings.webhooks.concurrency.max(1);
    let mut gaps = Gaps::default();
    let mut tasks: JoinSet<i64> = JoinSet::new();
    let mut busy: HashSet<i64> = HashSet::new();
    loop {
        let mut worked = false;
        match outbox::fan_out(&app, objects.as_ref(), &mut gaps).await {
            Ok(round) => worked |= round.deliveries > 0 || !(round.caught_up || round.blocked),
            Err(err) => tracing::error!(error = %err, cause = ?err, "webhook outbox"),
        }
        while let Some(Ok(id)) = tasks.try_join_next() {
            busy.remove(&id);
        }
        let free = slots.saturating_sub(tasks.len());
        if free > 0 {
            match claim(&app, None, free, &busy).await {
                Ok(ids) => {
                    for id in ids.into_iter().filter(|id| busy.insert(*id)) {
                        worked = true;
                        let app = app.clone();
                        tasks.spawn(async move {
                            drain(&app, id).await;
                            id
                        });
                    }
                }
                Err(err) => tracing::error!(error = %err, cause = ?err, "webhook claim"),
            }
        }
        if !worked {
            tokio::time::sleep(poll).await;
        }
    }
}

/// Delivers what is due at endpoint `id` (leased by this process) until
/// nothing is, then gives the lease back.
async fn drain(app: &Arc<AppState>, id: i64) {
    loop {
        match send::endpoint_round(app, id).await {
            Ok(0) => break,
            Ok(_) => continue,
            Err(err) => {
                tracing::error!(webhook_id = id, error = %err, cause = ?err, "webhook delivery");
                break;
            }
        }
    }
    let sql = "UPDATE webhook SET lease_until = NULL WHERE id = ?";
    if let Err(err) = app.db.write.execute(stmt(app.db.backend(), sql, vec![id.into()])).await {
        tracing::error!(webhook_id = id, error = %err, "webhook lease release");
    }
}

/// Leases up to `limit` endpoints with deliveries due by their tenant's clock
/// (of `tenant` only, when given), except `draining`; answers their ids.
///
/// `draining` are the endpoints this process's tasks are delivering to. A task
/// may end (nothing due, lease released) between the loop reaping finished
/// tasks and this claim: leasing its endpoint again here would hold a lease
/// that no task drains, and the endpoint would wait for the lease to expire.
async fn claim(
    app: &AppState,
    tenant: Option<TenantRef>,
    limit: usize,
    draining: &HashSet<i64>,
) -> AppResult<Vec<i64>> {
    let backend = app.db.backend();
    let wall = app.clock.now();
    let mut sql = String::from(
        "SELECT w.id AS id FROM webhook w JOIN tenant t ON t.id = w.tenant_id \
         WHERE (w.lease_until IS NULL OR w.lease_until < ?) \
         AND EXISTS (SELECT 1 FROM webhook_delivery d WHERE d.webhook_id = w.id AND d.status = 'pending' \
         AND d.next_attempt <= COALESCE(t.clock, ?))",
    );
    let mut values: Vec<sea_orm::Value> = vec![wall.into(), wall.into()];
    if let Some(tenant) = tenant {
        sql.push_str(" AND w.tenant_id = ?");
        values.push(tenant.id.get().into());
    }
    if !draining.is_empty() {
        sql.push_str(&format!(" AND w.id NOT IN ({})", vec!["?"; draining.len()].join(", ")));
        values.extend(draining.iter().map(|id| sea_orm::Value::from(*id)));
    }
    sql.push_str(&format!(" ORDER BY w.id LIMIT {}", limit.max(1)));
    if backend == DbBackend::Postgres {
        sql.push_str(" FOR UPDATE OF w SKIP LOCKED");
    }
    let txn = crate::db::begin_write(&app.db.write).await?;
    let rows = txn.query_all(stmt(backend, &sql, values)).await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.try_get::<i64>("", "id")).collect::<Result<_, _>>()?;
    if !ids.is_empty() {
        let marks = vec!["?"; ids.len()].join(", ");
        let update = format!("UPDATE webhook SET lease_until = ? WHERE id IN ({marks})");
        let mut values: Vec<sea_orm::Value> = vec![(wall + LEASE).into()];
        values.extend(ids.iter().map(|id| sea_orm::Value::from(*id)));
        txn.execute(stmt(backend, &update, values)).await?;
    }
    txn.commit().await?;
    Ok(ids)
}

/// Whether `tenant` has deliveries due by its clock (leased or not).
async fn any_due(app: &AppState, tenant: TenantRef) -> AppResult<bool> {
    // Through the tenant's endpoints: pending deliveries are indexed per endpoint.
    let sql = "SELECT 1 AS one FROM webhook w JOIN tenant t ON t.id = w.tenant_id WHERE w.tenant_id = ? \
               AND EXISTS (SELECT 1 FROM webhook_delivery d WHERE d.webhook_id = w.id AND d.status = 'pending' \
               AND d.next_attempt <= COALESCE(t.clock, ?)) LIMIT 1";
    let values = vec![tenant.id.get().into(), app.clock.now().into()];
    Ok(app.db.read.query_one(stmt(app.db.backend(), sql, values)).await?.is_some())
}

/// Fans out the outbox and makes every attempt of `tenant` due by its clock,
/// waiting for other processes' leases; gives up after a minute.
pub async fn deliver_due_now(app: &Arc<AppState>, objects: &dyn Objects, tenant: TenantRef) -> AppResult<()> {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut gaps = Gaps::default();
    loop {
        let round = outbox::fan_out(app, objects, &mut gaps).await?;
        if round.caught_up || Instant::now() > deadline {
            break;
        }
        if round.blocked {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    while Instant::now() < deadline {
        let ids = claim(app, Some(tenant), 64, &HashSet::new()).await?;
        if ids.is_empty() {
            if !any_due(app, tenant).await? {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        }
        futures::future::join_all(ids.into_iter().map(|id| drain(app, id))).await;
    }
    Ok(())
}
