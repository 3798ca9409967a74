//! A coupon held by a subscription: which invoices it discounts, and how its
//! PAYMENTS_DISCOUNTED and ACTIVE move with each regular invoice.

use chrono::{DateTime, Utc};

use super::Length;
use crate::domain::discount::DiscountValue;

/// The subscription's COUPON.
#[derive(Clone, Debug, PartialEq)]
pub struct Held {
    pub value: DiscountValue,
    pub length: Length,
    /// REDEEMED: the start of a `day` `week` `month` `year` length.
    pub redeemed: DateTime<Utc>,
    /// ACTIVE: false once ended (no longer discounting, or a change to a plan
    /// outside ASSIGNED_ARTICLES).
    pub active: bool,
}

/// Whether `held` discounts an invoice whose period starts at `period_start`
/// (for a proration invoice: the instant of the change), a regular period
/// invoice when `regular`, with `payments_discounted` regular invoices
/// discounted so far.
///
/// - forever: while active.
/// - `event` n: a regular invoice while fewer than n were discounted; a
///   proration invoice while at most n were (the change lies in a discounted
///   period, or in the one where the coupon was redeemed).
/// - `day` `week` `month` `year`: when `period_start` is before the end.
pub fn applies(held: &Held, period_start: DateTime<Utc>, regular: bool, payments_discounted: u32) -> bool {
    if !held.active {
        return false;
    }
    match held.length {
        Length::Forever => true,
        Length::Events(n) if regular => payments_discounted < n,
        Length::Events(n) => payments_discounted <= n,
        Length::Time(_) => held.length.end(held.redeemed).is_none_or(|end| period_start < end),
    }
}

/// What a regular period invoice does to the held coupon.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AfterInvoice {
    /// The coupon discounts this invoice.
    pub discounted: bool,
    /// PAYMENTS_DISCOUNTED after it.
    pub payments_discounted: u32,
    /// ACTIVE after it: false from the first regular invoice not discounted.
    pub active: bool,
}

/// The held coupon at a regular period invoice starting at `period_start`.
pub fn after_regular_invoice(held: &Held, period_start: DateTime<Utc>, payments_discounted: u32) -> AfterInvoice {
    let discounted = applies(held, period_start, true, payments_discounted);
    AfterInvoice {
        discounted,
        payments_discounted: payments_discounted.saturating_add(u32::from(discounted)),
        active: held.active && discounted,
    }
}

/// Whether a coupon of `length` redeemed at `redeemed` has nothing left for
/// regular invoices after `now` (events used up, or its end reached).
pub fn exhausted(length: &Length, redeemed: DateTime<Utc>, payments_discounted: u32, now: DateTime<Utc>) -> bool {
    match length {
        Length::Forever => false,
        Length::Events(n) => payments_discounted >= *n,
        Length::Time(_) => length.end(redeemed).is_some_and(|end| now >= end),
    }
}
