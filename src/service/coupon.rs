//! Coupons (API.md section 9): create, read, check, delete, and the
//! redemption by a subscription, which takes one use with a conditional
//! UPDATE so that of two concurrent redemptions of the last use exactly one
//! wins (the loser's UPDATE matches no row once the winner committed, on
//! PostgreSQL it waits for the row lock; SQLite has one writer).

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, NotSet, QueryFilter};
use sea_orm::{Condition, QueryOrder, QuerySelect};
use serde_json::json;

use super::{WriteCtx, events};
use crate::billing::discounts::HeldCoupon;
use crate::db::ctx::Ctx;
use crate::db::scope::Scope;
use crate::domain::coupon::{self, Coupon, CouponError, Length, NewCoupon};
use crate::domain::discount::DiscountValue;
use crate::error::{AppError, AppResult, DbResultExt, OptionExt};
use entity::DecimalText;
use entity::coupon::{Column, Entity, Model};

fn refused(err: CouponError) -> AppError {
    AppError::invalid(err.tag(), err.to_string())
}

/// The domain view of a stored coupon.
pub fn domain(m: &Model) -> AppResult<Coupon> {
    let value = DiscountValue::parse(&m.discount_type, m.discount.0).map_err(AppError::internal)?;
    let amount = m.period_amount.and_then(|a| u32::try_from(a).ok());
    let length = Length::parse(amount, m.period_unit.as_deref()).map_err(AppError::internal)?;
    let assigned: Vec<String> = serde_json::from_value(m.assigned_articles.clone()).map_err(AppError::internal)?;
    Ok(Coupon {
        code: m.code.clone(),
        value,
        length,
        valid_from: m.valid_from,
        valid_to: m.valid_to,
        usages: u32::try_from(m.usages).unwrap_or(0),
        usages_max: u32::try_from(m.usages_max).unwrap_or(0),
        assigned_articles: assigned,
    })
}

/// Creates a coupon; a CODE in use answers 1009 naming CODE.
pub async fn create(
    ctx: &WriteCtx,
    input: NewCoupon<'_>,
    title: Option<String>,
    currency: Option<String>,
) -> AppResult<Model> {
    let c = input.validate().map_err(refused)?;
    if currency.is_some() && matches!(c.value, DiscountValue::Percent(_)) {
        return Err(AppError::invalid("CURRENCY_CODE", "applies to fixed coupons only"));
    }
    if let Some(code) = &currency {
        for number in &c.assigned_articles {
            let article = super::article::get_one(ctx, number)
                .await
                .map_err(|_| AppError::invalid("ASSIGNED_ARTICLES", format!("article {number} does not exist")))?;
            if article.currency_code != *code {
                return Err(AppError::invalid(
                    "CURRENCY_CODE",
                    format!("article {number} is priced in {}, the coupon in {code}", article.currency_code),
                ));
            }
        }
    }
    let (amount, unit) = c.length.parts();
    let mut row = Model {
        id: 0,
        tenant_id: ctx.tenant.id.get(),
        code: c.code.clone(),
        title,
        discount_type: c.value.type_str().to_owned(),
        discount: DecimalText(c.value.amount()),
        currency_code: currency,
        period_amount: amount.and_then(|a| i32::try_from(a).ok()),
        period_unit: unit.map(str::to_owned),
        valid_from: c.valid_from,
        valid_to: c.valid_to,
        usages: 0,
        usages_max: i32::try_from(c.usages_max).map_err(|_| AppError::invalid("USAGES_MAX", "too large"))?,
        assigned_articles: json!(c.assigned_articles),
        created: ctx.now,
    };
    let mut active = row.clone().into_active_model().reset_all();
    active.id = NotSet;
    row.id = Entity::insert(active)
        .exec(&ctx.db)
        .await
        .or_conflict("CODE", "a coupon with this CODE exists")?
        .last_insert_id;
    events::append(ctx, "coupon", row.id, "coupon.created", json!({"CODE": row.code})).await?;
    Ok(row)
}

/// The coupon with `code`, if any.
pub async fn by_code<C: ConnectionTrait>(ctx: &Ctx<C>, code: &str) -> AppResult<Option<Model>> {
    Ok(ctx.find::<Entity>().filter(Column::Code.eq(code.trim())).one(&ctx.db).await?)
}

/// Coupons by CODE (all when `None`), by id.
pub async fn find<C: ConnectionTrait>(
    ctx: &Ctx<C>,
    code: Option<String>,
    limit: u64,
    offset: u64,
) -> AppResult<Vec<Model>> {
    let mut query = ctx.find::<Entity>();
    if let Some(code) = code {
        query = query.filter(Column::Code.eq(code.trim()));
    }
    Ok(query.order_by_asc(Column::Id).limit(limit).offset(offset).all(&ctx.db).await?)
}

