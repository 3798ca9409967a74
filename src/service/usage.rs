//! Usage bookings on subscriptions, billed in arrears on the next invoice.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Statement};
use serde_json::json;

use super::subscription::get_one as get_subscription;
use super::{Ctx, WriteCtx, article, event_feed, events};
use crate::db::scope::Scope;
use crate::domain::lifecycle::{Action, Status, allows, refusal};
use crate::error::{AppError, AppResult, OptionExt};
use entity::DecimalText;
use entity::usage_record::{Column, Entity, Model};

/// One booking.
#[derive(Clone, Debug)]
pub struct NewUsage {
    pub subscription_id: i64,
    pub article_number: String,
    pub quantity: Decimal,
    pub unit_price: Option<Decimal>,
    pub description: Option<String>,
    pub currency_code: Option<String>,
    pub usage_date: Option<DateTime<Utc>>,
}

/// Books usage; price and text default to the article's.
pub async fn record(ctx: &WriteCtx, input: NewUsage) -> AppResult<Model> {
    record_many(ctx, vec![input]).await?.pop().unwrap_or_else(|| Err(AppError::internal("no usage recorded")))
}

/// Books several usages in the caller's transaction: one read for their
/// subscriptions, one for their articles, one insert. Each booking is its own
/// `subscription.usage_recorded` event (`service::event_feed`): no event row
/// is written beside it. An input that does not validate gets its own error;
/// a database failure fails the whole call, for the caller to redo one by one.
pub async fn record_many<C: ConnectionTrait>(ctx: &Ctx<C>, inputs: Vec<NewUsage>) -> AppResult<Vec<AppResult<Model>>> {
    let mut sub_ids: Vec<i64> = inputs.iter().map(|i| i.subscription_id).collect();
    sub_ids.sort_unstable();
    sub_ids.dedup();
    let subs = owners(ctx, sub_ids).await?;
    let mut numbers: Vec<String> = inputs.iter().map(|i| i.article_number.clone()).collect();
    numbers.sort();
    numbers.dedup();
    let articles: HashMap<String, entity::article::Model> =
        article::find_numbers(ctx, numbers).await?.into_iter().map(|a| (a.article_number.clone(), a)).collect();
    let mut results: Vec<AppResult<Model>> =
        inputs.into_iter().map(|input| new_usage(ctx, input, &subs, &articles)).collect();
    let count = results.iter().flatten().count();
    if count == 0 {
        return Ok(results);
    }
    match event_feed::reserve_ids(&ctx.db, count).await? {
        Some(first) => {
            for (row, id) in results.iter_mut().flatten().zip(first..) {
                row.id = id;
            }
            let rows: Vec<Model> = results.iter().flatten().cloned().collect();
            crate::db::bulk::insert_rows_with_ids::<Entity, _>(&ctx.db, &rows).await?;
        }
        None => {
            let rows: Vec<Model> = results.iter().flatten().cloned().collect();
            let ids = crate::db::bulk::insert_rows::<Entity, _>(&ctx.db, &rows).await?;
            for (row, id) in results.iter_mut().flatten().zip(ids) {
                row.id = id;
            }
        }
    }
    Ok(results)
}

/// What a booking needs of its subscription.
struct Owner {
    customer_id: i64,
    status: String,
    currency_code: String,
}

/// The subscriptions `ids` of this tenant, reading only what a booking checks
/// (by primary key, see `db::scope`).
async fn owners<C: ConnectionTrait>(ctx: &Ctx<C>, ids: Vec<i64>) -> AppResult<HashMap<i64, Owner>> {
    use entity::subscription::{Column as S, Entity as Subscriptions};
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(i64, i64, i64, String, String)> = if ctx.db.get_database_backend() == DbBackend::Sqlite {
        owners_in_one_row(ctx, &ids).await?
    } else {
        Subscriptions::find()
            .select_only()
            .columns([S::Id, S::TenantId, S::CustomerId, S::Status, S::CurrencyCode])
            .filter(S::Id.is_in(ids))
            .into_tuple()
            .all(&ctx.db)
            .await?
    };
    let tenant = ctx.tenant.id.get();
    Ok(rows
        .into_iter()
        .filter(|r| r.1 == tenant)
        .map(|(id, _, customer_id, status, currency_code)| (id, Owner { customer_id, status, currency_code }))
        .collect())
}

