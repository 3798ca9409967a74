//! Gapless per-tenant counters.

use sea_orm::sea_query::{Expr, OnConflict, Query};
use sea_orm::{ConnectionTrait, DbErr, DeriveIden, StatementBuilder};

use super::scope::TenantId;

#[derive(DeriveIden)]
enum Counter {
    Table,
    TenantId,
    Name,
    Value,
}

/// Bumps counter `name` of `tenant` and returns the new value (1 for a new
/// counter). Run it inside the transaction that uses the number: a rollback
/// returns the number, and concurrent writers serialize on the row.
pub async fn next<C: ConnectionTrait>(db: &C, tenant: TenantId, name: &str) -> Result<i64, DbErr> {
    advance(db, tenant, name, 1).await
}

/// Bumps counter `name` by `by` and returns the new value: the numbers
/// `value - by + 1 ..= value` belong to the caller's transaction.
pub async fn advance<C: ConnectionTrait>(db: &C, tenant: TenantId, name: &str, by: i64) -> Result<i64, DbErr> {
    let insert = Query::insert()
        .into_table(Counter::Table)
        .columns([Counter::TenantId, Counter::Name, Counter::Value])
        .values([tenant.get().into(), name.into(), by.into()])
        .map_err(|e| DbErr::Custom(e.to_string()))?
        .on_conflict(
            OnConflict::columns([Counter::TenantId, Counter::Name])
                .value(Counter::Value, Expr::col((Counter::Table, Counter::Value)).add(by))
                .to_owned(),
        )
        .returning_col(Counter::Value)
        .to_owned();
    let backend = db.get_database_backend();
    let row = db
        .query_one(StatementBuilder::build(&insert, &backend))
        .await?
        .ok_or_else(|| DbErr::Custom("counter upsert returned no row".into()))?;
    row.try_get_by_index::<i64>(0)
}

/// The bump of [`advance`] as the body of a PostgreSQL data-modifying CTE,
/// for a statement that numbers its own rows: `$tenant`, `$name` and `$by`
/// are the numbers of the statement's parameters holding them. Its one row
/// has `base`, the value before the bump: the numbers `base + 1 ..= base +
/// by` belong to the caller's transaction, as with [`advance`].
pub fn advance_as_cte_pg(tenant: usize, name: usize, by: usize) -> String {
    format!(
        "INSERT INTO \"counter\" (\"tenant_id\", \"name\", \"value\") VALUES (${tenant}, ${name}, ${by}::bigint) \
         ON CONFLICT (\"tenant_id\", \"name\") DO UPDATE SET \"value\" = \"counter\".\"value\" + EXCLUDED.\"value\" \
         RETURNING \"value\" - ${by}::bigint AS base"
    )
}
