//! Text forms of dates and decimals (API.md section 3), shared by every layer
//! that writes or reads them: the wire, stored event data, hosted pages,
//! documents. Datetimes are `YYYY-MM-DD HH:MM:SS` UTC; decimals keep at least
//! the currency's minor-unit digits.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Timelike, Utc};
use rust_decimal::Decimal;

use super::money::{format_decimal, minor_units};

/// The latest instant the wire format can write: `9999-12-31 23:59:59`.
pub fn latest() -> DateTime<Utc> {
    DateTime::<Utc>::MAX_UTC.min(
        NaiveDate::from_ymd_opt(9999, 12, 31)
            .and_then(|d| d.and_hms_opt(23, 59, 59))
            .map(|d| d.and_utc())
            .unwrap_or(DateTime::<Utc>::MAX_UTC),
    )
}

/// A datetime as `YYYY-MM-DD HH:MM:SS`. Written by hand: chrono's `format`
/// parses its pattern on every call, and every row carries several dates.
pub fn datetime(value: DateTime<Utc>) -> String {
    use chrono::Datelike;
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

/// An optional datetime; `None` stays `None` (`null` on the wire).
pub fn opt_datetime(value: Option<DateTime<Utc>>) -> Option<String> {
    value.map(datetime)
}

/// A UTC instant from `YYYY-MM-DD HH:MM:SS`, `YYYY-MM-DD` (midnight) or RFC 3339.
/// Impossible dates (`2024-02-30`), leap seconds and instants past
/// `9999-12-31 23:59:59` are refused, so every stored datetime can be written back.
pub fn parse_datetime(text: &str) -> Result<DateTime<Utc>, String> {
    let text = text.trim();
    let parsed = if let Ok(dt) = DateTime::parse_from_rfc3339(text) {
        Some(dt.with_timezone(&Utc))
    } else if let Some(naive) = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
    {
        Some(naive.and_utc())
    } else {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0)).map(|d| d.and_utc())
    };
    let Some(at) = parsed else {
        return Err(format!("not a valid date: {text:?} (use \"YYYY-MM-DD HH:MM:SS\", \"YYYY-MM-DD\" or RFC 3339)"));
    };
    if at.nanosecond() >= 1_000_000_000 {
        return Err(format!("not a valid date: {text:?} (leap seconds are not accepted)"));
    }
    if at > latest() {
        return Err(format!("not a valid date: {text:?} (latest is 9999-12-31 23:59:59)"));
    }
    // Years before 1 have no four-digit form (`-0001`), and stored as text they
    // would sort after every other date.
    if at.year() < 1 {
        return Err(format!("not a valid date: {text:?} (earliest is 0001-01-01)"));
    }
    Ok(at)
}

/// A decimal read exactly from its text: `-?digits(.digits)?`, and with
/// `allow_exponent` (JSON numbers) also `1e2`. `"1,5"` or `"1_000"` are refused
/// rather than guessed at.
pub fn parse_decimal(text: &str, allow_exponent: bool) -> Result<Decimal, String> {
    let plain = {
        let body = text.strip_prefix('-').unwrap_or(text);
        let (int, frac) = match body.split_once('.') {
            Some((int, frac)) => (int, Some(frac)),
            None => (body, None),
        };
        !int.is_empty()
            && int.bytes().all(|b| b.is_ascii_digit())
            && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
    };
    if plain {
        return Decimal::from_str_exact(text).map_err(|_| format!("decimal out of range: {text}"));
    }
    if allow_exponent && text.contains(['e', 'E']) {
        return Decimal::from_scientific(text).map_err(|_| format!("decimal out of range: {text}"));
    }
    Err(format!("not a decimal: {text:?} (use a dot, e.g. \"12.95\")"))
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

    #[test]
    fn datetimes_accept_three_forms_and_refuse_impossible_ones() {
        let expected = "2024-01-31T10:00:00Z".parse::<DateTime<Utc>>().expect("literal");
        assert_eq!(parse_datetime("2024-01-31 10:00:00"), Ok(expected));
        assert_eq!(parse_datetime("2024-01-31T12:00:00+02:00"), Ok(expected));
        assert_eq!(parse_datetime("2024-01-31").map(|d| d.to_string()), Ok("2024-01-31 00:00:00 UTC".into()));
        for bad in [
            "2024-02-30",
            "2024-02-30 00:00:00",
            "yesterday",
            "9999-12-31T23:59:60Z",
            "2016-12-31T23:59:60Z",
            "9999-12-31T23:59:59-01:00",
        ] {
            assert!(parse_datetime(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_datetime("9999-12-31 23:59:59"), Ok(latest()));
        for before_year_one in ["-0001-01-01", "-0001-01-01 00:00:00", "0000-12-31 23:59:59"] {
            assert!(parse_datetime(before_year_one).is_err(), "{before_year_one}");
        }
        assert!(parse_datetime("0001-01-01").is_ok());
    }

    #[test]
    fn decimals_are_exact_and_commas_refused() {
        assert_eq!(
            parse_decimal("12345678901234.5678", false).map(|d| d.to_string()),
            Ok("12345678901234.5678".into())
        );
        assert_eq!(parse_decimal("1e2", true).map(|d| d.normalize().to_string()), Ok("100".into()));
        for bad in ["1,5", "1_000", "abc", "1.", ".5", "", "--1", "1e2"] {
            assert!(parse_decimal(bad, false).is_err(), "{bad}");
        }
    }
}
