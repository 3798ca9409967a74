//! Multi-row statements: SQLite answers every statement from a worker
//! thread, so writing many rows costs round trips, not work; one INSERT for
//! many rows costs about what one row did.

use std::fmt::Write;

use sea_orm::{
    ConnectionTrait, DbBackend, DbErr, EntityTrait, IdenStatic, Iterable, ModelTrait, PrimaryKeyToColumn, Statement,
    Value,
};

/// Rows per INSERT: SQLite allows 32766 bound values per statement.
const MAX_VALUES_PER_STATEMENT: usize = 30_000;

/// How many rows of `columns` columns fit one statement.
pub fn rows_per_statement(columns: usize) -> usize {
    (MAX_VALUES_PER_STATEMENT / columns.max(1)).max(1)
}

/// The columns an INSERT of `rows` writes: every column but the
/// auto-increment primary key, and none that is NULL in every row (a new
/// customer sets a dozen of its 56 columns, and every bound value costs
/// encoding and binding on both ends). A left-out column takes its default,
/// so this holds only while no nullable column has a default other than NULL
/// (none has; keep it so in migrations).
pub fn columns_of<E: EntityTrait>(rows: &[E::Model]) -> Vec<E::Column> {
    E::Column::iter()
        .filter(|c| !E::PrimaryKey::iter().any(|k| k.into_column().as_str() == c.as_str()))
        .filter(|c| {
            rows.iter().any(|row| {
                let value = row.get(*c);
                value != value.as_null()
            })
        })
        .collect()
}

/// One multi-row INSERT of `columns` of `rows`, its text written here rather
/// than through sea-orm's `insert_many`: that one turns every row into an
/// active model and every value into an expression tree, which cost more than
/// SQLite's own work on the write queue's groups of a thousand bookings.
/// Values are the models' own (`ModelTrait::get`), bound as sea-orm binds them.
fn insert_statement<E: EntityTrait>(
    backend: DbBackend,
    rows: &[E::Model],
    columns: &[E::Column],
    returning_id: bool,
) -> Statement {
    let mut sql = String::with_capacity(64 + columns.len() * 24 + rows.len() * columns.len() * 7);
    sql.push_str("INSERT INTO \"");
    sql.push_str(E::default().table_name());
    sql.push_str("\" (");
    for (i, column) in columns.iter().enumerate() {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push('"');
        sql.push_str(column.as_str());
        sql.push('"');
    }
    sql.push_str(") VALUES ");
    let mut values: Vec<Value> = Vec::with_capacity(rows.len() * columns.len());
    for (r, row) in rows.iter().enumerate() {
        sql.push_str(if r > 0 { ", (" } else { "(" });
        for (i, column) in columns.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            let value = row.get(*column);
            values.push(if backend == DbBackend::Sqlite { json_as_text(value) } else { value });
            match backend {
                DbBackend::Postgres => {
                    let _ = write!(sql, "${}", values.len());
                }
                _ => sql.push('?'),
            }
        }
        sql.push(')');
    }
    if returning_id {
        sql.push_str(" RETURNING \"id\"");
    }
    Statement::from_sql_and_values(backend, sql, values)
}

/// A JSON value as the text SQLite stores it as anyway: binding the text
/// spares sea-orm's copy of the whole tree at execution (it clones every bound
/// value), which took a third of the time of a billing chunk's event insert.
fn json_as_text(value: Value) -> Value {
    match value {
        Value::Json(Some(json)) => Value::String(Some(Box::new(json.to_string()))),
        other => other,
    }
}

/// Rows per INSERT on PostgreSQL, whose statements bind an array per column
/// (`db::unnest`): bounded only to keep one statement's text moderate.
const ROWS_PER_UNNEST: usize = 5_000;

/// How many rows of `E` one statement writes on `backend`.
fn rows_per_insert<E: EntityTrait>(backend: DbBackend) -> usize {
    match backend {
        DbBackend::Postgres => ROWS_PER_UNNEST,
        _ => rows_per_statement(E::Column::iter().count()),
    }
}

/// The INSERT of `columns` of `rows`: on PostgreSQL an array per column,
/// elsewhere (or for a kind of value without an array encoding) `VALUES`.
fn insert_of<E: EntityTrait>(
    backend: DbBackend,
    rows: &[E::Model],
    columns: &[E::Column],
    returning_id: bool,
) -> Statement {
    if backend == DbBackend::Postgres {
        let names: Vec<&str> = columns.iter().map(|c| c.as_str()).collect();
        let values: Vec<Vec<Value>> = columns.iter().map(|c| rows.iter().map(|row| row.get(*c)).collect()).collect();
        if let Some(statement) = super::unnest::insert(E::default().table_name(), &names, &values, returning_id) {
            return statement;
        }
    }
    insert_statement::<E>(backend, rows, columns, returning_id)
}

/// Inserts `rows` (their ids are left to the database) in as few statements
/// as the value limit allows and answers their new ids in row order.
pub async fn insert_rows<E, C>(db: &C, rows: &[E::Model]) -> Result<Vec<i64>, DbErr>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let backend = db.get_database_backend();
    let mut ids = Vec::with_capacity(rows.len());
    for piece in rows.chunks(rows_per_insert::<E>(backend)) {
        let columns = columns_of::<E>(piece);
        if backend == DbBackend::Sqlite {
            // One statement of a single writer: SQLite gives its rows the
            // consecutive rowids after the largest one, so the last id names
            // them all, and no RETURNING rows travel back one by one.
            let last = db.execute(insert_statement::<E>(backend, piece, &columns, false)).await?.last_insert_id();
            let last = i64::try_from(last).map_err(|e| DbErr::Custom(format!("rowid out of range: {e}")))?;
            let count = i64::try_from(piece.len()).unwrap_or(i64::MAX);
            ids.extend(last - count + 1..=last);
            continue;
        }
        // Ids are assigned in row order (VALUES or unnest); RETURNING's row
        // order is not promised, so sort the keys back into it.
        let returned = db.query_all(insert_of::<E>(backend, piece, &columns, true)).await?;
        let mut keys = returned.iter().map(|row| row.try_get::<i64>("", "id")).collect::<Result<Vec<i64>, DbErr>>()?;
        keys.sort_unstable();
        ids.extend(keys);
    }
    Ok(ids)
}

/// Inserts `rows` (their ids are left to the database) in as few statements
/// as the value limit allows, when the caller needs no ids back (RETURNING
/// costs a row per insert to read).
pub async fn insert_rows_without_ids<E, C>(db: &C, rows: &[E::Model]) -> Result<(), DbErr>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    insert_all::<E, C>(db, rows, false).await
}

/// Inserts `rows` with the ids they carry (ids the caller reserved), in as
/// few statements as the value limit allows.
pub async fn insert_rows_with_ids<E, C>(db: &C, rows: &[E::Model]) -> Result<(), DbErr>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    insert_all::<E, C>(db, rows, true).await
}

/// Inserts `rows` without RETURNING, their primary keys written or not.
async fn insert_all<E, C>(db: &C, rows: &[E::Model], with_keys: bool) -> Result<(), DbErr>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let backend = db.get_database_backend();
    for piece in rows.chunks(rows_per_insert::<E>(backend)) {
        let mut columns: Vec<E::Column> =
            if with_keys { E::PrimaryKey::iter().map(|k| k.into_column()).collect() } else { Vec::new() };
        columns.extend(columns_of::<E>(piece));
        db.execute(insert_of::<E>(backend, piece, &columns, false)).await?;
    }
    Ok(())
}

#[cfg(test)]
#[path = "bulk_tests.rs"]
mod tests;
