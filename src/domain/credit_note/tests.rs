//! Credit notes by hand: whole, partial by quantity and by amount, the VAT
//! left to the last note of a rate, and refusals.

use std::str::FromStr;

use rust_decimal::Decimal;

use super::*;
use crate::domain::pricing::{Line, LineKind, VatItem};

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal literal")
}

fn line(id: i64, kind: LineKind, qty: &str, unit: &str, vat: &str, net: &str) -> OriginalLine {
    let line = Line {
        kind,
        article_number: None,
        description: format!("line {id}"),
        quantity: d(qty),
        unit_price: d(unit),
        vat_percent: d(vat),
    };
    OriginalLine { id, priced: PricedLine { line, net: d(net) } }
}

fn vat(rate: &str, net: &str, vat: &str) -> VatItem {
    VatItem { vat_percent: d(rate), net: d(net), vat: d(vat) }
}

/// `qty x unit = net` of each line, then `rate:net:vat` of each VAT item, then the total.
fn shown(note: &CreditNote) -> Vec<String> {
    let lines = note.lines.iter().map(|l| {
        let p = &l.priced;
        format!("{}#{} {} x {} = {}", p.line.kind.as_str(), l.original_id, p.line.quantity, p.line.unit_price, p.net)
    });
    let vats = note.vat_items.iter().map(|v| format!("{}:{}:{}", v.vat_percent, v.net, v.vat));
    lines.chain(vats).chain([format!("{} + {} = {}", note.sub_total, note.vat_total, note.total)]).collect()
}

fn quantity(line_id: i64, q: &str) -> Part {
    Part { line_id, take: Take::Quantity(d(q)) }
}

fn amount(line_id: i64, a: &str) -> Part {
    Part { line_id, take: Take::Amount(d(a)) }
}

/// Plan 29.99 and 3 x 4.95 = 14.85 at 19 % (44.84, VAT 8.5196 -> 8.52); 2 x 10.00 at 7 % (20.00, VAT 1.40).
/// 64.84 + 9.92 = 74.76.
fn invoice() -> (Vec<OriginalLine>, Vec<VatItem>) {
    let lines = vec![
        line(1, LineKind::Plan, "1", "29.99", "19", "29.99"),
        line(2, LineKind::Addon, "3", "4.95", "19", "14.85"),
        line(3, LineKind::Addon, "2", "10.00", "7", "20.00"),
    ];
    (lines, vec![vat("7", "20.00", "1.40"), vat("19", "44.84", "8.52")])
}

#[test]
fn crediting_the_whole_invoice_gives_its_exact_negation() {
    let (lines, vats) = invoice();
    let original = Original { currency: "EUR", lines: &lines, vat_items: &vats };
    let note = credit(&original, &Taken::default(), &Request::Whole).expect("credit");
    assert_eq!(
        shown(&note),
        vec![
            "plan#1 1 x -29.99 = -29.99",
            "addon#2 3 x -4.95 = -14.85",
            "addon#3 2 x -10.00 = -20.00",
            "7:-20.00:-1.40",
            "19:-44.84:-8.52",
            "-64.84 + -9.92 = -74.76",
        ]
    );
}

