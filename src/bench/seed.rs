//! Seeding straight through sea-orm, where a scenario is not about the write
//! path: tenants with an admin key, one plan article, customers and
//! subscriptions in multi-row inserts, and the usage rows of `raw-insert`.
//!
//! Rows are built a chunk at a time so seeding 100k subscriptions does not
//! hold them all in memory (that would inflate the billing scenario's RSS).

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel,
    NotSet, QueryFilter, QueryOrder, QuerySelect, Statement, TransactionTrait,
};

use super::BenchResult;
use super::seed_rows::subscription_template;
pub use super::seed_rows::usage_rows;
use crate::auth::Principal;
use crate::db::scope::TenantId;
use crate::domain::interval::Interval;
use crate::service::AppState;
use crate::service::keys::{self, KeyScope};
use crate::service::tenant;
use entity::DecimalText;

/// Rows per `INSERT`: 500 subscriptions x 44 columns stays under SQLite's 32766 parameters.
const ROWS_PER_INSERT: usize = 500;
/// Rows per seeding transaction.
const ROWS_PER_TRANSACTION: usize = 10_000;
/// The plan every seeded subscription bills.
pub const ARTICLE: &str = "BENCH";

/// A live tenant with its admin key.
#[derive(Clone, Debug)]
pub struct Tenant {
    pub id: i64,
    pub key: String,
    /// What the key authenticates as (for the auth bypass).
    pub principal: Principal,
}

/// What a tenant was seeded with.
#[derive(Debug)]
pub struct Seeded {
    pub tenant: Tenant,
    pub customer_ids: Vec<i64>,
    pub subscription_ids: Vec<i64>,
}

/// A tenant with `subscriptions` subscriptions (one customer per ten) whose
/// next period starts at `next_event`.
pub async fn tenant_with_subscriptions(
    state: &AppState,
    name: &str,
    subscriptions: usize,
    next_event: DateTime<Utc>,
) -> BenchResult<Seeded> {
    let now = state.clock.now();
    let tenant = new_tenant(state, name).await?;
    let db = &state.db.write;
    let article_id = article(db, tenant.id, now).await?;
    let customers = subscriptions.div_ceil(10).max(1);
    insert_customers(db, tenant.id, customers, now).await?;
    let customer_ids = ids::<entity::customer::Entity, _>(
        db,
        entity::customer::Column::TenantId,
        entity::customer::Column::Id,
        tenant.id,
    )
    .await?;
    if customer_ids.is_empty() {
        return Err(format!("seeding {name}: no customers were stored").into());
    }
    insert_subscriptions(db, tenant.id, article_id, &customer_ids, subscriptions, next_event, now).await?;
    let subscription_ids = ids::<entity::subscription::Entity, _>(
        db,
        entity::subscription::Column::TenantId,
        entity::subscription::Column::Id,
        tenant.id,
    )
    .await?;
    settle(state).await?;
    Ok(Seeded { tenant, customer_ids, subscription_ids })
}

/// Copies the WAL into the database file now (SQLite), so what seeding or an
/// earlier scenario wrote is not checkpointed in the background while the
/// next scenario is measured.
pub async fn settle(state: &AppState) -> BenchResult<()> {
    if state.db.is_sqlite() {
        let backend = state.db.backend();
        state.db.write.execute(Statement::from_string(backend, "PRAGMA wal_checkpoint(TRUNCATE)")).await?;
    }
    Ok(())
}

/// A live tenant and its first admin key (argon2 runs once here).
pub async fn new_tenant(state: &AppState, name: &str) -> BenchResult<Tenant> {
    let hasher = state.keys.hasher();
    let created = tenant::create(&state.db.write, &hasher, name, false, None, state.clock.now()).await?;
    let principal = Principal {
        tenant: TenantId::trusted_for_operator(created.tenant_id),
        is_test: false,
        key_id: created.key.key_id,
        admin: true,
    };
    Ok(Tenant { id: created.tenant_id, key: created.key.plain.expose(), principal })
}

/// Another admin key of `tenant` (argon2 runs once here).
pub async fn new_key(state: &AppState, tenant: &Tenant) -> BenchResult<String> {
    let hasher = state.keys.hasher();
    let key = keys::insert(
        &state.db.write,
        &hasher,
        TenantId::trusted_for_operator(tenant.id),
        false,
        KeyScope::Admin,
        Some("bench"),
        state.clock.now(),
    )
    .await?;
    Ok(key.plain.expose())
}

