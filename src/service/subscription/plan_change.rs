//! Scheduled plan changes (downgrades at the period end, `PLAN_UPCOMING`).

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::state::{self, Addon};
use crate::error::{AppError, AppResult};
use crate::service::{Ctx, events};
use entity::DecimalText;
use entity::subscription::Model;

/// The plan a subscription moves to at `effective_date`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct UpcomingPlan {
    pub article_id: i64,
    pub article_number: String,
    pub title: String,
    pub description: Option<String>,
    pub unit_price: Decimal,
    pub currency_code: String,
    pub vat_percent: Decimal,
    pub quantity: Decimal,
    pub interval: String,
    /// Replaces the add-ons when set.
    pub addons: Option<Vec<Addon>>,
    /// Unix seconds of the boundary the change takes effect at.
    pub effective_at: i64,
}

impl UpcomingPlan {
    /// The instant the change takes effect.
    pub fn effective(&self) -> DateTime<Utc> {
        DateTime::from_timestamp(self.effective_at, 0).unwrap_or_default()
    }
}

/// The pending change of `sub`, if any.
pub fn upcoming(sub: &Model) -> AppResult<Option<UpcomingPlan>> {
    sub.plan_upcoming
        .clone()
        .map(|v| {
            serde_json::from_value(v)
                .map_err(|_| AppError::internal(format!("subscription {}: stored PLAN_UPCOMING is unreadable", sub.id)))
        })
        .transpose()
}

/// Applies a pending change whose date has come, before the period starting
/// at `boundary` is billed. A new interval re-anchors billing at the boundary.
pub async fn apply_due<C: sea_orm::ConnectionTrait>(
    ctx: &Ctx<C>,
    sub: &mut Model,
    boundary: DateTime<Utc>,
) -> AppResult<()> {
    let Some(plan) = upcoming(sub)? else {
        return Ok(());
    };
    if plan.effective() > boundary {
        return Ok(());
    }
    let from = sub.article_number.clone();
    sub.article_id = plan.article_id;
    sub.article_number = plan.article_number.clone();
    sub.title = plan.title.clone();
    sub.description = plan.description.clone();
    sub.unit_price = DecimalText(plan.unit_price);
    sub.vat_percent = DecimalText(plan.vat_percent);
    sub.quantity = DecimalText(plan.quantity);
    if let Some(addons) = &plan.addons {
        sub.addons = json!(addons);
    }
    if plan.interval != sub.interval {
        sub.interval = plan.interval.clone();
        sub.anchor = boundary;
        sub.periods_since_anchor = 0;
        sub.next_event = Some(boundary);
        state::refresh_expiration(sub)?;
    }
    sub.plan_upcoming = None;
    events::append(
        ctx,
        "subscription",
        sub.id,
        "subscription.plan_changed",
        json!({"FROM": from, "TO": plan.article_number, "QUANTITY": plan.quantity.to_string(), "SCHEDULED": true}),
    )
    .await?;
    Ok(())
}
