//! Articles: plans and add-ons.

use rust_decimal::Decimal;
use sea_orm::sea_query::{Expr, LikeExpr};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, NotSet, QueryFilter, QueryOrder, QuerySelect,
};

use super::customer::escape_like;
use super::{Ctx, WriteCtx, events};
use crate::db::scope::Scope;
use crate::domain::interval::Interval;
use crate::error::{AppError, AppResult, DbResultExt, OptionExt};
use entity::DecimalText;
use entity::article::{ActiveModel, Column, Entity, Model};

/// Fields of an article. On create, `None` takes the default; on update, `None`
/// keeps the current value and `Some(None)` clears an optional one.
#[derive(Debug, Default, Clone)]
pub struct ArticlePatch {
    pub title: Option<String>,
    pub description: Option<Option<String>>,
    pub unit_price: Option<Decimal>,
    pub currency_code: Option<String>,
    pub vat_percent: Option<Decimal>,
    pub setup_fee: Option<Decimal>,
    pub is_addon: Option<bool>,
    pub allow_multiple: Option<bool>,
    pub interval: Option<Interval>,
    pub trial: Option<Option<Interval>>,
    pub duration: Option<Option<i32>>,
    pub cancellation: Option<Option<Interval>>,
    pub features: Option<Option<serde_json::Value>>,
    pub translations: Option<Option<serde_json::Value>>,
    pub tags: Option<Vec<String>>,
}

/// Filters of `article.get`.
#[derive(Debug, Default)]
pub struct ArticleFilter {
    pub article_number: Option<String>,
    pub is_addon: Option<bool>,
    pub tags: Vec<String>,
}

fn tags_text(tags: &[String]) -> Option<String> {
    (!tags.is_empty()).then(|| format!(",{},", tags.join(",")))
}

fn apply(model: &mut ActiveModel, patch: ArticlePatch) {
    if let Some(v) = patch.title {
        model.title = Set(v);
    }
    if let Some(v) = patch.description {
        model.description = Set(v);
    }
    if let Some(v) = patch.unit_price {
        model.unit_price = Set(DecimalText(v));
    }
    if let Some(v) = patch.currency_code {
        model.currency_code = Set(v);
    }
    if let Some(v) = patch.vat_percent {
        model.vat_percent = Set(DecimalText(v));
    }
    if let Some(v) = patch.setup_fee {
        model.setup_fee = Set(DecimalText(v));
    }
    if let Some(v) = patch.is_addon {
        model.is_addon = Set(v);
    }
    if let Some(v) = patch.allow_multiple {
        model.allow_multiple = Set(v);
    }
    if let Some(v) = patch.interval {
        model.interval = Set(v.canonical());
    }
    if let Some(v) = patch.trial {
        model.trial = Set(v.map(|i| i.canonical()));
    }
    if let Some(v) = patch.duration {
        model.duration = Set(v);
    }
    if let Some(v) = patch.cancellation {
        model.cancellation = Set(v.map(|i| i.canonical()));
    }
    if let Some(v) = patch.features {
        model.features = Set(v);
    }
    if let Some(v) = patch.translations {
        model.translations = Set(v);
    }
    if let Some(v) = patch.tags {
        model.tags = Set(tags_text(&v));
    }
}

/// Creates an article; the number must be new in this tenant.
pub async fn create(ctx: &WriteCtx, article_number: String, patch: ArticlePatch) -> AppResult<Model> {
    let title = patch.title.clone().ok_or_else(|| AppError::invalid("TITLE", "required"))?;
    let unit_price = patch.unit_price.ok_or_else(|| AppError::invalid("UNIT_PRICE", "required"))?;
    let mut model = ActiveModel {
        id: NotSet,
        tenant_id: Set(ctx.tenant.id.get()),
        article_number: Set(article_number.clone()),
        title: Set(title),
        description: Set(None),
        unit_price: Set(DecimalText(unit_price)),
        currency_code: Set(ctx.settings.billing.default_currency.clone()),
        vat_percent: Set(DecimalText(Decimal::ZERO)),
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
        created: Set(ctx.now),
        updated: Set(ctx.now),
        deleted: Set(None),
    };
    apply(&mut model, patch);
    let id = Entity::insert(model)
        .exec(&ctx.db)
        .await
        .or_conflict("ARTICLE_NUMBER", "an article with this ARTICLE_NUMBER exists")?
        .last_insert_id;
    events::append(ctx, "article", id, "article.created", serde_json::json!({"ARTICLE_NUMBER": article_number}))
        .await?;
    get_one(ctx, &article_number).await
}

