//! DISCOUNT_TYPE and DISCOUNT, parsed: a percent in 0..=100 or a fixed amount > 0.

use std::fmt;

use rust_decimal::Decimal;

/// A percentage from 0 to 100 (both included).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Percent(Decimal);

impl Percent {
    /// Accepts `0..=100`.
    pub fn parse(value: Decimal) -> Result<Percent, ValueError> {
        if value < Decimal::ZERO || value > Decimal::ONE_HUNDRED {
            return Err(ValueError::PercentOutOfRange);
        }
        Ok(Percent(value.normalize()))
    }

    /// The percentage, e.g. `19.5`.
    pub fn value(self) -> Decimal {
        self.0
    }
}

/// A fixed net amount greater than zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FixedAmount(Decimal);

impl FixedAmount {
    /// Accepts amounts `> 0`.
    pub fn parse(value: Decimal) -> Result<FixedAmount, ValueError> {
        if value <= Decimal::ZERO {
            return Err(ValueError::NotPositive);
        }
        Ok(FixedAmount(value))
    }

    /// The amount as given (rounded to the currency only when applied).
    pub fn value(self) -> Decimal {
        self.0
    }
}

/// DISCOUNT_TYPE with its DISCOUNT.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiscountValue {
    Percent(Percent),
    Fixed(FixedAmount),
}

impl DiscountValue {
    /// Parses DISCOUNT_TYPE (`percent` / `fixed`, case-insensitive) and DISCOUNT.
    pub fn parse(discount_type: &str, discount: Decimal) -> Result<DiscountValue, ValueError> {
        match discount_type.trim().to_ascii_lowercase().as_str() {
            "percent" => Percent::parse(discount).map(DiscountValue::Percent),
            "fixed" => FixedAmount::parse(discount).map(DiscountValue::Fixed),
            _ => Err(ValueError::UnknownType),
        }
    }

    /// The DISCOUNT_TYPE text.
    pub fn type_str(&self) -> &'static str {
        match self {
            DiscountValue::Percent(_) => "percent",
            DiscountValue::Fixed(_) => "fixed",
        }
    }

    /// The DISCOUNT number.
    pub fn amount(&self) -> Decimal {
        match self {
            DiscountValue::Percent(p) => p.value(),
            DiscountValue::Fixed(f) => f.value(),
        }
    }
}

/// Why a DISCOUNT_TYPE / DISCOUNT pair is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueError {
    UnknownType,
    PercentOutOfRange,
    NotPositive,
}

impl ValueError {
    /// The tag the error is about.
    pub fn tag(&self) -> &'static str {
        match self {
            ValueError::UnknownType => "DISCOUNT_TYPE",
            ValueError::PercentOutOfRange | ValueError::NotPositive => "DISCOUNT",
        }
    }
}

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ValueError::UnknownType => "DISCOUNT_TYPE must be percent or fixed",
            ValueError::PercentOutOfRange => "DISCOUNT must be from 0 to 100 for a percent discount",
            ValueError::NotPositive => "DISCOUNT must be greater than 0 for a fixed discount",
        })
    }
}

impl std::error::Error for ValueError {}
