//! Manual invoices: `invoice.create`, `invoice.update`, `invoice.delete`,
//! `invoice.complete`, `item.get`, `item.delete` (API.md sections 5 and 10).
//! ITEMS is a list or FastBill's `{"ITEM": [...]}` on both endpoints.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::de::{self, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use super::invoice_wire::{InvoiceOut, ItemOut};
use super::params::{Currency, Flag, Id, NoTags, Percent, Positive, UnitPrice, When};
use super::subscription::InvoiceRef;
use super::table::{Call, Method, MethodSpec, Read, ReadCx, Write, WriteCx, read, write};
use super::wire::{self, Done, List, Listed, Success};
use crate::error::AppResult;
use crate::service::invoice::manual::{self as service, ManualInvoice, ManualItem};
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

/// One line of ITEMS.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct ItemIn {
    /// Description, price and VAT rate default to the article's.
    article_number: Option<String>,
    /// Required without ARTICLE_NUMBER.
    description: Option<String>,
    /// Default 1.
    quantity: Option<Positive>,
    /// Required without ARTICLE_NUMBER.
    unit_price: Option<UnitPrice>,
    /// Required without ARTICLE_NUMBER.
    vat_percent: Option<Percent>,
}

/// ITEMS: a list, one item, or FastBill's `{"ITEM": [...]}`.
#[derive(Debug, Default)]
pub struct ItemList(Vec<ItemIn>);

impl JsonSchema for ItemList {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("ManualItems")
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        // Described as the list it is; the FastBill endpoint unwraps `{"ITEM": ...}` by this.
        <Vec<ItemIn>>::json_schema(generator)
    }
}

impl<'de> Deserialize<'de> for ItemList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ItemsVisitor).map(ItemList)
    }
}

struct ItemsVisitor;

impl<'de> Visitor<'de> for ItemsVisitor {
    type Value = Vec<ItemIn>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a list of items, or {\"ITEM\": [...]}")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<ItemIn>, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(items)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<ItemIn>, A::Error> {
        let Some(first) = map.next_key::<String>()? else { return Ok(Vec::new()) };
        if first == "ITEM" {
            let items: Vec<ItemIn> = map.next_value()?;
            if let Some(other) = map.next_key::<String>()? {
                return Err(de::Error::custom(format!("unknown tag {other} beside ITEM")));
            }
            return Ok(items);
        }
        // One item object where a list is expected: its first tag is read already.
        const TAGS: &[&str] = &["ARTICLE_NUMBER", "DESCRIPTION", "QUANTITY", "UNIT_PRICE", "VAT_PERCENT"];
        if !TAGS.contains(&first.as_str()) {
            return Err(de::Error::custom(format!(
                "{first} is no item tag: expected a list of items or {{\"ITEM\": [...]}}"
            )));
        }
        let item = ItemIn::deserialize(de::value::MapAccessDeserializer::new(Replay { first: Some(first), map }))?;
        Ok(vec![item])
    }

    fn visit_unit<E: de::Error>(self) -> Result<Vec<ItemIn>, E> {
        Ok(Vec::new())
    }
}

/// A map whose first key was read already.
struct Replay<A> {
    first: Option<String>,
    map: A,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Replay<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, A::Error> {
        match self.first.take() {
            Some(key) => seed.deserialize(key.into_deserializer()).map(Some),
            None => self.map.next_key_seed(seed),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        self.map.next_value_seed(seed)
    }
}

fn items(list: Option<ItemList>) -> Vec<ManualItem> {
    let list = list.map(|l| l.0).unwrap_or_default();
    list.into_iter()
        .enumerate()
        .map(|(i, item)| ManualItem {
            tag: format!("ITEMS[{i}]"),
            article_number: item.article_number.filter(|a| !a.is_empty()),
            description: item.description,
            quantity: item.quantity.map_or(rust_decimal::Decimal::ONE, |q| q.0),
            unit_price: item.unit_price.map(|p| p.0),
            vat_percent: item.vat_percent.map(|p| p.0),
        })
        .collect()
}

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
