//! Property test: random payments, reversals, credit notes and added credit
//! keep OUTSTANDING = TOTAL - payments + reversals - credits, STATUS in line
//! with it, and CREDIT_BALANCE never negative.

use chrono::NaiveDate;
use proptest::prelude::*;
use rust_decimal::Decimal;

use super::*;

#[derive(Clone, Debug)]
enum Op {
    Pay(i64),
    Reverse(usize),
    Credit(i64, bool),
    AddCredits(i64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (1i64..20_000).prop_map(Op::Pay),
        2 => (0usize..10).prop_map(Op::Reverse),
        1 => ((1i64..10_000), any::<bool>()).prop_map(|(c, r)| Op::Credit(c, r)),
        1 => (1i64..5_000).prop_map(Op::AddCredits),
    ]
}

fn cents(n: i64) -> Decimal {
    Decimal::new(n, 2)
}

/// The model: every payment and credit note as recorded, summed afresh each step.
#[derive(Default)]
struct Ledger {
    payments: Vec<Payment>,
    credits_to_invoice: Vec<Decimal>,
    credited_gross: Decimal,
}

impl Ledger {
    fn outstanding(&self, total: Decimal) -> Decimal {
        let paid: Decimal = self.payments.iter().map(|p| p.allocated).sum();
        let reversed: Decimal = self.payments.iter().filter(|p| p.reversed).map(|p| p.allocated).sum();
        total - paid + reversed - self.credits_to_invoice.iter().copied().sum::<Decimal>()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn the_balance_follows_its_formula_and_credit_never_goes_negative(
        total in 0i64..30_000,
        start_credit in 0i64..10_000,
        ops in proptest::collection::vec(op(), 0..25),
        today in 0i64..30,
    ) {
        let (total, due) = (cents(total), NaiveDate::from_ymd_opt(2025, 1, 15).expect("date"));
        let today = due + chrono::Duration::days(today - 10);
        let mut ledger = Ledger::default();
        let mut b = Balance { total, ..Balance::default() };
        let mut credit_balance = cents(start_credit);
        let credit = credit_at_issue(credit_balance, total);
        if credit > Decimal::ZERO {
            credit_balance -= credit;
            b.paid += credit;
            ledger.payments.push(Payment { amount: credit, allocated: credit, from_credit_balance: true, reversed: false });
        }
        for op in ops {
            match op {
                Op::Pay(c) => {
                    let a = allocate(Amount::parse(cents(c), "EUR").expect("> 0"), b.outstanding());
                    prop_assert_eq!(a.allocated + a.to_credit_balance, cents(c));
                    b.paid += a.allocated;
                    credit_balance += a.to_credit_balance;
                    ledger.payments.push(Payment { amount: cents(c), allocated: a.allocated, from_credit_balance: false, reversed: false });
                }
                Op::Reverse(_) if ledger.payments.is_empty() => {}
                Op::Reverse(i) => {
                    let i = i % ledger.payments.len();
                    let p = ledger.payments[i];
                    match reverse(&p, credit_balance) {
                        Ok(r) => {
                            b.reversed += r.outstanding_back;
                            credit_balance += r.credit_balance_change;
                            ledger.payments[i].reversed = true;
                        }
                        Err(BalanceError::AlreadyReversed) => prop_assert!(p.reversed),
                        Err(BalanceError::CreditBalanceTooLow { needed, .. }) => prop_assert!(credit_balance < needed),
                        Err(e) => prop_assert!(false, "unexpected {}", e),
                    }
                }
                // A credit note can take at most what is not yet credited of the invoice.
                Op::Credit(c, refund) => {
                    let c = cents(c).min(total - ledger.credited_gross);
                    if c > Decimal::ZERO {
                        let a = allocate_credit_note(c, b.outstanding(), refund);
                        prop_assert_eq!(a.to_invoice + a.to_credit_balance + a.refunded, c);
                        b.credited += a.to_invoice;
                        credit_balance += a.to_credit_balance;
                        ledger.credited_gross += c;
                        ledger.credits_to_invoice.push(a.to_invoice);
                    }
                }
                Op::AddCredits(c) => credit_balance += cents(c),
            }
            let outstanding = b.outstanding();
            prop_assert_eq!(outstanding, ledger.outstanding(total));
            prop_assert!(outstanding >= Decimal::ZERO && outstanding <= total);
            prop_assert!(credit_balance >= Decimal::ZERO);
            let expected = if outstanding.is_zero() { Status::Paid } else if today > due { Status::Overdue } else { Status::Unpaid };
            prop_assert_eq!(b.status(due, today), expected);
        }
    }
}
