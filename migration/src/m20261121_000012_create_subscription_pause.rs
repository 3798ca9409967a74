use sea_orm_migration::{prelude::*, schema::*};

use crate::big_pk_auto;
use crate::m20261121_000001_create_tenant::Tenant;
use crate::m20261121_000008_create_subscription::Subscription;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SubscriptionPause::Table)
                    .col(big_pk_auto(SubscriptionPause::Id))
                    .col(big_integer(SubscriptionPause::TenantId))
                    .col(big_integer(SubscriptionPause::SubscriptionId))
                    .col(string_null(SubscriptionPause::ExtId))
                    .col(timestamp_with_time_zone(SubscriptionPause::Start))
                    .col(timestamp_with_time_zone_null(SubscriptionPause::End))
                    .col(integer_null(SubscriptionPause::Cycles))
                    .col(boolean(SubscriptionPause::Started))
                    .col(boolean(SubscriptionPause::Ended))
                    .col(boolean(SubscriptionPause::Skipped))
                    .col(boolean(SubscriptionPause::Affected))
                    .col(timestamp_with_time_zone(SubscriptionPause::Created))
                    .foreign_key(
                        ForeignKey::create()
                            .from(SubscriptionPause::Table, SubscriptionPause::TenantId)
                            .to(Tenant::Table, Tenant::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(SubscriptionPause::Table, SubscriptionPause::SubscriptionId)
                            .to(Subscription::Table, Subscription::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_pause_ext_id")
                    .table(SubscriptionPause::Table)
                    .col(SubscriptionPause::SubscriptionId)
                    .col(SubscriptionPause::ExtId)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(SubscriptionPause::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum SubscriptionPause {
    Table,
    Id,
    TenantId,
    SubscriptionId,
    ExtId,
    Start,
    End,
    Cycles,
    Started,
    Ended,
    Skipped,
    Affected,
    Created,
}
