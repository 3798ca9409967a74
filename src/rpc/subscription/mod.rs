//! `subscription.*`: `get` and `create` here (`update` beside them), and what the other
//! subscription methods share (add-on entries, the invoice a write issued);
//! changes, pauses, life-cycle writes, quotes and usage in their own files.

mod cached;
pub mod change;
pub mod discount;
pub mod life;
pub mod pause;
pub mod quote;
mod update;
pub mod usage;
pub mod wire;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::db::ctx::Ctx;
use crate::domain::lifecycle::Status;
use crate::error::{AppError, AppResult};
use crate::rpc::invoice_wire::InvoiceOut;
use crate::rpc::params::{Currency, FreeJson, Id, Ids, NoTags, Positive, UnitPrice, When, XAttributes};
use crate::rpc::table::{Call, Method, MethodSpec, Read, ReadCx, Write, WriteCx, read, write};
use crate::rpc::wire::{List, Success};
use crate::service::invoice::Issued;
use crate::service::subscription::addons::AddonRequest;
use crate::service::subscription::{self as service, NewSubscription, SubscriptionFilter, state};
use wire::SubscriptionOut;

/// This namespace's slice of the method table.
pub static METHODS: &[MethodSpec] = &[read::<Get>(), write::<Create>(), write::<update::Update>()];

/// One entry of `ADDONS`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct AddonIn {
    article_number: String,
    /// Default 1.
    quantity: Option<Positive>,
    title: Option<String>,
    description: Option<String>,
    unit_price: Option<UnitPrice>,
}

impl AddonIn {
    /// An add-on request made of top-level tags (`subscription.setaddon`).
    pub fn new(
        article_number: String,
        quantity: Option<Positive>,
        title: Option<String>,
        description: Option<String>,
        unit_price: Option<UnitPrice>,
    ) -> AddonIn {
        AddonIn { article_number, quantity, title, description, unit_price }
    }
}

/// `ADDONS` as the services take them; `ADDONS[i]` names each in errors.
pub fn addons(entries: Option<Vec<AddonIn>>) -> AppResult<Vec<AddonRequest>> {
    entries.unwrap_or_default().into_iter().enumerate().map(|(i, a)| addon(format!("ADDONS[{i}]"), a)).collect()
}

/// One add-on request; `tag` names it in errors (empty for top-level tags).
pub fn addon(tag: String, a: AddonIn) -> AppResult<AddonRequest> {
    if a.article_number.is_empty() {
        let name = if tag.is_empty() { "ARTICLE_NUMBER".to_owned() } else { format!("{tag}.ARTICLE_NUMBER") };
        return Err(AppError::invalid(name, "required"));
    }
    Ok(AddonRequest {
        tag,
        article_number: a.article_number,
        quantity: a.quantity.map_or(rust_decimal::Decimal::ONE, |q| q.0),
        title: a.title,
        description: a.description,
        unit_price: a.unit_price.map(|p| p.0),
    })
}

/// The invoice a write issued: its id, and on a dry run the invoice it would issue.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct InvoiceRef {
    /// The first invoice the write issued; `null` when none (and on a dry run).
    invoice_id: Option<i64>,
    /// Dry runs only: the invoice that would be issued.
    #[serde(skip_serializing_if = "Option::is_none")]
    invoice_preview: Option<InvoiceOut>,
}

impl InvoiceRef {
    /// What `invoices` (issued by the write in `ctx`) gives the answer.
    pub fn of<C>(ctx: &Ctx<C>, invoices: &[Issued]) -> InvoiceRef {
        let first = invoices.first();
        InvoiceRef {
            invoice_id: if ctx.dry_run { None } else { first.map(|i| i.invoice.id) },
            invoice_preview: if ctx.dry_run { first.map(|i| InvoiceOut::from(i, ctx.now).preview()) } else { None },
        }
    }
}

/// `subscription.get`.
pub struct Get;

/// `FILTER` of `subscription.get`; every filter given must match.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct GetFilter {
    /// An id or a list of ids.
    subscription_id: Option<Ids>,
    customer_id: Option<Id>,
    subscription_ext_uid: Option<String>,
    customer_ext_uid: Option<String>,
    /// planned, trial, active, paused, canceled or closed.
    status: Option<String>,
    article_number: Option<String>,
    next_event_from: Option<When>,
    next_event_to: Option<When>,
    last_event_from: Option<When>,
    last_event_to: Option<When>,
    created_from: Option<When>,
    created_to: Option<When>,
}

