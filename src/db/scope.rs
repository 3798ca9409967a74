//! The tenant scope: the only way service code reaches a tenant's rows.
//!
//! `TenantId` can only be made by authentication (or the CLI acting for a
//! tenant), and every `find`/`update`/`delete` helper filters on it, so an
//! unscoped query cannot be written by accident. Another tenant's id simply
//! finds nothing, which answers exactly like an id that does not exist.
//!
//! Lookups by primary key ask the database for the key alone and drop rows of
//! other tenants here: with `tenant_id` in the SQL, planners without fresh
//! statistics (SQLite never analyzed, PostgreSQL with autovacuum off or a
//! cached generic plan) pick a `(tenant_id, ...)` index and scan a whole
//! tenant instead of one row.

use std::any::TypeId;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};

use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, DeleteMany, ModelTrait, QueryFilter, QuerySelect, QueryTrait,
    Select, Statement, UpdateMany,
};

/// The id of the tenant a request acts for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TenantId(i64);

impl TenantId {
    /// Only auth and the CLI construct tenant ids.
    pub(crate) fn trusted(id: i64) -> Self {
        Self(id)
    }

    /// The raw id, for inserts.
    pub fn get(self) -> i64 {
        self.0
    }
}

pub use entity::TenantScoped;

/// `SELECT <every column> FROM <table> WHERE id = ?` (with `FOR UPDATE` when
/// `lock`), built once per entity, backend and lock: hot reads by id would
/// otherwise quote every column name again on every call.
fn by_id_sql<E: TenantScoped>(backend: DbBackend, lock: bool) -> Arc<str> {
    type Statements = HashMap<(TypeId, u8, bool), Arc<str>>;
    static CACHE: OnceLock<RwLock<Statements>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let tag = match backend {
        DbBackend::Postgres => 0,
        DbBackend::Sqlite => 1,
        DbBackend::MySql => 2,
    };
    let key = (TypeId::of::<E>(), tag, lock);
    if let Some(sql) = cache.read().ok().and_then(|c| c.get(&key).cloned()) {
        return sql;
    }
    let mut select = E::find().filter(E::id_column().eq(0i64));
    if lock {
        select = select.lock_exclusive();
    }
    let sql: Arc<str> = select.build(backend).sql.into();
    if let Ok(mut c) = cache.write() {
        c.insert(key, sql.clone());
    }
    sql
}

/// The tenant of a row.
fn owner<E: TenantScoped>(row: &E::Model) -> Option<i64> {
    match row.get(E::tenant_column()) {
        sea_orm::Value::BigInt(Some(id)) => Some(id),
        _ => None,
    }
}

/// Tenant-scoped query starters.
pub trait Scope {
    /// The tenant every query is scoped to.
    fn tenant_id(&self) -> TenantId;

    /// `SELECT` over this tenant's rows of `E`.
    fn find<E: TenantScoped>(&self) -> Select<E> {
        E::find().filter(E::tenant_column().eq(self.tenant_id().get()))
    }

    /// True inside a write's transaction: reads by id then lock the row
    /// (`SELECT ... FOR UPDATE` on PostgreSQL), so a write that decides from
    /// what it read cannot race another write of the same object. SQLite has
    /// one writer, which serializes writes anyway.
    fn locks_rows(&self) -> bool {
        false
    }

    /// The row of `E` with primary key `id`, if it is this tenant's (locked
    /// for the rest of the transaction when [`Scope::locks_rows`]).
    fn by_id<E: TenantScoped, C: ConnectionTrait>(
        &self,
        db: &C,
        id: i64,
    ) -> impl Future<Output = Result<Option<E::Model>, DbErr>> + Send
    where
        Self: Sync,
        E::Model: Sync,
    {
        async move {
            let backend = db.get_database_backend();
            let sql = by_id_sql::<E>(backend, self.locks_rows() && backend == DbBackend::Postgres);
            let statement = Statement::from_sql_and_values(backend, sql.as_ref(), [id.into()]);
            let row = E::find().from_raw_sql(statement).one(db).await?;
            Ok(row.filter(|r| owner::<E>(r) == Some(self.tenant_id().get())))
        }
    }

    /// This tenant's rows of `E` among primary keys `ids`.
    fn by_ids<E: TenantScoped, C: ConnectionTrait>(
        &self,
        db: &C,
        ids: Vec<i64>,
    ) -> impl Future<Output = Result<Vec<E::Model>, DbErr>> + Send
    where
        Self: Sync,
        E::Model: Sync,
    {
        async move {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            let rows = E::find().filter(E::id_column().is_in(ids)).all(db).await?;
            Ok(self.keep_own::<E>(rows))
        }
    }

    /// This tenant's rows among those matched by `select` (a primary-key
    /// query without a tenant filter, e.g. `E::find().filter(id IN ..)`).
    fn keep_own<E: TenantScoped>(&self, rows: Vec<E::Model>) -> Vec<E::Model> {
        let tenant = self.tenant_id().get();
        rows.into_iter().filter(|r| owner::<E>(r) == Some(tenant)).collect()
    }

    /// `UPDATE` over this tenant's rows of `E`.
    fn update_many<E: TenantScoped>(&self) -> UpdateMany<E> {
        E::update_many().filter(E::tenant_column().eq(self.tenant_id().get()))
    }

    /// `DELETE` over this tenant's rows of `E`.
    fn delete_many<E: TenantScoped>(&self) -> DeleteMany<E> {
        E::delete_many().filter(E::tenant_column().eq(self.tenant_id().get()))
    }
}

impl TenantId {
    /// For the operator's CLI, which names tenants by id on the command line.
    pub fn trusted_for_operator(id: i64) -> Self {
        Self(id)
    }
}
