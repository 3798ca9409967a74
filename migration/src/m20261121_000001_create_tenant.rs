use sea_orm_migration::{prelude::*, schema::*};

use crate::big_pk_auto;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Tenant::Table)
                    .col(big_pk_auto(Tenant::Id))
                    .col(string(Tenant::Name))
                    .col(boolean(Tenant::IsTest))
                    .col(timestamp_with_time_zone_null(Tenant::Clock))
                    .col(string(Tenant::LinkSecret))
                    .col(timestamp_with_time_zone(Tenant::Created))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Tenant::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub enum Tenant {
    Table,
    Id,
    Name,
    IsTest,
    Clock,
    LinkSecret,
    Created,
}
