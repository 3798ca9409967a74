//! Runs one call: scope check, envelope, clock, then the handler on the read
//! pool or inside a write transaction with idempotency and dry runs. Every call
//! is timed and counted here, so batch entries are measured one by one.

use std::sync::Arc;
use std::time::Instant;

use jsonrpsee::types::{ErrorObjectOwned, Params};
use jsonrpsee::{Extensions, RpcModule};
use sea_orm::TransactionTrait;

use super::envelope::{Envelope, EnvelopeLimits};
use super::{ActionFn, Handler, METHODS, MethodSpec, ReadFn, Reply, Scope, WriteFn};
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::service::{AfterCommit, Ctx, TenantRef, idempotency, tenant};
use crate::state::AppState;

/// Per-HTTP-request data the gateway hands to every call of that request.
#[derive(Clone, Debug, Default)]
pub struct RequestMeta {
    /// Log correlation id of the HTTP request.
    pub request_id: u64,
    /// The `Idempotency-Key` header; only single calls use it.
    pub idempotency_key: Option<String>,
}

/// The jsonrpsee module with every method of the table.
pub fn module(state: Arc<AppState>) -> Result<RpcModule<AppState>, jsonrpsee::core::RegisterMethodError> {
    let mut module = RpcModule::from_arc(state);
    for spec in METHODS {
        module.register_async_method(spec.name, move |params, state, extensions| {
            dispatch(spec, params, state, extensions)
        })?;
    }
    Ok(module)
}

async fn dispatch(
    spec: &'static MethodSpec,
    params: Params<'static>,
    state: Arc<AppState>,
    extensions: Extensions,
) -> Result<Reply, ErrorObjectOwned> {
    let started = Instant::now();
    let meta = extensions.get::<RequestMeta>().cloned().unwrap_or_default();
    let result = run(spec, params, &state, &extensions, &meta).await;
    let elapsed = started.elapsed();
    state.metrics.observe(spec.name, result.as_ref().err().map(AppError::code), elapsed);
    match result {
        Ok(reply) => {
            tracing::debug!(
                method = spec.name,
                request_id = meta.request_id,
                elapsed_us = elapsed.as_micros() as u64,
                "call"
            );
            Ok(reply)
        }
        Err(err) => {
            if let AppError::Internal(cause) = &err {
                tracing::error!(method = spec.name, request_id = meta.request_id, error = %cause, "internal error");
            } else {
                tracing::debug!(method = spec.name, request_id = meta.request_id, code = err.code(), "refused");
            }
            Err(err.to_error_object())
        }
    }
}

async fn run(
    spec: &'static MethodSpec,
    params: Params<'static>,
    state: &Arc<AppState>,
    extensions: &Extensions,
    meta: &RequestMeta,
) -> AppResult<Reply> {
    let principal = extensions.get::<Principal>().ok_or(AppError::Unauthorized)?;
    state.limiter.check(principal.key_id, Instant::now()).map_err(|_| AppError::RateLimited)?;
    if spec.scope == Scope::Admin && !principal.admin {
        return Err(AppError::Forbidden(format!("{} needs an admin key", spec.name)));
    }
    let limits =
        EnvelopeLimits { max_depth: state.settings.server.max_json_depth, max_limit: state.settings.server.max_limit };
    let mut envelope = Envelope::parse(params.as_str(), limits)?;
    let tenant = TenantRef { id: principal.tenant, is_test: principal.is_test };
    match spec.handler {
        Handler::Read(handler) => run_read(handler, state, tenant, &mut envelope).await,
        Handler::Write(handler) => {
            let header_key = meta.idempotency_key.clone();
            run_write(spec, WriteKind::Transaction(handler), state, tenant, envelope, header_key).await
        }
        Handler::Action(handler) => {
            let header_key = meta.idempotency_key.clone();
            run_write(spec, WriteKind::Action(handler), state, tenant, envelope, header_key).await
        }
    }
}

async fn run_read(
    handler: ReadFn,
    state: &Arc<AppState>,
    tenant: TenantRef,
    envelope: &mut Envelope,
) -> AppResult<Reply> {
    if envelope.idempotency_key.is_some() || envelope.dry_run {
        return Err(AppError::InvalidParams {
            message: "IDEMPOTENCY_KEY and DRY_RUN apply to writes only".into(),
            tag: Some(if envelope.dry_run { "DRY_RUN" } else { "IDEMPOTENCY_KEY" }.into()),
        });
    }
    let ctx = Ctx {
        tenant,
        now: tenant::now_of(state, tenant).await?,
        db: state.db.read.clone(),
        state: state.clone(),
        dry_run: false,
        after_commit: AfterCommit::default(),
    };
    let reply = handler(&ctx, envelope).await?;
    envelope.finish()?;
    Ok(reply)
}

