//! Proration of a plan change inside a paid period, by days.
//!
//! A period `[start, end)` has `D` days (calendar days). A change at instant
//! `t` leaves `R` days: the days from `t`'s date to `end`'s date, so the day
//! of the change counts as a day of the new plan. Every recurring item that
//! changes gets two lines:
//!
//! ```text
//! credit = -round(old_net * R / D)     (unused time of the old item)
//! charge = +round(new_net * R / D)     (remaining time of the new item)
//! ```
//!
//! where `net` is the item's full-period net (quantity x unit price) and
//! `round` is half away from zero to the minor unit. Items that do not change
//! get no lines. Worked example: a 30.00 plan for April 1 - May 1 (30 days)
//! changed to a 60.00 plan on April 11: R = 20, credit -20.00, charge 40.00;
//! the period then cost 30.00 - 20.00 + 40.00 = 50.00 = 10 days at 1.00 +
//! 20 days at 2.00, the time-weighted price of what was active.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::money::round_money;
use super::pricing::{Line, LineKind};

/// Remaining and total days of `[start, end)` at `at`, when `at` lies inside it.
pub fn remaining_days(start: DateTime<Utc>, end: DateTime<Utc>, at: DateTime<Utc>) -> Option<(i64, i64)> {
    let total = (end.date_naive() - start.date_naive()).num_days();
    let remaining = (end.date_naive() - at.date_naive()).num_days();
    // A whole day left implies `at < end` and a period of at least a day.
    (at >= start && remaining > 0).then_some((remaining.min(total), total))
}

/// `amount * remaining / total`, rounded to the currency.
pub fn share(amount: Decimal, remaining: i64, total: i64, currency: &str) -> Decimal {
    round_money(amount * Decimal::from(remaining) / Decimal::from(total), currency)
}

fn key(line: &Line) -> (LineKind, Option<&str>) {
    (line.kind, line.article_number.as_deref())
}

fn same_terms(a: &Line, b: &Line) -> bool {
    a.quantity == b.quantity && a.unit_price == b.unit_price && a.vat_percent == b.vat_percent
}

fn prorated(line: &Line, sign: Decimal, remaining: i64, total: i64, currency: &str, label: &str) -> Line {
    let amount = share(line.quantity * line.unit_price, remaining, total, currency) * sign;
    Line {
        kind: LineKind::Proration,
        article_number: line.article_number.clone(),
        description: format!(
            "{label}: {} x {} ({remaining} of {total} days)",
            line.quantity.normalize(),
            line.description
        ),
        quantity: Decimal::ONE,
        unit_price: amount,
        vat_percent: line.vat_percent,
    }
}

/// Credit and charge lines for moving from `old` to `new` recurring items
/// with `remaining` of `total` days left.
pub fn change_lines(old: &[Line], new: &[Line], remaining: i64, total: i64, currency: &str) -> Vec<Line> {
    let mut out = Vec::new();
    for o in old {
        let unchanged = new.iter().any(|n| key(n) == key(o) && same_terms(n, o));
        if !unchanged {
            out.push(prorated(o, Decimal::NEGATIVE_ONE, remaining, total, currency, "Unused time"));
        }
    }
    for n in new {
        let unchanged = old.iter().any(|o| key(n) == key(o) && same_terms(n, o));
        if !unchanged {
            out.push(prorated(n, Decimal::ONE, remaining, total, currency, "Remaining time"));
        }
    }
    out.retain(|l| !l.unit_price.is_zero());
    out
}

/// Credit lines for `days` of `total` of a paid period that a pause makes unused.
pub fn pause_credit(items: &[Line], days: i64, total: i64, currency: &str) -> Vec<Line> {
    items
        .iter()
        .map(|i| prorated(i, Decimal::NEGATIVE_ONE, days, total, currency, "Paused"))
        .filter(|l| !l.unit_price.is_zero())
        .collect()
}

