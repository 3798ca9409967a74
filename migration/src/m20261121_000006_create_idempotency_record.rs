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
                    .table(IdempotencyRecord::Table)
                    .col(big_pk_auto(IdempotencyRecord::Id))
                    .col(big_integer(IdempotencyRecord::TenantId))
                    .col(string(IdempotencyRecord::Key))
                    .col(string(IdempotencyRecord::Fingerprint))
                    .col(text_null(IdempotencyRecord::Response))
                    .col(timestamp_with_time_zone(IdempotencyRecord::Created))
                    .foreign_key(
                        ForeignKey::create()
                            .from(IdempotencyRecord::Table, IdempotencyRecord::TenantId)
                            .to(Tenant::Table, Tenant::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_idempotency_key")
                    .table(IdempotencyRecord::Table)
                    .col(IdempotencyRecord::TenantId)
                    .col(IdempotencyRecord::Key)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(IdempotencyRecord::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum IdempotencyRecord {
    Table,
    Id,
    TenantId,
    Key,
    Fingerprint,
    Response,
    Created,
}
