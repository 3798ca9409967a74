//! Attempts: sign a stored body with the endpoint's secrets (both during a
//! rotation's overlap, by the tenant's clock), send it with the shared client,
//! and record what came of a round of attempts in one transaction: the
//! attempt rows, the next attempt by the schedule, and the endpoint disabled
//! on a 410 or after 5 days of failures (`webhook.disabled` in the timeline).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, NotSet, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::json;

use super::render::tenant_ref;
use crate::config::WebhookSettings;
use crate::error::{AppError, AppResult};
use crate::service::{AppState, events};
use crate::webhook::{Attempt, Client, Next, Outcome, Outgoing, Secret, Target, schedule, sign};
use entity::{tenant, webhook, webhook_attempt, webhook_delivery};

/// Deliveries sent per round of one endpoint.
const ROUND: u64 = 100;
/// A round stops sending after this long (the lease must outlive it).
const ROUND_TIME: Duration = Duration::from_secs(30);
/// How long a process holds an endpoint it delivers to (wall clock).
pub const LEASE: TimeDelta = TimeDelta::seconds(90);

/// The process's HTTP client for these settings (pools are shared).
fn client(settings: &WebhookSettings) -> AppResult<Client> {
    static CLIENTS: Mutex<Option<HashMap<u64, Client>>> = Mutex::new(None);
    let mut clients = CLIENTS.lock().map_err(|_| AppError::internal("webhook client lock poisoned"))?;
    let clients = clients.get_or_insert_with(HashMap::new);
    if let Some(client) = clients.get(&settings.timeout_seconds) {
        return Ok(client.clone());
    }
    let client = Client::from_settings(settings).map_err(AppError::internal)?;
    clients.insert(settings.timeout_seconds, client.clone());
    Ok(client)
}

/// The tenant's now: its test clock, or the wall clock.
pub fn tenant_now(app: &AppState, tenant: &tenant::Model) -> DateTime<Utc> {
    tenant.clock.filter(|_| tenant.is_test).unwrap_or_else(|| app.clock.now())
}

/// One attempt of `body` (event `event_id`) to `hook` at tenant time `now`.
pub async fn attempt(
    app: &AppState,
    hook: &webhook::Model,
    tenant: &tenant::Model,
    event_id: i64,
    body: &str,
    now: DateTime<Utc>,
) -> Attempt {
    let target = match Target::parse(&hook.url) {
        Ok(target) => target,
        Err(e) => return Attempt::no_answer(0, e.to_string()),
    };
    let Ok(secret) = Secret::parse(&hook.secret) else { return Attempt::no_answer(0, "unreadable secret".into()) };
    let previous = hook.previous_secret.as_deref().and_then(|s| Secret::parse(s).ok()).zip(hook.rotated_at);
    let secrets = sign::signing_secrets(&secret, previous.as_ref().map(|(s, at)| (s, *at)), now);
    let headers = sign::headers(&secrets, &sign::msg_id(event_id), app.clock.now().timestamp(), body.as_bytes());
    let allow_private = tenant.is_test || app.settings.webhooks.allow_private_targets;
    let client = match client(&app.settings.webhooks) {
        Ok(client) => client,
        Err(_) => return Attempt::no_answer(0, "no HTTP client".into()),
    };
    let body = Bytes::copy_from_slice(body.as_bytes());
    client.send(&Outgoing { target: &target, allow_private, headers: &headers, body }).await
}

