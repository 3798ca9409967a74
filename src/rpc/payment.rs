//! `payment.*`, `invoice.setpaid` and `customer.addcredits` (API.md section 10).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::params::{Currency, Dec, Id, NoTags, When};
use super::table::{Call, Method, MethodSpec, Read, ReadCx, Write, WriteCx, read, write};
use super::wire::{self, List, Listed, Success};
use crate::error::{AppError, AppResult};
use crate::service::payment::{self as service, PaymentFilter, PaymentInput};

/// This namespace's slice of the method table.
pub static METHODS: &[MethodSpec] =
    &[write::<Create>(), read::<Get>(), write::<Reverse>(), write::<SetPaid>(), write::<AddCredits>()];

const ERRORS: &[i32] = &[1004, 1009];

/// A payment on the wire.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct PaymentOut {
    payment_id: i64,
    invoice_id: i64,
    customer_id: i64,
    /// As paid.
    amount: String,
    /// The part that went to the invoice (the rest to CREDIT_BALANCE).
    allocated: String,
    currency_code: String,
    method: String,
    reference: Option<String>,
    paid_date: String,
    /// `completed` or `reversed`.
    status: String,
    reverse_reason: Option<String>,
}

impl Listed for PaymentOut {
    const KEY: &'static str = "PAYMENTS";
}

impl PaymentOut {
    fn from(p: &entity::payment::Model) -> PaymentOut {
        let c = p.currency_code.as_str();
        PaymentOut {
            payment_id: p.id,
            invoice_id: p.invoice_id,
            customer_id: p.customer_id,
            amount: wire::money(p.amount.0, c),
            allocated: wire::money(p.allocated.0, c),
            currency_code: p.currency_code.clone(),
            method: p.method.clone(),
            reference: p.reference.clone(),
            paid_date: wire::datetime(p.paid_date),
            status: p.status.clone(),
            reverse_reason: p.reverse_reason.clone(),
        }
    }
}

/// What a payment write answers.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct PaymentReply {
    status: Success,
    /// Null in a dry run.
    payment_id: Option<i64>,
    invoice_id: i64,
    amount: String,
    /// The part that went to the invoice (the rest to CREDIT_BALANCE).
    allocated: String,
    method: String,
    /// The payment's STATUS: `completed` or `reversed`.
    payment_status: String,
    reverse_reason: Option<String>,
}

impl PaymentReply {
    fn of(cx: &WriteCx<'_>, p: &entity::payment::Model) -> PaymentReply {
        let out = PaymentOut::from(p);
        PaymentReply {
            status: Success,
            payment_id: (!cx.dry_run).then_some(p.id),
            invoice_id: p.invoice_id,
            amount: out.amount,
            allocated: out.allocated,
            method: out.method,
            payment_status: out.status,
            reverse_reason: out.reverse_reason,
        }
    }
}

/// `payment.create`.
pub struct Create;

/// `DATA` of `payment.create`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct CreateData {
    invoice_id: Id,
    /// Greater than 0, in the invoice's currency.
    amount: Dec,
    /// Optional; must equal the invoice's.
    currency_code: Option<Currency>,
    /// Free text: sepa, card, paypal, transfer, ...
    method: Option<String>,
    reference: Option<String>,
    /// Default: now.
    paid_date: Option<When>,
}

impl Method for Create {
    const NAME: &'static str = "payment.create";
    const SUMMARY: &'static str =
        "Records a payment of an invoice; beyond OUTSTANDING_AMOUNT it goes to CREDIT_BALANCE.";
    const ERRORS: &'static [i32] = ERRORS;
    type Filter = NoTags;
    type Data = CreateData;
    type Reply = PaymentReply;
}

impl Write for Create {
    async fn run(cx: WriteCx<'_>, call: Call<NoTags, CreateData>) -> AppResult<PaymentReply> {
        let d = call.data;
        let input = PaymentInput {
            invoice_id: d.invoice_id.0,
            amount: d.amount.0,
            currency: d.currency_code.map(|c| c.0),
            method: d.method.unwrap_or_else(|| "other".into()),
            reference: d.reference,
            paid_date: d.paid_date.map(|w| w.0),
        };
        let payment = service::create(&cx, input).await?;
        Ok(PaymentReply::of(&cx, &payment))
    }
}

/// `payment.get`.
pub struct Get;

