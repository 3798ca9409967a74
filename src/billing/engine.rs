//! Moving one subscription forward in time: bill every period that has
//! started, apply what is scheduled at period boundaries, close it when its
//! cancellation date or last period has passed.
//!
//! Runs inside the caller's transaction. Periods are billed in advance, in
//! order, each on an invoice dated at the period start; a run that is three
//! periods late issues three invoices.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::{lines, pauses};
use crate::domain::lifecycle::{CloseReason, Status};
use crate::error::AppResult;
use crate::rpc::wire;
use crate::service::invoice::{self, Draft, Issued, Kind};
use crate::service::subscription::{plan_change, state};
use crate::service::{Ctx, events};
use entity::subscription::Model;
use entity::subscription_pause as pause;

/// At most this many periods are billed in one step; a subscription further
/// behind continues on the next run instead of holding a transaction open.
const MAX_PERIODS_PER_STEP: u32 = 500;

/// What one step did.
#[derive(Debug, Default)]
pub struct Step {
    pub invoices: Vec<Issued>,
    pub closed: bool,
}

/// The next thing that happens to a subscription, in time order; at the same
/// instant a pause end comes first, then a pause start, a cancellation, and
/// the period boundary last.
enum Next {
    PauseEnd(usize),
    PauseStart(usize),
    Cancellation(DateTime<Utc>),
    Boundary(DateTime<Utc>),
}

fn next_step(sub: &Model, pauses: &[pause::Model], until: DateTime<Utc>) -> Option<Next> {
    let mut best: Option<(DateTime<Utc>, u8, Next)> = None;
    let mut offer = |at: DateTime<Utc>, rank: u8, next: Next| {
        if at <= until && best.as_ref().is_none_or(|(t, r, _)| (at, rank) < (*t, *r)) {
            best = Some((at, rank, next));
        }
    };
    for (i, p) in pauses.iter().enumerate() {
        if !p.started {
            offer(p.start, 1, Next::PauseStart(i));
        } else if let (false, Some(end)) = (p.ended, p.end) {
            offer(end, 0, Next::PauseEnd(i));
        }
    }
    if let Some(at) = sub.cancellation_date {
        offer(at, 2, Next::Cancellation(at));
    }
    if let Some(at) = sub.next_event {
        offer(at, 3, Next::Boundary(at));
    }
    best.map(|(_, _, next)| next)
}

/// Bills and closes whatever is due on `sub` up to `until`, in time order.
pub async fn advance<C: sea_orm::ConnectionTrait>(
    ctx: &Ctx<C>,
    sub: Model,
    until: DateTime<Utc>,
) -> AppResult<(Model, Step)> {
    let before = sub.clone();
    let mut sub = sub;
    let mut step = Step::default();
    let mut pauses = if sub.pause_due.is_some() { pauses::load(ctx, sub.id).await? } else { Vec::new() };
    let pauses_before = pauses.clone();
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
        match next_step(&sub, &pauses, until) {
            None => break,
            Some(Next::PauseEnd(i)) => pauses::end(ctx, &mut sub, &mut pauses[i]).await?,
            Some(Next::PauseStart(i)) => pauses::start(ctx, &mut sub, &mut pauses[i]).await?,
            Some(Next::Cancellation(at)) => {
                close(ctx, &mut sub, CloseReason::Cancellation, at, &mut step).await?;
                mark_billed_credits(&mut pauses, &step);
                break;
            }
            Some(Next::Boundary(start)) => {
                if periods >= MAX_PERIODS_PER_STEP {
                    break;
                }
                if sub.duration.is_some_and(|d| sub.term_periods >= d) {
                    close(ctx, &mut sub, CloseReason::Expiration, start, &mut step).await?;
                    mark_billed_credits(&mut pauses, &step);
                    break;
                }
                plan_change::apply_due(ctx, &mut sub, start).await?;
                if let Some(i) = pauses::covering(&pauses, start) {
                    pauses::skip(ctx, &mut sub, &mut pauses[i], start).await?;
                    continue;
                }
                let credited = lines::pending_pause_ids(&sub)?;
                let issued = bill_period(ctx, &mut sub, start).await?;
                for p in pauses.iter_mut().filter(|p| credited.contains(&p.id)) {
                    p.affected = true;
                }
                step.invoices.push(issued);
                periods += 1;
            }
        }
    }
    if !pauses.is_empty() {
        sub.pause_due = pauses::due(&pauses, sub.next_event).filter(|_| sub.status != Status::Closed.as_str());
        pauses::save_changed(ctx, &pauses_before, &pauses).await?;
    }
    if sub != before {
        sub = state::save(ctx, sub).await?;
    }
    Ok((sub, step))
}

/// A final invoice may carry deferred pause credits: those pauses are now
/// part of an invoice.
fn mark_billed_credits(pauses: &mut [pause::Model], step: &Step) {
    if step.invoices.is_empty() {
        return;
    }
    for p in pauses.iter_mut().filter(|p| p.started) {
        p.affected = true;
    }
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
