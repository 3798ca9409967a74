//! Credit notes (API.md section 10): the negative of (parts of) an invoice's
//! lines, VAT per rate on the summed credited nets, and all credit notes of an
//! invoice adding up to its exact negation.
//!
//! - A part by QUANTITY `q` (up to the uncredited quantity) credits
//!   `round(q x unit_price)`; the part that takes the last quantity of a line
//!   takes exactly the rest of its net.
//! - A part by AMOUNT `a` (a net, up to the uncredited net) credits `a`; when
//!   it takes the whole rest of the net it also takes the rest of the quantity.
//!   Its line shows QUANTITY 1 and UNIT_PRICE `-a`.
//! - A credit note whose parts leave every line of a rate fully credited takes
//!   exactly the VAT left of that rate (the original's minus earlier notes').
//!
//! Decisions where API.md is silent:
//! - "Taken" amounts are kept in the original line's sign (a plan line's
//!   credited net is positive, a discount line's negative); a credit line's
//!   net is their negation, so crediting a discount line gives a positive line.
//! - A line is fully credited when both its quantity and its net are; the last
//!   part syncs the other, so a line's quantity and net run out together.
//! - An AMOUNT with more decimals than the currency's minor unit is refused.
//! - Literal per-note VAT can, over many tiny partial notes, take more than
//!   the original VAT of a rate; the note that credits the last part then
//!   carries the (opposite-signed) correction, so the sum still is exact.

use rust_decimal::Decimal;

use super::money::{minor_units, round_money};
use super::pricing::{Line, PricedLine, VatItem};

mod error;
mod taken;

pub use error::CreditError;
pub use taken::{Taken, TakenLine, TakenRate};

/// A line of the invoice being credited: INVOICE_ITEM_ID and its priced line.
#[derive(Clone, Debug, PartialEq)]
pub struct OriginalLine {
    pub id: i64,
    pub priced: PricedLine,
}

/// The invoice being credited.
#[derive(Clone, Copy, Debug)]
pub struct Original<'a> {
    pub currency: &'a str,
    pub lines: &'a [OriginalLine],
    pub vat_items: &'a [VatItem],
}

/// How much of a line to credit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Take {
    Quantity(Decimal),
    /// A net amount, positive.
    Amount(Decimal),
}

/// ITEMS of `invoice.credit`: INVOICE_ITEM_ID with QUANTITY or AMOUNT.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Part {
    pub line_id: i64,
    pub take: Take,
}

/// What to credit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request {
    /// Everything not yet credited (`invoice.credit` without ITEMS, `invoice.cancel`).
    Whole,
    Parts(Vec<Part>),
}

/// One line of a credit note.
#[derive(Clone, Debug, PartialEq)]
pub struct CreditLine {
    /// INVOICE_ITEM_ID of the original line.
    pub original_id: i64,
    /// KIND kept, QUANTITY positive, UNIT_PRICE and net negated.
    pub priced: PricedLine,
    /// How much of the original's quantity this line takes (0 for a partial AMOUNT).
    pub credited_quantity: Decimal,
}

/// A priced credit note; every amount is negative (for ordinary invoices).
#[derive(Clone, Debug, PartialEq)]
pub struct CreditNote {
    pub currency: String,
    pub lines: Vec<CreditLine>,
    pub vat_items: Vec<VatItem>,
    pub sub_total: Decimal,
    pub vat_total: Decimal,
    pub total: Decimal,
}

/// What is left of a line while a request is resolved.
#[derive(Clone, Copy, Debug)]
struct Left {
    quantity: Decimal,
    net: Decimal,
}

impl Left {
    fn is_empty(&self) -> bool {
        self.quantity.is_zero() && self.net.is_zero()
    }
}

/// One resolved part: what it takes of line `index`, and how its line reads.
struct Resolved {
    index: usize,
    quantity: Decimal,
    net: Decimal,
    shown_quantity: Decimal,
    shown_unit_price: Decimal,
}

/// `net` fits in `left`: same sign and not larger (zero always fits).
fn fits(net: Decimal, left: Decimal) -> bool {
    net.is_zero() || (net.is_sign_negative() == left.is_sign_negative() && !left.is_zero() && net.abs() <= left.abs())
}

/// How a credited line reads: `quantity` x the original's unit price when that is its net; else
/// (an earlier AMOUNT took part of the line) one unit of the net, so that QUANTITY x UNIT_PRICE is
/// the line's net as EN 16931 requires.
fn shown(quantity: Decimal, net: Decimal, unit_price: Decimal, currency: &str) -> (Decimal, Decimal) {
    if round_money(quantity * unit_price, currency) == net {
        (quantity, unit_price)
    } else {
        (Decimal::ONE, round_money(net, currency))
    }
}

