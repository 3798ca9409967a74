//! Runs one call: scope and rate limit, the envelope, then the method on the
//! read pool, inside its own transaction (with idempotency and dry runs), or
//! as an action. Every call is timed and counted here, so batch entries are
//! measured one by one.

mod claims;

use std::sync::Arc;
use std::time::Instant;

use futures::FutureExt;
use futures::future::BoxFuture;
use jsonrpsee::types::{ErrorObjectOwned, Params};
use jsonrpsee::{Extensions, RpcModule};

use claims::{Claimed, claim, release_on_error};

use super::envelope::{Envelope, EnvelopeLimits};
use super::params::decode;
use super::table::{Action, Call, Cx, Grouped, Method, MethodSpec, Read, Scope, Write};
use super::{Reply, wire};
use crate::auth::Principal;
use crate::db::ctx::TenantRef;
use crate::error::{AppError, AppResult, panics_as_errors};
use crate::service::tx::{self, Outcome};
use crate::service::{AppState, idempotency, tenant};

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
    for spec in super::methods() {
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
    let meta = extensions.get::<RequestMeta>().cloned().unwrap_or_default();
    call(spec, params.as_str(), state, extensions.get::<Principal>(), &meta).await.map_err(Into::into)
}

/// Runs one call of `spec` with the raw params text for `principal`: timed,
/// counted and logged. Every front door (`/rpc`, the FastBill endpoint) runs
/// methods through here, so a method has exactly one implementation.
pub async fn call(
    spec: &'static MethodSpec,
    params: Option<&str>,
    state: Arc<AppState>,
    principal: Option<&Principal>,
    meta: &RequestMeta,
) -> AppResult<Reply> {
    let started = Instant::now();
    let result = match admit(spec, params, &state, principal) {
        // A panic answers -32603 instead of dropping the connection and its batch's other answers.
        Ok((tenant, envelope)) => {
            panics_as_errors((spec.handler)(state.clone(), tenant, envelope, meta.idempotency_key.clone())).await
        }
        Err(err) => Err(err),
    };
    let elapsed = started.elapsed();
    state.metrics.observe(spec.name, result.as_ref().err().map(AppError::code), elapsed);
    match &result {
        Ok(_) => {
            tracing::debug!(
                method = spec.name,
                request_id = meta.request_id,
                elapsed_us = elapsed.as_micros() as u64,
                "call"
            );
        }
        Err(err) => {
            if let AppError::Internal(cause) = err {
                tracing::error!(method = spec.name, request_id = meta.request_id, error = %cause, cause = ?cause, "internal error");
            } else {
                tracing::debug!(method = spec.name, request_id = meta.request_id, code = err.code(), "refused");
            }
        }
    }
    result
}

/// Who calls and with what envelope; refusals that need no database.
fn admit(
    spec: &MethodSpec,
    params: Option<&str>,
    state: &AppState,
    principal: Option<&Principal>,
) -> AppResult<(TenantRef, Envelope)> {
    let principal = principal.ok_or(AppError::Unauthorized)?;
    state.limiter.check(principal.key_id, Instant::now()).map_err(|_| AppError::RateLimited)?;
    if spec.scope == Scope::Admin && !principal.admin {
        return Err(AppError::Forbidden(format!("{} needs an admin key", spec.name)));
    }
    let server = &state.settings.server;
    let limits = EnvelopeLimits { max_depth: server.max_json_depth, max_limit: server.max_limit };
    let envelope = Envelope::parse(params, limits)?;
    if spec.writes() {
        if envelope.limit.is_some() || envelope.offset.is_some() {
            return Err(AppError::invalid(
                if envelope.limit.is_some() { "LIMIT" } else { "OFFSET" },
                format!("{} is a write: LIMIT and OFFSET do not apply", spec.name),
            ));
        }
    } else if envelope.idempotency_key.is_some() || envelope.dry_run {
        return Err(AppError::InvalidParams {
            message: "IDEMPOTENCY_KEY and DRY_RUN apply to writes only".into(),
            tag: Some(if envelope.dry_run { "DRY_RUN" } else { "IDEMPOTENCY_KEY" }.into()),
        });
    }
    Ok((TenantRef { id: principal.tenant, is_test: principal.is_test }, envelope))
}

/// Decodes the envelope's FILTER and DATA into the method's types.
fn call_of<M: Method>(envelope: &mut Envelope) -> AppResult<Call<M::Filter, M::Data>> {
    Ok(Call {
        filter: decode("FILTER", std::mem::take(&mut envelope.filter))?,
        data: decode("DATA", std::mem::take(&mut envelope.data))?,
        limit: envelope.limit(),
        offset: envelope.offset(),
    })
}

/// Runs a read on the read pool.
pub fn run_read<M: Read>(
    app: Arc<AppState>,
    tenant: TenantRef,
    mut envelope: Envelope,
    _header_key: Option<String>,
) -> BoxFuture<'static, AppResult<Reply>> {
    async move {
        let call = call_of::<M>(&mut envelope)?;
        let now = tenant::now_of(&app, tenant).await?;
        let ctx = app.read_ctx(tenant, now);
        let reply = M::run(Cx { ctx: &ctx, app: &app }, call).await?;
        wire::reply(&reply)
    }
    .boxed()
}

