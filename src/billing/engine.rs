//! Moving one subscription forward in time: bill every period that has
//! started, apply what is scheduled at period boundaries, close it when its
//! cancellation date or last period has passed.
//!
//! Runs inside the caller's transaction. Periods are billed in advance, in
//! order, each on an invoice dated at the period start; a run that is three
//! periods late issues three invoices.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::lines;
use crate::domain::lifecycle::{CloseReason, Status};
use crate::error::AppResult;
use crate::rpc::wire;
use crate::service::invoice::{self, Draft, Issued, Kind};
use crate::service::subscription::{plan_change, state};
use crate::service::{Ctx, events};
use entity::subscription::Model;

/// At most this many periods are billed in one step; a subscription further
/// behind continues on the next run instead of holding a transaction open.
const MAX_PERIODS_PER_STEP: u32 = 500;

/// What one step did.
#[derive(Debug, Default)]
pub struct Step {
    pub invoices: Vec<Issued>,
    pub closed: bool,
}

/// Bills and closes whatever is due on `sub` up to `until`.
pub async fn advance<C: sea_orm::ConnectionTrait>(
    ctx: &Ctx<C>,
    sub: Model,
    until: DateTime<Utc>,
) -> AppResult<(Model, Step)> {
    let before = sub.clone();
    let mut sub = sub;
    let mut step = Step::default();
    let mut periods = 0;
    loop {
        let status = state::status(&sub)?;
        if status == Status::Closed {
            break;
        }
        if status == Status::Planned && sub.start <= until {
            let next = if sub.trial_end.is_some_and(|t| t > sub.start) { Status::Trial } else { Status::Active };
            sub.status = next.as_str().to_owned();
            events::append(ctx, "subscription", sub.id, "subscription.started", json!({"STATUS": next.as_str()}))
                .await?;
        }
        if let Some(cancel_at) = sub.cancellation_date {
            if cancel_at <= until && sub.next_event.is_none_or(|next| cancel_at <= next) {
                close(ctx, &mut sub, CloseReason::Cancellation, cancel_at, &mut step).await?;
                break;
            }
        }
        let Some(start) = sub.next_event else { break };
        if start > until || periods >= MAX_PERIODS_PER_STEP {
            break;
        }
        if sub.duration.is_some_and(|d| sub.term_periods >= d) {
            close(ctx, &mut sub, CloseReason::Expiration, start, &mut step).await?;
            break;
        }
        plan_change::apply_due(ctx, &mut sub, start).await?;
        let issued = bill_period(ctx, &mut sub, start).await?;
        step.invoices.push(issued);
        periods += 1;
    }
    if sub != before {
        sub = state::save(ctx, sub).await?;
    }
    Ok((sub, step))
}

/// Issues the regular invoice of the period starting at `start` and moves the
/// subscription to the next period.
async fn bill_period<C: sea_orm::ConnectionTrait>(
    ctx: &Ctx<C>,
    sub: &mut Model,
    start: DateTime<Utc>,
) -> AppResult<Issued> {
    let end = state::period_start(sub, sub.periods_since_anchor + 1)?;
    let mut lines = lines::recurring(sub)?;
    lines.extend(lines::setup(sub));
    lines.extend(lines::pending(sub)?);
    let usage = lines::open_usage(ctx, sub.id, start).await?;
    lines.extend(lines::usage(&usage));
    let draft = Draft {
        kind: Kind::Outgoing,
        customer_id: sub.customer_id,
        subscription_id: Some(sub.id),
        related_invoice_id: None,
        invoice_title: sub.invoice_title.clone(),
        invoice_date: start,
        period: Some((start, end)),
        billed_period: Some(start),
        currency: sub.currency_code.clone(),
        lines,
        usage_ids: usage.iter().map(|u| u.id).collect(),
    };
    let issued = invoice::issue(ctx, draft).await?;
    sub.periods_since_anchor += 1;
    sub.term_periods += 1;
    sub.last_event = Some(start);
    sub.next_event = Some(end);
    sub.setup_billed = true;
    sub.pending_lines = None;
    if matches!(state::status(sub)?, Status::Trial | Status::Planned) {
        sub.status = Status::Active.as_str().to_owned();
    }
    events::append(
        ctx,
        "subscription",
        sub.id,
        "subscription.invoiced",
        json!({
            "INVOICE_ID": issued.invoice.id,
            "INVOICE_NUMBER": issued.invoice.invoice_number,
            "PERIOD_START": wire::datetime(start),
            "PERIOD_END": wire::datetime(end),
            "TOTAL": issued.invoice.total.0.to_string(),
        }),
    )
    .await?;
    Ok(issued)
}

/// Closes `sub` at `at`; usage still open is billed on a final invoice.
pub async fn close<C: sea_orm::ConnectionTrait>(
    ctx: &Ctx<C>,
    sub: &mut Model,
    reason: CloseReason,
    at: DateTime<Utc>,
    step: &mut Step,
) -> AppResult<()> {
    let usage = lines::open_usage(ctx, sub.id, at.max(ctx.now)).await?;
    let mut final_lines = lines::usage(&usage);
    final_lines.extend(lines::pending(sub)?);
    if !final_lines.is_empty() {
        let draft = Draft {
            kind: Kind::Outgoing,
            customer_id: sub.customer_id,
            subscription_id: Some(sub.id),
            related_invoice_id: None,
            invoice_title: sub.invoice_title.clone(),
            invoice_date: at,
            period: sub.last_event.map(|s| (s, at)),
            billed_period: None,
            currency: sub.currency_code.clone(),
            lines: final_lines,
            usage_ids: usage.iter().map(|u| u.id).collect(),
        };
        step.invoices.push(invoice::issue(ctx, draft).await?);
    }
    sub.status = Status::Closed.as_str().to_owned();
    sub.close_reason = Some(reason.as_str().to_owned());
    sub.closed_at = Some(at);
    sub.next_event = None;
    sub.pending_lines = None;
    sub.plan_upcoming = None;
    if reason == CloseReason::Expiration {
        sub.expiration_date = Some(at);
    }
    step.closed = true;
    events::append(
        ctx,
        "subscription",
        sub.id,
        "subscription.closed",
        json!({"CLOSE_REASON": reason.as_str(), "CLOSED": wire::datetime(at)}),
    )
    .await?;
    Ok(())
}
