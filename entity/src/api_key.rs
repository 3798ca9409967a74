//! API keys: a public lookup id plus an argon2id hash of the secret part.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_key")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    /// The `<keyid>` part of `rk_live_<keyid>_<secret>`; unique across tenants.
    #[sea_orm(unique)]
    pub lookup_id: String,
    /// PHC string of the argon2id hash of the secret part.
    pub secret_hash: String,
    /// `default` or `admin`.
    pub scope: String,
    pub note: Option<String>,
    /// A recognisable, non-secret hint such as `rk_live_ab12…9f3c`.
    pub hint: String,
    pub created: DateTimeUtc,
    pub revoked: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::tenant::Entity", from = "Column::TenantId", to = "super::tenant::Column::Id")]
    Tenant,
}

impl Related<super::tenant::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Tenant.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

impl crate::TenantScoped for Entity {
    fn tenant_column() -> Column {
        Column::TenantId
    }

    fn id_column() -> Column {
        Column::Id
    }
}
