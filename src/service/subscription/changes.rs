//! Changing what a subscription bills: its plan (`changearticle`), quantities
//! (`changequantity`) and add-ons (`setaddon`).
//!
//! A change worth at least as much per day as what it replaces takes effect
//! at once; inside a paid period it is prorated by days (see
//! `domain::proration`) on an invoice issued now, or, with
//! `SUPPRESS_BILL_RUN`, on the next regular invoice. A change worth less per
//! day waits for the period end (`PLAN_UPCOMING`). An immediate change
//! replaces a pending one; `changearticle` always replaces it, the other
//! changes add to it.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde_json::json;

use super::addons::{self, AddonRequest};
use super::plan_change::{self, PlanState};
use super::{Changed, get_one, state};
use crate::billing::draft::{Draft, Kind};
use crate::billing::writer;
use crate::billing::{discounts, engine, lines::StoredLine};
use crate::domain::interval::Interval;
use crate::domain::lifecycle::{Action, Status, allows, refusal};
use crate::domain::pricing::Line;
use crate::domain::proration;
use crate::error::{AppError, AppResult};
use crate::service::{WriteCtx, article, coupon, events};
use entity::subscription::Model;

/// How a change is applied.
#[derive(Clone, Copy, Debug, Default)]
pub struct ChangeOptions {
    /// Defer prorated lines to the next regular invoice.
    pub suppress_bill_run: bool,
    /// A downgrade replaces a pending change instead of adding to it.
    pub replace_pending: bool,
}

/// The paid period around `now` that a change can be prorated in:
/// `(start, end, remaining days, total days)`.
fn paid_window(sub: &Model, status: Status, now: DateTime<Utc>) -> Option<(DateTime<Utc>, DateTime<Utc>, i64, i64)> {
    if !matches!(status, Status::Active | Status::Canceled) {
        return None;
    }
    let (start, end) = (sub.last_event?, sub.next_event?);
    let (remaining, total) = proration::remaining_days(start, end, now)?;
    Some((start, end, remaining, total))
}

fn days_of(interval: &str, from: DateTime<Utc>) -> i64 {
    Interval::parse(interval)
        .and_then(|i| i.after(from))
        .map_or(1, |end| (end.date_naive() - from.date_naive()).num_days().max(1))
}

fn stored(lines: &[Line]) -> Vec<StoredLine> {
    lines.iter().map(StoredLine::from_line).collect()
}

