//! The lines of a subscription's invoices: plan and add-ons in advance, the
//! setup fee once, usage in arrears, and lines deferred from plan changes.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, ConnectionTrait, QueryFilter, QueryOrder};

use super::plan_change::PlanState;
use crate::db::ctx::Ctx;
use crate::db::scope::Scope;
use crate::domain::pricing::{Line, LineKind};
use crate::error::{AppError, AppResult};
use entity::subscription::Model;
use entity::usage_record;

/// The recurring lines of one full period: the plan and every add-on.
pub fn recurring(sub: &Model) -> AppResult<Vec<Line>> {
    Ok(PlanState::of(sub)?.lines())
}

/// The setup fee line, while it has not been billed.
pub fn setup(sub: &Model) -> Option<Line> {
    (!sub.setup_billed && sub.setup_fee.0 > Decimal::ZERO).then(|| Line {
        kind: LineKind::Setup,
        article_number: Some(sub.article_number.clone()),
        description: format!("Setup fee: {}", sub.title),
        quantity: Decimal::ONE,
        unit_price: sub.setup_fee.0,
        vat_percent: sub.vat_percent.0,
    })
}

/// Lines deferred to the next regular invoice (`SUPPRESS_BILL_RUN`).
pub fn pending(sub: &Model) -> AppResult<Vec<Line>> {
    let Some(stored) = &sub.pending_lines else {
        return Ok(Vec::new());
    };
    let stored: Vec<StoredLine> = serde_json::from_value(stored.clone())
        .map_err(|_| AppError::internal(format!("subscription {}: stored pending lines are unreadable", sub.id)))?;
    stored.into_iter().map(|l| l.into_line(sub.id)).collect()
}

/// The pauses whose credit is among the deferred lines.
pub fn pending_pause_ids(sub: &Model) -> AppResult<Vec<i64>> {
    let Some(stored) = &sub.pending_lines else { return Ok(Vec::new()) };
    let stored: Vec<StoredLine> = serde_json::from_value(stored.clone())
        .map_err(|_| AppError::internal(format!("subscription {}: stored pending lines are unreadable", sub.id)))?;
    Ok(stored.iter().filter_map(|l| l.pause_id).collect())
}

/// Open usage booked up to `until`, oldest first.
pub async fn open_usage<C: ConnectionTrait>(
    ctx: &Ctx<C>,
    subscription_id: i64,
    until: DateTime<Utc>,
) -> AppResult<Vec<usage_record::Model>> {
    Ok(ctx
        .find::<usage_record::Entity>()
        .filter(usage_record::Column::SubscriptionId.eq(subscription_id))
        .filter(usage_record::Column::InvoiceId.is_null())
        .filter(usage_record::Column::UsageDate.lte(until))
        .order_by_asc(usage_record::Column::UsageDate)
        .order_by_asc(usage_record::Column::Id)
        .all(&ctx.db)
        .await?)
}

/// One line per usage record.
pub fn usage(records: &[usage_record::Model]) -> Vec<Line> {
    records
        .iter()
        .map(|u| Line {
            kind: LineKind::Usage,
            article_number: Some(u.article_number.clone()),
            description: u.description.clone(),
            quantity: u.quantity.0,
            unit_price: u.unit_price.0,
            vat_percent: u.vat_percent.0,
        })
        .collect()
}

/// A line as kept in `pending_lines`.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct StoredLine {
    /// The pause whose credit this is, if any (its deletion removes the line).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pause_id: Option<i64>,
    pub kind: String,
    pub article_number: Option<String>,
    pub description: String,
    pub quantity: Decimal,
    pub unit_price: Decimal,
    pub vat_percent: Decimal,
}

impl StoredLine {
    /// Keeps a line for a later invoice.
    pub fn from_line(line: &Line) -> StoredLine {
        StoredLine {
            pause_id: None,
            kind: line.kind.as_str().to_owned(),
            article_number: line.article_number.clone(),
            description: line.description.clone(),
            quantity: line.quantity,
            unit_price: line.unit_price,
            vat_percent: line.vat_percent,
        }
    }

    fn into_line(self, subscription_id: i64) -> AppResult<Line> {
        let kind = LineKind::parse(&self.kind).ok_or_else(|| {
            AppError::internal(format!(
                "subscription {subscription_id}: a stored pending line has kind {:?}",
                self.kind
            ))
        })?;
        Ok(Line {
            kind,
            article_number: self.article_number,
            description: self.description,
            quantity: self.quantity,
            unit_price: self.unit_price,
            vat_percent: self.vat_percent,
        })
    }
}
