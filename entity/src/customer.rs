//! Customers. Deleted customers keep their row (invoices point at them) but are
//! invisible to every query.

use sea_orm::entity::prelude::*;

use crate::DecimalText;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
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
