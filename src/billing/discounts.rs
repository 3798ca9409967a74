//! The subscription's coupon and discounts as the engine sees them: the held
//! coupon and the discounts are JSON on the subscription row (read with it, so
//! a billing step costs no extra query), and every invoice the engine builds
//! for a subscription passes its lines through [`regular`] or [`proration`],
//! which append the negative lines of `domain::discount` (API.md section 9).
//!
//! - A regular period invoice counts: the coupon's PAYMENTS_DISCOUNTED and
//!   ACTIVE move by `domain::coupon::after_regular_invoice`, each discount's
//!   PERIODS_USED rises by one while it has periods left.
//! - A proration invoice counts nothing; a percent coupon discounts it while
//!   `domain::coupon::applies`, a percent discount once it has discounted a
//!   regular invoice and still covers the current period. Fixed amounts never
//!   apply there (the domain drops them).
//! - A subscription with neither a coupon nor discounts skips all of this.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::domain::coupon::{self, Held, Length};
use crate::domain::discount::{self, DiscountValue, Occasion, Reduction};
use crate::domain::money::format_decimal;
use crate::domain::pricing::Line;
use crate::error::{AppError, AppResult};
use entity::subscription::Model;

/// The subscription's COUPON as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct HeldCoupon {
    pub code: String,
    pub title: Option<String>,
    pub discount_type: String,
    pub discount: Decimal,
    pub period_amount: Option<u32>,
    pub period_unit: Option<String>,
    #[serde(with = "chrono::serde::ts_seconds")]
    pub redeemed: DateTime<Utc>,
    pub active: bool,
    pub payments_discounted: u32,
    /// The plans it may discount (empty = all): a change elsewhere ends it.
    pub assigned_articles: Vec<String>,
}

impl HeldCoupon {
    fn value(&self) -> AppResult<DiscountValue> {
        DiscountValue::parse(&self.discount_type, self.discount).map_err(AppError::internal)
    }

    /// The domain view of the held coupon.
    pub fn held(&self) -> AppResult<Held> {
        let length = Length::parse(self.period_amount, self.period_unit.as_deref()).map_err(AppError::internal)?;
        Ok(Held { value: self.value()?, length, redeemed: self.redeemed, active: self.active })
    }

    fn reduction(&self) -> AppResult<Reduction> {
        Ok(Reduction { label: format!("Coupon {}", self.code), value: self.value()? })
    }
}

/// One discount of a subscription as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct StoredDiscount {
    pub discount_id: i64,
    pub discount_type: String,
    pub discount: Decimal,
    /// Regular invoices it discounts; `None` = forever.
    pub periods: Option<u32>,
    pub periods_used: u32,
    #[serde(with = "chrono::serde::ts_seconds")]
    pub created: DateTime<Utc>,
}

impl StoredDiscount {
    fn value(&self) -> AppResult<DiscountValue> {
        DiscountValue::parse(&self.discount_type, self.discount).map_err(AppError::internal)
    }

    fn reduction(&self) -> AppResult<Reduction> {
        let value = self.value()?;
        let amount = match value {
            DiscountValue::Percent(p) => format!("{} %", format_decimal(p.value(), 0)),
            DiscountValue::Fixed(f) => format_decimal(f.value(), 2),
        };
        Ok(Reduction { label: format!("Discount #{} ({amount})", self.discount_id), value })
    }

    /// Whether it has regular invoices left to discount.
    pub fn has_periods_left(&self) -> bool {
        self.periods.is_none_or(|p| self.periods_used < p)
    }
}

fn corrupt(what: &str, id: i64) -> AppError {
    AppError::internal(format!("subscription {id}: stored {what} is unreadable"))
}

/// The held coupon, if one was ever redeemed.
pub fn coupon(sub: &Model) -> AppResult<Option<HeldCoupon>> {
    sub.coupon_state.clone().map(|v| serde_json::from_value(v).map_err(|_| corrupt("coupon", sub.id))).transpose()
}

/// Stores the held coupon (and its CODE in `coupon`).
pub fn set_coupon(sub: &mut Model, held: &HeldCoupon) {
    sub.coupon = Some(held.code.clone());
    sub.coupon_state = Some(json!(held));
}

/// The discounts not deleted, in creation order.
pub fn discounts(sub: &Model) -> AppResult<Vec<StoredDiscount>> {
    match &sub.discounts {
        None => Ok(Vec::new()),
        Some(v) => serde_json::from_value(v.clone()).map_err(|_| corrupt("discounts", sub.id)),
    }
}

/// Stores the discounts (`None` when there are none).
pub fn set_discounts(sub: &mut Model, list: &[StoredDiscount]) {
    sub.discounts = (!list.is_empty()).then(|| json!(list));
}

/// The lines of a regular period invoice starting at `period_start` with
/// their discount lines; counts the invoice on the coupon and the discounts.
pub fn regular(sub: &mut Model, lines: Vec<Line>, period_start: DateTime<Utc>) -> AppResult<Vec<Line>> {
    if sub.coupon_state.is_none() && sub.discounts.is_none() {
        return Ok(lines);
    }
    let mut list = discounts(sub)?;
    let mut reductions = Vec::new();
    for d in list.iter_mut().filter(|d| d.has_periods_left()) {
        reductions.push(d.reduction()?);
        d.periods_used += 1;
    }
    set_discounts(sub, &list);
    let mut coupon_reduction = None;
    if let Some(mut held) = coupon(sub)? {
        let after = coupon::after_regular_invoice(&held.held()?, period_start, held.payments_discounted);
        if after.discounted {
            coupon_reduction = Some(held.reduction()?);
        }
        held.payments_discounted = after.payments_discounted;
        held.active = after.active;
        set_coupon(sub, &held);
    }
    Ok(discount::apply(lines, &reductions, coupon_reduction.as_ref(), Occasion::Regular, &sub.currency_code))
}

/// The lines of a proration invoice for a change at `at`, with the percent
/// discount lines that apply to it; changes nothing on `sub`.
pub fn proration(sub: &Model, lines: Vec<Line>, at: DateTime<Utc>) -> AppResult<Vec<Line>> {
    if sub.coupon_state.is_none() && sub.discounts.is_none() {
        return Ok(lines);
    }
    let mut reductions = Vec::new();
    for d in discounts(sub)? {
        if d.periods_used >= 1 && d.periods.is_none_or(|p| d.periods_used <= p) {
            reductions.push(d.reduction()?);
        }
    }
    let mut coupon_reduction = None;
    if let Some(held) = coupon(sub)?
        && coupon::applies(&held.held()?, at, false, held.payments_discounted)
    {
        coupon_reduction = Some(held.reduction()?);
    }
    Ok(discount::apply(lines, &reductions, coupon_reduction.as_ref(), Occasion::Proration, &sub.currency_code))
}

/// A change to the plan `article_number`: a coupon not assigned to it ends.
/// True when it ended the coupon.
pub fn plan_changed(sub: &mut Model, article_number: &str) -> AppResult<bool> {
    let Some(mut held) = coupon(sub)? else { return Ok(false) };
    let assigned = held.assigned_articles.is_empty() || held.assigned_articles.iter().any(|a| a == article_number);
    if assigned || !held.active {
        return Ok(false);
    }
    held.active = false;
    set_coupon(sub, &held);
    Ok(true)
}

/// The discount lines a purchase quote gets from `held` (its first regular invoice).
pub fn quote(lines: Vec<Line>, held: &HeldCoupon, currency: &str) -> AppResult<Vec<Line>> {
    let reduction = held.reduction()?;
    Ok(discount::apply(lines, &[], Some(&reduction), Occasion::Regular, currency))
}
