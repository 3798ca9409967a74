//! The timeline: one row per state change, written in the same transaction as
//! the change. Webhook delivery reads it as an outbox.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "event")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    /// `customer`, `article`, `subscription`, `invoice`, ...
    pub subject: String,
    pub subject_id: i64,
    /// Dotted type, e.g. `subscription.canceled`.
    pub event_type: String,
    pub data: Json,
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
