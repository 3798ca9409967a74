//! Invoice arithmetic: line nets rounded half away from zero, VAT per rate on
//! the summed nets, total = net + VAT.
//!
//! Rounding VAT per rate on the sum (not per line) is what tax law expects:
//! three lines of 0.07 at 19% carry 0.04 VAT (19% of 0.21), not 3 x 0.01.

use rust_decimal::Decimal;

use super::money::round_money;

/// What a line is for (API.md 5.1 `KIND`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineKind {
    Plan,
    Addon,
    Usage,
    Setup,
    Proration,
    Discount,
    Coupon,
    Consumption,
    /// A line of a manual invoice (`invoice.create`); never discounted.
    Manual,
    /// A credit granted on an invoice (e.g. unused time given back); never discounted.
    Credit,
}

impl LineKind {
    /// The wire and stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            LineKind::Plan => "plan",
            LineKind::Addon => "addon",
            LineKind::Usage => "usage",
            LineKind::Setup => "setup",
            LineKind::Proration => "proration",
            LineKind::Discount => "discount",
            LineKind::Coupon => "coupon",
            LineKind::Consumption => "consumption",
            LineKind::Manual => "manual",
            LineKind::Credit => "credit",
        }
    }

    /// Parses the stored text.
    pub fn parse(text: &str) -> Option<LineKind> {
        Some(match text {
            "plan" => LineKind::Plan,
            "addon" => LineKind::Addon,
            "usage" => LineKind::Usage,
            "setup" => LineKind::Setup,
            "proration" => LineKind::Proration,
            "discount" => LineKind::Discount,
            "coupon" => LineKind::Coupon,
            "consumption" => LineKind::Consumption,
            "manual" => LineKind::Manual,
            "credit" => LineKind::Credit,
            _ => return None,
        })
    }

    /// Discount and coupon lines: they lower the lines above them, so documents show them as
    /// allowances (EN 16931 document-level allowances), not as invoice lines.
    pub fn is_allowance(self) -> bool {
        matches!(self, LineKind::Discount | LineKind::Coupon)
    }
}

/// One line before pricing.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub kind: LineKind,
    pub article_number: Option<String>,
    pub description: String,
    pub quantity: Decimal,
    pub unit_price: Decimal,
    pub vat_percent: Decimal,
}

/// A priced line: its net rounded to the currency's minor unit.
#[derive(Clone, Debug, PartialEq)]
pub struct PricedLine {
    pub line: Line,
    pub net: Decimal,
}

/// VAT of one rate.
#[derive(Clone, Debug, PartialEq)]
pub struct VatItem {
    pub vat_percent: Decimal,
    pub net: Decimal,
    pub vat: Decimal,
}

/// The figures of one invoice.
#[derive(Clone, Debug, PartialEq)]
pub struct Priced {
    pub currency: String,
    pub lines: Vec<PricedLine>,
    pub vat_items: Vec<VatItem>,
    pub sub_total: Decimal,
    pub vat_total: Decimal,
    pub total: Decimal,
}

/// Prices `lines` in `currency`.
pub fn price(lines: Vec<Line>, currency: &str) -> Priced {
    let lines: Vec<PricedLine> = lines
        .into_iter()
        .map(|line| {
            let net = round_money(line.quantity * line.unit_price, currency);
            PricedLine { line, net }
        })
        .collect();
    let mut vat_items: Vec<VatItem> = Vec::new();
    for l in &lines {
        let rate = l.line.vat_percent.normalize();
        match vat_items.iter_mut().find(|v| v.vat_percent == rate) {
            Some(item) => item.net += l.net,
            None => vat_items.push(VatItem { vat_percent: rate, net: l.net, vat: Decimal::ZERO }),
        }
    }
    vat_items.sort_by_key(|v| v.vat_percent);
    for item in &mut vat_items {
        item.net = round_money(item.net, currency);
        item.vat = round_money(item.net * item.vat_percent / Decimal::ONE_HUNDRED, currency);
    }
    let sub_total = round_money(lines.iter().map(|l| l.net).sum(), currency);
    let vat_total = round_money(vat_items.iter().map(|v| v.vat).sum(), currency);
    Priced { currency: currency.to_owned(), lines, vat_items, sub_total, vat_total, total: sub_total + vat_total }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).expect("decimal literal")
    }

    fn line(qty: &str, price: &str, vat: &str) -> Line {
        Line {
            kind: LineKind::Plan,
            article_number: None,
            description: "x".into(),
            quantity: d(qty),
            unit_price: d(price),
            vat_percent: d(vat),
        }
    }

    #[test]
    fn vat_is_computed_on_the_summed_nets_per_rate() {
        let priced = price(vec![line("1", "0.07", "19"), line("1", "0.07", "19"), line("1", "0.07", "19.00")], "EUR");
        assert_eq!(priced.vat_items.len(), 1);
        assert_eq!(priced.vat_items[0].net.to_string(), "0.21");
        assert_eq!(priced.vat_total.to_string(), "0.04");
        assert_eq!(priced.total.to_string(), "0.25");
    }

    #[test]
    fn vat_rounds_half_away_from_zero() {
        let priced = price(vec![line("1", "1.50", "19")], "EUR");
        assert_eq!(priced.vat_total.to_string(), "0.29");
        assert_eq!(priced.total.to_string(), "1.79");
    }

    #[test]
    fn line_nets_round_before_summing() {
        let priced = price(vec![line("1.5", "0.0125", "19"), line("2.25", "0.0125", "19")], "EUR");
        let nets: Vec<String> = priced.lines.iter().map(|l| l.net.to_string()).collect();
        assert_eq!(nets, vec!["0.02", "0.03"]);
        assert_eq!(priced.sub_total.to_string(), "0.05");
        assert_eq!(priced.vat_total.to_string(), "0.01");
    }

    #[test]
    fn rates_are_listed_separately_and_sorted() {
        let priced = price(vec![line("1", "10", "19"), line("2", "5", "7"), line("1", "-3", "19")], "EUR");
        let rates: Vec<String> =
            priced.vat_items.iter().map(|v| format!("{}:{}:{}", v.vat_percent, v.net, v.vat)).collect();
        assert_eq!(rates, vec!["7:10.00:0.70", "19:7.00:1.33"]);
        assert_eq!(priced.total.to_string(), "19.03");
    }
}
