//! `subscription.create`: checks what is asked for against the plan and the customer, builds the row,
//! stores it with its events and bills what is due at once.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rand::RngCore;
use rand::rngs::OsRng;
use rust_decimal::Decimal;
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, NotSet};
use serde_json::json;

use super::super::coupon::Redeemed;
use super::super::{WriteCtx, article, customer, events};
use super::{Changed, addons, state};
use crate::billing::engine;
use crate::domain::lifecycle::Status;
use crate::error::{AppError, AppResult, DbResultExt};
use addons::AddonRequest;
use entity::DecimalText;
use entity::subscription::{Entity, Model};
use entity::{article as article_row, customer as customer_row};

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

/// When the subscription starts, ends its trial, first falls due, and the status that gives it now.
struct Schedule {
    start: DateTime<Utc>,
    trial_end: Option<DateTime<Utc>>,
    anchor: DateTime<Utc>,
    status: Status,
}

/// Creates a subscription and bills what is due at once (the first period,
/// unless a trial or a future start applies).
pub async fn create(ctx: &WriteCtx, input: NewSubscription) -> AppResult<Changed> {
    let customer = customer::get_one(ctx, input.customer_id).await?;
    super::super::blacklist::refuse_listed(ctx, &customer).await?;
    let plan = article::get_one(ctx, &input.article_number).await?;
    if plan.is_addon {
        return Err(AppError::invalid(
            "ARTICLE_NUMBER",
            "is an add-on; subscribe to a plan and book add-ons with ADDONS",
        ));
    }
    let currency = billing_currency(&input, &plan, &customer)?;
    let addons = addons::resolve(ctx, &input.addons, &currency).await?;
    let redeemed = match &input.coupon {
        Some(code) => Some(super::super::coupon::redeem(ctx, code, &plan.article_number, &currency).await?),
        None => None,
    };
    let schedule = schedule(&input, &plan, ctx.now)?;
    let mut row = new_row(ctx, input, &plan, customer.id, currency, schedule, json!(addons))?;
    if let Some(r) = &redeemed {
        crate::billing::discounts::set_coupon(&mut row, &r.held);
    }
    state::refresh_expiration(&mut row)?;
    row.due_at = state::due_at(&row);
    row.id = insert(ctx, &row, redeemed.as_ref()).await?;
    let (sub, invoices, _) = engine::step_now(ctx, row, ctx.now).await?;
    Ok(Changed { sub, invoices })
}

/// The currency the subscription bills in: the plan's, or CURRENCY_CODE with its own UNIT_PRICE; it
/// must be the one the customer pays in, when the customer has one.
fn billing_currency(
    input: &NewSubscription,
    plan: &article_row::Model,
    customer: &customer_row::Model,
) -> AppResult<String> {
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
    Ok(currency)
}

fn schedule(input: &NewSubscription, plan: &article_row::Model, now: DateTime<Utc>) -> AppResult<Schedule> {
    let start = input.start.unwrap_or(now);
    let trial_end = article::trial(plan)?.and_then(|t| t.after(start));
    let anchor = input.next_event.or(trial_end).unwrap_or(start);
    if anchor < start {
        return Err(AppError::invalid("NEXT_EVENT", "must not be before START_DATE"));
    }
    if let Some(cancel_at) = input.cancellation_date
        && cancel_at < now.max(start)
    {
        return Err(AppError::invalid("CANCELLATION_DATE", "must not be before the start or in the past"));
    }
    let status = if start > now {
        Status::Planned
    } else if input.cancellation_date.is_some() {
        Status::Canceled
    } else if trial_end.is_some_and(|t| t > now) {
        Status::Trial
    } else {
        Status::Active
    };
    Ok(Schedule { start, trial_end, anchor, status })
}

fn new_row(
    ctx: &WriteCtx,
    input: NewSubscription,
    plan: &article_row::Model,
    customer_id: i64,
    currency: String,
    schedule: Schedule,
    addons: serde_json::Value,
) -> AppResult<Model> {
    let mut public_hash = [0u8; 16];
    OsRng.fill_bytes(&mut public_hash);
    let Schedule { start, trial_end, anchor, status } = schedule;
    Ok(Model {
        id: 0,
        tenant_id: ctx.tenant.id.get(),
        customer_id,
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
        interval: article::interval(plan)?.canonical(),
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
        addons,
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
    })
}

/// Stores the row and its `subscription.created` (and `coupon.redeemed`) events; the new id.
async fn insert(ctx: &WriteCtx, row: &Model, redeemed: Option<&Redeemed>) -> AppResult<i64> {
    let mut active = row.clone().into_active_model().reset_all();
    active.id = NotSet;
    let id = Entity::insert(active)
        .exec(&ctx.db)
        .await
        .or_conflict("SUBSCRIPTION_EXT_UID", "a subscription with this SUBSCRIPTION_EXT_UID exists")?
        .last_insert_id;
    events::append(
        ctx,
        "subscription",
        id,
        "subscription.created",
        json!({"ARTICLE_NUMBER": row.article_number, "QUANTITY": row.quantity.0.to_string(), "STATUS": row.status}),
    )
    .await?;
    if let Some(r) = redeemed {
        super::super::coupon::redeemed_event(ctx, r, id).await?;
    }
    Ok(id)
}
