//! Price quotes: what a purchase would cost, and a subscription's next invoice.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::subscription::{addons, addons::AddonRequest, get_one, plan_change, state};
use super::{ReadCtx, article};
use crate::billing::{discounts, lines};
use crate::domain::lifecycle::Status;
use crate::domain::pricing::{self, Line, LineKind, Priced};
use crate::error::{AppError, AppResult};

/// A purchase to quote.
#[derive(Debug)]
pub struct QuoteRequest {
    pub article_number: String,
    pub quantity: Decimal,
    pub coupon: Option<String>,
    /// Validated; VAT comes from the articles' VAT_PERCENT.
    pub country_code: Option<String>,
    pub addons: Vec<AddonRequest>,
}

/// The first invoice of a subscription to `request`: plan, setup fee, add-ons.
pub async fn purchase(ctx: &ReadCtx, request: QuoteRequest) -> AppResult<Priced> {
    let plan = article::get_one(ctx, &request.article_number).await?;
    if plan.is_addon {
        return Err(AppError::invalid("ARTICLE_NUMBER", "is an add-on; quote a plan with ADDONS"));
    }
    let mut lines = vec![Line {
        kind: LineKind::Plan,
        article_number: Some(plan.article_number.clone()),
        description: plan.title.clone(),
        quantity: request.quantity,
        unit_price: plan.unit_price.0,
        vat_percent: plan.vat_percent.0,
    }];
    if plan.setup_fee.0 > Decimal::ZERO {
        lines.push(Line {
            kind: LineKind::Setup,
            article_number: Some(plan.article_number.clone()),
            description: format!("Setup fee: {}", plan.title),
            quantity: Decimal::ONE,
            unit_price: plan.setup_fee.0,
            vat_percent: plan.vat_percent.0,
        });
    }
    for addon in addons::resolve(ctx, &request.addons, &plan.currency_code).await? {
        lines.push(Line {
            kind: LineKind::Addon,
            article_number: Some(addon.article_number),
            description: addon.title,
            quantity: addon.quantity,
            unit_price: addon.unit_price,
            vat_percent: addon.vat_percent,
        });
    }
    if let Some(code) = &request.coupon {
        let (_, held) = super::coupon::holdable(ctx, code, &plan.article_number, &plan.currency_code).await?;
        lines = discounts::quote(lines, &held, &plan.currency_code)?;
    }
    Ok(pricing::price(lines, &plan.currency_code))
}

/// The next invoice `id` would get, and when: the next period (with a
/// scheduled plan change applied), open usage and consumptions, deferred lines. A subscription
/// whose cancellation comes first gets only its final usage.
pub async fn next_invoice(ctx: &ReadCtx, id: i64) -> AppResult<(Priced, Option<DateTime<Utc>>)> {
    let mut sub = get_one(ctx, id).await?;
    if state::status(&sub)? == Status::Closed {
        return Err(AppError::conflict_on("SUBSCRIPTION_ID", "a closed subscription has no upcoming invoice"));
    }
    let next = sub.next_event;
    let ends_first = match (sub.cancellation_date, next) {
        (Some(cancel_at), Some(next)) => cancel_at <= next,
        (Some(_), None) => true,
        _ => sub.duration.is_some_and(|d| sub.term_periods >= d),
    };
    let mut out = Vec::new();
    if !ends_first {
        if let Some(upcoming) = plan_change::upcoming(&sub)?
            && next.is_some_and(|n| upcoming.effective() <= n)
        {
            upcoming.plan.apply_to(&mut sub);
        }
        out.extend(lines::recurring(&sub)?);
        out.extend(lines::setup(&sub));
    }
    out.extend(lines::pending(&sub)?);
    let usage_until = if ends_first {
        sub.cancellation_date.unwrap_or(ctx.now).max(ctx.now)
    } else {
        next.unwrap_or(ctx.now).max(ctx.now)
    };
    out.extend(lines::usage(&lines::open_usage(ctx, sub.id, usage_until).await?));
    if !ends_first && let Some(start) = next {
        out = discounts::regular(&mut sub, out, start)?;
    }
    // Open consumptions ride on the next invoice, undiscounted (after the discounts).
    let open = crate::billing::consumptions::open_of_subscriptions(ctx, vec![sub.id]).await?;
    out.extend(open.iter().map(crate::billing::consumptions::line));
    let when = if ends_first { sub.cancellation_date.or(sub.expiration_date) } else { next };
    Ok((pricing::price(out, &sub.currency_code), when))
}
