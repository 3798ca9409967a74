//! Hand-computed examples of API.md section 9. Expected values are literals;
//! the arithmetic is in the comments.

use std::str::FromStr;

use rust_decimal::Decimal;

use super::*;
use crate::domain::pricing::{Line, LineKind, Priced, price};

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal literal")
}

fn line(kind: LineKind, qty: &str, unit: &str, vat: &str) -> Line {
    Line {
        kind,
        article_number: None,
        description: kind.as_str().into(),
        quantity: d(qty),
        unit_price: d(unit),
        vat_percent: d(vat),
    }
}

fn percent(label: &str, p: &str) -> Reduction {
    Reduction { label: label.into(), value: DiscountValue::Percent(Percent::parse(d(p)).expect("percent")) }
}

fn fixed(label: &str, amount: &str) -> Reduction {
    Reduction { label: label.into(), value: DiscountValue::Fixed(FixedAmount::parse(d(amount)).expect("fixed")) }
}

/// `kind:rate:unit_price` of the discount and coupon lines.
fn extra(lines: &[Line]) -> Vec<String> {
    lines
        .iter()
        .filter(|l| matches!(l.kind, LineKind::Discount | LineKind::Coupon))
        .map(|l| format!("{}:{}:{}", l.kind.as_str(), l.vat_percent, l.unit_price))
        .collect()
}

fn totals(p: &Priced) -> String {
    format!("{} + {} = {}", p.sub_total, p.vat_total, p.total)
}

#[test]
fn a_discount_then_a_coupon_each_take_what_the_previous_left_per_rate() {
    let lines = vec![
        line(LineKind::Plan, "1", "29.99", "19"),
        line(LineKind::Addon, "2", "4.95", "19"), // 9.90
        line(LineKind::Addon, "1", "10.00", "7"),
        line(LineKind::Setup, "1", "49.00", "19"), // not discounted
        line(LineKind::Usage, "3", "0.10", "19"),  // 0.30, not discounted
    ];
    let all =
        apply(lines.clone(), &[percent("10 % off", "10")], Some(&percent("HALF", "50")), Occasion::Regular, "EUR");
    // 10 %: at 7: 10.00 x 0.10 = 1.00; at 19: (29.99 + 9.90) = 39.89 x 0.10 = 3.989 -> 3.99.
    // 50 %: at 7: (10.00 - 1.00) x 0.5 = 4.50; at 19: (39.89 - 3.99) = 35.90 x 0.5 = 17.95.
    assert_eq!(extra(&all), vec!["discount:7:-1.00", "discount:19:-3.99", "coupon:7:-4.50", "coupon:19:-17.95"]);
    let priced = price(all, "EUR");
    // 7: 10.00 - 1.00 - 4.50 = 4.50, VAT 0.315 -> 0.32.
    // 19: 29.99 + 9.90 + 49.00 + 0.30 - 3.99 - 17.95 = 67.25, VAT 12.7775 -> 12.78.
    let vat: Vec<String> = priced.vat_items.iter().map(|v| format!("{}:{}:{}", v.vat_percent, v.net, v.vat)).collect();
    assert_eq!(vat, vec!["7:4.50:0.32", "19:67.25:12.78"]);
    // 4.50 + 67.25 = 71.75; 0.32 + 12.78 = 13.10.
    assert_eq!(totals(&priced), "71.75 + 13.10 = 84.85");
}

#[test]
fn a_fixed_amount_is_split_in_proportion_to_the_nets() {
    let lines = vec![line(LineKind::Plan, "1", "60.00", "19"), line(LineKind::Addon, "1", "40.00", "7")];
    // 10.00 x 60/100 = 6.00 at 19; 10.00 x 40/100 = 4.00 at 7.
    let all = apply(lines, &[fixed("Goodwill", "10")], None, Occasion::Regular, "EUR");
    assert_eq!(extra(&all), vec!["discount:7:-4.00", "discount:19:-6.00"]);
    // 7: 36.00, VAT 2.52; 19: 54.00, VAT 10.26; 90.00 + 12.78.
    assert_eq!(totals(&price(all, "EUR")), "90.00 + 12.78 = 102.78");
}

