//! The tenant's profile (`tenant.get`, `tenant.update`; API.md sections 5 and 11): name, TIMEZONE,
//! CURRENCY_CODE, the SELLER block documents show, INVOICE_FOOTER, LOGO_URL and DUNNING.
//!
//! TIMEZONE has a column of its own; the rest lives in `tenant.settings`, a JSON object stored as
//! `{"SELLER": {...}, "INVOICE_FOOTER": .., "LOGO_URL": .., "CURRENCY_CODE": .., "DUNNING": {"DAYS": [7, 14,
//! 21], "FINAL_ACTION": "none"}}`. The key names are a storage format that other modules read too
//! (dunning reads `DUNNING`, the invoice writer snapshots `SELLER`), so they are written in one place:
//! here. An update merges into the stored object and keeps keys it does not know.

use std::str::FromStr;

use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, EntityTrait, IntoActiveModel};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::Ctx;
use crate::domain::dunning::{DunningDays, FinalAction};
use crate::error::{AppError, AppResult};

/// The time zone of a tenant that never set one (FastBill's).
pub const DEFAULT_TIMEZONE: &str = "Europe/Berlin";

pub use crate::billing::snapshot::SellerParty;

/// DUNNING as stored: the days after DUE_DATE of the levels and the final action.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct DunningProfile {
    pub days: Vec<u32>,
    pub final_action: String,
}

impl Default for DunningProfile {
    fn default() -> Self {
        DunningProfile { days: DunningDays::default().days().to_vec(), final_action: FinalAction::None.as_str().into() }
    }
}

impl DunningProfile {
    /// The schedule as dunning uses it; a stored value that no longer parses counts as the default.
    pub fn parsed(&self) -> (DunningDays, FinalAction) {
        (DunningDays::parse(&self.days).unwrap_or_default(), FinalAction::parse(&self.final_action).unwrap_or_default())
    }
}

/// `tenant.settings` as this module reads it; unknown keys are ignored here and kept on update.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", default)]
struct Stored {
    seller: SellerParty,
    invoice_footer: Option<String>,
    logo_url: Option<String>,
    currency_code: Option<String>,
    dunning: Option<DunningProfile>,
}

fn stored(settings: Option<&Value>) -> Stored {
    settings.and_then(|v| serde_json::from_value(v.clone()).ok()).unwrap_or_default()
}

/// The tenant's DUNNING (the default `[7, 14, 21]`, `none` when never set).
pub fn dunning(tenant: &entity::tenant::Model) -> DunningProfile {
    stored(tenant.settings.as_ref()).dunning.unwrap_or_default()
}

/// Everything `tenant.get` shows.
#[derive(Clone, Debug)]
pub struct Profile {
    pub tenant_id: i64,
    pub name: String,
    pub is_test: bool,
    pub timezone: String,
    pub currency_code: Option<String>,
    pub seller: SellerParty,
    pub invoice_footer: Option<String>,
    pub logo_url: Option<String>,
    pub dunning: DunningProfile,
}

impl Profile {
    /// The profile of a tenant row.
    pub fn of(tenant: &entity::tenant::Model) -> Profile {
        let s = stored(tenant.settings.as_ref());
        Profile {
            tenant_id: tenant.id,
            name: tenant.name.clone(),
            is_test: tenant.is_test,
            timezone: tenant.timezone.clone(),
            currency_code: s.currency_code,
            seller: s.seller,
            invoice_footer: s.invoice_footer,
            logo_url: s.logo_url,
            dunning: s.dunning.unwrap_or_default(),
        }
    }
}

/// A change of the seller block: `None` keeps a field, `Some(None)` clears it.
#[derive(Clone, Debug, Default)]
pub struct SellerPatch {
    pub name: Option<Option<String>>,
    pub address: Option<Option<String>>,
    pub address_2: Option<Option<String>>,
    pub zipcode: Option<Option<String>>,
    pub city: Option<Option<String>>,
    pub country_code: Option<Option<String>>,
    pub vat_id: Option<Option<String>>,
    pub tax_id: Option<Option<String>>,
    pub email: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    pub iban: Option<Option<String>>,
    pub bic: Option<Option<String>>,
    pub bank_name: Option<Option<String>>,
}

/// A change of the profile: `None` keeps, `Some(None)` clears.
#[derive(Clone, Debug, Default)]
pub struct ProfilePatch {
    pub name: Option<String>,
    pub timezone: Option<String>,
    pub currency_code: Option<Option<String>>,
    pub seller: SellerPatch,
    pub invoice_footer: Option<Option<String>>,
    pub logo_url: Option<Option<String>>,
    pub dunning_days: Option<Vec<u32>>,
    pub dunning_final_action: Option<FinalAction>,
}

