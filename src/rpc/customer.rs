//! `customer.*`: tags in, service call, tags out.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::params::{Country, Currency, Id, KeyTag, Keyed, NoTags, Patch, XAttributes};
use super::table::{Call, Grouped, Method, MethodSpec, Read, ReadCx, Write, WriteCx, grouped, read, write};
use super::wire::{self, Done, List, Listed, Success};
use crate::error::{AppError, AppResult};
use crate::service::customer::{self as service, CustomerFilter, CustomerPatch};
use crate::service::write_queue::{Done as Queued, Job};

/// This namespace's slice of the method table.
pub static METHODS: &[MethodSpec] = &[read::<Get>(), grouped::<Create>(), write::<Update>(), write::<Delete>()];

/// A customer on the wire (API.md 5.1).
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct CustomerOut {
    customer_id: i64,
    customer_number: i64,
    customer_ext_uid: Option<String>,
    customer_type: String,
    organization: Option<String>,
    salutation: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    address: Option<String>,
    address_2: Option<String>,
    zipcode: Option<String>,
    city: Option<String>,
    country_code: Option<String>,
    language_code: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    vat_id: Option<String>,
    currency_code: Option<String>,
    x_attributes: serde_json::Value,
    created: String,
    lastupdate: String,
    /// Changes with every change of the customer.
    hash: String,
    /// Customer credit, used on the next invoices (`customer.addcredits`, overpayments).
    credit_balance: String,
}

impl Listed for CustomerOut {
    const KEY: &'static str = "CUSTOMERS";
}

impl CustomerOut {
    /// Maps a stored customer to its wire form.
    pub fn from(m: entity::customer::Model) -> Self {
        let hash = service::hash(&m);
        CustomerOut {
            customer_id: m.id,
            customer_number: m.customer_number,
            customer_ext_uid: m.customer_ext_uid,
            customer_type: m.customer_type,
            organization: m.organization,
            salutation: m.salutation,
            first_name: m.first_name,
            last_name: m.last_name,
            address: m.address,
            address_2: m.address_2,
            zipcode: m.zipcode,
            city: m.city,
            country_code: m.country_code,
            language_code: m.language_code,
            email: m.email,
            phone: m.phone,
            vat_id: m.vat_id,
            currency_code: m.currency_code,
            x_attributes: m.x_attributes.unwrap_or_else(|| serde_json::json!({})),
            created: wire::datetime(m.created),
            lastupdate: wire::datetime(m.updated),
            hash,
            credit_balance: crate::domain::money::format_decimal(m.credit_balance.0, 2),
        }
    }
}

/// `customer.get`.
pub struct Get;

/// `FILTER` of `customer.get`; every filter given must match.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct GetFilter {
    customer_id: Option<Id>,
    customer_ext_uid: Option<String>,
    customer_number: Option<Id>,
    email: Option<String>,
    country_code: Option<Country>,
    /// Searched in name, organization and email; `%` and `_` are literal.
    term: Option<String>,
}

impl Method for Get {
    const NAME: &'static str = "customer.get";
    const SUMMARY: &'static str =
        "Customers matching FILTER (CUSTOMER_ID, CUSTOMER_EXT_UID, CUSTOMER_NUMBER, EMAIL, COUNTRY_CODE, TERM).";
    type Filter = GetFilter;
    type Data = NoTags;
    type Reply = List<CustomerOut>;
}

impl Read for Get {
    async fn run(cx: ReadCx<'_>, call: Call<GetFilter, NoTags>) -> AppResult<List<CustomerOut>> {
        let f = call.filter;
        let filter = CustomerFilter {
            customer_id: f.customer_id.map(|i| i.0),
            customer_ext_uid: f.customer_ext_uid,
            customer_number: f.customer_number.map(|i| i.0),
            email: f.email,
            country_code: f.country_code.map(|c| c.0),
            term: f.term,
        };
        let rows = service::find(&cx, filter, call.limit, call.offset).await?;
        Ok(List::of(rows.into_iter().map(CustomerOut::from).collect()))
    }
}

/// The tags of a customer (`customer.create`, `customer.update`).
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields, default)]
pub struct CustomerData {
    customer_type: Option<CustomerType>,
    organization: Patch<String>,
    salutation: Patch<String>,
    first_name: Patch<String>,
    last_name: Patch<String>,
    address: Patch<String>,
    address_2: Patch<String>,
    zipcode: Patch<String>,
    city: Patch<String>,
    country_code: Patch<Country>,
    /// ISO 639-1, e.g. `de`.
    language_code: Patch<String>,
    email: Patch<String>,
    phone: Patch<String>,
    vat_id: Patch<String>,
    currency_code: Patch<Currency>,
    customer_ext_uid: Patch<String>,
    x_attributes: Patch<XAttributes>,
}

/// `business` or `consumer`.
#[derive(Clone, Copy, Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum CustomerType {
    Business,
    Consumer,
}

