//! The tags of a customer (`customer.create`, `customer.update`): recur's and
//! FastBill's (API.md 5.1), decoded into the service's patch.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::error::{AppError, AppResult};
use crate::rpc::params::{Country, Currency, Flag, Int, Patch, Strings, When, XAttributes};
use crate::service::customer::{CustomerPatch, ProfilePatch};

/// The tags of a customer.
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
    position: Patch<String>,
    title_academic: Patch<String>,
    secondary_address: Patch<String>,
    state: Patch<String>,
    phone_2: Patch<String>,
    fax: Patch<String>,
    mobile: Patch<String>,
    email_cc: Patch<String>,
    /// A date, `YYYY-MM-DD`.
    birthday: Patch<String>,
    payment_mail_address: Patch<String>,
    tax_id: Patch<String>,
    comment: Patch<String>,
    /// A list, or FastBill's comma-separated string.
    tags: Patch<Strings>,
    /// Days from invoice date to due date for this customer's invoices.
    days_for_payment: Patch<Int>,
    /// `none` or `mail` (invoices mailed on issue).
    invoice_delivery_method: Option<String>,
    /// FastBill's payment type, 1 to 6.
    payment_type: Patch<Int>,
    bank_name: Patch<String>,
    bank_code: Patch<String>,
    bank_account_number: Patch<String>,
    bank_account_owner: Patch<String>,
    bank_account_owner_address: Patch<String>,
    bank_account_owner_city: Patch<String>,
    bank_account_owner_zipcode: Patch<String>,
    bank_account_owner_email: Patch<String>,
    bank_iban: Patch<String>,
    bank_bic: Patch<String>,
    bank_account_mandate_reference: Patch<String>,
    bank_account_mandate_reference_date: Patch<When>,
    show_payment_notice: Option<Flag>,
    newsletter_optin: Option<Flag>,
    affiliate: Patch<String>,
}

/// `business` or `consumer`.
#[derive(Clone, Copy, Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum CustomerType {
    Business,
    Consumer,
}

/// An integer tag that fits `i32`.
fn small(tag: &str, value: Patch<Int>) -> AppResult<Option<Option<i32>>> {
    value
        .into_option()
        .map(|v| v.map(|n| i32::try_from(n.0).map_err(|_| AppError::invalid(tag, "out of range"))).transpose())
        .transpose()
}

impl CustomerData {
    /// The service's patch; refuses what no front door may store.
    pub fn into_patch(self) -> AppResult<CustomerPatch> {
        let email = checked_email(self.email.into_option())?;
        let language_code = checked_language(self.language_code.into_option())?;
        let profile = ProfilePatch {
            position: self.position.into_option(),
            title_academic: self.title_academic.into_option(),
            secondary_address: self.secondary_address.into_option(),
            state: self.state.into_option(),
            phone_2: self.phone_2.into_option(),
            fax: self.fax.into_option(),
            mobile: self.mobile.into_option(),
            email_cc: self.email_cc.into_option(),
            birthday: self.birthday.into_option(),
            payment_mail_address: self.payment_mail_address.into_option(),
            tax_id: self.tax_id.into_option(),
            comment: self.comment.into_option(),
            tags: self.tags.map(|t| t.0).into_option(),
            days_for_payment: small("DAYS_FOR_PAYMENT", self.days_for_payment)?,
            invoice_delivery_method: self.invoice_delivery_method.map(|m| delivery_method(&m)),
            payment_type: small("PAYMENT_TYPE", self.payment_type)?,
            bank_name: self.bank_name.into_option(),
            bank_code: self.bank_code.into_option(),
            bank_account_number: self.bank_account_number.into_option(),
            bank_account_owner: self.bank_account_owner.into_option(),
            bank_account_owner_address: self.bank_account_owner_address.into_option(),
            bank_account_owner_city: self.bank_account_owner_city.into_option(),
            bank_account_owner_zipcode: self.bank_account_owner_zipcode.into_option(),
            bank_account_owner_email: self.bank_account_owner_email.into_option(),
            bank_iban: self.bank_iban.into_option(),
            bank_bic: self.bank_bic.into_option(),
            bank_account_mandate_reference: self.bank_account_mandate_reference.into_option(),
            bank_account_mandate_reference_date: self.bank_account_mandate_reference_date.map(|w| w.0).into_option(),
            show_payment_notice: self.show_payment_notice.map(|f| f.0),
            newsletter_optin: self.newsletter_optin.map(|f| f.0),
            affiliate: self.affiliate.into_option(),
        };
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
            profile,
        })
    }
}

fn checked_email(email: Option<Option<String>>) -> AppResult<Option<Option<String>>> {
    if let Some(Some(address)) = &email
        && (!address.contains('@') || address.len() > 254)
    {
        return Err(AppError::invalid("EMAIL", "not an email address"));
    }
    Ok(email)
}

fn checked_language(code: Option<Option<String>>) -> AppResult<Option<Option<String>>> {
    let code = code.map(|v| v.map(|l| l.to_ascii_lowercase()));
    if let Some(Some(c)) = &code
        && (!(2..=3).contains(&c.len()) || !c.bytes().all(|b| b.is_ascii_lowercase()))
    {
        return Err(AppError::invalid("LANGUAGE_CODE", "must be an ISO 639-1 code such as de"));
    }
    Ok(code)
}

/// FastBill clients say `email` where we say `mail`.
fn delivery_method(method: &str) -> String {
    match method.to_ascii_lowercase().as_str() {
        "email" | "e-mail" => "mail".to_owned(),
        other => other.to_owned(),
    }
}
