//! The rows seeding writes, built in memory: an active monthly subscription of the bench plan,
//! and open usage rows as `raw-insert` writes them.

use chrono::{DateTime, Duration, Utc};
use rust_decimal::Decimal;
use sea_orm::{ActiveValue::Set, NotSet};
use serde_json::json;

use super::seed::ARTICLE;
use crate::domain::interval::Interval;
use entity::DecimalText;

/// An active monthly subscription whose next period starts at `next_event`.
pub(super) fn subscription_template(
    tenant_id: i64,
    article_id: i64,
    next_event: DateTime<Utc>,
    now: DateTime<Utc>,
) -> entity::subscription::Model {
    let start = next_event.min(now - Duration::days(1));
    entity::subscription::Model {
        id: 0,
        tenant_id,
        customer_id: 0,
        subscription_ext_uid: None,
        article_id,
        article_number: ARTICLE.into(),
        title: "Bench plan".into(),
        description: None,
        invoice_title: None,
        unit_price: DecimalText(Decimal::new(999, 2)),
        currency_code: "EUR".into(),
        vat_percent: DecimalText(Decimal::new(19, 0)),
        quantity: DecimalText(Decimal::ONE),
        interval: Interval::MONTH.canonical(),
        setup_fee: DecimalText(Decimal::ZERO),
        setup_billed: true,
        status: "active".into(),
        close_reason: None,
        start,
        anchor: next_event,
        periods_since_anchor: 0,
        term_periods: 0,
        duration: None,
        notice: None,
        next_event: Some(next_event),
        last_event: None,
        due_at: Some(next_event),
        pause_due: None,
        trial_end: None,
        cancellation_date: None,
        cancellation_note: None,
        expiration_date: None,
        closed_at: None,
        addons: json!([]),
        plan_upcoming: None,
        pending_lines: None,
        coupon: None,
        coupon_state: None,
        discounts: None,
        features: None,
        x_attributes: None,
        public_hash: String::new(),
        version: 1,
        created: now,
        updated: now,
    }
}

/// `count` open usage rows of one subscription, as `raw-insert` writes them.
pub fn usage_rows(
    tenant_id: i64,
    subscription_id: i64,
    customer_id: i64,
    count: usize,
    now: DateTime<Utc>,
) -> Vec<entity::usage_record::ActiveModel> {
    (0..count)
        .map(|_| entity::usage_record::ActiveModel {
            id: NotSet,
            tenant_id: Set(tenant_id),
            subscription_id: Set(subscription_id),
            customer_id: Set(customer_id),
            article_number: Set(ARTICLE.into()),
            description: Set("Bench plan".into()),
            quantity: Set(DecimalText(Decimal::ONE)),
            unit_price: Set(DecimalText(Decimal::new(999, 2))),
            currency_code: Set("EUR".into()),
            vat_percent: Set(DecimalText(Decimal::new(19, 0))),
            usage_date: Set(now),
            invoice_id: Set(None),
            created: Set(now),
        })
        .collect()
}