fn resolve_part(original: &Original<'_>, left: &mut [Left], part: &Part) -> Result<Resolved, CreditError> {
    let id = part.line_id;
    let index = original.lines.iter().position(|l| l.id == id).ok_or(CreditError::UnknownLine(id))?;
    let line = &original.lines[index].priced;
    if line.net.is_sign_negative() && !line.net.is_zero() {
        return Err(CreditError::Allowance(id));
    }
    let rest = left[index];
    let resolved = match part.take {
        Take::Quantity(q) if q <= Decimal::ZERO => return Err(CreditError::NotPositive { line: id, tag: "QUANTITY" }),
        Take::Amount(a) if a <= Decimal::ZERO => return Err(CreditError::NotPositive { line: id, tag: "AMOUNT" }),
        Take::Quantity(q) if q > rest.quantity => {
            return Err(CreditError::QuantityExceeds { line: id, requested: q, left: rest.quantity });
        }
        Take::Quantity(q) => {
            let last = q == rest.quantity;
            let net = if last { rest.net } else { round_money(q * line.line.unit_price, original.currency) };
            if !fits(net, rest.net) {
                return Err(CreditError::NetExceeds { line: id, quantity: q, net, left: rest.net });
            }
            let (shown_quantity, shown_unit_price) = shown(q, net, line.line.unit_price, original.currency);
            Resolved { index, quantity: q, net, shown_quantity, shown_unit_price }
        }
        Take::Amount(a) if a.normalize().scale() > minor_units(original.currency) => {
            return Err(CreditError::AmountPrecision { line: id, amount: a });
        }
        Take::Amount(a) if a > rest.net.abs() => {
            return Err(CreditError::AmountExceeds { line: id, requested: a, left: rest.net.abs() });
        }
        Take::Amount(a) => {
            let net = if rest.net.is_sign_negative() { -a } else { a };
            let last = net == rest.net;
            let quantity = if last { rest.quantity } else { Decimal::ZERO };
            let shown_unit_price = round_money(net, original.currency);
            Resolved { index, quantity, net, shown_quantity: Decimal::ONE, shown_unit_price }
        }
    };
    left[index] = Left { quantity: rest.quantity - resolved.quantity, net: rest.net - resolved.net };
    Ok(resolved)
}

fn resolve(original: &Original<'_>, left: &mut [Left], request: &Request) -> Result<Vec<Resolved>, CreditError> {
    match request {
        Request::Whole => {
            let mut out = Vec::new();
            for (index, rest) in left.iter_mut().enumerate() {
                if !rest.is_empty() {
                    let unit = original.lines[index].priced.line.unit_price;
                    let (shown_quantity, shown_unit_price) = shown(rest.quantity, rest.net, unit, original.currency);
                    let r =
                        Resolved { index, quantity: rest.quantity, net: rest.net, shown_quantity, shown_unit_price };
                    *rest = Left { quantity: Decimal::ZERO, net: Decimal::ZERO };
                    out.push(r);
                }
            }
            if out.is_empty() { Err(CreditError::NothingLeft) } else { Ok(out) }
        }
        Request::Parts(parts) if parts.is_empty() => Err(CreditError::EmptyRequest),
        Request::Parts(parts) => parts.iter().map(|p| resolve_part(original, left, p)).collect(),
    }
}

fn credit_line(original: &Original<'_>, r: &Resolved) -> CreditLine {
    let source = &original.lines[r.index];
    let line = Line { quantity: r.shown_quantity, unit_price: -r.shown_unit_price, ..source.priced.line.clone() };
    let net = round_money(-r.net, original.currency);
    CreditLine { original_id: source.id, priced: PricedLine { line, net }, credited_quantity: r.quantity }
}

/// VAT per rate of the credit note's lines; a rate left fully credited takes what is left of its VAT.
fn vat_items(
    original: &Original<'_>,
    taken: &Taken,
    left: &[Left],
    lines: &[CreditLine],
) -> Result<Vec<VatItem>, CreditError> {
    let cur = original.currency;
    let mut items: Vec<VatItem> = Vec::new();
    for l in lines {
        let rate = l.priced.line.vat_percent.normalize();
        match items.iter_mut().find(|v| v.vat_percent == rate) {
            Some(item) => item.net += l.priced.net,
            None => items.push(VatItem { vat_percent: rate, net: l.priced.net, vat: Decimal::ZERO }),
        }
    }
    items.sort_by_key(|v| v.vat_percent);
    for item in &mut items {
        let at_rate = |i: usize| original.lines[i].priced.line.vat_percent.normalize() == item.vat_percent;
        let last = left.iter().enumerate().all(|(i, rest)| !at_rate(i) || rest.is_empty());
        item.net = round_money(item.net, cur);
        item.vat = if last {
            let source = original.vat_items.iter().find(|v| v.vat_percent.normalize() == item.vat_percent);
            let source = source.ok_or(CreditError::MissingVatItem(item.vat_percent))?;
            round_money(-(source.vat - taken.rate(item.vat_percent).1), cur)
        } else {
            round_money(item.net * item.vat_percent / Decimal::ONE_HUNDRED, cur)
        };
    }
    Ok(items)
}

/// The credit note of `request` on `original`, after earlier notes `taken`.
pub fn credit(original: &Original<'_>, taken: &Taken, request: &Request) -> Result<CreditNote, CreditError> {
    let mut left: Vec<Left> = original
        .lines
        .iter()
        .map(|l| {
            let (quantity, net) = taken.line(l.id);
            Left { quantity: l.priced.line.quantity - quantity, net: l.priced.net - net }
        })
        .collect();
    let resolved = resolve(original, &mut left, request)?;
    let lines: Vec<CreditLine> = resolved.iter().map(|r| credit_line(original, r)).collect();
    let vat_items = vat_items(original, taken, &left, &lines)?;
    let sub_total = round_money(vat_items.iter().map(|v| v.net).sum(), original.currency);
    let vat_total = round_money(vat_items.iter().map(|v| v.vat).sum(), original.currency);
    Ok(CreditNote {
        currency: original.currency.to_owned(),
        lines,
        vat_items,
        sub_total,
        vat_total,
        total: sub_total + vat_total,
    })
}

#[cfg(test)]
mod props;
#[cfg(test)]
mod tests;
