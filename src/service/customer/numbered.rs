//! New customers on PostgreSQL: the counter bump, the rows and their events
//! in one statement.
//!
//! Customer numbers are gapless, so the counter row is bumped inside the
//! transaction that uses the numbers, and a concurrent writer waits on that
//! row until the transaction commits. Bumped first and followed by the
//! customers' INSERT and the events' INSERT, it was held over three round
//! trips and the commit, and the write queue's second round spent most of
//! its time waiting for it (BENCHMARKS.md). Here the bump, the customers
//! numbered from it and their events are one statement, so the row is held
//! for what is left of that statement and the commit.

use sea_orm::{ConnectionTrait, DbBackend, DbErr, EntityName, IdenStatic, Statement, Value};

use super::super::Ctx;
use crate::db::unnest::{Unnest, quoted};
use entity::customer::{Column, Entity, Model};

/// Inserts `rows` (numbers and ids unset) numbered in row order from the
/// tenant's customer counter, with a `customer.created` event each, and
/// answers their `(id, customer_number)` in row order. `None` when a column
/// holds a kind of value the array encoding does not know; the caller then
/// writes them statement by statement.
pub(super) async fn insert<C: ConnectionTrait>(ctx: &Ctx<C>, rows: &[Model]) -> Result<Option<Vec<(i64, i64)>>, DbErr> {
    let Some(statement) = statement(ctx, rows) else { return Ok(None) };
    let returned = ctx.db.query_all(statement).await?;
    let numbered = returned
        .iter()
        .map(|row| Ok((row.try_get::<i64>("", "id")?, row.try_get::<i64>("", "customer_number")?)))
        .collect::<Result<Vec<(i64, i64)>, DbErr>>()?;
    if numbered.len() != rows.len() {
        return Err(DbErr::Custom(format!("{} customers inserted for {}", numbered.len(), rows.len())));
    }
    Ok(Some(numbered))
}

fn statement<C: ConnectionTrait>(ctx: &Ctx<C>, rows: &[Model]) -> Option<Statement> {
    let columns: Vec<Column> = crate::db::bulk::columns_of::<Entity>(rows)
        .into_iter()
        .filter(|c| !matches!(c, Column::CustomerNumber))
        .collect();
    let names: Vec<&str> = columns.iter().map(|c| c.as_str()).collect();
    let values: Vec<Vec<Value>> =
        columns.iter().map(|c| rows.iter().map(|row| sea_orm::ModelTrait::get(row, *c)).collect()).collect();
    let Unnest { from, mut values } = Unnest::with_ordinality(&names, &values, "ordinal")?;
    let mut bind = |value: Value| {
        values.push(value);
        values.len()
    };
    let tenant = bind(ctx.tenant.id.get().into());
    let counter = bind("customer".into());
    let by = bind(i64::try_from(rows.len()).ok()?.into());
    let now = bind(ctx.now.into());
    let bump = crate::db::counter::advance_as_cte_pg(tenant, counter, by);
    let (customer, event) = (Entity.table_name(), entity::event::Entity.table_name());
    let columns = quoted(&names);
    let sql = format!(
        "WITH n AS ({bump}), \
         c AS (\
            INSERT INTO \"{customer}\" ({columns}, \"customer_number\") \
            SELECT {columns}, n.base + v.\"ordinal\" FROM n, {from} ORDER BY v.\"ordinal\" \
            RETURNING \"id\", \"customer_number\"), \
         e AS (\
            INSERT INTO \"{event}\" (\"tenant_id\", \"subject\", \"subject_id\", \"event_type\", \"data\", \"created\") \
            SELECT ${tenant}, 'customer', c.\"id\", 'customer.created', \
                   json_build_object('CUSTOMER_NUMBER', c.\"customer_number\"), ${now} \
            FROM c ORDER BY c.\"customer_number\") \
         SELECT \"id\", \"customer_number\" FROM c ORDER BY \"customer_number\""
    );
    Some(Statement::from_sql_and_values(DbBackend::Postgres, sql, values))
}
