//! The balance invariant (API.md section 10) as a property test over HTTP:
//! random sequences of payments, reversals, customer credits, partial and
//! whole credit notes and cancellations on one invoice. After every step the
//! server's OUTSTANDING_AMOUNT and CREDIT_BALANCE equal an independent model's,
//! OUTSTANDING = TOTAL - payments + reversals - credits holds on the wire's
//! own PAYMENTS, STATUS agrees with it, and CREDIT_BALANCE is never negative.

use std::str::FromStr;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::fixtures::{article, customer, subscribe};
use crate::helpers::{Client, spawn_app};

#[derive(Clone, Debug)]
enum Op {
    Pay(i64),
    Reverse(usize),
    AddCredits(i64),
    CreditPlan(i64),
    CreditAddon(i64),
    CreditRest(bool),
    Cancel,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (1i64..3000).prop_map(Op::Pay),
        2 => (0usize..4).prop_map(Op::Reverse),
        1 => (1i64..2000).prop_map(Op::AddCredits),
        2 => (1i64..1200).prop_map(Op::CreditPlan),
        2 => (1i64..4).prop_map(Op::CreditAddon),
        1 => any::<bool>().prop_map(Op::CreditRest),
        1 => Just(Op::Cancel),
    ]
}

fn cents(c: i64) -> String {
    Decimal::new(c, 2).to_string()
}

fn dec(v: &Value) -> Decimal {
    v.as_str().and_then(|s| Decimal::from_str(s).ok()).unwrap_or_else(|| panic!("not a decimal: {v}"))
}

/// What the invoice and customer should show.
#[derive(Debug, Default)]
struct Model {
    outstanding: Decimal,
    balance: Decimal,
    /// Credit notes' totals as far as they lowered the outstanding amount.
    credited: Decimal,
    /// Credit notes' totals, all of them (what the customer no longer owes).
    credited_gross: Decimal,
    total: Decimal,
    /// (PAYMENT_ID, AMOUNT, ALLOCATED, reversed)
    payments: Vec<(i64, Decimal, Decimal, bool)>,
    canceled: bool,
}

impl Model {
    fn credit_note(&mut self, gross: Decimal, refund: bool) {
        let to_invoice = gross.min(self.outstanding);
        self.outstanding -= to_invoice;
        self.credited += to_invoice;
        self.credited_gross += gross;
        if !refund {
            self.balance += gross - to_invoice;
        }
    }
}

async fn step(client: &Client, inv: i64, cust: i64, plan: i64, addon: i64, m: &mut Model, op: &Op) {
    let credit = |items: Value, refund: bool| json!({"DATA": {"INVOICE_ID": inv, "ITEMS": items, "REFUND": refund}});
    match op {
        Op::Pay(c) => {
            let data = json!({"DATA": {"INVOICE_ID": inv, "AMOUNT": cents(*c), "METHOD": "card"}});
            match client.call("payment.create", data).await {
                Ok(p) => {
                    assert!(!m.canceled, "a canceled invoice took a payment");
                    let (amount, alloc) = (Decimal::new(*c, 2), Decimal::new(*c, 2).min(m.outstanding));
                    assert_eq!(dec(&p["ALLOCATED"]), alloc);
                    m.outstanding -= alloc;
                    m.balance += amount - alloc;
                    m.payments.push((p["PAYMENT_ID"].as_i64().expect("id"), amount, alloc, false));
                }
                Err(e) => assert!(m.canceled && e.code == 1009, "{op:?}: {e:?}"),
            }
        }
        Op::Reverse(i) => {
            let Some(&(id, amount, alloc, reversed)) = m.payments.get(*i) else { return };
            // OUTSTANDING comes back up to TOTAL - other payments - every credit note: what a credit
            // note sent to the balance while the invoice was paid settles the invoice instead.
            let others: Decimal =
                m.payments.iter().enumerate().filter(|(k, p)| *k != *i && !p.3).map(|(_, p)| p.2).sum();
            let owed = (m.total - others - m.credited_gross).max(Decimal::ZERO);
            let back = alloc.min((owed - m.outstanding).max(Decimal::ZERO));
            let taken = amount - alloc + (alloc - back);
            let refused = reversed || m.balance < taken;
            match client.call("payment.reverse", json!({"DATA": {"PAYMENT_ID": id}})).await {
                Ok(_) => {
                    assert!(!refused, "{op:?} should be refused: {m:?}");
                    m.outstanding += back;
                    m.credited += alloc - back;
                    m.balance -= taken;
                    m.payments[*i].3 = true;
                }
                Err(e) => assert!(refused && e.code == 1009, "{op:?}: {e:?} {m:?}"),
            }
        }
        Op::AddCredits(c) => {
            client.ok("customer.addcredits", json!({"DATA": {"CUSTOMER_ID": cust, "AMOUNT": cents(*c)}})).await;
            m.balance += Decimal::new(*c, 2);
        }
        Op::CreditPlan(c) | Op::CreditAddon(c) => {
            let part = match op {
                Op::CreditPlan(_) => json!([{"INVOICE_ITEM_ID": plan, "AMOUNT": cents(*c)}]),
                _ => json!([{"INVOICE_ITEM_ID": addon, "QUANTITY": c}]),
            };
            if let Ok(note) = client.call("invoice.credit", credit(part, false)).await {
                m.credit_note(-dec(&note["TOTAL"]), false);
            }
        }
        Op::CreditRest(refund) => {
            let data = json!({"DATA": {"INVOICE_ID": inv, "REFUND": refund}});
            if let Ok(note) = client.call("invoice.credit", data).await {
                m.credit_note(-dec(&note["TOTAL"]), *refund);
            }
        }
        Op::Cancel => {
            if let Ok(note) = client.call("invoice.cancel", json!({"DATA": {"INVOICE_ID": inv}})).await {
                m.credit_note(-dec(&note["TOTAL"]), false);
                m.canceled = true;
            }
        }
    }
}

