use sea_orm_migration::{prelude::*, schema::*};

use crate::big_pk_auto;

use crate::m20261121_000001_create_tenant::Tenant;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ApiKey::Table)
                    .col(big_pk_auto(ApiKey::Id))
                    .col(big_integer(ApiKey::TenantId))
                    .col(string_uniq(ApiKey::LookupId))
                    .col(string(ApiKey::SecretHash))
                    .col(string(ApiKey::Scope))
                    .col(string_null(ApiKey::Note))
                    .col(string(ApiKey::Hint))
                    .col(timestamp_with_time_zone(ApiKey::Created))
                    .col(timestamp_with_time_zone_null(ApiKey::Revoked))
                    .foreign_key(
                        ForeignKey::create().from(ApiKey::Table, ApiKey::TenantId).to(Tenant::Table, Tenant::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("ix_api_key_tenant").table(ApiKey::Table).col(ApiKey::TenantId).to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ApiKey::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum ApiKey {
    Table,
    Id,
    TenantId,
    LookupId,
    SecretHash,
    Scope,
    Note,
    Hint,
    Created,
    Revoked,
}
