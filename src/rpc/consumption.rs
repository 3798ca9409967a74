//! `consumption.*`: one-off charges, billed at once or with the next invoice,
//! and their refunds (API.md sections 5 and 10).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::params::{Flag, Id, NoTags, Percent, Positive, UnitPrice};
use super::subscription::InvoiceRef;
use super::subscription::quote::EventOut;
use super::table::{Call, Method, MethodSpec, Read, ReadCx, Write, WriteCx, read, write};
use super::wire::{self, List, Listed, Success};
use crate::error::{AppError, AppResult};
use crate::service::consumption::{self as service, NewConsumption};
use entity::consumption::Model;

/// This namespace's slice of the method table.
pub static METHODS: &[MethodSpec] = &[write::<Create>(), read::<Get>(), read::<Timeline>(), write::<Refund>()];

/// A consumption as `consumption.get` answers it.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct ConsumptionOut {
    consumption_id: i64,
    customer_id: i64,
    subscription_id: Option<i64>,
    article_number: Option<String>,
    title: String,
    quantity: String,
    unit_price: String,
    vat_percent: String,
    /// QUANTITY x UNIT_PRICE, rounded.
    complete_net: String,
    currency_code: String,
    immediate: bool,
    /// `open`, `invoiced` or `refunded`.
    status: String,
    /// The invoice that billed it.
    invoice_id: Option<i64>,
    invoice_item_id: Option<i64>,
    refund_id: Option<String>,
    created: String,
}

impl Listed for ConsumptionOut {
    const KEY: &'static str = "CONSUMPTIONS";
}

impl ConsumptionOut {
    fn from(c: Model) -> ConsumptionOut {
        ConsumptionOut {
            consumption_id: c.id,
            complete_net: wire::money(service::net(&c), &c.currency_code),
            quantity: wire::quantity(c.quantity.0),
            unit_price: wire::price(c.unit_price.0, &c.currency_code),
            vat_percent: wire::percent(c.vat_percent.0),
            created: wire::datetime(c.created),
            customer_id: c.customer_id,
            subscription_id: c.subscription_id,
            article_number: c.article_number,
            title: c.title,
            currency_code: c.currency_code,
            immediate: c.immediate,
            status: c.status,
            invoice_id: c.invoice_id,
            invoice_item_id: c.invoice_item_id,
            refund_id: c.refund_id,
        }
    }
}

/// `consumption.create`.
pub struct Create;

/// `DATA` of `consumption.create`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct CreateData {
    customer_id: Id,
    /// Bill it with this subscription's next regular invoice.
    subscription_id: Option<Id>,
    /// Title, price and VAT rate default to the article's.
    article_number: Option<String>,
    /// Required without ARTICLE_NUMBER.
    title: Option<String>,
    /// Required without ARTICLE_NUMBER.
    unit_price: Option<UnitPrice>,
    /// Required without ARTICLE_NUMBER.
    vat_percent: Option<Percent>,
    /// Default 1.
    quantity: Option<Positive>,
    /// true: an invoice of its own now; default false (with the next invoice).
    immediate: Option<Flag>,
}

/// What `consumption.create` answers.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct CreateReply {
    status: Success,
    /// `null` on a dry run.
    consumption_id: Option<i64>,
    /// The invoice of an IMMEDIATE consumption.
    #[serde(flatten)]
    invoice: InvoiceRef,
}

impl Method for Create {
    const NAME: &'static str = "consumption.create";
    const SUMMARY: &'static str = "Books a one-off charge: invoiced now (IMMEDIATE) or with the next invoice.";
    const ERRORS: &'static [i32] = &[1004, 1009];
    type Filter = NoTags;
    type Data = CreateData;
    type Reply = CreateReply;
}

impl Write for Create {
    async fn run(cx: WriteCx<'_>, call: Call<NoTags, CreateData>) -> AppResult<CreateReply> {
        let d = call.data;
        if d.article_number.as_deref().is_some_and(str::is_empty) {
            return Err(AppError::invalid("ARTICLE_NUMBER", "empty"));
        }
        let input = NewConsumption {
            customer_id: d.customer_id.0,
            subscription_id: d.subscription_id.map(|i| i.0),
            article_number: d.article_number,
            title: d.title.filter(|t| !t.is_empty()),
            unit_price: d.unit_price.map(|p| p.0),
            vat_percent: d.vat_percent.map(|p| p.0),
            quantity: d.quantity.map_or(rust_decimal::Decimal::ONE, |q| q.0),
            immediate: d.immediate.is_some_and(|f| f.0),
        };
        let created = service::create(&cx, input).await?;
        Ok(CreateReply {
            status: Success,
            consumption_id: (!cx.dry_run).then_some(created.consumption.id),
            invoice: InvoiceRef::of(cx.ctx, created.invoice.as_slice()),
        })
    }
}

