//! `webhook.getdeliveries`, `webhook.redeliver` and `webhook.test`.

use schemars::JsonSchema;
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};

use super::super::params::{Id, NoTags};
use super::super::table::{Action, Call, Cx, Method, Read, ReadCx, Write, WriteCx};
use super::super::wire::{self, List, Listed, Success};
use super::objects::WireObjects;
use crate::error::{AppError, AppResult};
use crate::service::webhook::deliveries::{self, DeliveryFilter};

/// `webhook.getdeliveries`.
pub struct GetDeliveries;

/// `FILTER` of `webhook.getdeliveries`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct DeliveriesFilter {
    webhook_id: Option<Id>,
    event_id: Option<Id>,
    /// pending, delivered, failed or skipped.
    status: Option<String>,
}

/// One attempt of a delivery.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct AttemptOut {
    /// Tenant clock.
    at: String,
    http_status: Option<i32>,
    duration_ms: i64,
    error: Option<String>,
}

/// One delivery as `webhook.getdeliveries` lists it.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct DeliveryOut {
    delivery_id: i64,
    webhook_id: i64,
    event_id: i64,
    #[serde(rename = "TYPE")]
    kind: String,
    status: String,
    attempts: Vec<AttemptOut>,
    next_attempt: Option<String>,
}

impl Listed for DeliveryOut {
    const KEY: &'static str = "DELIVERIES";
}

impl Method for GetDeliveries {
    const NAME: &'static str = "webhook.getdeliveries";
    const SUMMARY: &'static str = "Deliveries of events to endpoints, with their attempts.";
    type Filter = DeliveriesFilter;
    type Data = NoTags;
    type Reply = List<DeliveryOut>;
}

impl Read for GetDeliveries {
    async fn run(cx: ReadCx<'_>, call: Call<DeliveriesFilter, NoTags>) -> AppResult<List<DeliveryOut>> {
        let f = call.filter;
        let status = match f.status.map(|s| s.to_ascii_lowercase()) {
            Some(s) if !matches!(s.as_str(), "pending" | "delivered" | "failed" | "skipped") => {
                return Err(AppError::invalid("STATUS", "must be pending, delivered, failed or skipped"));
            }
            other => other,
        };
        let filter =
            DeliveryFilter { webhook_id: f.webhook_id.map(|i| i.0), event_id: f.event_id.map(|i| i.0), status };
        // Deliveries and their attempts from one snapshot: read apart, a round
        // recorded between the two reads showed its attempts beside the
        // deliveries as they were before it.
        let txn = snapshot(&cx.ctx.db).await?;
        let read = cx.app.txn_ctx(cx.ctx.tenant, cx.ctx.now, txn);
        let rows = deliveries::list(&read, filter, call.limit, call.offset).await?;
        read.db.rollback().await?;
        Ok(List::of(
            rows.into_iter()
                .map(|(d, attempts)| DeliveryOut {
                    delivery_id: d.id,
                    webhook_id: d.webhook_id,
                    event_id: d.event_id,
                    kind: d.event_type,
                    status: d.status,
                    attempts: attempts
                        .into_iter()
                        .map(|a| AttemptOut {
                            at: wire::datetime(a.at),
                            http_status: a.http_status,
                            duration_ms: a.duration_ms,
                            error: a.error,
                        })
                        .collect(),
                    next_attempt: wire::opt_datetime(d.next_attempt),
                })
                .collect(),
        ))
    }
}

/// `webhook.redeliver`.
pub struct Redeliver;

/// `DATA` of `webhook.redeliver`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct RedeliverData {
    delivery_id: Option<Id>,
    /// Every delivery of this event (of WEBHOOK_ID only, when given).
    event_id: Option<Id>,
    webhook_id: Option<Id>,
}

/// What `webhook.redeliver` answers.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct RedeliverReply {
    status: Success,
    delivery_ids: Vec<i64>,
}

impl Method for Redeliver {
    const NAME: &'static str = "webhook.redeliver";
    const SUMMARY: &'static str = "Queues a new attempt now, also of a failed or skipped delivery.";
    const ERRORS: &'static [i32] = &[1004];
    type Filter = NoTags;
    type Data = RedeliverData;
    type Reply = RedeliverReply;
}

impl Write for Redeliver {
    async fn run(cx: WriteCx<'_>, call: Call<NoTags, RedeliverData>) -> AppResult<RedeliverReply> {
        let d = call.data;
        let id = |i: Option<Id>| i.map(|i| i.0);
        let ids = deliveries::redeliver(&cx, id(d.delivery_id), id(d.event_id), id(d.webhook_id)).await?;
        Ok(RedeliverReply { status: Success, delivery_ids: ids })
    }
}

/// `webhook.test`.
pub struct Test;

/// `DATA` of `webhook.test`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct TestData {
    webhook_id: Id,
}

/// What `webhook.test` answers: the attempt.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct TestReply {
    status: Success,
    event_id: Option<i64>,
    delivery_id: Option<i64>,
    /// The receiver's status; null when no answer came.
    http_status: Option<u16>,
    duration_ms: u64,
    error: Option<String>,
}

impl Method for Test {
    const NAME: &'static str = "webhook.test";
    const SUMMARY: &'static str = "Sends a webhook.test event now and answers the attempt.";
    const ERRORS: &'static [i32] = &[1004];
    type Filter = NoTags;
    type Data = TestData;
    type Reply = TestReply;
}

impl Action for Test {
    async fn run<C: crate::db::Conn>(cx: Cx<'_, C>, call: Call<NoTags, TestData>) -> AppResult<TestReply> {
        if cx.dry_run {
            crate::service::webhook::endpoints::one(cx.ctx, call.data.webhook_id.0).await?;
            let error = Some("DRY_RUN: nothing sent".to_owned());
            return Ok(TestReply {
                status: Success,
                event_id: None,
                delivery_id: None,
                http_status: None,
                duration_ms: 0,
                error,
            });
        }
        let tested = deliveries::test(cx.app, cx.ctx, &WireObjects, call.data.webhook_id.0).await?;
        Ok(TestReply {
            status: Success,
            event_id: Some(tested.event_id),
            delivery_id: Some(tested.delivery_id),
            http_status: tested.attempt.http_status,
            duration_ms: tested.attempt.duration_ms,
            error: tested.attempt.error,
        })
    }
}

/// A read-only transaction that sees one snapshot for all its statements
/// (PostgreSQL: REPEATABLE READ; SQLite: a WAL read transaction is one).
async fn snapshot(db: &sea_orm::DatabaseConnection) -> AppResult<sea_orm::DatabaseTransaction> {
    use sea_orm::{AccessMode, DbBackend, IsolationLevel, TransactionTrait};
    Ok(match db.get_database_backend() {
        DbBackend::Postgres => {
            db.begin_with_config(Some(IsolationLevel::RepeatableRead), Some(AccessMode::ReadOnly)).await?
        }
        _ => db.begin().await?,
    })
}
