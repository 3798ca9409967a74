//! The event feed: the `event` table and the usage bookings, one id space.
//!
//! A usage booking is its own `subscription.usage_recorded` event: its id is
//! drawn from the event ids (PostgreSQL: `event_id_seq` is the column's
//! default; SQLite: [`reserve_ids`]), so the feed orders bookings and other
//! events by creation as one sequence, and a booking costs one row, not two.
//! Bookings up to `event_feed.usage_after` were made before that and have
//! event rows of their own; the feed reads only the later ones as events.
//!
//! Everything read here that the outbox acts on is one statement, so it is
//! one snapshot: deleting a booking files its event in `event` in the same
//! transaction (see [`refile_usage`]), and a reader taking the two tables at
//! two moments could miss it in both.

use sea_orm::{ConnectionTrait, DbBackend, EntityTrait, Statement, Value};
use serde_json::json;

use super::webhook::stmt;
use crate::error::{AppError, AppResult};
use entity::{event, usage_record};

use super::events::USAGE;

/// The event type of a booking.
pub const USAGE_RECORDED: &str = "subscription.usage_recorded";

/// SQL: the bookings the feed reads as events are those after this id.
pub const USAGE_AFTER: &str = "(SELECT usage_after FROM event_feed WHERE id = 1)";

/// A booking's event.
pub fn of_usage(u: &usage_record::Model) -> event::Model {
    event::Model {
        id: u.id,
        tenant_id: u.tenant_id,
        subject: USAGE.to_owned(),
        subject_id: u.id,
        event_type: USAGE_RECORDED.to_owned(),
        data: json!({
            "USAGEDATA_ID": u.id,
            "SUBSCRIPTION_ID": u.subscription_id,
            "ARTICLE_NUMBER": u.article_number,
            "QUANTITY": u.quantity.0.normalize().to_string(),
        }),
        created: u.created,
    }
}

/// The booking columns as an event row (as [`of_usage`] builds it), for one
/// statement over both tables.
fn usage_as_event(backend: DbBackend) -> String {
    let json_object = if backend == DbBackend::Postgres { "json_build_object" } else { "json_object" };
    format!(
        "SELECT id, tenant_id, '{USAGE}' AS subject, id AS subject_id, '{USAGE_RECORDED}' AS event_type, \
         {json_object}('USAGEDATA_ID', id, 'SUBSCRIPTION_ID', subscription_id, 'ARTICLE_NUMBER', article_number, \
         'QUANTITY', quantity) AS data, created FROM usage_record"
    )
}

/// Ids after a position, with their tenants, ascending.
#[derive(Debug, Default)]
pub struct After {
    pub listed: Vec<(i64, i64)>,
    /// Nothing after `start` is left out: neither source was cut at the limit.
    pub complete: bool,
}

/// Up to `limit` ids (and tenants) of events after `start`, in id order.
pub async fn ids_after<C: ConnectionTrait>(db: &C, start: i64, limit: u64) -> AppResult<After> {
    let backend = db.get_database_backend();
    let sql = format!(
        "SELECT src, id, tenant_id FROM (SELECT 0 AS src, id, tenant_id FROM event WHERE id > ? \
         ORDER BY id LIMIT ?) AS e UNION ALL SELECT src, id, tenant_id FROM (SELECT 1 AS src, id, tenant_id \
         FROM usage_record WHERE id > ? AND id > {USAGE_AFTER} ORDER BY id LIMIT ?) AS u"
    );
    let limit_value = i64::try_from(limit).unwrap_or(i64::MAX);
    let values: Vec<Value> = vec![start.into(), limit_value.into(), start.into(), limit_value.into()];
    let rows = db.query_all(stmt(backend, &sql, values)).await?;
    let mut from = [Vec::new(), Vec::new()];
    for row in rows {
        let src: i32 = row.try_get("", "src")?;
        let pair = (row.try_get::<i64>("", "id")?, row.try_get::<i64>("", "tenant_id")?);
        from[usize::from(src != 0)].push(pair);
    }
    Ok(merge(from, limit))
}

/// Both sources' ids in one order, up to where neither may hide one: past the
/// last id of a source that filled its limit, that source was not read.
fn merge(from: [Vec<(i64, i64)>; 2], limit: u64) -> After {
    let cut = from.iter().filter(|ids| ids.len() as u64 >= limit).filter_map(|ids| ids.last().map(|l| l.0)).min();
    let mut listed: Vec<(i64, i64)> =
        from.into_iter().flatten().filter(|(id, _)| cut.is_none_or(|c| *id <= c)).collect();
    listed.sort_unstable_by_key(|(id, _)| *id);
    let capped = usize::try_from(limit).unwrap_or(usize::MAX);
    let complete = cut.is_none() && listed.len() <= capped;
    listed.truncate(capped);
    After { listed, complete }
}

