//! Subscription rows of a flush. A billing step changes a handful of
//! columns (period counters, next event, due time, version); writing only
//! those keeps the statement small and leaves untouched the indexes and
//! foreign keys of columns that did not change.

use std::collections::BTreeMap;

use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, IdenStatic, IntoActiveModel, Iterable,
    ModelTrait, QueryFilter, Statement, Value,
};

use crate::db::bulk::rows_per_statement;
use crate::db::ctx::Ctx;
use crate::db::unnest::Unnest;
use crate::error::AppResult;
use entity::subscription::{Column, Entity, Model};

/// A subscription row to write, and the row as stored when the step began
/// (`None`: unknown, every column is written).
pub(super) struct Queued {
    pub(super) row: Model,
    pub(super) stored: Option<Model>,
}

/// The columns a write may change (not the key, not the tenant).
fn writable() -> impl Iterator<Item = Column> {
    Column::iter().filter(|c| !matches!(c.as_str(), "id" | "tenant_id"))
}

/// The columns of `q.row` that differ from the stored row.
fn changed(q: &Queued) -> Vec<Column> {
    match &q.stored {
        Some(stored) => writable().filter(|c| q.row.get(*c) != stored.get(*c)).collect(),
        None => writable().collect(),
    }
}

/// Writes the rows: one UPDATE of the changed columns for one row; for many,
/// one `UPDATE ... FROM` per set of changed columns, over `VALUES` on SQLite
/// and over an array per column on PostgreSQL.
pub(super) async fn save<C: ConnectionTrait>(ctx: &Ctx<C>, rows: Vec<Queued>) -> AppResult<()> {
    let tenant = ctx.tenant.id.get();
    if let [one] = rows.as_slice() {
        let columns = changed(one);
        if columns.is_empty() {
            return Ok(());
        }
        let mut active = one.row.clone().into_active_model();
        for c in columns {
            active.reset(c);
        }
        Entity::update(active).filter(Column::TenantId.eq(tenant)).exec(&ctx.db).await?;
        return Ok(());
    }
    let backend = ctx.db.get_database_backend();
    let mut by_columns: BTreeMap<Vec<usize>, Vec<&Model>> = BTreeMap::new();
    for q in &rows {
        let columns: Vec<usize> = changed(q).into_iter().map(|c| c as usize).collect();
        if !columns.is_empty() {
            by_columns.entry(columns).or_default().push(&q.row);
        }
    }
    for (positions, group) in by_columns {
        let columns: Vec<Column> = Column::iter().filter(|c| positions.contains(&(*c as usize))).collect();
        for piece in group.chunks(rows_per_statement(columns.len() + 1)) {
            let update = match backend {
                DbBackend::Sqlite => Some(update_from_values(tenant, &columns, piece)),
                DbBackend::Postgres => update_from_unnest(tenant, &columns, piece),
                DbBackend::MySql => None,
            };
            match update {
                Some(update) => {
                    ctx.db.execute(update).await?;
                }
                None => upsert_all_columns(ctx, piece.iter().map(|r| (*r).clone()).collect()).await?,
            }
        }
    }
    Ok(())
}

/// `UPDATE subscription SET c = v.c ... FROM unnest($1::bigint[], ...) AS v`
/// (PostgreSQL: one array per column, see `db::unnest`); `None` when a
/// column's values have no array encoding.
///
/// The tenant travels as a column of the rows rather than as a constant: with
/// a constant, PostgreSQL's first (custom) plans on a connection, made before
/// the tables have statistics, read the tenant's whole index and hash-joined
/// it with the rows (41 ms a statement) instead of looking each row up by
/// its primary key.
fn update_from_unnest(tenant: i64, columns: &[Column], rows: &[&Model]) -> Option<Statement> {
    let names: Vec<&str> = ["id", "tenant_id"].into_iter().chain(columns.iter().map(|c| c.as_str())).collect();
    let mut arrays: Vec<Vec<Value>> =
        vec![rows.iter().map(|r| r.id.into()).collect(), rows.iter().map(|_| tenant.into()).collect()];
    arrays.extend(columns.iter().map(|c| rows.iter().map(|r| r.get(*c)).collect()));
    let Unnest { from, values } = Unnest::new(&names, &arrays)?;
    let sets: Vec<String> = columns.iter().map(|c| format!("\"{0}\" = v.\"{0}\"", c.as_str())).collect();
    let sql = format!(
        "UPDATE subscription SET {} FROM {from} WHERE subscription.id = v.\"id\" AND subscription.tenant_id = v.\"tenant_id\"",
        sets.join(", ")
    );
    Some(Statement::from_sql_and_values(DbBackend::Postgres, sql, values))
}

/// `UPDATE subscription SET c = v.columnN ... FROM (VALUES (id, ...), ...) AS v`
/// (SQLite names the columns of VALUES column1, column2, ...).
fn update_from_values(tenant: i64, columns: &[Column], rows: &[&Model]) -> Statement {
    let sets: Vec<String> =
        columns.iter().enumerate().map(|(i, c)| format!("\"{}\" = v.column{}", c.as_str(), i + 2)).collect();
    let tuple = format!("({})", vec!["?"; columns.len() + 1].join(", "));
    let tuples = vec![tuple; rows.len()].join(", ");
    let sql = format!(
        "UPDATE subscription SET {} FROM (VALUES {tuples}) AS v WHERE subscription.id = v.column1 AND subscription.tenant_id = ?",
        sets.join(", ")
    );
    let mut values = Vec::with_capacity(rows.len() * (columns.len() + 1) + 1);
    for row in rows {
        values.push(row.id.into());
        values.extend(columns.iter().map(|c| row.get(*c)));
    }
    values.push(tenant.into());
    Statement::from_sql_and_values(DbBackend::Sqlite, sql, values)
}

/// Every writable column of many rows, as an upsert (every row exists; the
/// insert part never applies): for values without an array encoding.
async fn upsert_all_columns<C: ConnectionTrait>(ctx: &Ctx<C>, rows: Vec<Model>) -> AppResult<()> {
    let tenant = ctx.tenant.id.get();
    let columns: Vec<Column> = writable().collect();
    for piece in rows.chunks(rows_per_statement(Column::iter().count())) {
        let upsert = OnConflict::column(Column::Id)
            .update_columns(columns.clone())
            .action_and_where(Expr::col((Entity, Column::TenantId)).eq(tenant))
            .to_owned();
        Entity::insert_many(piece.iter().map(|r| r.clone().into_active_model().reset_all()))
            .on_conflict(upsert)
            .exec_without_returning(&ctx.db)
            .await?;
    }
    Ok(())
}
