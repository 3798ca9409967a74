//! What a subscription bills (plan and add-ons) as one value, and changes of
//! it scheduled for a period end (`PLAN_UPCOMING`).

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::state::{self, Addon};
use super::writer::Writes;
use crate::domain::pricing::{Line, LineKind};
use crate::error::{AppError, AppResult};
use entity::DecimalText;
use entity::subscription::Model;

/// The recurring terms of a subscription: its plan and add-ons.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct PlanState {
    pub article_id: i64,
    pub article_number: String,
    pub title: String,
    pub description: Option<String>,
    pub unit_price: Decimal,
    pub vat_percent: Decimal,
    pub quantity: Decimal,
    pub interval: String,
    pub addons: Vec<Addon>,
    pub duration: Option<i32>,
    pub notice: Option<String>,
}

impl PlanState {
    /// The terms `sub` bills now.
    pub fn of(sub: &Model) -> AppResult<PlanState> {
        Ok(PlanState {
            article_id: sub.article_id,
            article_number: sub.article_number.clone(),
            title: sub.title.clone(),
            description: sub.description.clone(),
            unit_price: sub.unit_price.0,
            vat_percent: sub.vat_percent.0,
            quantity: sub.quantity.0,
            interval: sub.interval.clone(),
            addons: state::addons(sub)?,
            duration: sub.duration,
            notice: sub.notice.clone(),
        })
    }

    /// One full period's recurring lines: the plan, then each add-on.
    pub fn lines(&self) -> Vec<Line> {
        let mut lines = vec![Line {
            kind: LineKind::Plan,
            article_number: Some(self.article_number.clone()),
            description: self.title.clone(),
            quantity: self.quantity,
            unit_price: self.unit_price,
            vat_percent: self.vat_percent,
        }];
        lines.extend(self.addons.iter().map(|a| Line {
            kind: LineKind::Addon,
            article_number: Some(a.article_number.clone()),
            description: a.title.clone(),
            quantity: a.quantity,
            unit_price: a.unit_price,
            vat_percent: a.vat_percent,
        }));
        lines
    }

    /// Writes these terms onto `sub`.
    pub fn apply_to(&self, sub: &mut Model) {
        sub.article_id = self.article_id;
        sub.article_number = self.article_number.clone();
        sub.title = self.title.clone();
        sub.description = self.description.clone();
        sub.unit_price = DecimalText(self.unit_price);
        sub.vat_percent = DecimalText(self.vat_percent);
        sub.quantity = DecimalText(self.quantity);
        sub.interval = self.interval.clone();
        sub.addons = json!(self.addons);
        sub.duration = self.duration;
        sub.notice = self.notice.clone();
    }
}

/// A change that takes effect at a period boundary.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct UpcomingPlan {
    pub plan: PlanState,
    /// The boundary it takes effect at (stored as Unix seconds; an unreadable
    /// one makes `upcoming` fail instead of guessing a date).
    #[serde(with = "chrono::serde::ts_seconds")]
    pub effective_at: DateTime<Utc>,
}

impl UpcomingPlan {
    /// The instant the change takes effect.
    pub fn effective(&self) -> DateTime<Utc> {
        self.effective_at
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

/// Schedules `plan` for the boundary `at`, replacing any pending change.
pub fn schedule(sub: &mut Model, plan: PlanState, at: DateTime<Utc>) {
    sub.plan_upcoming = Some(json!(UpcomingPlan { plan, effective_at: at }));
}

/// Applies a pending change whose date has come, before the period starting
/// at `boundary` is billed. A new interval re-anchors billing at the boundary.
pub fn apply_due(writes: &mut Writes, sub: &mut Model, boundary: DateTime<Utc>) -> AppResult<()> {
    let Some(upcoming) = upcoming(sub)? else { return Ok(()) };
    if upcoming.effective() > boundary {
        return Ok(());
    }
    let from = sub.article_number.clone();
    let interval_changes = upcoming.plan.interval != sub.interval;
    upcoming.plan.apply_to(sub);
    super::discounts::plan_changed(sub, &upcoming.plan.article_number)?;
    if interval_changes {
        sub.anchor = boundary;
        sub.periods_since_anchor = 0;
        sub.next_event = Some(boundary);
        state::refresh_expiration(sub)?;
    }
    sub.plan_upcoming = None;
    writes.event(
        "subscription",
        sub.id,
        "subscription.plan_changed",
        json!({"FROM": from, "TO": upcoming.plan.article_number, "QUANTITY": upcoming.plan.quantity.to_string(), "SCHEDULED": true}),
    );
    Ok(())
}
