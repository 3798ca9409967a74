//! Multi-row statements: SQLite answers every statement from a worker
//! thread, so writing many rows costs round trips, not work; one INSERT for
//! many rows costs about what one row did.

use sea_orm::{
    ActiveModelTrait, ActiveValue, ConnectionTrait, DbBackend, EntityTrait, IntoActiveModel, Iterable, QueryTrait,
};

/// Rows per INSERT: SQLite allows 32766 bound values per statement.
const MAX_VALUES_PER_STATEMENT: usize = 30_000;

/// How many rows of `columns` columns fit one statement.
pub fn rows_per_statement(columns: usize) -> usize {
    (MAX_VALUES_PER_STATEMENT / columns.max(1)).max(1)
}

/// The rows with the columns that are NULL in every one of them left out of
/// the statement: a new customer sets a dozen of its 56 columns, and every
/// bound value costs encoding and binding on both ends. A left-out column
/// takes its default, so this holds only while no nullable column has a
/// default other than NULL (none has; keep it so in migrations).
fn without_null_columns<A: ActiveModelTrait>(mut rows: Vec<A>) -> Vec<A> {
    let is_null = |value: ActiveValue<sea_orm::Value>| match value {
        ActiveValue::Set(v) | ActiveValue::Unchanged(v) => v == v.as_null(),
        ActiveValue::NotSet => true,
    };
    let nulls: Vec<_> =
        <A::Entity as EntityTrait>::Column::iter().filter(|c| rows.iter().all(|row| is_null(row.get(*c)))).collect();
    for row in &mut rows {
        for c in &nulls {
            row.not_set(*c);
        }
    }
    rows
}

/// Inserts `rows` in as few statements as the value limit allows and answers
/// their new ids in row order.
pub async fn insert_rows<E, C>(
    db: &C,
    rows: &[E::Model],
    to_active: impl Fn(&E::Model) -> E::ActiveModel,
) -> Result<Vec<i64>, sea_orm::DbErr>
where
    E: EntityTrait,
    E::Model: IntoActiveModel<E::ActiveModel>,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
    <E::PrimaryKey as sea_orm::PrimaryKeyTrait>::ValueType: Into<i64>,
    C: ConnectionTrait,
{
    let mut ids = Vec::with_capacity(rows.len());
    for piece in rows.chunks(rows_per_statement(E::Column::iter().count())) {
        let actives = without_null_columns(piece.iter().map(&to_active).collect());
        if let [one] = actives.as_slice() {
            ids.push(E::insert(one.clone()).exec(db).await?.last_insert_id.into());
            continue;
        }
        if db.get_database_backend() == DbBackend::Sqlite {
            // One statement of a single writer: SQLite gives its rows the
            // consecutive rowids after the largest one, so the last id names
            // them all, and no RETURNING rows travel back one by one.
            let statement = E::insert_many(actives).build(DbBackend::Sqlite);
            let last = i64::try_from(db.execute(statement).await?.last_insert_id())
                .map_err(|e| sea_orm::DbErr::Custom(format!("rowid out of range: {e}")))?;
            let count = i64::try_from(piece.len()).unwrap_or(i64::MAX);
            ids.extend(last - count + 1..=last);
            continue;
        }
        // Ids are assigned in VALUES order on both backends; RETURNING's row
        // order is not promised, so sort the keys back into it.
        let mut keys: Vec<i64> =
            E::insert_many(actives).exec_with_returning_keys(db).await?.into_iter().map(Into::into).collect();
        keys.sort_unstable();
        ids.extend(keys);
    }
    Ok(ids)
}

/// Inserts `rows` in as few statements as the value limit allows, when the
/// caller needs no ids back (RETURNING costs a row per insert to read).
pub async fn insert_rows_without_ids<E, C>(
    db: &C,
    rows: &[E::Model],
    to_active: impl Fn(&E::Model) -> E::ActiveModel,
) -> Result<(), sea_orm::DbErr>
where
    E: EntityTrait,
    E::Model: IntoActiveModel<E::ActiveModel>,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
    C: ConnectionTrait,
{
    for piece in rows.chunks(rows_per_statement(E::Column::iter().count())) {
        E::insert_many(without_null_columns(piece.iter().map(&to_active).collect())).exec_without_returning(db).await?;
    }
    Ok(())
}
