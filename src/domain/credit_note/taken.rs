//! What earlier credit notes took of an invoice, per line and per rate.

use rust_decimal::Decimal;

use super::CreditNote;

/// What earlier notes took of one line, in the line's own sign (a plan line's net positive).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TakenLine {
    pub id: i64,
    pub quantity: Decimal,
    pub net: Decimal,
}

/// What earlier notes took of one rate, in the original's sign.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TakenRate {
    pub vat_percent: Decimal,
    pub net: Decimal,
    pub vat: Decimal,
}

/// The sum of an invoice's earlier credit notes (empty for the first note).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Taken {
    pub lines: Vec<TakenLine>,
    pub rates: Vec<TakenRate>,
}

impl Taken {
    /// Quantity and net taken of line `id`.
    pub fn line(&self, id: i64) -> (Decimal, Decimal) {
        self.lines.iter().find(|l| l.id == id).map_or((Decimal::ZERO, Decimal::ZERO), |l| (l.quantity, l.net))
    }

    /// Net and VAT taken of the rate `vat_percent`.
    pub fn rate(&self, vat_percent: Decimal) -> (Decimal, Decimal) {
        let rate = vat_percent.normalize();
        self.rates
            .iter()
            .find(|r| r.vat_percent.normalize() == rate)
            .map_or((Decimal::ZERO, Decimal::ZERO), |r| (r.net, r.vat))
    }

    /// Adds a credit note that was issued.
    pub fn record(&mut self, note: &CreditNote) {
        for l in &note.lines {
            match self.lines.iter_mut().find(|t| t.id == l.original_id) {
                Some(t) => {
                    t.quantity += l.credited_quantity;
                    t.net -= l.priced.net;
                }
                None => {
                    self.lines.push(TakenLine { id: l.original_id, quantity: l.credited_quantity, net: -l.priced.net })
                }
            }
        }
        for v in &note.vat_items {
            let rate = v.vat_percent.normalize();
            match self.rates.iter_mut().find(|t| t.vat_percent.normalize() == rate) {
                Some(t) => {
                    t.net -= v.net;
                    t.vat -= v.vat;
                }
                None => self.rates.push(TakenRate { vat_percent: rate, net: -v.net, vat: -v.vat }),
            }
        }
    }
}
