//! Formatting of values on the wire (API.md section 3): decimals as strings,
//! datetimes as `YYYY-MM-DD HH:MM:SS` UTC.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Serialize;

use super::Reply;
use crate::domain::money::{format_decimal, minor_units};
use crate::error::{AppError, AppResult};

/// Serializes a RESPONSE object.
pub fn reply<T: Serialize + ?Sized>(value: &T) -> AppResult<Reply> {
    serde_json::value::to_raw_value(value).map_err(|e| AppError::internal(e.to_string()))
}

/// `{"STATUS":"success"}`.
pub fn success() -> AppResult<Reply> {
    reply(&serde_json::json!({ "STATUS": "success" }))
}

/// A datetime as `YYYY-MM-DD HH:MM:SS`.
pub fn datetime(value: DateTime<Utc>) -> String {
    value.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// An optional datetime; `None` is `null` on the wire.
pub fn opt_datetime(value: Option<DateTime<Utc>>) -> Option<String> {
    value.map(datetime)
}

/// An amount in `currency`, with its minor unit's decimals.
pub fn money(value: Decimal, currency: &str) -> String {
    format_decimal(value, minor_units(currency))
}

/// A unit price: at least the currency's decimals, up to four.
pub fn price(value: Decimal, currency: &str) -> String {
    format_decimal(value, minor_units(currency))
}

/// A percentage such as `19.00`.
pub fn percent(value: Decimal) -> String {
    format_decimal(value, 2)
}

/// A quantity, shortest exact form (`1`, `1.5`).
pub fn quantity(value: Decimal) -> String {
    format_decimal(value, 0)
}
