//! Appending to the timeline, always in the caller's transaction.

use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, NotSet};
use serde_json::Value;

use super::Ctx;
use crate::error::AppResult;

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

/// Appends several events in one statement.
pub async fn append_many<C: ConnectionTrait>(
    ctx: &Ctx<C>,
    events: Vec<(&'static str, i64, &'static str, Value)>,
) -> AppResult<()> {
    use sea_orm::{ActiveModelTrait, IntoActiveModel};
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
    crate::db::bulk::insert_rows_without_ids::<entity::event::Entity, _>(&ctx.db, &rows, |r| {
        let mut active = r.clone().into_active_model().reset_all();
        active.id = NotSet;
        active
    })
    .await?;
    Ok(())
}
