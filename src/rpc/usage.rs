//! `subscription.*usagedata` handlers.

use serde_json::json;

use super::Reply;
use super::envelope::Envelope;
use super::subscription::price;
use super::wire::{self, reply};
use crate::error::AppResult;
use crate::service::usage::{self as service, NewUsage};
use crate::service::{ReadCtx, WriteCtx};

/// The tags of `subscription.setusagedata`.
pub fn parse_set(env: &mut Envelope) -> AppResult<NewUsage> {
    let d = &mut env.data;
    Ok(NewUsage {
        subscription_id: d.require_id("SUBSCRIPTION_ID")?,
        article_number: d.require_text("ARTICLE_NUMBER")?,
        quantity: d.positive("QUANTITY")?.unwrap_or(rust_decimal::Decimal::ONE),
        unit_price: price(d, "UNIT_PRICE")?,
        description: d.text("DESCRIPTION")?,
        currency_code: d.currency("CURRENCY_CODE")?,
        usage_date: d.datetime("USAGE_DATE")?,
    })
}

/// The answer of `subscription.setusagedata`.
pub fn set_reply(row: &entity::usage_record::Model, dry_run: bool) -> AppResult<Reply> {
    reply(&json!({ "STATUS": "success", "USAGEDATA_ID": (!dry_run).then_some(row.id) }))
}

/// `subscription.setusagedata`.
pub async fn set(ctx: &WriteCtx, env: &mut Envelope) -> AppResult<Reply> {
    let input = parse_set(env)?;
    env.finish()?;
    let row = service::record(ctx, input).await?;
    set_reply(&row, ctx.dry_run)
}

/// `subscription.getusagedata`.
pub async fn get(ctx: &ReadCtx, env: &mut Envelope) -> AppResult<Reply> {
    let f = &mut env.filter;
    let id = f.require_id("SUBSCRIPTION_ID")?;
    let start = f.datetime("START")?;
    let end = f.datetime("END")?;
    env.finish()?;
    let rows = service::list(ctx, id, start, end, env.limit(), env.offset()).await?;
    let list: Vec<_> = rows
        .iter()
        .map(|u| {
            json!({
                "USAGEDATA_ID": u.id,
                "CUSTOMER_ID": u.customer_id,
                "SUBSCRIPTION_ID": u.subscription_id,
                "ARTICLE_NUMBER": u.article_number,
                "QUANTITY": wire::quantity(u.quantity.0),
                "UNIT_PRICE": wire::price(u.unit_price.0, &u.currency_code),
                "DESCRIPTION": u.description,
                "CURRENCY_CODE": u.currency_code,
                "STATUS": if u.invoice_id.is_some() { "invoiced" } else { "open" },
                "INVOICE_ID": u.invoice_id,
                "USAGE_DATE": wire::datetime(u.usage_date),
                "CREATED": wire::datetime(u.created),
            })
        })
        .collect();
    wire::list("USAGEDATA", &list)
}

/// `subscription.deleteusagedata`.
pub async fn delete(ctx: &WriteCtx, env: &mut Envelope) -> AppResult<Reply> {
    let id = env.data.require_id("USAGEDATA_ID")?;
    env.finish()?;
    service::delete(ctx, id).await?;
    wire::success()
}
