//! `billing.run` (admin): bills the calling tenant's due subscriptions; on a
//! test tenant `NOW` first moves its clock forward.

use sea_orm::TransactionTrait;
use serde_json::json;

use super::Reply;
use super::envelope::Envelope;
use super::wire::{self, reply};
use crate::billing::run;
use crate::error::{AppError, AppResult};
use crate::service::{ActionCtx, tenant};

/// `billing.run`.
pub async fn run(ctx: &ActionCtx, env: &mut Envelope) -> AppResult<Reply> {
    let requested = env.data.datetime("NOW")?;
    env.finish()?;
    let now = match requested {
        None => ctx.now,
        Some(_) if !ctx.tenant.is_test => {
            return Err(AppError::Forbidden("NOW moves the clock of test tenants only".into()));
        }
        Some(to) if to < ctx.now => {
            return Err(AppError::invalid(
                "NOW",
                format!("the clock never goes back; it is at {}", wire::datetime(ctx.now)),
            ));
        }
        Some(to) => to,
    };
    let summary = if ctx.dry_run {
        let txn = ctx.db.begin().await?;
        if now != ctx.now {
            tenant::advance_clock(&txn, ctx.tenant.id, now).await?;
        }
        let summary = run::run_tenant(&ctx.state, &txn, ctx.tenant, now, &|_| {}).await;
        txn.rollback().await?;
        summary?
    } else {
        if now != ctx.now {
            tenant::advance_clock(&ctx.db, ctx.tenant.id, now).await?;
        }
        let summary = run::run_tenant(&ctx.state, &ctx.db, ctx.tenant, now, &|_| {}).await?;
        ctx.state.metrics.observe_billing_run(summary.invoices, summary.closed);
        summary
    };
    reply(&json!({
        "STATUS": "success",
        "INVOICES_CREATED": summary.invoices,
        "SUBSCRIPTIONS_CLOSED": summary.closed,
        "SUBSCRIPTIONS_FAILED": summary.failed,
        "NOW": wire::datetime(now),
    }))
}
