//! `subscription.pause`, `unpause`, `getpauses`, `deletepause`.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, NotSet, QueryFilter};
use serde_json::json;

use super::{get_one, state};
use crate::billing::{engine, pauses};
use crate::db::scope::Scope;
use crate::domain::format;
use crate::domain::lifecycle::{Action, Status, allows, refusal};
use crate::error::{AppError, AppResult};
use crate::service::{Ctx, WriteCtx, events};
use entity::subscription_pause::{self as pause, Column, Entity};

/// What `subscription.pause` asks for.
#[derive(Debug, Default)]
pub struct NewPause {
    pub subscription_id: i64,
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
    pub cycles: Option<u32>,
    /// The client's own PAUSE_ID; giving an existing one changes that pause.
    pub ext_id: Option<String>,
}

/// A pause's public id: the client's own, or ours.
pub fn public_id(p: &pause::Model) -> serde_json::Value {
    match &p.ext_id {
        Some(ext) => json!(ext),
        None => json!(p.id),
    }
}

/// Adds (or, with a known own PAUSE_ID, changes) a pause. Pauses may not
/// overlap; `CYCLES` pauses end after that many billing periods.
pub async fn pause(ctx: &WriteCtx, input: NewPause) -> AppResult<pause::Model> {
    let sub = get_one(ctx, input.subscription_id).await?;
    let status = state::status(&sub)?;
    if !allows(status, Action::Pause) {
        return Err(AppError::conflict_on("SUBSCRIPTION_ID", refusal(status, Action::Pause)));
    }
    let start = input.start.unwrap_or(ctx.now);
    if start < ctx.now {
        return Err(AppError::invalid("START_DATE", "a pause cannot start in the past"));
    }
    let end = match (input.end, input.cycles) {
        (Some(_), Some(_)) => return Err(AppError::invalid("CYCLES", "give END_DATE or CYCLES, not both")),
        (Some(end), None) if end <= start => return Err(AppError::invalid("END_DATE", "must be after START_DATE")),
        (Some(end), None) => Some(end),
        (None, Some(cycles)) => Some(end_after_cycles(&sub, start, cycles)?),
        (None, None) => None,
    };
    if sub.cancellation_date.is_some_and(|c| c <= start) {
        return Err(AppError::conflict_on("SUBSCRIPTION_ID", "the subscription ends before this pause would start"));
    }
    let existing = pauses::load(ctx, sub.id).await?;
    let replacing = input.ext_id.as_ref().and_then(|ext| existing.iter().find(|p| p.ext_id.as_ref() == Some(ext)));
    check_free(&existing, replacing, start, end)?;
    let cycles = input.cycles.map(|c| i32::try_from(c).unwrap_or(i32::MAX));
    let id = match replacing {
        Some(old) => reschedule(ctx, old.id, start, end, cycles).await?,
        None => insert(ctx, &sub, input.ext_id.clone(), start, end, cycles).await?,
    };
    events::append(
        ctx,
        "subscription",
        sub.id,
        "subscription.pause_scheduled",
        json!({"PAUSE_ID": id, "START_DATE": format::datetime(start), "END_DATE": format::opt_datetime(end)}),
    )
    .await?;
    settle(ctx, sub).await?;
    get(ctx, id).await
}

/// A pause from `start` to `end` may be stored: the one it replaces has not
/// started, and it overlaps no other.
fn check_free(
    existing: &[pause::Model],
    replacing: Option<&pause::Model>,
    start: DateTime<Utc>,
    end: Option<DateTime<Utc>>,
) -> AppResult<()> {
    if let Some(old) = replacing
        && (old.started || old.affected)
    {
        return Err(AppError::conflict_on("PAUSE_ID", "this pause has started and can no longer be changed"));
    }
    let overlapping = existing.iter().filter(|p| replacing.is_none_or(|r| r.id != p.id)).find(|p| {
        p.start < end.unwrap_or(DateTime::<Utc>::MAX_UTC) && start < p.end.unwrap_or(DateTime::<Utc>::MAX_UTC)
    });
    match overlapping {
        Some(other) => Err(AppError::conflict_on(
            "START_DATE",
            format!("overlaps pause {} starting {}", public_id(other), format::datetime(other.start)),
        )),
        None => Ok(()),
    }
}

/// Moves a pause that has not started; its id.
async fn reschedule(
    ctx: &WriteCtx,
    id: i64,
    start: DateTime<Utc>,
    end: Option<DateTime<Utc>>,
    cycles: Option<i32>,
) -> AppResult<i64> {
    ctx.update_many::<Entity>()
        .col_expr(Column::Start, sea_orm::sea_query::Expr::value(start))
        .col_expr(Column::End, sea_orm::sea_query::Expr::value(end))
        .col_expr(Column::Cycles, sea_orm::sea_query::Expr::value(cycles))
        .filter(Column::Id.eq(id))
        .exec(&ctx.db)
        .await?;
    Ok(id)
}

/// Stores a new pause of `sub`; its id.
async fn insert(
    ctx: &WriteCtx,
    sub: &entity::subscription::Model,
    ext_id: Option<String>,
    start: DateTime<Utc>,
    end: Option<DateTime<Utc>>,
    cycles: Option<i32>,
) -> AppResult<i64> {
    let row = pause::ActiveModel {
        id: NotSet,
        tenant_id: Set(ctx.tenant.id.get()),
        subscription_id: Set(sub.id),
        ext_id: Set(ext_id),
        start: Set(start),
        end: Set(end),
        cycles: Set(cycles),
        started: Set(false),
        ended: Set(false),
        skipped: Set(false),
        affected: Set(false),
        created: Set(ctx.now),
    };
    Ok(Entity::insert(row).exec(&ctx.db).await?.last_insert_id)
}

