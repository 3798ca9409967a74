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

/// `{KEY: [items]}` serialized straight from the items, without building an
/// intermediate `serde_json::Value` (reads answer this on every call).
pub fn list<T: Serialize>(key: &'static str, items: &[T]) -> AppResult<Reply> {
    struct One<'a, T>(&'static str, &'a [T]);
    impl<T: Serialize> Serialize for One<'_, T> {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            use serde::ser::SerializeMap;
            let mut map = serializer.serialize_map(Some(1))?;
            map.serialize_entry(self.0, self.1)?;
            map.end()
        }
    }
    reply(&One(key, items))
}

/// The members of a JSON object (`json!({..})` literals are objects).
pub fn object(value: serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
    match value {
        serde_json::Value::Object(map) => map,
        _ => serde_json::Map::new(),
    }
}

/// `{"STATUS":"success"}`.
pub fn success() -> AppResult<Reply> {
    reply(&serde_json::json!({ "STATUS": "success" }))
}

/// A datetime as `YYYY-MM-DD HH:MM:SS`. Written by hand: chrono's `format`
/// parses its pattern on every call, and every row carries several dates.
pub fn datetime(value: DateTime<Utc>) -> String {
    use chrono::{Datelike, Timelike};
    use std::fmt::Write as _;
    let mut out = String::with_capacity(19);
    let _ = write!(
        out,
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        value.year(),
        value.month(),
        value.day(),
        value.hour(),
        value.minute(),
        value.second()
    );
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetimes_are_written_like_chrono_would() {
        for text in ["2024-02-29T23:59:59Z", "0999-01-01T00:00:00Z", "2025-12-31T08:05:03Z"] {
            let at: DateTime<Utc> = text.parse().expect("literal");
            assert_eq!(datetime(at), at.format("%Y-%m-%d %H:%M:%S").to_string());
        }
    }
}
