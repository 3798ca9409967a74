//! The objects webhook bodies carry, "as `*.get` answers them": rendered by
//! calling the read method of the method table itself for the event's
//! tenant, so a body and a read of the same object can never differ.

use std::collections::HashMap;
use std::sync::Arc;

use futures::FutureExt;
use futures::future::BoxFuture;
use serde_json::{Value, json};

use super::super::envelope::{Envelope, EnvelopeLimits};
use crate::db::ctx::TenantRef;
use crate::error::AppResult;
use crate::service::AppState;
use crate::service::webhook::Objects;
use crate::webhook::Subject;

/// [`Objects`] through the `*.get` methods.
#[derive(Debug, Clone, Copy, Default)]
pub struct WireObjects;

/// Ids per read of a list (the envelope's LIMIT bound).
const IDS_PER_READ: usize = 1000;

/// Whether the read method's id tag takes a list of ids.
fn reads_lists(subject: Subject) -> bool {
    matches!(subject, Subject::Customer | Subject::Subscription | Subject::Invoice)
}

/// The objects `method` answers under `key` for `FILTER: {tag: filter}`.
async fn read(
    app: &Arc<AppState>,
    tenant: TenantRef,
    (method, tag, key): (&str, &str, &str),
    filter: Value,
    limit: usize,
) -> AppResult<Vec<Value>> {
    let Some(spec) = super::super::method(method) else { return Ok(Vec::new()) };
    let params = json!({"FILTER": {tag: filter}, "LIMIT": limit}).to_string();
    let limits = EnvelopeLimits { max_depth: 64, max_limit: IDS_PER_READ as u64 };
    let envelope = Envelope::parse(Some(&params), limits)?;
    let reply = (spec.handler)(app.clone(), tenant, envelope, None).await?;
    let mut answer: Value = serde_json::from_str(reply.get()).map_err(crate::error::AppError::internal)?;
    match answer.get_mut(key).map(Value::take) {
        Some(Value::Array(list)) => Ok(list),
        _ => Ok(Vec::new()),
    }
}

/// The read method, its id tag and its list key for a kind of object.
fn reader(subject: Subject) -> Option<(&'static str, &'static str, &'static str)> {
    Some(match subject {
        Subject::Customer => ("customer.get", "CUSTOMER_ID", "CUSTOMERS"),
        Subject::Subscription => ("subscription.get", "SUBSCRIPTION_ID", "SUBSCRIPTIONS"),
        Subject::Invoice => ("invoice.get", "INVOICE_ID", "INVOICES"),
        Subject::Payment => ("payment.get", "PAYMENT_ID", "PAYMENTS"),
        Subject::Consumption => ("consumption.get", "CONSUMPTION_ID", "CONSUMPTIONS"),
        Subject::Webhook => ("webhook.get", "WEBHOOK_ID", "WEBHOOKS"),
        Subject::Coupon => return None,
    })
}

impl Objects for WireObjects {
    fn object<'a>(
        &'a self,
        app: &'a Arc<AppState>,
        tenant: TenantRef,
        subject: Subject,
        id: i64,
    ) -> BoxFuture<'a, AppResult<Option<Value>>> {
        async move {
            // A namespace not built yet (payment.get before its round) has no reader.
            let Some(reader) = reader(subject) else { return Ok(None) };
            Ok(read(app, tenant, reader, json!(id), 1).await?.pop())
        }
        .boxed()
    }

    fn objects<'a>(
        &'a self,
        app: &'a Arc<AppState>,
        tenant: TenantRef,
        subject: Subject,
        ids: &'a [i64],
    ) -> BoxFuture<'a, AppResult<HashMap<i64, Value>>> {
        async move {
            let mut found = HashMap::with_capacity(ids.len());
            let Some(reader) = reader(subject) else { return Ok(found) };
            let per_read = if reads_lists(subject) { IDS_PER_READ } else { 1 };
            for chunk in ids.chunks(per_read) {
                let filter = if chunk.len() == 1 { json!(chunk[0]) } else { json!(chunk) };
                for object in read(app, tenant, reader, filter, chunk.len()).await? {
                    if let Some(id) = object.get(reader.1).and_then(Value::as_i64) {
                        found.insert(id, object);
                    }
                }
            }
            Ok(found)
        }
        .boxed()
    }
}

/// Makes every attempt of `tenant` due by its clock now (`billing.run` on a test tenant).
pub async fn deliver_due_now(app: &Arc<AppState>, tenant: TenantRef) -> AppResult<()> {
    crate::service::webhook::deliver_due_now(app, &WireObjects, tenant).await
}