/// What a write starts from: its decoded call, the tenant's now and its
/// idempotency claim; or, for a retry, the stored answer.
enum Start<F, D> {
    Replay(Reply),
    Fresh { call: Call<F, D>, now: chrono::DateTime<chrono::Utc>, claim: Option<i64> },
}

async fn start<M: Method>(
    app: &AppState,
    tenant: TenantRef,
    envelope: &mut Envelope,
    header_key: Option<String>,
) -> AppResult<Start<M::Filter, M::Data>> {
    let call = call_of::<M>(envelope)?;
    let now = tenant::now_of(app, tenant).await?;
    let key = envelope.idempotency_key.clone().or(header_key);
    Ok(match claim(app, tenant, key.as_deref(), envelope, M::NAME).await? {
        Claimed::Replay(reply) => Start::Replay(reply),
        Claimed::Fresh(claim) => Start::Fresh { call, now, claim },
    })
}

/// Runs a write in a transaction of its own; an idempotent retry answers the
/// stored result, a dry run rolls back.
pub fn run_write<M: Write>(
    app: Arc<AppState>,
    tenant: TenantRef,
    mut envelope: Envelope,
    header_key: Option<String>,
) -> BoxFuture<'static, AppResult<Reply>> {
    async move {
        let (call, now, claim) = match start::<M>(&app, tenant, &mut envelope, header_key).await? {
            Start::Replay(reply) => return Ok(reply),
            Start::Fresh { call, now, claim } => (call, now, claim),
        };
        let outcome = if envelope.dry_run { Outcome::RollBack } else { Outcome::Commit };
        let shared = app.clone();
        let result = tx::write(&app, tenant, now, outcome, move |ctx| {
            async move {
                let reply = wire::reply(&M::run(Cx { ctx, app: &shared }, call).await?)?;
                if let Some(record_id) = claim {
                    idempotency::complete(&ctx.db, record_id, reply.get()).await?;
                }
                Ok(reply)
            }
            .boxed()
        })
        .await;
        release_on_error(&app, claim, &result).await;
        result
    }
    .boxed()
}

/// Runs a write the queue may group with concurrent calls of its kind; with an
/// idempotency key or as a dry run it takes the one-by-one path.
pub fn run_grouped<M: Grouped>(
    app: Arc<AppState>,
    tenant: TenantRef,
    mut envelope: Envelope,
    header_key: Option<String>,
) -> BoxFuture<'static, AppResult<Reply>> {
    let queue = app.writes.get().cloned();
    match queue {
        Some(queue) if envelope.idempotency_key.is_none() && header_key.is_none() && !envelope.dry_run => {
            // Decoded and queued before any await, so batch entries keep their order.
            let job = call_of::<M>(&mut envelope).and_then(|call| M::job(call.data));
            async move {
                let done = queue.submit(tenant, job?).await?;
                wire::reply(&M::answer(done)?)
            }
            .boxed()
        }
        _ => run_write::<M>(app, tenant, envelope, header_key),
    }
}

/// Runs an action: it commits its own work. With an idempotency key it runs
/// inside one transaction that also stores its answer, so a failure leaves
/// nothing behind and a stored answer always belongs to committed work.
pub fn run_action<M: Action>(
    app: Arc<AppState>,
    tenant: TenantRef,
    mut envelope: Envelope,
    header_key: Option<String>,
) -> BoxFuture<'static, AppResult<Reply>> {
    async move {
        let (call, now, claim) = match start::<M>(&app, tenant, &mut envelope, header_key).await? {
            Start::Replay(reply) => return Ok(reply),
            Start::Fresh { call, now, claim } => (call, now, claim),
        };
        let result = match claim {
            None => {
                let mut ctx = app.action_ctx(tenant, now);
                ctx.dry_run = envelope.dry_run;
                let outcome = M::run(Cx { ctx: &ctx, app: &app }, call).await.and_then(|r| wire::reply(&r));
                if outcome.is_ok() {
                    ctx.after_commit.run();
                }
                outcome
            }
            Some(record_id) => {
                let txn = crate::db::begin_write(&app.db.write).await?;
                let ctx = app.txn_ctx(tenant, now, txn);
                let outcome = M::run(Cx { ctx: &ctx, app: &app }, call).await.and_then(|r| wire::reply(&r));
                let outcome = match outcome {
                    Ok(reply) => idempotency::complete(&ctx.db, record_id, reply.get()).await.map(|()| reply),
                    Err(err) => Err(err),
                };
                let crate::db::ctx::Ctx { db: txn, after_commit, .. } = ctx;
                match outcome {
                    Ok(reply) => {
                        txn.commit().await?;
                        after_commit.run();
                        Ok(reply)
                    }
                    Err(err) => {
                        txn.rollback().await?;
                        Err(err)
                    }
                }
            }
        };
        // An action commits as it goes; whatever it did, cached objects may be stale.
        app.objects.bump();
        if result.is_ok() && !envelope.dry_run {
            M::after_commit(&app, tenant).await;
        }
        release_on_error(&app, claim, &result).await;
        result
    }
    .boxed()
}
