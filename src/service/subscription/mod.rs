//! Subscriptions: create, read, update. The life-cycle actions are in
//! `lifecycle`, scheduled plan changes in `plan_change`.

pub mod addons;
pub mod changes;
pub mod lifecycle;
pub mod pauses;
pub mod query;

pub use crate::billing::{plan_change, state};
pub use query::{SubscriptionFilter, article_in_use, customer_has_running, find, get_one};

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rand::RngCore;
use rand::rngs::OsRng;
use rust_decimal::Decimal;
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, NotSet};
use serde_json::json;

use super::{WriteCtx, article, customer, events};
use crate::billing::engine;
use crate::domain::lifecycle::{Action, Status, allows, refusal};
use crate::error::{AppError, AppResult, DbResultExt};
use crate::service::invoice::Issued;
use addons::AddonRequest;
use entity::DecimalText;
use entity::subscription::{Entity, Model};

/// What `subscription.create` asks for.
#[derive(Debug, Default)]
pub struct NewSubscription {
    pub customer_id: i64,
    pub article_number: String,
    pub quantity: Option<Decimal>,
    pub ext_uid: Option<String>,
    pub title: Option<String>,
    pub unit_price: Option<Decimal>,
    pub currency_code: Option<String>,
    pub description: Option<String>,
    pub invoice_title: Option<String>,
    pub start: Option<DateTime<Utc>>,
    pub next_event: Option<DateTime<Utc>>,
    pub cancellation_date: Option<DateTime<Utc>>,
    pub coupon: Option<String>,
    pub addons: Vec<AddonRequest>,
    pub features: Option<serde_json::Value>,
    pub x_attributes: Option<BTreeMap<String, String>>,
}

/// A subscription with the invoices a change issued.
#[derive(Debug)]
pub struct Changed {
    pub sub: Model,
    pub invoices: Vec<Issued>,
}

/// Creates a subscription and bills what is due at once (the first period,
/// unless a trial or a future start applies).
pub async fn create(ctx: &WriteCtx, input: NewSubscription) -> AppResult<Changed> {
    let customer = customer::get_one(ctx, input.customer_id).await?;
    let plan = article::get_one(ctx, &input.article_number).await?;
    if plan.is_addon {
        return Err(AppError::invalid(
            "ARTICLE_NUMBER",
            "is an add-on; subscribe to a plan and book add-ons with ADDONS",
        ));
    }
    let currency = match (&input.currency_code, input.unit_price) {
        (Some(code), None) if *code != plan.currency_code => {
            return Err(AppError::invalid(
                "CURRENCY_CODE",
                format!("the article is priced in {}; give UNIT_PRICE to bill in {code}", plan.currency_code),
            ));
        }
        (Some(code), _) => code.clone(),
        (None, _) => plan.currency_code.clone(),
    };
    if let Some(paying) = &customer.currency_code
        && *paying != currency
    {
        return Err(AppError::invalid(
            "CURRENCY_CODE",
            format!("the customer pays in {paying}, the subscription would bill in {currency}"),
        ));
    }
    let addons = addons::resolve(ctx, &input.addons, &currency).await?;
    let redeemed = match &input.coupon {
        Some(code) => Some(super::coupon::redeem(ctx, code, &plan.article_number, &currency).await?),
        None => None,
    };
    let interval = article::interval(&plan)?;
    let start = input.start.unwrap_or(ctx.now);
    let trial_end = article::trial(&plan)?.and_then(|t| t.after(start));
    let anchor = input.next_event.or(trial_end).unwrap_or(start);
    if anchor < start {
        return Err(AppError::invalid("NEXT_EVENT", "must not be before START_DATE"));
    }
    if let Some(cancel_at) = input.cancellation_date
        && cancel_at < ctx.now.max(start)
    {
        return Err(AppError::invalid("CANCELLATION_DATE", "must not be before the start or in the past"));
    }
    let status = if start > ctx.now {
        Status::Planned
    } else if input.cancellation_date.is_some() {
        Status::Canceled
    } else if trial_end.is_some_and(|t| t > ctx.now) {
        Status::Trial
    } else {
        Status::Active
    };
    let mut public_hash = [0u8; 16];
    OsRng.fill_bytes(&mut public_hash);
    let mut row = Model {
        id: 0,
        tenant_id: ctx.tenant.id.get(),
        customer_id: customer.id,
        subscription_ext_uid: input.ext_uid,
        article_id: plan.id,
        article_number: plan.article_number.clone(),
        title: input.title.unwrap_or_else(|| plan.title.clone()),
        description: input.description.or_else(|| plan.description.clone()),
        invoice_title: input.invoice_title,
        unit_price: DecimalText(input.unit_price.unwrap_or(plan.unit_price.0)),
        currency_code: currency,
        vat_percent: plan.vat_percent,
        quantity: DecimalText(input.quantity.unwrap_or(Decimal::ONE)),
        interval: interval.canonical(),
        setup_fee: plan.setup_fee,
        setup_billed: false,
        status: status.as_str().to_owned(),
        close_reason: None,
        start,
        anchor,
        periods_since_anchor: 0,
        term_periods: 0,
        duration: plan.duration,
        notice: plan.cancellation.clone(),
        next_event: Some(anchor),
        last_event: None,
        due_at: None,
        pause_due: None,
        trial_end,
        cancellation_date: input.cancellation_date,
        cancellation_note: None,
        expiration_date: None,
        closed_at: None,
        addons: json!(addons),
        plan_upcoming: None,
        pending_lines: None,
        coupon: None,
        coupon_state: None,
        discounts: None,
        features: input.features.or_else(|| plan.features.clone()),
        x_attributes: input.x_attributes.map(|m| json!(m)),
        public_hash: hex::encode(public_hash),
        version: 1,
        created: ctx.now,
        updated: ctx.now,
    };
    if let Some(r) = &redeemed {
        crate::billing::discounts::set_coupon(&mut row, &r.held);
    }
    state::refresh_expiration(&mut row)?;
    row.due_at = state::due_at(&row);
    let mut active = row.clone().into_active_model().reset_all();
    active.id = NotSet;
    let id = Entity::insert(active)
        .exec(&ctx.db)
        .await
        .or_conflict("SUBSCRIPTION_EXT_UID", "a subscription with this SUBSCRIPTION_EXT_UID exists")?
        .last_insert_id;
    row.id = id;
    events::append(
        ctx,
        "subscription",
        id,
        "subscription.created",
        json!({"ARTICLE_NUMBER": row.article_number, "QUANTITY": row.quantity.0.to_string(), "STATUS": row.status}),
    )
    .await?;
    if let Some(r) = &redeemed {
        super::coupon::redeemed_event(ctx, r, id).await?;
    }
    let (sub, invoices, _) = engine::step_now(ctx, row, ctx.now).await?;
    Ok(Changed { sub, invoices })
}

