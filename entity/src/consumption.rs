//! One-off charges for a customer (`consumption.create`), billed at once or
//! with the next invoice.

use sea_orm::entity::prelude::*;

use crate::DecimalText;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "consumption")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub customer_id: i64,
    pub subscription_id: Option<i64>,
    pub article_number: Option<String>,
    pub title: String,
    pub quantity: DecimalText,
    pub unit_price: DecimalText,
    pub vat_percent: DecimalText,
    pub currency_code: String,
    pub immediate: bool,
    /// `open`, `invoiced` or `refunded`.
    pub status: String,
    /// The invoice that billed it.
    pub invoice_id: Option<i64>,
    /// The line of that invoice (a refund after invoicing credits it).
    pub invoice_item_id: Option<i64>,
    /// The caller's REFUND_ID of its refund (idempotent refunds).
    pub refund_id: Option<String>,
    pub created: DateTimeUtc,
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
