//! Bodies of deliveries: the event's object fetched as its `*.get` answers it
//! (through [`Objects`]), then the `recur` envelope or FastBill's
//! notification from `crate::webhook`. Built once per event and format.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::Objects;
use crate::db::ctx::TenantRef;
use crate::db::scope::TenantId;
use crate::error::{AppError, AppResult};
use crate::service::AppState;
use crate::webhook::{Event, EventType, Format, Subject, fastbill, format};
use entity::{event, tenant};

/// What a body is made of.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    pub id: i64,
    pub kind: EventType,
    /// Tenant clock.
    pub created: DateTime<Utc>,
    /// The timeline's subject (`customer`) and its id.
    pub subject: &'a str,
    pub subject_id: i64,
    /// The timeline event's DATA (the object when it cannot be fetched).
    pub data: &'a Value,
}

impl<'a> Source<'a> {
    /// The source of a timeline event delivered as `kind`.
    pub fn of(e: &'a event::Model, kind: EventType) -> Source<'a> {
        let (subject, subject_id) = crate::service::events::owner(e);
        Source { id: e.id, kind, created: e.created, subject, subject_id, data: &e.data }
    }
}

/// Bodies of one event by format, built on first use.
#[derive(Debug, Default)]
pub struct Rendered {
    recur: Option<Option<String>>,
    fastbill: Option<Option<String>>,
}

impl Rendered {
    /// The body of `e` for an endpoint of `format` (`None`: not delivered in it).
    pub async fn body(
        &mut self,
        app: &Arc<AppState>,
        objects: &dyn Objects,
        tenant: &tenant::Model,
        e: &event::Model,
        kind: EventType,
        format: &str,
    ) -> AppResult<Option<String>> {
        let format = Format::parse(format).unwrap_or(Format::Recur);
        let slot = match format {
            Format::Recur => &mut self.recur,
            Format::Fastbill => &mut self.fastbill,
        };
        if slot.is_none() {
            *slot = Some(render(app, objects, tenant, &Source::of(e, kind), format).await?);
        }
        Ok(slot.clone().flatten())
    }
}

/// The timeline's subject name of a kind of object.
pub fn subject_name(subject: Subject) -> &'static str {
    match subject {
        Subject::Customer => "customer",
        Subject::Subscription => "subscription",
        Subject::Invoice => "invoice",
        Subject::Payment => "payment",
        Subject::Consumption => "consumption",
        Subject::Coupon => "coupon",
        Subject::Webhook => "webhook",
    }
}

/// The tenant a row names, as a call would act for it.
pub fn tenant_ref(tenant: &tenant::Model) -> TenantRef {
    TenantRef { id: TenantId::trusted_for_operator(tenant.id), is_test: tenant.is_test }
}

/// The body of `src` in `format`; `None` when the format has no such notification.
pub async fn render(
    app: &Arc<AppState>,
    objects: &dyn Objects,
    tenant: &tenant::Model,
    src: &Source<'_>,
    format: Format,
) -> AppResult<Option<String>> {
    let who = tenant_ref(tenant);
    let object = object_of(app, objects, who, src).await?;
    let previous = src.data.get("PREVIOUS");
    let event = Event {
        id: src.id,
        event_type: src.kind,
        created: src.created,
        tenant_id: tenant.id,
        object: &object,
        previous,
    };
    let max = app.settings.webhooks.max_body_bytes;
    let body = match format {
        Format::Recur => Some(format::recur(&event, max).map_err(AppError::internal)?),
        Format::Fastbill => {
            let related = |tag: &str| object.get(tag).and_then(Value::as_i64);
            let customer = match related("CUSTOMER_ID") {
                Some(id) if src.kind.subject() != Subject::Customer => {
                    objects.object(app, who, Subject::Customer, id).await?
                }
                _ => None,
            };
            let subscription = match related("SUBSCRIPTION_ID") {
                Some(id) if src.kind.subject() != Subject::Subscription => {
                    objects.object(app, who, Subject::Subscription, id).await?
                }
                _ => None,
            };
            let ctx = fastbill::Context {
                timezone: fastbill::timezone(Some(&tenant.timezone)).unwrap_or(fastbill::DEFAULT_TIMEZONE),
                account_hash: &account_hash(tenant),
                customer: customer.as_ref(),
                subscription: subscription.as_ref(),
            };
            fastbill::body(&event, &ctx, max).map_err(AppError::internal)?
        }
    };
    body.map(|b| String::from_utf8(b.bytes.to_vec()).map_err(AppError::internal)).transpose()
}

/// The object of an event: fetched now, or its DATA with the id tag when gone.
async fn object_of(app: &Arc<AppState>, objects: &dyn Objects, who: TenantRef, src: &Source<'_>) -> AppResult<Value> {
    let subject = src.kind.subject();
    let own = subject_name(subject) == src.subject;
    if own && let Some(object) = objects.object(app, who, subject, src.subject_id).await? {
        return Ok(object);
    }
    let mut map = src.data.as_object().cloned().unwrap_or_else(Map::new);
    map.remove("PREVIOUS");
    if own {
        map.insert(subject.id_tag().to_owned(), Value::from(src.subject_id));
    }
    Ok(Value::Object(map))
}

/// FastBill's `account_hash`: stable per tenant, revealing nothing.
pub fn account_hash(tenant: &tenant::Model) -> String {
    let digest = Sha256::digest(format!("recur-account:{}:{}", tenant.id, tenant.link_secret));
    hex::encode(&digest[..16])
}