impl Method for Get {
    const NAME: &'static str = "subscription.get";
    const SUMMARY: &'static str = "Subscriptions matching FILTER, by SUBSCRIPTION_ID.";
    type Filter = GetFilter;
    type Data = NoTags;
    type Reply = List<SubscriptionOut>;
}

impl Read for Get {
    async fn run(cx: ReadCx<'_>, call: Call<GetFilter, NoTags>) -> AppResult<List<SubscriptionOut>> {
        let f = call.filter;
        let status = match f.status {
            None => None,
            Some(s) => Some(Status::parse(&s.to_ascii_lowercase()).ok_or_else(|| {
                AppError::invalid("STATUS", "must be planned, trial, active, paused, canceled or closed")
            })?),
        };
        let at = |w: Option<When>| w.map(|w| w.0);
        let filter = SubscriptionFilter {
            subscription_id: f.subscription_id.as_ref().and_then(Ids::single),
            subscription_ids: f.subscription_id.filter(|i| i.single().is_none()).map(Ids::all),
            customer_id: f.customer_id.map(|i| i.0),
            ext_uid: f.subscription_ext_uid,
            customer_ext_uid: f.customer_ext_uid,
            status,
            article_number: f.article_number,
            next_event: (at(f.next_event_from), at(f.next_event_to)),
            last_event: (at(f.last_event_from), at(f.last_event_to)),
            created: (at(f.created_from), at(f.created_to)),
        };
        if let (Some(id), 0) = (filter.only_id(), call.offset) {
            return cached::by_id(&cx, id).await;
        }
        if filter.is_empty()
            && let Some(page) = cached::page(&cx, call.limit, call.offset).await?
        {
            return Ok(page);
        }
        let rows = service::find(&cx, filter, call.limit, call.offset).await?;
        Ok(List::of(rows.iter().map(SubscriptionOut::from).collect::<AppResult<Vec<_>>>()?))
    }
}

/// `subscription.create`.
pub struct Create;

/// `DATA` of `subscription.create`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct CreateData {
    customer_id: Id,
    article_number: String,
    quantity: Option<Positive>,
    subscription_ext_uid: Option<String>,
    title: Option<String>,
    unit_price: Option<UnitPrice>,
    currency_code: Option<Currency>,
    description: Option<String>,
    invoice_title: Option<String>,
    /// Default: now.
    start_date: Option<When>,
    /// FastBill's name of START_DATE.
    start: Option<When>,
    next_event: Option<When>,
    cancellation_date: Option<When>,
    coupon: Option<String>,
    addons: Option<Vec<AddonIn>>,
    features: Option<FreeJson>,
    x_attributes: Option<XAttributes>,
}

/// What `subscription.create` answers.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct CreateReply {
    status: Success,
    subscription_id: Option<i64>,
    hash: Option<String>,
    #[serde(flatten)]
    invoice: InvoiceRef,
}

impl Method for Create {
    const NAME: &'static str = "subscription.create";
    const SUMMARY: &'static str =
        "Creates a subscription and bills its first period unless a trial or future start applies.";
    const ERRORS: &'static [i32] = &[1004, 1009];
    type Filter = NoTags;
    type Data = CreateData;
    type Reply = CreateReply;
}

impl Write for Create {
    async fn run(cx: WriteCx<'_>, call: Call<NoTags, CreateData>) -> AppResult<CreateReply> {
        let d = call.data;
        if d.article_number.is_empty() {
            return Err(AppError::invalid("ARTICLE_NUMBER", "required"));
        }
        let input = NewSubscription {
            customer_id: d.customer_id.0,
            article_number: d.article_number,
            quantity: d.quantity.map(|q| q.0),
            ext_uid: d.subscription_ext_uid,
            title: d.title,
            unit_price: d.unit_price.map(|p| p.0),
            currency_code: d.currency_code.map(|c| c.0),
            description: d.description,
            invoice_title: d.invoice_title,
            start: d.start_date.or(d.start).map(|w| w.0),
            next_event: d.next_event.map(|w| w.0),
            cancellation_date: d.cancellation_date.map(|w| w.0),
            coupon: d.coupon,
            addons: addons(d.addons)?,
            features: d.features.map(|f| f.0),
            x_attributes: d.x_attributes.map(|x| x.0),
        };
        let created = service::create(&cx, input).await?;
        Ok(CreateReply {
            status: Success,
            subscription_id: (!cx.dry_run).then_some(created.sub.id),
            hash: (!cx.dry_run).then(|| state::hash(&created.sub)),
            invoice: InvoiceRef::of(&cx, &created.invoices),
        })
    }
}
