//! Life-cycle writes of a subscription, price quotes and the timeline.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::invoice_wire::QuoteOut;
use super::params::{Country, Flag, Id, Int, NoTags, Positive, When};
use super::subscription::{AddonIn, InvoiceRef, addons};
use super::subscription_change::SubscriptionRef;
use super::table::{Call, Method, MethodSpec, Read, ReadCx, Write, WriteCx, read, write};
use super::wire::{self, List, Listed, Success};
use crate::error::{AppError, AppResult};
use crate::service::subscription::lifecycle;
use crate::service::{events, quote};

/// This namespace's slice of the method table.
pub static METHODS: &[MethodSpec] = &[
    write::<Cancel>(),
    write::<Reactivate>(),
    write::<Terminate>(),
    write::<Postpone>(),
    write::<Renew>(),
    read::<UpcomingAmount>(),
    read::<Timeline>(),
];

const LIFE_ERRORS: &[i32] = &[1004, 1009];

/// `subscription.cancel`.
pub struct Cancel;

/// `DATA` of `subscription.cancel`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct CancelData {
    subscription_id: Id,
    /// Default: the end of the period the notice period allows.
    cancellation_date: Option<When>,
    cancellation_note: Option<String>,
}

/// What `subscription.cancel` answers.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct CancelReply {
    status: Success,
    subscription_id: i64,
    cancellation_date: Option<String>,
}

impl Method for Cancel {
    const NAME: &'static str = "subscription.cancel";
    const SUMMARY: &'static str = "Schedules the end at CANCELLATION_DATE or the period end the notice period allows.";
    const ERRORS: &'static [i32] = LIFE_ERRORS;
    type Filter = NoTags;
    type Data = CancelData;
    type Reply = CancelReply;
}

impl Write for Cancel {
    async fn run(cx: WriteCx<'_>, call: Call<NoTags, CancelData>) -> AppResult<CancelReply> {
        let d = call.data;
        let sub =
            lifecycle::cancel(&cx, d.subscription_id.0, d.cancellation_date.map(|w| w.0), d.cancellation_note).await?;
        Ok(CancelReply {
            status: Success,
            subscription_id: sub.id,
            cancellation_date: wire::opt_datetime(sub.cancellation_date),
        })
    }
}

/// What a write that may issue an invoice answers about a subscription.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct SubscriptionInvoiced {
    status: Success,
    subscription_id: i64,
    /// The subscription's STATUS afterwards (`subscription.reactivate` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    subscription_status: Option<String>,
    #[serde(flatten)]
    invoice: InvoiceRef,
}

/// `subscription.reactivate`.
pub struct Reactivate;

impl Method for Reactivate {
    const NAME: &'static str = "subscription.reactivate";
    const SUMMARY: &'static str = "Removes a pending cancellation, or restarts a closed subscription.";
    const ERRORS: &'static [i32] = LIFE_ERRORS;
    type Filter = NoTags;
    type Data = SubscriptionRef;
    type Reply = SubscriptionInvoiced;
}

impl Write for Reactivate {
    async fn run(cx: WriteCx<'_>, call: Call<NoTags, SubscriptionRef>) -> AppResult<SubscriptionInvoiced> {
        let changed = lifecycle::reactivate(&cx, call.data.subscription_id.0).await?;
        Ok(SubscriptionInvoiced {
            status: Success,
            subscription_id: changed.sub.id,
            subscription_status: Some(changed.sub.status.clone()),
            invoice: InvoiceRef::of(&cx, &changed.invoices),
        })
    }
}

/// `subscription.terminate`.
pub struct Terminate;

/// `DATA` of `subscription.terminate`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct TerminateData {
    subscription_id: Id,
    /// Credit the unused days of the paid period.
    credit_unused: Option<Flag>,
}

impl Method for Terminate {
    const NAME: &'static str = "subscription.terminate";
    const SUMMARY: &'static str = "Closes now; CREDIT_UNUSED credits the unused days.";
    const ERRORS: &'static [i32] = LIFE_ERRORS;
    type Filter = NoTags;
    type Data = TerminateData;
    type Reply = SubscriptionInvoiced;
}

impl Write for Terminate {
    async fn run(cx: WriteCx<'_>, call: Call<NoTags, TerminateData>) -> AppResult<SubscriptionInvoiced> {
        let d = call.data;
        let changed = lifecycle::terminate(&cx, d.subscription_id.0, d.credit_unused.is_some_and(|f| f.0)).await?;
        Ok(SubscriptionInvoiced {
            status: Success,
            subscription_id: changed.sub.id,
            subscription_status: None,
            invoice: InvoiceRef::of(&cx, &changed.invoices),
        })
    }
}

/// `subscription.postpone`.
pub struct Postpone;

/// `DATA` of `subscription.postpone`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct PostponeData {
    subscription_id: Id,
    /// Months to move NEXT_EVENT later, 1 to 12.
    month: Int,
}

/// What `subscription.postpone` answers.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct PostponeReply {
    status: Success,
    subscription_id: i64,
    next_event: Option<String>,
}

impl Method for Postpone {
    const NAME: &'static str = "subscription.postpone";
    const SUMMARY: &'static str = "Moves NEXT_EVENT later by MONTH months.";
    const ERRORS: &'static [i32] = LIFE_ERRORS;
    type Filter = NoTags;
    type Data = PostponeData;
    type Reply = PostponeReply;
}

