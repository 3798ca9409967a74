//! Appending to the timeline, always in the caller's transaction.

use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, NotSet};
use serde_json::Value;

use super::Ctx;
use crate::error::AppResult;

/// The subject of a usage booking's event (`subscription.usage_recorded`),
/// whose id is the booking's. Bookings land on random subscriptions, and an
/// event filed under its subscription would write a random page of the
/// subject index per booking; filed under the booking, whose ids only grow,
/// it appends. The subscription's timeline finds these events through its
/// bookings ([`list_subscription`]), and a delivery through the event's
/// SUBSCRIPTION_ID ([`owner`]).
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
/// those of its bookings (see [`USAGE`]), each source read up to
/// `offset + limit` rows and merged by event id. The subscription's own
/// events come straight off the subject index; its bookings' events are all
/// visited and sorted by the database first (the index holds them in booking
/// order, and only event ids order a timeline), so a page of a subscription
/// with very many bookings costs a read of each booking's index entry.
pub async fn list_subscription<C: ConnectionTrait>(
    ctx: &Ctx<C>,
    subscription_id: i64,
    limit: u64,
    offset: u64,
) -> AppResult<Vec<entity::event::Model>> {
    use crate::db::scope::Scope;
    use entity::event::Column;
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait};
    let wanted = limit.saturating_add(offset);
    let mut events = list(ctx, "subscription", subscription_id, wanted, 0).await?;
    let bookings = ctx
        .find::<entity::usage_record::Entity>()
        .select_only()
        .column(entity::usage_record::Column::Id)
        .filter(entity::usage_record::Column::SubscriptionId.eq(subscription_id))
        .into_query();
    let booked = ctx
        .find::<entity::event::Entity>()
        .filter(Column::Subject.eq(USAGE))
        .filter(Column::SubjectId.in_subquery(bookings))
        .order_by_desc(Column::Id)
        .limit(wanted)
        .all(&ctx.db)
        .await?;
    events.extend(booked);
    Ok(crate::service::page_by(events, |e| std::cmp::Reverse(e.id), limit, offset))
}

/// Files a booking's event under its subscription, before the booking is
/// deleted: the timeline finds it through the booking no more.
pub async fn refile_usage<C: ConnectionTrait>(ctx: &Ctx<C>, usage_id: i64, subscription_id: i64) -> AppResult<()> {
    use crate::db::scope::Scope;
    use entity::event::Column;
    use sea_orm::{ColumnTrait, QueryFilter, sea_query::Expr};
    ctx.update_many::<entity::event::Entity>()
        .col_expr(Column::Subject, Expr::value("subscription"))
        .col_expr(Column::SubjectId, Expr::value(subscription_id))
        .filter(Column::Subject.eq(USAGE))
        .filter(Column::SubjectId.eq(usage_id))
        .exec(&ctx.db)
        .await?;
    Ok(())
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