/// The end of a pause of `cycles` billing periods from `start`: periods that
/// begin inside it are skipped; it ends on the boundary after the last one.
fn end_after_cycles(sub: &entity::subscription::Model, start: DateTime<Utc>, cycles: u32) -> AppResult<DateTime<Utc>> {
    if cycles == 0 {
        return Err(AppError::invalid("CYCLES", "must be at least 1"));
    }
    // From the current period: one that begins exactly at `start` (billed already, its days
    // credited by the pause) is the first of the `cycles`, not a free one before them.
    let mut n = (sub.periods_since_anchor - 1).max(0);
    while state::period_start(sub, n)? < start {
        n += 1;
    }
    state::period_start(sub, n + i32::try_from(cycles).unwrap_or(i32::MAX / 2))
        .map_err(|_| AppError::invalid("CYCLES", "the pause would end after 9999-12-31"))
}

/// Re-derives when pauses matter next and lets the engine process what is due now.
async fn settle(ctx: &WriteCtx, mut sub: entity::subscription::Model) -> AppResult<entity::subscription::Model> {
    let all = pauses::load(ctx, sub.id).await?;
    sub.pause_due = pauses::due(&all, sub.next_event);
    let sub = state::save(ctx, sub).await?;
    let (sub, _, _) = engine::step_now(ctx, sub, ctx.now).await?;
    Ok(sub)
}

/// Ends the running pause now.
pub async fn unpause(ctx: &WriteCtx, subscription_id: i64) -> AppResult<pause::Model> {
    let mut sub = get_one(ctx, subscription_id).await?;
    let status = state::status(&sub)?;
    if status == Status::Closed {
        return Err(AppError::conflict_on("SUBSCRIPTION_ID", refusal(status, Action::Unpause)));
    }
    let all = pauses::load(ctx, sub.id).await?;
    let mut running = all
        .iter()
        .find(|p| p.started && !p.ended)
        .cloned()
        .ok_or_else(|| AppError::conflict_on("SUBSCRIPTION_ID", "no pause is running"))?;
    running.end = Some(ctx.now);
    running.cycles = None;
    if !running.skipped && !running.affected {
        // The credit was for the pause as planned; it is shorter now.
        let lines = pauses::credit(&sub, &running)?;
        pauses::set_credit(&mut sub, running.id, lines)?;
    }
    pauses::save_changed(ctx, &all, &[running.clone()]).await?;
    let sub = state::save(ctx, sub).await?;
    settle(ctx, sub).await?;
    get(ctx, running.id).await
}

/// One pause of this tenant.
pub async fn get<C: ConnectionTrait>(ctx: &Ctx<C>, id: i64) -> AppResult<pause::Model> {
    ctx.by_id::<Entity, _>(&ctx.db, id).await?.ok_or_else(|| AppError::not_found("PAUSE_ID", "pause not found"))
}

/// A subscription's pauses, by start.
pub async fn list<C: ConnectionTrait>(ctx: &Ctx<C>, subscription_id: i64) -> AppResult<Vec<pause::Model>> {
    get_one(ctx, subscription_id).await?;
    pauses::load(ctx, subscription_id).await
}

/// Finds a pause by our id (digits) or the client's own id.
pub async fn find_by_public_id<C: ConnectionTrait>(
    ctx: &Ctx<C>,
    public: &str,
    subscription_id: Option<i64>,
) -> AppResult<pause::Model> {
    let mut query = ctx.find::<Entity>();
    query = match public.parse::<i64>() {
        Ok(id) if !public.is_empty() && public.bytes().all(|b| b.is_ascii_digit()) => query.filter(Column::Id.eq(id)),
        _ => query.filter(Column::ExtId.eq(public)),
    };
    if let Some(id) = subscription_id {
        query = query.filter(Column::SubscriptionId.eq(id));
    }
    let found = query.all(&ctx.db).await?;
    match found.len() {
        0 => Err(AppError::not_found("PAUSE_ID", "pause not found")),
        1 => Ok(found.into_iter().next().ok_or_else(|| AppError::not_found("PAUSE_ID", "pause not found"))?),
        _ => Err(AppError::invalid(
            "SUBSCRIPTION_ID",
            "several subscriptions have a pause with this PAUSE_ID; name the subscription",
        )),
    }
}

/// Deletes a pause that has not yet affected billing (1009 once it has).
pub async fn delete(ctx: &WriteCtx, public: &str, subscription_id: Option<i64>) -> AppResult<()> {
    let p = find_by_public_id(ctx, public, subscription_id).await?;
    if p.affected {
        return Err(AppError::conflict_on("PAUSE_ID", "this pause already affected an invoice"));
    }
    let mut sub = get_one(ctx, p.subscription_id).await?;
    pauses::set_credit(&mut sub, p.id, Vec::new())?;
    if p.started && !p.ended && state::status(&sub)? == Status::Paused {
        sub.status = pauses::resumed_status(&sub, ctx.now).as_str().to_owned();
    }
    ctx.delete_many::<Entity>().filter(Column::Id.eq(p.id)).exec(&ctx.db).await?;
    events::append(ctx, "subscription", sub.id, "subscription.pause_deleted", json!({"PAUSE_ID": public_id(&p)}))
        .await?;
    let sub = state::save(ctx, sub).await?;
    settle(ctx, sub).await?;
    Ok(())
}
