//! The outbox: the event feed (`event` and the usage bookings, see
//! `service::event_feed`), written in the same transaction as every
//! change, read after a cursor (`webhook_outbox.position`) and fanned out into
//! one delivery per matching endpoint, its body built once per format.
//!
//! Writers commit out of id order on PostgreSQL: event 41 may commit after 42.
//! So the cursor never passes a missing id until it is known to be a rollback:
//! every transaction that was running when the gap was first seen has ended
//! (`txid_snapshot_xmin`). SQLite has one writer, so its gaps are final.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, NotSet, QueryFilter, QueryOrder, QuerySelect};

use super::prefetch::{Prefetched, ToSend};
use super::render::Rendered;
use super::{Objects, endpoints, stmt};
use crate::error::AppResult;
use crate::service::AppState;
use crate::service::event_feed::{self, After};
use crate::webhook::{EventType, events};
use entity::{event, tenant, webhook, webhook_delivery};

/// Events of tenants with an endpoint read in full per round.
const BATCH: u64 = 1000;
/// Event ids read per round when no endpoint exists.
const PASS_OVER_BATCH: u64 = 20_000;
/// Event ids and tenants read per round when endpoints exist, to pick the
/// events of tenants with endpoints from (each of those read in full).
const LOOK_AHEAD: u64 = 5_000;

/// A gap in event ids being waited for (PostgreSQL).
#[derive(Debug, Default)]
pub struct Gaps {
    /// The first missing id and the snapshot's xmax when it was first seen.
    waiting: Option<(i64, i64)>,
}

impl Gaps {
    /// Whether the missing id `missing` is known to be no event that will still commit.
    async fn settled<C: ConnectionTrait>(&mut self, db: &C, missing: i64) -> AppResult<bool> {
        if db.get_database_backend() != DbBackend::Postgres {
            return Ok(true);
        }
        let sql = "SELECT txid_snapshot_xmin(txid_current_snapshot()) AS lo, \
                   txid_snapshot_xmax(txid_current_snapshot()) AS hi";
        let row = db.query_one(stmt(DbBackend::Postgres, sql, vec![])).await?;
        let (lo, hi) = match row {
            Some(r) => (r.try_get::<i64>("", "lo")?, r.try_get::<i64>("", "hi")?),
            None => return Ok(false),
        };
        match self.waiting {
            Some((id, xmax)) if id == missing => Ok(lo >= xmax),
            _ => {
                self.waiting = Some((missing, hi));
                Ok(false)
            }
        }
    }
}

/// What one round did.
#[derive(Debug, Default, Clone, Copy)]
pub struct Round {
    /// Deliveries written.
    pub deliveries: usize,
    /// Nothing left after the cursor.
    pub caught_up: bool,
    /// Stopped at a gap that may still be filled by a running transaction.
    pub blocked: bool,
}

/// The cursor.
async fn position<C: ConnectionTrait>(db: &C, lock: bool) -> AppResult<Option<i64>> {
    let lock = if lock && db.get_database_backend() == DbBackend::Postgres { " FOR UPDATE SKIP LOCKED" } else { "" };
    let sql = format!("SELECT position FROM webhook_outbox WHERE id = 1{lock}");
    let row = db.query_one(stmt(db.get_database_backend(), &sql, vec![])).await?;
    Ok(row.map(|r| r.try_get::<i64>("", "position")).transpose()?)
}

