//! Manual invoices: `invoice.create`, `invoice.update`, `invoice.delete`,
//! `invoice.complete`, `item.get`, `item.delete` (API.md sections 5 and 10).
//! ITEMS is a list or FastBill's `{"ITEM": [...]}` on both endpoints (`invoice_items`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::invoice_items::{ItemList, items};
use super::invoice_wire::{InvoiceOut, ItemOut};
use super::params::{Currency, Flag, Id, NoTags, When};
use super::subscription::InvoiceRef;
use super::table::{Call, Method, MethodSpec, Read, ReadCx, Write, WriteCx, read, write};
use super::wire::{self, Done, List, Listed, Success};
use crate::error::AppResult;
use crate::service::invoice::manual::{self as service, ManualInvoice};
use crate::service::invoice::{Issued, load};

/// This namespace's slice of the method table.
pub static METHODS: &[MethodSpec] = &[
    write::<Create>(),
    write::<Update>(),
    write::<Delete>(),
    write::<Complete>(),
    read::<ItemGet>(),
    write::<ItemDelete>(),
];

/// `invoice.create`.
pub struct Create;

/// `DATA` of `invoice.create`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct CreateData {
    customer_id: Id,
    /// Default: the customer's currency, else the tenant's.
    currency_code: Option<Currency>,
    invoice_title: Option<String>,
    /// Text above the lines.
    introtext: Option<String>,
    /// Default: the day it is completed.
    invoice_date: Option<When>,
    delivery_date: Option<When>,
    items: Option<ItemList>,
}

impl Method for Create {
    const NAME: &'static str = "invoice.create";
    const SUMMARY: &'static str = "Creates a draft invoice (STATUS draft, no number) with manual ITEMS.";
    const ERRORS: &'static [i32] = &[1004];
    type Filter = NoTags;
    type Data = CreateData;
    type Reply = DraftReply;
}

/// What a draft write answers: its id (null when a dry run creates it) and,
/// on a dry run, the draft as it would be.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct DraftReply {
    status: Success,
    #[serde(flatten)]
    invoice: InvoiceRef,
}

impl Write for Create {
    async fn run(cx: WriteCx<'_>, call: Call<NoTags, CreateData>) -> AppResult<DraftReply> {
        let d = call.data;
        let input = ManualInvoice {
            customer_id: Some(d.customer_id.0),
            currency: d.currency_code.map(|c| c.0),
            invoice_title: d.invoice_title,
            intro_text: d.introtext,
            invoice_date: d.invoice_date.map(|w| w.0),
            delivery_date: d.delivery_date.map(|w| w.0),
            items: items(d.items),
        };
        let draft = service::create(&cx, input).await?;
        Ok(DraftReply { status: Success, invoice: InvoiceRef::of(cx.ctx, &[draft]) })
    }
}

/// `invoice.update`.
pub struct Update;

/// `DATA` of `invoice.update`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct UpdateData {
    invoice_id: Id,
    customer_id: Option<Id>,
    currency_code: Option<Currency>,
    invoice_title: Option<String>,
    introtext: Option<String>,
    invoice_date: Option<When>,
    delivery_date: Option<When>,
    /// Added to the draft's lines (or replacing them with DELETE_EXISTING_ITEMS).
    items: Option<ItemList>,
    /// true: the draft's lines are replaced by ITEMS.
    delete_existing_items: Option<Flag>,
}

/// What `invoice.update` answers.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct UpdateReply {
    status: Success,
    invoice_id: i64,
    /// Dry runs only: the draft as it would be.
    #[serde(skip_serializing_if = "Option::is_none")]
    invoice_preview: Option<InvoiceOut>,
}

impl Method for Update {
    const NAME: &'static str = "invoice.update";
    const SUMMARY: &'static str =
        "Changes a draft: its tags, and ITEMS added (or replacing with DELETE_EXISTING_ITEMS).";
    const ERRORS: &'static [i32] = &[1004, 1009];
    type Filter = NoTags;
    type Data = UpdateData;
    type Reply = UpdateReply;
}

impl Write for Update {
    async fn run(cx: WriteCx<'_>, call: Call<NoTags, UpdateData>) -> AppResult<UpdateReply> {
        let d = call.data;
        let patch = ManualInvoice {
            customer_id: d.customer_id.map(|i| i.0),
            currency: d.currency_code.map(|c| c.0),
            invoice_title: d.invoice_title,
            intro_text: d.introtext,
            invoice_date: d.invoice_date.map(|w| w.0),
            delivery_date: d.delivery_date.map(|w| w.0),
            items: items(d.items),
        };
        let replace = d.delete_existing_items.is_some_and(|f| f.0);
        let draft = service::update(&cx, d.invoice_id.0, patch, replace).await?;
        let invoice_preview = cx.dry_run.then(|| InvoiceOut::from(&draft, cx.now));
        Ok(UpdateReply { status: Success, invoice_id: draft.invoice.id, invoice_preview })
    }
}

