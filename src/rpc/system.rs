//! `system.*`: key checks for shop plugins.

use serde_json::json;

use super::Reply;
use super::envelope::Envelope;
use super::wire::{self, reply};
use crate::error::AppResult;
use crate::service::ReadCtx;

/// `system.ping`: proves the key works and shows the tenant's clock.
pub async fn ping(ctx: &ReadCtx, env: &mut Envelope) -> AppResult<Reply> {
    env.finish()?;
    reply(&json!({
        "STATUS": "success",
        "TENANT_ID": ctx.tenant.id.get(),
        "NOW": wire::datetime(ctx.now),
    }))
}