async fn article(db: &DatabaseConnection, tenant_id: i64, now: DateTime<Utc>) -> BenchResult<i64> {
    let row = entity::article::ActiveModel {
        id: NotSet,
        tenant_id: Set(tenant_id),
        article_number: Set(ARTICLE.into()),
        title: Set("Bench plan".into()),
        description: Set(None),
        unit_price: Set(DecimalText(Decimal::new(999, 2))),
        currency_code: Set("EUR".into()),
        vat_percent: Set(DecimalText(Decimal::new(19, 0))),
        setup_fee: Set(DecimalText(Decimal::ZERO)),
        is_addon: Set(false),
        allow_multiple: Set(false),
        interval: Set(Interval::MONTH.canonical()),
        trial: Set(None),
        duration: Set(None),
        cancellation: Set(None),
        features: Set(None),
        translations: Set(None),
        tags: Set(None),
        created: Set(now),
        updated: Set(now),
        deleted: Set(None),
    };
    Ok(entity::article::Entity::insert(row).exec(db).await?.last_insert_id)
}

/// Customers numbered 1..=count, and the tenant's customer counter set past them.
async fn insert_customers(
    db: &DatabaseConnection,
    tenant_id: i64,
    count: usize,
    now: DateTime<Utc>,
) -> BenchResult<()> {
    let make = |i: usize| entity::customer::ActiveModel {
        id: NotSet,
        tenant_id: Set(tenant_id),
        customer_number: Set(i as i64 + 1),
        customer_ext_uid: Set(None),
        customer_type: Set("consumer".into()),
        organization: Set(None),
        salutation: Set(None),
        first_name: Set(Some("Bench".into())),
        last_name: Set(Some(format!("Customer {}", i + 1))),
        address: Set(None),
        address_2: Set(None),
        zipcode: Set(None),
        city: Set(None),
        country_code: Set(Some("DE".into())),
        language_code: Set(None),
        email: Set(Some(format!("bench{}@example.com", i + 1))),
        phone: Set(None),
        vat_id: Set(None),
        currency_code: Set(None),
        x_attributes: Set(None),
        version: Set(1),
        created: Set(now),
        updated: Set(now),
        deleted: Set(None),
        credit_balance: Set(entity::DecimalText::default()),
        ..Default::default()
    };
    in_chunks(db, count, |range| entity::customer::Entity::insert_many(range.map(make))).await?;
    let counter = entity::counter::ActiveModel {
        tenant_id: Set(tenant_id),
        name: Set("customer".into()),
        value: Set(count as i64),
    };
    entity::counter::Entity::insert(counter).exec(db).await?;
    Ok(())
}

async fn insert_subscriptions(
    db: &DatabaseConnection,
    tenant_id: i64,
    article_id: i64,
    customer_ids: &[i64],
    count: usize,
    next_event: DateTime<Utc>,
    now: DateTime<Utc>,
) -> BenchResult<()> {
    let template = subscription_template(tenant_id, article_id, next_event, now);
    let make = |i: usize| {
        let mut row = template.clone();
        row.customer_id = customer_ids[i % customer_ids.len()];
        row.public_hash = format!("{:032x}", ((tenant_id as u128) << 64) | i as u128);
        let mut active = row.into_active_model().reset_all();
        active.id = NotSet;
        active
    };
    in_chunks(db, count, |range| entity::subscription::Entity::insert_many(range.map(make))).await
}

/// Runs `insert(range)` for consecutive ranges of `count` rows, several per transaction.
async fn in_chunks<A>(
    db: &DatabaseConnection,
    count: usize,
    insert: impl Fn(std::ops::Range<usize>) -> sea_orm::Insert<A>,
) -> BenchResult<()>
where
    A: ActiveModelTrait,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
{
    let mut done = 0;
    while done < count {
        let txn = db.begin().await?;
        let until = (done + ROWS_PER_TRANSACTION).min(count);
        while done < until {
            let end = (done + ROWS_PER_INSERT).min(until);
            insert(done..end).exec_without_returning(&txn).await?;
            done = end;
        }
        txn.commit().await?;
    }
    Ok(())
}

/// Every id of a tenant's rows of `E`, ascending.
async fn ids<E, C>(db: &DatabaseConnection, tenant_column: C, id_column: C, tenant_id: i64) -> BenchResult<Vec<i64>>
where
    E: EntityTrait<Column = C>,
    C: ColumnTrait,
{
    Ok(E::find()
        .select_only()
        .column(id_column)
        .filter(tenant_column.eq(tenant_id))
        .order_by_asc(id_column)
        .into_tuple()
        .all(db)
        .await?)
}
