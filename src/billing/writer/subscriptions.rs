//! Subscription rows of a flush. A billing step changes a handful of
//! columns (period counters, next event, due time, version); writing only
//! those keeps the statement small and leaves untouched the indexes and
//! foreign keys of columns that did not change.

use std::collections::BTreeMap;

use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, IdenStatic, IntoActiveModel, Iterable,
    ModelTrait, QueryFilter, QueryTrait, Statement, Value,
};

use crate::db::bulk::rows_per_statement;
use crate::db::ctx::Ctx;
use crate::db::unnest::Unnest;
use crate::error::{AppError, AppResult};
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

/// A planned write of subscription rows: built before the transaction needs
/// it (a chunk stepped ahead plans its rows outside the write transaction).
pub(super) enum Planned {
    /// An UPDATE of `rows` rows; when `all`, each must be written (fewer
    /// means a row changed meanwhile, when the UPDATE checks versions).
    Update { statement: Statement, rows: usize, all: bool },
    /// Every column, as an upsert: for values without an array encoding.
    Upsert(Vec<Model>),
}

/// Plans the writes of `rows`: one UPDATE of the changed columns for one row;
/// for many, one `UPDATE ... FROM` per set of changed columns, over `VALUES`
/// on SQLite and over an array per column on PostgreSQL. With `check` (rows
/// stepped outside the write transaction), a row whose stored state is known
/// is written only if its version is still the stored one; a row read in the
/// writing transaction is locked (or SQLite's one writer holds it) and needs
/// no check.
pub(super) fn plan(backend: DbBackend, tenant: i64, rows: Vec<Queued>, check: bool) -> Vec<Planned> {
    if let [one] = rows.as_slice() {
        let columns = changed(one);
        if columns.is_empty() {
            return Vec::new();
        }
        let mut active = one.row.clone().into_active_model();
        for c in columns {
            active.reset(c);
        }
        let mut update =
            Entity::update_many().set(active).filter(Column::Id.eq(one.row.id)).filter(Column::TenantId.eq(tenant));
        if let (true, Some(stored)) = (check, &one.stored) {
            update = update.filter(Column::Version.eq(stored.version));
        }
        // As sea-orm's update of one model: no row written is an error.
        return vec![Planned::Update { statement: update.build(backend), rows: 1, all: true }];
    }
    let mut by_columns: BTreeMap<(bool, Vec<usize>), Vec<&Queued>> = BTreeMap::new();
    for q in &rows {
        let columns: Vec<usize> = changed(q).into_iter().map(|c| c as usize).collect();
        if !columns.is_empty() {
            by_columns.entry((check && q.stored.is_some(), columns)).or_default().push(q);
        }
    }
    let mut planned = Vec::new();
    for ((checked, positions), group) in by_columns {
        let columns: Vec<Column> = Column::iter().filter(|c| positions.contains(&(*c as usize))).collect();
        for piece in group.chunks(rows_per_statement(columns.len() + 2)) {
            let update = match backend {
                DbBackend::Sqlite => Some(update_from_values(tenant, &columns, piece, checked)),
                DbBackend::Postgres => update_from_unnest(tenant, &columns, piece, checked),
                DbBackend::MySql => None,
            };
            planned.push(match update {
                Some(statement) => Planned::Update { statement, rows: piece.len(), all: checked },
                None => Planned::Upsert(piece.iter().map(|q| q.row.clone()).collect()),
            });
        }
    }
    planned
}

/// Runs planned writes in the caller's transaction.
pub(super) async fn execute<C: ConnectionTrait>(ctx: &Ctx<C>, planned: Vec<Planned>) -> AppResult<()> {
    for write in planned {
        match write {
            Planned::Update { statement, rows, all } => {
                let done = ctx.db.execute(statement).await?;
                if all && done.rows_affected() != rows as u64 {
                    return Err(AppError::conflict_on("SUBSCRIPTION_ID", "SUBSCRIPTION_ID: changed meanwhile"));
                }
            }
            Planned::Upsert(rows) => upsert_all_columns(ctx, rows).await?,
        }
    }
    Ok(())
}

/// The version a row must still have to be written, if it is known.
fn expected_version(q: &Queued) -> Value {
    q.stored.as_ref().map(|s| s.version).into()
}

/// `UPDATE subscription SET c = v.c ... FROM unnest($1::bigint[], ...) AS v`
/// (PostgreSQL: one array per column, see `db::unnest`); `None` when a
/// column's values have no array encoding.
///
/// The tenant travels as a column of the rows rather than as a constant: with
/// a constant, PostgreSQL's first (custom) plans on a connection, made before
/// the tables have statistics, read the tenant's whole index and hash-joined
/// it with the rows (41 ms a statement) instead of looking each row up by
/// its primary key. Without statistics the join alone was still planned as a
/// hash join over a sequential scan of every subscription (44 ms of a 63 ms
/// statement at 110,000 rows, `auto_explain`); `id = ANY` of the id array
/// (`$1`) makes it read the rows through the primary key.
fn update_from_unnest(tenant: i64, columns: &[Column], rows: &[&Queued], checked: bool) -> Option<Statement> {
    let mut names: Vec<&str> = ["id", "tenant_id"].into_iter().chain(columns.iter().map(|c| c.as_str())).collect();
    let mut arrays: Vec<Vec<Value>> =
        vec![rows.iter().map(|q| q.row.id.into()).collect(), rows.iter().map(|_| tenant.into()).collect()];
    arrays.extend(columns.iter().map(|c| rows.iter().map(|q| q.row.get(*c)).collect()));
    let mut condition = String::new();
    if checked {
        names.push("expected_version");
        arrays.push(rows.iter().map(|q| expected_version(q)).collect());
        condition.push_str(" AND subscription.version = v.\"expected_version\"");
    }
    let Unnest { from, values } = Unnest::new(&names, &arrays)?;
    let sets: Vec<String> = columns.iter().map(|c| format!("\"{0}\" = v.\"{0}\"", c.as_str())).collect();
    let sql = format!(
        "UPDATE subscription SET {} FROM {from} WHERE subscription.id = ANY($1::bigint[]) AND subscription.id = v.\"id\" \
         AND subscription.tenant_id = v.\"tenant_id\"{condition}",
        sets.join(", ")
    );
    Some(Statement::from_sql_and_values(DbBackend::Postgres, sql, values))
}

/// `UPDATE subscription SET c = v.columnN ... FROM (VALUES (id, ...), ...) AS v`
/// (SQLite names the columns of VALUES column1, column2, ...).
/// With `checked`, the last column of VALUES is the version a row must still have.
fn update_from_values(tenant: i64, columns: &[Column], rows: &[&Queued], checked: bool) -> Statement {
    let sets: Vec<String> =
        columns.iter().enumerate().map(|(i, c)| format!("\"{}\" = v.column{}", c.as_str(), i + 2)).collect();
    let width = columns.len() + 1 + usize::from(checked);
    let tuple = format!("({})", vec!["?"; width].join(", "));
    let tuples = vec![tuple; rows.len()].join(", ");
    let condition = if checked { format!(" AND subscription.version = v.column{width}") } else { String::new() };
    let sql = format!(
        "UPDATE subscription SET {} FROM (VALUES {tuples}) AS v WHERE subscription.id = v.column1 AND subscription.tenant_id = ?{condition}",
        sets.join(", ")
    );
    let mut values = Vec::with_capacity(rows.len() * width + 1);
    for q in rows {
        values.push(q.row.id.into());
        values.extend(columns.iter().map(|c| q.row.get(*c)));
        if checked {
            values.push(expected_version(q));
        }
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
