//! `subscription.createsecurelink` and `customer.createsecurelink`: signed,
//! expiring links to the hosted pages.

use chrono::Duration;
use serde_json::json;

use super::Reply;
use super::envelope::Envelope;
use super::wire::{self, reply};
use crate::error::AppResult;
use crate::hosted::link;
use crate::service::{ReadCtx, customer, subscription};

fn expiry(ctx: &ReadCtx) -> chrono::DateTime<chrono::Utc> {
    let hours = i64::try_from(ctx.state.settings.hosted.link_ttl_hours).unwrap_or(24 * 7);
    ctx.now + Duration::hours(hours)
}

/// `subscription.createsecurelink`.
pub async fn subscription_links(ctx: &ReadCtx, env: &mut Envelope) -> AppResult<Reply> {
    let id = env.data.require_id("SUBSCRIPTION_ID")?;
    env.finish()?;
    let sub = subscription::get_one(ctx, id).await?;
    let tenant = link::tenant(&ctx.db, ctx.tenant.id).await?;
    let expires = expiry(ctx);
    let urls = link::subscription_urls(&ctx.state, &tenant, &sub, expires)?;
    reply(&json!({
        "STATUS": "success",
        "SUBSCRIPTION_ID": id,
        "CANCEL_URL": urls.cancel,
        "REACTIVATE_URL": urls.reactivate,
        "ADDONS_URL": urls.addons,
        "EXPIRES": wire::datetime(expires),
    }))
}

/// `customer.createsecurelink`.
pub async fn customer_link(ctx: &ReadCtx, env: &mut Envelope) -> AppResult<Reply> {
    let id = env.data.require_id("CUSTOMER_ID")?;
    env.finish()?;
    let found = customer::get_one(ctx, id).await?;
    let tenant = link::tenant(&ctx.db, ctx.tenant.id).await?;
    let expires = expiry(ctx);
    let url = link::dashboard_url(&ctx.state, &tenant, &found, expires)?;
    reply(&json!({"STATUS": "success", "CUSTOMER_ID": id, "DASHBOARD_URL": url, "EXPIRES": wire::datetime(expires)}))
}
