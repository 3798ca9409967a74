//! Life-cycle writes of a subscription: cancel, reactivate, terminate, postpone, renew.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::InvoiceRef;
use super::pause::SubscriptionRef;
use crate::error::AppResult;
use crate::rpc::params::{Flag, Id, Int, NoTags, When};
use crate::rpc::table::{Call, Method, MethodSpec, Write, WriteCx, write};
use crate::rpc::wire::{self, Success};
use crate::service::subscription::lifecycle;

/// This namespace's slice of the method table.
pub static METHODS: &[MethodSpec] =
    &[write::<Cancel>(), write::<Reactivate>(), write::<Terminate>(), write::<Postpone>(), write::<Renew>()];

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
