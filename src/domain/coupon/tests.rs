//! Coupon rules by hand-computed dates and counts.

use std::str::FromStr;

use chrono::{DateTime, TimeZone, Utc};
use rust_decimal::Decimal;

use super::*;
use crate::domain::discount::{DiscountValue, Percent};
use crate::domain::interval::{Interval, Unit};

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal literal")
}

fn at(y: i32, m: u32, day: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, day, h, 0, 0).single().expect("date")
}

fn coupon() -> Coupon {
    Coupon {
        code: "SUMMER".into(),
        value: DiscountValue::Percent(Percent::parse(d("20")).expect("percent")),
        length: Length::Forever,
        valid_from: Some(at(2025, 6, 1, 0)),
        valid_to: Some(at(2025, 8, 31, 0)),
        usages: 0,
        usages_max: 2,
        assigned_articles: vec!["PRO".into(), "TEAM".into()],
    }
}

fn new_coupon<'a>(discount_type: &'a str, discount: &str, articles: &'a [String]) -> NewCoupon<'a> {
    NewCoupon {
        code: " WELCOME ",
        discount_type,
        discount: d(discount),
        period_amount: None,
        period_unit: None,
        valid_from: None,
        valid_to: None,
        usages_max: None,
        assigned_articles: articles,
    }
}

#[test]
fn state_takes_the_first_match() {
    let used_up = Coupon { usages: 2, ..coupon() };
    // Before VALID_FROM wins over USED; after VALID_TO too.
    assert_eq!(used_up.state(at(2025, 5, 31, 23)), State::Premature);
    assert_eq!(used_up.state(at(2025, 8, 31, 1)), State::Expired);
    assert_eq!(used_up.state(at(2025, 7, 1, 0)), State::Used);
    // Both bounds are included.
    assert_eq!(coupon().state(at(2025, 6, 1, 0)), State::Unused);
    assert_eq!(coupon().state(at(2025, 8, 31, 0)), State::Unused);
    // USAGES_MAX 0 is unlimited.
    let unlimited = Coupon { usages: 1000, usages_max: 0, valid_from: None, valid_to: None, ..coupon() };
    assert_eq!(unlimited.state(at(2030, 1, 1, 0)).as_str(), "UNUSED");
}

#[test]
fn check_answers_invalid_with_a_reason() {
    let c = coupon();
    assert_eq!(c.check("PRO", at(2025, 7, 1, 0)), Ok(()));
    assert_eq!(c.check(" TEAM ", at(2025, 7, 1, 0)), Ok(()));
    assert_eq!(c.check("BASIC", at(2025, 7, 1, 0)), Err(Invalid::NotAssigned));
    assert_eq!(c.check("PRO", at(2025, 1, 1, 0)), Err(Invalid::Premature));
    assert_eq!(c.check("PRO", at(2026, 1, 1, 0)), Err(Invalid::Expired));
    assert_eq!(Coupon { usages: 2, ..c.clone() }.check("PRO", at(2025, 7, 1, 0)), Err(Invalid::UsedUp));
    let everywhere = Coupon { assigned_articles: Vec::new(), ..c };
    assert_eq!(everywhere.check("ANYTHING", at(2025, 7, 1, 0)), Ok(()));
}

#[test]
fn assigned_articles_come_as_a_list_or_a_comma_string() {
    assert_eq!(assigned_articles_from_text(" PRO, TEAM ,,PRO"), vec!["PRO", "TEAM"]);
    assert_eq!(assigned_articles_from_text(""), Vec::<String>::new());
    assert_eq!(assigned_articles(["A", " B", "", "A"]), vec!["A", "B"]);
}

#[test]
fn lengths_parse_and_refuse_unknown_units() {
    assert_eq!(Length::parse(None, None), Ok(Length::Forever));
    assert_eq!(Length::parse(Some(0), Some(" ")), Ok(Length::Forever));
    assert_eq!(Length::parse(Some(3), Some("Month")), Ok(Length::Time(Interval { count: 3, unit: Unit::Month })));
    assert_eq!(Length::parse(Some(2), Some("events")), Ok(Length::Events(2)));
    assert_eq!(Length::parse(Some(14), Some("days")).map(|l| l.parts()), Ok((Some(14), Some("day"))));
    let err = Length::parse(Some(2), Some("fortnight")).expect_err("unknown unit");
    assert_eq!(err.tag(), "DISCOUNT_PERIOD_UNIT");
    assert!(err.to_string().contains("fortnight"));
    assert_eq!(Length::parse(Some(2), None).map_err(|e| e.tag()), Err("DISCOUNT_PERIOD_UNIT"));
    assert_eq!(Length::parse(None, Some("day")).map_err(|e| e.tag()), Err("DISCOUNT_PERIOD_AMOUNT"));
    assert_eq!(Length::parse(Some(1201), Some("day")), Err(CouponError::AmountTooLarge));
}

#[test]
fn time_lengths_end_by_the_month_arithmetic_of_intervals() {
    let months = Length::Time(Interval { count: 3, unit: Unit::Month });
    // Jan 31 + 3 months = Apr 30 (clamped), same time of day.
    assert_eq!(months.end(at(2025, 1, 31, 10)), Some(at(2025, 4, 30, 10)));
    let weeks = Length::Time(Interval { count: 2, unit: Unit::Week });
    assert_eq!(weeks.end(at(2025, 1, 1, 0)), Some(at(2025, 1, 15, 0)));
    let year = Length::Time(Interval { count: 1, unit: Unit::Year });
    assert_eq!(year.end(at(2024, 2, 29, 0)), Some(at(2025, 2, 28, 0)));
    assert_eq!(Length::Events(3).end(at(2025, 1, 1, 0)), None);
}

