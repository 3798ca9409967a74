//! Typed views of a stored subscription and the one place its derived
//! columns (`due_at`, `version`, HASH) are kept right.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::db::ctx::Ctx;
use crate::domain::interval::Interval;
use crate::domain::lifecycle::Status;
use crate::error::{AppError, AppResult};
use entity::subscription::{Column, Entity, Model};

/// A recurring add-on as stored on the subscription.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct Addon {
    pub article_number: String,
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    pub quantity: Decimal,
    pub unit_price: Decimal,
    pub vat_percent: Decimal,
}

fn corrupt(what: &str, id: i64) -> AppError {
    AppError::internal(format!("subscription {id}: stored {what} is unreadable"))
}

/// The stored add-ons.
pub fn addons(m: &Model) -> AppResult<Vec<Addon>> {
    serde_json::from_value(m.addons.clone()).map_err(|_| corrupt("addons", m.id))
}

/// The billing interval.
pub fn interval(m: &Model) -> AppResult<Interval> {
    Interval::parse(&m.interval).ok_or_else(|| corrupt("interval", m.id))
}

/// The notice period for cancellations.
pub fn notice(m: &Model) -> AppResult<Option<Interval>> {
    m.notice.as_deref().map(|n| Interval::parse(n).ok_or_else(|| corrupt("notice", m.id))).transpose()
}

/// The life state.
pub fn status(m: &Model) -> AppResult<Status> {
    Status::parse(&m.status).ok_or_else(|| corrupt("status", m.id))
}

/// Start of period `n` counted from the anchor.
pub fn period_start(m: &Model, n: i32) -> AppResult<DateTime<Utc>> {
    let n = u32::try_from(n).map_err(|_| corrupt("period count", m.id))?;
    interval(m)?.nth(m.anchor, n).ok_or_else(|| AppError::invalid("NEXT_EVENT", "date out of range"))
}

/// HASH: changes with every change of the subscription.
pub fn hash(m: &Model) -> String {
    let digest = Sha256::digest(format!("subscription:{}:{}", m.public_hash, m.version));
    hex::encode(&digest[..16])
}

/// The earliest instant the billing run has work on `m`.
pub fn due_at(m: &Model) -> Option<DateTime<Utc>> {
    if m.status == Status::Closed.as_str() {
        return None;
    }
    let planned_start = (m.status == Status::Planned.as_str()).then_some(m.start);
    [m.next_event, m.cancellation_date, planned_start, m.pause_due].into_iter().flatten().min()
}

/// Re-derives `expiration_date` for a fixed-length subscription: the end of
/// its last period.
pub fn refresh_expiration(m: &mut Model) -> AppResult<()> {
    m.expiration_date = match m.duration {
        Some(duration) if m.status != Status::Closed.as_str() => {
            let remaining = (duration - m.term_periods).max(0);
            Some(period_start(m, m.periods_since_anchor + remaining)?)
        }
        Some(_) => m.expiration_date,
        None => None,
    };
    Ok(())
}

/// Marks a changed row: bumps the version (which changes HASH and kills
/// hosted links), stamps `updated` and re-derives `due_at`.
pub fn touch(row: &mut Model, now: DateTime<Utc>) {
    row.version += 1;
    row.updated = now;
    row.due_at = due_at(row);
}

/// Writes `after` over the stored row after [`touch`]ing it. Every change of
/// a subscription outside the engine goes through here.
pub async fn save<C: ConnectionTrait>(ctx: &Ctx<C>, mut after: Model) -> AppResult<Model> {
    touch(&mut after, ctx.now);
    let id = after.id;
    let mut active = after.clone().into_active_model();
    active = active.reset_all();
    let result = Entity::update(active)
        .filter(Column::TenantId.eq(ctx.tenant.id.get()))
        .filter(Column::Id.eq(id))
        .exec(&ctx.db)
        .await;
    match result {
        Ok(_) => Ok(after),
        Err(err) if crate::error::is_unique_violation(&err) => {
            Err(AppError::conflict_on("SUBSCRIPTION_EXT_UID", "a subscription with this SUBSCRIPTION_EXT_UID exists"))
        }
        Err(err) => Err(err.into()),
    }
}
