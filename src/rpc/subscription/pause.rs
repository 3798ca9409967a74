//! Pauses of a subscription: pause, unpause, list, delete.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{AppError, AppResult};
use crate::rpc::params::{Id, Int, NoTags, When};
use crate::rpc::table::{Call, Method, MethodSpec, Read, ReadCx, Write, WriteCx, read, write};
use crate::rpc::wire::{self, Done, List, Listed, Success};
use crate::service::subscription::pauses::{self, NewPause};

/// This namespace's slice of the method table.
pub static METHODS: &[MethodSpec] =
    &[write::<Pause>(), write::<Unpause>(), read::<GetPauses>(), write::<DeletePause>()];

const CHANGE_ERRORS: &[i32] = &[1004, 1009];

/// A pause on the wire.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct PauseOut {
    /// recur's id, or the client's own PAUSE_ID.
    pause_id: Value,
    subscription_id: i64,
    start_date: String,
    end_date: Option<String>,
    cycles: Option<i32>,
    /// `scheduled`, `running` or `ended` (`success` in the answer of `subscription.pause`).
    status: &'static str,
    /// True once the pause affected an invoice (it can no longer be deleted).
    locked: bool,
    created: String,
}

impl Listed for PauseOut {
    const KEY: &'static str = "PAUSES";
}

fn pause_out(p: &entity::subscription_pause::Model, now: DateTime<Utc>) -> PauseOut {
    let status = if p.ended || p.end.is_some_and(|e| e <= now) {
        "ended"
    } else if p.started {
        "running"
    } else {
        "scheduled"
    };
    PauseOut {
        pause_id: pauses::public_id(p),
        subscription_id: p.subscription_id,
        start_date: wire::datetime(p.start),
        end_date: wire::opt_datetime(p.end),
        cycles: p.cycles,
        status,
        locked: p.affected,
        created: wire::datetime(p.created),
    }
}

/// `subscription.pause`.
pub struct Pause;

/// `DATA` of `subscription.pause`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct PauseData {
    subscription_id: Id,
    /// Default: now.
    start_date: Option<When>,
    end_date: Option<When>,
    /// Billing periods to skip (1 to 1200); none and no END_DATE = until unpaused.
    cycles: Option<Int>,
    /// An own id (not all digits, at most 100 characters); an existing one changes that pause.
    pause_id: Option<String>,
}

impl Method for Pause {
    const NAME: &'static str = "subscription.pause";
    const SUMMARY: &'static str =
        "Pauses billing from START_DATE until END_DATE, for CYCLES periods, or until unpause.";
    const ERRORS: &'static [i32] = CHANGE_ERRORS;
    type Filter = NoTags;
    type Data = PauseData;
    type Reply = PauseOut;
}

impl Write for Pause {
    async fn run(cx: WriteCx<'_>, call: Call<NoTags, PauseData>) -> AppResult<PauseOut> {
        let d = call.data;
        if d.pause_id.as_ref().is_some_and(|e| e.bytes().all(|b| b.is_ascii_digit()) || e.len() > 100) {
            return Err(AppError::invalid("PAUSE_ID", "an own PAUSE_ID needs a non-digit and at most 100 characters"));
        }
        let input = NewPause {
            subscription_id: d.subscription_id.0,
            start: d.start_date.map(|w| w.0),
            end: d.end_date.map(|w| w.0),
            cycles: d.cycles.map(|c| c.within("CYCLES", 1, 1200)).transpose()?.map(|c| c as u32),
            ext_id: d.pause_id,
        };
        let created = pauses::pause(&cx, input).await?;
        let mut out = pause_out(&created, cx.now);
        out.status = "success";
        if cx.dry_run && created.ext_id.is_none() {
            out.pause_id = Value::Null;
        }
        Ok(out)
    }
}

/// `DATA` naming one subscription.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct SubscriptionRef {
    pub subscription_id: Id,
}

/// `subscription.unpause`.
pub struct Unpause;

/// What `subscription.unpause` answers.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct UnpauseReply {
    status: Success,
    subscription_id: i64,
    pause_id: Value,
}

impl Method for Unpause {
    const NAME: &'static str = "subscription.unpause";
    const SUMMARY: &'static str = "Ends the running pause now.";
    const ERRORS: &'static [i32] = CHANGE_ERRORS;
    type Filter = NoTags;
    type Data = SubscriptionRef;
    type Reply = UnpauseReply;
}

impl Write for Unpause {
    async fn run(cx: WriteCx<'_>, call: Call<NoTags, SubscriptionRef>) -> AppResult<UnpauseReply> {
        let id = call.data.subscription_id.0;
        let ended = pauses::unpause(&cx, id).await?;
        Ok(UnpauseReply { status: Success, subscription_id: id, pause_id: pauses::public_id(&ended) })
    }
}

/// `subscription.getpauses`.
pub struct GetPauses;

impl Method for GetPauses {
    const NAME: &'static str = "subscription.getpauses";
    const SUMMARY: &'static str = "A subscription's pauses.";
    const ERRORS: &'static [i32] = &[1004];
    type Filter = SubscriptionRef;
    type Data = NoTags;
    type Reply = List<PauseOut>;
}

impl Read for GetPauses {
    async fn run(cx: ReadCx<'_>, call: Call<SubscriptionRef, NoTags>) -> AppResult<List<PauseOut>> {
        let rows = pauses::list(&cx, call.filter.subscription_id.0).await?;
        Ok(List::of(rows.iter().map(|p| pause_out(p, cx.now)).collect()))
    }
}

/// `subscription.deletepause`.
pub struct DeletePause;

/// `DATA` of `subscription.deletepause`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct DeletePauseData {
    /// recur's id or the client's own.
    pause_id: String,
    subscription_id: Option<Id>,
}

impl Method for DeletePause {
    const NAME: &'static str = "subscription.deletepause";
    const SUMMARY: &'static str = "Deletes a pause that has not affected an invoice.";
    const ERRORS: &'static [i32] = CHANGE_ERRORS;
    type Filter = NoTags;
    type Data = DeletePauseData;
    type Reply = Done;
}

impl Write for DeletePause {
    async fn run(cx: WriteCx<'_>, call: Call<NoTags, DeletePauseData>) -> AppResult<Done> {
        let d = call.data;
        if d.pause_id.is_empty() {
            return Err(AppError::invalid("PAUSE_ID", "required"));
        }
        pauses::delete(&cx, &d.pause_id, d.subscription_id.map(|i| i.0)).await?;
        Ok(Done::default())
    }
}
