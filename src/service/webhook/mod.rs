//! Webhooks on top of the delivery core in `crate::webhook`: endpoints
//! (`webhook.*`), the outbox (the `event` table, fanned out into one delivery
//! per matching endpoint by a cursor), and the worker that delivers them.
//!
//! ```text
//! change + event row (same txn) --outbox::fan_out--> webhook_delivery (body built once)
//!   --worker: lease the endpoint (FOR UPDATE SKIP LOCKED)--> send in event order
//!   --record: webhook_attempt, next attempt by the tenant's clock, disable on 410 / 5 days
//! ```
//!
//! The objects in bodies are rendered "as `*.get` answers them", which only
//! the front door knows: it hands an [`Objects`] in.

pub mod deliveries;
pub mod endpoints;
pub mod outbox;
pub mod prefetch;
pub mod render;
pub mod send;
pub mod worker;

use std::collections::HashMap;
use std::sync::Arc;

use futures::FutureExt;
use futures::future::BoxFuture;
use sea_orm::{DbBackend, Statement, Value};

use super::AppState;
use crate::db::ctx::TenantRef;
use crate::error::AppResult;
use crate::webhook::Subject;

pub use worker::{deliver_due_now, spawn};

/// Renders the object an event is about, as its `*.get` answers it.
pub trait Objects: Send + Sync {
    /// The object of kind `subject` with id `id` in `tenant`; `None` when gone.
    fn object<'a>(
        &'a self,
        app: &'a Arc<AppState>,
        tenant: TenantRef,
        subject: Subject,
        id: i64,
    ) -> BoxFuture<'a, AppResult<Option<serde_json::Value>>>;

    /// The objects of kind `subject` with ids `ids` in `tenant`, by id (gone
    /// ones missing). By default one [`Objects::object`] each.
    fn objects<'a>(
        &'a self,
        app: &'a Arc<AppState>,
        tenant: TenantRef,
        subject: Subject,
        ids: &'a [i64],
    ) -> BoxFuture<'a, AppResult<HashMap<i64, serde_json::Value>>> {
        async move {
            let mut found = HashMap::with_capacity(ids.len());
            for &id in ids {
                if let Some(object) = self.object(app, tenant, subject, id).await? {
                    found.insert(id, object);
                }
            }
            Ok(found)
        }
        .boxed()
    }
}

/// A statement from SQL written with `?` placeholders (numbered for PostgreSQL).
pub(crate) fn stmt(backend: DbBackend, sql: &str, values: Vec<Value>) -> Statement {
    if backend != DbBackend::Postgres {
        return Statement::from_sql_and_values(backend, sql, values);
    }
    let mut out = String::with_capacity(sql.len() + 8);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push_str(&format!("${n}"));
        } else {
            out.push(c);
        }
    }
    Statement::from_sql_and_values(backend, out, values)
}
