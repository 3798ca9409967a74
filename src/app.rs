//! `App::build(settings)`: the one way to start a gateway, used by `main` and
//! by the tests alike.

use std::net::SocketAddr;
use std::sync::Arc;

use jsonrpsee::server::middleware::rpc::RpcServiceBuilder;
use jsonrpsee::server::{BatchRequestConfig, Server, ServerConfig, ServerHandle};

use crate::auth::Principal;
use crate::cache;
use crate::clock::{Clock, SystemClock};
use crate::config::Settings;
use crate::http::GatewayLayer;
use crate::rpc::{dispatch, middleware::CallLayer};
use crate::service::AppState;
use crate::service::tenant::{self, NewTenant};
use crate::service::write_queue::WriteQueue;

/// Any failure while starting.
pub type BuildError = Box<dyn std::error::Error + Send + Sync>;

/// How to build an [`App`] beyond its settings. Not configuration: these are
/// for code (tests, the benchmark) only.
#[derive(Clone, Debug)]
pub struct Options {
    pub clock: Arc<dyn Clock>,
    /// Every request acts as this principal without checking a key. Only the
    /// benchmark's `ping-noauth` scenario sets it, to measure what auth costs.
    pub auth_bypass: Option<Principal>,
}

impl Default for Options {
    fn default() -> Self {
        Options { clock: Arc::new(SystemClock), auth_bypass: None }
    }
}

/// A running gateway.
#[derive(Debug)]
pub struct App {
    addr: SocketAddr,
    handle: ServerHandle,
    state: Arc<AppState>,
    /// The scheduled billing run; on shutdown it finishes its chunk in hand.
    scheduler: Option<tokio::task::JoinHandle<()>>,
    /// Other background tasks (write queue, cache poller, checkpoints): they
    /// hold no work of their own once the server has answered every call.
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl App {
    /// Connects, migrates, binds and starts serving, with the system clock.
    pub async fn build(settings: Settings) -> Result<App, BuildError> {
        Self::build_with(settings, Options::default()).await
    }

    /// Like [`App::build`] with an injected clock and, for benchmarks, auth bypassed.
    pub async fn build_with(mut settings: Settings, options: Options) -> Result<App, BuildError> {
        let clock = options.clock;
        let socket = std::net::TcpListener::bind(settings.server.bind.as_str())?;
        socket.set_nonblocking(true)?;
        let addr = socket.local_addr()?;
        if settings.server.public_url.is_empty() {
            // Links then point at whatever address was bound (tests bind port 0).
            settings.server.public_url = format!("http://{addr}");
        }
        let state = AppState::new(settings, clock, crate::rpc::method_names()).await?;
        let server = &state.settings.server;
        let config = ServerConfig::builder()
            .max_request_body_size(server.max_body_bytes)
            .max_response_body_size(u32::MAX)
            .max_connections(10_000)
            .set_batch_request_config(BatchRequestConfig::Unlimited)
            .http_only()
            .build();
        let http = tower::ServiceBuilder::new().layer(GatewayLayer::new(state.clone(), options.auth_bypass));
        let rpc = RpcServiceBuilder::new().layer(CallLayer { max_batch: server.max_batch });
        let listener = Server::builder()
            .set_config(config)
            .set_http_middleware(http)
            .set_rpc_middleware(rpc)
            .build_from_tcp(socket)?;
        let handle = listener.start(dispatch::module(state.clone())?);
        tracing::info!(%addr, "recur gateway listening");
        let mut poll = std::time::Duration::from_millis(state.settings.cache.poll_ms);
        let listener = cache::spawn_listener(state.objects.clone(), &state.settings.database.url);
        if listener.is_some() && !poll.is_zero() {
            // Notifications carry the news; the poller is only the fallback.
            poll = poll.max(std::time::Duration::from_secs(1));
        }
        let (queue, writer) = WriteQueue::start(Arc::downgrade(&state));
        let _ = state.writes.set(queue);
        let scheduler = crate::service::scheduler::spawn(state.clone());
        let tasks = [
            Some(writer),
            crate::service::mail::spawn(state.clone()),
            listener,
            crate::service::webhook::spawn(state.clone(), Arc::new(crate::rpc::webhook::WireObjects)),
            cache::spawn_poller(state.objects.clone(), state.db.read.clone(), poll),
            crate::db::checkpoint::spawn(
                state.db.read.clone(),
                std::time::Duration::from_millis(state.settings.database.sqlite_checkpoint_ms),
            ),
        ]
        .into_iter()
        .flatten()
        .collect();
        state.ready.store(true, std::sync::atomic::Ordering::Release);
        Ok(App { addr, handle, state, scheduler, tasks })
    }

    /// The bound address (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Shared state, for tools that act next to the server (CLI, tests).
    pub fn state(&self) -> Arc<AppState> {
        self.state.clone()
    }

    /// The server's handle (to wait for it to stop without giving up the app).
    pub fn handle(&self) -> ServerHandle {
        self.handle.clone()
    }

    /// Serves until the server is stopped.
    pub async fn run_until_stopped(self) {
        self.handle.clone().stopped().await;
    }

    /// Stops serving and waits until the server is down.
    pub async fn stop(self) {
        self.state.ready.store(false, std::sync::atomic::Ordering::Release);
        for task in self.scheduler.iter().chain(&self.tasks) {
            task.abort();
        }
        let _ = self.handle.stop();
        self.handle.clone().stopped().await;
    }

    /// Graceful shutdown: not ready, stop accepting, answer every call in
    /// flight, let a scheduled billing run finish the chunk in hand, stop
    /// the workers and checkpoint SQLite. The write queue needs no flush:
    /// whatever it holds belongs to a call in flight, which the server waits
    /// for before `stopped` resolves.
    pub async fn shutdown(mut self) {
        self.state.ready.store(false, std::sync::atomic::Ordering::Release);
        self.state.stopping.send_replace(true);
        let _ = self.handle.stop();
        self.handle.clone().stopped().await;
        if let Some(scheduler) = self.scheduler.take() {
            let _ = scheduler.await;
        }
        for task in self.tasks.drain(..) {
            task.abort();
        }
        crate::db::checkpoint::truncate(&self.state.db.write).await;
        tracing::info!("recur gateway stopped");
    }
}

/// On the first start with an empty database: tenant `default` and its admin key.
pub async fn bootstrap_default_tenant(state: &AppState) -> Result<Option<NewTenant>, BuildError> {
    if !tenant::none_exist(&state.db.write).await? {
        return Ok(None);
    }
    let hasher = state.keys.hasher();
    let created = tenant::create(&state.db.write, &hasher, "default", false, None, state.clock.now()).await?;
    Ok(Some(created))
}

impl Drop for App {
    fn drop(&mut self) {
        for task in self.scheduler.take().into_iter().chain(self.tasks.drain(..)) {
            task.abort();
        }
    }
}
