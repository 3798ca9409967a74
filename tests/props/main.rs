//! Property tests of the pure money and period rules in `recur::domain`,
//! each against an independent model (`oracle`): exact big rationals with
//! their own half-away-from-zero rounding, and a calendar built from a table
//! of month lengths and the leap-year rule. No expected value comes from the
//! crate itself.
//!
//! The HTTP-level properties (parsers through the wire, proration over the
//! whole stack) are in `tests/api/wire_props.rs`.

mod oracle;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Timelike, Utc};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{Signed, Zero};
use proptest::prelude::*;
use recur::domain::interval::{Interval, Unit};
use recur::domain::money::{format_decimal, round_money};
use recur::domain::pricing::{self, Line, LineKind};
use recur::domain::proration;
use rust_decimal::Decimal;

use oracle::{CURRENCIES, minor_units, of, rat, round, text};

/// A decimal with up to `max_scale` decimals between -`bound` and `bound`
/// (as an integer of minor units of that scale).
fn decimal(min: i64, max: i64, max_scale: u32) -> impl Strategy<Value = Decimal> {
    (min..=max, 0..=max_scale).prop_map(|(n, s)| Decimal::new(n, s))
}

/// VAT rates as shops send them, the same rate written two ways included.
fn vat_rate() -> impl Strategy<Value = Decimal> {
    prop::sample::select(vec!["0", "5.5", "7", "7.00", "7.7", "8.1", "10", "16", "19", "19.00", "20", "21", "25.5"])
        .prop_map(|s| s.parse::<Decimal>().expect("rate"))
}

fn currency() -> impl Strategy<Value = &'static str> {
    prop::sample::select(CURRENCIES.to_vec())
}

fn model(line: &Line) -> oracle::Line {
    oracle::Line { quantity: of(line.quantity), unit_price: of(line.unit_price), vat_percent: of(line.vat_percent) }
}

fn plan_line(kind: LineKind, number: &str, quantity: Decimal, unit_price: Decimal, vat_percent: Decimal) -> Line {
    Line {
        kind,
        article_number: Some(number.to_owned()),
        description: number.to_owned(),
        quantity,
        unit_price,
        vat_percent,
    }
}

/// An invoice line: quantity up to 100 with up to 4 decimals, a unit price
/// (negative for credits) up to 10,000 with up to 4 decimals.
fn invoice_line() -> impl Strategy<Value = Line> {
    (decimal(1, 1_000_000, 4), decimal(-100_000_000, 100_000_000, 4), vat_rate(), 0usize..3).prop_map(
        |(quantity, unit_price, vat, kind)| {
            let kind = [LineKind::Plan, LineKind::Addon, LineKind::Proration][kind];
            plan_line(kind, "X", quantity, unit_price, vat)
        },
    )
}

/// Checks that `priced` shows exactly what the model says for `lines`.
fn same_invoice(lines: &[Line], priced: &pricing::Priced, currency: &str) -> Result<(), TestCaseError> {
    let scale = minor_units(currency);
    let model_lines: Vec<oracle::Line> = lines.iter().map(model).collect();
    let (nets, vats, sub_total, vat_total, total) = oracle::invoice(&model_lines, scale);
    prop_assert_eq!(priced.lines.len(), nets.len());
    for (got, want) in priced.lines.iter().zip(&nets) {
        prop_assert_eq!(got.net.to_string(), text(want, scale));
    }
    prop_assert_eq!(priced.vat_items.len(), vats.len(), "one VAT item per rate");
    for (got, want) in priced.vat_items.iter().zip(&vats) {
        prop_assert_eq!(of(got.vat_percent), want.rate.clone());
        prop_assert_eq!(got.net.to_string(), text(&want.net, scale));
        prop_assert_eq!(got.vat.to_string(), text(&want.vat, scale));
    }
    prop_assert_eq!(priced.sub_total.to_string(), text(&sub_total, scale));
    prop_assert_eq!(priced.vat_total.to_string(), text(&vat_total, scale));
    prop_assert_eq!(priced.total.to_string(), text(&total, scale));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Line nets rounded half away from zero to the currency's minor unit,
    /// VAT per rate on the summed nets (rates sorted, `19` and `19.00` one
    /// rate), totals from those, written with exactly the minor unit's decimals.
    #[test]
    fn invoices_match_exact_arithmetic(lines in prop::collection::vec(invoice_line(), 1..10), currency in currency()) {
        let priced = pricing::price(lines.clone(), currency);
        same_invoice(&lines, &priced, currency)?;
    }

    /// `round_money` is half away from zero at the currency's minor unit.
    #[test]
    fn rounding_matches_exact_arithmetic(amount in decimal(-1_000_000_000_000, 1_000_000_000_000, 8), currency in currency()) {
        let scale = minor_units(currency);
        let rounded = round_money(amount, currency);
        prop_assert_eq!(rounded.to_string(), text(&round(&of(amount), scale), scale));
    }

    /// `format_decimal` keeps the value and writes at least `min_scale`
    /// decimals, with no trailing zero beyond them.
    #[test]
    fn formatting_keeps_the_value(amount in decimal(-1_000_000_000_000, 1_000_000_000_000, 8), min_scale in 0u32..=4) {
        let written = format_decimal(amount, min_scale);
        prop_assert_eq!(rat(&written), of(amount));
        let decimals = written.split_once('.').map_or(0, |(_, f)| f.len());
        prop_assert!(decimals >= min_scale as usize, "{}", written);
        prop_assert!(decimals <= min_scale as usize || !written.ends_with('0'), "{}", written);
    }
}

