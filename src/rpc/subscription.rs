//! `subscription.*` handlers for reading, creating and updating.

use serde_json::{Map, Value, json};

use super::Reply;
use super::envelope::Envelope;
use super::invoice_wire::InvoiceOut;
use super::subscription_wire::SubscriptionOut;
use super::tags::Tags;
use super::wire::{self, reply};
use crate::db::scope::Scope;
use crate::domain::lifecycle::Status;
use crate::error::{AppError, AppResult};
use crate::service::invoice::Issued;
use crate::service::subscription::addons::AddonRequest;
use crate::service::subscription::{self as service, NewSubscription, SubscriptionFilter, SubscriptionPatch, state};
use crate::service::{Ctx, ReadCtx, WriteCtx};

/// `ADDONS`: `[{ARTICLE_NUMBER, QUANTITY, TITLE, DESCRIPTION, UNIT_PRICE}]`.
pub fn parse_addons(d: &mut Tags) -> AppResult<Vec<AddonRequest>> {
    let Some(entries) = d.list("ADDONS")? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::with_capacity(entries.len());
    for (i, mut entry) in entries.into_iter().enumerate() {
        let tag = format!("ADDONS[{i}]");
        let request = AddonRequest {
            article_number: entry.require_text("ARTICLE_NUMBER")?,
            quantity: entry.positive("QUANTITY")?.unwrap_or(rust_decimal::Decimal::ONE),
            title: entry.text("TITLE")?,
            description: entry.text("DESCRIPTION")?,
            unit_price: price(&mut entry, "UNIT_PRICE")?,
            tag,
        };
        entry.finish()?;
        out.push(request);
    }
    Ok(out)
}

/// A unit price: not negative, at most four decimals.
pub fn price(d: &mut Tags, tag: &str) -> AppResult<Option<rust_decimal::Decimal>> {
    let value = d.non_negative(tag)?;
    if value.is_some_and(|p| p.normalize().scale() > crate::domain::money::UNIT_PRICE_DECIMALS) {
        return Err(AppError::invalid(tag, "at most 4 decimals"));
    }
    Ok(value)
}

/// The invoice id a write answers and, for dry runs, the invoice it would issue.
pub fn with_invoice<C>(ctx: &Ctx<C>, mut body: Map<String, Value>, invoices: &[Issued]) -> AppResult<Reply> {
    let first = invoices.first();
    body.insert("INVOICE_ID".into(), json!(if ctx.dry_run { None } else { first.map(|i| i.invoice.id) }));
    if ctx.dry_run {
        let preview = first.map(|i| InvoiceOut::from(i, ctx.now).preview());
        body.insert(
            "INVOICE_PREVIEW".into(),
            serde_json::to_value(preview).map_err(|e| AppError::internal(e.to_string()))?,
        );
    }
    reply(&Value::Object(body))
}

/// `subscription.get`.
pub async fn get(ctx: &ReadCtx, env: &mut Envelope) -> AppResult<Reply> {
    let f = &mut env.filter;
    let status = match f.text("STATUS")? {
        None => None,
        Some(s) => Some(Status::parse(&s.to_ascii_lowercase()).ok_or_else(|| {
            AppError::invalid("STATUS", "must be planned, trial, active, paused, canceled or closed")
        })?),
    };
    let filter = SubscriptionFilter {
        subscription_id: f.id("SUBSCRIPTION_ID")?,
        customer_id: f.id("CUSTOMER_ID")?,
        ext_uid: f.text("SUBSCRIPTION_EXT_UID")?,
        customer_ext_uid: f.text("CUSTOMER_EXT_UID")?,
        status,
        article_number: f.text("ARTICLE_NUMBER")?,
        next_event: (f.datetime("NEXT_EVENT_FROM")?, f.datetime("NEXT_EVENT_TO")?),
        last_event: (f.datetime("LAST_EVENT_FROM")?, f.datetime("LAST_EVENT_TO")?),
        created: (f.datetime("CREATED_FROM")?, f.datetime("CREATED_TO")?),
    };
    env.finish()?;
    if let (Some(id), 0) = (filter.only_id(), env.offset()) {
        return by_id_cached(ctx, id).await;
    }
    let rows = service::find(ctx, filter, env.limit(), env.offset()).await?;
    let list = rows.iter().map(SubscriptionOut::from).collect::<AppResult<Vec<_>>>()?;
    wire::list("SUBSCRIPTIONS", &list)
}

