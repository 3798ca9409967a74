//! What a running gateway shares between requests: settings, pools, clock,
//! key verifier, metrics, rate limiter, the object cache and the write queue.
//! Built once by [`AppState::new`] for `serve`, `bill`, `bench` and the tests.

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Utc};
use sea_orm::{DatabaseConnection, DatabaseTransaction};

use super::write_queue::WriteQueue;
use crate::auth::KeyVerifier;
use crate::cache::ObjectCache;
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::Db;
use crate::db::ctx::{Ctx, TenantRef};
use crate::error::AppResult;
use crate::metrics::Metrics;
use crate::rate_limit::RateLimiter;

/// Shared state of one running gateway.
#[derive(Debug)]
pub struct AppState {
    pub settings: Arc<Settings>,
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub keys: KeyVerifier,
    pub metrics: Metrics,
    pub limiter: RateLimiter,
    /// Serialized subscriptions for reads by id (see `cache`).
    pub objects: Arc<ObjectCache>,
    /// Groups concurrent creates and usage bookings; set once the app runs.
    pub writes: OnceLock<WriteQueue>,
    /// True while the gateway serves with its workers running (`GET /ready`).
    pub ready: AtomicBool,
    /// Set once on shutdown; long work (a scheduled billing run) stops at
    /// its next chunk boundary, loops waiting on it end.
    pub stopping: tokio::sync::watch::Sender<bool>,
}

impl AppState {
    /// Connects to the database, applies pending migrations and builds the
    /// shared parts. `methods` names the methods metrics count.
    pub async fn new(
        settings: Settings,
        clock: Arc<dyn Clock>,
        methods: impl IntoIterator<Item = &'static str>,
    ) -> AppResult<Arc<AppState>> {
        let db = Db::connect(&settings.database).await?;
        db.migrate().await?;
        Ok(Arc::new(AppState {
            keys: KeyVerifier::new(&settings.auth)?,
            metrics: Metrics::new(methods),
            limiter: RateLimiter::new(settings.server.rate_limit_per_second, settings.server.rate_limit_burst),
            objects: Arc::new(ObjectCache::new(settings.cache.subscription_entries)),
            writes: OnceLock::new(),
            ready: AtomicBool::new(false),
            stopping: tokio::sync::watch::Sender::new(false),
            settings: Arc::new(settings),
            db,
            clock,
        }))
    }

    /// True once shutdown has begun.
    pub fn is_stopping(&self) -> bool {
        *self.stopping.borrow()
    }

    /// A context on the read pool.
    pub fn read_ctx(&self, tenant: TenantRef, now: DateTime<Utc>) -> Ctx<DatabaseConnection> {
        Ctx::new(tenant, now, self.db.read.clone(), self.settings.clone())
    }

    /// A context on the write pool, for work that opens its own transactions.
    pub fn action_ctx(&self, tenant: TenantRef, now: DateTime<Utc>) -> Ctx<DatabaseConnection> {
        Ctx::new(tenant, now, self.db.write.clone(), self.settings.clone())
    }

    /// A context inside `txn`.
    pub fn txn_ctx(&self, tenant: TenantRef, now: DateTime<Utc>, txn: DatabaseTransaction) -> Ctx<DatabaseTransaction> {
        Ctx::new(tenant, now, txn, self.settings.clone())
    }
}
