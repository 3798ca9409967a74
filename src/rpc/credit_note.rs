//! `invoice.credit`, `invoice.cancel` and `invoice.gettimeline` (API.md section 10).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::params::{Dec, Flag, Id, NoTags};
use super::subscription::quote::EventOut;
use super::table::{Call, Method, MethodSpec, Read, ReadCx, Write, WriteCx, read, write};
use super::wire::{self, List, Success};
use crate::domain::credit_note::{Part, Request, Take};
use crate::error::{AppError, AppResult};
use crate::service::credit_note::{self as service, CreditInput};
use crate::service::invoice::Issued;

/// This namespace's slice of the method table.
pub static METHODS: &[MethodSpec] = &[write::<Credit>(), write::<Cancel>(), read::<Timeline>()];

/// What a credit answers: the credit note.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct CreditReply {
    status: Success,
    /// The credit note's id (null in a dry run).
    invoice_id: Option<i64>,
    /// The credit note's number (null in a dry run).
    invoice_number: Option<String>,
    related_invoice_id: Option<i64>,
    /// Negative.
    total: String,
    refunded: bool,
}

impl CreditReply {
    fn of(cx: &WriteCx<'_>, note: &Issued) -> CreditReply {
        let i = &note.invoice;
        CreditReply {
            status: Success,
            invoice_id: (!cx.dry_run).then_some(i.id),
            invoice_number: (!cx.dry_run).then(|| i.invoice_number.clone()),
            related_invoice_id: i.related_invoice_id,
            total: wire::money(i.total.0, &i.currency_code),
            refunded: i.refunded,
        }
    }
}

/// `invoice.credit`.
pub struct Credit;

/// One part of ITEMS: a line with QUANTITY or AMOUNT (a net).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct CreditItem {
    invoice_item_id: Id,
    quantity: Option<Dec>,
    amount: Option<Dec>,
}

/// `DATA` of `invoice.credit`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct CreditData {
    invoice_id: Id,
    /// A part to credit; absent: everything not yet credited.
    items: Option<Vec<CreditItem>>,
    reason: Option<String>,
    /// On a paid invoice: refund instead of customer credit.
    refund: Option<Flag>,
}

fn request(items: Option<Vec<CreditItem>>) -> AppResult<Request> {
    let Some(items) = items else { return Ok(Request::Whole) };
    let mut parts = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let take = match (item.quantity, item.amount) {
            (Some(q), None) => Take::Quantity(q.0),
            (None, Some(a)) => Take::Amount(a.0),
            _ => return Err(AppError::invalid(format!("ITEMS[{i}]"), "give QUANTITY or AMOUNT, one of them")),
        };
        parts.push(Part { line_id: item.invoice_item_id.0, take });
    }
    Ok(Request::Parts(parts))
}

impl Method for Credit {
    const NAME: &'static str = "invoice.credit";
    const SUMMARY: &'static str = "Issues a credit note of the invoice, whole or of ITEMS (by QUANTITY or AMOUNT).";
    const ERRORS: &'static [i32] = &[1004, 1009];
    type Filter = NoTags;
    type Data = CreditData;
    type Reply = CreditReply;
}

impl Write for Credit {
    async fn run(cx: WriteCx<'_>, call: Call<NoTags, CreditData>) -> AppResult<CreditReply> {
        let d = call.data;
        let input = CreditInput {
            invoice_id: d.invoice_id.0,
            request: request(d.items)?,
            reason: d.reason,
            refund: d.refund.is_some_and(|f| f.0),
        };
        let note = service::credit(&cx, input).await?;
        Ok(CreditReply::of(&cx, &note))
    }
}

/// `invoice.cancel`.
pub struct Cancel;

/// `DATA` of `invoice.cancel`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct CancelData {
    invoice_id: Id,
    reason: Option<String>,
}

impl Method for Cancel {
    const NAME: &'static str = "invoice.cancel";
    const SUMMARY: &'static str = "Credits what is not yet credited and sets STATUS canceled; answers the credit note.";
    const ERRORS: &'static [i32] = &[1004, 1009];
    type Filter = NoTags;
    type Data = CancelData;
    type Reply = CreditReply;
}

impl Write for Cancel {
    async fn run(cx: WriteCx<'_>, call: Call<NoTags, CancelData>) -> AppResult<CreditReply> {
        let note = service::cancel(&cx, call.data.invoice_id.0, call.data.reason).await?;
        Ok(CreditReply::of(&cx, &note))
    }
}

/// `invoice.gettimeline`: newest first.
pub struct Timeline;

/// `FILTER` of `invoice.gettimeline`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct InvoiceRef {
    invoice_id: Id,
}

impl Method for Timeline {
    const NAME: &'static str = "invoice.gettimeline";
    const SUMMARY: &'static str = "An invoice's events (payments, reminders, mails), newest first.";
    const ERRORS: &'static [i32] = &[1004];
    type Filter = InvoiceRef;
    type Data = NoTags;
    type Reply = List<EventOut>;
}

impl Read for Timeline {
    async fn run(cx: ReadCx<'_>, call: Call<InvoiceRef, NoTags>) -> AppResult<List<EventOut>> {
        let id = call.filter.invoice_id.0;
        crate::service::invoice::load(&cx, id).await?;
        let rows = crate::service::events::list(&cx, "invoice", id, call.limit, call.offset).await?;
        Ok(List::of(rows.into_iter().map(EventOut::from).collect()))
    }
}