/// Sends the due deliveries of endpoint `hook_id` (leased by the caller) in
/// event order and records them; answers how many were attempted.
pub async fn endpoint_round(app: &Arc<AppState>, hook_id: i64) -> AppResult<usize> {
    let read = &app.db.read;
    let reading = Instant::now();
    let Some(hook) = webhook::Entity::find_by_id(hook_id).one(read).await? else { return Ok(0) };
    let Some(tenant) = tenant::Entity::find_by_id(hook.tenant_id).one(read).await? else { return Ok(0) };
    let now = tenant_now(app, &tenant);
    let due = webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::WebhookId.eq(hook_id))
        .filter(webhook_delivery::Column::Status.eq("pending"))
        .filter(webhook_delivery::Column::NextAttempt.lte(now))
        .order_by_asc(webhook_delivery::Column::EventId)
        .limit(ROUND)
        .all(read)
        .await?;
    let read_us = reading.elapsed().as_micros();
    let started = Instant::now();
    let results = send_in_order(app, &hook, &tenant, now, due).await;
    let attempted = results.len();
    let sent_us = started.elapsed().as_micros();
    if attempted > 0 {
        record(app, &hook, &tenant, now, results).await?;
    }
    tracing::debug!(
        webhook_id = hook_id,
        attempted,
        read_us,
        sent_us,
        total_us = started.elapsed().as_micros(),
        "webhook endpoint round"
    );
    Ok(attempted)
}

/// Attempts `due` in event order, up to `webhooks.in_flight` awaiting an
/// answer at once while the endpoint answers 2xx, one at a time after a
/// failure; stops starting new ones after a 410 or `ROUND_TIME`. Answers the
/// attempts made, in event order.
async fn send_in_order(
    app: &AppState,
    hook: &webhook::Model,
    tenant: &tenant::Model,
    now: DateTime<Utc>,
    due: Vec<webhook_delivery::Model>,
) -> Vec<(webhook_delivery::Model, Attempt)> {
    use futures::StreamExt;
    let started = Instant::now();
    let widest = app.settings.webhooks.in_flight.max(1);
    let mut window = 1;
    let mut flying = futures::stream::FuturesOrdered::new();
    let mut results = Vec::with_capacity(due.len());
    let mut waiting = due.into_iter();
    let mut stopped = false;
    loop {
        while !stopped && flying.len() < window {
            let Some(d) = waiting.next() else { break };
            flying.push_back(async move {
                let result = attempt(app, hook, tenant, d.event_id, &d.body, now).await;
                (d, result)
            });
        }
        let Some((d, result)) = flying.next().await else { break };
        match result.outcome {
            Outcome::Delivered => window = widest,
            Outcome::Gone => stopped = true,
            _ => window = 1,
        }
        stopped |= started.elapsed() > ROUND_TIME;
        results.push((d, result));
    }
    results
}

