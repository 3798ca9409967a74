//! Webhook endpoints (`webhook.*`): where events go, in which format, signed
//! with which secret. A rotated secret keeps signing beside the new one for
//! 24 h after `rotated_at` (tenant clock).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    /// As given, credentials included (they are sent as HTTP Basic).
    #[sea_orm(column_type = "Text")]
    pub url: String,
    /// Public event type names; an empty list means all.
    pub events: Json,
    /// `recur` or `fastbill`.
    pub format: String,
    /// `whsec_...`; never shown after `webhook.create` / a rotation.
    pub secret: String,
    pub previous_secret: Option<String>,
    pub rotated_at: Option<DateTimeUtc>,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    /// Tenant clock of the first failed attempt since the last delivered one.
    pub failing_since: Option<DateTimeUtc>,
    /// Events with a larger id are delivered here (the newest when it was created).
    pub from_event_id: i64,
    /// Wall clock until which one process delivers to this endpoint.
    pub lease_until: Option<DateTimeUtc>,
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