/// Instants from 1990 to 2099 with a time of day.
fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    (0i64..40_000, 0i64..86_400).prop_map(|(days, secs)| {
        let base = NaiveDate::from_ymd_opt(1990, 1, 1).expect("date").and_hms_opt(0, 0, 0).expect("time").and_utc();
        base + Duration::days(days) + Duration::seconds(secs)
    })
}

/// Billing intervals: days, weeks, months and years.
fn interval() -> impl Strategy<Value = Interval> {
    prop_oneof![
        (1u32..=60).prop_map(|c| Interval::parse(&format!("{c} days")).expect("days")),
        (1u32..=8).prop_map(|c| Interval::parse(&format!("{c} weeks")).expect("weeks")),
        (1u32..=12).prop_map(|c| Interval::parse(&format!("{c} months")).expect("months")),
        (1u32..=3).prop_map(|c| Interval::parse(&format!("{c} years")).expect("years")),
    ]
}

fn day_number(at: DateTime<Utc>) -> i64 {
    oracle::day_number(i64::from(at.year()), at.month(), at.day())
}

/// Recurring items of a subscription: a plan and up to three add-ons.
fn items() -> impl Strategy<Value = Vec<Line>> {
    let item = || (decimal(1, 50_000, 4), decimal(0, 50_000_000, 4), vat_rate());
    (item(), prop::collection::vec(item(), 0..4)).prop_map(|(plan, addons)| {
        let mut out = vec![plan_line(LineKind::Plan, "PLAN", plan.0, plan.1, plan.2)];
        for (i, (q, p, v)) in addons.into_iter().enumerate() {
            out.push(plan_line(LineKind::Addon, &format!("ADD{i}"), q, p, v));
        }
        out
    })
}

/// `items` changed: each kept, given another quantity or price, or dropped
/// (add-ons only), and maybe a new add-on.
fn changed(items: Vec<Line>) -> impl Strategy<Value = (Vec<Line>, Vec<Line>)> {
    let n = items.len();
    (
        prop::collection::vec((0u8..4, decimal(1, 50_000, 4), decimal(0, 50_000_000, 4)), n),
        prop::option::of((decimal(1, 50_000, 4), decimal(0, 50_000_000, 4), vat_rate())),
    )
        .prop_map(move |(edits, extra)| {
            let mut new = Vec::new();
            for (item, (what, q, p)) in items.iter().zip(edits) {
                match what {
                    0 => new.push(item.clone()),
                    1 => new.push(Line { quantity: q, ..item.clone() }),
                    2 => new.push(Line { unit_price: p, ..item.clone() }),
                    _ if item.kind == LineKind::Plan => new.push(Line { quantity: q, unit_price: p, ..item.clone() }),
                    _ => {}
                }
            }
            if let Some((q, p, v)) = extra {
                new.push(plan_line(LineKind::Addon, "NEW", q, p, v));
            }
            (items.clone(), new)
        })
}

fn net(line: &Line) -> BigRational {
    of(line.quantity) * of(line.unit_price)
}

fn same_item(a: &Line, b: &Line) -> bool {
    a.kind == b.kind
        && a.article_number == b.article_number
        && of(a.quantity) == of(b.quantity)
        && of(a.unit_price) == of(b.unit_price)
        && of(a.vat_percent) == of(b.vat_percent)
}

