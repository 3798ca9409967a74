//! Event rows of a flush: `invoice.created` for every new invoice, then the
//! queued events, with the ids of invoices that had none when queued.

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use serde_json::json;

use super::super::draft::Issued;
use super::{EventData, NewEvent};
use crate::db::bulk::insert_rows_without_ids;
use crate::db::ctx::Ctx;
use crate::error::AppResult;
use entity::event;

/// `invoice.created` for each new invoice, then the queued events.
pub(super) async fn insert<C: ConnectionTrait>(
    ctx: &Ctx<C>,
    now: DateTime<Utc>,
    issued: &[Issued],
    events: Vec<NewEvent>,
) -> AppResult<()> {
    let tenant = ctx.tenant.id.get();
    let mut rows: Vec<event::Model> = issued
        .iter()
        .map(|i| event::Model {
            id: 0,
            tenant_id: tenant,
            subject: "invoice".into(),
            subject_id: i.invoice.id,
            event_type: "invoice.created".into(),
            data: json!({
                "INVOICE_NUMBER": i.invoice.invoice_number,
                "TYPE": i.invoice.kind,
                "TOTAL": i.invoice.total.0.to_string(),
                "SUBSCRIPTION_ID": i.invoice.subscription_id,
            }),
            created: now,
        })
        .collect();
    for e in events {
        let data = match e.data {
            EventData::Plain(data) => data,
            EventData::Invoiced { invoice, mut data } => {
                if let (Some(i), Some(map)) = (issued.get(invoice), data.as_object_mut()) {
                    map.insert("INVOICE_ID".into(), json!(i.invoice.id));
                    map.insert("INVOICE_NUMBER".into(), json!(i.invoice.invoice_number));
                    map.insert("TOTAL".into(), json!(i.invoice.total.0.to_string()));
                }
                data
            }
        };
        rows.push(event::Model {
            id: 0,
            tenant_id: tenant,
            subject: e.subject.into(),
            subject_id: e.subject_id,
            event_type: e.event_type.into(),
            data,
            created: now,
        });
    }
    if !rows.is_empty() {
        insert_rows_without_ids::<event::Entity, _>(&ctx.db, &rows).await?;
    }
    Ok(())
}
