//! The add-ons a subscription's page offers, each with its price and what
//! booking one would cost now (the share of the current period).

use rust_decimal::Decimal;

use super::view::human;
use crate::domain::format;
use crate::domain::lifecycle::Status;
use crate::domain::proration;
use crate::error::AppResult;
use crate::service::article;
use crate::service::subscription::state;

#[derive(serde::Serialize)]
pub struct Offer {
    article_number: String,
    title: String,
    description: Option<String>,
    price: String,
    due_now: String,
    vat: String,
    multiple: bool,
}

/// The add-ons a subscription can book, with what one of each costs now.
pub async fn offers(
    ctx: &crate::service::ReadCtx,
    sub: &entity::subscription::Model,
    status: Status,
) -> AppResult<(Vec<Offer>, String)> {
    let booked = state::addons(sub)?;
    let filter = article::ArticleFilter { is_addon: Some(true), ..Default::default() };
    let articles = article::find(ctx, filter, 200, 0).await?;
    let window = match (status, sub.last_event, sub.next_event) {
        (Status::Active | Status::Canceled, Some(start), Some(end)) => proration::remaining_days(start, end, ctx.now),
        _ => None,
    };
    let note = match (window, sub.next_event) {
        (Some((remaining, total)), Some(end)) => {
            format!("Due now is the share of the current period until {} ({remaining} of {total} days).", human(end))
        }
        (_, Some(end)) => format!("Nothing is due now; add-ons are billed from {}.", human(end)),
        _ => "Nothing is due now.".to_owned(),
    };
    let offers = articles
        .into_iter()
        .filter(|a| a.currency_code == sub.currency_code)
        .filter(|a| a.allow_multiple || !booked.iter().any(|b| b.article_number == a.article_number))
        .map(|a| {
            let due = window.map_or(Decimal::ZERO, |(r, t)| proration::share(a.unit_price.0, r, t, &sub.currency_code));
            Offer {
                article_number: a.article_number.clone(),
                title: a.title.clone(),
                description: a.description.clone(),
                price: format::price(a.unit_price.0, &a.currency_code),
                due_now: format::money(due, &sub.currency_code),
                vat: format::percent(a.vat_percent.0),
                multiple: a.allow_multiple,
            }
        })
        .collect();
    Ok((offers, note))
}