/// What `subscription.update` may change.
#[derive(Debug, Default)]
pub struct SubscriptionPatch {
    pub next_event: Option<DateTime<Utc>>,
    pub ext_uid: Option<Option<String>>,
    pub x_attributes: Option<Option<BTreeMap<String, String>>>,
    pub features: Option<Option<serde_json::Value>>,
    /// The HASH the caller last saw; a stale one is refused.
    pub hash: Option<String>,
}

/// Applies `patch`. Moving `NEXT_EVENT` re-anchors billing on that date.
pub async fn update(ctx: &WriteCtx, id: i64, patch: SubscriptionPatch) -> AppResult<Model> {
    let mut sub = get_one(ctx, id).await?;
    if let Some(hash) = &patch.hash
        && *hash != state::hash(&sub)
    {
        return Err(AppError::conflict_on("HASH", "stale HASH: the subscription changed since it was read"));
    }
    let status = state::status(&sub)?;
    let mut changed = Vec::new();
    if let Some(next) = patch.next_event {
        if !allows(status, Action::SetNextEvent) {
            return Err(AppError::conflict(refusal(status, Action::SetNextEvent)));
        }
        if next < ctx.now {
            return Err(AppError::invalid("NEXT_EVENT", "must not be in the past"));
        }
        sub.anchor = next;
        sub.periods_since_anchor = 0;
        sub.next_event = Some(next);
        state::refresh_expiration(&mut sub)?;
        changed.push("NEXT_EVENT");
    }
    if let Some(uid) = patch.ext_uid {
        sub.subscription_ext_uid = uid;
        changed.push("SUBSCRIPTION_EXT_UID");
    }
    if let Some(attributes) = patch.x_attributes {
        sub.x_attributes = attributes.map(|m| json!(m));
        changed.push("X_ATTRIBUTES");
    }
    if let Some(features) = patch.features {
        sub.features = features;
        changed.push("FEATURES");
    }
    let sub = state::save(ctx, sub).await?;
    events::append(ctx, "subscription", id, "subscription.updated", json!({"CHANGED": changed})).await?;
    Ok(sub)
}
