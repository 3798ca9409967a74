//! Dunning (API.md section 10): `overdue` from the day after DUE_DATE by the
//! tenant's clock and time zone, DUNNING_LEVEL rising at DUNNING.DAYS with an
//! `invoice.reminded` each, DUNNING.FINAL_ACTION once, and
//! `invoice.pausedunning` / `unpausedunning` / `postpone`. The schedule is
//! `domain::dunning`; billing runs advance it (`run_tenant`, after billing).
//!
//! The policy is the tenant's settings `DUNNING` {DAYS, FINAL_ACTION} when
//! `tenant.update` stored one, else `[billing] dunning_days` /
//! `dunning_final_action` from the configuration.
//!
//! Decision: `invoice.overdue` is written once per invoice (the timeline is
//! its record), also when a postponed due date passes again.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sea_orm::sea_query::Condition;
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, QueryFilter, QueryOrder, QuerySelect, TransactionTrait};
use serde_json::json;

use super::subscription::{lifecycle, pauses};
use super::tx::{self, Outcome};
use super::{AppState, Ctx, TenantRef, WriteCtx, events};
use crate::billing::balance::{local_date, overdue_from, save_invoice, tenant_zone};
use crate::db::scope::Scope;
use crate::domain::dunning::{self, Dunning, DunningDays, DunningError, FinalAction};
use crate::error::{AppError, AppResult};
use entity::{event, invoice};

/// A tenant's dunning policy.
#[derive(Clone, Debug)]
pub struct Policy {
    pub days: DunningDays,
    pub action: FinalAction,
}

/// The tenant's policy: its stored DUNNING, else the configuration's.
pub async fn policy<C: ConnectionTrait>(ctx: &Ctx<C>) -> AppResult<Policy> {
    use sea_orm::EntityTrait;
    let tenant = entity::tenant::Entity::find_by_id(ctx.tenant.id.get()).one(&ctx.db).await?;
    let stored = tenant.and_then(|t| t.settings).and_then(|s| s.get("DUNNING").cloned());
    let config = &ctx.settings.billing;
    let days: Vec<u32> = stored
        .as_ref()
        .and_then(|d| d.get("DAYS"))
        .and_then(|v| serde_json::from_value(v.clone()).ok())
        .unwrap_or_else(|| config.dunning_days.clone());
    let action = stored
        .as_ref()
        .and_then(|d| d.get("FINAL_ACTION"))
        .and_then(|v| v.as_str())
        .and_then(FinalAction::parse)
        .or_else(|| FinalAction::parse(&config.dunning_final_action))
        .unwrap_or_default();
    Ok(Policy { days: DunningDays::parse(&days).unwrap_or_default(), action })
}

fn state_of(row: &invoice::Model, tz: Tz) -> Dunning {
    let due = local_date(row.due_date, tz);
    Dunning {
        due_date: due,
        postponed_to: row.due_date_postponed.then_some(due),
        level: u32::try_from(row.dunning_level).unwrap_or(0),
        paused: row.dunning_paused,
        paid: row.status == "paid",
        final_action_applied: row.dunning_final_applied,
    }
}

/// Advances dunning of `rows` (unpaid outgoing invoices) to the call's clock.
/// Answers how many invoices changed.
pub async fn advance_rows(ctx: &WriteCtx, rows: Vec<invoice::Model>, policy: &Policy, tz: Tz) -> AppResult<u64> {
    let today = local_date(ctx.now, tz);
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let notified: HashSet<i64> = ctx
        .find::<event::Entity>()
        .select_only()
        .column(event::Column::SubjectId)
        .filter(event::Column::Subject.eq("invoice"))
        .filter(event::Column::SubjectId.is_in(ids))
        .filter(event::Column::EventType.eq("invoice.overdue"))
        .into_tuple::<i64>()
        .all(&ctx.db)
        .await?
        .into_iter()
        .collect();
    let mut changed = 0;
    for mut row in rows {
        if row.kind != "outgoing" || row.status != "unpaid" {
            continue;
        }
        let state = state_of(&row, tz);
        let step = dunning::advance(&state, &policy.days, policy.action, today);
        if step.overdue && !notified.contains(&row.id) {
            let data = json!({"INVOICE_NUMBER": row.invoice_number, "DUE_DATE": crate::domain::format::datetime(row.due_date)});
            events::append(ctx, "invoice", row.id, "invoice.overdue", data).await?;
        }
        let last = step.reminders.last().copied();
        for level in &step.reminders {
            let mut data = json!({"INVOICE_NUMBER": row.invoice_number, "DUNNING_LEVEL": level});
            if let (Some(action), Some(map)) =
                (step.final_action.filter(|_| Some(*level) == last), data.as_object_mut())
            {
                map.insert("FINAL_ACTION".into(), json!(action.as_str()));
            }
            events::append(ctx, "invoice", row.id, "invoice.reminded", data).await?;
            super::mail::reminder(ctx, &row, *level).await?;
        }
        if let Some(action) = step.final_action {
            apply_final(ctx, &row, action).await?;
            row.dunning_final_applied = true;
        }
        if step.level != state.level || step.final_action.is_some() {
            row.dunning_level = i32::try_from(step.level).unwrap_or(i32::MAX);
            save_invoice(ctx, &row).await?;
            changed += 1;
        }
    }
    Ok(changed)
}

