//! Hosted pages: end customers cancel, reactivate and book add-ons through
//! signed, expiring links (API.md section 7). Server-rendered HTML without
//! JavaScript; GET never changes anything, only the POST of a page's form acts.

pub mod dashboard;
pub mod document;
mod offers;
pub mod pages;
pub mod subscription_pages;
pub mod view;

use std::sync::Arc;

use http::{Method, StatusCode, header};
use http_body_util::BodyExt;
use jsonrpsee::server::{HttpBody, HttpRequest, HttpResponse};

use crate::service::AppState;
use crate::service::links::token::LinkAction;
use crate::service::links::{self as link, Refusal};

/// Largest form body accepted.
const MAX_FORM_BYTES: usize = 16 * 1024;

/// A submitted form's fields.
#[derive(Debug, Default)]
pub struct Form(Vec<(String, String)>);

impl Form {
    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// The refusal page for a link that does not work.
pub fn refused(refusal: Refusal, tenant: &str) -> HttpResponse {
    match refusal {
        Refusal::Invalid => pages::refusal(
            StatusCode::FORBIDDEN,
            tenant,
            "This link is not valid",
            "The link is incomplete, was changed, or is not meant for this page.",
        ),
        Refusal::Expired => {
            pages::refusal(StatusCode::GONE, tenant, "This link has expired", "Links work for a limited time only.")
        }
        Refusal::Used => pages::refusal(
            StatusCode::GONE,
            tenant,
            "This link can no longer be used",
            "It was used already, or the subscription changed since the link was sent.",
        ),
    }
}

fn csrf_cookie(request: &HttpRequest<HttpBody>) -> Option<String> {
    request
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == "recur_csrf")
        .map(|(_, value)| value.to_owned())
}

async fn read_form(body: HttpBody) -> Option<Form> {
    let bytes = http_body_util::Limited::new(body, MAX_FORM_BYTES).collect().await.ok()?.to_bytes();
    Some(Form(form_urlencoded::parse(&bytes).into_owned().collect()))
}

/// Serves everything under `/hosted/`.
pub async fn handle(state: Arc<AppState>, request: HttpRequest<HttpBody>) -> HttpResponse {
    let path = request.uri().path().to_owned();
    let method = request.method().clone();
    let segments: Vec<&str> = path.trim_start_matches("/hosted/").split('/').collect();
    match (&method, segments.as_slice()) {
        (&Method::GET, ["assets", "style.css"]) => pages::stylesheet(),
        (&Method::GET | &Method::POST, ["s", token, action]) => {
            let subscription_action =
                |a: &LinkAction| matches!(a, LinkAction::Cancel | LinkAction::Reactivate | LinkAction::Addons);
            let Some(action) = LinkAction::parse(action).filter(subscription_action) else {
                return refused(Refusal::Invalid, "");
            };
            let visit = match link::resolve(&state, token, action).await {
                Ok(visit) => visit,
                Err(refusal) => return refused(refusal, ""),
            };
            let nonce = csrf_cookie(&request);
            let form = if method == Method::POST {
                match read_form(request.into_body()).await {
                    Some(form) => Some(form),
                    None => {
                        return pages::refusal(StatusCode::PAYLOAD_TOO_LARGE, &visit.tenant.name, "Form too large", "");
                    }
                }
            } else {
                None
            };
            subscription_pages::serve(&state, visit, form, nonce).await
        }
        (&Method::GET, ["c", token]) => match link::resolve(&state, token, LinkAction::Dashboard).await {
            Ok(visit) => dashboard::serve(&state, visit).await,
            Err(refusal) => refused(refusal, ""),
        },
        (&Method::GET, ["i", token, file]) => document::serve(&state, token, file).await,
        _ => pages::refusal(StatusCode::NOT_FOUND, "", "Page not found", "There is no page at this address."),
    }
}
