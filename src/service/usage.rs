//! Usage bookings on subscriptions, billed in arrears on the next invoice.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, NotSet, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::json;

use super::subscription::{get_one as get_subscription, state};
use super::{Ctx, WriteCtx, article, events};
use crate::db::scope::Scope;
use crate::domain::lifecycle::{Action, allows, refusal};
use crate::error::{AppError, AppResult, OptionExt};
use entity::DecimalText;
use entity::usage_record::{ActiveModel, Column, Entity, Model};

/// One booking.
#[derive(Debug)]
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
    let sub = get_subscription(ctx, input.subscription_id).await?;
    let status = state::status(&sub)?;
    if !allows(status, Action::RecordUsage) {
        return Err(AppError::conflict(refusal(status, Action::RecordUsage)));
    }
    if let Some(currency) = &input.currency_code {
        if *currency != sub.currency_code {
            return Err(AppError::invalid("CURRENCY_CODE", format!("the subscription bills in {}", sub.currency_code)));
        }
    }
    let found = article::get_one(ctx, &input.article_number).await?;
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
    let row = ActiveModel {
        id: NotSet,
        tenant_id: Set(ctx.tenant.id.get()),
        subscription_id: Set(sub.id),
        customer_id: Set(sub.customer_id),
        article_number: Set(found.article_number.clone()),
        description: Set(input.description.unwrap_or_else(|| found.title.clone())),
        quantity: Set(DecimalText(input.quantity)),
        unit_price: Set(DecimalText(unit_price)),
        currency_code: Set(sub.currency_code.clone()),
        vat_percent: Set(found.vat_percent),
        usage_date: Set(input.usage_date.unwrap_or(ctx.now)),
        invoice_id: Set(None),
        created: Set(ctx.now),
    };
    let id = Entity::insert(row).exec(&ctx.db).await?.last_insert_id;
    events::append(
        ctx,
        "subscription",
        sub.id,
        "subscription.usage_recorded",
        json!({"USAGEDATA_ID": id, "ARTICLE_NUMBER": found.article_number, "QUANTITY": input.quantity.to_string()}),
    )
    .await?;
    get_one(ctx, id).await
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
    ctx.delete_many::<Entity>().filter(Column::Id.eq(id)).filter(Column::InvoiceId.is_null()).exec(&ctx.db).await?;
    events::append(ctx, "subscription", row.subscription_id, "subscription.usage_deleted", json!({"USAGEDATA_ID": id}))
        .await?;
    Ok(())
}