/// `FILTER` of `payment.get`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct GetFilter {
    payment_id: Option<Id>,
    invoice_id: Option<Id>,
    customer_id: Option<Id>,
}

impl Method for Get {
    const NAME: &'static str = "payment.get";
    const SUMMARY: &'static str = "Payments matching FILTER.";
    type Filter = GetFilter;
    type Data = NoTags;
    type Reply = List<PaymentOut>;
}

impl Read for Get {
    async fn run(cx: ReadCx<'_>, call: Call<GetFilter, NoTags>) -> AppResult<List<PaymentOut>> {
        let f = call.filter;
        let filter = PaymentFilter {
            payment_id: f.payment_id.map(|i| i.0),
            invoice_id: f.invoice_id.map(|i| i.0),
            customer_id: f.customer_id.map(|i| i.0),
        };
        let rows = service::find(&cx, filter, call.limit, call.offset).await?;
        Ok(List::of(rows.iter().map(PaymentOut::from).collect()))
    }
}

/// `payment.reverse`.
pub struct Reverse;

/// `DATA` of `payment.reverse`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct ReverseData {
    payment_id: Id,
    /// `refund` (default) or `chargeback`.
    reason: Option<String>,
}

impl Method for Reverse {
    const NAME: &'static str = "payment.reverse";
    const SUMMARY: &'static str = "Undoes a whole payment (REASON refund or chargeback).";
    const ERRORS: &'static [i32] = ERRORS;
    type Filter = NoTags;
    type Data = ReverseData;
    type Reply = PaymentReply;
}

impl Write for Reverse {
    async fn run(cx: WriteCx<'_>, call: Call<NoTags, ReverseData>) -> AppResult<PaymentReply> {
        let reason = call.data.reason.map(|r| r.to_ascii_lowercase()).unwrap_or_else(|| "refund".into());
        if !matches!(reason.as_str(), "refund" | "chargeback") {
            return Err(AppError::invalid("REASON", "must be refund or chargeback"));
        }
        let payment = service::reverse(&cx, call.data.payment_id.0, &reason).await?;
        Ok(PaymentReply::of(&cx, &payment))
    }
}

/// `invoice.setpaid`.
pub struct SetPaid;

/// `DATA` of `invoice.setpaid`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct SetPaidData {
    invoice_id: Id,
    /// Default: now.
    paid_date: Option<When>,
    /// Default: OUTSTANDING_AMOUNT.
    amount: Option<Dec>,
}

impl Method for SetPaid {
    const NAME: &'static str = "invoice.setpaid";
    const SUMMARY: &'static str = "Records a payment (METHOD manual) of AMOUNT, by default what is outstanding.";
    const ERRORS: &'static [i32] = ERRORS;
    type Filter = NoTags;
    type Data = SetPaidData;
    type Reply = PaymentReply;
}

impl Write for SetPaid {
    async fn run(cx: WriteCx<'_>, call: Call<NoTags, SetPaidData>) -> AppResult<PaymentReply> {
        let d = call.data;
        let payment = service::set_paid(&cx, d.invoice_id.0, d.paid_date.map(|w| w.0), d.amount.map(|a| a.0)).await?;
        Ok(PaymentReply::of(&cx, &payment))
    }
}

/// `customer.addcredits`.
pub struct AddCredits;

/// `DATA` of `customer.addcredits`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct AddCreditsData {
    customer_id: Id,
    /// Greater than 0.
    amount: Dec,
}

/// What `customer.addcredits` answers.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct AddCreditsReply {
    status: Success,
    customer_id: i64,
    credit_balance: String,
}

impl Method for AddCredits {
    const NAME: &'static str = "customer.addcredits";
    const SUMMARY: &'static str = "Adds AMOUNT to the customer's CREDIT_BALANCE, used on the next invoices.";
    const ERRORS: &'static [i32] = &[1004];
    type Filter = NoTags;
    type Data = AddCreditsData;
    type Reply = AddCreditsReply;
}

impl Write for AddCredits {
    async fn run(cx: WriteCx<'_>, call: Call<NoTags, AddCreditsData>) -> AppResult<AddCreditsReply> {
        let d = call.data;
        let balance = service::add_credits(&cx, d.customer_id.0, d.amount.0).await?;
        Ok(AddCreditsReply {
            status: Success,
            customer_id: d.customer_id.0,
            credit_balance: crate::domain::money::format_decimal(balance, 2),
        })
    }
}