impl Write for Postpone {
    async fn run(cx: WriteCx<'_>, call: Call<NoTags, PostponeData>) -> AppResult<PostponeReply> {
        let d = call.data;
        let months = d.month.within("MONTH", 1, 12)? as u32;
        let sub = lifecycle::postpone(&cx, d.subscription_id.0, months).await?;
        Ok(PostponeReply { status: Success, subscription_id: sub.id, next_event: wire::opt_datetime(sub.next_event) })
    }
}

/// `subscription.renew`.
pub struct Renew;

impl Method for Renew {
    const NAME: &'static str = "subscription.renew";
    const SUMMARY: &'static str = "Bills now the periods that are due.";
    const ERRORS: &'static [i32] = LIFE_ERRORS;
    type Filter = NoTags;
    type Data = SubscriptionRef;
    type Reply = SubscriptionInvoiced;
}

impl Write for Renew {
    async fn run(cx: WriteCx<'_>, call: Call<NoTags, SubscriptionRef>) -> AppResult<SubscriptionInvoiced> {
        let changed = lifecycle::renew(&cx, call.data.subscription_id.0).await?;
        Ok(SubscriptionInvoiced {
            status: Success,
            subscription_id: changed.sub.id,
            subscription_status: None,
            invoice: InvoiceRef::of(&cx, &changed.invoices),
        })
    }
}

/// `subscription.getupcomingamount`: a quote before purchase, or the next
/// invoice of a subscription.
pub struct UpcomingAmount;

/// `DATA` of `subscription.getupcomingamount`: SUBSCRIPTION_ID, or the purchase to quote.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct UpcomingData {
    /// Quote this subscription's next invoice (then no other tag applies).
    subscription_id: Option<Id>,
    article_number: Option<String>,
    quantity: Option<Positive>,
    coupon: Option<String>,
    country_code: Option<Country>,
    addons: Option<Vec<AddonIn>>,
}

/// What `subscription.getupcomingamount` answers.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct UpcomingReply {
    #[serde(flatten)]
    quote: QuoteOut,
    /// For a subscription: when its next invoice is due.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_event: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    subscription_id: Option<i64>,
}

impl Method for UpcomingAmount {
    const NAME: &'static str = "subscription.getupcomingamount";
    const SUMMARY: &'static str = "Quotes a purchase, or a subscription's next invoice.";
    const ERRORS: &'static [i32] = &[1004, 1009];
    type Filter = NoTags;
    type Data = UpcomingData;
    type Reply = UpcomingReply;
}

impl Read for UpcomingAmount {
    async fn run(cx: ReadCx<'_>, call: Call<NoTags, UpcomingData>) -> AppResult<UpcomingReply> {
        let d = call.data;
        if let Some(id) = d.subscription_id {
            let others = [
                ("ARTICLE_NUMBER", d.article_number.is_some()),
                ("QUANTITY", d.quantity.is_some()),
                ("COUPON", d.coupon.is_some()),
                ("COUNTRY_CODE", d.country_code.is_some()),
                ("ADDONS", d.addons.is_some()),
            ];
            if let Some((tag, _)) = others.iter().find(|(_, given)| *given) {
                return Err(AppError::invalid(*tag, "does not apply with SUBSCRIPTION_ID"));
            }
            let (priced, next) = quote::next_invoice(&cx, id.0).await?;
            return Ok(UpcomingReply {
                quote: QuoteOut::from(&priced),
                next_event: Some(wire::opt_datetime(next)),
                subscription_id: Some(id.0),
            });
        }
        let request = quote::QuoteRequest {
            article_number: d.article_number.ok_or_else(|| AppError::invalid("ARTICLE_NUMBER", "required"))?,
            quantity: d.quantity.map_or(rust_decimal::Decimal::ONE, |q| q.0),
            coupon: d.coupon,
            country_code: d.country_code.map(|c| c.0),
            addons: addons(d.addons)?,
        };
        let priced = quote::purchase(&cx, request).await?;
        Ok(UpcomingReply { quote: QuoteOut::from(&priced), next_event: None, subscription_id: None })
    }
}

/// One timeline event.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct EventOut {
    event_id: i64,
    #[serde(rename = "TYPE")]
    kind: String,
    created: String,
    data: serde_json::Value,
}

impl Listed for EventOut {
    const KEY: &'static str = "EVENTS";
}

impl EventOut {
    /// Maps a stored event.
    pub fn from(e: entity::event::Model) -> EventOut {
        EventOut { event_id: e.id, kind: e.event_type, created: wire::datetime(e.created), data: e.data }
    }
}

/// `subscription.gettimeline`: newest first.
pub struct Timeline;

impl Method for Timeline {
    const NAME: &'static str = "subscription.gettimeline";
    const SUMMARY: &'static str = "A subscription's events, newest first.";
    const ERRORS: &'static [i32] = &[1004];
    type Filter = SubscriptionRef;
    type Data = NoTags;
    type Reply = List<EventOut>;
}

impl Read for Timeline {
    async fn run(cx: ReadCx<'_>, call: Call<SubscriptionRef, NoTags>) -> AppResult<List<EventOut>> {
        let id = call.filter.subscription_id.0;
        crate::service::subscription::get_one(&cx, id).await?;
        let rows = events::list(&cx, "subscription", id, call.limit, call.offset).await?;
        Ok(List::of(rows.into_iter().map(EventOut::from).collect()))
    }
}
