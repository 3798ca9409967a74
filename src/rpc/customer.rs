//! `customer.*` handlers: tags in, service call, tags out.

use serde::Serialize;
use serde_json::json;

use super::Reply;
use super::envelope::Envelope;
use super::tags::Tags;
use super::wire::{self, reply};
use crate::error::{AppError, AppResult};
use crate::service::customer::{self as service, CustomerFilter, CustomerPatch};
use crate::service::{ReadCtx, WriteCtx};

/// A customer on the wire.
#[derive(Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct CustomerOut<'a> {
    customer_id: i64,
    customer_number: i64,
    customer_ext_uid: Option<&'a str>,
    customer_type: &'a str,
    organization: Option<&'a str>,
    salutation: Option<&'a str>,
    first_name: Option<&'a str>,
    last_name: Option<&'a str>,
    address: Option<&'a str>,
    address_2: Option<&'a str>,
    zipcode: Option<&'a str>,
    city: Option<&'a str>,
    country_code: Option<&'a str>,
    language_code: Option<&'a str>,
    email: Option<&'a str>,
    phone: Option<&'a str>,
    vat_id: Option<&'a str>,
    currency_code: Option<&'a str>,
    x_attributes: serde_json::Value,
    created: String,
    lastupdate: String,
    hash: String,
}

impl<'a> CustomerOut<'a> {
    /// Maps a stored customer to its wire form.
    pub fn from(m: &'a entity::customer::Model) -> Self {
        CustomerOut {
            customer_id: m.id,
            customer_number: m.customer_number,
            customer_ext_uid: m.customer_ext_uid.as_deref(),
            customer_type: &m.customer_type,
            organization: m.organization.as_deref(),
            salutation: m.salutation.as_deref(),
            first_name: m.first_name.as_deref(),
            last_name: m.last_name.as_deref(),
            address: m.address.as_deref(),
            address_2: m.address_2.as_deref(),
            zipcode: m.zipcode.as_deref(),
            city: m.city.as_deref(),
            country_code: m.country_code.as_deref(),
            language_code: m.language_code.as_deref(),
            email: m.email.as_deref(),
            phone: m.phone.as_deref(),
            vat_id: m.vat_id.as_deref(),
            currency_code: m.currency_code.as_deref(),
            x_attributes: m.x_attributes.clone().unwrap_or_else(|| json!({})),
            created: wire::datetime(m.created),
            lastupdate: wire::datetime(m.updated),
            hash: service::hash(m),
        }
    }
}

fn parse_patch(d: &mut Tags) -> AppResult<CustomerPatch> {
    let customer_type = match d.text("CUSTOMER_TYPE")? {
        None => None,
        Some(t) => match t.to_ascii_lowercase().as_str() {
            kind @ ("business" | "consumer") => Some(kind.to_owned()),
            _ => {
                return Err(AppError::invalid("CUSTOMER_TYPE", "must be business or consumer"));
            }
        },
    };
    let email = d.text_patch("EMAIL")?;
    if let Some(Some(address)) = &email {
        if !address.contains('@') || address.len() > 254 {
            return Err(AppError::invalid("EMAIL", "not an email address"));
        }
    }
    let language_code = d.text_patch("LANGUAGE_CODE")?.map(|v| v.map(|l| l.to_ascii_lowercase()));
    if let Some(Some(code)) = &language_code {
        if !(2..=3).contains(&code.len()) || !code.bytes().all(|b| b.is_ascii_lowercase()) {
            return Err(AppError::invalid("LANGUAGE_CODE", "must be an ISO 639-1 code such as de"));
        }
    }
    Ok(CustomerPatch {
        customer_type,
        organization: d.text_patch("ORGANIZATION")?,
        salutation: d.text_patch("SALUTATION")?,
        first_name: d.text_patch("FIRST_NAME")?,
        last_name: d.text_patch("LAST_NAME")?,
        address: d.text_patch("ADDRESS")?,
        address_2: d.text_patch("ADDRESS_2")?,
        zipcode: d.text_patch("ZIPCODE")?,
        city: d.text_patch("CITY")?,
        country_code: d.patch("COUNTRY_CODE", Tags::country)?,
        language_code,
        email,
        phone: d.text_patch("PHONE")?,
        vat_id: d.text_patch("VAT_ID")?,
        currency_code: d.patch("CURRENCY_CODE", Tags::currency)?,
        customer_ext_uid: d.text_patch("CUSTOMER_EXT_UID")?,
        x_attributes: d.patch("X_ATTRIBUTES", Tags::x_attributes)?,
    })
}

/// `customer.get`.
pub async fn get(ctx: &ReadCtx, env: &mut Envelope) -> AppResult<Reply> {
    let f = &mut env.filter;
    let filter = CustomerFilter {
        customer_id: f.id("CUSTOMER_ID")?,
        customer_ext_uid: f.text("CUSTOMER_EXT_UID")?,
        customer_number: f.id("CUSTOMER_NUMBER")?,
        email: f.text("EMAIL")?,
        country_code: f.country("COUNTRY_CODE")?,
        term: f.text("TERM")?,
    };
    env.finish()?;
    let rows = service::find(ctx, filter, env.limit(), env.offset()).await?;
    let customers: Vec<CustomerOut<'_>> = rows.iter().map(CustomerOut::from).collect();
    wire::list("CUSTOMERS", &customers)
}

/// The tags of `customer.create`.
pub fn parse_create(env: &mut Envelope) -> AppResult<CustomerPatch> {
    parse_patch(&mut env.data)
}

/// The answer of `customer.create`.
pub fn create_reply(created: &entity::customer::Model, dry_run: bool) -> AppResult<Reply> {
    reply(&json!({
        "STATUS": "success",
        "CUSTOMER_ID": (!dry_run).then_some(created.id),
        "CUSTOMER_NUMBER": created.customer_number,
        "HASH": service::hash(created),
    }))
}

/// `customer.create`.
pub async fn create(ctx: &WriteCtx, env: &mut Envelope) -> AppResult<Reply> {
    let patch = parse_create(env)?;
    env.finish()?;
    let created = service::create(ctx, patch).await?;
    create_reply(&created, ctx.dry_run)
}

/// `customer.update`.
pub async fn update(ctx: &WriteCtx, env: &mut Envelope) -> AppResult<Reply> {
    let id = env.data.require_id("CUSTOMER_ID")?;
    let patch = parse_patch(&mut env.data)?;
    env.finish()?;
    let updated = service::update(ctx, id, patch).await?;
    reply(&json!({ "STATUS": "success", "CUSTOMER_ID": updated.id, "HASH": service::hash(&updated) }))
}

/// `customer.delete`.
pub async fn delete(ctx: &WriteCtx, env: &mut Envelope) -> AppResult<Reply> {
    let id = env.data.require_id("CUSTOMER_ID")?;
    env.finish()?;
    service::delete(ctx, id).await?;
    wire::success()
}
