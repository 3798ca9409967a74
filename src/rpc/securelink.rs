//! `subscription.createsecurelink` and `customer.createsecurelink`: signed,
//! expiring links to the hosted pages.

use chrono::{DateTime, Duration, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::params::{Id, NoTags};
use super::subscription::pause::SubscriptionRef;
use super::table::{Call, Method, MethodSpec, Read, ReadCx, read};
use super::wire::{self, Success};
use crate::error::AppResult;
use crate::service::{customer, links, subscription};

/// This namespace's slice of the method table.
pub static METHODS: &[MethodSpec] = &[read::<SubscriptionLinks>(), read::<CustomerLink>()];

fn expiry(cx: &ReadCx<'_>) -> DateTime<Utc> {
    let hours = i64::try_from(cx.settings.hosted.link_ttl_hours).unwrap_or(24 * 7);
    cx.now + Duration::hours(hours)
}

/// `subscription.createsecurelink`.
pub struct SubscriptionLinks;

/// What `subscription.createsecurelink` answers.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct SubscriptionLinksReply {
    status: Success,
    subscription_id: i64,
    cancel_url: String,
    reactivate_url: String,
    addons_url: String,
    expires: String,
}

impl Method for SubscriptionLinks {
    const NAME: &'static str = "subscription.createsecurelink";
    const SUMMARY: &'static str = "Signed, expiring links to cancel, reactivate and book add-ons.";
    const ERRORS: &'static [i32] = &[1004];
    type Filter = NoTags;
    type Data = SubscriptionRef;
    type Reply = SubscriptionLinksReply;
}

impl Read for SubscriptionLinks {
    async fn run(cx: ReadCx<'_>, call: Call<NoTags, SubscriptionRef>) -> AppResult<SubscriptionLinksReply> {
        let id = call.data.subscription_id.0;
        let sub = subscription::get_one(&cx, id).await?;
        let tenant = links::tenant(&cx.db, cx.tenant.id).await?;
        let expires = expiry(&cx);
        let urls = links::subscription_urls(cx.app, &tenant, &sub, expires)?;
        Ok(SubscriptionLinksReply {
            status: Success,
            subscription_id: id,
            cancel_url: urls.cancel,
            reactivate_url: urls.reactivate,
            addons_url: urls.addons,
            expires: wire::datetime(expires),
        })
    }
}

/// `customer.createsecurelink`.
pub struct CustomerLink;

/// `DATA` of `customer.createsecurelink`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct CustomerRef {
    customer_id: Id,
}

/// What `customer.createsecurelink` answers.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct CustomerLinkReply {
    status: Success,
    customer_id: i64,
    dashboard_url: String,
    expires: String,
}

impl Method for CustomerLink {
    const NAME: &'static str = "customer.createsecurelink";
    const SUMMARY: &'static str = "A signed, expiring link to the customer's dashboard.";
    const ERRORS: &'static [i32] = &[1004];
    type Filter = NoTags;
    type Data = CustomerRef;
    type Reply = CustomerLinkReply;
}

impl Read for CustomerLink {
    async fn run(cx: ReadCx<'_>, call: Call<NoTags, CustomerRef>) -> AppResult<CustomerLinkReply> {
        let id = call.data.customer_id.0;
        let found = customer::get_one(&cx, id).await?;
        let tenant = links::tenant(&cx.db, cx.tenant.id).await?;
        let expires = expiry(&cx);
        let url = links::dashboard_url(cx.app, &tenant, &found, expires)?;
        Ok(CustomerLinkReply { status: Success, customer_id: id, dashboard_url: url, expires: wire::datetime(expires) })
    }
}
