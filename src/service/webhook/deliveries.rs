//! `webhook.getdeliveries`, `webhook.redeliver` and `webhook.test`: what was
//! sent where, a new attempt now, and a test event sent at once.

use std::collections::HashMap;
use std::sync::Arc;

use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, NotSet, QueryFilter, QueryOrder, QuerySelect};
use sea_orm::{TransactionTrait, sea_query::Expr};
use serde_json::json;

use super::render::{self, Source};
use super::{Objects, endpoints, send};
use crate::db::ctx::Ctx;
use crate::db::scope::Scope;
use crate::error::{AppError, AppResult};
use crate::service::{AppState, events};
use crate::webhook::{Attempt, EventType, Format, Outcome};
use entity::{tenant, webhook_attempt, webhook_delivery};

/// FILTER of `webhook.getdeliveries`.
#[derive(Debug, Default)]
pub struct DeliveryFilter {
    pub webhook_id: Option<i64>,
    pub event_id: Option<i64>,
    pub status: Option<String>,
}

/// Deliveries with their attempts, oldest first.
pub async fn list<C: ConnectionTrait>(
    ctx: &Ctx<C>,
    filter: DeliveryFilter,
    limit: u64,
    offset: u64,
) -> AppResult<Vec<(webhook_delivery::Model, Vec<webhook_attempt::Model>)>> {
    use webhook_delivery::Column;
    let mut select = ctx.find::<webhook_delivery::Entity>();
    if let Some(id) = filter.webhook_id {
        select = select.filter(Column::WebhookId.eq(id));
    }
    if let Some(id) = filter.event_id {
        select = select.filter(Column::EventId.eq(id));
    }
    if let Some(status) = filter.status {
        select = select.filter(Column::Status.eq(status));
    }
    let rows = select.order_by_asc(Column::Id).limit(limit).offset(offset).all(&ctx.db).await?;
    let ids: Vec<i64> = rows.iter().map(|d| d.id).collect();
    let mut attempts: HashMap<i64, Vec<webhook_attempt::Model>> = HashMap::new();
    if !ids.is_empty() {
        let found = ctx
            .find::<webhook_attempt::Entity>()
            .filter(webhook_attempt::Column::DeliveryId.is_in(ids))
            .order_by_asc(webhook_attempt::Column::Id)
            .all(&ctx.db)
            .await?;
        for a in found {
            attempts.entry(a.delivery_id).or_default().push(a);
        }
    }
    Ok(rows.into_iter().map(|d| (d.clone(), attempts.remove(&d.id).unwrap_or_default())).collect())
}

/// Queues a new attempt now for a delivery, or for every delivery of an
/// event (of one endpoint, when given); answers their ids.
pub async fn redeliver<C: ConnectionTrait>(
    ctx: &Ctx<C>,
    delivery_id: Option<i64>,
    event_id: Option<i64>,
    webhook_id: Option<i64>,
) -> AppResult<Vec<i64>> {
    use webhook_delivery::Column;
    let mut select = ctx.find::<webhook_delivery::Entity>();
    select = match (delivery_id, event_id) {
        (Some(id), _) => select.filter(Column::Id.eq(id)),
        (None, Some(id)) => select.filter(Column::EventId.eq(id)),
        (None, None) => return Err(AppError::invalid("DELIVERY_ID", "DELIVERY_ID or EVENT_ID is required")),
    };
    if let Some(id) = webhook_id {
        select = select.filter(Column::WebhookId.eq(id));
    }
    let ids: Vec<i64> = select.all(&ctx.db).await?.into_iter().map(|d| d.id).collect();
    if ids.is_empty() {
        let tag = if delivery_id.is_some() { "DELIVERY_ID" } else { "EVENT_ID" };
        return Err(AppError::not_found(tag, "no such delivery"));
    }
    ctx.update_many::<webhook_delivery::Entity>()
        .col_expr(Column::Status, Expr::value("pending"))
        .col_expr(Column::NextAttempt, Expr::value(ctx.now))
        .filter(Column::Id.is_in(ids.clone()))
        .exec(&ctx.db)
        .await?;
    Ok(ids)
}

/// What `webhook.test` answers.
#[derive(Debug)]
pub struct Tested {
    pub event_id: i64,
    pub delivery_id: i64,
    pub attempt: Attempt,
}

/// Sends a `webhook.test` event to endpoint `id` now and records the attempt.
/// The event and its delivery commit before the request goes out, so a slow
/// receiver holds no write transaction.
pub async fn test<C: ConnectionTrait + TransactionTrait>(
    app: &Arc<AppState>,
    ctx: &Ctx<C>,
    objects: &dyn Objects,
    id: i64,
) -> AppResult<Tested> {
    let hook = endpoints::one(ctx, id).await?;
    let tenant = tenant::Entity::find_by_id(hook.tenant_id).one(&ctx.db).await?.ok_or(AppError::Unauthorized)?;
    let txn = crate::db::begin_write(&ctx.db).await?;
    let inner = Ctx::new(ctx.tenant, ctx.now, txn, ctx.settings.clone());
    let data = json!({"WEBHOOK_ID": id});
    let event_id = events::append(&inner, "webhook", id, "webhook.test", data.clone()).await?;
    let source = Source {
        id: event_id,
        kind: EventType::WebhookTest,
        created: ctx.now,
        subject: "webhook",
        subject_id: id,
        data: &data,
    };
    let format = Format::parse(&hook.format).unwrap_or(Format::Recur);
    let body = render::render(app, objects, &tenant, &source, format).await?.unwrap_or_default();
    let row = webhook_delivery::ActiveModel {
        id: NotSet,
        tenant_id: Set(hook.tenant_id),
        webhook_id: Set(id),
        event_id: Set(event_id),
        event_type: Set(EventType::WebhookTest.as_str().into()),
        status: Set("pending".into()),
        attempts: Set(0),
        next_attempt: Set(None),
        body: Set(body.clone()),
        created: Set(ctx.now),
    };
    let delivery = webhook_delivery::Entity::insert(row).exec_with_returning(&inner.db).await?;
    inner.db.commit().await?;
    let attempt = send::attempt(app, &hook, &tenant, event_id, &body, ctx.now).await;
    let status = if attempt.outcome == Outcome::Delivered { "delivered" } else { "failed" };
    let txn = crate::db::begin_write(&ctx.db).await?;
    send::insert_attempt(&txn, &delivery, &attempt, ctx.now).await?;
    webhook_delivery::Entity::update_many()
        .col_expr(webhook_delivery::Column::Status, Expr::value(status))
        .col_expr(webhook_delivery::Column::Attempts, Expr::value(1))
        .filter(webhook_delivery::Column::Id.eq(delivery.id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(Tested { event_id, delivery_id: delivery.id, attempt })
}
