//! One event for one endpoint: its signed body (built once), its STATUS
//! (`pending` `delivered` `failed` `skipped`) and when the next attempt is due
//! (tenant clock).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_delivery")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub webhook_id: i64,
    pub event_id: i64,
    /// The public type (`subscription.created`).
    pub event_type: String,
    pub status: String,
    /// Attempts made so far.
    pub attempts: i32,
    pub next_attempt: Option<DateTimeUtc>,
    /// The request body, exactly as signed and sent.
    #[sea_orm(column_type = "Text")]
    pub body: String,
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
