//! How numbers and dates look on a document: amounts with the currency's minor unit and the language's
//! separators, dates as the tenant-timezone date, and the plain forms the XML needs.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use rust_decimal::Decimal;

use super::DocumentError;
use super::model::{Language, ServicePeriod};
use crate::domain::money::{format_decimal, minor_units};

/// The tenant's time zone by its IANA name.
pub fn timezone(name: &str) -> Result<Tz, DocumentError> {
    name.trim().parse::<Tz>().map_err(|_| DocumentError::TimeZone(name.to_owned()))
}

/// The calendar date of an instant in the tenant's time zone.
pub fn local_date(at: DateTime<Utc>, tz: Tz) -> NaiveDate {
    at.with_timezone(&tz).date_naive()
}

/// First and last day of a service period: the end is exclusive, so the last day is the date of the
/// last second before it (a period ending at local midnight ends the day before), never before the start.
pub fn period_days(period: &ServicePeriod, tz: Tz) -> (NaiveDate, NaiveDate) {
    let first = local_date(period.start, tz);
    let last = local_date(period.end - Duration::seconds(1), tz).max(first);
    (first, last)
}

/// A date as the language writes it: `15.01.2025` / `15 January 2025`.
pub fn date(day: NaiveDate, lang: Language) -> String {
    match lang {
        Language::De => day.format("%d.%m.%Y").to_string(),
        Language::En => day.format("%-d %B %Y").to_string(),
    }
}

/// The XML date (format 102): `20250115`.
pub fn date_102(day: NaiveDate) -> String {
    day.format("%Y%m%d").to_string()
}

/// An amount with the currency's minor unit and the code after it: `1.234,50 EUR` / `1,234.50 EUR`,
/// `1.235 JPY`. More decimals than the minor unit (unit prices keep up to 4) are kept.
pub fn money(amount: Decimal, currency: &str, lang: Language) -> String {
    format!("{} {currency}", localize(&format_decimal(amount, minor_units(currency)), lang))
}

/// A quantity without trailing zeros: `2`, `1,5` / `1.5`.
pub fn quantity(value: Decimal, lang: Language) -> String {
    localize(&format_decimal(value, 0), lang)
}

/// A VAT rate: `19 %` / `19%`, `5,5 %` / `5.5%`.
pub fn percent(rate: Decimal, lang: Language) -> String {
    let number = localize(&format_decimal(rate, 0), lang);
    match lang {
        Language::De => format!("{number} %"),
        Language::En => format!("{number}%"),
    }
}

/// An XML amount: a plain decimal with at least the currency's minor unit (`19.00`, `1235`).
pub fn xml_amount(amount: Decimal, currency: &str) -> String {
    format_decimal(amount, minor_units(currency))
}

/// An XML quantity, unit price or rate: a plain decimal without trailing zeros (`1.5`, `19`, `0.0125`).
pub fn xml_decimal(value: Decimal) -> String {
    format_decimal(value, 0)
}

/// Puts the language's separators into a plain decimal text (`-1234.5` -> `-1.234,5` in German).
fn localize(plain: &str, lang: Language) -> String {
    let (group, point) = match lang {
        Language::De => ('.', ','),
        Language::En => (',', '.'),
    };
    let (sign, digits) = plain.strip_prefix('-').map_or(("", plain), |rest| ("-", rest));
    let (int, frac) = digits.split_once('.').map_or((digits, None), |(i, f)| (i, Some(f)));
    let mut out = String::with_capacity(plain.len() + int.len() / 3 + 1);
    out.push_str(sign);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(group);
        }
        out.push(c);
    }
    if let Some(frac) = frac {
        out.push(point);
        out.push_str(frac);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).expect("decimal literal")
    }

    #[test]
    fn amounts_show_the_minor_unit_and_the_language_separators() {
        assert_eq!(money(d("1234.5"), "EUR", Language::De), "1.234,50 EUR");
        assert_eq!(money(d("1234.5"), "EUR", Language::En), "1,234.50 EUR");
        assert_eq!(money(d("-119"), "EUR", Language::De), "-119,00 EUR");
        assert_eq!(money(d("1234567.891"), "USD", Language::En), "1,234,567.891 USD");
        assert_eq!(money(d("0.0125"), "EUR", Language::De), "0,0125 EUR");
        assert_eq!(money(d("100"), "EUR", Language::En), "100.00 EUR");
    }

    #[test]
    fn yen_has_no_decimals_and_dinar_three() {
        assert_eq!(money(d("1235"), "JPY", Language::De), "1.235 JPY");
        assert_eq!(money(d("-999"), "JPY", Language::En), "-999 JPY");
        assert_eq!(xml_amount(d("1235"), "JPY"), "1235");
        assert_eq!(money(d("1.5"), "KWD", Language::En), "1.500 KWD");
    }

    #[test]
    fn xml_numbers_are_plain_decimals() {
        assert_eq!(xml_amount(d("19"), "EUR"), "19.00");
        assert_eq!(xml_amount(d("1234.5"), "EUR"), "1234.50");
        assert_eq!(xml_decimal(d("19.00")), "19");
        assert_eq!(xml_decimal(d("1.5000")), "1.5");
        assert_eq!(xml_decimal(d("0.0125")), "0.0125");
    }

    #[test]
    fn quantities_and_rates_drop_trailing_zeros() {
        assert_eq!(quantity(d("2.000"), Language::De), "2");
        assert_eq!(quantity(d("1.5"), Language::De), "1,5");
        assert_eq!(quantity(d("1500"), Language::En), "1,500");
        assert_eq!(percent(d("19.00"), Language::De), "19 %");
        assert_eq!(percent(d("5.5"), Language::De), "5,5 %");
        assert_eq!(percent(d("7"), Language::En), "7%");
    }

    #[test]
    fn dates_are_the_tenant_timezone_dates() {
        let tz = timezone("Europe/Berlin").expect("zone");
        let late = Utc.with_ymd_and_hms(2024, 12, 31, 23, 30, 0).single().expect("instant");
        assert_eq!(date(local_date(late, tz), Language::De), "01.01.2025");
        assert_eq!(date(local_date(late, tz), Language::En), "1 January 2025");
        assert_eq!(date(local_date(late, chrono_tz::UTC), Language::De), "31.12.2024");
        assert_eq!(date_102(local_date(late, tz)), "20250101");
        assert!(matches!(timezone("Mars/Olympus"), Err(DocumentError::TimeZone(_))));
    }

    #[test]
    fn a_period_ending_at_local_midnight_ends_the_day_before() {
        let tz = timezone("Europe/Berlin").expect("zone");
        let start = Utc.with_ymd_and_hms(2024, 12, 31, 23, 0, 0).single().expect("instant");
        let end = Utc.with_ymd_and_hms(2025, 1, 31, 23, 0, 0).single().expect("instant");
        let (first, last) = period_days(&ServicePeriod { start, end }, tz);
        assert_eq!((date(first, Language::De), date(last, Language::De)), ("01.01.2025".into(), "31.01.2025".into()));
        let mid = Utc.with_ymd_and_hms(2025, 2, 15, 10, 0, 0).single().expect("instant");
        let (_, last) = period_days(&ServicePeriod { start: mid, end: mid }, tz);
        assert_eq!(date(last, Language::De), "15.02.2025");
    }
}
