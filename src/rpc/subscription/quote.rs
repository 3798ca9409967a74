//! What a subscription will cost: `subscription.getupcomingamount`, and its
//! timeline.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::pause::SubscriptionRef;
use super::{AddonIn, addons};
use crate::error::{AppError, AppResult};
use crate::rpc::invoice_wire::QuoteOut;
use crate::rpc::params::{Country, Id, NoTags, Positive};
use crate::rpc::table::{Call, Method, MethodSpec, Read, ReadCx, read};
use crate::rpc::wire::{self, List, Listed};
use crate::service::{events, quote};

/// This namespace's slice of the method table.
pub static METHODS: &[MethodSpec] = &[read::<UpcomingAmount>(), read::<Timeline>()];

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
        let rows = events::list_subscription(&cx, id, call.limit, call.offset).await?;
        Ok(List::of(rows.into_iter().map(EventOut::from).collect()))
    }
}