/// `subscription.get` of one id, through the object cache (see `cache`).
async fn by_id_cached(ctx: &ReadCtx, id: i64) -> AppResult<Reply> {
    let cache = &ctx.state.objects;
    let tenant = ctx.tenant.id.get();
    let object = match cache.get(tenant, id) {
        Some(object) => object,
        None => {
            let epoch = cache.epoch();
            let Some(row) = ctx.by_id::<entity::subscription::Entity, _>(&ctx.db, id).await? else {
                return wire::list::<SubscriptionOut<'_>>("SUBSCRIPTIONS", &[]);
            };
            let text =
                serde_json::to_string(&SubscriptionOut::from(&row)?).map_err(|e| AppError::internal(e.to_string()))?;
            let object: std::sync::Arc<str> = text.into();
            cache.put(tenant, id, epoch, object.clone());
            object
        }
    };
    serde_json::value::RawValue::from_string(format!("{{\"SUBSCRIPTIONS\":[{object}]}}"))
        .map_err(|e| AppError::internal(e.to_string()))
}

/// `subscription.create`.
pub async fn create(ctx: &WriteCtx, env: &mut Envelope) -> AppResult<Reply> {
    let d = &mut env.data;
    let start = match d.datetime("START_DATE")? {
        Some(start) => Some(start),
        // FastBill clients send START.
        None => d.datetime("START")?,
    };
    let input = NewSubscription {
        customer_id: d.require_id("CUSTOMER_ID")?,
        article_number: d.require_text("ARTICLE_NUMBER")?,
        quantity: d.positive("QUANTITY")?,
        ext_uid: d.text("SUBSCRIPTION_EXT_UID")?,
        title: d.text("TITLE")?,
        unit_price: price(d, "UNIT_PRICE")?,
        currency_code: d.currency("CURRENCY_CODE")?,
        description: d.text("DESCRIPTION")?,
        invoice_title: d.text("INVOICE_TITLE")?,
        start,
        next_event: d.datetime("NEXT_EVENT")?,
        cancellation_date: d.datetime("CANCELLATION_DATE")?,
        coupon: d.text("COUPON")?,
        addons: parse_addons(d)?,
        features: d.json("FEATURES")?,
        x_attributes: d.x_attributes("X_ATTRIBUTES")?,
    };
    env.finish()?;
    let created = service::create(ctx, input).await?;
    let body = json!({
        "STATUS": "success",
        "SUBSCRIPTION_ID": (!ctx.dry_run).then_some(created.sub.id),
        "HASH": (!ctx.dry_run).then(|| state::hash(&created.sub)),
    });
    with_invoice(ctx, wire::object(body), &created.invoices)
}

/// `subscription.update`.
pub async fn update(ctx: &WriteCtx, env: &mut Envelope) -> AppResult<Reply> {
    let d = &mut env.data;
    let id = d.require_id("SUBSCRIPTION_ID")?;
    let patch = SubscriptionPatch {
        next_event: d.datetime("NEXT_EVENT")?,
        ext_uid: d.patch("SUBSCRIPTION_EXT_UID", Tags::text)?,
        x_attributes: d.patch("X_ATTRIBUTES", Tags::x_attributes)?,
        features: d.patch("FEATURES", Tags::json)?,
        hash: d.text("HASH")?,
    };
    env.finish()?;
    let sub = service::update(ctx, id, patch).await?;
    reply(&json!({ "STATUS": "success", "SUBSCRIPTION_ID": sub.id, "HASH": state::hash(&sub) }))
}