fn held(length: Length, redeemed: DateTime<Utc>) -> Held {
    Held { value: coupon().value, length, redeemed, active: true }
}

#[test]
fn a_three_month_coupon_discounts_the_periods_that_start_before_its_end() {
    // Redeemed with a monthly subscription on Jan 31 10:00: the end is Apr 30 10:00.
    let h = held(Length::Time(Interval { count: 3, unit: Unit::Month }), at(2025, 1, 31, 10));
    for start in [at(2025, 1, 31, 10), at(2025, 2, 28, 10), at(2025, 3, 31, 10)] {
        assert!(applies(&h, start, true, 0), "{start}");
    }
    assert!(!applies(&h, at(2025, 4, 30, 10), true, 3));
    // An upgrade on Apr 30 09:00 lies before the end.
    assert!(applies(&h, at(2025, 4, 30, 9), false, 3));
}

#[test]
fn a_ten_day_coupon_on_a_weekly_plan_discounts_two_invoices() {
    // Jan 1 + 10 days = Jan 11: periods of Jan 1 and Jan 8 start before it, Jan 15 does not.
    let h = held(Length::Time(Interval { count: 10, unit: Unit::Day }), at(2025, 1, 1, 0));
    let starts = [at(2025, 1, 1, 0), at(2025, 1, 8, 0), at(2025, 1, 15, 0)];
    let discounted: Vec<bool> = starts.iter().map(|s| applies(&h, *s, true, 0)).collect();
    assert_eq!(discounted, vec![true, true, false]);
}

#[test]
fn an_event_coupon_counts_regular_invoices_and_ends_after_the_last() {
    let mut h = held(Length::Events(3), at(2025, 1, 1, 0));
    let mut count = 0;
    let mut seen = Vec::new();
    for month in 1..=5 {
        let after = after_regular_invoice(&h, at(2025, month, 1, 0), count);
        seen.push((after.discounted, after.payments_discounted, after.active));
        // A change in this period, before the next regular invoice.
        if month == 3 {
            assert!(applies(&Held { active: after.active, ..h.clone() }, at(2025, 3, 15, 0), false, 3));
        }
        count = after.payments_discounted;
        h.active = after.active;
    }
    // Invoices 1, 2, 3 discounted (the first at creation is event 1); the 4th not, and the coupon ends.
    let expected = vec![(true, 1, true), (true, 2, true), (true, 3, true), (false, 3, false), (false, 3, false)];
    assert_eq!(seen, expected);
    assert!(!applies(&h, at(2025, 4, 15, 0), false, 3), "a change after the end is not discounted");
    assert!(exhausted(&Length::Events(3), at(2025, 1, 1, 0), 3, at(2025, 3, 2, 0)));
    assert!(!exhausted(&Length::Events(3), at(2025, 1, 1, 0), 2, at(2025, 3, 2, 0)));
}

#[test]
fn a_forever_coupon_discounts_until_it_is_ended() {
    let h = held(Length::Forever, at(2025, 1, 1, 0));
    assert!(applies(&h, at(2099, 1, 1, 0), true, 1000));
    assert!(!applies(&Held { active: false, ..h.clone() }, at(2025, 2, 1, 0), true, 1));
    assert!(!exhausted(&h.length, h.redeemed, 1000, at(2099, 1, 1, 0)));
    let months = Length::Time(Interval { count: 1, unit: Unit::Month });
    assert!(exhausted(&months, at(2025, 1, 31, 0), 0, at(2025, 2, 28, 0)));
    assert!(!exhausted(&months, at(2025, 1, 31, 0), 0, at(2025, 2, 27, 23)));
}

#[test]
fn a_new_coupon_is_validated_and_errors_name_the_tag() {
    let none: Vec<String> = Vec::new();
    let ok = new_coupon("percent", "100", &none).validate().expect("valid");
    assert_eq!((ok.code.as_str(), ok.usages, ok.usages_max, ok.length), ("WELCOME", 0, 0, Length::Forever));
    assert!(new_coupon("fixed", "0.01", &none).validate().is_ok());
    let tag = |n: NewCoupon<'_>| n.validate().map(|_| ()).map_err(|e| e.tag());
    assert_eq!(tag(new_coupon("percent", "0", &none)), Err("DISCOUNT"));
    assert_eq!(tag(new_coupon("percent", "-5", &none)), Err("DISCOUNT"));
    assert_eq!(tag(new_coupon("percent", "100.01", &none)), Err("DISCOUNT"));
    assert_eq!(tag(new_coupon("fixed", "0", &none)), Err("DISCOUNT"));
    assert_eq!(tag(new_coupon("amount", "5", &none)), Err("DISCOUNT_TYPE"));
    assert_eq!(tag(NewCoupon { code: "  ", ..new_coupon("fixed", "5", &none) }), Err("CODE"));
    assert_eq!(
        tag(NewCoupon { period_unit: Some("decade"), period_amount: Some(1), ..new_coupon("fixed", "5", &none) }),
        Err("DISCOUNT_PERIOD_UNIT")
    );
    let backwards = NewCoupon {
        valid_from: Some(at(2025, 2, 1, 0)),
        valid_to: Some(at(2025, 1, 31, 23)),
        ..new_coupon("fixed", "5", &none)
    };
    assert_eq!(tag(backwards.clone()), Err("VALID_TO"));
    assert!(NewCoupon { valid_to: Some(at(2025, 2, 1, 0)), ..backwards }.validate().is_ok(), "one instant is fine");
    let articles = vec!["PRO".to_owned(), " PRO ".to_owned(), "TEAM".to_owned()];
    let with = new_coupon("fixed", "5", &articles).validate().expect("valid");
    assert_eq!(with.assigned_articles, vec!["PRO", "TEAM"]);
}
