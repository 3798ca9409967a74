//! Property tests: random partial credits that end with crediting the rest
//! add up to exactly the negated invoice; more than what is left is refused.

use proptest::prelude::*;
use rust_decimal::Decimal;

use super::*;
use crate::domain::money::{minor_units, round_money};
use crate::domain::pricing::{Priced, price};
use crate::domain::test_support::{currency, invoice_lines};

/// One step: which line, how (quantity, amount, or too much), how big.
type Step = (usize, u8, u8);

fn originals(priced: &Priced) -> Vec<OriginalLine> {
    priced.lines.iter().enumerate().map(|(i, p)| OriginalLine { id: i as i64 + 10, priced: p.clone() }).collect()
}

/// The part a step asks for, from what is left of the line (`None`: nothing to ask).
fn part_of(step: Step, lines: &[OriginalLine], notes: &[CreditNote], cur: &str) -> Option<(Part, bool)> {
    let (index, mode, size) = step;
    let line = &lines[index % lines.len()];
    let credited: Vec<&CreditLine> = notes.iter().flat_map(|n| &n.lines).filter(|l| l.original_id == line.id).collect();
    let q_left = line.priced.line.quantity - credited.iter().map(|l| l.credited_quantity).sum::<Decimal>();
    let net_left = line.priced.net + credited.iter().map(|l| l.priced.net).sum::<Decimal>();
    let unit = Decimal::new(1, minor_units(cur));
    let take = match mode % 4 {
        0 if q_left > Decimal::ZERO => Take::Quantity(q_left.min(Decimal::new(i64::from(size % 30) + 1, 1))),
        1 => Take::Amount(round_money(net_left.abs() * Decimal::from(size % 10 + 1) / Decimal::TEN, cur)),
        2 => Take::Quantity(q_left + Decimal::new(1, 1)),
        3 => Take::Amount(net_left.abs() + unit),
        _ => return None,
    };
    let too_much = mode % 4 >= 2;
    (too_much || !matches!(take, Take::Amount(a) if a.is_zero())).then_some((Part { line_id: line.id, take }, too_much))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn partial_credits_then_the_rest_negate_the_invoice_exactly(
        cur in currency(),
        lines in invoice_lines(),
        steps in proptest::collection::vec((0usize..16, any::<u8>(), any::<u8>()), 0..12),
    ) {
        let invoice = price(lines, cur);
        let originals = originals(&invoice);
        let original = Original { currency: cur, lines: &originals, vat_items: &invoice.vat_items };
        let mut taken = Taken::default();
        let mut notes: Vec<CreditNote> = Vec::new();
        for step in steps {
            let Some((part, too_much)) = part_of(step, &originals, &notes, cur) else { continue };
            match credit(&original, &taken, &Request::Parts(vec![part])) {
                Ok(note) => {
                    prop_assert!(!too_much, "more than what is left was credited: {:?}", part);
                    prop_assert_eq!(note.total, note.sub_total + note.vat_total);
                    prop_assert_eq!(note.sub_total, note.lines.iter().map(|l| l.priced.net).sum::<Decimal>());
                    for l in &note.lines {
                        // EN 16931: a line's net is its quantity times its price.
                        let product = round_money(l.priced.line.quantity * l.priced.line.unit_price, cur);
                        prop_assert_eq!(product, l.priced.net, "line of {}", l.original_id);
                    }
                    taken.record(&note);
                    notes.push(note);
                }
                Err(CreditError::NetExceeds { .. }) if !too_much => {} // a quantity worth more than an amount left
                // A discount or coupon line alone is never credited; the whole invoice still takes it.
                Err(CreditError::Allowance(id)) => {
                    prop_assert!(originals.iter().any(|l| l.id == id && l.priced.net < Decimal::ZERO), "line {}", id);
                }
                Err(e) => prop_assert!(too_much, "refused: {}", e),
            }
        }
        if let Ok(rest) = credit(&original, &taken, &Request::Whole) {
            for l in &rest.lines {
                prop_assert_eq!(round_money(l.priced.line.quantity * l.priced.line.unit_price, cur), l.priced.net);
            }
            taken.record(&rest);
            notes.push(rest);
        }
        prop_assert_eq!(credit(&original, &taken, &Request::Whole), Err(CreditError::NothingLeft));
        for l in &originals {
            let mine = notes.iter().flat_map(|n| &n.lines).filter(|c| c.original_id == l.id);
            let (q, net) = mine.fold((Decimal::ZERO, Decimal::ZERO), |(q, n), c| (q + c.credited_quantity, n + c.priced.net));
            prop_assert_eq!((q, net), (l.priced.line.quantity, -l.priced.net), "line {}", l.id);
        }
        for item in &invoice.vat_items {
            let at_rate = notes.iter().flat_map(|n| &n.vat_items).filter(|v| v.vat_percent == item.vat_percent);
            let (net, vat) = at_rate.fold((Decimal::ZERO, Decimal::ZERO), |(n, v), i| (n + i.net, v + i.vat));
            prop_assert_eq!((net, vat), (-item.net, -item.vat), "rate {}", item.vat_percent);
        }
        let sum = |f: fn(&CreditNote) -> Decimal| notes.iter().map(f).sum::<Decimal>();
        prop_assert_eq!(sum(|n| n.sub_total), -invoice.sub_total);
        prop_assert_eq!(sum(|n| n.vat_total), -invoice.vat_total);
        prop_assert_eq!(sum(|n| n.total), -invoice.total);
    }
}
