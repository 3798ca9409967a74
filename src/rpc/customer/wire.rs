//! A customer on the wire (API.md 5.1): recur's tags and FastBill's.

use schemars::JsonSchema;
use serde::Serialize;

use crate::rpc::wire::{self, Listed};
use crate::service::customer::{self as service, profile};

/// A customer on the wire.
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
    /// Prepaid credit, a decimal string.
    credit_balance: String,
    position: Option<String>,
    title_academic: Option<String>,
    secondary_address: Option<String>,
    state: Option<String>,
    phone_2: Option<String>,
    fax: Option<String>,
    mobile: Option<String>,
    email_cc: Option<String>,
    /// A date, `YYYY-MM-DD`.
    birthday: Option<String>,
    payment_mail_address: Option<String>,
    tax_id: Option<String>,
    comment: Option<String>,
    tags: Vec<String>,
    /// Overrides the tenant's payment term; `null` = the tenant's.
    days_for_payment: Option<i32>,
    /// `none` or `mail`.
    invoice_delivery_method: String,
    payment_type: Option<i32>,
    bank_name: Option<String>,
    bank_code: Option<String>,
    bank_account_number: Option<String>,
    bank_account_owner: Option<String>,
    bank_account_owner_address: Option<String>,
    bank_account_owner_city: Option<String>,
    bank_account_owner_zipcode: Option<String>,
    bank_account_owner_email: Option<String>,
    bank_iban: Option<String>,
    bank_bic: Option<String>,
    bank_account_mandate_reference: Option<String>,
    bank_account_mandate_reference_date: Option<String>,
    show_payment_notice: bool,
    newsletter_optin: bool,
    affiliate: Option<String>,
}

impl Listed for CustomerOut {
    const KEY: &'static str = "CUSTOMERS";
}

impl CustomerOut {
    /// Maps a stored customer to its wire form.
    pub fn from(m: entity::customer::Model) -> Self {
        let hash = service::hash(&m);
        let tags = profile::tags(&m);
        let credit_balance = wire::money(m.credit_balance.0, m.currency_code.as_deref().unwrap_or("EUR"));
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
            credit_balance,
            position: m.position,
            title_academic: m.title_academic,
            secondary_address: m.secondary_address,
            state: m.state,
            phone_2: m.phone_2,
            fax: m.fax,
            mobile: m.mobile,
            email_cc: m.email_cc,
            birthday: m.birthday,
            payment_mail_address: m.payment_mail_address,
            tax_id: m.tax_id,
            comment: m.comment,
            tags,
            days_for_payment: m.days_for_payment,
            invoice_delivery_method: m.invoice_delivery_method,
            payment_type: m.payment_type,
            bank_name: m.bank_name,
            bank_code: m.bank_code,
            bank_account_number: m.bank_account_number,
            bank_account_owner: m.bank_account_owner,
            bank_account_owner_address: m.bank_account_owner_address,
            bank_account_owner_city: m.bank_account_owner_city,
            bank_account_owner_zipcode: m.bank_account_owner_zipcode,
            bank_account_owner_email: m.bank_account_owner_email,
            bank_iban: m.bank_iban,
            bank_bic: m.bank_bic,
            bank_account_mandate_reference: m.bank_account_mandate_reference,
            bank_account_mandate_reference_date: m.bank_account_mandate_reference_date.map(wire::datetime),
            show_payment_notice: m.show_payment_notice,
            newsletter_optin: m.newsletter_optin,
            affiliate: m.affiliate,
        }
    }
}