impl CustomerData {
    fn into_patch(self) -> AppResult<CustomerPatch> {
        let email = self.email.into_option();
        if let Some(Some(address)) = &email
            && (!address.contains('@') || address.len() > 254)
        {
            return Err(AppError::invalid("EMAIL", "not an email address"));
        }
        let language_code = self.language_code.into_option().map(|v| v.map(|l| l.to_ascii_lowercase()));
        if let Some(Some(code)) = &language_code
            && (!(2..=3).contains(&code.len()) || !code.bytes().all(|b| b.is_ascii_lowercase()))
        {
            return Err(AppError::invalid("LANGUAGE_CODE", "must be an ISO 639-1 code such as de"));
        }
        Ok(CustomerPatch {
            customer_type: self.customer_type.map(|t| match t {
                CustomerType::Business => "business".to_owned(),
                CustomerType::Consumer => "consumer".to_owned(),
            }),
            organization: self.organization.into_option(),
            salutation: self.salutation.into_option(),
            first_name: self.first_name.into_option(),
            last_name: self.last_name.into_option(),
            address: self.address.into_option(),
            address_2: self.address_2.into_option(),
            zipcode: self.zipcode.into_option(),
            city: self.city.into_option(),
            country_code: self.country_code.map(|c| c.0).into_option(),
            language_code,
            email,
            phone: self.phone.into_option(),
            vat_id: self.vat_id.into_option(),
            currency_code: self.currency_code.map(|c| c.0).into_option(),
            customer_ext_uid: self.customer_ext_uid.into_option(),
            x_attributes: self.x_attributes.map(|x| x.0).into_option(),
        })
    }
}

/// `customer.create`.
pub struct Create;

/// What `customer.create` answers.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct CreateReply {
    status: Success,
    /// `null` on a dry run.
    customer_id: Option<i64>,
    customer_number: i64,
    hash: String,
}

impl CreateReply {
    fn of(created: &entity::customer::Model, dry_run: bool) -> CreateReply {
        CreateReply {
            status: Success,
            customer_id: (!dry_run).then_some(created.id),
            customer_number: created.customer_number,
            hash: service::hash(created),
        }
    }
}

impl Method for Create {
    const NAME: &'static str = "customer.create";
    const SUMMARY: &'static str = "Creates a customer; answers CUSTOMER_ID, CUSTOMER_NUMBER, HASH.";
    const ERRORS: &'static [i32] = &[1009];
    type Filter = NoTags;
    type Data = CustomerData;
    type Reply = CreateReply;
}

impl Write for Create {
    async fn run(cx: WriteCx<'_>, call: Call<NoTags, CustomerData>) -> AppResult<CreateReply> {
        let created = service::create(&cx, call.data.into_patch()?).await?;
        Ok(CreateReply::of(&created, cx.dry_run))
    }
}

impl Grouped for Create {
    fn job(data: CustomerData) -> AppResult<Job> {
        Ok(Job::CreateCustomer(Box::new(data.into_patch()?)))
    }

    fn answer(done: Queued) -> AppResult<CreateReply> {
        match done {
            Queued::Customer(created) => Ok(CreateReply::of(&created, false)),
            Queued::Usage(_) => Err(AppError::internal("the write queue answered a usage booking for a customer")),
        }
    }
}

/// `customer.update`.
pub struct Update;

/// `CUSTOMER_ID`, the key of customer writes.
pub struct CustomerId;

impl KeyTag for CustomerId {
    const TAG: &'static str = "CUSTOMER_ID";
    type Value = Id;
}

/// What `customer.update` answers.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct UpdateReply {
    status: Success,
    customer_id: i64,
    hash: String,
}

impl Method for Update {
    const NAME: &'static str = "customer.update";
    const SUMMARY: &'static str = "Changes a customer's fields.";
    const ERRORS: &'static [i32] = &[1004, 1009];
    type Filter = NoTags;
    type Data = Keyed<CustomerId, CustomerData>;
    type Reply = UpdateReply;
}

impl Write for Update {
    async fn run(cx: WriteCx<'_>, call: Call<NoTags, Keyed<CustomerId, CustomerData>>) -> AppResult<UpdateReply> {
        let updated = service::update(&cx, call.data.key.0, call.data.rest.into_patch()?).await?;
        Ok(UpdateReply { status: Success, customer_id: updated.id, hash: service::hash(&updated) })
    }
}

/// `customer.delete`.
pub struct Delete;

/// `DATA` of `customer.delete`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct DeleteData {
    customer_id: Id,
}

impl Method for Delete {
    const NAME: &'static str = "customer.delete";
    const SUMMARY: &'static str = "Deletes a customer without running subscriptions or unpaid invoices.";
    const ERRORS: &'static [i32] = &[1004, 1009];
    type Filter = NoTags;
    type Data = DeleteData;
    type Reply = Done;
}

impl Write for Delete {
    async fn run(cx: WriteCx<'_>, call: Call<NoTags, DeleteData>) -> AppResult<Done> {
        service::delete(&cx, call.data.customer_id.0).await?;
        Ok(Done::default())
    }
}
