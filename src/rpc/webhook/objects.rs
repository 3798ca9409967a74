//! The objects webhook bodies carry, "as `*.get` answers them": rendered by
//! calling the read method of the method table itself for the event's
//! tenant, so a body and a read of the same object can never differ.

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
            let Some((method, tag, key)) = reader(subject) else { return Ok(None) };
            let Some(spec) = super::super::method(method) else { return Ok(None) };
            let params = json!({"FILTER": {tag: id}, "LIMIT": 1}).to_string();
            let limits = EnvelopeLimits { max_depth: 64, max_limit: 1000 };
            let envelope = Envelope::parse(Some(&params), limits)?;
            let reply = (spec.handler)(app.clone(), tenant, envelope, None).await?;
            let mut answer: Value = serde_json::from_str(reply.get()).map_err(crate::error::AppError::internal)?;
            Ok(answer.get_mut(key).and_then(Value::as_array_mut).and_then(|list| list.pop()))
        }
        .boxed()
    }
}

/// Makes every attempt of `tenant` due by its clock now (`billing.run` on a test tenant).
pub async fn deliver_due_now(app: &Arc<AppState>, tenant: TenantRef) -> AppResult<()> {
    crate::service::webhook::deliver_due_now(app, &WireObjects, tenant).await
}
