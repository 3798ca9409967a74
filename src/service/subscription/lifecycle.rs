//! Life-cycle actions: cancel, reactivate, terminate, postpone, renew.
//! Each asks the transition table first; a refused one answers 1009 and
//! changes nothing.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::{Changed, get_one, state};
use crate::billing::engine::{self, Preload};
use crate::billing::writer::Writes;
use crate::domain::format;
use crate::domain::interval::{Interval, Unit};
use crate::domain::lifecycle::{Action, CloseReason, Status, allows, refusal};
use crate::error::{AppError, AppResult};
use crate::service::{WriteCtx, events};
use entity::subscription::Model;

fn check(sub: &Model, action: Action) -> AppResult<Status> {
    let status = state::status(sub)?;
    if allows(status, action) {
        Ok(status)
    } else {
        Err(AppError::conflict_on("SUBSCRIPTION_ID", refusal(status, action)))
    }
}

/// The default end of a subscription canceled now: planned ones end at their
/// start, trials at the trial end, others at the first period end that the
/// notice period allows.
pub fn default_cancellation_date(sub: &Model, status: Status, now: DateTime<Utc>) -> AppResult<DateTime<Utc>> {
    match status {
        Status::Planned => return Ok(sub.start),
        Status::Trial if sub.trial_end.is_some_and(|t| t > now) => {
            return Ok(sub.trial_end.unwrap_or(now));
        }
        _ => {}
    }
    let earliest = match state::notice(sub)? {
        Some(notice) => notice.after(now).ok_or_else(|| AppError::internal("notice period out of range"))?,
        None => now,
    };
    let mut n = sub.periods_since_anchor;
    loop {
        let boundary = state::period_start(sub, n)?;
        if boundary >= earliest {
            return Ok(boundary);
        }
        n += 1;
    }
}

/// Schedules the end of a subscription at `date` or, by default, at the end
/// of the period the notice period allows.
pub async fn cancel(ctx: &WriteCtx, id: i64, date: Option<DateTime<Utc>>, note: Option<String>) -> AppResult<Model> {
    let mut sub = get_one(ctx, id).await?;
    let status = check(&sub, Action::Cancel)?;
    let date = match date {
        Some(d) if d < ctx.now => {
            return Err(AppError::invalid(
                "CANCELLATION_DATE",
                "must not be in the past (terminate ends a subscription now)",
            ));
        }
        Some(d) => d,
        None => default_cancellation_date(&sub, status, ctx.now)?,
    };
    sub.cancellation_date = Some(date);
    sub.cancellation_note = note;
    if status != Status::Planned {
        sub.status = Status::Canceled.as_str().to_owned();
    }
    let sub = state::save(ctx, sub).await?;
    events::append(
        ctx,
        "subscription",
        id,
        "subscription.canceled",
        json!({"CANCELLATION_DATE": format::datetime(date), "CANCELLATION_NOTE": sub.cancellation_note}),
    )
    .await?;
    Ok(sub)
}

/// Removes a pending cancellation, or starts a closed subscription again with
/// a new period billed now.
pub async fn reactivate(ctx: &WriteCtx, id: i64) -> AppResult<Changed> {
    let mut sub = get_one(ctx, id).await?;
    let status = state::status(&sub)?;
    if allows(status, Action::Uncancel) {
        sub.cancellation_date = None;
        sub.cancellation_note = None;
        sub.status = running_status(&sub, ctx.now).as_str().to_owned();
        let sub = state::save(ctx, sub).await?;
        events::append(ctx, "subscription", id, "subscription.reactivated", json!({"STATUS": sub.status})).await?;
        return Ok(Changed { sub, invoices: Vec::new() });
    }
    if !allows(status, Action::Restart) {
        return Err(AppError::conflict_on(
            "SUBSCRIPTION_ID",
            format!("{}: it has no pending cancellation", refusal(status, Action::Uncancel)),
        ));
    }
    sub.status = Status::Active.as_str().to_owned();
    sub.close_reason = None;
    sub.closed_at = None;
    sub.cancellation_date = None;
    sub.cancellation_note = None;
    sub.anchor = ctx.now;
    sub.periods_since_anchor = 0;
    sub.term_periods = 0;
    sub.next_event = Some(ctx.now);
    state::refresh_expiration(&mut sub)?;
    events::append(ctx, "subscription", id, "subscription.restarted", json!({"START": format::datetime(ctx.now)}))
        .await?;
    let (sub, invoices, _) = engine::step_now(ctx, sub, ctx.now).await?;
    Ok(Changed { sub, invoices })
}