/// DUNNING.FINAL_ACTION on the invoice's subscription. A subscription the
/// action no longer fits (closed, already paused) is left as it is.
async fn apply_final(ctx: &WriteCtx, row: &invoice::Model, action: FinalAction) -> AppResult<()> {
    let Some(sub) = row.subscription_id else { return Ok(()) };
    let result = match action {
        FinalAction::None => return Ok(()),
        FinalAction::Pause => {
            pauses::pause(ctx, pauses::NewPause { subscription_id: sub, ..Default::default() }).await.map(|_| ())
        }
        FinalAction::Cancel => lifecycle::cancel(ctx, sub, None, Some("dunning".into())).await.map(|_| ()),
    };
    match result {
        Ok(()) => Ok(()),
        Err(AppError::Conflict { message, .. } | AppError::InvalidParams { message, .. }) => {
            tracing::info!(invoice_id = row.id, subscription_id = sub, %message, "dunning final action not applicable");
            Ok(())
        }
        Err(err) => Err(err),
    }
}

/// One page of a tenant's invoices that dunning may move, after `cursor`.
async fn step_page(ctx: &WriteCtx, cursor: i64, limit: u64) -> AppResult<(u64, Option<i64>)> {
    use invoice::Column as I;
    let policy = policy(ctx).await?;
    let tz = tenant_zone(ctx).await?;
    let last_level = i32::try_from(policy.days.last_level()).unwrap_or(i32::MAX);
    let mut select = ctx
        .find::<invoice::Entity>()
        .filter(I::Kind.eq("outgoing"))
        .filter(I::Status.eq("unpaid"))
        .filter(I::DueDate.lt(overdue_from(ctx.now, tz)))
        .filter(I::DunningPaused.eq(false))
        .filter(Condition::any().add(I::DunningLevel.lt(last_level)).add(I::DunningFinalApplied.eq(false)))
        .filter(I::Id.gt(cursor))
        .order_by_asc(I::Id)
        .limit(limit);
    if ctx.db.get_database_backend() == DbBackend::Postgres {
        select = select.lock_exclusive();
    }
    let rows = select.all(&ctx.db).await?;
    let last = rows.last().map(|r| r.id);
    Ok((advance_rows(ctx, rows, &policy, tz).await?, last))
}

/// Advances dunning of every invoice of `tenant` at `now`, a page per
/// transaction; answers how many invoices changed.
pub async fn run_tenant<C>(state: &AppState, conn: &C, tenant: TenantRef, now: DateTime<Utc>) -> AppResult<u64>
where
    C: TransactionTrait + ConnectionTrait,
{
    let limit = state.settings.billing.page_size.max(1);
    let (mut cursor, mut changed) = (0i64, 0u64);
    loop {
        let (done, last) = tx::within(state, conn, tenant, now, Outcome::Commit, move |ctx| {
            Box::pin(async move { step_page(ctx, cursor, limit).await })
        })
        .await?;
        changed += done;
        match last {
            Some(id) => cursor = id,
            None => return Ok(changed),
        }
    }
}

/// An unpaid outgoing invoice of this tenant, locked.
async fn dunnable(ctx: &WriteCtx, id: i64) -> AppResult<invoice::Model> {
    let row = ctx
        .by_id::<invoice::Entity, _>(&ctx.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("INVOICE_ID", "INVOICE_ID: no such invoice"))?;
    if row.kind != "outgoing" || row.status != "unpaid" {
        let msg = format!("INVOICE_ID: dunning applies to unpaid invoices; this one is {} {}", row.kind, row.status);
        return Err(AppError::conflict_on("INVOICE_ID", msg));
    }
    Ok(row)
}

/// `invoice.pausedunning`: the level holds until unpaused.
pub async fn pause(ctx: &WriteCtx, id: i64) -> AppResult<invoice::Model> {
    let mut row = dunnable(ctx, id).await?;
    if !row.dunning_paused {
        row.dunning_paused = true;
        save_invoice(ctx, &row).await?;
        let data = json!({"DUNNING_LEVEL": row.dunning_level});
        events::append(ctx, "invoice", id, "invoice.dunning_paused", data).await?;
    }
    Ok(row)
}

/// `invoice.unpausedunning`: the schedule resumes from DUE_DATE and catches up at once.
pub async fn unpause(ctx: &WriteCtx, id: i64) -> AppResult<invoice::Model> {
    let mut row = dunnable(ctx, id).await?;
    if row.dunning_paused {
        row.dunning_paused = false;
        save_invoice(ctx, &row).await?;
        events::append(ctx, "invoice", id, "invoice.dunning_unpaused", json!({})).await?;
        let policy = policy(ctx).await?;
        let tz = tenant_zone(ctx).await?;
        advance_rows(ctx, vec![row.clone()], &policy, tz).await?;
    }
    super::invoice::load(ctx, id).await.map(|i| i.invoice)
}

/// `invoice.postpone`: DUE_DATE moves to `to` (later; once per invoice) and the level resets to 0.
pub async fn postpone(ctx: &WriteCtx, id: i64, to: DateTime<Utc>) -> AppResult<invoice::Model> {
    let mut row = dunnable(ctx, id).await?;
    let tz = tenant_zone(ctx).await?;
    let next = dunning::postpone(&state_of(&row, tz), local_date(to, tz)).map_err(|err| match err {
        DunningError::NotLater | DunningError::BadDays => AppError::invalid(err.tag(), err),
        _ => AppError::conflict_on(err.tag(), err.to_string()),
    })?;
    row.due_date = to;
    row.due_date_postponed = true;
    row.dunning_level = i32::try_from(next.level).unwrap_or(0);
    save_invoice(ctx, &row).await?;
    let data = json!({"DUE_DATE": crate::domain::format::datetime(to)});
    events::append(ctx, "invoice", id, "invoice.postponed", data).await?;
    Ok(row)
}
