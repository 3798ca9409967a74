//! FastBill's customer fields beyond name and address (API.md 5.1): contact
//! extras, payment terms, bank details, flags. Stored columns, changed by
//! the same patch as the rest of the customer.

use chrono::{DateTime, Utc};
use entity::customer::Model;

use crate::error::{AppError, AppResult};

/// A change to the FastBill fields. `None` = keep; `Some(None)` = clear.
#[derive(Debug, Default, Clone)]
pub struct ProfilePatch {
    pub position: Option<Option<String>>,
    pub title_academic: Option<Option<String>>,
    pub secondary_address: Option<Option<String>>,
    pub state: Option<Option<String>>,
    pub phone_2: Option<Option<String>>,
    pub fax: Option<Option<String>>,
    pub mobile: Option<Option<String>>,
    pub email_cc: Option<Option<String>>,
    /// `YYYY-MM-DD`.
    pub birthday: Option<Option<String>>,
    pub payment_mail_address: Option<Option<String>>,
    pub tax_id: Option<Option<String>>,
    pub comment: Option<Option<String>>,
    pub tags: Option<Option<Vec<String>>>,
    pub days_for_payment: Option<Option<i32>>,
    /// `none` or `mail`.
    pub invoice_delivery_method: Option<String>,
    pub payment_type: Option<Option<i32>>,
    pub bank_name: Option<Option<String>>,
    pub bank_code: Option<Option<String>>,
    pub bank_account_number: Option<Option<String>>,
    pub bank_account_owner: Option<Option<String>>,
    pub bank_account_owner_address: Option<Option<String>>,
    pub bank_account_owner_city: Option<Option<String>>,
    pub bank_account_owner_zipcode: Option<Option<String>>,
    pub bank_account_owner_email: Option<Option<String>>,
    pub bank_iban: Option<Option<String>>,
    pub bank_bic: Option<Option<String>>,
    pub bank_account_mandate_reference: Option<Option<String>>,
    pub bank_account_mandate_reference_date: Option<Option<DateTime<Utc>>>,
    pub show_payment_notice: Option<bool>,
    pub newsletter_optin: Option<bool>,
    pub affiliate: Option<Option<String>>,
}

/// Checks the values a service must refuse whatever the front door.
pub fn check(patch: &ProfilePatch) -> AppResult<()> {
    if let Some(Some(day)) = &patch.birthday
        && chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").is_err()
    {
        return Err(AppError::invalid("BIRTHDAY", "must be a date YYYY-MM-DD"));
    }
    if let Some(Some(days)) = patch.days_for_payment
        && !(0..=3650).contains(&days)
    {
        return Err(AppError::invalid("DAYS_FOR_PAYMENT", "must be 0 to 3650 days"));
    }
    if let Some(Some(kind)) = patch.payment_type
        && !(1..=6).contains(&kind)
    {
        return Err(AppError::invalid("PAYMENT_TYPE", "must be 1 to 6"));
    }
    if let Some(method) = &patch.invoice_delivery_method
        && !matches!(method.as_str(), "none" | "mail")
    {
        return Err(AppError::invalid("INVOICE_DELIVERY_METHOD", "must be none or mail"));
    }
    Ok(())
}

/// Applies `patch` to `model`.
pub fn apply(model: &mut Model, patch: ProfilePatch) {
    macro_rules! set {
        ($($field:ident),*) => {$(
            if let Some(value) = patch.$field { model.$field = value; }
        )*};
    }
    set!(
        position,
        title_academic,
        secondary_address,
        state,
        phone_2,
        fax,
        mobile,
        email_cc,
        birthday,
        payment_mail_address,
        tax_id,
        comment,
        days_for_payment,
        payment_type,
        bank_name,
        bank_code,
        bank_account_number,
        bank_account_owner,
        bank_account_owner_address,
        bank_account_owner_city,
        bank_account_owner_zipcode,
        bank_account_owner_email,
        bank_iban,
        bank_bic,
        bank_account_mandate_reference,
        bank_account_mandate_reference_date,
        affiliate
    );
    if let Some(tags) = patch.tags {
        model.tags = tags.map(|t| serde_json::Value::from(t).to_string());
    }
    if let Some(method) = patch.invoice_delivery_method {
        model.invoice_delivery_method = method;
    }
    if let Some(flag) = patch.show_payment_notice {
        model.show_payment_notice = flag;
    }
    if let Some(flag) = patch.newsletter_optin {
        model.newsletter_optin = flag;
    }
}

/// A stored customer's tags.
pub fn tags(model: &Model) -> Vec<String> {
    model.tags.as_deref().and_then(|t| serde_json::from_str(t).ok()).unwrap_or_default()
}
