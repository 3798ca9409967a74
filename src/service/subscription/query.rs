//! Reading subscriptions: by id, by filters, and the "still in use" checks
//! that guard deleting customers and articles.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::json;

use crate::db::scope::Scope;
use crate::domain::lifecycle::Status;
use crate::error::{AppResult, OptionExt};
use crate::service::{Ctx, customer};
use entity::subscription::{Column, Entity, Model};

/// One subscription of this tenant, or 1004.
pub async fn get_one<C: ConnectionTrait>(ctx: &Ctx<C>, id: i64) -> AppResult<Model> {
    ctx.by_id::<Entity, _>(&ctx.db, id).await?.or_not_found("SUBSCRIPTION_ID", "subscription")
}

/// Filters of `subscription.get`; all given must match.
#[derive(Debug, Default)]
pub struct SubscriptionFilter {
    pub subscription_id: Option<i64>,
    /// Any of these ids (FastBill clients ask for several at once).
    pub subscription_ids: Option<Vec<i64>>,
    pub customer_id: Option<i64>,
    pub ext_uid: Option<String>,
    pub customer_ext_uid: Option<String>,
    pub status: Option<Status>,
    pub article_number: Option<String>,
    pub next_event: (Option<DateTime<Utc>>, Option<DateTime<Utc>>),
    pub last_event: (Option<DateTime<Utc>>, Option<DateTime<Utc>>),
    pub created: (Option<DateTime<Utc>>, Option<DateTime<Utc>>),
}

impl SubscriptionFilter {
    /// The id when the filter names one subscription and nothing else.
    pub fn only_id(&self) -> Option<i64> {
        if self.has_more_than_id() { None } else { self.subscription_id }
    }

    /// True when nothing is filtered: every subscription of the tenant matches.
    pub fn is_empty(&self) -> bool {
        self.subscription_id.is_none() && !self.has_more_than_id()
    }

    fn has_more_than_id(&self) -> bool {
        self.subscription_ids.is_some()
            || self.customer_id.is_some()
            || self.ext_uid.is_some()
            || self.customer_ext_uid.is_some()
            || self.status.is_some()
            || self.article_number.is_some()
            || [self.next_event, self.last_event, self.created].iter().any(|(a, b)| a.is_some() || b.is_some())
    }
}

/// The id list when the filter names a list of ids and nothing else.
fn only_ids(filter: &SubscriptionFilter) -> Option<Vec<i64>> {
    let SubscriptionFilter {
        subscription_id: None,
        subscription_ids: Some(ids),
        customer_id: None,
        ext_uid: None,
        customer_ext_uid: None,
        status: None,
        article_number: None,
        next_event: (None, None),
        last_event: (None, None),
        created: (None, None),
    } = filter
    else {
        return None;
    };
    Some(ids.clone())
}

/// A page of subscriptions matching every filter, by id.
pub async fn find<C: ConnectionTrait>(
    ctx: &Ctx<C>,
    filter: SubscriptionFilter,
    limit: u64,
    offset: u64,
) -> AppResult<Vec<Model>> {
    if let Some(ids) = only_ids(&filter) {
        // By primary key alone (see `customer::find`'s `by_ids`), then paged here.
        let rows = ctx.by_ids::<Entity, _>(&ctx.db, ids).await?;
        return Ok(crate::service::page_by(rows, |s| s.id, limit, offset));
    }
    let mut query = ctx.find::<Entity>();
    if let Some(id) = filter.subscription_id {
        query = query.filter(Column::Id.eq(id));
    }
    if let Some(ids) = filter.subscription_ids {
        query = query.filter(Column::Id.is_in(ids));
    }
    if let Some(id) = filter.customer_id {
        query = query.filter(Column::CustomerId.eq(id));
    }
    if let Some(uid) = filter.customer_ext_uid {
        let owner =
            customer::find(ctx, customer::CustomerFilter { customer_ext_uid: Some(uid), ..Default::default() }, 1, 0)
                .await?;
        match owner.first() {
            Some(c) => query = query.filter(Column::CustomerId.eq(c.id)),
            None => return Ok(Vec::new()),
        }
    }
    if let Some(uid) = filter.ext_uid {
        query = query.filter(Column::SubscriptionExtUid.eq(uid));
    }
    if let Some(status) = filter.status {
        query = query.filter(Column::Status.eq(status.as_str()));
    }
    if let Some(number) = filter.article_number {
        query = query.filter(Column::ArticleNumber.eq(number));
    }
    for (column, (from, to)) in [
        (Column::NextEvent, filter.next_event),
        (Column::LastEvent, filter.last_event),
        (Column::Created, filter.created),
    ] {
        if let Some(from) = from {
            query = query.filter(column.gte(from));
        }
        if let Some(to) = to {
            query = query.filter(column.lte(to));
        }
    }
    Ok(query.order_by_asc(Column::Id).limit(limit).offset(offset).all(&ctx.db).await?)
}

/// All ids of the tenant's subscriptions in id order, or `None` when there are more than `cap`.
pub async fn all_ids<C: ConnectionTrait>(ctx: &Ctx<C>, cap: u64) -> AppResult<Option<Vec<i64>>> {
    let ids: Vec<i64> = ctx
        .find::<Entity>()
        .select_only()
        .column(Column::Id)
        .order_by_asc(Column::Id)
        .limit(cap + 1)
        .into_tuple()
        .all(&ctx.db)
        .await?;
    Ok((ids.len() as u64 <= cap).then_some(ids))
}

/// True while `customer_id` has a subscription that is not closed.
pub async fn customer_has_running<C: ConnectionTrait>(ctx: &Ctx<C>, customer_id: i64) -> AppResult<bool> {
    Ok(ctx
        .find::<Entity>()
        .filter(Column::CustomerId.eq(customer_id))
        .filter(Column::Status.ne(Status::Closed.as_str()))
        .one(&ctx.db)
        .await?
        .is_some())
}

/// True while a subscription that is not closed bills `article_number` as its
/// plan, as an add-on or as its scheduled plan.
pub async fn article_in_use<C: ConnectionTrait>(ctx: &Ctx<C>, article_number: &str) -> AppResult<bool> {
    if ctx
        .find::<Entity>()
        .filter(Column::ArticleNumber.eq(article_number))
        .filter(Column::Status.ne(Status::Closed.as_str()))
        .one(&ctx.db)
        .await?
        .is_some()
    {
        return Ok(true);
    }
    // Add-ons and scheduled plans live in JSON: check them in Rust, a page at a time.
    let needle = json!(article_number);
    let mut cursor = 0;
    loop {
        let page = ctx
            .find::<Entity>()
            .filter(Column::Status.ne(Status::Closed.as_str()))
            .filter(Column::Id.gt(cursor))
            .order_by_asc(Column::Id)
            .limit(500)
            .all(&ctx.db)
            .await?;
        let Some(last) = page.last() else {
            return Ok(false);
        };
        cursor = last.id;
        for sub in &page {
            let in_addons = sub.addons.as_array().is_some_and(|a| a.iter().any(|x| x["ARTICLE_NUMBER"] == needle));
            let in_upcoming = sub.plan_upcoming.as_ref().is_some_and(|p| p["ARTICLE_NUMBER"] == needle);
            if in_addons || in_upcoming {
                return Ok(true);
            }
        }
    }
}
