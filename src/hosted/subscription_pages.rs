//! The cancel, reactivate and add-on pages of one subscription. GET only
//! shows; the POST of the page's form acts, through the same services as the
//! JSON-RPC methods, in one transaction.

use std::sync::Arc;

use http::StatusCode;
use jsonrpsee::server::HttpResponse;
use minijinja::context;
use rust_decimal::Decimal;

use super::offers::offers;
use super::pages::{self, html, render};
use super::view::{SubscriptionView, human};
use super::{Form, refused};
use crate::domain::format;
use crate::domain::lifecycle::Status;
use crate::error::{AppError, AppResult};
use crate::service::AppState;
use crate::service::WriteCtx;
use crate::service::links::token::{self, LinkAction, Subject};
use crate::service::links::{Refusal, Visit};
use crate::service::subscription::addons::AddonRequest;
use crate::service::subscription::{self as subscriptions, changes, lifecycle, state};
use crate::service::tx::{self, Outcome};

/// Serves `GET` (form) or `POST` (act) of a subscription page.
pub async fn serve(
    state: &Arc<AppState>,
    visit: Visit,
    form: Option<Form>,
    cookie_nonce: Option<String>,
) -> HttpResponse {
    let Subject::Subscription(id) = visit.link.subject else { return refused(Refusal::Invalid, "") };
    let tenant_name = visit.tenant.name.clone();
    let ctx = visit.read_ctx(state);
    let sub = match subscriptions::get_one(&ctx, id).await {
        Ok(sub) => sub,
        Err(AppError::NotFound { .. }) => return refused(Refusal::Invalid, &tenant_name),
        Err(err) => return internal(err, &tenant_name),
    };
    if sub.version != visit.link.version {
        return refused(Refusal::Used, &tenant_name);
    }
    let outcome = match form {
        None => show(&ctx, &visit, &sub).await,
        Some(form) => {
            let csrf_ok = cookie_nonce.as_deref().is_some_and(|nonce| {
                token::check_csrf(&visit.secret, &visit.token, nonce, form.get("csrf").unwrap_or(""))
            });
            if !csrf_ok {
                return pages::refusal(
                    StatusCode::FORBIDDEN,
                    &tenant_name,
                    "This form has expired",
                    "Reload the page from your link and submit the form again.",
                );
            }
            act(state, &visit, &sub, &form).await
        }
    };
    match outcome {
        Ok(response) => response,
        Err(AppError::Internal(cause)) => internal(AppError::Internal(cause), &tenant_name),
        Err(err) => pages::refusal(StatusCode::CONFLICT, &tenant_name, "This did not work", &err.to_string()),
    }
}

fn internal(err: AppError, tenant: &str) -> HttpResponse {
    tracing::error!(error = %err, cause = ?err, "hosted page failed");
    pages::refusal(StatusCode::INTERNAL_SERVER_ERROR, tenant, "Something went wrong", "Please try again later.")
}

fn nonce() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn cookie(settings: &crate::config::Settings, nonce: &str) -> String {
    let secure = if settings.server.public_url.starts_with("https://") { "; Secure" } else { "" };
    format!("recur_csrf={nonce}; Path=/hosted; HttpOnly; SameSite=Strict{secure}")
}

async fn show(
    ctx: &crate::service::ReadCtx,
    visit: &Visit,
    sub: &entity::subscription::Model,
) -> AppResult<HttpResponse> {
    let status = state::status(sub)?;
    let view = SubscriptionView::of(sub)?;
    let nonce = nonce();
    let csrf = token::csrf(&visit.secret, &visit.token, &nonce);
    let action_url = format!("/hosted/s/{}/{}", visit.token, visit.link.action.as_str());
    let tenant = &visit.tenant.name;
    let body = match visit.link.action {
        LinkAction::Cancel => {
            let (can_act, reason, end_date) = cancel_page(sub, &view, status, ctx.now)?;
            render(
                "cancel.html",
                context! { tenant, sub => view, can_act, reason, end_date, notice => sub.notice, csrf, action_url },
            )
        }
        LinkAction::Reactivate => {
            let (can_act, effect, reason) = reactivate_page(&view, status);
            render("reactivate.html", context! { tenant, sub => view, can_act, effect, reason, csrf, action_url })
        }
        LinkAction::Addons => {
            let can_act = !matches!(status, Status::Closed);
            let (offers, note) = offers(ctx, sub, status).await?;
            let reason = "This subscription has ended.";
            render(
                "addons.html",
                context! { tenant, sub => view, can_act, reason, offers, proration_note => note, csrf, action_url },
            )
        }
        LinkAction::Dashboard | LinkAction::Pdf | LinkAction::Html | LinkAction::Xml => {
            return Err(AppError::invalid("action", "not a subscription page"));
        }
    }
    .map_err(AppError::internal)?;
    Ok(html(StatusCode::OK, body, Some(cookie(&ctx.settings, &nonce))))
}

