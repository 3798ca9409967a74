//! What every request can reach: settings, pools, clock, key verifier, metrics.

use std::sync::Arc;

use crate::auth::KeyVerifier;
use crate::cache::ObjectCache;
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::Db;
use crate::metrics::Metrics;
use crate::rate_limit::RateLimiter;
use crate::service::write_queue::WriteQueue;

/// Shared state of one running gateway.
#[derive(Debug)]
pub struct AppState {
    pub settings: Settings,
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub keys: KeyVerifier,
    pub metrics: Metrics,
    pub limiter: RateLimiter,
    /// Serialized subscriptions for reads by id (see `cache`).
    pub objects: Arc<ObjectCache>,
    /// Groups concurrent creates and usage bookings; set once the app runs.
    pub writes: std::sync::OnceLock<WriteQueue>,
}
