//! Balances by hand: a worked sequence of credit, payments, a reversal and a credit note.

use std::str::FromStr;

use chrono::{NaiveDate, TimeZone, Utc};
use rust_decimal::Decimal;

use super::*;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal literal")
}

fn day(y: i32, m: u32, dd: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, dd).expect("date")
}

fn pay(value: &str) -> Amount {
    Amount::parse(d(value), "EUR").expect("amount")
}

#[test]
fn an_invoice_is_overdue_from_the_day_after_its_due_date() {
    let due = day(2025, 1, 15);
    assert!(!is_overdue(due, day(2025, 1, 15)));
    assert!(is_overdue(due, day(2025, 1, 16)));
    assert_eq!(status(d("10"), due, day(2025, 1, 14)), Status::Unpaid);
    assert_eq!(status(d("10"), due, day(2025, 1, 16)).as_str(), "overdue");
    assert_eq!(status(d("0.00"), due, day(2025, 3, 1)), Status::Paid);
}

#[test]
fn credit_payments_a_reversal_and_a_credit_note_move_the_balance() {
    let due = day(2025, 1, 15);
    let today = day(2025, 1, 20);
    let mut b = Balance { total: d("119.00"), ..Balance::default() };
    let mut credit_balance = d("20.00");
    // At issue: min(20.00, 119.00) = 20.00 as a payment of METHOD credit.
    let credit = credit_at_issue(credit_balance, b.total);
    assert_eq!(credit, d("20.00"));
    credit_balance -= credit;
    b.paid += credit;
    assert_eq!(b.outstanding(), d("99.00"));
    // 50.00: all allocated; 99.00 - 50.00 = 49.00.
    let first = allocate(pay("50.00"), b.outstanding());
    assert_eq!(first, Allocation { allocated: d("50.00"), to_credit_balance: d("0.00") });
    b.paid += first.allocated;
    // 60.00 on 49.00: 49.00 allocated, 11.00 to the credit balance; paid.
    let second = allocate(pay("60.00"), b.outstanding());
    assert_eq!(second, Allocation { allocated: d("49.00"), to_credit_balance: d("11.00") });
    b.paid += second.allocated;
    credit_balance += second.to_credit_balance;
    assert_eq!((b.outstanding(), b.status(due, today), credit_balance), (d("0.00"), Status::Paid, d("11.00")));
    // Reversing the 60.00: 49.00 outstanding again, 11.00 taken back from the balance.
    let payment = Payment { amount: d("60.00"), allocated: d("49.00"), from_credit_balance: false, reversed: false };
    let back = reverse(&payment, credit_balance).expect("reverse");
    assert_eq!(back, Reversal { outstanding_back: d("49.00"), credit_balance_change: d("-11.00") });
    b.reversed += back.outstanding_back;
    credit_balance += back.credit_balance_change;
    assert_eq!((b.outstanding(), b.status(due, today), credit_balance), (d("49.00"), Status::Overdue, d("0.00")));
    assert_eq!(reverse(&Payment { reversed: true, ..payment }, credit_balance), Err(BalanceError::AlreadyReversed));
    // A credit note of 59.50: 49.00 lowers the outstanding amount, 10.50 goes to the balance.
    let note = allocate_credit_note(d("59.50"), b.outstanding(), false);
    assert_eq!(note, CreditAllocation { to_invoice: d("49.00"), to_credit_balance: d("10.50"), refunded: d("0") });
    b.credited += note.to_invoice;
    // 119.00 - (20.00 + 50.00 + 49.00) + 49.00 - 49.00 = 0.00.
    assert_eq!((b.outstanding(), b.status(due, today)), (d("0.00"), Status::Paid));
}

#[test]
fn a_reverse_fails_when_the_balance_no_longer_holds_the_overpayment() {
    let payment = Payment { amount: d("60.00"), allocated: d("49.00"), from_credit_balance: false, reversed: false };
    // 11.00 went to the balance; 5.00 is left of it.
    let err = reverse(&payment, d("5.00")).expect_err("too low");
    assert_eq!(err, BalanceError::CreditBalanceTooLow { needed: d("11.00"), balance: d("5.00") });
    assert_eq!(err.tag(), "PAYMENT_ID");
    // A credit payment goes back to the balance.
    let from_credit = Payment { amount: d("20.00"), allocated: d("20.00"), from_credit_balance: true, reversed: false };
    assert_eq!(reverse(&from_credit, d("0")).map(|r| r.credit_balance_change), Ok(d("20.00")));
}

#[test]
fn credit_at_issue_is_the_smaller_of_balance_and_total() {
    assert_eq!(credit_at_issue(d("30.00"), d("19.99")), d("19.99"));
    assert_eq!(credit_at_issue(d("5.00"), d("19.99")), d("5.00"));
    assert_eq!(credit_at_issue(d("5.00"), d("0.00")), d("0.00"));
    assert_eq!(credit_at_issue(d("0"), d("19.99")), d("0"));
}

#[test]
fn a_refunded_credit_note_goes_past_the_outstanding_amount_to_the_refund() {
    // Paid invoice: nothing outstanding, all 23.80 refunded.
    let note = allocate_credit_note(d("23.80"), d("0.00"), true);
    assert_eq!(note, CreditAllocation { to_invoice: d("0.00"), to_credit_balance: d("0"), refunded: d("23.80") });
}

#[test]
fn amounts_are_positive_and_in_the_currency() {
    assert_eq!(Amount::parse(d("0"), "EUR"), Err(BalanceError::NotPositive));
    assert_eq!(Amount::parse(d("-1"), "EUR").map_err(|e| e.tag()), Err("AMOUNT"));
    assert_eq!(Amount::parse(d("0.001"), "EUR"), Err(BalanceError::Precision));
    assert!(Amount::parse(d("0.010"), "EUR").is_ok());
    assert!(Amount::parse(d("0.001"), "KWD").is_ok());
    assert!(Amount::parse(d("1.5"), "JPY").is_err());
}

#[test]
fn paid_date_is_set_by_the_allocation_that_pays_and_cleared_when_outstanding_again() {
    let jan = Utc.with_ymd_and_hms(2025, 1, 20, 12, 0, 0).single().expect("date");
    let feb = Utc.with_ymd_and_hms(2025, 2, 1, 12, 0, 0).single().expect("date");
    assert_eq!(paid_date(None, d("10"), d("0"), jan), Some(jan));
    assert_eq!(paid_date(Some(jan), d("0"), d("0"), feb), Some(jan));
    assert_eq!(paid_date(Some(jan), d("0"), d("10"), feb), None);
    assert_eq!(paid_date(None, d("10"), d("4"), feb), None);
}
