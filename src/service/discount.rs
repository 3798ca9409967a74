//! Subscription discounts (`subscription.setdiscount`, `getdiscounts`,
//! `deletediscount`; API.md section 9). A discount lives on its subscription
//! row (see `billing::discounts`); the `subscription_discount` table hands out
//! DISCOUNT_IDs and finds the subscription of one.

use rust_decimal::Decimal;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, NotSet, QueryFilter};
use serde_json::json;

use super::subscription::{get_one, state};
use super::{WriteCtx, events};
use crate::billing::discounts::{self, StoredDiscount};
use crate::db::ctx::Ctx;
use crate::db::scope::Scope;
use crate::domain::discount::DiscountValue;
use crate::domain::lifecycle::Status;
use crate::error::{AppError, AppResult, OptionExt};
use entity::subscription_discount::{Column, Entity, Model};

/// What `subscription.setdiscount` asks for.
#[derive(Debug)]
pub struct DiscountRequest {
    pub subscription_id: i64,
    /// Update this discount (while it has discounted nothing).
    pub discount_id: Option<i64>,
    pub discount_type: String,
    pub discount: Decimal,
    /// Regular invoices; `None` = forever.
    pub periods: Option<u32>,
    /// A fixed discount's currency, when given: must be the subscription's.
    pub currency: Option<String>,
}

/// Adds or updates a discount; answers it as stored.
pub async fn set(ctx: &WriteCtx, request: DiscountRequest) -> AppResult<StoredDiscount> {
    let value = DiscountValue::parse(&request.discount_type, request.discount)
        .map_err(|e| AppError::invalid(e.tag(), e.to_string()))?;
    let mut sub = get_one(ctx, request.subscription_id).await?;
    if let Some(code) = &request.currency {
        if matches!(value, DiscountValue::Percent(_)) {
            return Err(AppError::invalid("CURRENCY_CODE", "applies to fixed discounts only"));
        }
        if *code != sub.currency_code {
            return Err(AppError::invalid(
                "CURRENCY_CODE",
                format!("the subscription bills in {}, the discount is in {code}", sub.currency_code),
            ));
        }
    }
    if request.periods == Some(0) {
        return Err(AppError::invalid("PERIODS", "must be at least 1 (empty = forever)"));
    }
    if state::status(&sub)? == Status::Closed {
        return Err(AppError::conflict_on("SUBSCRIPTION_ID", "a closed subscription takes no discounts"));
    }
    let mut list = discounts::discounts(&sub)?;
    let stored = match request.discount_id {
        Some(id) => {
            let d = list.iter_mut().find(|d| d.discount_id == id).or_not_found("DISCOUNT_ID", "discount")?;
            if d.periods_used > 0 {
                return Err(AppError::conflict_on("DISCOUNT_ID", "the discount is on an invoice already"));
            }
            d.discount_type = value.type_str().to_owned();
            d.discount = value.amount();
            d.periods = request.periods;
            d.clone()
        }
        None => {
            let row = Model { id: 0, tenant_id: ctx.tenant.id.get(), subscription_id: sub.id, created: ctx.now };
            let mut active = row.into_active_model().reset_all();
            active.id = NotSet;
            let id = Entity::insert(active).exec(&ctx.db).await?.last_insert_id;
            let d = StoredDiscount {
                discount_id: id,
                discount_type: value.type_str().to_owned(),
                discount: value.amount(),
                periods: request.periods,
                periods_used: 0,
                created: ctx.now,
            };
            list.push(d.clone());
            d
        }
    };
    discounts::set_discounts(&mut sub, &list);
    let sub = state::save(ctx, sub).await?;
    let data = json!({"DISCOUNT_ID": stored.discount_id, "DISCOUNT_TYPE": stored.discount_type,
        "DISCOUNT": stored.discount.to_string(), "PERIODS": stored.periods});
    events::append(ctx, "subscription", sub.id, "subscription.discount_set", data).await?;
    Ok(stored)
}

/// The discounts of a subscription (not deleted), in creation order, with its currency.
pub async fn list<C: sea_orm::ConnectionTrait>(
    ctx: &Ctx<C>,
    subscription_id: i64,
) -> AppResult<(Vec<StoredDiscount>, String)> {
    let sub = get_one(ctx, subscription_id).await?;
    Ok((discounts::discounts(&sub)?, sub.currency_code))
}

/// Deletes a discount from the next period on; issued invoices keep theirs.
pub async fn delete(ctx: &WriteCtx, discount_id: i64) -> AppResult<()> {
    let row = ctx.by_id::<Entity, _>(&ctx.db, discount_id).await?.or_not_found("DISCOUNT_ID", "discount")?;
    let mut sub = get_one(ctx, row.subscription_id).await?;
    let mut list = discounts::discounts(&sub)?;
    let before = list.len();
    list.retain(|d| d.discount_id != discount_id);
    if list.len() == before {
        return Err(AppError::not_found("DISCOUNT_ID", "discount not found"));
    }
    discounts::set_discounts(&mut sub, &list);
    let sub = state::save(ctx, sub).await?;
    ctx.delete_many::<Entity>().filter(Column::Id.eq(discount_id)).exec(&ctx.db).await?;
    events::append(ctx, "subscription", sub.id, "subscription.discount_deleted", json!({"DISCOUNT_ID": discount_id}))
        .await?;
    Ok(())
}
