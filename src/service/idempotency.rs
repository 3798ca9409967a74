//! Idempotency keys (API.md section 6).
//!
//! A call with a key first claims it with a pending record in its own short
//! transaction; the unique key (tenant, key) makes a concurrent duplicate fail
//! that claim and answer 1011. The result is stored in the write's own
//! transaction, so a stored result always belongs to a committed write. A call
//! that fails releases its claim: a refused call stores nothing.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, NotSet, QueryFilter};

use crate::config::IdempotencySettings;
use crate::db::scope::TenantId;
use crate::error::{AppError, AppResult, is_unique_violation};
use entity::idempotency_record::{ActiveModel, Column, Entity};

/// The outcome of claiming a key.
#[derive(Debug)]
pub enum Claim {
    /// First use: run the write, then `complete` this record.
    Fresh(i64),
    /// Same key and params as a finished call: answer its stored result.
    Replay(String),
}

/// Claims `key` for a call with `fingerprint`.
pub async fn claim(
    db: &DatabaseConnection,
    settings: &IdempotencySettings,
    tenant: TenantId,
    key: &str,
    fingerprint: &str,
    now: DateTime<Utc>,
) -> AppResult<Claim> {
    // Two rounds at most: the second follows the removal of an expired record.
    for _ in 0..2 {
        let record = ActiveModel {
            id: NotSet,
            tenant_id: Set(tenant.get()),
            key: Set(key.to_owned()),
            fingerprint: Set(fingerprint.to_owned()),
            response: Set(None),
            created: Set(now),
        };
        match Entity::insert(record).exec(db).await {
            Ok(inserted) => return Ok(Claim::Fresh(inserted.last_insert_id)),
            Err(err) if is_unique_violation(&err) => {}
            Err(err) => return Err(err.into()),
        }
        let Some(existing) =
            Entity::find().filter(Column::TenantId.eq(tenant.get())).filter(Column::Key.eq(key)).one(db).await?
        else {
            continue; // released between our insert and this read: try again
        };
        let retention = Duration::hours(i64::try_from(settings.retention_hours).unwrap_or(i64::MAX / 3600));
        if existing.created + retention < now {
            Entity::delete_by_id(existing.id).exec(db).await?;
            continue;
        }
        if existing.fingerprint != fingerprint {
            return Err(AppError::IdempotencyMismatch);
        }
        if let Some(response) = existing.response {
            return Ok(Claim::Replay(response));
        }
        let timeout = Duration::seconds(i64::try_from(settings.pending_timeout_seconds).unwrap_or(i64::MAX / 2));
        if existing.created + timeout < now {
            // The first call died without releasing its claim (crash); take it over.
            let taken = Entity::update_many()
                .col_expr(Column::Created, Expr::value(now))
                .filter(Column::Id.eq(existing.id))
                .filter(Column::Created.eq(existing.created))
                .filter(Column::Response.is_null())
                .exec(db)
                .await?;
            if taken.rows_affected == 1 {
                return Ok(Claim::Fresh(existing.id));
            }
        }
        return Err(AppError::IdempotencyInProgress);
    }
    Err(AppError::IdempotencyInProgress)
}

/// Stores the result, inside the write's transaction.
pub async fn complete<C: ConnectionTrait>(txn: &C, record_id: i64, response: &str) -> AppResult<()> {
    Entity::update_many()
        .col_expr(Column::Response, Expr::value(response))
        .filter(Column::Id.eq(record_id))
        .exec(txn)
        .await?;
    Ok(())
}

/// Drops an unfinished claim after the write failed.
pub async fn release(db: &DatabaseConnection, record_id: i64) -> AppResult<()> {
    Entity::delete_many().filter(Column::Id.eq(record_id)).filter(Column::Response.is_null()).exec(db).await?;
    Ok(())
}

/// Removes records older than the retention (run by the scheduler).
pub async fn purge(db: &DatabaseConnection, settings: &IdempotencySettings, now: DateTime<Utc>) -> AppResult<u64> {
    let retention = Duration::hours(i64::try_from(settings.retention_hours).unwrap_or(i64::MAX / 3600));
    let result = Entity::delete_many().filter(Column::Created.lt(now - retention)).exec(db).await?;
    Ok(result.rows_affected)
}