/// `consumption.get`.
pub struct Get;

/// `FILTER` of `consumption.get`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct GetFilter {
    consumption_id: Option<Id>,
    customer_id: Option<Id>,
}

impl Method for Get {
    const NAME: &'static str = "consumption.get";
    const SUMMARY: &'static str = "Consumptions by CONSUMPTION_ID or CUSTOMER_ID, oldest first.";
    type Filter = GetFilter;
    type Data = NoTags;
    type Reply = List<ConsumptionOut>;
}

impl Read for Get {
    async fn run(cx: ReadCx<'_>, call: Call<GetFilter, NoTags>) -> AppResult<List<ConsumptionOut>> {
        let f = call.filter;
        let rows =
            service::find(&cx, f.consumption_id.map(|i| i.0), f.customer_id.map(|i| i.0), call.limit, call.offset)
                .await?;
        Ok(List::of(rows.into_iter().map(ConsumptionOut::from).collect()))
    }
}

/// `consumption.gettimeline`: newest first.
pub struct Timeline;

/// `FILTER` of `consumption.gettimeline`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct ConsumptionRef {
    consumption_id: Id,
}

impl Method for Timeline {
    const NAME: &'static str = "consumption.gettimeline";
    const SUMMARY: &'static str = "A consumption's events (created, refunded), newest first.";
    const ERRORS: &'static [i32] = &[1004];
    type Filter = ConsumptionRef;
    type Data = NoTags;
    type Reply = List<EventOut>;
}

impl Read for Timeline {
    async fn run(cx: ReadCx<'_>, call: Call<ConsumptionRef, NoTags>) -> AppResult<List<EventOut>> {
        let id = call.filter.consumption_id.0;
        service::get_one(&cx, id).await?;
        let rows = crate::service::events::list(&cx, "consumption", id, call.limit, call.offset).await?;
        Ok(List::of(rows.into_iter().map(EventOut::from).collect()))
    }
}

/// `consumption.refund`.
pub struct Refund;

/// `DATA` of `consumption.refund`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct RefundData {
    consumption_id: Id,
    /// A net part of an invoiced consumption; default all that is left.
    amount: Option<Positive>,
    /// Your id of this refund: the same REFUND_ID again answers the first result.
    refund_id: Option<String>,
}

/// What `consumption.refund` answers.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct RefundReply {
    status: Success,
    consumption_id: i64,
    /// The net refunded.
    amount: String,
    /// The credit note of a consumption invoiced already (null before invoicing and on a dry run).
    invoice_id: Option<i64>,
    invoice_number: Option<String>,
}

impl Method for Refund {
    const NAME: &'static str = "consumption.refund";
    const SUMMARY: &'static str =
        "Withdraws an open consumption, or issues a credit note of (AMOUNT of) its invoiced line.";
    const ERRORS: &'static [i32] = &[1004, 1009];
    type Filter = NoTags;
    type Data = RefundData;
    type Reply = RefundReply;
}

impl Write for Refund {
    async fn run(cx: WriteCx<'_>, call: Call<NoTags, RefundData>) -> AppResult<RefundReply> {
        let d = call.data;
        let refund_id = d.refund_id.filter(|r| !r.is_empty());
        if refund_id.as_ref().is_some_and(|r| r.chars().count() > 255) {
            return Err(AppError::invalid("REFUND_ID", "at most 255 characters"));
        }
        let done = service::refund(&cx, d.consumption_id.0, d.amount.map(|a| a.0), refund_id).await?;
        let note = done.credit_note.filter(|_| !cx.dry_run);
        Ok(RefundReply {
            status: Success,
            consumption_id: done.consumption_id,
            amount: wire::money(done.amount, &done.currency),
            invoice_id: note.as_ref().map(|n| n.0),
            invoice_number: note.map(|n| n.1),
        })
    }
}
