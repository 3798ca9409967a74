//! Tenants: creation (CLI and first start) and the test clock.

use chrono::{DateTime, Utc};
use rand::RngCore;
use rand::rngs::OsRng;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, NotSet, PaginatorTrait, TransactionTrait};

use super::keys::{self, KeyScope, NewKey};
use crate::auth::hashing::Hasher;
use crate::db::scope::TenantId;
use crate::error::{AppError, AppResult};

/// A new tenant and its first admin key.
#[derive(Debug)]
pub struct NewTenant {
    pub tenant_id: i64,
    pub key: NewKey,
}

/// What `recur tenant create` may set besides the name (`--timezone`, `--seller-name`).
#[derive(Clone, Debug, Default)]
pub struct InitialProfile {
    /// IANA name; default `Europe/Berlin`.
    pub timezone: Option<String>,
    /// SELLER.NAME, the legal name documents show.
    pub seller_name: Option<String>,
}

/// Creates a tenant with its first admin key. Test tenants get a clock that
/// starts at `clock` (default: `now`).
pub async fn create<C: TransactionTrait>(
    db: &C,
    hasher: &Hasher,
    name: &str,
    is_test: bool,
    clock: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> AppResult<NewTenant> {
    create_with(db, hasher, name, is_test, clock, InitialProfile::default(), now).await
}

/// [`create`] with a time zone and a seller name.
pub async fn create_with<C: TransactionTrait>(
    db: &C,
    hasher: &Hasher,
    name: &str,
    is_test: bool,
    clock: Option<DateTime<Utc>>,
    profile: InitialProfile,
    now: DateTime<Utc>,
) -> AppResult<NewTenant> {
    let timezone = match &profile.timezone {
        Some(zone) => super::profile::check_timezone(zone)?,
        None => super::profile::DEFAULT_TIMEZONE.to_owned(),
    };
    let seller_name = profile.seller_name.as_deref().map(str::trim).filter(|n| !n.is_empty());
    let settings = seller_name.map(|n| serde_json::json!({ "SELLER": { "NAME": n } }));
    let name = name.trim();
    if name.is_empty() || name.len() > 200 {
        return Err(AppError::invalid("NAME", "must be 1 to 200 characters"));
    }
    let mut secret = [0u8; 32];
    OsRng.fill_bytes(&mut secret);
    let txn = crate::db::begin_write(db).await?;
    let tenant = entity::tenant::ActiveModel {
        id: NotSet,
        name: Set(name.to_owned()),
        is_test: Set(is_test),
        clock: Set(is_test.then(|| clock.unwrap_or(now))),
        link_secret: Set(hex::encode(secret)),
        created: Set(now),
        timezone: Set(timezone),
        settings: Set(settings),
    };
    let tenant_id = entity::tenant::Entity::insert(tenant).exec(&txn).await?.last_insert_id;
    let key = keys::insert(
        &txn,
        hasher,
        TenantId::trusted(tenant_id),
        is_test,
        KeyScope::Admin,
        Some("first admin key"),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(NewTenant { tenant_id, key })
}

/// True when no tenant exists yet (first start).
pub async fn none_exist<C: ConnectionTrait>(db: &C) -> AppResult<bool> {
    Ok(entity::tenant::Entity::find().count(db).await? == 0)
}

/// A tenant's test clock; `None` for live tenants (they use the system clock).
pub async fn test_clock<C: ConnectionTrait>(db: &C, tenant: TenantId) -> AppResult<Option<DateTime<Utc>>> {
    let row = entity::tenant::Entity::find_by_id(tenant.get()).one(db).await?;
    Ok(row.and_then(|t| t.clock))
}

/// A test tenant's clock read inside a write transaction. On PostgreSQL the
/// row is share-locked until the transaction ends, so a `billing.run` moving
/// the clock waits for the write, and the write never acts at an instant
/// that a run has billed past.
pub async fn test_clock_in<C: ConnectionTrait>(txn: &C, tenant: TenantId) -> AppResult<Option<DateTime<Utc>>> {
    use sea_orm::QuerySelect;
    let mut query = entity::tenant::Entity::find_by_id(tenant.get());
    if txn.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        query = query.lock_shared();
    }
    Ok(query.one(txn).await?.and_then(|t| t.clock))
}

/// The tenant's now: its test clock, or the injected clock for live tenants.
pub async fn now_of(state: &super::AppState, tenant: super::TenantRef) -> AppResult<DateTime<Utc>> {
    if tenant.is_test
        && let Some(clock) = test_clock(&state.db.read, tenant.id).await?
    {
        return Ok(clock);
    }
    Ok(state.clock.now())
}

/// Whether a tenant exists (for the CLI, which takes ids from the operator).
pub async fn find<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<Option<entity::tenant::Model>> {
    Ok(entity::tenant::Entity::find_by_id(id).one(db).await?)
}

/// Moves a test tenant's clock forward to `to`; never back.
pub async fn advance_clock<C: ConnectionTrait>(db: &C, tenant: TenantId, to: DateTime<Utc>) -> AppResult<()> {
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, QueryFilter};
    entity::tenant::Entity::update_many()
        .col_expr(entity::tenant::Column::Clock, Expr::value(to))
        .filter(entity::tenant::Column::Id.eq(tenant.get()))
        .filter(entity::tenant::Column::IsTest.eq(true))
        .filter(entity::tenant::Column::Clock.lte(to))
        .exec(db)
        .await?;
    Ok(())
}
