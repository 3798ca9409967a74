//! Pauses inside the engine: when one starts (status `paused`, credit for the
//! paused days of a paid period), when a period boundary falls inside one
//! (the period is skipped and billing resumes at the pause end), and when one
//! ends (status back, billing re-anchored where the pause ended).

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder};
use serde_json::json;

use super::lines::{self, StoredLine};
use super::state;
use super::writer::Writes;
use crate::db::ctx::Ctx;
use crate::db::scope::Scope;
use crate::domain::format;
use crate::domain::lifecycle::Status;
use crate::domain::proration;
use crate::error::{AppError, AppResult};
use entity::subscription::Model;
use entity::subscription_pause::{self as pause, Column};

/// The pauses of a subscription, oldest first.
pub async fn load<C: ConnectionTrait>(ctx: &Ctx<C>, subscription_id: i64) -> AppResult<Vec<pause::Model>> {
    Ok(ctx
        .find::<pause::Entity>()
        .filter(Column::SubscriptionId.eq(subscription_id))
        .order_by_asc(Column::Start)
        .all(&ctx.db)
        .await?)
}

/// Writes back the pauses that changed.
pub async fn save_changed<C: ConnectionTrait>(
    ctx: &Ctx<C>,
    before: &[pause::Model],
    after: &[pause::Model],
) -> AppResult<()> {
    for p in after {
        if before.iter().any(|b| b == p) {
            continue;
        }
        pause::Entity::update(p.clone().into_active_model().reset_all())
            .filter(Column::TenantId.eq(ctx.tenant.id.get()))
            .exec(&ctx.db)
            .await?;
    }
    Ok(())
}

/// The next instant pause logic matters for a subscription: a pause start, a
/// pause end, or (for a pause without end) the next boundary it will skip.
pub fn due(pauses: &[pause::Model], next_event: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    pauses
        .iter()
        .filter(|p| !p.ended)
        .filter_map(|p| if p.started { p.end.or(next_event) } else { Some(p.start) })
        .min()
}

/// The pause a period starting at `boundary` falls in.
pub fn covering(pauses: &[pause::Model], boundary: DateTime<Utc>) -> Option<usize> {
    pauses.iter().position(|p| p.start <= boundary && p.end.is_none_or(|e| boundary < e))
}

/// Credit lines for the days of the paid period that pause `p` covers.
pub fn credit(sub: &Model, p: &pause::Model) -> AppResult<Vec<StoredLine>> {
    let (Some(paid_from), Some(paid_to)) = (sub.last_event, sub.next_event) else { return Ok(Vec::new()) };
    if p.start < paid_from || p.start >= paid_to {
        return Ok(Vec::new());
    }
    let until = p.end.map_or(paid_to, |e| e.min(paid_to));
    let days = (until.date_naive() - p.start.date_naive()).num_days();
    let total = (paid_to.date_naive() - paid_from.date_naive()).num_days();
    if days <= 0 || total <= 0 {
        return Ok(Vec::new());
    }
    let items = lines::recurring(sub)?;
    Ok(proration::pause_credit(&items, days, total, &sub.currency_code)
        .iter()
        .map(|l| StoredLine { pause_id: Some(p.id), ..StoredLine::from_line(l) })
        .collect())
}

/// Replaces the pending credit lines of pause `p` with `lines`.
pub fn set_credit(sub: &mut Model, pause_id: i64, lines: Vec<StoredLine>) -> AppResult<()> {
    let mut pending: Vec<StoredLine> = match &sub.pending_lines {
        Some(v) => serde_json::from_value(v.clone()).map_err(AppError::internal)?,
        None => Vec::new(),
    };
    pending.retain(|l| l.pause_id != Some(pause_id));
    pending.extend(lines);
    sub.pending_lines = (!pending.is_empty()).then(|| json!(pending));
    Ok(())
}

/// The status a paused subscription returns to.
pub fn resumed_status(sub: &Model, at: DateTime<Utc>) -> Status {
    if sub.cancellation_date.is_some() {
        Status::Canceled
    } else if sub.trial_end.is_some_and(|t| t > at) && sub.last_event.is_none() {
        Status::Trial
    } else {
        Status::Active
    }
}

/// Pause `p` starts: the subscription is paused and the paused days of the
/// period already paid are credited on the next invoice.
pub fn start(writes: &mut Writes, sub: &mut Model, p: &mut pause::Model) -> AppResult<()> {
    p.started = true;
    if matches!(state::status(sub)?, Status::Active | Status::Trial) {
        sub.status = Status::Paused.as_str().to_owned();
    }
    let lines = credit(sub, p)?;
    set_credit(sub, p.id, lines)?;
    writes.event(
        "subscription",
        sub.id,
        "subscription.paused",
        json!({"PAUSE_ID": p.id, "START_DATE": format::datetime(p.start), "END_DATE": format::opt_datetime(p.end)}),
    );
    Ok(())
}

/// The period starting at `boundary` falls in pause `p`: it is not billed;
/// billing resumes at the pause end (re-anchored there unless the end is a
/// boundary anyway), or waits for `unpause`.
pub fn skip(writes: &mut Writes, sub: &mut Model, p: &mut pause::Model, boundary: DateTime<Utc>) -> AppResult<()> {
    p.skipped = true;
    p.affected = true;
    match p.end {
        None => sub.next_event = None,
        Some(end) => resume_at(sub, end)?,
    }
    writes.event(
        "subscription",
        sub.id,
        "subscription.period_skipped",
        json!({"PAUSE_ID": p.id, "PERIOD_START": format::datetime(boundary)}),
    );
    Ok(())
}

/// Moves the next billing date to `at`: onto the existing boundary sequence
/// when `at` is one of its boundaries, else a new cycle anchored at `at`.
pub fn resume_at(sub: &mut Model, at: DateTime<Utc>) -> AppResult<()> {
    let mut n = sub.periods_since_anchor;
    loop {
        let boundary = state::period_start(sub, n)?;
        if boundary == at {
            sub.periods_since_anchor = n;
            break;
        }
        if boundary > at || n > sub.periods_since_anchor + 10_000 {
            sub.anchor = at;
            sub.periods_since_anchor = 0;
            break;
        }
        n += 1;
    }
    sub.next_event = Some(at);
    state::refresh_expiration(sub)
}

/// Pause `p` ends: the subscription runs again; if the pause skipped a period,
/// billing starts again where it ended.
pub fn end(writes: &mut Writes, sub: &mut Model, p: &mut pause::Model) -> AppResult<()> {
    p.ended = true;
    let Some(at) = p.end else { return Ok(()) };
    if state::status(sub)? == Status::Paused {
        sub.status = resumed_status(sub, at).as_str().to_owned();
    }
    if p.skipped && sub.next_event.is_none_or(|next| next > at) {
        resume_at(sub, at)?;
    }
    writes.event("subscription", sub.id, "subscription.resumed", json!({"PAUSE_ID": p.id, "AT": format::datetime(at)}));
    Ok(())
}
