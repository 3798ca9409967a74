//! Decimal tags with a range: positive, non-negative, unit prices (at most
//! four decimals), percentages.

use std::borrow::Cow;

use rust_decimal::Decimal;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Deserialize, Deserializer};

use super::de::raw;
use super::types::Int;
use crate::rpc::json::Json;
use crate::rpc::values;

/// A decimal greater than zero (quantities, amounts to add).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Positive(pub Decimal);

wire_type!(
    Positive,
    "PositiveDecimal",
    |v| match values::decimal(v)? {
        d if d > Decimal::ZERO => Ok(Positive(d)),
        _ => Err("must be greater than zero".into()),
    },
    {
        "description": "A decimal greater than zero, as a string or a JSON number.",
        "type": ["string", "number"], "pattern": "^[0-9]+(\\.[0-9]+)?$"
    }
);

/// A decimal that is not negative (prices, fees, quantities that may be zero).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NonNegative(pub Decimal);

wire_type!(
    NonNegative,
    "NonNegativeDecimal",
    |v| match values::decimal(v)? {
        d if d.is_sign_negative() && !d.is_zero() => Err("must not be negative".into()),
        d => Ok(NonNegative(d)),
    },
    {
        "description": "A decimal of at least zero, as a string or a JSON number.",
        "type": ["string", "number"], "pattern": "^[0-9]+(\\.[0-9]+)?$"
    }
);

/// A unit price: not negative, at most four decimals.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnitPrice(pub Decimal);

wire_type!(
    UnitPrice,
    "UnitPrice",
    |v| {
        let NonNegative(d) = (|v: &Json| match values::decimal(v)? {
            d if d.is_sign_negative() && !d.is_zero() => Err::<NonNegative, String>("must not be negative".into()),
            d => Ok(NonNegative(d)),
        })(v)?;
        if d.normalize().scale() > crate::domain::money::UNIT_PRICE_DECIMALS {
            return Err("at most 4 decimals".into());
        }
        Ok(UnitPrice(d))
    },
    {
        "description": "A price of at least zero with at most 4 decimals, as a string or a JSON number.",
        "type": ["string", "number"], "pattern": "^[0-9]+(\\.[0-9]{1,4})?0*$"
    }
);

/// A percentage from 0 to 100.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Percent(pub Decimal);

wire_type!(
    Percent,
    "Percent",
    |v| match values::decimal(v)? {
        d if d.is_sign_negative() && !d.is_zero() => Err("must not be negative".into()),
        d if d > Decimal::ONE_HUNDRED => Err("must be between 0 and 100".into()),
        d => Ok(Percent(d)),
    },
    {
        "description": "A percentage from 0 to 100, as a string or a JSON number.",
        "type": ["string", "number"], "pattern": "^[0-9]+(\\.[0-9]+)?$"
    }
);

impl Int {
    /// The value when it lies in `min..=max`; else -32602 naming `tag`.
    pub fn within(self, tag: &str, min: i64, max: i64) -> Result<i64, crate::error::AppError> {
        if self.0 < min || self.0 > max {
            return Err(crate::error::AppError::invalid(tag, format!("must be between {min} and {max}")));
        }
        Ok(self.0)
    }
}
