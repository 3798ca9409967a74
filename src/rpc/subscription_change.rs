//! Handlers for plan, quantity and add-on changes and pauses.

use serde_json::{Value, json};

use super::Reply;
use super::envelope::Envelope;
use super::subscription::{parse_addons, price, with_invoice};
use super::tags::Tags;
use super::wire::{self, reply};
use crate::error::{AppError, AppResult};
use crate::service::subscription::addons::AddonRequest;
use crate::service::subscription::changes::{self, ArticleChange, QuantityChange};
use crate::service::subscription::pauses::{self, NewPause};
use crate::service::subscription::{Changed, plan_change};
use crate::service::{ReadCtx, WriteCtx};

fn change_reply(ctx: &WriteCtx, changed: &Changed) -> AppResult<Reply> {
    let upcoming = plan_change::upcoming(&changed.sub)?;
    let mut body = serde_json::Map::new();
    body.insert("STATUS".into(), json!("success"));
    body.insert("SUBSCRIPTION_ID".into(), json!(changed.sub.id));
    body.insert("CHANGE".into(), json!(if upcoming.is_some() { "scheduled" } else { "immediate" }));
    body.insert(
        "EFFECTIVE_DATE".into(),
        json!(upcoming.map_or_else(|| wire::datetime(ctx.now), |u| wire::datetime(u.effective()))),
    );
    with_invoice(ctx, body, &changed.invoices)
}

/// `subscription.changearticle`.
pub async fn change_article(ctx: &WriteCtx, env: &mut Envelope) -> AppResult<Reply> {
    let d = &mut env.data;
    let id = d.require_id("SUBSCRIPTION_ID")?;
    let change = ArticleChange {
        article_number: d.require_text("ARTICLE_NUMBER")?,
        quantity: d.positive("QUANTITY")?,
        title: d.text("TITLE")?,
        description: d.text("DESCRIPTION")?,
        unit_price: price(d, "UNIT_PRICE")?,
        reset_addons: d.boolean("RESET_ADDONS")?.unwrap_or(false),
        addons: parse_addons(d)?,
        coupon: d.text("COUPON")?,
        features: d.patch("FEATURES", Tags::json)?,
        suppress_bill_run: d.boolean("SUPPRESS_BILL_RUN")?.unwrap_or(false),
    };
    let currency = d.currency("CURRENCY_CODE")?;
    // No mail is ever sent, so FastBill's SUPPRESS_MAIL holds by construction.
    d.boolean("SUPPRESS_MAIL")?;
    env.finish()?;
    if let Some(currency) = currency {
        let sub = crate::service::subscription::get_one(ctx, id).await?;
        if currency != sub.currency_code {
            return Err(AppError::invalid("CURRENCY_CODE", format!("the subscription bills in {}", sub.currency_code)));
        }
    }
    let changed = changes::change_article(ctx, id, change).await?;
    change_reply(ctx, &changed)
}

/// `subscription.changequantity`.
pub async fn change_quantity(ctx: &WriteCtx, env: &mut Envelope) -> AppResult<Reply> {
    let d = &mut env.data;
    let id = d.require_id("SUBSCRIPTION_ID")?;
    let mut list = vec![QuantityChange {
        tag: "QUANTITY".into(),
        article_number: d.require_text("ARTICLE_NUMBER")?,
        quantity: d.non_negative("QUANTITY")?.ok_or_else(|| AppError::invalid("QUANTITY", "required"))?,
    }];
    if let Some(entries) = d.list("ADDONS")? {
        for (i, mut entry) in entries.into_iter().enumerate() {
            list.push(QuantityChange {
                tag: format!("ADDONS[{i}].QUANTITY"),
                article_number: entry.require_text("ARTICLE_NUMBER")?,
                quantity: entry
                    .non_negative("QUANTITY")?
                    .ok_or_else(|| AppError::invalid(format!("ADDONS[{i}].QUANTITY"), "required"))?,
            });
            entry.finish()?;
        }
    }
    env.finish()?;
    let changed = changes::change_quantity(ctx, id, list).await?;
    change_reply(ctx, &changed)
}