/// A write runs in one transaction; an action opens its own.
#[derive(Clone, Copy)]
enum WriteKind {
    Transaction(WriteFn),
    Action(ActionFn),
}

async fn run_write(
    spec: &MethodSpec,
    kind: WriteKind,
    state: &Arc<AppState>,
    tenant: TenantRef,
    mut envelope: Envelope,
    header_key: Option<String>,
) -> AppResult<Reply> {
    if envelope.limit.is_some() || envelope.offset.is_some() {
        return Err(AppError::InvalidParams {
            message: format!("{} is a write: LIMIT and OFFSET do not apply", spec.name),
            tag: Some(if envelope.limit.is_some() { "LIMIT" } else { "OFFSET" }.into()),
        });
    }
    let key = envelope.idempotency_key.clone().or(header_key);
    if let (Some(bulk), None, false, Some(queue)) = (spec.bulk, &key, envelope.dry_run, state.writes.get()) {
        // Parsed and queued before any await, so batch entries keep their order.
        let job = bulk.parse(&mut envelope)?;
        let done = queue.submit(tenant, job).await?;
        return bulk.reply(&done);
    }
    let now = tenant::now_of(state, tenant).await?;
    let claim = match (&key, envelope.dry_run) {
        (Some(key), false) => {
            let fingerprint = envelope.fingerprint(spec.name);
            let claimed = idempotency::claim(
                &state.db.write,
                &state.settings.idempotency,
                tenant.id,
                key,
                &fingerprint,
                state.clock.now(),
            )
            .await?;
            match claimed {
                idempotency::Claim::Replay(stored) => {
                    return serde_json::value::RawValue::from_string(stored)
                        .map_err(|e| AppError::internal(e.to_string()));
                }
                idempotency::Claim::Fresh(record_id) => Some(record_id),
            }
        }
        _ => None,
    };
    let outcome = match kind {
        WriteKind::Transaction(handler) => write_transaction(handler, state, tenant, now, &mut envelope, claim).await,
        WriteKind::Action(handler) => run_action(handler, state, tenant, now, &mut envelope, claim).await,
    };
    if outcome.is_err() {
        if let Some(record_id) = claim {
            if let Err(err) = idempotency::release(&state.db.write, record_id).await {
                tracing::error!(error = %err, "could not release an idempotency claim");
            }
        }
    }
    outcome
}

async fn write_transaction(
    handler: WriteFn,
    state: &Arc<AppState>,
    tenant: TenantRef,
    now: chrono::DateTime<chrono::Utc>,
    envelope: &mut Envelope,
    claim: Option<i64>,
) -> AppResult<Reply> {
    let txn = state.db.write.begin().await?;
    let ctx = Ctx {
        tenant,
        now,
        db: txn,
        state: state.clone(),
        dry_run: envelope.dry_run,
        after_commit: AfterCommit::default(),
    };
    let result = match handler(&ctx, envelope).await {
        Ok(reply) => envelope.finish().map(|_| reply),
        Err(err) => Err(err),
    };
    let Ctx { db: txn, after_commit, .. } = ctx;
    let reply = match result {
        Ok(reply) => reply,
        Err(err) => {
            txn.rollback().await?;
            return Err(err);
        }
    };
    if envelope.dry_run {
        txn.rollback().await?;
        return Ok(reply);
    }
    if let Some(record_id) = claim {
        idempotency::complete(&txn, record_id, reply.get()).await?;
    }
    txn.commit().await?;
    state.objects.bump();
    after_commit.run();
    Ok(reply)
}

/// Actions commit their own work; the idempotency result is stored after it.
async fn run_action(
    handler: ActionFn,
    state: &Arc<AppState>,
    tenant: TenantRef,
    now: chrono::DateTime<chrono::Utc>,
    envelope: &mut Envelope,
    claim: Option<i64>,
) -> AppResult<Reply> {
    let ctx = Ctx {
        tenant,
        now,
        db: state.db.write.clone(),
        state: state.clone(),
        dry_run: envelope.dry_run,
        after_commit: AfterCommit::default(),
    };
    let outcome = handler(&ctx, envelope).await;
    // An action commits as it goes; whatever it did, cached objects may be stale.
    state.objects.bump();
    let reply = outcome?;
    envelope.finish()?;
    if let Some(record_id) = claim {
        idempotency::complete(&state.db.write, record_id, reply.get()).await?;
    }
    ctx.after_commit.run();
    Ok(reply)
}