#[test]
fn partial_notes_then_the_rest_add_up_to_the_negated_invoice() {
    let (lines, vats) = invoice();
    let original = Original { currency: "EUR", lines: &lines, vat_items: &vats };
    let mut taken = Taken::default();
    // 1 x 4.95 at 19 %: VAT 0.9405 -> 0.94.
    let first = credit(&original, &taken, &Request::Parts(vec![quantity(2, "1")])).expect("first");
    assert_eq!(shown(&first), vec!["addon#2 1 x -4.95 = -4.95", "19:-4.95:-0.94", "-4.95 + -0.94 = -5.89"]);
    taken.record(&first);
    // AMOUNT 10.00 of the plan: VAT 1.90; all of line 3, the last of 7 %: the VAT left, 1.40.
    let second = credit(&original, &taken, &Request::Parts(vec![amount(1, "10"), quantity(3, "2")])).expect("second");
    assert_eq!(
        shown(&second),
        vec![
            "plan#1 1 x -10.00 = -10.00",
            "addon#3 2 x -10.00 = -20.00",
            "7:-20.00:-1.40",
            "19:-10.00:-1.90",
            "-30.00 + -3.30 = -33.30"
        ]
    );
    taken.record(&second);
    // The rest: 19.99 of the plan (its quantity 1 still uncredited, shown as 1 x 19.99 so that
    // quantity x price is the line's net), 2 x 4.95 = 9.90;
    // 19 % is now fully credited: VAT 8.52 - 0.94 - 1.90 = 5.68 (5.68 also = round(29.89 x 0.19 = 5.6791)).
    let rest = credit(&original, &taken, &Request::Whole).expect("rest");
    assert_eq!(
        shown(&rest),
        vec!["plan#1 1 x -19.99 = -19.99", "addon#2 2 x -4.95 = -9.90", "19:-29.89:-5.68", "-29.89 + -5.68 = -35.57"]
    );
    taken.record(&rest);
    // 5.89 + 33.30 + 35.57 = 74.76.
    assert_eq!(credit(&original, &taken, &Request::Whole), Err(CreditError::NothingLeft));
}

#[test]
fn the_last_note_of_a_rate_takes_the_vat_left_not_a_fresh_rounding() {
    // 3 x 0.35 = 1.05 at 19 %: VAT 0.1995 -> 0.20.
    let lines = vec![line(7, LineKind::Usage, "3", "0.35", "19", "1.05")];
    let vats = vec![vat("19", "1.05", "0.20")];
    let original = Original { currency: "EUR", lines: &lines, vat_items: &vats };
    let mut taken = Taken::default();
    let mut vat_of_each = Vec::new();
    for _ in 0..3 {
        let note = credit(&original, &taken, &Request::Parts(vec![quantity(7, "1")])).expect("credit");
        vat_of_each.push(note.vat_total.to_string());
        taken.record(&note);
    }
    // 0.35 x 0.19 = 0.0665 -> 0.07, twice; the last takes 0.20 - 0.14 = 0.06 (not 0.07).
    assert_eq!(vat_of_each, vec!["-0.07", "-0.07", "-0.06"]);
}

#[test]
fn the_last_quantity_of_a_line_takes_the_rest_of_its_net() {
    // 3 x 0.3333 = 0.9999 -> 1.00 at 19 %: VAT 0.19.
    let lines = vec![line(4, LineKind::Addon, "3", "0.3333", "19", "1.00")];
    let vats = vec![vat("19", "1.00", "0.19")];
    let original = Original { currency: "EUR", lines: &lines, vat_items: &vats };
    let mut taken = Taken::default();
    let mut nets = Vec::new();
    for _ in 0..3 {
        let note = credit(&original, &taken, &Request::Parts(vec![quantity(4, "1")])).expect("credit");
        nets.push(format!("{}/{}", note.sub_total, note.vat_total));
        taken.record(&note);
    }
    // 0.3333 -> 0.33 (VAT 0.0627 -> 0.06), twice; the last: 1.00 - 0.66 = 0.34, VAT 0.19 - 0.12 = 0.07.
    assert_eq!(nets, vec!["-0.33/-0.06", "-0.33/-0.06", "-0.34/-0.07"]);
}

#[test]
fn a_discount_line_is_credited_as_a_positive_line() {
    // 100.00 - 10.00 = 90.00 at 19 %: VAT 17.10.
    let lines = vec![
        line(1, LineKind::Plan, "1", "100", "19", "100.00"),
        line(2, LineKind::Coupon, "1", "-10", "19", "-10.00"),
    ];
    let vats = vec![vat("19", "90.00", "17.10")];
    let original = Original { currency: "EUR", lines: &lines, vat_items: &vats };
    let note = credit(&original, &Taken::default(), &Request::Whole).expect("credit");
    assert_eq!(
        shown(&note),
        vec!["plan#1 1 x -100 = -100.00", "coupon#2 1 x 10 = 10.00", "19:-90.00:-17.10", "-90.00 + -17.10 = -107.10"]
    );
}

