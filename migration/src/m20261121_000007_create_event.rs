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
                    .table(Event::Table)
                    .col(big_pk_auto(Event::Id))
                    .col(big_integer(Event::TenantId))
                    .col(string(Event::Subject))
                    .col(big_integer(Event::SubjectId))
                    .col(string(Event::EventType))
                    .col(json(Event::Data))
                    .col(timestamp_with_time_zone(Event::Created))
                    .foreign_key(ForeignKey::create().from(Event::Table, Event::TenantId).to(Tenant::Table, Tenant::Id))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_event_subject")
                    .table(Event::Table)
                    .col(Event::TenantId)
                    .col(Event::Subject)
                    .col(Event::SubjectId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Event::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Event {
    Table,
    Id,
    TenantId,
    Subject,
    SubjectId,
    EventType,
    Data,
    Created,
}
