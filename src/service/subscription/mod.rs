//! Subscriptions: create, read, update. The life-cycle actions are in
//! `lifecycle`, scheduled plan changes in `plan_change`.

pub mod addons;
pub mod changes;
mod create;
pub mod lifecycle;
pub mod pauses;
pub mod query;
mod unused_credit;

pub use crate::billing::{plan_change, state};
pub use create::{NewSubscription, create};
pub use query::{SubscriptionFilter, all_ids, article_in_use, customer_has_running, find, get_one};

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::json;

use super::{WriteCtx, events};
use crate::domain::lifecycle::{Action, allows, refusal};
use crate::error::{AppError, AppResult};
use crate::service::invoice::Issued;
use entity::subscription::Model;

/// A subscription with the invoices a change issued.
#[derive(Debug)]
pub struct Changed {
    pub sub: Model,
    pub invoices: Vec<Issued>,
}

/// What `subscription.update` may change.
#[derive(Debug, Default)]
pub struct SubscriptionPatch {
    pub next_event: Option<DateTime<Utc>>,
    pub ext_uid: Option<Option<String>>,
    pub x_attributes: Option<Option<BTreeMap<String, String>>>,
    pub features: Option<Option<serde_json::Value>>,
    /// The HASH the caller last saw; a stale one is refused.
    pub hash: Option<String>,
}

/// Applies `patch`. Moving `NEXT_EVENT` re-anchors billing on that date.
pub async fn update(ctx: &WriteCtx, id: i64, patch: SubscriptionPatch) -> AppResult<Model> {
    let mut sub = get_one(ctx, id).await?;
    if let Some(hash) = &patch.hash
        && *hash != state::hash(&sub)
    {
        return Err(AppError::conflict_on("HASH", "stale HASH: the subscription changed since it was read"));
    }
    let status = state::status(&sub)?;
    let mut changed = Vec::new();
    if let Some(next) = patch.next_event {
        if !allows(status, Action::SetNextEvent) {
            return Err(AppError::conflict_on("SUBSCRIPTION_ID", refusal(status, Action::SetNextEvent)));
        }
        if next < ctx.now {
            return Err(AppError::invalid("NEXT_EVENT", "must not be in the past"));
        }
        sub.anchor = next;
        sub.periods_since_anchor = 0;
        sub.next_event = Some(next);
        state::refresh_expiration(&mut sub)?;
        changed.push("NEXT_EVENT");
    }
    if let Some(uid) = patch.ext_uid {
        sub.subscription_ext_uid = uid;
        changed.push("SUBSCRIPTION_EXT_UID");
    }
    if let Some(attributes) = patch.x_attributes {
        sub.x_attributes = attributes.map(|m| json!(m));
        changed.push("X_ATTRIBUTES");
    }
    if let Some(features) = patch.features {
        sub.features = features;
        changed.push("FEATURES");
    }
    let sub = state::save(ctx, sub).await?;
    events::append(ctx, "subscription", id, "subscription.updated", json!({"CHANGED": changed})).await?;
    Ok(sub)
}
