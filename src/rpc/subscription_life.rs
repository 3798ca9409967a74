//! `subscription.*` life-cycle handlers, previews and the timeline.

use serde_json::json;

use super::Reply;
use super::envelope::Envelope;
use super::invoice_wire::QuoteOut;
use super::subscription::{parse_addons, with_invoice};
use super::wire::{self, reply};
use crate::error::AppResult;
use crate::service::subscription::lifecycle;
use crate::service::{ReadCtx, WriteCtx, events, quote};

/// `subscription.cancel`.
pub async fn cancel(ctx: &WriteCtx, env: &mut Envelope) -> AppResult<Reply> {
    let d = &mut env.data;
    let id = d.require_id("SUBSCRIPTION_ID")?;
    let date = d.datetime("CANCELLATION_DATE")?;
    let note = d.text("CANCELLATION_NOTE")?;
    env.finish()?;
    let sub = lifecycle::cancel(ctx, id, date, note).await?;
    reply(&json!({
        "STATUS": "success",
        "SUBSCRIPTION_ID": sub.id,
        "CANCELLATION_DATE": wire::opt_datetime(sub.cancellation_date),
    }))
}

/// `subscription.reactivate`.
pub async fn reactivate(ctx: &WriteCtx, env: &mut Envelope) -> AppResult<Reply> {
    let id = env.data.require_id("SUBSCRIPTION_ID")?;
    env.finish()?;
    let changed = lifecycle::reactivate(ctx, id).await?;
    let body =
        json!({"STATUS": "success", "SUBSCRIPTION_ID": changed.sub.id, "SUBSCRIPTION_STATUS": changed.sub.status});
    with_invoice(ctx, wire::object(body), &changed.invoices)
}

/// `subscription.terminate`.
pub async fn terminate(ctx: &WriteCtx, env: &mut Envelope) -> AppResult<Reply> {
    let id = env.data.require_id("SUBSCRIPTION_ID")?;
    let credit = env.data.boolean("CREDIT_UNUSED")?.unwrap_or(false);
    env.finish()?;
    let changed = lifecycle::terminate(ctx, id, credit).await?;
    let body = json!({"STATUS": "success", "SUBSCRIPTION_ID": changed.sub.id});
    with_invoice(ctx, wire::object(body), &changed.invoices)
}

/// `subscription.postpone`.
pub async fn postpone(ctx: &WriteCtx, env: &mut Envelope) -> AppResult<Reply> {
    let id = env.data.require_id("SUBSCRIPTION_ID")?;
    let months = env.data.integer_in("MONTH", 1, 12)?;
    let months = months.ok_or_else(|| crate::error::AppError::invalid("MONTH", "required"))?;
    env.finish()?;
    let sub = lifecycle::postpone(ctx, id, months as u32).await?;
    reply(&json!({"STATUS": "success", "SUBSCRIPTION_ID": sub.id, "NEXT_EVENT": wire::opt_datetime(sub.next_event)}))
}

/// `subscription.renew`.
pub async fn renew(ctx: &WriteCtx, env: &mut Envelope) -> AppResult<Reply> {
    let id = env.data.require_id("SUBSCRIPTION_ID")?;
    env.finish()?;
    let changed = lifecycle::renew(ctx, id).await?;
    let body = json!({"STATUS": "success", "SUBSCRIPTION_ID": changed.sub.id});
    with_invoice(ctx, wire::object(body), &changed.invoices)
}

/// `subscription.getupcomingamount`: a quote before purchase, or the next
/// invoice of a subscription.
pub async fn upcoming_amount(ctx: &ReadCtx, env: &mut Envelope) -> AppResult<Reply> {
    let d = &mut env.data;
    let priced = match d.id("SUBSCRIPTION_ID")? {
        Some(id) => {
            env.finish()?;
            let (priced, next) = quote::next_invoice(ctx, id).await?;
            let mut out = serde_json::to_value(QuoteOut::from(&priced))
                .map_err(|e| crate::error::AppError::internal(e.to_string()))?;
            out["NEXT_EVENT"] = json!(wire::opt_datetime(next));
            out["SUBSCRIPTION_ID"] = json!(id);
            return reply(&out);
        }
        None => {
            let request = quote::QuoteRequest {
                article_number: d.require_text("ARTICLE_NUMBER")?,
                quantity: d.positive("QUANTITY")?.unwrap_or(rust_decimal::Decimal::ONE),
                coupon: d.text("COUPON")?,
                country_code: d.country("COUNTRY_CODE")?,
                addons: parse_addons(d)?,
            };
            env.finish()?;
            quote::purchase(ctx, request).await?
        }
    };
    reply(&QuoteOut::from(&priced))
}

/// `subscription.gettimeline`: newest first.
pub async fn timeline(ctx: &ReadCtx, env: &mut Envelope) -> AppResult<Reply> {
    let id = env.filter.require_id("SUBSCRIPTION_ID")?;
    env.finish()?;
    crate::service::subscription::get_one(ctx, id).await?;
    let rows = events::list(ctx, "subscription", id, env.limit(), env.offset()).await?;
    let list: Vec<_> = rows
        .iter()
        .map(|e| json!({"EVENT_ID": e.id, "TYPE": e.event_type, "CREATED": wire::datetime(e.created), "DATA": e.data}))
        .collect();
    wire::list("EVENTS", &list)
}
