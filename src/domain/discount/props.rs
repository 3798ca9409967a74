//! Property tests of the discount rules over random invoices, currencies,
//! VAT rates, discounts and coupons.

use proptest::prelude::*;
use rust_decimal::Decimal;

use super::*;
use crate::domain::money::round_money;
use crate::domain::pricing::{Line, LineKind, price};
use crate::domain::test_support::{currency, invoice_lines, line_of};

fn reduction() -> impl Strategy<Value = Reduction> {
    let percent =
        (0i64..=10_000).prop_map(|n| DiscountValue::Percent(Percent::parse(Decimal::new(n, 2)).expect("0..=100")));
    let fixed =
        (1i64..=2_000_000).prop_map(|n| DiscountValue::Fixed(FixedAmount::parse(Decimal::new(n, 3)).expect("> 0")));
    prop_oneof![percent, fixed].prop_map(|value| Reduction { label: "r".into(), value })
}

/// Per rate: (plan + add-on net, proration net, discount lines' net), from the lines' own nets.
fn per_rate(lines: &[Line], cur: &str) -> Vec<(Decimal, Decimal, Decimal, Decimal)> {
    let mut out: Vec<(Decimal, Decimal, Decimal, Decimal)> = Vec::new();
    for l in price(lines.to_vec(), cur).lines {
        let rate = l.line.vat_percent.normalize();
        let idx = match out.iter().position(|r| r.0 == rate) {
            Some(i) => i,
            None => {
                out.push((rate, Decimal::ZERO, Decimal::ZERO, Decimal::ZERO));
                out.len() - 1
            }
        };
        match l.line.kind {
            LineKind::Plan | LineKind::Addon => out[idx].1 += l.net,
            LineKind::Proration => out[idx].2 += l.net,
            LineKind::Discount | LineKind::Coupon => out[idx].3 += l.net,
            _ => {}
        }
    }
    out
}

fn occasion(regular: bool) -> Occasion {
    if regular { Occasion::Regular } else { Occasion::Proration }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn totals_add_up_and_no_discountable_net_goes_below_zero(
        cur in currency(),
        lines in invoice_lines(),
        discounts in proptest::collection::vec(reduction(), 0..4),
        coupon in proptest::option::of(reduction()),
        regular in any::<bool>(),
    ) {
        let all = apply(lines, &discounts, coupon.as_ref(), occasion(regular), cur);
        let priced = price(all.clone(), cur);
        prop_assert_eq!(priced.total, priced.sub_total + priced.vat_total);
        prop_assert_eq!(priced.sub_total, priced.lines.iter().map(|l| l.net).sum::<Decimal>());
        prop_assert_eq!(priced.sub_total, priced.vat_items.iter().map(|v| v.net).sum::<Decimal>());
        prop_assert_eq!(priced.vat_total, priced.vat_items.iter().map(|v| v.vat).sum::<Decimal>());
        for l in priced.lines.iter().filter(|l| matches!(l.line.kind, LineKind::Discount | LineKind::Coupon)) {
            prop_assert!(l.net < Decimal::ZERO, "a discount line is negative: {}", l.net);
        }
        for (rate, recurring, proration, discount) in per_rate(&all, cur) {
            // What is discountable at the rate stays at zero or above (and is not touched when below).
            let base = (recurring.max(Decimal::ZERO) + proration).max(Decimal::ZERO);
            prop_assert!(-discount <= base, "at {}: {} discounted of {}", rate, -discount, base);
            if proration.is_zero() {
                prop_assert!(-discount <= recurring.max(Decimal::ZERO));
            }
        }
        if !regular {
            let fixed_only = discounts.iter().chain(coupon.as_ref()).all(|r| matches!(r.value, DiscountValue::Fixed(_)));
            prop_assert!(!fixed_only || all.iter().all(|l| !matches!(l.kind, LineKind::Discount | LineKind::Coupon)));
        }
    }

    #[test]
    fn fixed_parts_add_up_exactly_to_the_capped_amount(
        cur in currency(),
        lines in invoice_lines(),
        amount in 1i64..=2_000_000,
    ) {
        let amount = Decimal::new(amount, 3);
        let coupon = Reduction { label: "F".into(), value: DiscountValue::Fixed(FixedAmount::parse(amount).expect(">0")) };
        let all = apply(lines, &[], Some(&coupon), Occasion::Regular, cur);
        let rates = per_rate(&all, cur);
        // What is left to discount: per rate the plan and add-on net (at least zero), less a negative proration.
        let room = |r: &(Decimal, Decimal, Decimal, Decimal)| {
            let recurring = r.1.max(Decimal::ZERO);
            recurring.min(recurring + r.2).max(Decimal::ZERO)
        };
        let left: Decimal = rates.iter().map(room).sum();
        let discounted: Decimal = rates.iter().map(|r| -r.3).sum();
        prop_assert_eq!(discounted, round_money(amount, cur).min(left));
        for (rate, recurring, _, discount) in rates {
            prop_assert!(-discount <= recurring.max(Decimal::ZERO), "at {}: part {} above net {}", rate, -discount, recurring);
        }
    }

    #[test]
    fn a_percent_line_is_the_rounded_share_of_the_net_at_its_rate(
        cur in currency(),
        lines in invoice_lines(),
        hundredths in 0i64..=10_000,
    ) {
        let p = Decimal::new(hundredths, 2);
        let discount = Reduction { label: "P".into(), value: DiscountValue::Percent(Percent::parse(p).expect("0..=100")) };
        let all = apply(lines, &[discount], None, Occasion::Proration, cur);
        for (rate, recurring, proration, discount) in per_rate(&all, cur) {
            let base = (recurring.max(Decimal::ZERO) + proration).max(Decimal::ZERO);
            prop_assert_eq!(-discount, round_money(base * p / Decimal::ONE_HUNDRED, cur), "at {}", rate);
        }
    }

    #[test]
    fn a_full_coupon_gives_a_zero_invoice(
        cur in currency(),
        lines in proptest::collection::vec(prop_oneof![line_of(LineKind::Plan), line_of(LineKind::Addon)], 1..6),
        discounts in proptest::collection::vec(reduction(), 0..3),
    ) {
        let free = Reduction { label: "FREE".into(), value: DiscountValue::Percent(Percent::parse(Decimal::ONE_HUNDRED).expect("100")) };
        let priced = price(apply(lines, &discounts, Some(&free), Occasion::Regular, cur), cur);
        prop_assert!(priced.sub_total.is_zero() && priced.vat_total.is_zero() && priced.total.is_zero());
    }
}
