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

mod apply;

pub use apply::{ChangeOptions, apply};

use rust_decimal::Decimal;

use super::addons::{self, AddonRequest};
use super::plan_change::PlanState;
use super::{Changed, get_one, state};
use crate::billing::discounts;
use crate::domain::lifecycle::{Action, allows, refusal};
use crate::error::{AppError, AppResult};
use crate::service::{WriteCtx, article, coupon};

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
            return Err(AppError::conflict_on("SUBSCRIPTION_ID", refusal(state::status(&sub)?, Action::ChangePlan)));
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