/// Whether the cancel page offers its button, why not, and the date the subscription would end.
fn cancel_page(
    sub: &entity::subscription::Model,
    view: &SubscriptionView,
    status: Status,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<(bool, String, String)> {
    let (can_act, reason) = match status {
        Status::Closed => (false, "This subscription has ended.".to_owned()),
        Status::Canceled => (
            false,
            format!(
                "This subscription is canceled already; it ends on {}.",
                view.cancellation_date.clone().unwrap_or_default()
            ),
        ),
        _ => (true, String::new()),
    };
    let end_date = if can_act { human(lifecycle::default_cancellation_date(sub, status, now)?) } else { String::new() };
    Ok((can_act, reason, end_date))
}

/// Whether the reactivate page offers its button, what it would do, and why not.
fn reactivate_page(view: &SubscriptionView, status: Status) -> (bool, String, String) {
    match status {
        Status::Canceled => (
            true,
            format!(
                "The cancellation for {} is withdrawn and your subscription continues. Next billing date: {}, {} {} plus VAT.",
                view.cancellation_date.clone().unwrap_or_default(),
                view.next_event.clone().unwrap_or_default(),
                view.price,
                view.currency
            ),
            String::new(),
        ),
        Status::Closed => (
            true,
            format!(
                "Your subscription starts again today with a new period of {}. {} {} plus VAT are billed now.",
                view.interval, view.price, view.currency
            ),
            String::new(),
        ),
        _ => (false, String::new(), "Your subscription is running; there is nothing to reactivate.".to_owned()),
    }
}

/// What the page's form asks for.
enum Request {
    Cancel { note: Option<String> },
    Reactivate,
    Addon(AddonRequest),
}

impl Request {
    fn of(action: LinkAction, form: &Form) -> AppResult<Request> {
        Ok(match action {
            LinkAction::Cancel => Request::Cancel {
                note: form.get("note").map(str::trim).filter(|n| !n.is_empty()).map(|n| n.chars().take(500).collect()),
            },
            LinkAction::Reactivate => Request::Reactivate,
            LinkAction::Addons => {
                let quantity = form
                    .get("quantity")
                    .and_then(|q| q.trim().parse::<u32>().ok())
                    .filter(|q| (1..=999).contains(q))
                    .unwrap_or(1);
                Request::Addon(AddonRequest {
                    tag: String::new(),
                    article_number: form.get("article").unwrap_or("").to_owned(),
                    quantity: Decimal::from(quantity),
                    title: None,
                    description: None,
                    unit_price: None,
                })
            }
            LinkAction::Dashboard | LinkAction::Pdf | LinkAction::Html | LinkAction::Xml => {
                return Err(AppError::invalid("action", "not a subscription page"));
            }
        })
    }
}

/// The subscription after the action, a headline and a message.
type Acted = (entity::subscription::Model, String, String);

async fn act(
    state: &Arc<AppState>,
    visit: &Visit,
    sub: &entity::subscription::Model,
    form: &Form,
) -> AppResult<HttpResponse> {
    let request = Request::of(visit.link.action, form)?;
    let (id, version) = (sub.id, visit.link.version);
    let acted = tx::write(state, visit.tenant_ref(), visit.now, Outcome::Commit, move |ctx| {
        Box::pin(perform(ctx, id, version, request))
    })
    .await?;
    let Some((after, headline, message)) = acted else {
        return Ok(refused(Refusal::Used, &visit.tenant.name));
    };
    let view = SubscriptionView::of(&after)?;
    let body = render("done.html", context! { tenant => visit.tenant.name, sub => view, headline, message })
        .map_err(AppError::internal)?;
    Ok(html(StatusCode::OK, body, None))
}

/// Acts in the page's transaction; `None` when the link was used meanwhile.
async fn perform(ctx: &WriteCtx, id: i64, version: i32, request: Request) -> AppResult<Option<Acted>> {
    // Re-read inside the transaction: a link acts once, even when two posts race.
    let current = subscriptions::get_one(ctx, id).await?;
    if current.version != version {
        return Ok(None);
    }
    let acted = match request {
        Request::Cancel { note } => {
            let s = lifecycle::cancel(ctx, id, None, note).await?;
            let ends = s.cancellation_date.map(human).unwrap_or_default();
            (
                s,
                "Your subscription is canceled".to_owned(),
                format!("It ends on {ends}. Nothing is billed after that date."),
            )
        }
        Request::Reactivate => {
            let changed = lifecycle::reactivate(ctx, id).await?;
            let billed = changed.invoices.first().map(|i| {
                format!(
                    " {} {} were billed now.",
                    format::money(i.invoice.total.0, &i.invoice.currency_code),
                    i.invoice.currency_code
                )
            });
            (
                changed.sub,
                "Your subscription is active again".to_owned(),
                format!("Thank you for staying.{}", billed.unwrap_or_default()),
            )
        }
        Request::Addon(request) => {
            let changed = changes::set_addon(ctx, id, request, false).await?;
            let billed = match changed.invoices.first() {
                Some(i) => format!(
                    "{} {} including VAT were billed now.",
                    format::money(i.invoice.total.0, &i.invoice.currency_code),
                    i.invoice.currency_code
                ),
                None => "It is billed with your next invoice.".to_owned(),
            };
            (changed.sub, "Your add-on is booked".to_owned(), billed)
        }
    };
    Ok(Some(acted))
}
