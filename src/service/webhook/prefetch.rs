//! The objects a fan-out round renders, read up front: one `*.get` per
//! tenant and kind of object for the whole round (its FILTER takes a list of
//! ids), instead of one read per event. Objects it did not read are asked of
//! the inner [`Objects`] as before.

use std::collections::HashMap;
use std::sync::Arc;

use futures::FutureExt;
use futures::future::BoxFuture;
use serde_json::Value;

use super::Objects;
use crate::db::ctx::TenantRef;
use crate::error::AppResult;
use crate::service::AppState;
use crate::webhook::Subject;

/// An object by tenant, kind and id; `None`: read and gone.
type Key = (i64, Subject, i64);

/// Objects read for a round, in front of the reader they came from.
pub struct Prefetched<'o> {
    inner: &'o dyn Objects,
    found: HashMap<Key, Option<Value>>,
}

impl<'o> Prefetched<'o> {
    /// Nothing read yet.
    pub fn new(inner: &'o dyn Objects) -> Prefetched<'o> {
        Prefetched { inner, found: HashMap::new() }
    }

    /// Reads the objects `wanted` not read yet, one call per tenant and kind.
    pub async fn load(
        &mut self,
        app: &Arc<AppState>,
        wanted: impl IntoIterator<Item = (TenantRef, Subject, i64)>,
    ) -> AppResult<()> {
        let mut groups: HashMap<(i64, Subject), (TenantRef, Vec<i64>)> = HashMap::new();
        for (tenant, subject, id) in wanted {
            let key = (tenant.id.get(), subject, id);
            if self.found.contains_key(&key) {
                continue;
            }
            self.found.insert(key, None);
            groups.entry((key.0, subject)).or_insert_with(|| (tenant, Vec::new())).1.push(id);
        }
        for ((tenant_id, subject), (tenant, ids)) in groups {
            for (id, object) in self.inner.objects(app, tenant, subject, &ids).await? {
                self.found.insert((tenant_id, subject, id), Some(object));
            }
        }
        Ok(())
    }

    /// The objects read so far.
    pub fn values(&self) -> impl Iterator<Item = (&Key, &Value)> {
        self.found.iter().filter_map(|(key, value)| value.as_ref().map(|v| (key, v)))
    }
}

impl Objects for Prefetched<'_> {
    fn object<'a>(
        &'a self,
        app: &'a Arc<AppState>,
        tenant: TenantRef,
        subject: Subject,
        id: i64,
    ) -> BoxFuture<'a, AppResult<Option<Value>>> {
        match self.found.get(&(tenant.id.get(), subject, id)) {
            Some(known) => futures::future::ready(Ok(known.clone())).boxed(),
            None => self.inner.object(app, tenant, subject, id),
        }
    }
}
