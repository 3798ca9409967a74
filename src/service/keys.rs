//! API keys of a tenant: create (hash off the async threads), list, revoke.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, NotSet, QueryFilter, QueryOrder};

use super::Ctx;
use crate::auth::hashing::Hasher;
use crate::auth::key_text::{Mode, PlainKey};
use crate::db::scope::{Scope, TenantId};
use crate::error::{AppError, AppResult, OptionExt};

/// The scope of a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyScope {
    Default,
    Admin,
}

impl KeyScope {
    /// Parses `default` / `admin`.
    pub fn parse(text: &str) -> Option<KeyScope> {
        match text.to_ascii_lowercase().as_str() {
            "default" => Some(KeyScope::Default),
            "admin" => Some(KeyScope::Admin),
            _ => None,
        }
    }

    /// The stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyScope::Default => "default",
            KeyScope::Admin => "admin",
        }
    }
}

/// A key just created: the only moment its plaintext exists.
#[derive(Debug)]
pub struct NewKey {
    pub key_id: i64,
    pub plain: PlainKey,
}

/// Inserts a new key for `tenant`; the secret is hashed in `spawn_blocking`.
pub async fn insert<C: ConnectionTrait>(
    db: &C,
    hasher: &Hasher,
    tenant: TenantId,
    is_test: bool,
    scope: KeyScope,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<NewKey> {
    let plain = PlainKey::generate(if is_test { Mode::Test } else { Mode::Live });
    let secret = plain.secret().to_owned();
    let hasher = hasher.clone();
    let phc = tokio::task::spawn_blocking(move || hasher.hash(&secret))
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)?;
    let row = entity::api_key::ActiveModel {
        id: NotSet,
        tenant_id: Set(tenant.get()),
        lookup_id: Set(plain.lookup_id.clone()),
        secret_hash: Set(phc),
        scope: Set(scope.as_str().to_owned()),
        note: Set(note.map(str::to_owned)),
        hint: Set(plain.hint()),
        created: Set(now),
        revoked: Set(None),
    };
    let key_id = entity::api_key::Entity::insert(row).exec(db).await?.last_insert_id;
    Ok(NewKey { key_id, plain })
}

/// Creates a key for the calling tenant.
pub async fn create<C: ConnectionTrait>(
    ctx: &Ctx<C>,
    hasher: &Hasher,
    scope: KeyScope,
    note: Option<&str>,
) -> AppResult<NewKey> {
    insert(&ctx.db, hasher, ctx.tenant.id, ctx.tenant.is_test, scope, note, ctx.now).await
}

/// The calling tenant's keys, oldest first.
pub async fn list<C: ConnectionTrait>(ctx: &Ctx<C>, limit: u64, offset: u64) -> AppResult<Vec<entity::api_key::Model>> {
    use sea_orm::QuerySelect;
    Ok(ctx
        .find::<entity::api_key::Entity>()
        .order_by_asc(entity::api_key::Column::Id)
        .limit(limit)
        .offset(offset)
        .all(&ctx.db)
        .await?)
}

/// Revokes one of the calling tenant's keys; effective on the next call.
pub async fn revoke<C: ConnectionTrait>(ctx: &Ctx<C>, key_id: i64) -> AppResult<()> {
    let key = ctx.by_id::<entity::api_key::Entity, _>(&ctx.db, key_id).await?.or_not_found("KEY_ID", "key")?;
    if key.revoked.is_some() {
        return Err(AppError::conflict_on("KEY_ID", "key is already revoked"));
    }
    ctx.update_many::<entity::api_key::Entity>()
        .col_expr(entity::api_key::Column::Revoked, Expr::value(ctx.now))
        .filter(entity::api_key::Column::Id.eq(key_id))
        .exec(&ctx.db)
        .await?;
    Ok(())
}

/// Revokes a key by id for the operator (CLI): no tenant scope, the operator owns them all.
pub async fn revoke_any<C: ConnectionTrait>(db: &C, key_id: i64, now: DateTime<Utc>) -> AppResult<bool> {
    let result = entity::api_key::Entity::update_many()
        .col_expr(entity::api_key::Column::Revoked, Expr::value(now))
        .filter(entity::api_key::Column::Id.eq(key_id))
        .filter(entity::api_key::Column::Revoked.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}
