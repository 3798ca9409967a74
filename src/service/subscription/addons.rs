//! Resolving requested add-ons against the tenant's add-on articles.

use rust_decimal::Decimal;

use super::state::Addon;
use crate::error::{AppError, AppResult};
use crate::service::{Ctx, article};

/// One requested add-on (`ADDONS[i]`).
#[derive(Clone, Debug)]
pub struct AddonRequest {
    /// `ADDONS[i]`: names the entry in errors; empty for top-level tags.
    pub tag: String,
    pub article_number: String,
    pub quantity: Decimal,
    pub title: Option<String>,
    pub description: Option<String>,
    pub unit_price: Option<Decimal>,
}

/// Turns requests into add-ons: each must be an add-on article in `currency`;
/// one that does not `ALLOW_MULTIPLE` is booked once, with quantity 1.
/// Requests for the same article are merged.
pub async fn resolve<C: sea_orm::ConnectionTrait>(
    ctx: &Ctx<C>,
    requests: &[AddonRequest],
    currency: &str,
) -> AppResult<Vec<Addon>> {
    let mut out: Vec<Addon> = Vec::with_capacity(requests.len());
    for request in requests {
        let tag = |t: &str| if request.tag.is_empty() { t.to_owned() } else { format!("{}.{t}", request.tag) };
        let found = article::get_one(ctx, &request.article_number).await.map_err(|_| {
            AppError::not_found(tag("ARTICLE_NUMBER"), format!("article {} not found", request.article_number))
        })?;
        if !found.is_addon {
            return Err(AppError::invalid(tag("ARTICLE_NUMBER"), "is not an add-on article (IS_ADDON)"));
        }
        if request.unit_price.is_none() && found.currency_code != currency {
            return Err(AppError::invalid(
                tag("ARTICLE_NUMBER"),
                format!("the add-on is priced in {}, the subscription bills in {currency}", found.currency_code),
            ));
        }
        let addon = Addon {
            article_number: found.article_number.clone(),
            title: request.title.clone().unwrap_or_else(|| found.title.clone()),
            description: request.description.clone().or_else(|| found.description.clone()),
            quantity: request.quantity,
            unit_price: request.unit_price.unwrap_or(found.unit_price.0),
            vat_percent: found.vat_percent.0,
        };
        match out.iter_mut().find(|a| a.article_number == addon.article_number) {
            Some(existing) => existing.quantity += addon.quantity,
            None => out.push(addon),
        }
        let total = out.iter().find(|a| a.article_number == found.article_number).map_or(Decimal::ZERO, |a| a.quantity);
        if !found.allow_multiple && total > Decimal::ONE {
            return Err(AppError::invalid(tag("QUANTITY"), "this add-on can be booked once (ALLOW_MULTIPLE is off)"));
        }
    }
    Ok(out)
}
