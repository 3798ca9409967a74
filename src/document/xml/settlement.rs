//! `ram:ApplicableHeaderTradeSettlement`: currency, payment means, VAT breakdown, service period,
//! allowances, payment terms, totals and the corrected invoice.

use chrono_tz::Tz;

use super::figures::{Adjustment, Figures};
use super::trade_tax;
use super::writer::Xml;
use crate::document::DocumentError;
use crate::document::format::{local_date, period_days, xml_amount, xml_decimal};
use crate::document::model::{DocumentKind, InvoiceDocument, given};
use crate::document::tax::Category;
use crate::document::view::payment_terms;
use crate::document::wording::words;

/// UNTDID 5189 "Discount", the allowance reason code of discount and coupon lines.
const DISCOUNT_REASON: &str = "95";
/// UNTDID 7161 "Mutually defined", for the odd discount line that adds to the amount.
const CHARGE_REASON: &str = "ZZZ";
/// UNTDID 4461 "SEPA credit transfer".
const SEPA_CREDIT_TRANSFER: &str = "58";

/// The whole settlement block.
pub fn settlement(x: &mut Xml, doc: &InvoiceDocument, f: &Figures<'_>, tz: Tz) -> Result<(), DocumentError> {
    x.open("ram:ApplicableHeaderTradeSettlement")?;
    if doc.kind == DocumentKind::Invoice {
        x.text("ram:PaymentReference", &doc.number)?;
    }
    x.text("ram:InvoiceCurrencyCode", &doc.currency)?;
    payment_means(x, doc)?;
    breakdown(x, doc, f)?;
    if let Some(period) = &doc.service_period {
        let (first, last) = period_days(period, tz);
        x.open("ram:BillingSpecifiedPeriod")?;
        x.date("ram:StartDateTime", first)?;
        x.date("ram:EndDateTime", last)?;
        x.close("ram:BillingSpecifiedPeriod")?;
    }
    for adjustment in &f.adjustments {
        allowance(x, doc, adjustment)?;
    }
    x.open("ram:SpecifiedTradePaymentTerms")?;
    x.text("ram:Description", &payment_terms(doc, tz))?;
    if let Some(due) = doc.due_date {
        x.date("ram:DueDateDateTime", local_date(due, tz))?;
    }
    x.close("ram:SpecifiedTradePaymentTerms")?;
    summation(x, doc, f)?;
    referenced_invoice(x, doc, tz)?;
    x.close("ram:ApplicableHeaderTradeSettlement")
}

/// SEPA credit transfer to the seller's IBAN (BG-16/BG-17); a credit note is paid by the seller, so it
/// names no payee account.
fn payment_means(x: &mut Xml, doc: &InvoiceDocument) -> Result<(), DocumentError> {
    let iban = given(&doc.seller.iban).map(|iban| iban.replace(' ', ""));
    let (DocumentKind::Invoice, Some(iban)) = (doc.kind, iban) else {
        return Ok(());
    };
    x.open("ram:SpecifiedTradeSettlementPaymentMeans")?;
    x.text("ram:TypeCode", SEPA_CREDIT_TRANSFER)?;
    x.open("ram:PayeePartyCreditorFinancialAccount")?;
    x.text("ram:IBANID", &iban)?;
    x.close("ram:PayeePartyCreditorFinancialAccount")?;
    if let Some(bic) = given(&doc.seller.bic) {
        x.open("ram:PayeeSpecifiedCreditorFinancialInstitution")?;
        x.text("ram:BICID", &bic.replace(' ', ""))?;
        x.close("ram:PayeeSpecifiedCreditorFinancialInstitution")?;
    }
    x.close("ram:SpecifiedTradeSettlementPaymentMeans")
}