/// The same columns as one JSON row (SQLite): sqlx hands each result row
/// from SQLite's thread to ours on its own, which cost more than the lookups
/// for a write group's several hundred subscriptions.
async fn owners_in_one_row<C: ConnectionTrait>(
    ctx: &Ctx<C>,
    ids: &[i64],
) -> AppResult<Vec<(i64, i64, i64, String, String)>> {
    let list = serde_json::to_string(ids).map_err(|e| AppError::internal(e.to_string()))?;
    let sql = "SELECT json_group_array(json_array(id, tenant_id, customer_id, status, currency_code)) AS j \
               FROM subscription WHERE id IN (SELECT value FROM json_each(?))";
    let row = ctx.db.query_one(Statement::from_sql_and_values(DbBackend::Sqlite, sql, [list.into()])).await?;
    let text: String = match row {
        Some(row) => row.try_get("", "j")?,
        None => return Ok(Vec::new()),
    };
    serde_json::from_str(&text).map_err(|e| AppError::internal(format!("subscription owners: {e}")))
}

/// One booking checked against its subscription and article, not written yet.
fn new_usage<C>(
    ctx: &Ctx<C>,
    input: NewUsage,
    subs: &HashMap<i64, Owner>,
    articles: &HashMap<String, entity::article::Model>,
) -> AppResult<Model> {
    let sub = subs
        .get(&input.subscription_id)
        .ok_or_else(|| AppError::not_found("SUBSCRIPTION_ID", "subscription not found"))?;
    let status = Status::parse(&sub.status).ok_or_else(|| AppError::internal("stored status is unreadable"))?;
    if !allows(status, Action::RecordUsage) {
        return Err(AppError::conflict_on("SUBSCRIPTION_ID", refusal(status, Action::RecordUsage)));
    }
    if let Some(currency) = &input.currency_code
        && *currency != sub.currency_code
    {
        return Err(AppError::invalid("CURRENCY_CODE", format!("the subscription bills in {}", sub.currency_code)));
    }
    let found = articles
        .get(&input.article_number)
        .ok_or_else(|| AppError::not_found("ARTICLE_NUMBER", "article not found"))?;
    let unit_price = match input.unit_price {
        Some(price) => price,
        None if found.currency_code != sub.currency_code => {
            return Err(AppError::invalid(
                "ARTICLE_NUMBER",
                format!("the article is priced in {}; give UNIT_PRICE", found.currency_code),
            ));
        }
        None => found.unit_price.0,
    };
    Ok(Model {
        id: 0,
        tenant_id: ctx.tenant.id.get(),
        subscription_id: input.subscription_id,
        customer_id: sub.customer_id,
        article_number: found.article_number.clone(),
        description: input.description.unwrap_or_else(|| found.title.clone()),
        quantity: DecimalText(input.quantity),
        unit_price: DecimalText(unit_price),
        currency_code: sub.currency_code.clone(),
        vat_percent: found.vat_percent,
        usage_date: input.usage_date.unwrap_or(ctx.now),
        invoice_id: None,
        created: ctx.now,
    })
}

/// One booking of this tenant, or 1004.
pub async fn get_one<C: ConnectionTrait>(ctx: &Ctx<C>, id: i64) -> AppResult<Model> {
    ctx.by_id::<Entity, _>(&ctx.db, id).await?.or_not_found("USAGEDATA_ID", "usage data")
}

/// A subscription's bookings, optionally within `[start, end]`, oldest first.
pub async fn list<C: ConnectionTrait>(
    ctx: &Ctx<C>,
    subscription_id: i64,
    start: Option<DateTime<Utc>>,
    end: Option<DateTime<Utc>>,
    limit: u64,
    offset: u64,
) -> AppResult<Vec<Model>> {
    get_subscription(ctx, subscription_id).await?;
    let mut query = ctx.find::<Entity>().filter(Column::SubscriptionId.eq(subscription_id));
    if let Some(start) = start {
        query = query.filter(Column::UsageDate.gte(start));
    }
    if let Some(end) = end {
        query = query.filter(Column::UsageDate.lte(end));
    }
    Ok(query.order_by_asc(Column::UsageDate).order_by_asc(Column::Id).limit(limit).offset(offset).all(&ctx.db).await?)
}

/// Deletes an open booking; invoiced ones are part of an invoice (1009).
pub async fn delete(ctx: &WriteCtx, id: i64) -> AppResult<()> {
    let row = get_one(ctx, id).await?;
    if row.invoice_id.is_some() {
        return Err(AppError::conflict_on("USAGEDATA_ID", "this usage is invoiced already"));
    }
    event_feed::refile_usage(ctx, &row).await?;
    ctx.delete_many::<Entity>().filter(Column::Id.eq(id)).filter(Column::InvoiceId.is_null()).exec(&ctx.db).await?;
    events::append(ctx, "subscription", row.subscription_id, "subscription.usage_deleted", json!({"USAGEDATA_ID": id}))
        .await?;
    Ok(())
}
