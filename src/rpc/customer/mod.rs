//! `customer.*`: tags in, service call, tags out.

mod data;
mod wire;

pub use data::CustomerData;
pub use wire::CustomerOut;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::params::{Country, Id, Ids, Int, KeyTag, Keyed, NoTags};
use super::table::{Call, Grouped, Method, MethodSpec, Read, ReadCx, Write, WriteCx, grouped, read, write};
use super::wire::{Done, List, Success};
use crate::error::{AppError, AppResult};
use crate::service::customer::{self as service, CustomerFilter};
use crate::service::write_queue::{Done as Queued, Job};

/// This namespace's slice of the method table.
pub static METHODS: &[MethodSpec] = &[read::<Get>(), grouped::<Create>(), write::<Update>(), write::<Delete>()];

/// `customer.get`.
pub struct Get;

/// `FILTER` of `customer.get`; every filter given must match.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct GetFilter {
    /// An id or a list of ids.
    customer_id: Option<Ids>,
    customer_ext_uid: Option<String>,
    customer_number: Option<Id>,
    email: Option<String>,
    country_code: Option<Country>,
    /// Searched in name, organization and email; `%` and `_` are literal.
    term: Option<String>,
    /// business or consumer.
    customer_type: Option<String>,
    city: Option<String>,
    zipcode: Option<String>,
    state: Option<String>,
    vat_id: Option<String>,
    tax_id: Option<String>,
    affiliate: Option<String>,
    payment_type: Option<Int>,
    /// none or mail.
    invoice_delivery_method: Option<String>,
    /// One tag the customer carries.
    tag: Option<String>,
}

impl Method for Get {
    const NAME: &'static str = "customer.get";
    const SUMMARY: &'static str = "Customers matching FILTER (CUSTOMER_ID, CUSTOMER_EXT_UID, CUSTOMER_NUMBER, EMAIL, COUNTRY_CODE, TERM, CITY, TAX_ID, TAG, ...).";
    type Filter = GetFilter;
    type Data = NoTags;
    type Reply = List<CustomerOut>;
}

impl Read for Get {
    async fn run(cx: ReadCx<'_>, call: Call<GetFilter, NoTags>) -> AppResult<List<CustomerOut>> {
        let f = call.filter;
        let filter = CustomerFilter {
            customer_id: f.customer_id.as_ref().and_then(Ids::single),
            customer_ids: f.customer_id.filter(|i| i.single().is_none()).map(Ids::all),
            customer_ext_uid: f.customer_ext_uid,
            customer_number: f.customer_number.map(|i| i.0),
            email: f.email,
            country_code: f.country_code.map(|c| c.0),
            term: f.term,
            customer_type: f.customer_type.map(|t| t.to_ascii_lowercase()),
            city: f.city,
            zipcode: f.zipcode,
            state: f.state,
            vat_id: f.vat_id,
            tax_id: f.tax_id,
            affiliate: f.affiliate,
            payment_type: f.payment_type.map(|p| p.within("PAYMENT_TYPE", 1, 6)).transpose()?.map(|p| p as i32),
            invoice_delivery_method: f.invoice_delivery_method.map(|m| m.to_ascii_lowercase()),
            tag: f.tag,
        };
        let rows = service::find(&cx, filter, call.limit, call.offset).await?;
        Ok(List::of(rows.into_iter().map(CustomerOut::from).collect()))
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