/// Changes an article. Running subscriptions keep the terms they were sold
/// with until they are changed themselves.
pub async fn update(ctx: &WriteCtx, article_number: &str, patch: ArticlePatch) -> AppResult<Model> {
    let current = get_one(ctx, article_number).await?;
    let id = current.id;
    let mut model: ActiveModel = current.into();
    apply(&mut model, patch);
    model.updated = Set(ctx.now);
    Entity::update(model).filter(Column::TenantId.eq(ctx.tenant.id.get())).exec(&ctx.db).await?;
    events::append(ctx, "article", id, "article.updated", serde_json::json!({"ARTICLE_NUMBER": article_number}))
        .await?;
    get_one(ctx, article_number).await
}

/// Deletes an article no running subscription uses. Its number is released (renamed to `<number>#<id>`)
/// so it can be used again; the row stays for the history.
pub async fn delete(ctx: &WriteCtx, article_number: &str) -> AppResult<()> {
    let current = get_one(ctx, article_number).await?;
    if super::subscription::article_in_use(ctx, article_number).await? {
        return Err(AppError::conflict_on("ARTICLE_NUMBER", "a subscription that is not closed uses this article"));
    }
    Entity::update_many()
        .col_expr(Column::Deleted, Expr::value(ctx.now))
        .col_expr(Column::ArticleNumber, Expr::value(format!("{}#{}", current.article_number, current.id)))
        .filter(Column::TenantId.eq(ctx.tenant.id.get()))
        .filter(Column::Id.eq(current.id))
        .exec(&ctx.db)
        .await?;
    events::append(
        ctx,
        "article",
        current.id,
        "article.deleted",
        serde_json::json!({"ARTICLE_NUMBER": article_number}),
    )
    .await?;
    Ok(())
}

/// One live article by number, or 1004.
pub async fn get_one<C: ConnectionTrait>(ctx: &Ctx<C>, article_number: &str) -> AppResult<Model> {
    ctx.find::<Entity>()
        .filter(Column::ArticleNumber.eq(article_number))
        .filter(Column::Deleted.is_null())
        .one(&ctx.db)
        .await?
        .or_not_found("ARTICLE_NUMBER", "article")
}

/// The live articles with the given numbers.
pub async fn find_numbers<C: ConnectionTrait>(ctx: &Ctx<C>, numbers: Vec<String>) -> AppResult<Vec<Model>> {
    if numbers.is_empty() {
        return Ok(Vec::new());
    }
    Ok(ctx
        .find::<Entity>()
        .filter(Column::ArticleNumber.is_in(numbers))
        .filter(Column::Deleted.is_null())
        .all(&ctx.db)
        .await?)
}

/// A page of articles matching every filter, by id.
pub async fn find<C: ConnectionTrait>(
    ctx: &Ctx<C>,
    filter: ArticleFilter,
    limit: u64,
    offset: u64,
) -> AppResult<Vec<Model>> {
    let mut query = ctx.find::<Entity>().filter(Column::Deleted.is_null());
    if let Some(number) = filter.article_number {
        query = query.filter(Column::ArticleNumber.eq(number));
    }
    if let Some(is_addon) = filter.is_addon {
        query = query.filter(Column::IsAddon.eq(is_addon));
    }
    for tag in filter.tags {
        let pattern = format!("%,{},%", escape_like(&tag));
        query = query.filter(Expr::col(Column::Tags).like(LikeExpr::new(pattern).escape('\\')));
    }
    Ok(query.order_by_asc(Column::Id).limit(limit).offset(offset).all(&ctx.db).await?)
}

/// The tags of an article as a list.
pub fn tags(model: &Model) -> Vec<String> {
    model.tags.as_deref().unwrap_or("").split(',').filter(|t| !t.is_empty()).map(str::to_owned).collect()
}

/// The stored billing interval of a plan; unreadable is an internal error, never a guess.
pub fn interval(model: &Model) -> AppResult<Interval> {
    Interval::parse(&model.interval).ok_or_else(|| {
        AppError::internal(format!("article {}: stored interval {:?} is unreadable", model.id, model.interval))
    })
}

/// The stored trial length of a plan, if any.
pub fn trial(model: &Model) -> AppResult<Option<Interval>> {
    model
        .trial
        .as_deref()
        .map(|t| {
            Interval::parse(t)
                .ok_or_else(|| AppError::internal(format!("article {}: stored trial {t:?} is unreadable", model.id)))
        })
        .transpose()
}
