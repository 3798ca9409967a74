//! `billing.run` (admin): bills the calling tenant's due subscriptions; on a
//! test tenant `NOW` first moves its clock forward.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::params::{NoTags, When};

use super::table::{Action, Call, Cx, Method, MethodSpec, Scope, action};
use super::wire::{self, Success};
use crate::error::{AppError, AppResult};
use crate::service::billing_run;

/// This namespace's slice of the method table.
pub static METHODS: &[MethodSpec] = &[action::<Run>()];

/// `billing.run`.
pub struct Run;

/// `DATA` of `billing.run`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct RunData {
    /// Test tenants only: moves their clock forward to this instant first (never back).
    now: Option<When>,
}

/// What `billing.run` answers.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct RunReply {
    status: Success,
    invoices_created: u64,
    subscriptions_closed: u64,
    subscriptions_failed: u64,
    /// The tenant's clock the run billed up to.
    now: String,
}

impl Method for Run {
    const NAME: &'static str = "billing.run";
    const SUMMARY: &'static str = "Bills due subscriptions; NOW moves a test tenant's clock.";
    const SCOPE: Scope = Scope::Admin;
    type Filter = NoTags;
    type Data = RunData;
    type Reply = RunReply;
}

impl Action for Run {
    async fn run<C: crate::db::Conn>(cx: Cx<'_, C>, call: Call<NoTags, RunData>) -> AppResult<RunReply> {
        let now = match call.data.now.map(|w| w.0) {
            None => cx.now,
            Some(_) if !cx.tenant.is_test => {
                return Err(AppError::Forbidden("NOW moves the clock of test tenants only".into()));
            }
            Some(to) if to < cx.now => {
                return Err(AppError::invalid(
                    "NOW",
                    format!("the clock never goes back; it is at {}", wire::datetime(cx.now)),
                ));
            }
            Some(to) => to,
        };
        let summary = billing_run::run_for_caller(cx.app, &cx.db, cx.tenant, cx.now, now, cx.dry_run).await?;
        Ok(RunReply {
            status: Success,
            invoices_created: summary.invoices,
            subscriptions_closed: summary.closed,
            subscriptions_failed: summary.failed,
            now: wire::datetime(now),
        })
    }

    /// On a test tenant every webhook attempt due by the new clock is made
    /// before the call answers (after the run committed: SQLite has one writer).
    async fn after_commit(app: &std::sync::Arc<crate::service::AppState>, tenant: crate::db::ctx::TenantRef) {
        if !tenant.is_test {
            return;
        }
        if let Err(err) = super::webhook::objects::deliver_due_now(app, tenant).await {
            tracing::error!(error = %err, cause = ?err, "webhook deliveries after billing.run");
        }
    }
}