/// `subscription.setaddon`.
pub async fn set_addon(ctx: &WriteCtx, env: &mut Envelope) -> AppResult<Reply> {
    let d = &mut env.data;
    let id = d.require_id("SUBSCRIPTION_ID")?;
    let request = AddonRequest {
        tag: String::new(),
        article_number: d.require_text("ARTICLE_NUMBER")?,
        quantity: d.positive("QUANTITY")?.unwrap_or(rust_decimal::Decimal::ONE),
        title: d.text("TITLE")?,
        description: d.text("DESCRIPTION")?,
        unit_price: price(d, "UNIT_PRICE")?,
    };
    let suppress = d.boolean("SUPPRESS_BILL_RUN")?.unwrap_or(false);
    d.boolean("SUPPRESS_MAIL")?;
    env.finish()?;
    let changed = changes::set_addon(ctx, id, request, suppress).await?;
    change_reply(ctx, &changed)
}

fn pause_out(p: &entity::subscription_pause::Model, now: chrono::DateTime<chrono::Utc>) -> Value {
    let status = if p.ended || p.end.is_some_and(|e| e <= now) {
        "ended"
    } else if p.started {
        "running"
    } else {
        "scheduled"
    };
    json!({
        "PAUSE_ID": pauses::public_id(p),
        "SUBSCRIPTION_ID": p.subscription_id,
        "START_DATE": wire::datetime(p.start),
        "END_DATE": wire::opt_datetime(p.end),
        "CYCLES": p.cycles,
        "STATUS": status,
        "LOCKED": p.affected,
        "CREATED": wire::datetime(p.created),
    })
}

/// `subscription.pause`.
pub async fn pause(ctx: &WriteCtx, env: &mut Envelope) -> AppResult<Reply> {
    let d = &mut env.data;
    let ext_id = d.text("PAUSE_ID")?;
    if ext_id.as_ref().is_some_and(|e| e.bytes().all(|b| b.is_ascii_digit()) || e.len() > 100) {
        return Err(AppError::invalid("PAUSE_ID", "an own PAUSE_ID needs a non-digit and at most 100 characters"));
    }
    let input = NewPause {
        subscription_id: d.require_id("SUBSCRIPTION_ID")?,
        start: d.datetime("START_DATE")?,
        end: d.datetime("END_DATE")?,
        cycles: d.integer_in("CYCLES", 1, 1200)?.map(|c| c as u32),
        ext_id,
    };
    env.finish()?;
    let created = pauses::pause(ctx, input).await?;
    let mut out = pause_out(&created, ctx.now);
    out["STATUS"] = json!("success");
    if ctx.dry_run && created.ext_id.is_none() {
        out["PAUSE_ID"] = Value::Null;
    }
    reply(&out)
}

/// `subscription.unpause`.
pub async fn unpause(ctx: &WriteCtx, env: &mut Envelope) -> AppResult<Reply> {
    let id = env.data.require_id("SUBSCRIPTION_ID")?;
    env.finish()?;
    let ended = pauses::unpause(ctx, id).await?;
    reply(&json!({"STATUS": "success", "SUBSCRIPTION_ID": id, "PAUSE_ID": pauses::public_id(&ended)}))
}

/// `subscription.getpauses`.
pub async fn get_pauses(ctx: &ReadCtx, env: &mut Envelope) -> AppResult<Reply> {
    let id = env.filter.require_id("SUBSCRIPTION_ID")?;
    env.finish()?;
    let rows = pauses::list(ctx, id).await?;
    let list: Vec<Value> = rows.iter().map(|p| pause_out(p, ctx.now)).collect();
    wire::list("PAUSES", &list)
}

/// `subscription.deletepause`.
pub async fn delete_pause(ctx: &WriteCtx, env: &mut Envelope) -> AppResult<Reply> {
    let public = env.data.require_text("PAUSE_ID")?;
    let subscription_id = env.data.id("SUBSCRIPTION_ID")?;
    env.finish()?;
    pauses::delete(ctx, &public, subscription_id).await?;
    wire::success()
}
