//! Discounts and coupons on an invoice (API.md section 9), as negative lines
//! that [`pricing::price`](super::pricing::price) then prices like any other.
//!
//! Discounts apply in creation order, then the coupon, each on what the
//! previous ones left, and each gives one negative line per VAT rate of the
//! lines it discounts (KIND `discount` or `coupon`):
//!
//! - what is discounted: KIND `plan` and `addon`; a percent also discounts
//!   `proration` lines. Never `setup`, `usage`, `consumption`, `manual`
//!   (a manual invoice has no subscription, so no discounts), `credit`, nor
//!   earlier discount lines.
//! - percent: `-round(net_at_rate x p / 100)` per rate, where `net_at_rate`
//!   is what is left to discount at that rate.
//! - fixed (regular period invoices only): rounded to the minor unit, capped
//!   at what is left of the plan and add-on nets (less a negative proration
//!   net at the same rate, see below), split over the rates in
//!   proportion (`round(amount x net_at_rate / discountable_net)`), the
//!   remainder to the largest net (tie: the higher rate). Nothing carries over.
//!
//! Decisions where API.md is silent:
//! - At one rate, the plan and add-on nets count as at least zero; proration
//!   nets are summed with their sign (an upgrade's credit and charge), so a
//!   percent discounts `max(0, plan_addon + proration)`. A negative proration
//!   (a pause credit) thus lowers the discount exactly as it lowers the price,
//!   and it lowers what a fixed amount may take at that rate: no discount ever
//!   takes a rate's discountable net (plan, add-on, proration) below zero, so
//!   discounts never make an invoice negative (DESIGN.md, money rules).
//! - A part that rounds to zero gives no line.
//! - With many rates and a tiny amount the remainder rule alone could push a
//!   part below zero or above its net; the excess then moves to the other
//!   parts (largest net first), so parts stay within `0..=net` and still add
//!   up exactly. With one or two rates this never happens.

use rust_decimal::Decimal;

use super::money::round_money;
use super::pricing::{self, Line, LineKind, PricedLine};

mod value;

pub use value::{DiscountValue, FixedAmount, Percent, ValueError};

/// Which invoice is discounted: fixed amounts apply on regular ones only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Occasion {
    /// A regular period invoice.
    Regular,
    /// The invoice of a change inside a period (an upgrade, a quantity increase).
    Proration,
}

/// One discount or coupon to apply; `label` becomes the lines' DESCRIPTION.
#[derive(Clone, Debug, PartialEq)]
pub struct Reduction {
    pub label: String,
    pub value: DiscountValue,
}

/// What is left to discount at one VAT rate.
#[derive(Clone, Debug)]
struct Bucket {
    rate: Decimal,
    /// Plan and add-on net left, never below zero.
    recurring: Decimal,
    /// Proration net left, with its sign.
    proration: Decimal,
}

fn buckets(lines: &[PricedLine]) -> Vec<Bucket> {
    let mut out: Vec<Bucket> = Vec::new();
    for l in lines {
        let (recurring, proration) = match l.line.kind {
            LineKind::Plan | LineKind::Addon => (l.net, Decimal::ZERO),
            LineKind::Proration => (Decimal::ZERO, l.net),
            _ => continue,
        };
        let rate = l.line.vat_percent.normalize();
        match out.iter_mut().find(|b| b.rate == rate) {
            Some(b) => {
                b.recurring += recurring;
                b.proration += proration;
            }
            None => out.push(Bucket { rate, recurring, proration }),
        }
    }
    for b in &mut out {
        b.recurring = b.recurring.max(Decimal::ZERO);
    }
    out.sort_by_key(|b| b.rate);
    out
}

/// Percent parts per rate, taken from the buckets: `(rate, amount > 0)`.
fn percent_parts(buckets: &mut [Bucket], p: Percent, currency: &str) -> Vec<(Decimal, Decimal)> {
    let of = |net: Decimal| round_money(net * p.value() / Decimal::ONE_HUNDRED, currency);
    let mut parts = Vec::new();
    for b in buckets.iter_mut() {
        let base = b.recurring + b.proration;
        if base <= Decimal::ZERO {
            continue;
        }
        let amount = of(base);
        // The plan and add-on share, in 0..=recurring since p <= 100; the rest is the proration's.
        let recurring_part = of(b.recurring);
        b.recurring -= recurring_part;
        b.proration -= amount - recurring_part;
        if !amount.is_zero() {
            parts.push((b.rate, amount));
        }
    }
    parts
}

