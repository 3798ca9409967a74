//! What a step of the engine needs besides the subscription row, read for a whole chunk of
//! subscriptions in a few queries: their pauses, open usage and open consumptions.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, QueryFilter, QueryOrder};

use super::consumptions;
use crate::db::ctx::Ctx;
use crate::db::scope::Scope;
use crate::error::AppResult;
use entity::subscription::Model;
use entity::{consumption, subscription_pause as pause, usage_record};

/// What a step needs besides the subscription row.
#[derive(Debug, Default)]
pub struct Preload {
    pub pauses: Vec<pause::Model>,
    /// Open usage, oldest first.
    pub usage: Vec<usage_record::Model>,
    /// Open consumptions, oldest first: all go on the next regular (or final) invoice.
    pub consumptions: Vec<consumption::Model>,
}

impl Preload {
    /// The pauses and open usage of one subscription.
    pub async fn one<C: ConnectionTrait>(ctx: &Ctx<C>, sub: &Model) -> AppResult<Preload> {
        let mut all = Preload::many(ctx, std::slice::from_ref(sub)).await?;
        Ok(all.remove(&sub.id).unwrap_or_default())
    }

    /// The pauses and open usage of several subscriptions, in two queries at most.
    pub async fn many<C: ConnectionTrait>(ctx: &Ctx<C>, subs: &[Model]) -> AppResult<HashMap<i64, Preload>> {
        let mut out: HashMap<i64, Preload> = subs.iter().map(|s| (s.id, Preload::default())).collect();
        let ids: Vec<i64> = subs.iter().map(|s| s.id).collect();
        let paused: Vec<i64> = subs.iter().filter(|s| s.pause_due.is_some()).map(|s| s.id).collect();
        if !paused.is_empty() {
            let rows = ctx
                .find::<pause::Entity>()
                .filter(pause::Column::SubscriptionId.is_in(paused))
                .order_by_asc(pause::Column::Start)
                .all(&ctx.db)
                .await?;
            for p in rows {
                if let Some(entry) = out.get_mut(&p.subscription_id) {
                    entry.pauses.push(p);
                }
            }
        }
        for c in consumptions::open_of_subscriptions(ctx, ids.clone()).await? {
            if let Some(entry) = c.subscription_id.and_then(|id| out.get_mut(&id)) {
                entry.consumptions.push(c);
            }
        }
        if !ids.is_empty() {
            let rows = ctx
                .find::<usage_record::Entity>()
                .filter(usage_record::Column::SubscriptionId.is_in(ids))
                .filter(usage_record::Column::InvoiceId.is_null())
                .order_by_asc(usage_record::Column::UsageDate)
                .order_by_asc(usage_record::Column::Id)
                .all(&ctx.db)
                .await?;
            for u in rows {
                if let Some(entry) = out.get_mut(&u.subscription_id) {
                    entry.usage.push(u);
                }
            }
        }
        Ok(out)
    }

    /// Takes the open usage booked up to `until`.
    pub(super) fn take_usage(&mut self, until: DateTime<Utc>) -> Vec<usage_record::Model> {
        let (due, later): (Vec<_>, Vec<_>) =
            std::mem::take(&mut self.usage).into_iter().partition(|u| u.usage_date <= until);
        self.usage = later;
        due
    }
}
