//! Moving one subscription forward in time: bill every period that has
//! started, apply what is scheduled at period boundaries, close it when its
//! cancellation date or last period has passed.
//!
//! The step itself is computed in memory from the subscription and its
//! preloaded pauses and open usage; what it changes goes into [`Writes`] and
//! reaches the database with the caller's flush. Periods are billed in
//! advance, in order, each on an invoice dated at the period start; a run
//! that is three periods late issues three invoices.

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use serde_json::json;

use super::draft::{Draft, Issued, Kind};
pub use super::preload::Preload;
use super::writer::Writes;
use super::{consumptions, discounts, lines, pauses};
use super::{plan_change, state};
use crate::db::ctx::Ctx;
use crate::domain::format;
use crate::domain::lifecycle::{CloseReason, Status};
use crate::error::AppResult;
use entity::subscription::Model;
use entity::subscription_pause as pause;

/// At most this many periods are billed in one step; a subscription further
/// behind continues on the next run instead of holding a transaction open.
const MAX_PERIODS_PER_STEP: u32 = 500;

/// What one step did: indices of the invoices it queued, and whether it closed.
#[derive(Debug, Default)]
pub struct Step {
    pub invoices: Vec<usize>,
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

/// Computes the step of `sub` up to `until` into `writes`; `now` stamps what it writes.
pub fn advance(
    now: DateTime<Utc>,
    sub: Model,
    until: DateTime<Utc>,
    preload: &mut Preload,
    writes: &mut Writes,
) -> AppResult<(Model, Step)> {
    let before = sub.clone();
    let mut sub = sub;
    let mut step = Step::default();
    let pauses_before = preload.pauses.clone();
    let mut periods = 0;
    loop {
        let status = state::status(&sub)?;
        if status == Status::Closed {
            break;
        }
        if status == Status::Planned && sub.start <= until {
            let next = if sub.trial_end.is_some_and(|t| t > sub.start) { Status::Trial } else { Status::Active };
            sub.status = next.as_str().to_owned();
            writes.event("subscription", sub.id, "subscription.started", json!({"STATUS": next.as_str()}));
        }
        match next_step(&sub, &preload.pauses, until) {
            None => break,
            Some(Next::PauseEnd(i)) => pauses::end(writes, &mut sub, &mut preload.pauses[i])?,
            Some(Next::PauseStart(i)) => pauses::start(writes, &mut sub, &mut preload.pauses[i])?,
            Some(Next::Cancellation(at)) => {
                close(now, &mut sub, CloseReason::Cancellation, at, preload, writes, &mut step)?;
                break;
            }
            Some(Next::Boundary(start)) => {
                if periods >= MAX_PERIODS_PER_STEP {
                    break;
                }
                match at_boundary(now, &mut sub, start, preload, writes, &mut step)? {
                    AtBoundary::Closed => break,
                    AtBoundary::Paused => {}
                    AtBoundary::Billed => periods += 1,
                }
            }
        }
    }
    queue_changes(now, &mut sub, &before, preload, &pauses_before, writes);
    Ok((sub, step))
}

/// What a period boundary did.
enum AtBoundary {
    /// The term ran out: the subscription closed.
    Closed,
    /// A pause covers the period: nothing billed.
    Paused,
    /// The period's invoice is queued.
    Billed,
}

fn at_boundary(
    now: DateTime<Utc>,
    sub: &mut Model,
    start: DateTime<Utc>,
    preload: &mut Preload,
    writes: &mut Writes,
    step: &mut Step,
) -> AppResult<AtBoundary> {
    if sub.duration.is_some_and(|d| sub.term_periods >= d) {
        close(now, sub, CloseReason::Expiration, start, preload, writes, step)?;
        return Ok(AtBoundary::Closed);
    }
    plan_change::apply_due(writes, sub, start)?;
    if let Some(i) = pauses::covering(&preload.pauses, start) {
        pauses::skip(writes, sub, &mut preload.pauses[i], start)?;
        return Ok(AtBoundary::Paused);
    }
    let credited = lines::pending_pause_ids(sub)?;
    let invoice = bill_period(sub, start, preload, writes)?;
    for p in preload.pauses.iter_mut().filter(|p| credited.contains(&p.id)) {
        p.affected = true;
    }
    let loaded: Vec<i64> = preload.pauses.iter().map(|p| p.id).collect();
    writes.pauses_affected(credited.into_iter().filter(|id| !loaded.contains(id)));
    step.invoices.push(invoice);
    Ok(AtBoundary::Billed)
}

/// Queues the pauses and the subscription row that the step changed.
fn queue_changes(
    now: DateTime<Utc>,
    sub: &mut Model,
    before: &Model,
    preload: &Preload,
    pauses_before: &[pause::Model],
    writes: &mut Writes,
) {
    if !preload.pauses.is_empty() {
        sub.pause_due = pauses::due(&preload.pauses, sub.next_event).filter(|_| sub.status != Status::Closed.as_str());
        for (p, was) in preload.pauses.iter().zip(pauses_before) {
            if p != was {
                writes.pause(p.clone());
            }
        }
    }
    if sub != before {
        state::touch(sub, now);
        writes.subscription(sub.clone());
    }
}

/// Queues the regular invoice of the period starting at `start` and moves the
/// subscription to the next period.
fn bill_period(sub: &mut Model, start: DateTime<Utc>, preload: &mut Preload, writes: &mut Writes) -> AppResult<usize> {
    let end = state::period_start(sub, sub.periods_since_anchor + 1)?;
    let mut lines = lines::recurring(sub)?;
    lines.extend(lines::setup(sub));
    lines.extend(lines::pending(sub)?);
    let usage = preload.take_usage(start);
    lines.extend(lines::usage(&usage));
    let lines = discounts::regular(sub, lines, start)?;
    // After the discounts: consumptions are never discounted (API.md section 9).
    let taken = std::mem::take(&mut preload.consumptions);
    let draft = Draft::for_subscription(sub, Kind::Outgoing, start, Some((start, end)), lines)
        .regular(start)
        .with_usage(usage.iter().map(|u| u.id).collect())
        .with_consumptions(consumptions::lines(&taken));
    let invoice = writes.invoice(draft);
    sub.periods_since_anchor += 1;
    sub.term_periods += 1;
    sub.last_event = Some(start);
    sub.next_event = Some(end);
    sub.setup_billed = true;
    sub.pending_lines = None;
    if matches!(state::status(sub)?, Status::Trial | Status::Planned) {
        sub.status = Status::Active.as_str().to_owned();
    }
    writes.invoiced_event(
        sub.id,
        "subscription.invoiced",
        invoice,
        json!({"PERIOD_START": format::datetime(start), "PERIOD_END": format::datetime(end)}),
    );
    Ok(invoice)
}

/// Closes `sub` at `at`; usage still open and deferred lines go on a final invoice.
pub fn close(
    now: DateTime<Utc>,
    sub: &mut Model,
    reason: CloseReason,
    at: DateTime<Utc>,
    preload: &mut Preload,
    writes: &mut Writes,
    step: &mut Step,
) -> AppResult<()> {
    let usage = preload.take_usage(at.max(now));
    let credited = lines::pending_pause_ids(sub)?;
    let mut final_lines = lines::usage(&usage);
    final_lines.extend(lines::pending(sub)?);
    let taken = std::mem::take(&mut preload.consumptions);
    if !final_lines.is_empty() || !taken.is_empty() {
        let draft = Draft::for_subscription(sub, Kind::Outgoing, at, sub.last_event.map(|s| (s, at)), final_lines)
            .with_usage(usage.iter().map(|u| u.id).collect())
            .with_consumptions(consumptions::lines(&taken));
        step.invoices.push(writes.invoice(draft));
        // The final invoice carries any deferred pause credit: those pauses are now invoiced.
        for p in preload.pauses.iter_mut().filter(|p| p.started) {
            p.affected = true;
        }
        let loaded: Vec<i64> = preload.pauses.iter().map(|p| p.id).collect();
        writes.pauses_affected(credited.into_iter().filter(|id| !loaded.contains(id)));
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
    writes.event(
        "subscription",
        sub.id,
        "subscription.closed",
        json!({"CLOSE_REASON": reason.as_str(), "CLOSED": format::datetime(at)}),
    );
    Ok(())
}

/// One subscription moved forward and written at once: preload, step, flush.
/// For the services that change one subscription and need its new invoices.
pub async fn step_now<C: ConnectionTrait>(
    ctx: &Ctx<C>,
    sub: Model,
    until: DateTime<Utc>,
) -> AppResult<(Model, Vec<Issued>, bool)> {
    let mut preload = Preload::one(ctx, &sub).await?;
    let mut writes = Writes::new(ctx.now);
    let (sub, step) = advance(ctx.now, sub, until, &mut preload, &mut writes)?;
    let issued = writes.flush(ctx).await?;
    Ok((sub, issued, step.closed))
}
