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
use super::render;
use crate::db::ctx::TenantRef;
use crate::error::AppResult;
use crate::service::AppState;
use crate::webhook::{EventType, Format, Subject};
use entity::{event, tenant, webhook};

/// An event of a fan-out round, its public type and the endpoints that get it.
pub type ToSend<'a> = (&'a event::Model, EventType, Vec<&'a webhook::Model>);

/// An object by tenant, kind and id; `None`: read and gone.
type Key = (i64, Subject, i64);

/// Objects read for a round, in front of the reader they came from.
pub struct Prefetched<'o> {
    inner: &'o dyn Objects,
    found: HashMap<Key, Option<Value>>,
}

impl<'o> Prefetched<'o> {
    /// Nothing read yet.
    fn new(inner: &'o dyn Objects) -> Prefetched<'o> {
        Prefetched { inner, found: HashMap::new() }
    }

    /// Reads the objects `wanted` not read yet, one call per tenant and kind.
    async fn load(
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

    /// The objects the bodies of `sends` carry, read up front: each event's
    /// own object, and for FastBill's format the customer and subscription
    /// it names.
    pub async fn for_bodies(
        app: &Arc<AppState>,
        objects: &'o dyn Objects,
        tenants: &HashMap<i64, tenant::Model>,
        sends: &[ToSend<'_>],
    ) -> AppResult<Prefetched<'o>> {
        let mut read = Prefetched::new(objects);
        let who = |tenant_id: i64| tenants.get(&tenant_id).map(render::tenant_ref);
        let own = sends.iter().filter_map(|(e, kind, _)| {
            let subject = kind.subject();
            let (name, id) = crate::service::events::owner(e);
            (render::subject_name(subject) == name).then_some((who(e.tenant_id)?, subject, id))
        });
        read.load(app, own.collect::<Vec<_>>()).await?;
        let fastbill =
            sends.iter().any(|(_, _, hooks)| hooks.iter().any(|h| Format::parse(&h.format) == Some(Format::Fastbill)));
        if fastbill {
            let related: Vec<_> = read
                .values()
                .flat_map(|(&(tenant_id, subject, _), object)| {
                    [(Subject::Customer, "CUSTOMER_ID"), (Subject::Subscription, "SUBSCRIPTION_ID")]
                        .into_iter()
                        .filter(move |(kind, _)| *kind != subject)
                        .filter_map(move |(kind, tag)| Some((who(tenant_id)?, kind, object.get(tag)?.as_i64()?)))
                })
                .collect();
            read.load(app, related).await?;
        }
        Ok(read)
    }

    /// The objects read so far.
    fn values(&self) -> impl Iterator<Item = (&Key, &Value)> {
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