/// The model's proration lines: `(sign x round(net x r / d), VAT rate)` for
/// every item that changed, zero amounts dropped; and how many were rounded.
fn model_change(old: &[Line], new: &[Line], r: i64, d: i64, scale: u32) -> (Vec<(BigRational, BigRational)>, usize) {
    let share = |l: &Line| round(&(net(l) * BigInt::from(r) / BigInt::from(d)), scale);
    let mut out = Vec::new();
    for o in old.iter().filter(|o| !new.iter().any(|n| same_item(n, o))) {
        out.push((-share(o), of(o.vat_percent)));
    }
    for n in new.iter().filter(|n| !old.iter().any(|o| same_item(n, o))) {
        out.push((share(n), of(n.vat_percent)));
    }
    let rounded = out.len();
    out.retain(|(amount, _)| !amount.is_zero());
    (out, rounded)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(384))]

    /// The days left of a period, counted on the calendar: from the change's
    /// date to the period end's date, `None` outside the period or when no
    /// whole day is left.
    #[test]
    fn remaining_days_count_calendar_days(start in instant(), interval in interval(), at_fraction in 0.0f64..1.2) {
        let end = interval.after(start).expect("in range");
        let span = (end - start).num_seconds();
        let at = start + Duration::seconds((span as f64 * at_fraction) as i64);
        let d = day_number(end) - day_number(start);
        let r = day_number(end) - day_number(at);
        let expected = (at < end && r > 0).then_some((r, d));
        prop_assert_eq!(proration::remaining_days(start, end, at), expected);
    }

    /// A change of random plans, quantities, add-ons, VAT rates and currencies
    /// at a random instant of a random period: the proration lines are exactly
    /// the model's, the invoice they make is priced as the model says, and the
    /// period then costs the time-weighted price of what was active, within
    /// half a minor unit per rounded line.
    #[test]
    fn changes_prorate_like_the_model(
        (old, new) in items().prop_flat_map(changed),
        start in instant(),
        interval in interval(),
        at_fraction in 0.0f64..1.0,
        currency in currency(),
    ) {
        let scale = minor_units(currency);
        let end = interval.after(start).expect("in range");
        let at = start + Duration::seconds(((end - start).num_seconds() as f64 * at_fraction) as i64);
        let Some((r, d)) = proration::remaining_days(start, end, at) else { return Ok(()) };
        let lines = proration::change_lines(&old, &new, r, d, currency);
        let (expected, rounded) = model_change(&old, &new, r, d, scale);
        prop_assert_eq!(lines.len(), expected.len());
        for (got, (amount, rate)) in lines.iter().zip(&expected) {
            prop_assert_eq!(got.kind, LineKind::Proration);
            prop_assert_eq!(got.quantity, Decimal::ONE);
            prop_assert_eq!(got.unit_price.to_string(), text(amount, scale));
            prop_assert_eq!(&of(got.vat_percent), rate);
        }
        same_invoice(&lines, &pricing::price(lines.clone(), currency), currency)?;
        // The whole period: its regular invoice (old items in full) plus the change.
        let billed = old.iter().map(|l| round(&net(l), scale)).chain(expected.iter().map(|(a, _)| a.clone()))
            .fold(BigRational::zero(), |s, x| s + x);
        let (r, d) = (BigInt::from(r), BigInt::from(d));
        let weighted = old.iter().map(net).fold(BigRational::zero(), |s, x| s + x) * (&d - &r) / &d
            + new.iter().map(net).fold(BigRational::zero(), |s, x| s + x) * &r / &d;
        let half_unit = BigRational::new(BigInt::from(1), BigInt::from(2) * BigInt::from(10u32).pow(scale));
        let bound = half_unit * BigInt::from(old.len() + rounded);
        prop_assert!((billed.clone() - weighted.clone()).abs() <= bound, "billed {} vs weighted {}", billed, weighted);
    }

    /// Pause credits: `-round(net x days / total)` per item, zero ones dropped.
    #[test]
    fn pause_credits_are_the_paused_share(items in items(), total in 1i64..=366, days_fraction in 0.0f64..=1.0, currency in currency()) {
        let scale = minor_units(currency);
        let days = ((total as f64) * days_fraction) as i64;
        let credit = proration::pause_credit(&items, days, total, currency);
        let expected: Vec<String> = items
            .iter()
            .map(|l| -round(&(net(l) * BigInt::from(days) / BigInt::from(total)), scale))
            .filter(|a| !a.is_zero())
            .map(|a| text(&a, scale))
            .collect();
        let got: Vec<String> = credit.iter().map(|l| l.unit_price.to_string()).collect();
        prop_assert_eq!(got, expected);
    }

    /// Upgrades apply at once, downgrades wait for the period end (the model
    /// decides by the summed full-period nets; the interval does not change).
    /// Over a sequence of changes in one period, of random items in a random
    /// currency, the period costs the time-weighted price of what was active.
    #[test]
    fn a_sequence_of_changes_costs_the_time_weighted_price(
        first in items(),
        proposals in prop::collection::vec((0.0f64..1.0, items()), 0..6),
        start in instant(),
        interval in interval(),
        currency in currency(),
    ) {
        let scale = minor_units(currency);
        let end = interval.after(start).expect("in range");
        let span = (end - start).num_seconds();
        let mut proposals: Vec<(i64, Vec<Line>)> =
            proposals.into_iter().map(|(f, items)| ((span as f64 * f) as i64, items)).collect();
        proposals.sort_by_key(|(offset, _)| *offset);
        let total = |items: &[Line]| items.iter().map(net).fold(BigRational::zero(), |s, x| s + x);
        let mut active = first.clone();
        let mut billed = first.iter().map(|l| round(&net(l), scale)).fold(BigRational::zero(), |s, x| s + x);
        let mut rounded = first.len();
        let d = day_number(end) - day_number(start);
        // (days left when it became active, the full-period net of what was active)
        let mut segments = vec![(d, total(&first))];
        for (offset, proposal) in proposals {
            let at = start + Duration::seconds(offset);
            let Some((r, days)) = proration::remaining_days(start, end, at) else { continue };
            if total(&proposal) < total(&active) {
                continue; // a downgrade waits for the period end
            }
            let lines = proration::change_lines(&active, &proposal, r, days, currency);
            // Every changed item was rounded once (zero lines are dropped after rounding).
            rounded += active.iter().filter(|o| !proposal.iter().any(|n| same_item(n, o))).count()
                + proposal.iter().filter(|n| !active.iter().any(|o| same_item(n, o))).count();
            billed += lines.iter().map(|l| of(l.quantity) * of(l.unit_price)).fold(BigRational::zero(), |s, x| s + x);
            segments.push((r, total(&proposal)));
            active = proposal;
        }
        let mut weighted = BigRational::zero();
        for (i, (left, value)) in segments.iter().enumerate() {
            let until = segments.get(i + 1).map_or(0, |s| s.0);
            weighted += value * BigInt::from(left - until) / BigInt::from(d);
        }
        let half_unit = BigRational::new(BigInt::from(1), BigInt::from(2) * BigInt::from(10u32).pow(scale));
        let bound = half_unit * BigInt::from(rounded);
        prop_assert!((billed.clone() - weighted.clone()).abs() <= bound, "billed {} vs weighted {}", billed, weighted);
    }
}