#[test]
fn the_missing_cent_goes_to_the_largest_net_and_a_tie_to_the_higher_rate() {
    let three = |p0: &str, p7: &str, p19: &str| {
        vec![
            line(LineKind::Plan, "1", p19, "19"),
            line(LineKind::Addon, "1", p7, "7"),
            line(LineKind::Addon, "1", p0, "0"),
        ]
    };
    // 10.00 / 3 = 3.333 -> 3.33 each, 9.99; the missing 0.01 goes to 19 (tie, higher rate): 3.34.
    let all = apply(three("10", "10", "10"), &[fixed("F", "10")], None, Occasion::Regular, "EUR");
    assert_eq!(extra(&all), vec!["discount:0:-3.33", "discount:7:-3.33", "discount:19:-3.34"]);
    // 20.00 / 3 = 6.667 -> 6.67 each, 20.01; 19 gives back 0.01: 6.66.
    let all = apply(three("10", "10", "10"), &[fixed("F", "20")], None, Occasion::Regular, "EUR");
    assert_eq!(extra(&all), vec!["discount:0:-6.67", "discount:7:-6.67", "discount:19:-6.66"]);
    // nets 1.00 / 2.00 / 4.00 (7.00), amount 1.00: 0.142857 -> 0.14, 0.285714 -> 0.29, 0.571428 -> 0.57;
    // 1.00 exactly, nothing missing.
    let all = apply(three("1", "2", "4"), &[fixed("F", "1")], None, Occasion::Regular, "EUR");
    assert_eq!(extra(&all), vec!["discount:0:-0.14", "discount:7:-0.29", "discount:19:-0.57"]);
    // nets 3.00 at 0 and 1.00 at 7 and 19 (5.00), amount 0.07: 0.042 -> 0.04, 0.014 -> 0.01, 0.01 = 0.06;
    // the missing 0.01 goes to the largest net (3.00 at 0): 0.05.
    let all = apply(three("3", "1", "1"), &[fixed("F", "0.07")], None, Occasion::Regular, "EUR");
    assert_eq!(extra(&all), vec!["discount:0:-0.05", "discount:7:-0.01", "discount:19:-0.01"]);
}

#[test]
fn many_rates_and_a_tiny_amount_keep_every_part_within_its_net() {
    let nets: Vec<(Decimal, Decimal)> = ["0", "5", "7", "10", "19"].iter().map(|r| (d(r), d("1.00"))).collect();
    // 0.03 x 1/5 = 0.006 -> 0.01 each = 0.05; missing -0.02 to 19 -> -0.01, clamped to 0.00;
    // the other -0.01 comes from the next in line (tie, next higher rate: 10).
    let parts: Vec<String> = split_fixed(d("0.03"), &nets, "EUR").iter().map(|p| p.to_string()).collect();
    assert_eq!(parts, vec!["0.01", "0.01", "0.01", "0.00", "0.00"]);
}

#[test]
fn a_fixed_amount_is_capped_and_never_touches_the_setup_fee() {
    let lines = vec![line(LineKind::Plan, "1", "5.00", "19"), line(LineKind::Setup, "1", "10.00", "19")];
    // min(8.00, 5.00) = 5.00; the setup fee stays: 10.00 + 1.90.
    let all = apply(lines, &[], Some(&fixed("WELCOME8", "8")), Occasion::Regular, "EUR");
    assert_eq!(extra(&all), vec!["coupon:19:-5.00"]);
    assert_eq!(totals(&price(all, "EUR")), "10.00 + 1.90 = 11.90");
}

#[test]
fn the_order_of_discounts_matters_and_is_creation_order() {
    let plan = || vec![line(LineKind::Plan, "1", "100.00", "19")];
    // fixed 30.00, then 10 % of 70.00 = 7.00.
    let all = apply(plan(), &[fixed("A", "30"), percent("B", "10")], None, Occasion::Regular, "EUR");
    assert_eq!(extra(&all), vec!["discount:19:-30.00", "discount:19:-7.00"]);
    // 10 % of 100.00 = 10.00, then fixed 30.00 of the 90.00 left.
    let all = apply(plan(), &[percent("B", "10"), fixed("A", "30")], None, Occasion::Regular, "EUR");
    assert_eq!(extra(&all), vec!["discount:19:-10.00", "discount:19:-30.00"]);
}

#[test]
fn a_proration_invoice_gets_percent_off_but_no_fixed_amount() {
    let lines = vec![line(LineKind::Proration, "1", "-20.00", "19"), line(LineKind::Proration, "1", "40.00", "19")];
    // 50 % of (-20.00 + 40.00) = 10.00; the fixed discount does not apply.
    let all = apply(lines, &[fixed("F", "5")], Some(&percent("HALF", "50")), Occasion::Proration, "EUR");
    assert_eq!(extra(&all), vec!["coupon:19:-10.00"]);
    // 10.00 + 1.90: the upgrade costs half of 20.00 + 3.80.
    assert_eq!(totals(&price(all, "EUR")), "10.00 + 1.90 = 11.90");
}

