use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261121_000001_create_tenant::Tenant;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Counter::Table)
                    .col(big_integer(Counter::TenantId))
                    .col(string(Counter::Name))
                    .col(big_integer(Counter::Value))
                    .primary_key(Index::create().col(Counter::TenantId).col(Counter::Name))
                    .foreign_key(
                        ForeignKey::create().from(Counter::Table, Counter::TenantId).to(Tenant::Table, Tenant::Id),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Counter::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Counter {
    Table,
    TenantId,
    Name,
    Value,
}