/// A start date from the calendar model (1600-2599) with a time of day.
fn anchor() -> impl Strategy<Value = DateTime<Utc>> {
    (1600i64..2600, 1u32..=12, 1u32..=31, 0u32..86_400).prop_map(|(y, m, d, secs)| {
        let day = d.min(oracle::days_in_month(y, m));
        NaiveDate::from_ymd_opt(y as i32, m, day)
            .and_then(|date| date.and_hms_opt(secs / 3600, secs / 60 % 60, secs % 60))
            .expect("a date of the calendar model")
            .and_utc()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    /// Month and year steps keep the anchor's day, clamped to the target
    /// month's length from the calendar table, and its time of day; day and
    /// week steps move by whole days on the day-number line.
    #[test]
    fn nth_billing_dates_follow_the_calendar_table(anchor in anchor(), count in 1u32..=24, unit in 0u8..4, n in 0u32..=150) {
        let interval = Interval { count, unit: [Unit::Day, Unit::Week, Unit::Month, Unit::Year][usize::from(unit)] };
        let got = interval.nth(anchor, n).expect("in range");
        let (y, m, d) = (i64::from(anchor.year()), anchor.month(), anchor.day());
        let steps = i64::from(count) * i64::from(n);
        let expected = match interval.unit {
            Unit::Day | Unit::Week => {
                let days = if interval.unit == Unit::Week { steps * 7 } else { steps };
                oracle::civil(oracle::day_number(y, m, d) + days)
            }
            Unit::Month | Unit::Year => {
                let months = if interval.unit == Unit::Year { steps * 12 } else { steps };
                let total = y * 12 + i64::from(m - 1) + months;
                let (ty, tm) = (total.div_euclid(12), total.rem_euclid(12) as u32 + 1);
                (ty, tm, d.min(oracle::days_in_month(ty, tm)))
            }
        };
        prop_assert_eq!((i64::from(got.year()), got.month(), got.day()), expected);
        prop_assert_eq!(got.num_seconds_from_midnight(), anchor.num_seconds_from_midnight());
    }

    /// Interval texts: `N unit(s)` in any case for N in 1..=1200 parse to the
    /// canonical form; 0 and more than 1200 are refused.
    #[test]
    fn interval_texts_parse_to_their_canonical_form(count in 0u32..=1300, unit in 0usize..4, plural in any::<bool>(), upper in any::<bool>()) {
        let word = ["day", "week", "month", "year"][unit];
        let mut written = format!("{count} {word}{}", if plural { "s" } else { "" });
        if upper {
            written = written.to_uppercase();
        }
        let parsed = Interval::parse(&written);
        if (1..=1200).contains(&count) {
            let canonical = format!("{count} {word}{}", if count == 1 { "" } else { "s" });
            prop_assert_eq!(parsed.map(|i| i.canonical()), Some(canonical));
        } else {
            prop_assert_eq!(parsed, None);
        }
    }
}

/// The model itself, on figures worked out by hand.
#[test]
fn the_model_rounds_and_counts_as_stated() {
    use oracle::{civil, day_number};
    assert_eq!(text(&round(&rat("0.225"), 2), 2), "0.23");
    assert_eq!(text(&round(&rat("-0.225"), 2), 2), "-0.23");
    assert_eq!(text(&round(&rat("1332.666"), 0), 0), "1333");
    assert_eq!(text(&round(&rat("1.00005"), 3), 3), "1.000");
    assert_eq!(text(&rat("0.05"), 2), "0.05");
    assert_eq!(day_number(2024, 3, 1) - day_number(2024, 2, 1), 29);
    assert_eq!(day_number(2100, 3, 1) - day_number(2100, 2, 1), 28);
    assert_eq!(day_number(2000, 3, 1) - day_number(2000, 2, 1), 29);
    assert_eq!(day_number(2026, 1, 1) - day_number(2025, 1, 1), 365);
    for n in [0, 59, 60, 365, 146_096, 146_097, 738_000] {
        let (y, m, d) = civil(n);
        assert_eq!(day_number(y, m, d), n);
    }
}

/// Line kinds are stored as text and read back: every kind round-trips, and
/// an unknown text is no kind.
#[test]
fn line_kinds_round_trip_their_text() {
    use LineKind::*;
    let kinds = [Plan, Addon, Usage, Setup, Proration, Discount, Coupon, Consumption, Manual, Credit];
    let texts: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
    assert_eq!(
        texts,
        ["plan", "addon", "usage", "setup", "proration", "discount", "coupon", "consumption", "manual", "credit"]
    );
    for kind in kinds {
        assert_eq!(LineKind::parse(kind.as_str()), Some(kind));
    }
    for unknown in ["", "Plan", "Credit", "manuals"] {
        assert_eq!(LineKind::parse(unknown), None, "{unknown}");
    }
}

proptest! {
    /// What a change is worth per day: the items' summed full-period nets
    /// (quantity x unit price) over the period's days, nothing for no days.
    #[test]
    fn per_day_is_the_period_net_over_the_days(items in items(), days in -3i64..=400) {
        let got = proration::per_day(&items, days);
        if days <= 0 {
            prop_assert_eq!(got, Decimal::ZERO);
        } else {
            let exact = items.iter().map(net).fold(BigRational::zero(), |s, x| s + x) / BigInt::from(days);
            // Decimal keeps 28 significant digits: equal to the exact value to 1e-15.
            let tolerance = BigRational::new(BigInt::from(1), BigInt::from(10u64).pow(15));
            prop_assert!((of(got) - exact.clone()).abs() <= tolerance, "{} vs {}", got, exact);
        }
    }
}