fn append_pending(sub: &mut Model, lines: &[Line]) -> AppResult<()> {
    let mut pending: Vec<StoredLine> = match &sub.pending_lines {
        Some(v) => serde_json::from_value(v.clone()).map_err(AppError::internal)?,
        None => Vec::new(),
    };
    pending.extend(stored(lines));
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
        return Err(AppError::conflict(refusal(status, Action::ChangePlan)));
    }
    if sub.cancellation_date.is_some_and(|c| c <= ctx.now) {
        return Err(AppError::conflict("the subscription has ended with its cancellation date"));
    }
    let before = PlanState::of(&sub)?;
    let mut after = before.clone();
    let current = before.article_number.clone();
    modify(&mut after, &current)?;
    if let Some(features) = features {
        sub.features = features;
    }
    let window = paid_window(&sub, status, ctx.now);
    let mut invoices = Vec::new();
    let from = before.article_number.clone();
    let prorated = match window {
        Some((start, end, remaining, total)) => {
            let old_value = proration::per_day(&before.lines(), total);
            let new_value = proration::per_day(&after.lines(), days_of(&after.interval, start));
            if new_value < old_value {
                let base = match plan_change::upcoming(&sub)? {
                    Some(pending) if !options.replace_pending => pending.plan,
                    _ => before.clone(),
                };
                let mut target = base;
                modify(&mut target, &current)?;
                plan_change::schedule(&mut sub, target, end);
                let sub = state::save(ctx, sub).await?;
                events::append(
                    ctx,
                    "subscription",
                    id,
                    "subscription.change_scheduled",
                    json!({"FROM": from, "TO": after.article_number, "EFFECTIVE_DATE": crate::domain::format::datetime(end)}),
                )
                .await?;
                return Ok(Changed { sub, invoices });
            }
            sub.plan_upcoming = None;
            if after.interval != before.interval {
                // A new interval starts a new billing cycle now: credit the unused
                // days of the old plan on the first invoice of the new cycle.
                let credit = proration::change_lines(&before.lines(), &[], remaining, total, &sub.currency_code);
                after.apply_to(&mut sub);
                discounts::plan_changed(&mut sub, &after.article_number)?;
                append_pending(&mut sub, &credit)?;
                sub.anchor = ctx.now;
                sub.periods_since_anchor = 0;
                sub.term_periods = 0;
                sub.next_event = Some(ctx.now);
                state::refresh_expiration(&mut sub)?;
                let (saved, issued, _) = engine::step_now(ctx, sub, ctx.now).await?;
                sub = saved;
                invoices = issued;
            } else {
                let lines =
                    proration::change_lines(&before.lines(), &after.lines(), remaining, total, &sub.currency_code);
                after.apply_to(&mut sub);
                discounts::plan_changed(&mut sub, &after.article_number)?;
                if !lines.is_empty() && options.suppress_bill_run {
                    append_pending(&mut sub, &lines)?;
                } else if !lines.is_empty() {
                    let lines = discounts::proration(&sub, lines, ctx.now)?;
                    let draft = Draft::for_subscription(&sub, Kind::Outgoing, ctx.now, Some((ctx.now, end)), lines);
                    invoices.push(writer::issue(ctx, draft).await?);
                }
                sub = state::save(ctx, sub).await?;
            }
            true
        }
        None => {
            // Nothing paid covers today (trial, planned, paused): the new terms
            // simply apply from the next billed period.
            sub.plan_upcoming = None;
            after.apply_to(&mut sub);
            discounts::plan_changed(&mut sub, &after.article_number)?;
            sub = state::save(ctx, sub).await?;
            false
        }
    };
    events::append(
        ctx,
        "subscription",
        id,
        "subscription.plan_changed",
        json!({"FROM": from, "TO": after.article_number, "QUANTITY": after.quantity.to_string(), "PRORATED": prorated}),
    )
    .await?;
    Ok(Changed { sub, invoices })
}

/// What `subscription.changearticle` asks for.
#[derive(Debug, Default)]
pub struct ArticleChange {
    pub article_number: String,
    pub quantity: Option<Decimal>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub unit_price: Option<Decimal>,
    pub reset_addons: bool,
    pub addons: Vec<AddonRequest>,
    pub coupon: Option<String>,
    pub features: Option<Option<serde_json::Value>>,
    pub suppress_bill_run: bool,
}

/// Moves a subscription to another plan article.
pub async fn change_article(ctx: &WriteCtx, id: i64, change: ArticleChange) -> AppResult<Changed> {
    let mut sub = get_one(ctx, id).await?;
    let plan = article::get_one(ctx, &change.article_number).await?;
    if let Some(code) = &change.coupon {
        if !allows(state::status(&sub)?, Action::ChangePlan) {
            return Err(AppError::conflict(refusal(state::status(&sub)?, Action::ChangePlan)));
        }
        let redeemed = coupon::redeem(ctx, code, &plan.article_number, &sub.currency_code).await?;
        discounts::set_coupon(&mut sub, &redeemed.held);
        sub = state::save(ctx, sub).await?;
        coupon::redeemed_event(ctx, &redeemed, sub.id).await?;
    }
    if plan.is_addon {
        return Err(AppError::invalid(
            "ARTICLE_NUMBER",
            "is an add-on; book add-ons with ADDONS or subscription.setaddon",
        ));
    }
    if change.unit_price.is_none() && plan.currency_code != sub.currency_code {
        return Err(AppError::invalid(
            "ARTICLE_NUMBER",
            format!("the article is priced in {}, the subscription bills in {}", plan.currency_code, sub.currency_code),
        ));
    }
    let added = addons::resolve(ctx, &change.addons, &sub.currency_code).await?;
    let modify = |p: &mut PlanState, _: &str| -> AppResult<()> {
        p.article_id = plan.id;
        p.article_number = plan.article_number.clone();
        p.title = change.title.clone().unwrap_or_else(|| plan.title.clone());
        p.description = change.description.clone().or_else(|| plan.description.clone());
        p.unit_price = change.unit_price.unwrap_or(plan.unit_price.0);
        p.vat_percent = plan.vat_percent.0;
        p.quantity = change.quantity.unwrap_or(p.quantity);
        p.interval = plan.interval.clone();
        p.duration = plan.duration;
        p.notice = plan.cancellation.clone();
        if change.reset_addons {
            p.addons.clear();
        }
        merge_addons(p, &added, "ADDONS")
    };
    let options = ChangeOptions { suppress_bill_run: change.suppress_bill_run, replace_pending: true };
    apply(ctx, id, modify, options, change.features.clone()).await
}