/// A delivery's attempt count, status and next attempt after a round.
type AfterAttempt = (i32, &'static str, Option<DateTime<Utc>>);

/// Records a round: attempts, next steps, the endpoint's failure state.
pub async fn record(
    app: &Arc<AppState>,
    hook: &webhook::Model,
    tenant: &tenant::Model,
    now: DateTime<Utc>,
    results: Vec<(webhook_delivery::Model, Attempt)>,
) -> AppResult<()> {
    let txn = crate::db::begin_write(&app.db.write).await?;
    let mut failing = hook.failing_since;
    let mut gone = false;
    // Deliveries by what comes next (most of a round: delivered), so a round
    // costs a few statements, not two per delivery.
    let mut outcomes: Vec<(AfterAttempt, Vec<i64>)> = Vec::new();
    for (d, a) in &results {
        let n = u32::try_from(d.attempts).unwrap_or(0) + 1;
        let (status, next) = match schedule::after_attempt(n, now, a, d.id as u64) {
            Next::Delivered => ("delivered", None),
            Next::RetryAt(at) => ("pending", Some(at)),
            Next::Failed => ("failed", None),
            Next::Gone => ("failed", None),
        };
        let key = (i32::try_from(n).unwrap_or(i32::MAX), status, next);
        match outcomes.iter_mut().find(|(k, _)| *k == key) {
            Some((_, ids)) => ids.push(d.id),
            None => outcomes.push((key, vec![d.id])),
        }
        failing = schedule::failing_since(failing, a.outcome, now);
        gone |= a.outcome == Outcome::Gone;
    }
    insert_attempts(&txn, &results, now).await?;
    for ((attempts, status, next), ids) in outcomes {
        webhook_delivery::Entity::update_many()
            .col_expr(webhook_delivery::Column::Attempts, Expr::value(attempts))
            .col_expr(webhook_delivery::Column::Status, Expr::value(status))
            .col_expr(webhook_delivery::Column::NextAttempt, Expr::value(next))
            .filter(webhook_delivery::Column::Id.is_in(ids))
            .exec(&txn)
            .await?;
    }
    let reason = if gone {
        Some("the endpoint answered HTTP 410 Gone")
    } else if hook.enabled && schedule::should_disable(failing, now) {
        Some("every attempt failed for 5 days")
    } else {
        None
    };
    let mut active: webhook::ActiveModel = hook.clone().into();
    active.failing_since = Set(failing);
    active.lease_until = Set(Some(app.clock.now() + LEASE));
    active.update(&txn).await?;
    let ctx = app.txn_ctx(tenant_ref(tenant), now, txn);
    if let Some(reason) = reason.filter(|_| hook.enabled) {
        disable(&ctx, hook.id, reason).await?;
    }
    let crate::db::ctx::Ctx { db: txn, .. } = ctx;
    txn.commit().await?;
    Ok(())
}

/// Disables an endpoint: later events are `skipped`, pending ones too, and
/// the tenant's timeline says why.
async fn disable<C: ConnectionTrait>(ctx: &crate::db::ctx::Ctx<C>, hook_id: i64, reason: &str) -> AppResult<()> {
    webhook::Entity::update_many()
        .col_expr(webhook::Column::Enabled, Expr::value(false))
        .col_expr(webhook::Column::DisabledReason, Expr::value(reason))
        .filter(webhook::Column::Id.eq(hook_id))
        .exec(&ctx.db)
        .await?;
    webhook_delivery::Entity::update_many()
        .col_expr(webhook_delivery::Column::Status, Expr::value("skipped"))
        .col_expr(webhook_delivery::Column::NextAttempt, Expr::value(Option::<DateTime<Utc>>::None))
        .filter(webhook_delivery::Column::WebhookId.eq(hook_id))
        .filter(webhook_delivery::Column::Status.eq("pending"))
        .exec(&ctx.db)
        .await?;
    let data = json!({"WEBHOOK_ID": hook_id, "REASON": reason});
    events::append(ctx, "webhook", hook_id, "webhook.disabled", data).await?;
    tracing::warn!(webhook_id = hook_id, reason, "webhook endpoint disabled");
    Ok(())
}

/// The attempt rows of a round, in as few statements as the value limit allows.
async fn insert_attempts<C: ConnectionTrait>(
    db: &C,
    results: &[(webhook_delivery::Model, Attempt)],
    at: DateTime<Utc>,
) -> AppResult<()> {
    let rows: Vec<webhook_attempt::ActiveModel> = results.iter().map(|(d, a)| attempt_row(d, a, at)).collect();
    for piece in rows.chunks(crate::db::bulk::rows_per_statement(7)) {
        webhook_attempt::Entity::insert_many(piece.to_vec()).exec_without_returning(db).await?;
    }
    Ok(())
}

fn attempt_row(d: &webhook_delivery::Model, a: &Attempt, at: DateTime<Utc>) -> webhook_attempt::ActiveModel {
    webhook_attempt::ActiveModel {
        id: NotSet,
        tenant_id: Set(d.tenant_id),
        delivery_id: Set(d.id),
        at: Set(at),
        http_status: Set(a.http_status.map(i32::from)),
        duration_ms: Set(i64::try_from(a.duration_ms).unwrap_or(i64::MAX)),
        error: Set(a.error.clone()),
    }
}

/// One attempt row.
pub async fn insert_attempt<C: ConnectionTrait>(
    db: &C,
    d: &webhook_delivery::Model,
    a: &Attempt,
    at: DateTime<Utc>,
) -> AppResult<()> {
    let row = attempt_row(d, a, at);
    webhook_attempt::Entity::insert(row).exec(db).await?;
    Ok(())
}