/// `coupon.check`: `Ok(())` when `code` may be redeemed now for the article
/// (which must exist), else why not.
pub async fn check<C: ConnectionTrait>(
    ctx: &Ctx<C>,
    code: &str,
    article_number: Option<&str>,
) -> AppResult<Result<(), String>> {
    if let Some(number) = article_number {
        super::article::get_one(ctx, number).await?;
    }
    let Some(row) = by_code(ctx, code).await? else {
        return Ok(Err("the coupon does not exist".to_owned()));
    };
    let c = domain(&row)?;
    let checked = match article_number {
        Some(number) => c.check(number, ctx.now),
        None => c.check(c.assigned_articles.first().map_or("", String::as_str), ctx.now),
    };
    Ok(checked.map_err(|e| e.to_string()))
}

/// Stops new redemptions of `code`; subscriptions holding it keep it.
pub async fn delete(ctx: &WriteCtx, code: &str) -> AppResult<()> {
    let row = by_code(ctx, code).await?.or_not_found("CODE", "coupon")?;
    ctx.delete_many::<Entity>().filter(Column::Id.eq(row.id)).exec(&ctx.db).await?;
    events::append(ctx, "coupon", row.id, "coupon.deleted", json!({"CODE": row.code})).await?;
    Ok(())
}

/// A coupon a subscription may hold, checked but not redeemed (a quote).
pub async fn holdable<C: ConnectionTrait>(
    ctx: &Ctx<C>,
    code: &str,
    article_number: &str,
    currency: &str,
) -> AppResult<(Model, HeldCoupon)> {
    let row = by_code(ctx, code)
        .await?
        .ok_or_else(|| AppError::conflict_on("COUPON", format!("coupon {} does not exist", code.trim())))?;
    let c = domain(&row)?;
    c.check(article_number, ctx.now).map_err(|e| AppError::conflict_on("COUPON", e.to_string()))?;
    if row.currency_code.as_deref().is_some_and(|c| c != currency) {
        return Err(AppError::conflict_on("COUPON", format!("the coupon is not valid for {currency}")));
    }
    let held = held(&row, &c, ctx.now);
    Ok((row, held))
}

fn held(row: &Model, c: &Coupon, now: DateTime<Utc>) -> HeldCoupon {
    let (amount, unit) = c.length.parts();
    HeldCoupon {
        code: c.code.clone(),
        title: row.title.clone(),
        discount_type: c.value.type_str().to_owned(),
        discount: c.value.amount(),
        period_amount: amount,
        period_unit: unit.map(str::to_owned),
        redeemed: now,
        active: true,
        payments_discounted: 0,
        assigned_articles: c.assigned_articles.clone(),
    }
}

/// A redemption taken: the coupon's id and what the subscription holds.
#[derive(Debug)]
pub struct Redeemed {
    pub coupon_id: i64,
    pub held: HeldCoupon,
}

/// Redeems `code` for a subscription of `article_number` billed in
/// `currency`: one use taken, or 1009 naming COUPON.
pub async fn redeem(ctx: &WriteCtx, code: &str, article_number: &str, currency: &str) -> AppResult<Redeemed> {
    let (row, held) = holdable(ctx, code, article_number, currency).await?;
    let taken = ctx
        .update_many::<Entity>()
        .col_expr(Column::Usages, Expr::col(Column::Usages).add(1))
        .filter(Column::Id.eq(row.id))
        .filter(
            Condition::any()
                .add(Column::UsagesMax.eq(0))
                .add(Expr::col(Column::Usages).lt(Expr::col(Column::UsagesMax))),
        )
        .exec(&ctx.db)
        .await?;
    if taken.rows_affected == 0 {
        return Err(AppError::conflict_on("COUPON", coupon::Invalid::UsedUp.to_string()));
    }
    Ok(Redeemed { coupon_id: row.id, held })
}

/// The `coupon.redeemed` event of a redemption by subscription `subscription_id`.
pub async fn redeemed_event(ctx: &WriteCtx, redeemed: &Redeemed, subscription_id: i64) -> AppResult<()> {
    let data = json!({"CODE": redeemed.held.code, "SUBSCRIPTION_ID": subscription_id});
    events::append(ctx, "coupon", redeemed.coupon_id, "coupon.redeemed", data.clone()).await?;
    // The subscription's timeline shows it too, under a type webhooks do not deliver twice.
    events::append(ctx, "subscription", subscription_id, "subscription.coupon_redeemed", data).await?;
    Ok(())
}
