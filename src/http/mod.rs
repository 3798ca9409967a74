//! The HTTP side in front of jsonrpsee: routing of `/health`, `/ready`, `/metrics` and
//! hosted pages, and authentication of `POST /rpc` (and `POST /`), which puts
//! the caller into the request extensions for the method handlers, and the
//! FastBill-compatible endpoint (`fastbill`).

mod fastbill;
mod responses;
mod rpc_call;

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

use futures::FutureExt;
use http::{Method, StatusCode};
use jsonrpsee::server::{HttpBody, HttpRequest, HttpResponse};
use sea_orm::ConnectionTrait;
use tower::{Layer, Service};

use crate::auth::Principal;
use crate::service::AppState;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Layer for [`Gateway`].
#[derive(Clone, Debug)]
pub struct GatewayLayer {
    state: Arc<AppState>,
    requests: Arc<AtomicU64>,
    bypass: Option<Principal>,
    zones: Arc<fastbill::Zones>,
}

impl GatewayLayer {
    /// The gateway over `state`; `bypass` skips authentication (benchmark only).
    pub fn new(state: Arc<AppState>, bypass: Option<Principal>) -> Self {
        GatewayLayer { state, requests: Arc::new(AtomicU64::new(0)), bypass, zones: Arc::default() }
    }
}

impl<S> Layer<S> for GatewayLayer {
    type Service = Gateway<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Gateway {
            inner,
            state: self.state.clone(),
            requests: self.requests.clone(),
            bypass: self.bypass.clone(),
            zones: self.zones.clone(),
        }
    }
}

/// See the module docs.
#[derive(Clone, Debug)]
pub struct Gateway<S> {
    inner: S,
    state: Arc<AppState>,
    requests: Arc<AtomicU64>,
    bypass: Option<Principal>,
    zones: Arc<fastbill::Zones>,
}

impl<S> Service<HttpRequest<HttpBody>> for Gateway<S>
where
    S: Service<HttpRequest<HttpBody>, Response = HttpResponse> + Clone + Send + 'static,
    S::Error: Into<BoxError> + 'static,
    S::Future: Send + 'static,
{
    type Response = HttpResponse;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, BoxError>> + Send + 'static>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, request: HttpRequest<HttpBody>) -> Self::Future {
        let state = self.state.clone();
        let path = request.uri().path().to_owned();
        let method = request.method().clone();
        match (method, path.as_str()) {
            (Method::GET | Method::HEAD, "/health") => Box::pin(health(state)),
            (Method::GET | Method::HEAD, "/ready") => Box::pin(ready(state)),
            (Method::GET, "/metrics") => {
                let body = state.metrics.render();
                async move { Ok(responses::text(StatusCode::OK, "text/plain; version=0.0.4", body)) }.boxed()
            }
            (_, p) if p.starts_with("/hosted/") => {
                async move { Ok(crate::hosted::handle(state, request).await) }.boxed()
            }
            (_, "/" | "/rpc") => {
                // Take the service that was polled ready; leave a fresh clone behind.
                let clone = self.inner.clone();
                let inner = std::mem::replace(&mut self.inner, clone);
                let request_id = self.requests.fetch_add(1, Ordering::Relaxed) + 1;
                let call = rpc_call::RpcCall { state, bypass: self.bypass.clone(), request_id };
                Box::pin(call.serve(inner, request))
            }
            (_, fastbill::PATH) => {
                let request_id = self.requests.fetch_add(1, Ordering::Relaxed) + 1;
                let zones = self.zones.clone();
                let call = fastbill::FastBillCall { state, zones, bypass: self.bypass.clone(), request_id };
                Box::pin(call.serve(request))
            }
            _ => async move { Ok(responses::json(StatusCode::NOT_FOUND, r#"{"error":"not found"}"#.into())) }.boxed(),
        }
    }
}

/// Whether the database answers: a read of the migrations table, which (unlike
/// `SELECT 1`) has to read the database file itself.
async fn database_answers(state: &AppState) -> bool {
    if let Some(path) = sqlite_file(&state.settings.database.url) {
        // Not a plain open and read: closing the descriptor would drop this
        // process's SQLite locks (`db::file_probe`).
        if !crate::db::file_probe::holds_a_database(path) {
            tracing::error!(path, "health check failed: the SQLite file is not a database");
            return false;
        }
    }
    let backend = state.db.read.get_database_backend();
    let probe = sea_orm::Statement::from_string(backend, "SELECT COUNT(*) FROM seaql_migrations");
    match state.db.read.query_one(probe).await {
        Ok(_) => true,
        Err(err) => {
            tracing::error!(error = %err, "health check failed");
            false
        }
    }
}

/// The file of a `sqlite://path?...` URL (not for in-memory databases).
fn sqlite_file(url: &str) -> Option<&str> {
    let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = path.split('?').next()?;
    (!path.is_empty() && !path.contains(":memory:")).then_some(path)
}

async fn health(state: Arc<AppState>) -> Result<HttpResponse, BoxError> {
    Ok(if database_answers(&state).await {
        responses::json(StatusCode::OK, r#"{"status":"ok"}"#.into())
    } else {
        responses::json(StatusCode::SERVICE_UNAVAILABLE, r#"{"status":"unavailable"}"#.into())
    })
}

/// Ready to serve: migrated, the workers run, the database answers; 503
/// while starting or shutting down (load balancers stop sending then).
async fn ready(state: Arc<AppState>) -> Result<HttpResponse, BoxError> {
    let status = if !state.ready.load(Ordering::Acquire) {
        "starting_or_stopping"
    } else if !database_answers(&state).await {
        "unavailable"
    } else {
        return Ok(responses::json(StatusCode::OK, r#"{"status":"ready"}"#.into()));
    };
    Ok(responses::json(StatusCode::SERVICE_UNAVAILABLE, format!(r#"{{"status":"{status}"}}"#)))
}
