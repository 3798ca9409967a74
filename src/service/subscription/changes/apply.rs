//! Applying one change to what a subscription bills: a downgrade inside a paid period waits for
//! its end; an upgrade is prorated now (or onto the next invoice); a new interval starts a new
//! billing cycle with the unused days credited; outside a paid period the new terms simply apply.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::super::plan_change::{self, PlanState};
use super::super::{Changed, get_one, state};
use crate::billing::draft::{Draft, Kind};
use crate::billing::writer;
use crate::billing::{discounts, engine, lines::StoredLine};
use crate::domain::interval::Interval;
use crate::domain::lifecycle::{Action, Status, allows, refusal};
use crate::domain::pricing::Line;
use crate::domain::proration;
use crate::error::{AppError, AppResult};
use crate::service::invoice::Issued;
use crate::service::{WriteCtx, events};
use entity::subscription::Model;

/// How a change is applied.
#[derive(Clone, Copy, Debug, Default)]
pub struct ChangeOptions {
    /// Defer prorated lines to the next regular invoice.
    pub suppress_bill_run: bool,
    /// A downgrade replaces a pending change instead of adding to it.
    pub replace_pending: bool,
}

/// The paid period around now that a change is prorated in.
#[derive(Clone, Copy)]
struct PaidWindow {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    remaining: i64,
    total: i64,
}

fn paid_window(sub: &Model, status: Status, now: DateTime<Utc>) -> Option<PaidWindow> {
    if !matches!(status, Status::Active | Status::Canceled) {
        return None;
    }
    let (start, end) = (sub.last_event?, sub.next_event?);
    let (remaining, total) = proration::remaining_days(start, end, now)?;
    Some(PaidWindow { start, end, remaining, total })
}

fn days_of(interval: &str, from: DateTime<Utc>) -> i64 {
    Interval::parse(interval)
        .and_then(|i| i.after(from))
        .map_or(1, |end| (end.date_naive() - from.date_naive()).num_days().max(1))
}

fn append_pending(sub: &mut Model, lines: &[Line]) -> AppResult<()> {
    let mut pending: Vec<StoredLine> = match &sub.pending_lines {
        Some(v) => serde_json::from_value(v.clone()).map_err(AppError::internal)?,
        None => Vec::new(),
    };
    pending.extend(lines.iter().map(StoredLine::from_line));
    sub.pending_lines = Some(json!(pending));
    Ok(())
}

/// Applies `modify` to what `id` bills, by the rules in the module docs.
/// `modify` gets the plan to change and the article number of the plan the
/// subscription bills now (a downgrade that adds to a pending change applies
/// to the pending plan, where the current plan's number names its plan line).
pub async fn apply(
    ctx: &WriteCtx,
    id: i64,
    modify: impl Fn(&mut PlanState, &str) -> AppResult<()>,
    options: ChangeOptions,
    features: Option<Option<serde_json::Value>>,
) -> AppResult<Changed> {
    let mut sub = get_one(ctx, id).await?;
    let status = state::status(&sub)?;
    if !allows(status, Action::ChangePlan) {
        return Err(AppError::conflict_on("SUBSCRIPTION_ID", refusal(status, Action::ChangePlan)));
    }
    if sub.cancellation_date.is_some_and(|c| c <= ctx.now) {
        return Err(AppError::conflict_on("SUBSCRIPTION_ID", "the subscription has ended with its cancellation date"));
    }
    let before = PlanState::of(&sub)?;
    let mut after = before.clone();
    let current = before.article_number.clone();
    modify(&mut after, &current)?;
    if let Some(features) = features {
        sub.features = features;
    }
    let from = before.article_number.clone();
    let Some(window) = paid_window(&sub, status, ctx.now) else {
        // Nothing paid covers today (trial, planned, paused): the new terms
        // simply apply from the next billed period.
        sub.plan_upcoming = None;
        after.apply_to(&mut sub);
        discounts::plan_changed(&mut sub, &after.article_number)?;
        let sub = state::save(ctx, sub).await?;
        return plan_changed(ctx, &from, &after, false, Changed { sub, invoices: Vec::new() }).await;
    };
    let old_value = proration::per_day(&before.lines(), window.total);
    let new_value = proration::per_day(&after.lines(), days_of(&after.interval, window.start));
    if new_value < old_value {
        let mut target = match plan_change::upcoming(&sub)? {
            Some(pending) if !options.replace_pending => pending.plan,
            _ => before.clone(),
        };
        modify(&mut target, &current)?;
        return schedule_downgrade(ctx, sub, target, &from, &after.article_number, window.end).await;
    }
    sub.plan_upcoming = None;
    let changed = if after.interval != before.interval {
        new_cycle(ctx, sub, &before, &after, window).await?
    } else {
        prorate_now(ctx, sub, &before, &after, window, options).await?
    };
    plan_changed(ctx, &from, &after, true, changed).await
}