async fn check(client: &Client, inv: i64, cust: i64, m: &Model, ops: &[Op]) {
    let i = client.ok("invoice.get", json!({"FILTER": {"INVOICE_ID": inv}})).await["INVOICES"][0].clone();
    let c = client.ok("customer.get", json!({"FILTER": {"CUSTOMER_ID": cust}})).await["CUSTOMERS"][0].clone();
    let outstanding = dec(&i["OUTSTANDING_AMOUNT"]);
    let balance = dec(&c["CREDIT_BALANCE"]);
    assert_eq!((outstanding, balance), (m.outstanding, m.balance), "after {ops:?}: {m:?}");
    assert!(balance >= Decimal::ZERO && outstanding >= Decimal::ZERO, "after {ops:?}");
    let payments = i["PAYMENTS"].as_array().expect("PAYMENTS");
    let paid: Decimal = payments.iter().map(|p| dec(&p["ALLOCATED"])).sum();
    let reversed: Decimal = payments.iter().filter(|p| p["STATUS"] == "reversed").map(|p| dec(&p["ALLOCATED"])).sum();
    assert_eq!(dec(&i["TOTAL"]) - paid + reversed - m.credited, outstanding, "the formula, after {ops:?}");
    let status = match (m.canceled, outstanding.is_zero()) {
        (true, _) => "canceled",
        (false, true) => "paid",
        (false, false) => "unpaid",
    };
    assert_eq!(i["STATUS"], status, "after {ops:?}");
    if !m.canceled {
        assert_eq!(i["PAID_DATE"].is_null(), !outstanding.is_zero(), "PAID_DATE after {ops:?}");
    }
    assert!(dec(&i["CREDITED_TOTAL"]) <= dec(&i["TOTAL"]), "credited more than the invoice, after {ops:?}");
}

#[tokio::test]
async fn random_payments_reversals_and_credits_keep_the_balance_formula_and_status() {
    let mut runner = TestRunner::default();
    let strategy = prop::collection::vec(op(), 1..9);
    let cases: Vec<Vec<Op>> = (0..8).map(|_| strategy.new_tree(&mut runner).expect("a case").current()).collect();
    let app = spawn_app().await;
    for (n, ops) in cases.iter().enumerate() {
        let t = app.test_tenant(&format!("shop{n}"), "2025-01-01").await;
        let client = app.client(&t.key);
        article(&client, "P", "10", "19", json!({})).await;
        article(&client, "A", "3.33", "7", json!({"IS_ADDON": true, "ALLOW_MULTIPLE": true})).await;
        let cust = customer(&client).await;
        let created = subscribe(&client, cust, "P", json!({"ADDONS": [{"ARTICLE_NUMBER": "A", "QUANTITY": 3}]})).await;
        let inv = created["INVOICE_ID"].as_i64().expect("INVOICE_ID");
        let items =
            client.ok("invoice.get", json!({"FILTER": {"INVOICE_ID": inv}})).await["INVOICES"][0]["ITEMS"].clone();
        let line = |kind: &str| {
            items.as_array().and_then(|l| l.iter().find(|i| i["KIND"] == kind)).expect("line")["INVOICE_ITEM_ID"]
                .as_i64()
                .expect("id")
        };
        let (plan, addon) = (line("plan"), line("addon"));
        let total = Decimal::from_str("22.59").expect("total");
        let mut model = Model { outstanding: total, total, ..Model::default() };
        for (k, op) in ops.iter().enumerate() {
            step(&client, inv, cust, plan, addon, &mut model, op).await;
            check(&client, inv, cust, &model, &ops[..=k]).await;
        }
    }
}
