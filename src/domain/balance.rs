//! An invoice's balance (API.md section 10): OUTSTANDING_AMOUNT, STATUS,
//! how payments, reversals, customer credit and credit notes move it.
//!
//! `OUTSTANDING = TOTAL - payments + reversed payments - credit notes`, where
//! each amount counts as far as it was allocated to the invoice: what a
//! payment or a credit note brings beyond the outstanding amount goes to the
//! customer's CREDIT_BALANCE (or is refunded), never below zero here.
//!
//! Decisions where API.md is silent:
//! - Overdue is by date: the invoice is overdue when the tenant clock's date
//!   (in the tenant's time zone) is after DUE_DATE's date, so one due
//!   2025-01-15 is overdue from 2025-01-16 00:00 on, never on the 15th.
//! - An invoice with nothing outstanding (a zero total) is `paid`.
//! - A credit note on a partly paid invoice lowers OUTSTANDING as far as it
//!   goes; the rest goes to CREDIT_BALANCE, or is refunded with `REFUND: true`.
//! - Reversing a payment of METHOD `credit` gives its amount back to
//!   CREDIT_BALANCE (where it came from).
//! - PAYMENT AMOUNT: more decimals than the currency has are refused.

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;

use super::money::minor_units;

/// Invoice STATUS while issued and not canceled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Paid,
    Unpaid,
    Overdue,
}

impl Status {
    /// The wire text.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Paid => "paid",
            Status::Unpaid => "unpaid",
            Status::Overdue => "overdue",
        }
    }
}

/// Whether an invoice due on `due` is overdue on the tenant's date `today`.
pub fn is_overdue(due: NaiveDate, today: NaiveDate) -> bool {
    today > due
}

/// STATUS of an invoice with `outstanding` left, due on `due`, on `today`.
pub fn status(outstanding: Decimal, due: NaiveDate, today: NaiveDate) -> Status {
    if outstanding <= Decimal::ZERO {
        Status::Paid
    } else if is_overdue(due, today) {
        Status::Overdue
    } else {
        Status::Unpaid
    }
}

/// The sums that make an invoice's OUTSTANDING_AMOUNT, each as allocated to it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Balance {
    pub total: Decimal,
    /// Allocated parts of every payment, reversed ones included.
    pub paid: Decimal,
    /// Allocated parts of the reversed payments.
    pub reversed: Decimal,
    /// The parts of credit notes' totals (positive) that lowered the outstanding amount.
    pub credited: Decimal,
}

impl Balance {
    /// OUTSTANDING_AMOUNT.
    pub fn outstanding(&self) -> Decimal {
        self.total - self.paid + self.reversed - self.credited
    }

    /// STATUS on `today`.
    pub fn status(&self, due: NaiveDate, today: NaiveDate) -> Status {
        status(self.outstanding(), due, today)
    }
}

/// A payment AMOUNT: greater than zero, no more decimals than the currency.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Amount(Decimal);

impl Amount {
    /// Parses AMOUNT in `currency`.
    pub fn parse(value: Decimal, currency: &str) -> Result<Amount, BalanceError> {
        if value <= Decimal::ZERO {
            return Err(BalanceError::NotPositive);
        }
        if value.normalize().scale() > minor_units(currency) {
            return Err(BalanceError::Precision);
        }
        Ok(Amount(value))
    }

    /// The amount.
    pub fn value(self) -> Decimal {
        self.0
    }
}

/// Where a payment went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Allocation {
    /// ALLOCATED: to the invoice.
    pub allocated: Decimal,
    /// The rest, to the customer's CREDIT_BALANCE.
    pub to_credit_balance: Decimal,
}

/// Allocates a payment of `amount` to an invoice with `outstanding` left.
pub fn allocate(amount: Amount, outstanding: Decimal) -> Allocation {
    let allocated = amount.value().min(outstanding.max(Decimal::ZERO));
    Allocation { allocated, to_credit_balance: amount.value() - allocated }
}

/// The customer credit applied when an invoice is issued, as a payment of
/// METHOD `credit`: `min(CREDIT_BALANCE, TOTAL)`, never below zero.
pub fn credit_at_issue(credit_balance: Decimal, total: Decimal) -> Decimal {
    credit_balance.min(total).max(Decimal::ZERO)
}

/// A recorded payment, as far as reversing it is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Payment {
    /// AMOUNT as paid.
    pub amount: Decimal,
    /// ALLOCATED to the invoice.
    pub allocated: Decimal,
    /// METHOD `credit`: it came from CREDIT_BALANCE.
    pub from_credit_balance: bool,
    /// STATUS `reversed`.
    pub reversed: bool,
}

