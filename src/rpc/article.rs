//! `article.*` handlers.

use serde::Serialize;
use serde_json::json;

use super::Reply;
use super::envelope::Envelope;
use super::tags::Tags;
use super::wire::{self, reply};
use crate::error::{AppError, AppResult};
use crate::service::article::{self as service, ArticleFilter, ArticlePatch};
use crate::service::{ReadCtx, WriteCtx};

/// An article on the wire.
#[derive(Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct ArticleOut<'a> {
    article_id: i64,
    article_number: &'a str,
    title: &'a str,
    description: Option<&'a str>,
    unit_price: String,
    currency_code: &'a str,
    vat_percent: String,
    setup_fee: String,
    is_addon: bool,
    allow_multiple: bool,
    subscription_interval: &'a str,
    subscription_trial: Option<&'a str>,
    subscription_duration: Option<i32>,
    subscription_cancellation: Option<&'a str>,
    features: Option<&'a serde_json::Value>,
    translations: Option<&'a serde_json::Value>,
    tags: Vec<String>,
    created: String,
}

impl<'a> ArticleOut<'a> {
    /// Maps a stored article to its wire form.
    pub fn from(m: &'a entity::article::Model) -> Self {
        ArticleOut {
            article_id: m.id,
            article_number: &m.article_number,
            title: &m.title,
            description: m.description.as_deref(),
            unit_price: wire::price(m.unit_price.0, &m.currency_code),
            currency_code: &m.currency_code,
            vat_percent: wire::percent(m.vat_percent.0),
            setup_fee: wire::money(m.setup_fee.0, &m.currency_code),
            is_addon: m.is_addon,
            allow_multiple: m.allow_multiple,
            subscription_interval: &m.interval,
            subscription_trial: m.trial.as_deref(),
            subscription_duration: m.duration,
            subscription_cancellation: m.cancellation.as_deref(),
            features: m.features.as_ref(),
            translations: m.translations.as_ref(),
            tags: service::tags(m),
            created: wire::datetime(m.created),
        }
    }
}

fn parse_patch(d: &mut Tags) -> AppResult<ArticlePatch> {
    let unit_price = d.non_negative("UNIT_PRICE")?;
    if let Some(price) = unit_price {
        if price.scale() > crate::domain::money::UNIT_PRICE_DECIMALS
            && price.normalize().scale() > crate::domain::money::UNIT_PRICE_DECIMALS
        {
            return Err(AppError::invalid("UNIT_PRICE", "at most 4 decimals"));
        }
    }
    let vat_percent = d.non_negative("VAT_PERCENT")?;
    if vat_percent.is_some_and(|v| v > rust_decimal::Decimal::ONE_HUNDRED) {
        return Err(AppError::invalid("VAT_PERCENT", "must be between 0 and 100"));
    }
    let duration = match d.patch("SUBSCRIPTION_DURATION", |d, t| d.integer_in(t, 0, 1200))? {
        Some(Some(0)) => Some(None),
        Some(v) => Some(v.map(|n| n as i32)),
        None => None,
    };
    let title = d.text("TITLE")?;
    if title.as_ref().is_some_and(|t| t.len() > 500) {
        return Err(AppError::invalid("TITLE", "at most 500 characters"));
    }
    Ok(ArticlePatch {
        title,
        description: d.text_patch("DESCRIPTION")?,
        unit_price,
        currency_code: d.currency("CURRENCY_CODE")?,
        vat_percent,
        setup_fee: d.non_negative("SETUP_FEE")?,
        is_addon: d.boolean("IS_ADDON")?,
        allow_multiple: d.boolean("ALLOW_MULTIPLE")?,
        interval: d.interval("SUBSCRIPTION_INTERVAL")?,
        trial: d.patch("SUBSCRIPTION_TRIAL", Tags::interval)?,
        duration,
        cancellation: d.patch("SUBSCRIPTION_CANCELLATION", Tags::interval)?,
        features: d.patch("FEATURES", Tags::json)?,
        translations: d.patch("TRANSLATIONS", Tags::json)?,
        tags: d.strings("TAGS")?,
    })
}

fn article_number(d: &mut Tags) -> AppResult<String> {
    let number = d.require_text("ARTICLE_NUMBER")?;
    if number.len() > 100 || number.contains('#') {
        return Err(AppError::invalid("ARTICLE_NUMBER", "at most 100 characters, without '#'"));
    }
    Ok(number)
}

/// `article.get`.
pub async fn get(ctx: &ReadCtx, env: &mut Envelope) -> AppResult<Reply> {
    let f = &mut env.filter;
    let filter = ArticleFilter {
        article_number: f.text("ARTICLE_NUMBER")?,
        is_addon: f.boolean("IS_ADDON")?,
        tags: f.strings("TAGS")?.unwrap_or_default(),
    };
    env.finish()?;
    let rows = service::find(ctx, filter, env.limit(), env.offset()).await?;
    let articles: Vec<ArticleOut<'_>> = rows.iter().map(ArticleOut::from).collect();
    wire::list("ARTICLES", &articles)
}

/// `article.create`.
pub async fn create(ctx: &WriteCtx, env: &mut Envelope) -> AppResult<Reply> {
    let number = article_number(&mut env.data)?;
    let patch = parse_patch(&mut env.data)?;
    env.finish()?;
    let created = service::create(ctx, number, patch).await?;
    reply(
        &json!({ "STATUS": "success", "ARTICLE_ID": (!ctx.dry_run).then_some(created.id), "ARTICLE_NUMBER": created.article_number }),
    )
}

/// `article.update`.
pub async fn update(ctx: &WriteCtx, env: &mut Envelope) -> AppResult<Reply> {
    let number = article_number(&mut env.data)?;
    let patch = parse_patch(&mut env.data)?;
    env.finish()?;
    let updated = service::update(ctx, &number, patch).await?;
    reply(&json!({ "STATUS": "success", "ARTICLE_ID": updated.id, "ARTICLE_NUMBER": updated.article_number }))
}

/// `article.delete`.
pub async fn delete(ctx: &WriteCtx, env: &mut Envelope) -> AppResult<Reply> {
    let number = article_number(&mut env.data)?;
    env.finish()?;
    service::delete(ctx, &number).await?;
    wire::success()
}
