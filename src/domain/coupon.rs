//! Coupon rules (API.md section 9): a new coupon's validation, its STATE,
//! `coupon.check`, and how long a redeemed coupon discounts.
//!
//! Decisions where API.md is silent:
//! - VALID_FROM and VALID_TO are instants and both included: PREMATURE while
//!   `now < VALID_FROM`, EXPIRED once `now > VALID_TO` (a date-only VALID_TO
//!   is midnight, so the caller should pass the end of that day if it means
//!   "through that day").
//! - DISCOUNT_PERIOD_UNIT takes `event day week month year`, their plurals,
//!   in any case; anything else is refused. DISCOUNT_PERIOD_AMOUNT is 1..=1200
//!   (0 counts as empty); one of the two without the other is refused.
//! - A held coupon's `active` turns false at the first regular invoice it no
//!   longer discounts (see [`after_regular_invoice`]), not on the invoice that
//!   used its last event: until then a change inside its last discounted
//!   period still gets the percent off its proration lines. [`exhausted`]
//!   tells whether nothing is left for future regular invoices.
//! - PAYMENTS_DISCOUNTED counts every regular invoice the coupon covered, even
//!   one with nothing to discount (a zero-priced plan).
//! - ASSIGNED_ARTICLES are compared exactly, after trimming.

use std::fmt;

use chrono::{DateTime, Utc};

use super::discount::DiscountValue;
use super::interval::{Interval, Unit};

/// Largest DISCOUNT_PERIOD_AMOUNT (as for intervals).
pub const MAX_PERIOD_AMOUNT: u32 = 1200;

/// How long a redeemed coupon discounts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Length {
    /// Both DISCOUNT_PERIOD_AMOUNT and DISCOUNT_PERIOD_UNIT empty.
    Forever,
    /// `event`: this many regular period invoices.
    Events(u32),
    /// `day` `week` `month` `year`: this long from the redemption.
    Time(Interval),
}

impl Length {
    /// Parses DISCOUNT_PERIOD_AMOUNT and DISCOUNT_PERIOD_UNIT.
    pub fn parse(amount: Option<u32>, unit: Option<&str>) -> Result<Length, CouponError> {
        let amount = amount.filter(|a| *a > 0);
        let unit = unit.map(str::trim).filter(|u| !u.is_empty());
        let (amount, unit) = match (amount, unit) {
            (None, None) => return Ok(Length::Forever),
            (Some(_), None) => return Err(CouponError::AmountWithoutUnit),
            (None, Some(_)) => return Err(CouponError::UnitWithoutAmount),
            (Some(a), Some(u)) => (a, u),
        };
        if amount > MAX_PERIOD_AMOUNT {
            return Err(CouponError::AmountTooLarge);
        }
        let unit = match unit.to_ascii_lowercase().as_str() {
            "event" | "events" => return Ok(Length::Events(amount)),
            "day" | "days" => Unit::Day,
            "week" | "weeks" => Unit::Week,
            "month" | "months" => Unit::Month,
            "year" | "years" => Unit::Year,
            _ => return Err(CouponError::UnknownUnit(unit.to_owned())),
        };
        Ok(Length::Time(Interval { count: amount, unit }))
    }

    /// DISCOUNT_PERIOD_AMOUNT and DISCOUNT_PERIOD_UNIT as answered (`None` = empty).
    pub fn parts(&self) -> (Option<u32>, Option<&'static str>) {
        match self {
            Length::Forever => (None, None),
            Length::Events(n) => (Some(*n), Some("event")),
            Length::Time(i) => {
                let unit = match i.unit {
                    Unit::Day => "day",
                    Unit::Week => "week",
                    Unit::Month => "month",
                    Unit::Year => "year",
                };
                (Some(i.count), Some(unit))
            }
        }
    }

    /// The end of a time length redeemed at `redeemed` (month arithmetic of
    /// [`Interval`]); `None` for events, forever, or past year 9999.
    pub fn end(&self, redeemed: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            Length::Time(i) => i.after(redeemed),
            Length::Forever | Length::Events(_) => None,
        }
    }
}

/// A coupon as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct Coupon {
    pub code: String,
    pub value: DiscountValue,
    pub length: Length,
    pub valid_from: Option<DateTime<Utc>>,
    pub valid_to: Option<DateTime<Utc>>,
    /// How many subscriptions redeemed it.
    pub usages: u32,
    /// 0 = unlimited.
    pub usages_max: u32,
    /// Empty = every plan.
    pub assigned_articles: Vec<String>,
}

/// Coupon STATE.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Unused,
    Used,
    Premature,
    Expired,
}

impl State {
    /// The wire text.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Unused => "UNUSED",
            State::Used => "USED",
            State::Premature => "PREMATURE",
            State::Expired => "EXPIRED",
        }
    }
}

/// Why `coupon.check` answers `invalid` (an unknown code is the caller's).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Invalid {
    Premature,
    Expired,
    UsedUp,
    NotAssigned,
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Invalid::Premature => "the coupon is not valid yet",
            Invalid::Expired => "the coupon has expired",
            Invalid::UsedUp => "the coupon is used up",
            Invalid::NotAssigned => "the coupon is not valid for this article",
        })
    }
}

impl Coupon {
    /// STATE at `now`: the first match of PREMATURE, EXPIRED, USED, else UNUSED.
    pub fn state(&self, now: DateTime<Utc>) -> State {
        if self.valid_from.is_some_and(|from| now < from) {
            State::Premature
        } else if self.valid_to.is_some_and(|to| now > to) {
            State::Expired
        } else if self.usages_max > 0 && self.usages >= self.usages_max {
            State::Used
        } else {
            State::Unused
        }
    }

    /// Whether the coupon may discount the plan `article_number`.
    pub fn is_assigned(&self, article_number: &str) -> bool {
        self.assigned_articles.is_empty() || self.assigned_articles.iter().any(|a| a == article_number.trim())
    }

    /// `coupon.check`: may the coupon be redeemed now for `article_number`?
    pub fn check(&self, article_number: &str, now: DateTime<Utc>) -> Result<(), Invalid> {
        match self.state(now) {
            State::Premature => Err(Invalid::Premature),
            State::Expired => Err(Invalid::Expired),
            State::Used => Err(Invalid::UsedUp),
            State::Unused if !self.is_assigned(article_number) => Err(Invalid::NotAssigned),
            State::Unused => Ok(()),
        }
    }
}

/// ASSIGNED_ARTICLES from a list: trimmed, empties and repeats dropped, order kept.
pub fn assigned_articles<I: IntoIterator<Item = S>, S: AsRef<str>>(list: I) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for a in list {
        let a = a.as_ref().trim();
        if !a.is_empty() && !out.iter().any(|o| o == a) {
            out.push(a.to_owned());
        }
    }
    out
}

/// ASSIGNED_ARTICLES from FastBill's comma-separated string.
pub fn assigned_articles_from_text(text: &str) -> Vec<String> {
    assigned_articles(text.split(','))
}

mod held;
mod new;

pub use held::{AfterInvoice, Held, after_regular_invoice, applies, exhausted};
pub use new::{CouponError, NewCoupon};

#[cfg(test)]
mod tests;
