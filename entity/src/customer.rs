//! Customers. Deleted customers keep their row (invoices point at them) but are
//! invisible to every query.

use sea_orm::entity::prelude::*;

use crate::DecimalText;

#[derive(Clone, Debug, Default, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "customer")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub customer_number: i64,
    pub customer_ext_uid: Option<String>,
    pub customer_type: String,
    pub organization: Option<String>,
    pub salutation: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub address: Option<String>,
    pub address_2: Option<String>,
    pub zipcode: Option<String>,
    pub city: Option<String>,
    pub country_code: Option<String>,
    pub language_code: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub vat_id: Option<String>,
    pub currency_code: Option<String>,
    pub x_attributes: Option<Json>,
    /// Bumped on every change; feeds the public HASH.
    pub version: i32,
    pub created: DateTimeUtc,
    pub updated: DateTimeUtc,
    pub deleted: Option<DateTimeUtc>,
    /// Prepaid credit applied to the next invoices (`customer.addcredits`, overpayments).
    pub credit_balance: DecimalText,
    // FastBill's customer model (API.md 5.1), migration 000019.
    pub position: Option<String>,
    pub title_academic: Option<String>,
    pub secondary_address: Option<String>,
    pub state: Option<String>,
    #[sea_orm(column_name = "phone_2")]
    pub phone_2: Option<String>,
    pub fax: Option<String>,
    pub mobile: Option<String>,
    pub email_cc: Option<String>,
    /// A pure date, `YYYY-MM-DD` (never converted between zones).
    pub birthday: Option<String>,
    pub payment_mail_address: Option<String>,
    pub tax_id: Option<String>,
    pub comment: Option<String>,
    /// The customer's tags as a JSON list of strings.
    pub tags: Option<String>,
    /// Days from invoice date to due date; overrides `billing.payment_term_days`.
    pub days_for_payment: Option<i32>,
    /// `none` or `mail` (invoices are mailed on issue).
    pub invoice_delivery_method: String,
    /// FastBill's payment type, 1 to 6.
    pub payment_type: Option<i32>,
    pub bank_name: Option<String>,
    pub bank_code: Option<String>,
    pub bank_account_number: Option<String>,
    pub bank_account_owner: Option<String>,
    pub bank_account_owner_address: Option<String>,
    pub bank_account_owner_city: Option<String>,
    pub bank_account_owner_zipcode: Option<String>,
    pub bank_account_owner_email: Option<String>,
    pub bank_iban: Option<String>,
    pub bank_bic: Option<String>,
    pub bank_account_mandate_reference: Option<String>,
    pub bank_account_mandate_reference_date: Option<DateTimeUtc>,
    pub show_payment_notice: bool,
    pub newsletter_optin: bool,
    pub affiliate: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl crate::TenantScoped for Entity {
    fn tenant_column() -> Column {
        Column::TenantId
    }

    fn id_column() -> Column {
        Column::Id
    }
}
