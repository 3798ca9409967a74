//! The blacklist (API.md `blacklist.*`): organization numbers, VAT ids and
//! e-mail addresses a tenant does not sell subscriptions to. One row per
//! normalized key, unique per tenant. Additive: old processes keep working
//! against the new schema.

use sea_orm_migration::{prelude::*, schema::*};

use crate::big_pk_auto;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tenant {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum BlacklistEntry {
    Table,
    Id,
    TenantId,
    KeyType,
    KeyValue,
    Reason,
    Created,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(BlacklistEntry::Table)
                    .col(big_pk_auto(BlacklistEntry::Id))
                    .col(big_integer(BlacklistEntry::TenantId))
                    .col(string(BlacklistEntry::KeyType))
                    .col(string(BlacklistEntry::KeyValue))
                    .col(string_null(BlacklistEntry::Reason))
                    .col(timestamp_with_time_zone(BlacklistEntry::Created))
                    .foreign_key(
                        ForeignKey::create()
                            .from(BlacklistEntry::Table, BlacklistEntry::TenantId)
                            .to(Tenant::Table, Tenant::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_blacklist_entry_key")
                    .table(BlacklistEntry::Table)
                    .col(BlacklistEntry::TenantId)
                    .col(BlacklistEntry::KeyType)
                    .col(BlacklistEntry::KeyValue)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(BlacklistEntry::Table).to_owned()).await
    }
}
