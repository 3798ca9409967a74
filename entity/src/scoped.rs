//! `TenantScoped`: the tables that belong to a tenant name their `tenant_id`
//! and `id` columns here, next to their definition, so the root crate's
//! tenant scope can filter any of them (a new table implements it in its own
//! file).

use sea_orm::EntityTrait;

/// An entity with a `tenant_id` column and an `id` primary key.
pub trait TenantScoped: EntityTrait + 'static {
    /// The `tenant_id` column.
    fn tenant_column() -> Self::Column;
    /// The `id` column.
    fn id_column() -> Self::Column;
}
