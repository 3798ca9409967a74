//! Tolerant parsing of single wire values (API.md section 3): ids as numbers or
//! digit strings, decimals exactly from their text, booleans as 0/1, the three
//! datetime forms. Each returns a message; the tag reader adds the tag name.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::json::Json;
use crate::domain::format;

/// An id: a positive JSON integer or a string of digits.
pub fn id(value: &Json) -> Result<i64, String> {
    let text = match value {
        Json::Number(n) => n.as_ref(),
        Json::String(s) => s.trim(),
        other => return Err(format!("expected an id, got {}", other.kind())),
    };
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("not an id: {text:?}"));
    }
    match text.parse::<i64>() {
        Ok(v) if v > 0 => Ok(v),
        _ => Err(format!("id out of range: {text}")),
    }
}

/// A whole number (limits, counts) from a JSON integer or digit string.
pub fn integer(value: &Json) -> Result<i64, String> {
    let text = match value {
        Json::Number(n) => n.as_ref(),
        Json::String(s) => s.trim(),
        other => return Err(format!("expected an integer, got {}", other.kind())),
    };
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("not an integer: {text:?}"));
    }
    text.parse::<i64>().map_err(|_| format!("integer out of range: {text}"))
}

/// Decimal tags stay below 10^14 in magnitude (a hundred trillion): the
/// product of two such, a quantity times a unit price, stays below 10^28,
/// inside `Decimal`'s range (about 7.9e28). A larger value is refused where it
/// comes in, naming its tag, rather than stored and then failing every later
/// step of its subscription.
pub const DECIMAL_LIMIT: Decimal = Decimal::from_parts(0x107A_4000, 0x5AF3, 0, false, 0);

/// A decimal from a string or a JSON number, read exactly from its text
/// (exponents only on JSON numbers), below [`DECIMAL_LIMIT`] in magnitude;
/// see `domain::format::parse_decimal`.
pub fn decimal(value: &Json) -> Result<Decimal, String> {
    let d = match value {
        Json::Number(n) => format::parse_decimal(n, true)?,
        Json::String(s) => format::parse_decimal(s.trim(), false)?,
        other => return Err(format!("expected a decimal, got {}", other.kind())),
    };
    if d.abs() >= DECIMAL_LIMIT {
        return Err(format!("out of range: must be less than {DECIMAL_LIMIT} in magnitude"));
    }
    Ok(d)
}

/// A boolean: `true`/`false`, `1`/`0`, `"1"`/`"0"`, `"true"`/`"false"`.
pub fn boolean(value: &Json) -> Result<bool, String> {
    match value {
        Json::Bool(b) => Ok(*b),
        Json::Number(n) if n.as_ref() == "1" => Ok(true),
        Json::Number(n) if n.as_ref() == "0" => Ok(false),
        Json::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "1" | "true" => Ok(true),
            "0" | "false" => Ok(false),
            _ => Err(format!("not a boolean: {s:?}")),
        },
        other => Err(format!("expected a boolean, got {}", other.kind())),
    }
}

/// A UTC instant in one of the accepted forms; see `domain::format::parse_datetime`.
pub fn datetime(text: &str) -> Result<DateTime<Utc>, String> {
    format::parse_datetime(text)
}

/// Parses a whole number from text (used for digit strings already checked).
pub fn parse_u32(text: &str) -> Option<u32> {
    u32::from_str(text.trim()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(s: &str) -> Json {
        Json::Number(s.into())
    }
    fn st(s: &str) -> Json {
        Json::String(s.into())
    }

    #[test]
    fn decimals_stop_below_a_hundred_trillion() {
        assert_eq!(DECIMAL_LIMIT, Decimal::from(100_000_000_000_000_i64));
        assert!(decimal(&st("99999999999999.9999")).is_ok());
        assert!(decimal(&st("-99999999999999.9999")).is_ok());
        for big in ["100000000000000", "-100000000000000", "9999999999999999999999999999"] {
            let err = decimal(&st(big)).expect_err(big);
            assert!(err.contains("out of range"), "{err}");
        }
        assert!(decimal(&num("1e14")).is_err());
        // The largest product of two tags still fits.
        let max = decimal(&st("99999999999999.9999")).expect("max");
        assert!(max.checked_mul(max).is_some());
    }

    #[test]
    fn decimals_are_exact_from_numbers_and_strings() {
        assert_eq!(decimal(&num("12.95")), decimal(&st("12.95")));
        assert_eq!(decimal(&num("0.1")).map(|d| d.to_string()), Ok("0.1".into()));
        assert_eq!(decimal(&num("12345678901234.5678")).map(|d| d.to_string()), Ok("12345678901234.5678".into()));
        assert_eq!(decimal(&num("1e2")).map(|d| d.normalize().to_string()), Ok("100".into()));
        for bad in ["1,5", "1_000", "abc", "1.", ".5", "", "--1", "1e2"] {
            assert!(decimal(&st(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn ids_accept_digit_strings_only() {
        assert_eq!(id(&num("42")), Ok(42));
        assert_eq!(id(&st("42")), Ok(42));
        assert!(id(&st("4a")).is_err());
        assert!(id(&num("1.5")).is_err());
        assert!(id(&num("0")).is_err());
        assert!(id(&Json::Bool(true)).is_err());
    }

    #[test]
    fn booleans_accept_the_php_forms() {
        assert_eq!(boolean(&num("1")), Ok(true));
        assert_eq!(boolean(&st("0")), Ok(false));
        assert_eq!(boolean(&st("TRUE")), Ok(true));
        assert!(boolean(&num("2")).is_err());
    }

    #[test]
    fn datetimes_accept_three_forms_and_refuse_impossible_dates() {
        let expected = "2024-01-31T10:00:00Z".parse::<DateTime<Utc>>().expect("literal");
        assert_eq!(datetime("2024-01-31 10:00:00"), Ok(expected));
        assert_eq!(datetime("2024-01-31T12:00:00+02:00"), Ok(expected));
        assert_eq!(datetime("2024-01-31").map(|d| d.to_string()), Ok("2024-01-31 00:00:00 UTC".into()));
        assert!(datetime("2024-02-30").is_err());
        assert!(datetime("2024-02-30 00:00:00").is_err());
        assert!(datetime("yesterday").is_err());
    }
}
