//! `tenant.*` (admin scope): the calling tenant's profile, the SELLER block of its documents, its
//! TIMEZONE and DUNNING schedule (API.md sections 5, 10 and 11).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::params::{Country, Currency, Int, NoTags, Patch};
use super::table::{Call, Method, MethodSpec, Read, ReadCx, Scope, Write, WriteCx, read, write};
use super::wire::Success;
use crate::domain::dunning::FinalAction;
use crate::error::{AppError, AppResult};
use crate::service::profile::{self, DunningProfile, Profile, ProfilePatch, SellerParty, SellerPatch};

/// This namespace's slice of the method table.
pub static METHODS: &[MethodSpec] = &[read::<Get>(), write::<Update>()];

/// The seller block on the wire: every tag, `null` when unset.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct SellerOut {
    name: Option<String>,
    address: Option<String>,
    address_2: Option<String>,
    zipcode: Option<String>,
    city: Option<String>,
    country_code: Option<String>,
    vat_id: Option<String>,
    tax_id: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    iban: Option<String>,
    bic: Option<String>,
    bank_name: Option<String>,
}

impl From<SellerParty> for SellerOut {
    fn from(s: SellerParty) -> SellerOut {
        SellerOut {
            name: s.name,
            address: s.address,
            address_2: s.address_2,
            zipcode: s.zipcode,
            city: s.city,
            country_code: s.country_code,
            vat_id: s.vat_id,
            tax_id: s.tax_id,
            email: s.email,
            phone: s.phone,
            iban: s.iban,
            bic: s.bic,
            bank_name: s.bank_name,
        }
    }
}

/// DUNNING on the wire.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct DunningOut {
    /// Days after DUE_DATE at which DUNNING_LEVEL rises to 1, 2, ...
    days: Vec<u32>,
    /// `none`, `pause` or `cancel`.
    final_action: String,
}

/// The tenant as `tenant.get` shows it.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct TenantOut {
    tenant_id: i64,
    name: String,
    test: bool,
    /// IANA name, e.g. `Europe/Berlin`.
    timezone: String,
    currency_code: Option<String>,
    seller: SellerOut,
    invoice_footer: Option<String>,
    logo_url: Option<String>,
    dunning: DunningOut,
}

impl From<Profile> for TenantOut {
    fn from(p: Profile) -> TenantOut {
        let DunningProfile { days, final_action } = p.dunning;
        TenantOut {
            tenant_id: p.tenant_id,
            name: p.name,
            test: p.is_test,
            timezone: p.timezone,
            currency_code: p.currency_code,
            seller: p.seller.into(),
            invoice_footer: p.invoice_footer,
            logo_url: p.logo_url,
            dunning: DunningOut { days, final_action },
        }
    }
}

/// What `tenant.get` answers.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct GetReply {
    tenant: TenantOut,
}

/// `tenant.get`.
pub struct Get;

impl Method for Get {
    const NAME: &'static str = "tenant.get";
    const SUMMARY: &'static str =
        "The calling tenant: NAME, TIMEZONE, CURRENCY_CODE, SELLER, INVOICE_FOOTER, LOGO_URL, DUNNING.";
    const SCOPE: Scope = Scope::Admin;
    type Filter = NoTags;
    type Data = NoTags;
    type Reply = GetReply;
}

impl Read for Get {
    async fn run(cx: ReadCx<'_>, _: Call<NoTags, NoTags>) -> AppResult<GetReply> {
        Ok(GetReply { tenant: profile::get(&cx).await?.into() })
    }
}

/// `DATA.SELLER` of `tenant.update`: a tag not sent keeps its value, `null` or `""` clears it.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields, default)]
pub struct SellerData {
    name: Patch<String>,
    address: Patch<String>,
    address_2: Patch<String>,
    zipcode: Patch<String>,
    city: Patch<String>,
    country_code: Patch<Country>,
    /// VAT identification number (`DE123456789`).
    vat_id: Patch<String>,
    /// Tax number (`30/123/45678`); documents need VAT_ID or TAX_ID.
    tax_id: Patch<String>,
    email: Patch<String>,
    phone: Patch<String>,
    /// Checked by its check digits.
    iban: Patch<String>,
    bic: Patch<String>,
    bank_name: Patch<String>,
}

/// `DATA.DUNNING` of `tenant.update`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields, default)]
pub struct DunningData {
    /// Strictly increasing days after DUE_DATE, each 1 to 3650.
    days: Option<Vec<Int>>,
    /// `none`, `pause` or `cancel`.
    final_action: Option<String>,
}

/// `DATA` of `tenant.update`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields, default)]
pub struct UpdateData {
    name: Option<String>,
    /// IANA time zone name (`Europe/Berlin`).
    timezone: Option<String>,
    currency_code: Patch<Currency>,
    seller: Option<SellerData>,
    invoice_footer: Patch<String>,
    /// Absolute http(s) URL of the logo.
    logo_url: Patch<String>,
    dunning: Option<DunningData>,
}

impl SellerData {
    fn into_patch(self) -> SellerPatch {
        SellerPatch {
            name: self.name.into_option(),
            address: self.address.into_option(),
            address_2: self.address_2.into_option(),
            zipcode: self.zipcode.into_option(),
            city: self.city.into_option(),
            country_code: self.country_code.map(|c| c.0).into_option(),
            vat_id: self.vat_id.into_option(),
            tax_id: self.tax_id.into_option(),
            email: self.email.into_option(),
            phone: self.phone.into_option(),
            iban: self.iban.into_option(),
            bic: self.bic.into_option(),
            bank_name: self.bank_name.into_option(),
        }
    }
}

impl UpdateData {
    fn into_patch(self) -> AppResult<ProfilePatch> {
        let dunning = self.dunning.unwrap_or_default();
        let days = dunning
            .days
            .map(|days| {
                days.into_iter()
                    .map(|d| d.within("DUNNING.DAYS", 1, 3650).map(|d| d as u32))
                    .collect::<AppResult<Vec<u32>>>()
            })
            .transpose()?;
        let action = dunning
            .final_action
            .map(|a| {
                FinalAction::parse(&a)
                    .ok_or_else(|| AppError::invalid("DUNNING.FINAL_ACTION", "must be none, pause or cancel"))
            })
            .transpose()?;
        Ok(ProfilePatch {
            name: self.name,
            timezone: self.timezone,
            currency_code: self.currency_code.map(|c| c.0).into_option(),
            seller: self.seller.map(SellerData::into_patch).unwrap_or_default(),
            invoice_footer: self.invoice_footer.into_option(),
            logo_url: self.logo_url.into_option(),
            dunning_days: days,
            dunning_final_action: action,
        })
    }
}

/// What `tenant.update` answers: the tenant as it now is.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct UpdateReply {
    status: Success,
    tenant: TenantOut,
}

/// `tenant.update`.
pub struct Update;

impl Method for Update {
    const NAME: &'static str = "tenant.update";
    const SUMMARY: &'static str = "Changes the tenant's profile; SELLER is merged (a tag not sent keeps its value).";
    const SCOPE: Scope = Scope::Admin;
    type Filter = NoTags;
    type Data = UpdateData;
    type Reply = UpdateReply;
}

impl Write for Update {
    async fn run(cx: WriteCx<'_>, call: Call<NoTags, UpdateData>) -> AppResult<UpdateReply> {
        let patch = call.data.into_patch()?;
        Ok(UpdateReply { status: Success, tenant: profile::update(&cx, patch).await?.into() })
    }
}