/// The status of a running subscription without a cancellation.
fn running_status(sub: &Model, now: DateTime<Utc>) -> Status {
    if sub.start > now {
        Status::Planned
    } else if sub.trial_end.is_some_and(|t| t > now) && sub.last_event.is_none() {
        Status::Trial
    } else {
        Status::Active
    }
}

/// Closes a subscription now; with `credit_unused`, a credit note gives back
/// the unused days of the period already paid for.
pub async fn terminate(ctx: &WriteCtx, id: i64, credit_unused: bool) -> AppResult<Changed> {
    let mut sub = get_one(ctx, id).await?;
    check(&sub, Action::Terminate)?;
    let mut preload = Preload::one(ctx, &sub).await?;
    let mut writes = Writes::new(ctx.now);
    let mut step = engine::Step::default();
    if credit_unused && let Some(credit) = super::unused_credit::draft(ctx, &sub).await? {
        step.invoices.push(writes.invoice(credit));
    }
    engine::close(ctx.now, &mut sub, CloseReason::Termination, ctx.now, &mut preload, &mut writes, &mut step)?;
    for pause in preload.pauses {
        writes.pause(pause);
    }
    sub.pause_due = None;
    state::touch(&mut sub, ctx.now);
    writes.subscription(sub.clone());
    writes.event("subscription", id, "subscription.terminated", json!({"CREDIT_UNUSED": credit_unused}));
    let invoices = writes.flush(ctx).await?;
    // The unused days' credit note lowers what the period's invoice still owes, like any credit note.
    crate::service::billed_credit::allocate(ctx, &invoices).await?;
    Ok(Changed { sub, invoices })
}

/// Days of `[from, to)` counted by calendar date; the day of a change counts as unused.
pub fn days_between(from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
    (to.date_naive() - from.date_naive()).num_days()
}

/// Moves the next billing date `months` later; later periods follow from it.
pub async fn postpone(ctx: &WriteCtx, id: i64, months: u32) -> AppResult<Model> {
    let mut sub = get_one(ctx, id).await?;
    check(&sub, Action::Postpone)?;
    let next = sub
        .next_event
        .ok_or_else(|| AppError::conflict_on("SUBSCRIPTION_ID", "the subscription has no next billing date"))?;
    let moved = Interval { count: months, unit: Unit::Month }
        .after(next)
        .ok_or_else(|| AppError::invalid("MONTH", "date out of range"))?;
    sub.anchor = moved;
    sub.periods_since_anchor = 0;
    sub.next_event = Some(moved);
    state::refresh_expiration(&mut sub)?;
    let sub = state::save(ctx, sub).await?;
    events::append(
        ctx,
        "subscription",
        id,
        "subscription.postponed",
        json!({"MONTH": months, "NEXT_EVENT": format::datetime(moved)}),
    )
    .await?;
    Ok(sub)
}

/// Bills now the periods that are due (1009 while NEXT_EVENT is in the future).
pub async fn renew(ctx: &WriteCtx, id: i64) -> AppResult<Changed> {
    let sub = get_one(ctx, id).await?;
    check(&sub, Action::Renew)?;
    match sub.next_event {
        Some(next) if next <= ctx.now => {}
        _ => {
            return Err(AppError::conflict_on("SUBSCRIPTION_ID", "nothing is due: NEXT_EVENT is in the future"));
        }
    }
    let (sub, invoices, _) = engine::step_now(ctx, sub, ctx.now).await?;
    Ok(Changed { sub, invoices })
}
