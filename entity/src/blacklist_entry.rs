//! One blacklisted key (API.md `blacklist.*`): an organization number, a VAT id
//! or an e-mail address, stored normalized.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "blacklist_entry")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    /// `organization_number`, `vat_id` or `email`.
    pub key_type: String,
    /// Normalized: ids upper-case without separators, e-mail addresses lower-case.
    pub key_value: String,
    pub reason: Option<String>,
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
