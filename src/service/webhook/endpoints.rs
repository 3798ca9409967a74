//! `webhook.create/get/update/delete`: endpoints of the calling tenant. URLs,
//! EVENTS and FORMAT are checked before anything is stored; a private target
//! is refused (1009, TAG URL) for live tenants unless allowed.

use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, EntityTrait, NotSet, QueryOrder, QuerySelect};
use serde_json::json;

use super::stmt;
use crate::db::ctx::Ctx;
use crate::db::scope::Scope;
use crate::error::{AppError, AppResult};
use crate::webhook::{EventFilter, Format, Secret, Target, TargetError};
use entity::webhook;

/// What `webhook.create` takes.
#[derive(Debug, Default)]
pub struct NewEndpoint {
    pub url: String,
    pub events: Vec<String>,
    pub format: Option<String>,
}

/// What `webhook.update` changes (`None`: keep).
#[derive(Debug, Default)]
pub struct Change {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub format: Option<String>,
    pub enabled: Option<bool>,
    pub rotate_secret: bool,
}

/// A created or rotated endpoint: its id and the secret, shown once.
#[derive(Debug)]
pub struct Created {
    pub id: i64,
    pub secret: Option<String>,
}

/// Reads FORMAT (-32602 naming it).
pub fn parse_format(text: &str) -> AppResult<Format> {
    Format::parse(text).ok_or_else(|| AppError::invalid("FORMAT", "must be recur or fastbill"))
}

/// Reads EVENTS (-32602 naming it, with every unknown type listed).
pub fn parse_events(names: &[String]) -> AppResult<EventFilter> {
    EventFilter::parse(names).map_err(|e| AppError::invalid("EVENTS", e.trim_start_matches("EVENTS: ")))
}

/// Parses URL and applies the SSRF rule: -32602 for a URL that is not
/// http(s), 1009 for an internal target (allowed for test tenants and with
/// `webhooks.allow_private_targets`). A host that does not resolve yet is
/// accepted: every attempt checks again.
pub async fn check_url<C>(ctx: &Ctx<C>, url: &str) -> AppResult<Target> {
    let strip = |e: TargetError| e.to_string().trim_start_matches("URL: ").to_owned();
    let target = Target::parse(url).map_err(|e| AppError::invalid("URL", strip(e)))?;
    let allow = ctx.tenant.is_test || ctx.settings.webhooks.allow_private_targets;
    match target.resolve(allow).await {
        Err(e @ TargetError::Forbidden { .. }) => Err(AppError::conflict_on("URL", e.to_string())),
        _ => Ok(target),
    }
}

/// Registers an endpoint; it receives events written after this one.
pub async fn create<C: ConnectionTrait>(ctx: &Ctx<C>, new: NewEndpoint) -> AppResult<Created> {
    let format = parse_format(new.format.as_deref().unwrap_or("recur"))?;
    let filter = parse_events(&new.events)?;
    check_url(ctx, &new.url).await?;
    let secret = Secret::generate().expose();
    let row = webhook::ActiveModel {
        id: NotSet,
        tenant_id: Set(ctx.tenant.id.get()),
        url: Set(new.url.trim().to_owned()),
        events: Set(json!(filter.names())),
        format: Set(format.as_str().to_owned()),
        secret: Set(secret.clone()),
        previous_secret: Set(None),
        rotated_at: Set(None),
        enabled: Set(true),
        disabled_reason: Set(None),
        failing_since: Set(None),
        from_event_id: Set(start_after(&ctx.db).await?),
        lease_until: Set(None),
        created: Set(ctx.now),
    };
    let id = webhook::Entity::insert(row).exec(&ctx.db).await?.last_insert_id;
    Ok(Created { id, secret: Some(secret) })
}

/// The event id a new endpoint starts after: the newest, read under the
/// outbox cursor's lock so that no fan-out round planned without this
/// endpoint moves the cursor past events it should get (`outbox::advance`).
async fn start_after<C: ConnectionTrait>(db: &C) -> AppResult<i64> {
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        let lock = "SELECT position FROM webhook_outbox WHERE id = 1 FOR UPDATE";
        db.execute(stmt(sea_orm::DbBackend::Postgres, lock, vec![])).await?;
    }
    crate::service::event_feed::newest(db).await
}

