//! The customer dashboard: subscriptions with their three actions, invoices.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use http::StatusCode;
use jsonrpsee::server::HttpResponse;
use minijinja::context;
use serde::Serialize;

use super::pages::{self, html, render};
use super::refused;
use super::view::{SubscriptionView, human};
use crate::domain::format;
use crate::domain::lifecycle::Status;
use crate::error::{AppError, AppResult};
use crate::service::AppState;
use crate::service::links::token::Subject;
use crate::service::links::{self as link, Refusal, Visit};
use crate::service::{customer, documents, invoice, subscription};

#[derive(Serialize)]
struct Row {
    #[serde(flatten)]
    view: SubscriptionView,
    cancel_url: Option<String>,
    reactivate_url: Option<String>,
    addons_url: Option<String>,
}

#[derive(Serialize)]
struct InvoiceRow {
    number: String,
    date: String,
    total: String,
    currency: String,
    status: String,
    /// The signed link to the invoice's PDF; none for a draft or an incomplete seller.
    pdf_url: Option<String>,
}

/// Serves `GET /hosted/c/<token>`.
pub async fn serve(state: &Arc<AppState>, visit: Visit) -> HttpResponse {
    let tenant = visit.tenant.name.clone();
    match page(state, &visit).await {
        Ok(response) => response,
        Err(AppError::NotFound { .. }) => refused(Refusal::Invalid, &tenant),
        Err(err) => {
            tracing::error!(error = %err, cause = ?err, "dashboard failed");
            pages::refusal(
                StatusCode::INTERNAL_SERVER_ERROR,
                &tenant,
                "Something went wrong",
                "Please try again later.",
            )
        }
    }
}

async fn page(state: &Arc<AppState>, visit: &Visit) -> AppResult<HttpResponse> {
    let Subject::Customer(id) = visit.link.subject else { return Err(AppError::not_found("CUSTOMER_ID", "customer")) };
    let ctx = visit.read_ctx(state);
    let found = customer::get_one(&ctx, id).await?;
    if found.version != visit.link.version {
        return Ok(refused(Refusal::Used, &visit.tenant.name));
    }
    let expires: DateTime<Utc> = DateTime::from_timestamp(visit.link.expires, 0).unwrap_or(visit.now);
    let filter = subscription::SubscriptionFilter { customer_id: Some(id), ..Default::default() };
    let mut rows = Vec::new();
    for sub in subscription::find(&ctx, filter, 100, 0).await? {
        let status = subscription::state::status(&sub)?;
        let urls = link::subscription_urls(state, &visit.tenant, &sub, expires)?;
        rows.push(Row {
            view: SubscriptionView::of(&sub)?,
            cancel_url: (!matches!(status, Status::Closed | Status::Canceled)).then_some(urls.cancel),
            reactivate_url: matches!(status, Status::Closed | Status::Canceled).then_some(urls.reactivate),
            addons_url: (status != Status::Closed).then_some(urls.addons),
        });
    }
    let filter = invoice::InvoiceFilter { customer_id: Some(id), ..Default::default() };
    let document_expires = documents::expiry(visit.now, state.settings.hosted.document_link_ttl_hours);
    let mut invoices: Vec<InvoiceRow> = Vec::new();
    for i in invoice::find(&ctx, filter, 1000, 0).await?.iter().rev().take(50) {
        let inv = &i.invoice;
        let pdf_url = if inv.status != "draft" && documents::seller_complete(&visit.tenant, inv) {
            let subject = (inv.id, inv.invoice_number.as_str());
            Some(documents::url(state, &visit.tenant, subject, documents::Format::Pdf, document_expires)?)
        } else {
            None
        };
        invoices.push(InvoiceRow {
            number: inv.invoice_number.clone(),
            date: human(inv.invoice_date),
            total: format::money(inv.total.0, &inv.currency_code),
            currency: inv.currency_code.clone(),
            status: invoice::effective_status(inv, ctx.now).to_owned(),
            pdf_url,
        });
    }
    let name =
        [found.first_name.as_deref(), found.last_name.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" ");
    let name = if name.is_empty() { found.organization.clone().unwrap_or_default() } else { name };
    let body = render(
        "dashboard.html",
        context! { tenant => visit.tenant.name, customer => name, subscriptions => rows, invoices },
    )
    .map_err(AppError::internal)?;
    Ok(html(StatusCode::OK, body, None))
}