/// BG-23, one `ram:ApplicableTradeTax` per rate; reverse charge and exempt rates carry their reason.
fn breakdown(x: &mut Xml, doc: &InvoiceDocument, f: &Figures<'_>) -> Result<(), DocumentError> {
    for b in &f.breakdown {
        let (reason, code) = match b.category {
            Category::ReverseCharge => (Some(words(doc.language).reverse_charge), Some("VATEX-EU-AE")),
            Category::Exempt => (given(&doc.vat_exemption_reason), None),
            Category::Standard | Category::ZeroRated => (None, None),
        };
        x.open("ram:ApplicableTradeTax")?;
        x.text("ram:CalculatedAmount", &xml_amount(b.vat, &doc.currency))?;
        x.text("ram:TypeCode", "VAT")?;
        x.text_opt("ram:ExemptionReason", reason)?;
        x.text("ram:BasisAmount", &xml_amount(b.basis, &doc.currency))?;
        x.text("ram:CategoryCode", b.category.code())?;
        x.text_opt("ram:ExemptionReasonCode", code)?;
        x.text("ram:RateApplicablePercent", &xml_decimal(b.rate))?;
        x.close("ram:ApplicableTradeTax")?;
    }
    Ok(())
}

/// A document-level allowance (BG-20) or charge (BG-21) from a discount or coupon line.
fn allowance(x: &mut Xml, doc: &InvoiceDocument, a: &Adjustment<'_>) -> Result<(), DocumentError> {
    let w = words(doc.language);
    let prefix = w.line_prefix(a.line.kind).unwrap_or(w.discount);
    let description = a.line.description.trim();
    let reason = if description.is_empty() { prefix.to_owned() } else { format!("{prefix}: {description}") };
    x.open("ram:SpecifiedTradeAllowanceCharge")?;
    x.indicator("ram:ChargeIndicator", a.is_charge)?;
    x.text("ram:ActualAmount", &xml_amount(a.amount, &doc.currency))?;
    x.text("ram:ReasonCode", if a.is_charge { CHARGE_REASON } else { DISCOUNT_REASON })?;
    x.text("ram:Reason", &reason)?;
    trade_tax(x, "ram:CategoryTradeTax", a.category, a.line.vat_percent)?;
    x.close("ram:SpecifiedTradeAllowanceCharge")
}

/// BG-22; the sums were checked against the stored totals by [`Figures::of`].
fn summation(x: &mut Xml, doc: &InvoiceDocument, f: &Figures<'_>) -> Result<(), DocumentError> {
    let amount = |value| xml_amount(value, &doc.currency);
    x.open("ram:SpecifiedTradeSettlementHeaderMonetarySummation")?;
    x.text("ram:LineTotalAmount", &amount(f.line_total))?;
    if !f.charge_total.is_zero() {
        x.text("ram:ChargeTotalAmount", &amount(f.charge_total))?;
    }
    x.text("ram:AllowanceTotalAmount", &amount(f.allowance_total))?;
    x.text("ram:TaxBasisTotalAmount", &amount(f.tax_basis))?;
    x.text_with("ram:TaxTotalAmount", &[("currencyID", &doc.currency)], &amount(f.tax_total))?;
    x.text("ram:GrandTotalAmount", &amount(f.grand_total))?;
    x.text("ram:DuePayableAmount", &amount(f.grand_total))?;
    x.close("ram:SpecifiedTradeSettlementHeaderMonetarySummation")
}

/// BG-3: the invoice a credit note corrects.
fn referenced_invoice(x: &mut Xml, doc: &InvoiceDocument, tz: Tz) -> Result<(), DocumentError> {
    let (DocumentKind::CreditNote, Some(number)) = (doc.kind, given(&doc.related_invoice_number)) else {
        return Ok(());
    };
    x.open("ram:InvoiceReferencedDocument")?;
    x.text("ram:IssuerAssignedID", number)?;
    if let Some(date) = doc.related_invoice_date {
        x.open("ram:FormattedIssueDateTime")?;
        x.text_with(
            "qdt:DateTimeString",
            &[("format", "102")],
            &crate::document::format::date_102(local_date(date, tz)),
        )?;
        x.close("ram:FormattedIssueDateTime")?;
    }
    x.close("ram:InvoiceReferencedDocument")
}