/// Fans the events after the cursor out into deliveries, one batch.
///
/// Events are read first as ids and tenants only, and in full only those of
/// tenants with an endpoint: one tenant's endpoint must not make the worker
/// read and decode every other tenant's events (a billing run writes them by
/// the hundred thousand), nor take the write lock to move the cursor once
/// per thousand of them.
pub async fn fan_out(app: &Arc<AppState>, objects: &dyn Objects, gaps: &mut Gaps) -> AppResult<Round> {
    let read = &app.db.read;
    let Some(start) = position(read, false).await? else { return Ok(Round { caught_up: true, ..Round::default() }) };
    let seen = endpoints(read).await?;
    if seen.count == 0 {
        return pass_over(app, gaps, start, seen).await;
    }
    let hooked = hooked_tenants(read).await?;
    let After { listed, complete } = event_feed::ids_after(read, start, LOOK_AHEAD).await?;
    let ids: Vec<i64> = listed.iter().map(|(id, _)| *id).collect();
    let (taken, blocked) = settled_prefix(read, gaps, start, &ids).await?;
    // Up to BATCH events of hooked tenants; the cursor moves to the last id
    // looked at, past the others.
    let mut wanted: Vec<i64> = Vec::new();
    let mut looked: usize = 0;
    for &(id, tenant) in &listed[..taken] {
        if hooked.contains(&tenant) {
            if wanted.len() as u64 == BATCH {
                break;
            }
            wanted.push(id);
        }
        looked += 1;
    }
    let Some(end) = looked.checked_sub(1).and_then(|last| ids.get(last)).copied() else {
        return Ok(Round { caught_up: !blocked, deliveries: 0, blocked });
    };
    let planning = std::time::Instant::now();
    let (rows, deliveries) = if wanted.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        let rows = event_feed::by_ids(read, &wanted).await?;
        let deliveries = plan(app, objects, &rows).await?;
        (rows, deliveries)
    };
    let (written, planned_us) = (deliveries.len(), planning.elapsed().as_micros());
    if !advance(app, start, end, deliveries, seen).await? {
        return Ok(Round::default());
    }
    tracing::debug!(
        events = rows.len(),
        passed = looked,
        written,
        planned_us,
        total_us = planning.elapsed().as_micros(),
        "webhook fan-out round"
    );
    let everything = looked == listed.len() && complete;
    Ok(Round { deliveries: written, caught_up: everything && !blocked, blocked })
}

/// The tenants that have an endpoint (enabled or not: a disabled one still
/// records its deliveries as skipped).
async fn hooked_tenants<C: ConnectionTrait>(db: &C) -> AppResult<HashSet<i64>> {
    let tenants: Vec<i64> =
        webhook::Entity::find().select_only().column(webhook::Column::TenantId).distinct().into_tuple().all(db).await?;
    Ok(tenants.into_iter().collect())
}

/// How many of `ids` (ascending, after the cursor `start`) may be taken: up
/// to the first gap that a running transaction may still fill.
async fn settled_prefix<C: ConnectionTrait>(
    db: &C,
    gaps: &mut Gaps,
    start: i64,
    ids: &[i64],
) -> AppResult<(usize, bool)> {
    let mut expected = start + 1;
    for (i, &id) in ids.iter().enumerate() {
        if id != expected && !gaps.settled(db, expected).await? {
            return Ok((i, true));
        }
        expected = id + 1;
    }
    Ok((ids.len(), false))
}

/// Which endpoints exist (in any tenant, enabled or not), as far as a round
/// needs to know whether one was added or removed while it planned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Endpoints {
    count: i64,
    newest: i64,
}

async fn endpoints<C: ConnectionTrait>(db: &C) -> AppResult<Endpoints> {
    let sql = "SELECT COUNT(*) AS n, COALESCE(MAX(id), 0) AS newest FROM webhook";
    let row = db.query_one(stmt(db.get_database_backend(), sql, vec![])).await?;
    let (count, newest) = match row {
        Some(r) => (r.try_get::<i64>("", "n")?, r.try_get::<i64>("", "newest")?),
        None => (0, 0),
    };
    Ok(Endpoints { count, newest })
}

/// With no endpoint anywhere nothing is delivered: the cursor moves over the
/// events reading only their ids (a billing run writes events by the
/// hundred thousand; rendering nothing for them should cost nothing).
async fn pass_over(app: &Arc<AppState>, gaps: &mut Gaps, start: i64, seen: Endpoints) -> AppResult<Round> {
    let read = &app.db.read;
    let After { listed, complete } = event_feed::ids_after(read, start, PASS_OVER_BATCH).await?;
    let ids: Vec<i64> = listed.into_iter().map(|(id, _)| id).collect();
    let (taken, blocked) = settled_prefix(read, gaps, start, &ids).await?;
    let Some(&end) = taken.checked_sub(1).and_then(|last| ids.get(last)) else {
        return Ok(Round { caught_up: !blocked, deliveries: 0, blocked });
    };
    if !advance(app, start, end, Vec::new(), seen).await? {
        return Ok(Round::default());
    }
    Ok(Round { deliveries: 0, caught_up: complete && !blocked, blocked })
}

