//! The tenant scope: the only way service code reaches a tenant's rows.
//!
//! `TenantId` can only be made by authentication (or the CLI acting for a
//! tenant), and every `find`/`update`/`delete` helper filters on it, so an
//! unscoped query cannot be written by accident. Another tenant's id simply
//! finds nothing, which answers exactly like an id that does not exist.

use sea_orm::{ColumnTrait, DeleteMany, EntityTrait, QueryFilter, Select, UpdateMany};

/// The id of the tenant a request acts for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TenantId(i64);

impl TenantId {
    /// Only auth and the CLI construct tenant ids.
    pub(crate) fn trusted(id: i64) -> Self {
        Self(id)
    }

    /// The raw id, for inserts.
    pub fn get(self) -> i64 {
        self.0
    }
}

/// An entity with a `tenant_id` column.
pub trait TenantScoped: EntityTrait {
    /// The `tenant_id` column.
    fn tenant_column() -> Self::Column;
}

/// Tenant-scoped query starters.
pub trait Scope {
    /// The tenant every query is scoped to.
    fn tenant_id(&self) -> TenantId;

    /// `SELECT` over this tenant's rows of `E`.
    fn find<E: TenantScoped>(&self) -> Select<E> {
        E::find().filter(E::tenant_column().eq(self.tenant_id().get()))
    }

    /// `UPDATE` over this tenant's rows of `E`.
    fn update_many<E: TenantScoped>(&self) -> UpdateMany<E> {
        E::update_many().filter(E::tenant_column().eq(self.tenant_id().get()))
    }

    /// `DELETE` over this tenant's rows of `E`.
    fn delete_many<E: TenantScoped>(&self) -> DeleteMany<E> {
        E::delete_many().filter(E::tenant_column().eq(self.tenant_id().get()))
    }
}

macro_rules! tenant_scoped {
    ($($module:ident),* $(,)?) => {
        $(impl TenantScoped for entity::$module::Entity {
            fn tenant_column() -> Self::Column {
                entity::$module::Column::TenantId
            }
        })*
    };
}

tenant_scoped!(api_key, article, counter, customer, event, idempotency_record);

impl TenantId {
    /// For the operator's CLI, which names tenants by id on the command line.
    pub fn trusted_for_operator(id: i64) -> Self {
        Self(id)
    }
}

tenant_scoped!(invoice, invoice_item, subscription, subscription_pause, usage_record);
