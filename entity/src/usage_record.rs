//! Usage booked on a subscription, billed in arrears on its next invoice.
//!
//! A booking is also its own `subscription.usage_recorded` event, so its id
//! is drawn from the event ids (`service::event_feed`): on SQLite whoever
//! inserts bookings reserves their ids first (`event_feed::reserve_ids`).

use sea_orm::entity::prelude::*;

use crate::DecimalText;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "usage_record")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub subscription_id: i64,
    pub customer_id: i64,
    pub article_number: String,
    pub description: String,
    pub quantity: DecimalText,
    pub unit_price: DecimalText,
    pub currency_code: String,
    pub vat_percent: DecimalText,
    pub usage_date: DateTimeUtc,
    /// The invoice that billed it; `None` while open.
    pub invoice_id: Option<i64>,
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
