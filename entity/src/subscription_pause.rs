//! Pauses of a subscription: billing periods that start inside one are not
//! billed; paused days of a period already paid are credited.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "subscription_pause")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub subscription_id: i64,
    /// The client's own PAUSE_ID, when it gave one.
    pub ext_id: Option<String>,
    pub start: DateTimeUtc,
    /// Exclusive end; `None` = until `subscription.unpause`.
    pub end: Option<DateTimeUtc>,
    /// The number of billing cycles it was asked for, if given so.
    pub cycles: Option<i32>,
    /// Its start has been processed (status paused, credit computed).
    pub started: bool,
    /// Its end has been processed.
    pub ended: bool,
    /// A billing period fell inside it and was not billed.
    pub skipped: bool,
    /// It skipped a billing period or its credit was invoiced: it can no
    /// longer be deleted.
    pub affected: bool,
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