/// Fixed parts per rate, taken from the plan and add-on nets: `(rate, amount > 0)`.
fn fixed_parts(buckets: &mut [Bucket], amount: FixedAmount, currency: &str) -> Vec<(Decimal, Decimal)> {
    // A negative proration (a pause credit) at the rate lowers the room, so no rate goes below zero.
    let room = |b: &Bucket| b.recurring.min(b.recurring + b.proration).max(Decimal::ZERO);
    let nets: Vec<(Decimal, Decimal)> = buckets.iter().map(|b| (b.rate, room(b))).collect();
    let split = split_fixed(round_money(amount.value(), currency), &nets, currency);
    let mut parts = Vec::new();
    for (b, part) in buckets.iter_mut().zip(split) {
        b.recurring -= part;
        if !part.is_zero() {
            parts.push((b.rate, part));
        }
    }
    parts
}

/// Splits `amount`, capped at the sum of `nets` (`(rate, net >= 0)`), over the
/// rates in proportion to their nets; the parts add up to the capped amount.
fn split_fixed(amount: Decimal, nets: &[(Decimal, Decimal)], currency: &str) -> Vec<Decimal> {
    let total: Decimal = nets.iter().map(|(_, n)| *n).sum();
    let cap = amount.min(total);
    if cap <= Decimal::ZERO {
        return vec![Decimal::ZERO; nets.len()];
    }
    let mut parts: Vec<Decimal> = nets.iter().map(|(_, n)| round_money(cap * *n / total, currency)).collect();
    // Largest net first; on a tie the higher rate.
    let mut order: Vec<usize> = (0..nets.len()).collect();
    order.sort_by(|&a, &b| nets[b].1.cmp(&nets[a].1).then(nets[b].0.cmp(&nets[a].0)));
    let missing = cap - parts.iter().copied().sum::<Decimal>();
    if let Some(&largest) = order.first() {
        parts[largest] += missing;
    }
    let caps: Vec<Decimal> = nets.iter().map(|(_, n)| *n).collect();
    settle(&mut parts, &caps, &order);
    // Zeros set by `settle` carry no scale (or a sign): give every part the currency's.
    parts.into_iter().map(|p| round_money(if p.is_zero() { Decimal::ZERO } else { p }, currency)).collect()
}

/// Moves whatever lies outside `0..=caps[i]` to the other parts, in `order`.
fn settle(parts: &mut [Decimal], caps: &[Decimal], order: &[usize]) {
    let mut carry = Decimal::ZERO;
    for (part, cap) in parts.iter_mut().zip(caps) {
        if *part > *cap {
            carry += *part - *cap;
            *part = *cap;
        } else if *part < Decimal::ZERO {
            carry += *part;
            *part = Decimal::ZERO;
        }
    }
    for &i in order {
        let moved = if carry > Decimal::ZERO { carry.min(caps[i] - parts[i]) } else { carry.max(-parts[i]) };
        parts[i] += moved;
        carry -= moved;
    }
}

fn discount_line(kind: LineKind, label: &str, rate: Decimal, amount: Decimal) -> Line {
    Line {
        kind,
        article_number: None,
        description: label.to_owned(),
        quantity: Decimal::ONE,
        unit_price: -amount,
        vat_percent: rate,
    }
}

/// The negative lines of `discounts` (creation order) and then `coupon` on
/// the priced `lines` of an invoice: per reduction, one line per VAT rate
/// (ascending), KIND `discount` for discounts and `coupon` for the coupon.
pub fn discount_lines(
    lines: &[PricedLine],
    discounts: &[Reduction],
    coupon: Option<&Reduction>,
    occasion: Occasion,
    currency: &str,
) -> Vec<Line> {
    let mut left = buckets(lines);
    let all = discounts.iter().map(|d| (d, LineKind::Discount)).chain(coupon.map(|c| (c, LineKind::Coupon)));
    let mut out = Vec::new();
    for (reduction, kind) in all {
        let parts = match (reduction.value, occasion) {
            (DiscountValue::Percent(p), _) => percent_parts(&mut left, p, currency),
            (DiscountValue::Fixed(f), Occasion::Regular) => fixed_parts(&mut left, f, currency),
            (DiscountValue::Fixed(_), Occasion::Proration) => Vec::new(),
        };
        out.extend(parts.into_iter().map(|(rate, amount)| discount_line(kind, &reduction.label, rate, amount)));
    }
    out
}

/// `lines` followed by their discount lines, ready for [`pricing::price`].
pub fn apply(
    lines: Vec<Line>,
    discounts: &[Reduction],
    coupon: Option<&Reduction>,
    occasion: Occasion,
    currency: &str,
) -> Vec<Line> {
    let priced = pricing::price(lines, currency).lines;
    let extra = discount_lines(&priced, discounts, coupon, occasion, currency);
    priced.into_iter().map(|p| p.line).chain(extra).collect()
}

#[cfg(test)]
mod props;
#[cfg(test)]
mod tests;