/// What a reversal does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reversal {
    /// Added back to OUTSTANDING_AMOUNT (the allocated part).
    pub outstanding_back: Decimal,
    /// Change of CREDIT_BALANCE: minus what the payment put there, or plus a
    /// `credit` payment's amount.
    pub credit_balance_change: Decimal,
}

/// Reverses `payment` while the customer's balance is `credit_balance`.
pub fn reverse(payment: &Payment, credit_balance: Decimal) -> Result<Reversal, BalanceError> {
    reverse_within(payment, credit_balance, payment.allocated)
}

/// Reverses `payment` on an invoice whose OUTSTANDING_AMOUNT may grow back by at most `room`
/// (TOTAL less the other payments and the credit notes, less what is outstanding now). What it
/// allocated beyond that was covered by a credit note since, whose amount went to the customer's
/// CREDIT_BALANCE because the invoice was paid: it comes back out of the balance, so the credit
/// settles the invoice instead of the payment.
pub fn reverse_within(payment: &Payment, credit_balance: Decimal, room: Decimal) -> Result<Reversal, BalanceError> {
    if payment.reversed {
        return Err(BalanceError::AlreadyReversed);
    }
    let back = payment.allocated.min(room.max(Decimal::ZERO));
    let covered = payment.allocated - back;
    if payment.from_credit_balance {
        return Ok(Reversal { outstanding_back: back, credit_balance_change: payment.amount - covered });
    }
    let taken = payment.amount - payment.allocated + covered;
    if credit_balance < taken {
        return Err(BalanceError::CreditBalanceTooLow { needed: taken, balance: credit_balance });
    }
    Ok(Reversal { outstanding_back: back, credit_balance_change: -taken })
}

/// Where a credit note's total (gross, positive) goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CreditAllocation {
    /// Lowers OUTSTANDING_AMOUNT.
    pub to_invoice: Decimal,
    /// Goes to CREDIT_BALANCE.
    pub to_credit_balance: Decimal,
    /// Recorded as refunded (`REFUND: true`).
    pub refunded: Decimal,
}

/// Allocates a credit note of `credit_total` to an invoice with `outstanding` left.
pub fn allocate_credit_note(credit_total: Decimal, outstanding: Decimal, refund: bool) -> CreditAllocation {
    let to_invoice = credit_total.min(outstanding.max(Decimal::ZERO)).max(Decimal::ZERO);
    let rest = credit_total - to_invoice;
    if refund {
        CreditAllocation { to_invoice, to_credit_balance: Decimal::ZERO, refunded: rest }
    } else {
        CreditAllocation { to_invoice, to_credit_balance: rest, refunded: Decimal::ZERO }
    }
}

/// PAID_DATE after an allocation at `at` moved OUTSTANDING from `before` to `after`:
/// set by the allocation that made it 0, kept while it stays 0, cleared otherwise.
pub fn paid_date(
    previous: Option<DateTime<Utc>>,
    before: Decimal,
    after: Decimal,
    at: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    match (before > Decimal::ZERO, after > Decimal::ZERO) {
        (_, true) => None,
        (true, false) => Some(at),
        (false, false) => previous,
    }
}

/// A refused payment or reversal (`NotPositive`/`Precision`: -32602; the rest 1009).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BalanceError {
    NotPositive,
    Precision,
    AlreadyReversed,
    CreditBalanceTooLow { needed: Decimal, balance: Decimal },
}

impl BalanceError {
    /// The tag the error is about.
    pub fn tag(&self) -> &'static str {
        match self {
            BalanceError::NotPositive | BalanceError::Precision => "AMOUNT",
            BalanceError::AlreadyReversed | BalanceError::CreditBalanceTooLow { .. } => "PAYMENT_ID",
        }
    }
}

impl fmt::Display for BalanceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BalanceError::NotPositive => f.write_str("AMOUNT must be greater than 0"),
            BalanceError::Precision => f.write_str("AMOUNT has more decimals than the currency"),
            BalanceError::AlreadyReversed => f.write_str("PAYMENT_ID: the payment is reversed already"),
            BalanceError::CreditBalanceTooLow { needed, balance } => {
                write!(f, "PAYMENT_ID: {needed} of the payment went to CREDIT_BALANCE, which holds only {balance} now")
            }
        }
    }
}

impl std::error::Error for BalanceError {}

#[cfg(test)]
mod props;
#[cfg(test)]
mod tests;