fn merge_addons(p: &mut PlanState, added: &[state::Addon], tag: &str) -> AppResult<()> {
    for addon in added {
        match p.addons.iter_mut().find(|a| a.article_number == addon.article_number) {
            Some(existing) => existing.quantity += addon.quantity,
            None => p.addons.push(addon.clone()),
        }
    }
    if p.addons.iter().any(|a| a.quantity <= Decimal::ZERO) {
        return Err(AppError::invalid(tag, "add-on quantities must be greater than zero"));
    }
    Ok(())
}

/// Books a recurring add-on (or more of one that allows multiples).
pub async fn set_addon(ctx: &WriteCtx, id: i64, request: AddonRequest, suppress_bill_run: bool) -> AppResult<Changed> {
    let sub = get_one(ctx, id).await?;
    let found = article::get_one(ctx, &request.article_number).await?;
    let resolved = addons::resolve(ctx, std::slice::from_ref(&request), &sub.currency_code).await?;
    let already = state::addons(&sub)?.iter().any(|a| a.article_number == found.article_number);
    if already && !found.allow_multiple {
        return Err(AppError::conflict_on("ARTICLE_NUMBER", "this add-on is booked already (ALLOW_MULTIPLE is off)"));
    }
    let modify = |p: &mut PlanState, _: &str| merge_addons(p, &resolved, "QUANTITY");
    let options = ChangeOptions { suppress_bill_run, replace_pending: false };
    apply(ctx, id, modify, options, None).await
}

/// A new quantity for the plan or one booked add-on (0 removes an add-on).
#[derive(Clone, Debug)]
pub struct QuantityChange {
    /// Names the entry in errors: `QUANTITY` or `ADDONS[i].QUANTITY`.
    pub tag: String,
    pub article_number: String,
    pub quantity: Decimal,
}

/// Changes quantities: increases are prorated now, decreases wait for the period end.
pub async fn change_quantity(ctx: &WriteCtx, id: i64, changes: Vec<QuantityChange>) -> AppResult<Changed> {
    let modify = |p: &mut PlanState, current: &str| -> AppResult<()> {
        for change in &changes {
            if change.article_number == p.article_number || change.article_number == current {
                if change.quantity <= Decimal::ZERO {
                    return Err(AppError::invalid(change.tag.clone(), "the plan's quantity must be greater than zero"));
                }
                p.quantity = change.quantity;
            } else if let Some(i) = p.addons.iter().position(|a| a.article_number == change.article_number) {
                if change.quantity.is_zero() {
                    p.addons.remove(i);
                } else {
                    p.addons[i].quantity = change.quantity;
                }
            } else {
                return Err(AppError::invalid(
                    change.tag.replace("QUANTITY", "ARTICLE_NUMBER"),
                    format!("{} is neither the plan nor a booked add-on", change.article_number),
                ));
            }
        }
        Ok(())
    };
    apply(ctx, id, modify, ChangeOptions::default(), None).await
}