/// Checks an IANA time zone name (`Europe/Berlin`) against the database compiled into `chrono-tz`.
pub fn check_timezone(name: &str) -> AppResult<String> {
    chrono_tz::Tz::from_str(name.trim()).map(|tz| tz.name().to_owned()).map_err(|_| {
        AppError::invalid("TIMEZONE", format!("{name:?} is not an IANA time zone name such as Europe/Berlin"))
    })
}

/// The calling tenant's profile.
pub async fn get<C: ConnectionTrait>(ctx: &Ctx<C>) -> AppResult<Profile> {
    Ok(Profile::of(&row(ctx).await?))
}

async fn row<C: ConnectionTrait>(ctx: &Ctx<C>) -> AppResult<entity::tenant::Model> {
    entity::tenant::Entity::find_by_id(ctx.tenant.id.get())
        .one(&ctx.db)
        .await?
        .ok_or_else(|| AppError::internal("the calling tenant does not exist"))
}

/// Applies `patch` to the calling tenant (in the caller's transaction) and answers the new profile.
pub async fn update<C: ConnectionTrait>(ctx: &Ctx<C>, patch: ProfilePatch) -> AppResult<Profile> {
    let tenant = row(ctx).await?;
    let mut next = tenant.clone();
    if let Some(name) = &patch.name {
        let name = name.trim();
        if name.is_empty() || name.len() > 200 {
            return Err(AppError::invalid("NAME", "must be 1 to 200 characters"));
        }
        next.name = name.to_owned();
    }
    if let Some(zone) = &patch.timezone {
        next.timezone = check_timezone(zone)?;
    }
    next.settings = Some(merged(tenant.settings.as_ref(), &patch)?);
    let mut active = tenant.into_active_model();
    active.name = Set(next.name.clone());
    active.timezone = Set(next.timezone.clone());
    active.settings = Set(next.settings.clone());
    active.update(&ctx.db).await?;
    Ok(Profile::of(&next))
}

/// The stored settings object with the patch applied; unknown keys stay.
fn merged(current: Option<&Value>, patch: &ProfilePatch) -> AppResult<Value> {
    let mut object: Map<String, Value> = current.and_then(Value::as_object).cloned().unwrap_or_default();
    let mut s = stored(current);
    apply_seller(&mut s.seller, patch.seller.clone())?;
    object.insert("SELLER".into(), serde_json::to_value(&s.seller).map_err(AppError::internal)?);
    let mut set = |key: &str, value: &Option<Option<String>>| match value {
        None => {}
        Some(None) => {
            object.remove(key);
        }
        Some(Some(text)) => {
            object.insert(key.into(), Value::String(text.clone()));
        }
    };
    set("INVOICE_FOOTER", &patch.invoice_footer);
    set("CURRENCY_CODE", &patch.currency_code);
    if let Some(Some(url)) = &patch.logo_url {
        check_logo_url(url)?;
    }
    set("LOGO_URL", &patch.logo_url);
    if patch.dunning_days.is_some() || patch.dunning_final_action.is_some() {
        let mut dunning = s.dunning.unwrap_or_default();
        if let Some(days) = &patch.dunning_days {
            DunningDays::parse(days).map_err(|_| {
                AppError::invalid("DUNNING.DAYS", "must be 1 to n strictly increasing days, each 1 to 3650")
            })?;
            dunning.days.clone_from(days);
        }
        if let Some(action) = patch.dunning_final_action {
            dunning.final_action = action.as_str().to_owned();
        }
        object.insert("DUNNING".into(), serde_json::to_value(&dunning).map_err(AppError::internal)?);
    }
    Ok(Value::Object(object))
}

fn apply_seller(seller: &mut SellerParty, patch: SellerPatch) -> AppResult<()> {
    if let Some(Some(iban)) = &patch.iban {
        crate::domain::bank::iban(iban).map_err(|m| AppError::invalid("SELLER.IBAN", m))?;
    }
    if let Some(Some(bic)) = &patch.bic {
        crate::domain::bank::bic(bic).map_err(|m| AppError::invalid("SELLER.BIC", m))?;
    }
    macro_rules! set {
        ($($field:ident),*) => {$(
            if let Some(value) = patch.$field {
                seller.$field = value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
            }
        )*};
    }
    set!(name, address, address_2, zipcode, city, country_code, vat_id, tax_id, email, phone, iban, bic, bank_name);
    seller.iban = seller.iban.take().map(|i| crate::domain::bank::compact(&i));
    seller.bic = seller.bic.take().map(|b| crate::domain::bank::compact(&b));
    Ok(())
}

fn check_logo_url(url: &str) -> AppResult<()> {
    match url::Url::parse(url.trim()) {
        Ok(parsed) if matches!(parsed.scheme(), "https" | "http") && parsed.host().is_some() => Ok(()),
        _ => Err(AppError::invalid("LOGO_URL", "must be an absolute http(s) URL")),
    }
}
