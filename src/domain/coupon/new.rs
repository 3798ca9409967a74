//! Validation of a new coupon (`coupon.create`): every refusal names its tag.

use std::fmt;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::{Coupon, Length, MAX_PERIOD_AMOUNT, assigned_articles};
use crate::domain::discount::{DiscountValue, ValueError};

/// Longest CODE accepted.
pub const MAX_CODE_CHARS: usize = 100;

/// The tags of `coupon.create`, parsed to their types but not yet checked.
#[derive(Clone, Debug)]
pub struct NewCoupon<'a> {
    pub code: &'a str,
    pub discount_type: &'a str,
    pub discount: Decimal,
    pub period_amount: Option<u32>,
    pub period_unit: Option<&'a str>,
    pub valid_from: Option<DateTime<Utc>>,
    pub valid_to: Option<DateTime<Utc>>,
    /// Empty or 0 = unlimited.
    pub usages_max: Option<u32>,
    pub assigned_articles: &'a [String],
}

/// Why a coupon is refused; [`CouponError::tag`] names the tag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CouponError {
    EmptyCode,
    CodeTooLong,
    Value(ValueError),
    /// A percent coupon of 0 %.
    ZeroPercent,
    UnknownUnit(String),
    AmountWithoutUnit,
    UnitWithoutAmount,
    AmountTooLarge,
    ValidToBeforeValidFrom,
}

impl CouponError {
    /// The tag the error is about.
    pub fn tag(&self) -> &'static str {
        match self {
            CouponError::EmptyCode | CouponError::CodeTooLong => "CODE",
            CouponError::Value(e) => e.tag(),
            CouponError::ZeroPercent => "DISCOUNT",
            CouponError::UnknownUnit(_) | CouponError::AmountWithoutUnit => "DISCOUNT_PERIOD_UNIT",
            CouponError::UnitWithoutAmount | CouponError::AmountTooLarge => "DISCOUNT_PERIOD_AMOUNT",
            CouponError::ValidToBeforeValidFrom => "VALID_TO",
        }
    }
}

impl fmt::Display for CouponError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CouponError::EmptyCode => f.write_str("CODE must not be empty"),
            CouponError::CodeTooLong => write!(f, "CODE must be at most {MAX_CODE_CHARS} characters"),
            CouponError::Value(e) => e.fmt(f),
            CouponError::ZeroPercent => f.write_str("DISCOUNT must be greater than 0 for a percent coupon"),
            CouponError::UnknownUnit(u) => {
                write!(f, "DISCOUNT_PERIOD_UNIT {u:?} is not one of event, day, week, month, year")
            }
            CouponError::AmountWithoutUnit => {
                f.write_str("DISCOUNT_PERIOD_UNIT is required with DISCOUNT_PERIOD_AMOUNT")
            }
            CouponError::UnitWithoutAmount => {
                f.write_str("DISCOUNT_PERIOD_AMOUNT is required with DISCOUNT_PERIOD_UNIT")
            }
            CouponError::AmountTooLarge => write!(f, "DISCOUNT_PERIOD_AMOUNT must be at most {MAX_PERIOD_AMOUNT}"),
            CouponError::ValidToBeforeValidFrom => f.write_str("VALID_TO must not be before VALID_FROM"),
        }
    }
}

impl std::error::Error for CouponError {}

impl NewCoupon<'_> {
    /// The coupon to store (USAGES 0), or the first refusal.
    pub fn validate(&self) -> Result<Coupon, CouponError> {
        let code = self.code.trim();
        if code.is_empty() {
            return Err(CouponError::EmptyCode);
        }
        if code.chars().count() > MAX_CODE_CHARS {
            return Err(CouponError::CodeTooLong);
        }
        let value = DiscountValue::parse(self.discount_type, self.discount).map_err(CouponError::Value)?;
        if matches!(value, DiscountValue::Percent(p) if p.value().is_zero()) {
            return Err(CouponError::ZeroPercent);
        }
        let length = Length::parse(self.period_amount, self.period_unit)?;
        if matches!((self.valid_from, self.valid_to), (Some(from), Some(to)) if to < from) {
            return Err(CouponError::ValidToBeforeValidFrom);
        }
        Ok(Coupon {
            code: code.to_owned(),
            value,
            length,
            valid_from: self.valid_from,
            valid_to: self.valid_to,
            usages: 0,
            usages_max: self.usages_max.unwrap_or(0),
            assigned_articles: assigned_articles(self.assigned_articles),
        })
    }
}
