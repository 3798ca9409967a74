//! The context every use case and every billing step runs in: which tenant,
//! which instant, which connection (a pool for reads, a transaction for
//! writes), and the settings they read. Narrow on purpose: no pools, caches or
//! verifiers; what a front door needs besides this it keeps to itself.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use sea_orm::{DatabaseConnection, DatabaseTransaction};

use super::scope::{Scope, TenantId};
use crate::config::Settings;

/// The tenant a call acts for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TenantRef {
    pub id: TenantId,
    pub is_test: bool,
}

/// Who, when, on which connection.
pub struct Ctx<C> {
    pub tenant: TenantRef,
    /// "Now" for this call: the system clock, or a test tenant's own clock.
    pub now: DateTime<Utc>,
    pub db: C,
    /// True when the write will be rolled back (`DRY_RUN`).
    pub dry_run: bool,
    pub settings: Arc<Settings>,
    /// Work to do once the transaction has committed (cache evictions).
    pub after_commit: AfterCommit,
    /// Reads by id lock their row (set by the transaction helper for writes).
    pub lock_rows: bool,
}

impl<C> Ctx<C> {
    /// A context on `db` for `tenant` at `now`.
    pub fn new(tenant: TenantRef, now: DateTime<Utc>, db: C, settings: Arc<Settings>) -> Ctx<C> {
        Ctx { tenant, now, db, dry_run: false, settings, after_commit: AfterCommit::default(), lock_rows: false }
    }
}

/// Actions that must wait for the commit: done too early, a concurrent call
/// could see the old state and cache it again.
#[derive(Default)]
pub struct AfterCommit(Mutex<Vec<Box<dyn FnOnce() + Send>>>);

impl AfterCommit {
    /// Queues `action` for after the commit.
    pub fn push(&self, action: impl FnOnce() + Send + 'static) {
        if let Ok(mut actions) = self.0.lock() {
            actions.push(Box::new(action));
        }
    }

    /// Runs the queued actions (after a successful commit).
    pub fn run(self) {
        if let Ok(actions) = self.0.into_inner() {
            for action in actions {
                action();
            }
        }
    }
}

/// A read: runs on the read pool, outside any transaction.
pub type ReadCtx = Ctx<DatabaseConnection>;

/// A write: runs inside its own transaction.
pub type WriteCtx = Ctx<DatabaseTransaction>;

impl<C> Scope for Ctx<C> {
    fn tenant_id(&self) -> TenantId {
        self.tenant.id
    }

    fn locks_rows(&self) -> bool {
        self.lock_rows
    }
}