/// `DATA` naming one invoice.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct InvoiceIdData {
    invoice_id: Id,
}

/// `invoice.delete`.
pub struct Delete;

impl Method for Delete {
    const NAME: &'static str = "invoice.delete";
    const SUMMARY: &'static str = "Deletes a draft (issued invoices answer 1009; cancel them with a credit note).";
    const ERRORS: &'static [i32] = &[1004, 1009];
    type Filter = NoTags;
    type Data = InvoiceIdData;
    type Reply = Done;
}

impl Write for Delete {
    async fn run(cx: WriteCx<'_>, call: Call<NoTags, InvoiceIdData>) -> AppResult<Done> {
        service::delete(&cx, call.data.invoice_id.0).await?;
        Ok(Done::default())
    }
}

/// `invoice.complete`.
pub struct Complete;

/// What `invoice.complete` answers.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct CompleteReply {
    status: Success,
    invoice_id: i64,
    /// The number from the gapless series (null on a dry run: none is consumed).
    invoice_number: Option<String>,
    total: String,
    /// Dry runs only: the invoice that would be issued.
    #[serde(skip_serializing_if = "Option::is_none")]
    invoice_preview: Option<InvoiceOut>,
}

impl Method for Complete {
    const NAME: &'static str = "invoice.complete";
    const SUMMARY: &'static str = "Issues a draft: its gapless INVOICE_NUMBER, date, VAT, customer credit applied.";
    const ERRORS: &'static [i32] = &[1004, 1009];
    type Filter = NoTags;
    type Data = InvoiceIdData;
    type Reply = CompleteReply;
}

impl Write for Complete {
    async fn run(cx: WriteCx<'_>, call: Call<NoTags, InvoiceIdData>) -> AppResult<CompleteReply> {
        let issued = service::complete(&cx, call.data.invoice_id.0).await?;
        let i = &issued.invoice;
        Ok(CompleteReply {
            status: Success,
            invoice_id: i.id,
            invoice_number: (!cx.dry_run).then(|| i.invoice_number.clone()),
            total: wire::money(i.total.0, &i.currency_code),
            invoice_preview: cx.dry_run.then(|| preview(&issued, &cx)),
        })
    }
}

fn preview(issued: &Issued, cx: &WriteCx<'_>) -> InvoiceOut {
    let mut out = InvoiceOut::from(issued, cx.now).preview();
    out.keep_id(issued.invoice.id);
    out
}

impl Listed for ItemOut {
    const KEY: &'static str = "ITEMS";
}

/// `item.get`.
pub struct ItemGet;

/// `FILTER` of `item.get`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct ItemFilter {
    invoice_id: Id,
}

impl Method for ItemGet {
    const NAME: &'static str = "item.get";
    const SUMMARY: &'static str = "The lines of an invoice (draft or issued).";
    const ERRORS: &'static [i32] = &[1004];
    type Filter = ItemFilter;
    type Data = NoTags;
    type Reply = List<ItemOut>;
}

impl Read for ItemGet {
    async fn run(cx: ReadCx<'_>, call: Call<ItemFilter, NoTags>) -> AppResult<List<ItemOut>> {
        let found = load(&cx, call.filter.invoice_id.0).await?;
        let all = InvoiceOut::from(&found, cx.now).into_items();
        let offset = usize::try_from(call.offset).unwrap_or(usize::MAX);
        let limit = usize::try_from(call.limit).unwrap_or(usize::MAX);
        Ok(List::of(all.into_iter().skip(offset).take(limit).collect()))
    }
}

/// `item.delete`.
pub struct ItemDelete;

/// `DATA` of `item.delete`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct ItemDeleteData {
    invoice_item_id: Id,
}

impl Method for ItemDelete {
    const NAME: &'static str = "item.delete";
    const SUMMARY: &'static str = "Deletes one line of a draft.";
    const ERRORS: &'static [i32] = &[1004, 1009];
    type Filter = NoTags;
    type Data = ItemDeleteData;
    type Reply = Done;
}

impl Write for ItemDelete {
    async fn run(cx: WriteCx<'_>, call: Call<NoTags, ItemDeleteData>) -> AppResult<Done> {
        service::delete_item(&cx, call.data.invoice_item_id.0).await?;
        Ok(Done::default())
    }
}
