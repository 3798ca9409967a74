//! What the pages show of a subscription, ready for the templates.

use chrono::{DateTime, Timelike, Utc};
use serde::Serialize;

use crate::billing::lines;
use crate::domain::format;
use crate::domain::money::format_decimal;
use crate::domain::pricing;
use crate::error::AppResult;
use crate::service::subscription::state;

/// A date as people read it: the day, plus the time when it is not midnight (UTC).
pub fn human(at: DateTime<Utc>) -> String {
    if at.num_seconds_from_midnight() == 0 {
        at.format("%Y-%m-%d").to_string()
    } else {
        at.format("%Y-%m-%d %H:%M UTC").to_string()
    }
}

/// One booked add-on.
#[derive(Serialize)]
pub struct AddonView {
    pub title: String,
    pub quantity: String,
}

/// A subscription on a page.
#[derive(Serialize)]
pub struct SubscriptionView {
    pub title: String,
    /// Net of one full period: plan and add-ons.
    pub price: String,
    pub currency: String,
    pub interval: String,
    pub status: String,
    pub next_event: Option<String>,
    pub cancellation_date: Option<String>,
    pub addons: Vec<AddonView>,
}

impl SubscriptionView {
    /// The view of `sub`.
    pub fn of(sub: &entity::subscription::Model) -> AppResult<SubscriptionView> {
        let period = pricing::price(lines::recurring(sub)?, &sub.currency_code);
        Ok(SubscriptionView {
            title: sub.title.clone(),
            price: format::money(period.sub_total, &sub.currency_code),
            currency: sub.currency_code.clone(),
            interval: sub.interval.clone(),
            status: sub.status.clone(),
            next_event: sub.next_event.map(human),
            cancellation_date: sub.cancellation_date.map(human),
            addons: state::addons(sub)?
                .into_iter()
                .map(|a| AddonView { title: a.title, quantity: format_decimal(a.quantity, 0) })
                .collect(),
        })
    }
}