/// The events `ids` (of any tenant), in id order, in one statement.
pub async fn by_ids<C: ConnectionTrait>(db: &C, ids: &[i64]) -> AppResult<Vec<event::Model>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let backend = db.get_database_backend();
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let sql = format!(
        "SELECT id, tenant_id, subject, subject_id, event_type, data, created FROM event WHERE id IN ({list}) \
         UNION ALL {} WHERE id IN ({list}) AND id > {USAGE_AFTER} ORDER BY id",
        usage_as_event(backend)
    );
    let rows = event::Entity::find().from_raw_sql(Statement::from_string(backend, sql)).all(db).await?;
    Ok(rows)
}

/// The newest event id, booking or not (0 when there is none).
pub async fn newest<C: ConnectionTrait>(db: &C) -> AppResult<i64> {
    let sql = crate::db::NEWEST_EVENT_ID;
    let row = db.query_one(Statement::from_string(db.get_database_backend(), sql)).await?;
    Ok(row.map(|r| r.try_get::<i64>("", "n")).transpose()?.unwrap_or(0))
}

/// SQLite: reserves `count` consecutive event ids for bookings and answers
/// the first; `event`'s AUTOINCREMENT starts after its `sqlite_sequence`
/// row, so it never hands them out. Also past every id either table holds,
/// should a row have been written around this (a raw insert, an older
/// process). PostgreSQL draws bookings' ids from `event_id_seq` itself: `None`.
pub async fn reserve_ids<C: ConnectionTrait>(db: &C, count: usize) -> AppResult<Option<i64>> {
    if db.get_database_backend() != DbBackend::Sqlite || count == 0 {
        return Ok(None);
    }
    let count = i64::try_from(count).map_err(|e| AppError::internal(e.to_string()))?;
    let bump = "UPDATE sqlite_sequence SET seq = MAX(seq, (SELECT COALESCE(MAX(id), 0) FROM event), \
                (SELECT COALESCE(MAX(id), 0) FROM usage_record)) + ? WHERE name = 'event' RETURNING seq";
    for _ in 0..2 {
        let row = db.query_one(Statement::from_sql_and_values(DbBackend::Sqlite, bump, [count.into()])).await?;
        if let Some(row) = row {
            let last: i64 = row.try_get("", "seq")?;
            return Ok(Some(last - count + 1));
        }
        // No event was ever written: `event` has no sequence row yet.
        let first = "INSERT INTO sqlite_sequence (name, seq) SELECT 'event', 0 \
                     WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'event')";
        db.execute(Statement::from_string(DbBackend::Sqlite, first)).await?;
    }
    Err(AppError::internal("no event id could be reserved"))
}

/// Files a booking's event in `event` (under its subscription, with the
/// booking's id) before the booking is deleted: the feed and the timeline
/// would lose it with the booking. A booking from before the feed read
/// bookings has its own event row, which is refiled instead.
pub async fn refile_usage<C: ConnectionTrait>(ctx: &super::Ctx<C>, booking: &usage_record::Model) -> AppResult<()> {
    use crate::db::scope::Scope;
    use entity::event::Column;
    use sea_orm::{ActiveValue::Set, ColumnTrait, QueryFilter, sea_query::Expr};
    let moved = ctx
        .update_many::<event::Entity>()
        .col_expr(Column::Subject, Expr::value("subscription"))
        .col_expr(Column::SubjectId, Expr::value(booking.subscription_id))
        .filter(Column::Subject.eq(USAGE))
        .filter(Column::SubjectId.eq(booking.id))
        .exec(&ctx.db)
        .await?;
    if moved.rows_affected > 0 {
        return Ok(());
    }
    let e = of_usage(booking);
    let row = event::ActiveModel {
        id: Set(e.id),
        tenant_id: Set(e.tenant_id),
        subject: Set("subscription".to_owned()),
        subject_id: Set(booking.subscription_id),
        event_type: Set(e.event_type),
        data: Set(e.data),
        created: Set(e.created),
    };
    event::Entity::insert(row).exec_without_returning(&ctx.db).await?;
    Ok(())
}

#[cfg(test)]
#[path = "event_feed_tests.rs"]
mod tests;
