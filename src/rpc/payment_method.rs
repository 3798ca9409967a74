//! `paymentmethod.*`: a customer's stored payment methods (API.md, phase 3):
//! references to a card, account or wallet at a payment provider, never a card
//! number.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::params::{Flag, Id, KeyTag, Keyed, NoTags, Patch};
use super::table::{Call, Method, MethodSpec, Read, ReadCx, Write, WriteCx, read, write};
use super::wire::{self, Done, List, Listed, Success};
use crate::error::AppResult;
use crate::service::payment_method::{self as service, MethodPatch};

/// This namespace's slice of the method table.
pub static METHODS: &[MethodSpec] = &[write::<Create>(), read::<Get>(), write::<Update>(), write::<Delete>()];

/// A payment method as `paymentmethod.get` answers it.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct PaymentMethodOut {
    paymentmethod_id: i64,
    customer_id: i64,
    /// card, sepa, paypal or other.
    #[serde(rename = "TYPE")]
    method_type: String,
    provider: Option<String>,
    provider_reference: String,
    label: Option<String>,
    is_default: bool,
    created: String,
    updated: String,
}

impl Listed for PaymentMethodOut {
    const KEY: &'static str = "PAYMENTMETHODS";
}

impl From<&entity::payment_method::Model> for PaymentMethodOut {
    fn from(m: &entity::payment_method::Model) -> PaymentMethodOut {
        PaymentMethodOut {
            paymentmethod_id: m.id,
            customer_id: m.customer_id,
            method_type: m.method_type.clone(),
            provider: m.provider.clone(),
            provider_reference: m.provider_reference.clone(),
            label: m.label.clone(),
            is_default: m.is_default,
            created: wire::datetime(m.created),
            updated: wire::datetime(m.updated),
        }
    }
}

/// The tags of a payment method (`paymentmethod.create`, `paymentmethod.update`).
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields, default)]
pub struct MethodData {
    /// card, sepa, paypal or other (required on create).
    #[serde(rename = "TYPE")]
    method_type: Option<String>,
    /// The payment provider (stripe, adyen, gocardless, ...).
    provider: Patch<String>,
    /// The provider's token for the method (required on create); a card number is refused.
    provider_reference: Option<String>,
    /// What the customer sees ("Visa ending 4242"); a card number is refused.
    label: Patch<String>,
    /// The customer's default method (the first method of a customer is).
    is_default: Option<Flag>,
}

impl MethodData {
    fn into_patch(self) -> MethodPatch {
        MethodPatch {
            method_type: self.method_type.map(|t| t.trim().to_ascii_lowercase()),
            provider: self.provider.into_option(),
            provider_reference: self.provider_reference,
            label: self.label.into_option(),
            is_default: self.is_default.map(|f| f.0),
        }
    }
}

/// `paymentmethod.create`.
pub struct Create;

/// What `paymentmethod.create` answers.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct CreateReply {
    status: Success,
    /// null on a dry run.
    paymentmethod_id: Option<i64>,
}

impl Method for Create {
    const NAME: &'static str = "paymentmethod.create";
    const SUMMARY: &'static str = "Stores a customer's payment method: TYPE, PROVIDER, PROVIDER_REFERENCE (the provider's token), LABEL, IS_DEFAULT.";
    const ERRORS: &'static [i32] = &[1004];
    type Filter = NoTags;
    type Data = Keyed<CustomerId, MethodData>;
    type Reply = CreateReply;
}

/// `CUSTOMER_ID`, whose method `paymentmethod.create` stores.
pub struct CustomerId;

impl KeyTag for CustomerId {
    const TAG: &'static str = "CUSTOMER_ID";
    type Value = Id;
}

impl Write for Create {
    async fn run(cx: WriteCx<'_>, call: Call<NoTags, Keyed<CustomerId, MethodData>>) -> AppResult<CreateReply> {
        let row = service::create(&cx, call.data.key.0, call.data.rest.into_patch()).await?;
        Ok(CreateReply { status: Success, paymentmethod_id: (!cx.dry_run).then_some(row.id) })
    }
}

/// `paymentmethod.get`.
pub struct Get;

/// `FILTER` of `paymentmethod.get`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct GetFilter {
    paymentmethod_id: Option<Id>,
    customer_id: Option<Id>,
}

impl Method for Get {
    const NAME: &'static str = "paymentmethod.get";
    const SUMMARY: &'static str = "Payment methods by PAYMENTMETHOD_ID or CUSTOMER_ID, oldest first.";
    type Filter = GetFilter;
    type Data = NoTags;
    type Reply = List<PaymentMethodOut>;
}

impl Read for Get {
    async fn run(cx: ReadCx<'_>, call: Call<GetFilter, NoTags>) -> AppResult<List<PaymentMethodOut>> {
        let f = call.filter;
        let rows =
            service::find(&cx, f.paymentmethod_id.map(|i| i.0), f.customer_id.map(|i| i.0), call.limit, call.offset)
                .await?;
        Ok(List::of(rows.iter().map(PaymentMethodOut::from).collect()))
    }
}

/// `PAYMENTMETHOD_ID`, the key of payment method writes.
pub struct PaymentMethodId;

impl KeyTag for PaymentMethodId {
    const TAG: &'static str = "PAYMENTMETHOD_ID";
    type Value = Id;
}

/// `paymentmethod.update`.
pub struct Update;

/// What `paymentmethod.update` answers.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct UpdateReply {
    status: Success,
    paymentmethod_id: i64,
    is_default: bool,
}

impl Method for Update {
    const NAME: &'static str = "paymentmethod.update";
    const SUMMARY: &'static str =
        "Changes a payment method's tags; IS_DEFAULT takes the default from the customer's others.";
    const ERRORS: &'static [i32] = &[1004];
    type Filter = NoTags;
    type Data = Keyed<PaymentMethodId, MethodData>;
    type Reply = UpdateReply;
}

impl Write for Update {
    async fn run(cx: WriteCx<'_>, call: Call<NoTags, Keyed<PaymentMethodId, MethodData>>) -> AppResult<UpdateReply> {
        let row = service::update(&cx, call.data.key.0, call.data.rest.into_patch()).await?;
        Ok(UpdateReply { status: Success, paymentmethod_id: row.id, is_default: row.is_default })
    }
}

/// `paymentmethod.delete`.
pub struct Delete;

/// `DATA` of `paymentmethod.delete`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct DeleteData {
    paymentmethod_id: Id,
}

impl Method for Delete {
    const NAME: &'static str = "paymentmethod.delete";
    const SUMMARY: &'static str = "Removes a payment method.";
    const ERRORS: &'static [i32] = &[1004];
    type Filter = NoTags;
    type Data = DeleteData;
    type Reply = Done;
}

impl Write for Delete {
    async fn run(cx: WriteCx<'_>, call: Call<NoTags, DeleteData>) -> AppResult<Done> {
        service::delete(&cx, call.data.paymentmethod_id.0).await?;
        Ok(Done::default())
    }
}