#[test]
fn a_pause_credit_lowers_a_discount_like_it_lowers_the_price() {
    let lines = vec![line(LineKind::Plan, "1", "30.00", "19"), line(LineKind::Proration, "1", "-15.00", "19")];
    // 50 % of (30.00 - 15.00) = 7.50.
    let all = apply(lines.clone(), &[], Some(&percent("HALF", "50")), Occasion::Regular, "EUR");
    assert_eq!(extra(&all), vec!["coupon:19:-7.50"]);
    // A fixed 20.00 may take min(30.00, 30.00 - 15.00) = 15.00: the invoice is 0.00, not -5.00.
    let all = apply(lines, &[], Some(&fixed("TWENTY", "20")), Occasion::Regular, "EUR");
    assert_eq!(extra(&all), vec!["coupon:19:-15.00"]);
    assert_eq!(totals(&price(all, "EUR")), "0.00 + 0.00 = 0.00");
}

#[test]
fn lines_of_other_kinds_are_never_discounted() {
    let kinds = [LineKind::Setup, LineKind::Usage, LineKind::Consumption, LineKind::Manual, LineKind::Credit];
    let lines: Vec<Line> = kinds.iter().map(|k| line(*k, "1", "10.00", "19")).collect();
    let all = apply(lines, &[percent("P", "50")], Some(&fixed("F", "5")), Occasion::Regular, "EUR");
    assert!(extra(&all).is_empty());
}

#[test]
fn amounts_round_to_the_currency_and_zero_parts_give_no_line() {
    // JPY: 999 x 15 % = 149.85 -> 150.
    let all =
        apply(vec![line(LineKind::Plan, "1", "999", "10")], &[percent("P", "15")], None, Occasion::Regular, "JPY");
    assert_eq!(extra(&all), vec!["discount:10:-150"]);
    // KWD: 1.234 x 12.5 % = 0.15425 -> 0.154.
    let all =
        apply(vec![line(LineKind::Plan, "1", "1.234", "5")], &[percent("P", "12.5")], None, Occasion::Regular, "KWD");
    assert_eq!(extra(&all), vec!["discount:5:-0.154"]);
    // EUR: 0.04 x 10 % = 0.004 -> 0.00: no line; a fixed 0.004 rounds to 0.00: no line.
    let lines = vec![line(LineKind::Plan, "1", "0.04", "19")];
    let all = apply(lines, &[percent("P", "10"), fixed("F", "0.004")], None, Occasion::Regular, "EUR");
    assert!(extra(&all).is_empty());
}

#[test]
fn a_full_coupon_gives_a_zero_invoice() {
    let lines = vec![line(LineKind::Plan, "1", "19.99", "19"), line(LineKind::Addon, "3", "2.3333", "7")];
    let all = apply(lines, &[percent("P", "33.3")], Some(&percent("FREE", "100")), Occasion::Regular, "EUR");
    assert_eq!(totals(&price(all, "EUR")), "0.00 + 0.00 = 0.00");
}

#[test]
fn discount_values_parse_and_name_the_tag() {
    assert!(Percent::parse(d("0")).is_ok());
    assert!(Percent::parse(d("100")).is_ok());
    assert_eq!(Percent::parse(d("-0.01")), Err(ValueError::PercentOutOfRange));
    assert_eq!(Percent::parse(d("100.01")), Err(ValueError::PercentOutOfRange));
    assert_eq!(FixedAmount::parse(d("0")), Err(ValueError::NotPositive));
    assert_eq!(FixedAmount::parse(d("-5")), Err(ValueError::NotPositive));
    let value = DiscountValue::parse(" Percent ", d("12.50")).expect("percent");
    assert_eq!((value.type_str(), value.amount().to_string()), ("percent", "12.5".to_owned()));
    let err = DiscountValue::parse("amount", d("5")).expect_err("unknown type");
    assert_eq!(err.tag(), "DISCOUNT_TYPE");
    let err = DiscountValue::parse("fixed", d("0")).expect_err("zero");
    assert_eq!((err.tag(), err.to_string().contains("greater than 0")), ("DISCOUNT", true));
}

#[test]
fn manual_and_credit_kinds_have_their_texts() {
    for kind in [LineKind::Manual, LineKind::Credit, LineKind::Coupon] {
        assert_eq!(LineKind::parse(kind.as_str()), Some(kind));
    }
    assert_eq!(LineKind::Manual.as_str(), "manual");
    assert_eq!(LineKind::Credit.as_str(), "credit");
}
