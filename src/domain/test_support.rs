//! Strategies shared by the domain's property tests.

use proptest::prelude::*;
use rust_decimal::Decimal;

use super::pricing::{Line, LineKind};

/// EUR (2 decimals), JPY (0) and KWD (3).
pub fn currency() -> impl Strategy<Value = &'static str> {
    prop_oneof![Just("EUR"), Just("JPY"), Just("KWD")]
}

/// VAT rates seen in the EU, including 0 and a fraction.
pub fn vat_rate() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        Just(Decimal::ZERO),
        Just(Decimal::new(55, 1)),
        Just(Decimal::from(7)),
        Just(Decimal::from(10)),
        Just(Decimal::from(19)),
        Just(Decimal::new(2100, 2)),
    ]
}

/// A unit price with up to 4 decimals, `0..=max_units` whole units.
pub fn unit_price(max_units: i64) -> impl Strategy<Value = Decimal> {
    (0..=max_units * 10_000).prop_map(|n| Decimal::new(n, 4))
}

/// A quantity: whole (1..=5) or with one decimal (0.1..=9.9).
pub fn quantity() -> impl Strategy<Value = Decimal> {
    prop_oneof![(1i64..=5).prop_map(Decimal::from), (1i64..100).prop_map(|n| Decimal::new(n, 1))]
}

/// A line of `kind` with a random quantity, unit price and rate.
pub fn line_of(kind: LineKind) -> impl Strategy<Value = Line> {
    (quantity(), unit_price(500), vat_rate()).prop_map(move |(quantity, unit_price, vat_percent)| Line {
        kind,
        article_number: None,
        description: kind.as_str().to_owned(),
        quantity,
        unit_price,
        vat_percent,
    })
}

/// A proration line: one unit, positive (a charge) or negative (a credit).
pub fn proration_line() -> impl Strategy<Value = Line> {
    (unit_price(300), any::<bool>(), vat_rate()).prop_map(|(price, credit, vat_percent)| Line {
        kind: LineKind::Proration,
        article_number: None,
        description: "proration".to_owned(),
        quantity: Decimal::ONE,
        unit_price: if credit { -price } else { price },
        vat_percent,
    })
}

/// A mix of invoice lines of every kind a subscription invoice has.
pub fn invoice_lines() -> impl Strategy<Value = Vec<Line>> {
    let any_line = prop_oneof![
        4 => line_of(LineKind::Plan),
        4 => line_of(LineKind::Addon),
        1 => line_of(LineKind::Setup),
        1 => line_of(LineKind::Usage),
        1 => line_of(LineKind::Consumption),
        2 => proration_line(),
    ];
    proptest::collection::vec(any_line, 1..8)
}
