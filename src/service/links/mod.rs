//! Signed, expiring links to hosted pages (API.md section 7): minting them
//! for `*.createsecurelink` and checking one when it is visited.

pub mod token;

use chrono::{DateTime, Utc};
use sea_orm::{DatabaseConnection, EntityTrait};

use super::{AppState, ReadCtx, TenantRef};
use crate::db::scope::TenantId;
use crate::error::{AppError, AppResult};
use token::{Link, LinkAction, Subject};

/// The three links of a subscription.
#[derive(Debug)]
pub struct SubscriptionUrls {
    pub cancel: String,
    pub reactivate: String,
    pub addons: String,
}

fn secret(tenant: &entity::tenant::Model) -> AppResult<Vec<u8>> {
    hex::decode(&tenant.link_secret).map_err(|_| AppError::internal("tenant link secret is not hex"))
}

fn base(state: &AppState) -> &str {
    state.settings.server.public_url.trim_end_matches('/')
}

/// The tenant row behind a call.
pub async fn tenant(db: &DatabaseConnection, id: TenantId) -> AppResult<entity::tenant::Model> {
    entity::tenant::Entity::find_by_id(id.get())
        .one(db)
        .await?
        .ok_or_else(|| AppError::internal("the calling tenant does not exist"))
}

/// Signed URLs for a subscription at its current version.
pub fn subscription_urls(
    state: &AppState,
    tenant: &entity::tenant::Model,
    sub: &entity::subscription::Model,
    expires: DateTime<Utc>,
) -> AppResult<SubscriptionUrls> {
    let key = secret(tenant)?;
    let url = |action: LinkAction| {
        let link = Link {
            tenant_id: tenant.id,
            subject: Subject::Subscription(sub.id),
            action,
            expires: expires.timestamp(),
            version: sub.version,
        };
        format!("{}/hosted/s/{}/{}", base(state), token::sign(&link, &key), action.as_str())
    };
    Ok(SubscriptionUrls {
        cancel: url(LinkAction::Cancel),
        reactivate: url(LinkAction::Reactivate),
        addons: url(LinkAction::Addons),
    })
}

/// The signed dashboard URL of a customer at its current version.
pub fn dashboard_url(
    state: &AppState,
    tenant: &entity::tenant::Model,
    customer: &entity::customer::Model,
    expires: DateTime<Utc>,
) -> AppResult<String> {
    let link = Link {
        tenant_id: tenant.id,
        subject: Subject::Customer(customer.id),
        action: LinkAction::Dashboard,
        expires: expires.timestamp(),
        version: customer.version,
    };
    Ok(format!("{}/hosted/c/{}", base(state), token::sign(&link, &secret(tenant)?)))
}

/// Why a link does not work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Malformed, tampered, another action, another tenant, unknown subject: 403.
    Invalid,
    /// Past its expiry: 410.
    Expired,
    /// Used already, or the subject changed since it was minted: 410.
    Used,
}

/// A verified visit of a link.
pub struct Visit {
    pub tenant: entity::tenant::Model,
    pub now: DateTime<Utc>,
    pub link: Link,
    pub token: String,
    pub secret: Vec<u8>,
}

impl Visit {
    /// A read context for the link's tenant.
    pub fn read_ctx(&self, state: &AppState) -> ReadCtx {
        state.read_ctx(self.tenant_ref(), self.now)
    }

    /// The tenant as services see it.
    pub fn tenant_ref(&self) -> TenantRef {
        TenantRef { id: TenantId::trusted(self.tenant.id), is_test: self.tenant.is_test }
    }
}

/// Checks `token` for `action`: signature under the tenant's secret, action,
/// expiry by the tenant's clock. The subject's version is checked by the page.
pub async fn resolve(state: &AppState, token: &str, action: LinkAction) -> Result<Visit, Refusal> {
    let (link, payload, tag) = token::read(token).ok_or(Refusal::Invalid)?;
    let tenant = entity::tenant::Entity::find_by_id(link.tenant_id)
        .one(&state.db.read)
        .await
        .map_err(|_| Refusal::Invalid)?
        .ok_or(Refusal::Invalid)?;
    let secret = secret(&tenant).map_err(|_| Refusal::Invalid)?;
    if !token::verify(&payload, &tag, &secret) || link.action != action {
        return Err(Refusal::Invalid);
    }
    let now = tenant.clock.unwrap_or_else(|| state.clock.now());
    if link.expires < now.timestamp() {
        return Err(Refusal::Expired);
    }
    Ok(Visit { tenant, now, link, token: token.to_owned(), secret })
}
