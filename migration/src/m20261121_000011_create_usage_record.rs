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
                    .table(UsageRecord::Table)
                    .col(big_pk_auto(UsageRecord::Id))
                    .col(big_integer(UsageRecord::TenantId))
                    .col(big_integer(UsageRecord::SubscriptionId))
                    .col(big_integer(UsageRecord::CustomerId))
                    .col(string(UsageRecord::ArticleNumber))
                    .col(string(UsageRecord::Description))
                    .col(string(UsageRecord::Quantity))
                    .col(string(UsageRecord::UnitPrice))
                    .col(string(UsageRecord::CurrencyCode))
                    .col(string(UsageRecord::VatPercent))
                    .col(timestamp_with_time_zone(UsageRecord::UsageDate))
                    .col(big_integer_null(UsageRecord::InvoiceId))
                    .col(timestamp_with_time_zone(UsageRecord::Created))
                    .foreign_key(
                        ForeignKey::create()
                            .from(UsageRecord::Table, UsageRecord::TenantId)
                            .to(Tenant::Table, Tenant::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(UsageRecord::Table, UsageRecord::SubscriptionId)
                            .to(Subscription::Table, Subscription::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_usage_subscription")
                    .table(UsageRecord::Table)
                    .col(UsageRecord::SubscriptionId)
                    .col(UsageRecord::InvoiceId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(UsageRecord::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum UsageRecord {
    Table,
    Id,
    TenantId,
    SubscriptionId,
    CustomerId,
    ArticleNumber,
    Description,
    Quantity,
    UnitPrice,
    CurrencyCode,
    VatPercent,
    UsageDate,
    InvoiceId,
    Created,
}
