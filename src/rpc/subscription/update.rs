//! `subscription.update`: the few fields a change of plan does not cover,
//! guarded by the HASH of the row as the caller read it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::AppResult;
use crate::rpc::params::{FreeJson, Id, NoTags, Patch, When, XAttributes};
use crate::rpc::table::{Call, Method, Write, WriteCx};
use crate::rpc::wire::Success;
use crate::service::subscription::{self as service, SubscriptionPatch, state};

/// `subscription.update`.
pub struct Update;

/// `DATA` of `subscription.update`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct UpdateData {
    subscription_id: Id,
    /// Re-anchors billing on this date.
    next_event: Option<When>,
    #[serde(default)]
    subscription_ext_uid: Patch<String>,
    #[serde(default)]
    x_attributes: Patch<XAttributes>,
    #[serde(default)]
    features: Patch<FreeJson>,
    /// The HASH last read; refused with 1009 when the subscription changed since.
    hash: Option<String>,
}

/// What `subscription.update` answers.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct UpdateReply {
    status: Success,
    subscription_id: i64,
    hash: String,
}

impl Method for Update {
    const NAME: &'static str = "subscription.update";
    const SUMMARY: &'static str =
        "Changes NEXT_EVENT, SUBSCRIPTION_EXT_UID, X_ATTRIBUTES, FEATURES; a stale HASH is refused.";
    const ERRORS: &'static [i32] = &[1004, 1009];
    type Filter = NoTags;
    type Data = UpdateData;
    type Reply = UpdateReply;
}

impl Write for Update {
    async fn run(cx: WriteCx<'_>, call: Call<NoTags, UpdateData>) -> AppResult<UpdateReply> {
        let d = call.data;
        let patch = SubscriptionPatch {
            next_event: d.next_event.map(|w| w.0),
            ext_uid: d.subscription_ext_uid.into_option(),
            x_attributes: d.x_attributes.map(|x| x.0).into_option(),
            features: d.features.map(|f| f.0).into_option(),
            hash: d.hash,
        };
        let sub = service::update(&cx, d.subscription_id.0, patch).await?;
        Ok(UpdateReply { status: Success, subscription_id: sub.id, hash: state::hash(&sub) })
    }
}
