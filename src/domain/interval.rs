//! Billing intervals and the dates they produce.
//!
//! Every billing date is computed from the anchor (the start) and the cycle
//! count, never from the previous date: a subscription started on Jan 31 bills
//! on Feb 29, Mar 31, Apr 30, because clamping only ever applies to one date.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};

/// The unit of an interval.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Day,
    Week,
    Month,
    Year,
}

/// `count` units, e.g. 3 months.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Interval {
    pub count: u32,
    pub unit: Unit,
}

/// Largest count accepted, so `count * n` stays far from overflow.
const MAX_COUNT: u32 = 1200;

impl Interval {
    /// One month, the default billing interval.
    pub const MONTH: Interval = Interval { count: 1, unit: Unit::Month };

    /// Parses `N day(s)|week(s)|month(s)|year(s)` and UniPay's `W M Q S A`.
    pub fn parse(text: &str) -> Option<Interval> {
        let text = text.trim();
        let alias = match text.to_ascii_uppercase().as_str() {
            "W" => Some((1, Unit::Week)),
            "M" => Some((1, Unit::Month)),
            "Q" => Some((3, Unit::Month)),
            "S" => Some((6, Unit::Month)),
            "A" => Some((1, Unit::Year)),
            _ => None,
        };
        if let Some((count, unit)) = alias {
            return Some(Interval { count, unit });
        }
        let mut parts = text.split_whitespace();
        let count: u32 = parts.next()?.parse().ok()?;
        let unit = match parts.next()?.to_ascii_lowercase().as_str() {
            "day" | "days" => Unit::Day,
            "week" | "weeks" => Unit::Week,
            "month" | "months" => Unit::Month,
            "year" | "years" => Unit::Year,
            _ => return None,
        };
        if parts.next().is_some() || count == 0 || count > MAX_COUNT {
            return None;
        }
        Some(Interval { count, unit })
    }

    /// The canonical text: `1 month`, `14 days`.
    pub fn canonical(&self) -> String {
        let unit = match self.unit {
            Unit::Day => "day",
            Unit::Week => "week",
            Unit::Month => "month",
            Unit::Year => "year",
        };
        let plural = if self.count == 1 { "" } else { "s" };
        format!("{} {unit}{plural}", self.count)
    }

    /// The instant `n` intervals after `anchor`, keeping the anchor's day of month
    /// (clamped to the month's length) and its time of day. `None` past year 9999.
    pub fn nth(&self, anchor: DateTime<Utc>, n: u32) -> Option<DateTime<Utc>> {
        let steps = i64::from(self.count) * i64::from(n);
        let at = match self.unit {
            Unit::Day => anchor.checked_add_signed(Duration::try_days(steps)?),
            Unit::Week => anchor.checked_add_signed(Duration::try_weeks(steps)?),
            Unit::Month => add_months(anchor, steps),
            Unit::Year => add_months(anchor, steps.checked_mul(12)?),
        }?;
        // Past what the wire can write (and what text columns sort right): no such date.
        (at <= super::format::latest()).then_some(at)
    }

    /// The end of the interval that starts at `start` (one step, anchor = start).
    pub fn after(&self, start: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.nth(start, 1)
    }
}

impl std::fmt::Display for Interval {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.canonical())
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    let (next_year, next_month) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
    NaiveDate::from_ymd_opt(next_year, next_month, 1).and_then(|first| first.pred_opt()).map_or(28, |last| last.day())
}

fn add_months(anchor: DateTime<Utc>, months: i64) -> Option<DateTime<Utc>> {
    let total = i64::from(anchor.year()) * 12 + i64::from(anchor.month0()) + months;
    let year = i32::try_from(total.div_euclid(12)).ok()?;
    let month = u32::try_from(total.rem_euclid(12)).ok()? + 1;
    let day = anchor.day().min(days_in_month(year, month));
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    Some(date.and_time(anchor.time()).and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).single().expect("valid date")
    }

    #[test]
    fn parses_words_and_unipay_codes() {
        assert_eq!(Interval::parse("1 month"), Some(Interval::MONTH));
        assert_eq!(Interval::parse("14 Days").map(|i| i.canonical()).as_deref(), Some("14 days"));
        assert_eq!(Interval::parse("q"), Some(Interval { count: 3, unit: Unit::Month }));
        assert_eq!(Interval::parse("S"), Some(Interval { count: 6, unit: Unit::Month }));
        assert_eq!(Interval::parse("A"), Some(Interval { count: 1, unit: Unit::Year }));
        assert_eq!(Interval::parse("W"), Some(Interval { count: 1, unit: Unit::Week }));
        for bad in ["", "0 months", "month", "1 fortnight", "1 month extra", "-1 day", "X"] {
            assert_eq!(Interval::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn month_ends_keep_the_anchor_day() {
        let start = at(2024, 1, 31);
        let dates: Vec<_> = (0..4).filter_map(|n| Interval::MONTH.nth(start, n)).collect();
        assert_eq!(dates, vec![at(2024, 1, 31), at(2024, 2, 29), at(2024, 3, 31), at(2024, 4, 30)]);
    }

    #[test]
    fn leap_day_yearly_plan_comes_back_on_leap_years() {
        let year = Interval { count: 1, unit: Unit::Year };
        let start = at(2024, 2, 29);
        assert_eq!(year.nth(start, 1), Some(at(2025, 2, 28)));
        assert_eq!(year.nth(start, 4), Some(at(2028, 2, 29)));
        assert_eq!(Interval::MONTH.nth(at(9999, 12, 15), 1), None, "past 9999-12-31");
        assert_eq!(Interval::MONTH.nth(at(9999, 11, 15), 1), Some(at(9999, 12, 15)));
    }

    proptest! {
        #[test]
        fn billing_dates_strictly_increase(days in 0i64..40000, count in 1u32..25, unit in 0u8..4) {
            let unit = [Unit::Day, Unit::Week, Unit::Month, Unit::Year][usize::from(unit)];
            let interval = Interval { count, unit };
            let start = at(1990, 1, 1) + Duration::days(days);
            let mut previous = start;
            for n in 1..40 {
                let next = interval.nth(start, n).expect("in range");
                prop_assert!(next > previous);
                previous = next;
            }
        }

        #[test]
        fn the_anchor_day_comes_back(days in 0i64..40000, n in 1u32..120) {
            let start = at(1990, 1, 1) + Duration::days(days);
            let date = Interval::MONTH.nth(start, n).expect("in range");
            let expected = start.day().min(days_in_month(date.year(), date.month()));
            prop_assert_eq!(date.day(), expected);
        }

        #[test]
        fn n_monthly_periods_cover_exactly_n_months(days in 0i64..40000, n in 1u32..240) {
            let start = at(1990, 1, 1) + Duration::days(days);
            let end = Interval::MONTH.nth(start, n).expect("in range");
            let months = (end.year() - start.year()) * 12 + end.month() as i32 - start.month() as i32;
            prop_assert_eq!(months, n as i32);
        }
    }
}
