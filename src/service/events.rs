//! Appending to the timeline, always in the caller's transaction.

use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, NotSet};
use serde_json::Value;

use super::Ctx;
use crate::error::AppResult;

/// The subject of a usage booking's event (`subscription.usage_recorded`),
/// whose id is the booking's: a booking is its own event
/// (`service::event_feed`). Bookings land on random subscriptions; as the
/// subject of their events, the booking (whose ids only grow) keeps the
/// subscription's timeline from being written per booking. The timeline
/// finds these events through its bookings ([`list_subscription`]), and a
/// delivery through the event's SUBSCRIPTION_ID ([`owner`]).
pub const USAGE: &str = "usage";

/// Appends one event about `subject`/`subject_id` at the call's "now".
pub async fn append<C: ConnectionTrait>(
    ctx: &Ctx<C>,
    subject: &str,
    subject_id: i64,
    event_type: &str,
    data: Value,
) -> AppResult<i64> {
    let row = entity::event::ActiveModel {
        id: NotSet,
        tenant_id: Set(ctx.tenant.id.get()),
        subject: Set(subject.to_owned()),
        subject_id: Set(subject_id),
        event_type: Set(event_type.to_owned()),
        data: Set(data),
        created: Set(ctx.now),
    };
    let inserted = entity::event::Entity::insert(row).exec(&ctx.db).await?;
    Ok(inserted.last_insert_id)
}

/// Events about one subject, newest first.
pub async fn list<C: ConnectionTrait>(
    ctx: &Ctx<C>,
    subject: &str,
    subject_id: i64,
    limit: u64,
    offset: u64,
) -> AppResult<Vec<entity::event::Model>> {
    use crate::db::scope::Scope;
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect};
    Ok(ctx
        .find::<entity::event::Entity>()
        .filter(entity::event::Column::Subject.eq(subject))
        .filter(entity::event::Column::SubjectId.eq(subject_id))
        .order_by_desc(entity::event::Column::Id)
        .limit(limit)
        .offset(offset)
        .all(&ctx.db)
        .await?)
}

/// A subscription's timeline, newest first: the events filed under it and
/// its bookings' (see [`USAGE`]), each source read up to `offset + limit`
/// rows and merged by event id. Bookings are read through the subscription's
/// index and sorted by id, so a page of a subscription with very many
/// bookings costs a read of each booking's index entry. Bookings from before
/// the feed read them (`event_feed.usage_after`) have event rows of their own.
pub async fn list_subscription<C: ConnectionTrait>(
    ctx: &Ctx<C>,
    subscription_id: i64,
    limit: u64,
    offset: u64,
) -> AppResult<Vec<entity::event::Model>> {
    use super::event_feed::{USAGE_AFTER, of_usage};
    use crate::db::scope::Scope;
    use entity::event::Column;
    use entity::usage_record::Column as Booking;
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, sea_query::Expr};
    // Bound to what a bound LIMIT can carry (sea-query binds it as a signed 64-bit number).
    let wanted = limit.saturating_add(offset).min(i64::MAX as u64);
    let mut events = list(ctx, "subscription", subscription_id, wanted, 0).await?;
    let booked = ctx
        .find::<entity::usage_record::Entity>()
        .filter(Booking::SubscriptionId.eq(subscription_id))
        .filter(Expr::cust(format!("id > {USAGE_AFTER}")))
        .order_by_desc(Booking::Id)
        .limit(wanted)
        .all(&ctx.db)
        .await?;
    events.extend(booked.iter().map(of_usage));
    let older_bookings = ctx
        .find::<entity::usage_record::Entity>()
        .select_only()
        .column(Booking::Id)
        .filter(Booking::SubscriptionId.eq(subscription_id))
        .filter(Expr::cust(format!("id <= {USAGE_AFTER}")))
        .into_query();
    let older = ctx
        .find::<entity::event::Entity>()
        .filter(Column::Subject.eq(USAGE))
        .filter(Column::SubjectId.in_subquery(older_bookings))
        .order_by_desc(Column::Id)
        .limit(wanted)
        .all(&ctx.db)
        .await?;
    events.extend(older);
    Ok(crate::service::page_by(events, |e| std::cmp::Reverse(e.id), limit, offset))
}

/// What an event is about, as a delivery names it: a booking's event is
/// about its subscription.
pub fn owner(e: &entity::event::Model) -> (&str, i64) {
    if e.subject == USAGE
        && let Some(id) = e.data.get("SUBSCRIPTION_ID").and_then(Value::as_i64)
    {
        return ("subscription", id);
    }
    (&e.subject, e.subject_id)
}

/// Appends several events in one statement.
pub async fn append_many<C: ConnectionTrait>(
    ctx: &Ctx<C>,
    events: Vec<(&'static str, i64, &'static str, Value)>,
) -> AppResult<()> {
    let rows: Vec<entity::event::Model> = events
        .into_iter()
        .map(|(subject, subject_id, event_type, data)| entity::event::Model {
            id: 0,
            tenant_id: ctx.tenant.id.get(),
            subject: subject.to_owned(),
            subject_id,
            event_type: event_type.to_owned(),
            data,
            created: ctx.now,
        })
        .collect();
    crate::db::bulk::insert_rows_without_ids::<entity::event::Entity, _>(&ctx.db, &rows).await?;
    Ok(())
}
