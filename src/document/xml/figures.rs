//! The amounts of the XML: the stored figures turned positive for a credit note (type code 381), discount
//! and coupon lines moved to document-level allowances, and every sum checked against the stored totals
//! so the EN 16931 calculation rules BR-CO-10..BR-CO-16 and BR-S-08 (and its Z/E/AE twins) hold.

use rust_decimal::Decimal;

use crate::document::DocumentError;
use crate::document::model::{DocumentKind, DocumentLine, InvoiceDocument};
use crate::document::tax::{Category, category};

/// A document-level allowance (discount, coupon) or, for a positive discount line, a charge.
#[derive(Debug)]
pub struct Adjustment<'a> {
    pub line: &'a DocumentLine,
    /// Positive.
    pub amount: Decimal,
    pub is_charge: bool,
    pub category: Category,
}

/// One row of the VAT breakdown (BG-23).
#[derive(Debug)]
pub struct Breakdown {
    pub rate: Decimal,
    pub category: Category,
    pub basis: Decimal,
    pub vat: Decimal,
}

/// The XML's figures, signed for the document type.
#[derive(Debug)]
pub struct Figures<'a> {
    /// 1 for an invoice, -1 for a credit note.
    pub sign: Decimal,
    pub items: Vec<&'a DocumentLine>,
    pub adjustments: Vec<Adjustment<'a>>,
    pub breakdown: Vec<Breakdown>,
    pub line_total: Decimal,
    pub allowance_total: Decimal,
    pub charge_total: Decimal,
    pub tax_basis: Decimal,
    pub tax_total: Decimal,
    pub grand_total: Decimal,
}

impl<'a> Figures<'a> {
    /// Splits and signs the lines of `doc` and checks the sums against its stored totals.
    pub fn of(doc: &'a InvoiceDocument) -> Result<Figures<'a>, DocumentError> {
        let sign = match doc.kind {
            DocumentKind::Invoice => Decimal::ONE,
            DocumentKind::CreditNote => Decimal::NEGATIVE_ONE,
        };
        let items: Vec<&DocumentLine> = doc.lines.iter().filter(|l| !l.kind.is_allowance()).collect();
        let adjustments: Vec<Adjustment<'_>> = doc
            .lines
            .iter()
            .filter(|l| l.kind.is_allowance())
            .map(|line| Adjustment {
                line,
                amount: (line.net * sign).abs(),
                is_charge: line.net * sign > Decimal::ZERO,
                category: category(doc, line.vat_percent),
            })
            .collect();
        let breakdown = doc
            .vat_items
            .iter()
            .map(|v| Breakdown {
                rate: v.rate,
                category: category(doc, v.rate),
                basis: v.net * sign,
                vat: v.vat * sign,
            })
            .collect();
        let line_total: Decimal = items.iter().map(|l| l.net * sign).sum();
        let allowance_total = adjustments.iter().filter(|a| !a.is_charge).map(|a| a.amount).sum();
        let charge_total = adjustments.iter().filter(|a| a.is_charge).map(|a| a.amount).sum();
        let tax_basis = line_total - allowance_total + charge_total;
        let tax_total = doc.vat_total * sign;
        let figures = Figures {
            sign,
            items,
            adjustments,
            breakdown,
            line_total,
            allowance_total,
            charge_total,
            tax_basis,
            tax_total,
            grand_total: tax_basis + tax_total,
        };
        figures.check(doc)?;
        Ok(figures)
    }

    /// The stored totals and VAT items must be the sums of the lines; otherwise the XML would break the
    /// calculation rules, so nothing is rendered.
    fn check(&self, doc: &InvoiceDocument) -> Result<(), DocumentError> {
        let mismatch = |what: &str, stored: Decimal, summed: Decimal| {
            DocumentError::Inconsistent(format!("{what}: stored {stored}, lines sum to {summed}"))
        };
        if self.tax_basis != doc.sub_total * self.sign {
            return Err(mismatch("SUB_TOTAL", doc.sub_total, self.tax_basis * self.sign));
        }
        if self.grand_total != doc.total * self.sign {
            return Err(mismatch("TOTAL", doc.total, self.grand_total * self.sign));
        }
        let vat_sum: Decimal = self.breakdown.iter().map(|b| b.vat).sum();
        if vat_sum != self.tax_total {
            return Err(mismatch("VAT_TOTAL", doc.vat_total, vat_sum * self.sign));
        }
        for line in &doc.lines {
            if !self.breakdown.iter().any(|b| b.rate == line.vat_percent) {
                return Err(DocumentError::Inconsistent(format!("no VAT item for the rate {}", line.vat_percent)));
            }
        }
        for b in &self.breakdown {
            let at_rate: Decimal =
                doc.lines.iter().filter(|l| l.vat_percent == b.rate).map(|l| l.net * self.sign).sum();
            if at_rate != b.basis {
                return Err(mismatch(
                    &format!("VAT_ITEMS net at {} %", b.rate),
                    b.basis * self.sign,
                    at_rate * self.sign,
                ));
            }
        }
        Ok(())
    }
}