#[test]
fn yen_have_no_decimals() {
    // 3 x 333 = 999 JPY at 10 %: VAT 99.9 -> 100. One unit: 333, VAT 33.3 -> 33.
    let lines = vec![line(1, LineKind::Plan, "3", "333", "10", "999")];
    let vats = vec![vat("10", "999", "100")];
    let original = Original { currency: "JPY", lines: &lines, vat_items: &vats };
    let note = credit(&original, &Taken::default(), &Request::Parts(vec![quantity(1, "1")])).expect("credit");
    assert_eq!(shown(&note), vec!["plan#1 1 x -333 = -333", "10:-333:-33", "-333 + -33 = -366"]);
    let err = credit(&original, &Taken::default(), &Request::Parts(vec![amount(1, "0.5")])).expect_err("decimals");
    assert_eq!(err.tag(), "AMOUNT");
}

#[test]
fn more_than_what_is_left_is_refused_and_names_the_item() {
    let (lines, vats) = invoice();
    let original = Original { currency: "EUR", lines: &lines, vat_items: &vats };
    let mut taken = Taken::default();
    let note = credit(&original, &taken, &Request::Parts(vec![quantity(2, "2")])).expect("credit");
    taken.record(&note);
    let refuse = |parts: Vec<Part>| credit(&original, &taken, &Request::Parts(parts)).expect_err("refused");
    let err = refuse(vec![quantity(2, "2")]);
    assert_eq!(err, CreditError::QuantityExceeds { line: 2, requested: d("2"), left: d("1") });
    assert!(err.to_string().contains("INVOICE_ITEM_ID 2"), "{err}");
    // 29.99 is left of the plan.
    assert_eq!(refuse(vec![amount(1, "30")]).tag(), "AMOUNT");
    // Two parts of one line count together: 1 + 1 > 1.
    assert_eq!(refuse(vec![quantity(2, "1"), quantity(2, "1")]).tag(), "QUANTITY");
    assert_eq!(refuse(vec![quantity(9, "1")]), CreditError::UnknownLine(9));
    assert_eq!(refuse(vec![quantity(1, "0")]), CreditError::NotPositive { line: 1, tag: "QUANTITY" });
    assert_eq!(refuse(vec![amount(1, "-1")]).tag(), "AMOUNT");
    assert_eq!(refuse(vec![amount(1, "0.001")]), CreditError::AmountPrecision { line: 1, amount: d("0.001") });
    assert_eq!(refuse(Vec::new()), CreditError::EmptyRequest);
}

#[test]
fn after_an_amount_a_quantity_worth_more_than_the_rest_is_refused() {
    let (lines, vats) = invoice();
    let original = Original { currency: "EUR", lines: &lines, vat_items: &vats };
    let mut taken = Taken::default();
    // 14.85 - 12.00 = 2.85 left of line 2, with its 3 units.
    taken.record(&credit(&original, &taken, &Request::Parts(vec![amount(2, "12")])).expect("credit"));
    // 1 unit is 4.95 > 2.85; all 3 units take exactly the 2.85 left.
    let err = credit(&original, &taken, &Request::Parts(vec![quantity(2, "1")])).expect_err("refused");
    assert_eq!(err, CreditError::NetExceeds { line: 2, quantity: d("1"), net: d("4.95"), left: d("2.85") });
    let rest = credit(&original, &taken, &Request::Parts(vec![quantity(2, "3")])).expect("rest");
    assert_eq!(rest.lines[0].priced.net.to_string(), "-2.85");
}

#[test]
fn a_discount_or_coupon_line_alone_is_refused_the_whole_invoice_still_credits_it() {
    let lines = vec![
        line(1, LineKind::Plan, "1", "31.00", "19", "31.00"),
        line(2, LineKind::Coupon, "1", "-15.50", "19", "-15.50"),
    ];
    let vats = vec![vat("19", "15.50", "2.95")];
    let original = Original { currency: "EUR", lines: &lines, vat_items: &vats };
    let taken = Taken::default();
    for part in [amount(2, "5"), quantity(2, "1")] {
        let err = credit(&original, &taken, &Request::Parts(vec![part])).expect_err("refused");
        assert_eq!((err.clone(), err.tag()), (CreditError::Allowance(2), "INVOICE_ITEM_ID"));
    }
    let whole = credit(&original, &taken, &Request::Whole).expect("whole");
    assert_eq!(whole.total, d("-18.45"));
}