/// This tenant's endpoint `id` (1004 when there is none).
pub async fn one<C: ConnectionTrait>(ctx: &Ctx<C>, id: i64) -> AppResult<webhook::Model> {
    ctx.by_id::<webhook::Entity, _>(&ctx.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("WEBHOOK_ID", format!("no webhook {id}")))
}

/// This tenant's endpoints, oldest first.
pub async fn list<C: ConnectionTrait>(
    ctx: &Ctx<C>,
    id: Option<i64>,
    limit: u64,
    offset: u64,
) -> AppResult<Vec<webhook::Model>> {
    use sea_orm::{ColumnTrait, QueryFilter};
    let mut select = ctx.find::<webhook::Entity>();
    if let Some(id) = id {
        select = select.filter(webhook::Column::Id.eq(id));
    }
    Ok(select.order_by_asc(webhook::Column::Id).limit(limit).offset(offset).all(&ctx.db).await?)
}

/// Changes an endpoint; a rotation answers the new secret, and the old one
/// keeps signing beside it for 24 h (tenant clock).
pub async fn update<C: ConnectionTrait>(ctx: &Ctx<C>, id: i64, change: Change) -> AppResult<Created> {
    let row = one(ctx, id).await?;
    let mut active: webhook::ActiveModel = row.clone().into();
    if let Some(format) = change.format.as_deref() {
        active.format = Set(parse_format(format)?.as_str().to_owned());
    }
    if let Some(events) = change.events.as_deref() {
        active.events = Set(json!(parse_events(events)?.names()));
    }
    if let Some(url) = change.url.as_deref() {
        check_url(ctx, url).await?;
        active.url = Set(url.trim().to_owned());
    }
    match change.enabled {
        Some(true) => {
            active.enabled = Set(true);
            active.disabled_reason = Set(None);
            active.failing_since = Set(None);
        }
        Some(false) if row.enabled => {
            active.enabled = Set(false);
            active.disabled_reason = Set(Some("disabled by webhook.update".into()));
        }
        _ => {}
    }
    let mut secret = None;
    if change.rotate_secret {
        let new = Secret::generate().expose();
        active.previous_secret = Set(Some(row.secret.clone()));
        active.rotated_at = Set(Some(ctx.now));
        active.secret = Set(new.clone());
        secret = Some(new);
    }
    active.update(&ctx.db).await?;
    Ok(Created { id, secret })
}

/// Deletes an endpoint with its deliveries and their attempts.
pub async fn delete<C: ConnectionTrait>(ctx: &Ctx<C>, id: i64) -> AppResult<()> {
    one(ctx, id).await?;
    let backend = ctx.db.get_database_backend();
    let tenant = ctx.tenant.id.get();
    let attempts = "DELETE FROM webhook_attempt WHERE tenant_id = ? AND delivery_id IN \
                    (SELECT id FROM webhook_delivery WHERE webhook_id = ?)";
    ctx.db.execute(stmt(backend, attempts, vec![tenant.into(), id.into()])).await?;
    let deliveries = "DELETE FROM webhook_delivery WHERE tenant_id = ? AND webhook_id = ?";
    ctx.db.execute(stmt(backend, deliveries, vec![tenant.into(), id.into()])).await?;
    let endpoint = "DELETE FROM webhook WHERE tenant_id = ? AND id = ?";
    ctx.db.execute(stmt(backend, endpoint, vec![tenant.into(), id.into()])).await?;
    Ok(())
}

/// The endpoint's EVENTS as stored.
pub fn event_names(row: &webhook::Model) -> Vec<String> {
    row.events.as_array().map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect()).unwrap_or_default()
}

/// The endpoint's EVENTS filter.
pub fn filter_of(row: &webhook::Model) -> EventFilter {
    EventFilter::parse(&event_names(row)).unwrap_or(EventFilter::All)
}