/// A change worth less per day waits for the period end (PLAN_UPCOMING).
async fn schedule_downgrade(
    ctx: &WriteCtx,
    mut sub: Model,
    target: PlanState,
    from: &str,
    to: &str,
    end: DateTime<Utc>,
) -> AppResult<Changed> {
    plan_change::schedule(&mut sub, target, end);
    let sub = state::save(ctx, sub).await?;
    let data = json!({"FROM": from, "TO": to, "EFFECTIVE_DATE": crate::domain::format::datetime(end)});
    events::append(ctx, "subscription", sub.id, "subscription.change_scheduled", data).await?;
    Ok(Changed { sub, invoices: Vec::new() })
}

/// A new interval starts a new billing cycle now: the unused days of the old plan are credited on
/// the first invoice of the new cycle.
async fn new_cycle(
    ctx: &WriteCtx,
    mut sub: Model,
    before: &PlanState,
    after: &PlanState,
    window: PaidWindow,
) -> AppResult<Changed> {
    let credit = proration::change_lines(&before.lines(), &[], window.remaining, window.total, &sub.currency_code);
    after.apply_to(&mut sub);
    discounts::plan_changed(&mut sub, &after.article_number)?;
    append_pending(&mut sub, &credit)?;
    sub.anchor = ctx.now;
    sub.periods_since_anchor = 0;
    sub.term_periods = 0;
    sub.next_event = Some(ctx.now);
    state::refresh_expiration(&mut sub)?;
    let (sub, invoices, _) = engine::step_now(ctx, sub, ctx.now).await?;
    Ok(Changed { sub, invoices })
}

/// Same interval: the difference for the rest of the period, on an invoice now or, with
/// SUPPRESS_BILL_RUN, onto the next regular invoice.
async fn prorate_now(
    ctx: &WriteCtx,
    mut sub: Model,
    before: &PlanState,
    after: &PlanState,
    window: PaidWindow,
    options: ChangeOptions,
) -> AppResult<Changed> {
    let lines =
        proration::change_lines(&before.lines(), &after.lines(), window.remaining, window.total, &sub.currency_code);
    after.apply_to(&mut sub);
    discounts::plan_changed(&mut sub, &after.article_number)?;
    let mut invoices: Vec<Issued> = Vec::new();
    if !lines.is_empty() && options.suppress_bill_run {
        append_pending(&mut sub, &lines)?;
    } else if !lines.is_empty() {
        let lines = discounts::proration(&sub, lines, ctx.now)?;
        let draft = Draft::for_subscription(&sub, Kind::Outgoing, ctx.now, Some((ctx.now, window.end)), lines);
        invoices.push(writer::issue(ctx, draft).await?);
    }
    let sub = state::save(ctx, sub).await?;
    Ok(Changed { sub, invoices })
}

async fn plan_changed(
    ctx: &WriteCtx,
    from: &str,
    after: &PlanState,
    prorated: bool,
    changed: Changed,
) -> AppResult<Changed> {
    let data =
        json!({"FROM": from, "TO": after.article_number, "QUANTITY": after.quantity.to_string(), "PRORATED": prorated});
    events::append(ctx, "subscription", changed.sub.id, "subscription.plan_changed", data).await?;
    Ok(changed)
}
