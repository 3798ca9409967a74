//! Subscriptions on the wire (API.md 5.1).

use schemars::JsonSchema;
use serde::Serialize;

use crate::billing::discounts::{self, HeldCoupon, StoredDiscount};
use crate::error::AppResult;
use crate::rpc::wire::{self, Listed};
use crate::service::subscription::{plan_change, state};
use entity::subscription::Model;

/// The plan a subscription bills (or will bill, with `EFFECTIVE_DATE`).
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct PlanOut {
    article_number: String,
    title: String,
    description: Option<String>,
    unit_price: String,
    currency_code: String,
    vat_percent: String,
    quantity: String,
    interval: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    effective_date: Option<String>,
    /// The add-ons from the effective date (PLAN_UPCOMING only).
    #[serde(skip_serializing_if = "Option::is_none")]
    addons: Option<Vec<AddonOut>>,
}

/// A recurring add-on.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct AddonOut {
    article_number: String,
    title: String,
    quantity: String,
    unit_price: String,
    vat_percent: String,
}

impl AddonOut {
    fn from(a: &state::Addon, currency: &str) -> AddonOut {
        AddonOut {
            article_number: a.article_number.clone(),
            title: a.title.clone(),
            quantity: wire::quantity(a.quantity),
            unit_price: wire::price(a.unit_price, currency),
            vat_percent: wire::percent(a.vat_percent),
        }
    }
}

/// The subscription's COUPON (API.md 5.1).
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct CouponOut {
    code: String,
    title: Option<String>,
    discount_type: String,
    discount: String,
    discount_period_amount: Option<u32>,
    discount_period_unit: Option<String>,
    payments_discounted: u32,
    redeemed: String,
    active: bool,
}

impl CouponOut {
    fn from(h: &HeldCoupon, currency: &str) -> CouponOut {
        CouponOut {
            code: h.code.clone(),
            title: h.title.clone(),
            discount_type: h.discount_type.clone(),
            discount: amount(&h.discount_type, h.discount, currency),
            discount_period_amount: h.period_amount,
            discount_period_unit: h.period_unit.clone(),
            payments_discounted: h.payments_discounted,
            redeemed: wire::datetime(h.redeemed),
            active: h.active,
        }
    }
}

/// A percent as `"10.00"`, a fixed amount in the currency's minor unit.
fn amount(kind: &str, value: rust_decimal::Decimal, currency: &str) -> String {
    if kind == "fixed" { wire::money(value, currency) } else { wire::percent(value) }
}

/// One of the subscription's DISCOUNTS.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct DiscountOut {
    discount_id: i64,
    discount_type: String,
    discount: String,
    /// null = forever.
    periods: Option<u32>,
    periods_used: u32,
    created: String,
}

impl Listed for DiscountOut {
    const KEY: &'static str = "DISCOUNTS";
}

impl DiscountOut {
    /// Maps a stored discount.
    pub fn from(d: &StoredDiscount, currency: &str) -> DiscountOut {
        DiscountOut {
            discount_id: d.discount_id,
            discount_type: d.discount_type.clone(),
            discount: amount(&d.discount_type, d.discount, currency),
            periods: d.periods,
            periods_used: d.periods_used,
            created: wire::datetime(d.created),
        }
    }
}

/// A subscription.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct SubscriptionOut {
    subscription_id: i64,
    subscription_ext_uid: Option<String>,
    customer_id: i64,
    article_number: String,
    quantity: String,
    subscription_title: String,
    invoice_title: Option<String>,
    status: String,
    close_reason: Option<String>,
    start: String,
    next_event: Option<String>,
    last_event: Option<String>,
    cancellation_date: Option<String>,
    cancellation_note: Option<String>,
    expiration_date: Option<String>,
    trial_end: Option<String>,
    plan: PlanOut,
    plan_upcoming: Option<PlanOut>,
    addons: Vec<AddonOut>,
    /// The held coupon; null when none was ever held.
    coupon: Option<CouponOut>,
    discounts: Vec<DiscountOut>,
    features: Option<serde_json::Value>,
    x_attributes: serde_json::Value,
    subscription_hash: String,
    hash: String,
    created: String,
}

impl Listed for SubscriptionOut {
    const KEY: &'static str = "SUBSCRIPTIONS";
}

impl SubscriptionOut {
    /// Maps a stored subscription.
    pub fn from(m: &Model) -> AppResult<SubscriptionOut> {
        let c = m.currency_code.as_str();
        let upcoming = plan_change::upcoming(m)?.map(|u| PlanOut {
            article_number: u.plan.article_number.clone(),
            title: u.plan.title.clone(),
            description: u.plan.description.clone(),
            unit_price: wire::price(u.plan.unit_price, c),
            currency_code: m.currency_code.clone(),
            vat_percent: wire::percent(u.plan.vat_percent),
            quantity: wire::quantity(u.plan.quantity),
            interval: u.plan.interval.clone(),
            effective_date: Some(wire::datetime(u.effective())),
            addons: Some(u.plan.addons.iter().map(|a| AddonOut::from(a, c)).collect()),
        });
        Ok(SubscriptionOut {
            subscription_id: m.id,
            subscription_ext_uid: m.subscription_ext_uid.clone(),
            customer_id: m.customer_id,
            article_number: m.article_number.clone(),
            quantity: wire::quantity(m.quantity.0),
            subscription_title: m.title.clone(),
            invoice_title: m.invoice_title.clone(),
            status: m.status.clone(),
            close_reason: m.close_reason.clone(),
            start: wire::datetime(m.start),
            next_event: wire::opt_datetime(m.next_event),
            last_event: wire::opt_datetime(m.last_event),
            cancellation_date: wire::opt_datetime(m.cancellation_date),
            cancellation_note: m.cancellation_note.clone(),
            expiration_date: wire::opt_datetime(m.expiration_date),
            trial_end: wire::opt_datetime(m.trial_end),
            plan: PlanOut {
                article_number: m.article_number.clone(),
                title: m.title.clone(),
                description: m.description.clone(),
                unit_price: wire::price(m.unit_price.0, c),
                currency_code: m.currency_code.clone(),
                vat_percent: wire::percent(m.vat_percent.0),
                quantity: wire::quantity(m.quantity.0),
                interval: m.interval.clone(),
                effective_date: None,
                addons: None,
            },
            plan_upcoming: upcoming,
            addons: state::addons(m)?.iter().map(|a| AddonOut::from(a, c)).collect(),
            coupon: discounts::coupon(m)?.map(|h| CouponOut::from(&h, c)),
            discounts: discounts::discounts(m)?.iter().map(|d| DiscountOut::from(d, c)).collect(),
            features: m.features.clone(),
            x_attributes: m.x_attributes.clone().unwrap_or_else(|| serde_json::json!({})),
            subscription_hash: m.public_hash.clone(),
            hash: state::hash(m),
            created: wire::datetime(m.created),
        })
    }
}