/// Net per day of full-period items over a period of `days` days.
pub fn per_day(items: &[Line], days: i64) -> Decimal {
    if days <= 0 {
        return Decimal::ZERO;
    }
    items.iter().map(|l| l.quantity * l.unit_price).sum::<Decimal>() / Decimal::from(days)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};
    use proptest::prelude::*;

    fn plan(price: Decimal) -> Line {
        Line {
            kind: LineKind::Plan,
            article_number: Some("P".into()),
            description: "Plan".into(),
            quantity: Decimal::ONE,
            unit_price: price,
            vat_percent: Decimal::from(19),
        }
    }

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).single().expect("date")
    }

    #[test]
    fn the_readme_example_credits_20_and_charges_40() {
        let (r, d) = remaining_days(at(2025, 4, 1), at(2025, 5, 1), at(2025, 4, 11)).expect("inside");
        assert_eq!((r, d), (20, 30));
        let lines = change_lines(&[plan(Decimal::from(30))], &[plan(Decimal::from(60))], r, d, "EUR");
        let amounts: Vec<String> = lines.iter().map(|l| l.unit_price.to_string()).collect();
        assert_eq!(amounts, vec!["-20.00", "40.00"]);
    }

    #[test]
    fn unchanged_items_get_no_lines() {
        let addon = Line { kind: LineKind::Addon, article_number: Some("A".into()), ..plan(Decimal::from(5)) };
        let lines =
            change_lines(&[plan(Decimal::from(10)), addon.clone()], &[plan(Decimal::from(10)), addon], 10, 30, "EUR");
        assert!(lines.is_empty());
    }

    #[test]
    fn outside_the_period_there_is_nothing_to_prorate() {
        assert_eq!(remaining_days(at(2025, 4, 1), at(2025, 5, 1), at(2025, 5, 1)), None);
        assert_eq!(remaining_days(at(2025, 4, 1), at(2025, 5, 1), at(2025, 3, 31)), None);
    }

    #[test]
    fn the_last_day_of_a_period_has_no_day_left_to_prorate() {
        // The period ends later on this day: no whole day remains, so no
        // proration (not a zero-amount line).
        let start = Utc.with_ymd_and_hms(2025, 4, 1, 12, 0, 0).single().expect("date");
        let end = Utc.with_ymd_and_hms(2025, 5, 1, 12, 0, 0).single().expect("date");
        let morning = Utc.with_ymd_and_hms(2025, 5, 1, 8, 0, 0).single().expect("date");
        assert_eq!(remaining_days(start, end, morning), None);
        assert_eq!(remaining_days(start, end, at(2025, 4, 30)), Some((1, 30)));
    }

    #[test]
    fn quantities_multiply_the_prorated_price() {
        // 3 seats at 10.00, 10 of 30 days left, moving to 4 seats: -10.00 and +13.33.
        let three = Line { quantity: Decimal::from(3), ..plan(Decimal::from(10)) };
        let four = Line { quantity: Decimal::from(4), ..plan(Decimal::from(10)) };
        let lines = change_lines(&[three], &[four], 10, 30, "EUR");
        let amounts: Vec<String> = lines.iter().map(|l| l.unit_price.to_string()).collect();
        assert_eq!(amounts, vec!["-10.00", "13.33"]);
        assert!(lines.iter().all(|l| l.quantity == Decimal::ONE));
    }

    proptest! {
        /// Upgrades apply at once with proration; downgrades wait for the
        /// period end. Whatever the sequence, a period's invoice nets add up
        /// to the time-weighted price of what was active, within a cent per line.
        #[test]
        fn period_nets_equal_the_time_weighted_price(
            start_day in 0i64..3000,
            first in 1u32..100_000,
            changes in proptest::collection::vec((0i64..40, 1u32..100_000), 0..8),
        ) {
            let start = at(2020, 1, 1) + Duration::days(start_day);
            let end = crate::domain::interval::Interval::MONTH.after(start).expect("in range");
            let total = (end.date_naive() - start.date_naive()).num_days();
            let cents = |c: u32| Decimal::new(i64::from(c), 2);
            let mut active = cents(first);
            let mut nets = vec![active];
            let mut line_count = 1i64;
            let mut segments = vec![(0i64, active)];
            let mut day_offsets: Vec<(i64, u32)> = changes.into_iter().map(|(d, p)| (d % total, p)).collect();
            day_offsets.sort_by_key(|(d, _)| *d);
            for (offset, price) in day_offsets {
                let new = cents(price);
                if new <= active {
                    continue; // a downgrade waits for the period end
                }
                let when = start + Duration::days(offset);
                let (remaining, days) = remaining_days(start, end, when).expect("inside the period");
                let lines = change_lines(&[plan(active)], &[plan(new)], remaining, days, "EUR");
                line_count += lines.len() as i64;
                nets.extend(lines.iter().map(|l| l.quantity * l.unit_price));
                segments.push((offset, new));
                active = new;
            }
            let billed: Decimal = nets.iter().sum();
            let mut weighted = Decimal::ZERO;
            for (i, (from, price)) in segments.iter().enumerate() {
                let to = segments.get(i + 1).map_or(total, |s| s.0);
                weighted += *price * Decimal::from(to - from) / Decimal::from(total);
            }
            let tolerance = Decimal::new(line_count, 2);
            prop_assert!((billed - weighted).abs() <= tolerance, "billed {} vs weighted {}", billed, weighted);
            // Credits never exceed what was paid for the period.
            let credits: Decimal = nets.iter().filter(|n| n.is_sign_negative()).sum();
            let paid: Decimal = nets.iter().filter(|n| n.is_sign_positive()).sum();
            prop_assert!(-credits <= paid);
        }
    }
}