/// Writes `deliveries` and moves the cursor from `start` to `end`; `false`
/// (nothing written, the next round plans again) when another process moved
/// the cursor meanwhile (its deliveries stand) or the endpoints are no longer
/// those `seen` when planning.
///
/// Endpoints are compared under the cursor's lock, which `webhook.create`
/// takes too: an endpoint created before the lock is seen here, one created
/// after it starts after the newest event it reads, which is at least `end`.
async fn advance(
    app: &Arc<AppState>,
    start: i64,
    end: i64,
    deliveries: Vec<webhook_delivery::ActiveModel>,
    seen: Endpoints,
) -> AppResult<bool> {
    let txn = crate::db::begin_write(&app.db.write).await?;
    if position(&txn, true).await? != Some(start) || endpoints(&txn).await? != seen {
        txn.rollback().await?;
        return Ok(false);
    }
    let per_statement = crate::db::bulk::rows_per_statement(10);
    for piece in deliveries.chunks(per_statement) {
        webhook_delivery::Entity::insert_many(piece.to_vec())
            .on_conflict(
                OnConflict::columns([webhook_delivery::Column::WebhookId, webhook_delivery::Column::EventId])
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
    }
    let sql = "UPDATE webhook_outbox SET position = ? WHERE id = 1";
    txn.execute(stmt(txn.get_database_backend(), sql, vec![end.into()])).await?;
    txn.commit().await?;
    Ok(true)
}

/// The deliveries `events` make: one per event and matching endpoint.
async fn plan(
    app: &Arc<AppState>,
    objects: &dyn Objects,
    events: &[event::Model],
) -> AppResult<Vec<webhook_delivery::ActiveModel>> {
    let tenant_ids: HashSet<i64> = events.iter().map(|e| e.tenant_id).collect();
    let hooks = webhook::Entity::find()
        .filter(webhook::Column::TenantId.is_in(tenant_ids.iter().copied()))
        .order_by_asc(webhook::Column::Id)
        .all(&app.db.read)
        .await?;
    if hooks.is_empty() {
        return Ok(Vec::new());
    }
    let mut by_tenant: HashMap<i64, Vec<(webhook::Model, crate::webhook::EventFilter)>> = HashMap::new();
    for hook in hooks {
        let filter = endpoints::filter_of(&hook);
        by_tenant.entry(hook.tenant_id).or_default().push((hook, filter));
    }
    let tenants: HashMap<i64, tenant::Model> = tenant::Entity::find()
        .filter(tenant::Column::Id.is_in(by_tenant.keys().copied()))
        .all(&app.db.read)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    // Which endpoints get which event, then every object those bodies carry
    // read in one go, then the bodies.
    let mut sends: Vec<ToSend<'_>> = Vec::new();
    for e in events {
        let Some(hooks) = by_tenant.get(&e.tenant_id) else { continue };
        let Some(kind) = events::public_type(&e.event_type, &e.data) else { continue };
        if kind == EventType::WebhookTest {
            continue; // sent by webhook.test to its one endpoint
        }
        let to: Vec<&webhook::Model> = hooks
            .iter()
            .filter(|(hook, filter)| e.id > hook.from_event_id && filter.matches(kind))
            .map(|(h, _)| h)
            .collect();
        if !to.is_empty() {
            sends.push((e, kind, to));
        }
    }
    let objects = Prefetched::for_bodies(app, objects, &tenants, &sends).await?;
    let mut out = Vec::new();
    for (e, kind, hooks) in sends {
        let Some(tenant) = tenants.get(&e.tenant_id) else { continue };
        let mut rendered = Rendered::default();
        for hook in hooks {
            let Some(body) = rendered.body(app, &objects, tenant, e, kind, &hook.format).await? else { continue };
            out.push(delivery(hook, e, kind, body));
        }
    }
    Ok(out)
}

fn delivery(hook: &webhook::Model, e: &event::Model, kind: EventType, body: String) -> webhook_delivery::ActiveModel {
    use sea_orm::ActiveValue::Set;
    let (status, next) = if hook.enabled { ("pending", Some(e.created)) } else { ("skipped", None) };
    webhook_delivery::ActiveModel {
        id: NotSet,
        tenant_id: Set(e.tenant_id),
        webhook_id: Set(hook.id),
        event_id: Set(e.id),
        event_type: Set(kind.as_str().to_owned()),
        status: Set(status.to_owned()),
        attempts: Set(0),
        next_attempt: Set(next),
        body: Set(body),
        created: Set(e.created),
    }
}
