//! Use cases, one function each, one transaction each. Services take a context
//! (tenant, clock reading, connection) and typed inputs; they know no JSON tags.

pub mod article;
pub mod customer;
pub mod events;
pub mod idempotency;
pub mod invoice;
pub mod keys;
pub mod quote;
pub mod subscription;
pub mod tenant;
pub mod usage;
pub mod write_queue;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use sea_orm::{DatabaseConnection, DatabaseTransaction};

use crate::db::scope::{Scope, TenantId};
use crate::state::AppState;

/// The tenant a call acts for.
#[derive(Clone, Copy, Debug)]
pub struct TenantRef {
    pub id: TenantId,
    pub is_test: bool,
}

/// Everything a use case needs: who, when, and which connection.
pub struct Ctx<C> {
    pub tenant: TenantRef,
    /// "Now" for this call: the system clock, or a test tenant's own clock.
    pub now: DateTime<Utc>,
    pub db: C,
    pub state: Arc<AppState>,
    /// True when the write will be rolled back (`DRY_RUN`).
    pub dry_run: bool,
    /// Work to do once the transaction has committed (cache evictions).
    pub after_commit: AfterCommit,
}

/// Actions that must wait for the commit: done too early, a concurrent call
/// could see the old state and cache it again.
#[derive(Default)]
pub struct AfterCommit(std::sync::Mutex<Vec<Box<dyn FnOnce() + Send>>>);

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

/// An action: a write on the write pool that opens its own transactions.
pub type ActionCtx = Ctx<DatabaseConnection>;

impl<C> Scope for Ctx<C> {
    fn tenant_id(&self) -> TenantId {
        self.tenant.id
    }
}
