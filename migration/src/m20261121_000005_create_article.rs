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
                    .table(Article::Table)
                    .col(big_pk_auto(Article::Id))
                    .col(big_integer(Article::TenantId))
                    .col(string(Article::ArticleNumber))
                    .col(string(Article::Title))
                    .col(string_null(Article::Description))
                    .col(string(Article::UnitPrice))
                    .col(string(Article::CurrencyCode))
                    .col(string(Article::VatPercent))
                    .col(string(Article::SetupFee))
                    .col(boolean(Article::IsAddon))
                    .col(boolean(Article::AllowMultiple))
                    .col(string(Article::Interval))
                    .col(string_null(Article::Trial))
                    .col(integer_null(Article::Duration))
                    .col(string_null(Article::Cancellation))
                    .col(json_null(Article::Features))
                    .col(json_null(Article::Translations))
                    .col(string_null(Article::Tags))
                    .col(timestamp_with_time_zone(Article::Created))
                    .col(timestamp_with_time_zone(Article::Updated))
                    .col(timestamp_with_time_zone_null(Article::Deleted))
                    .foreign_key(
                        ForeignKey::create().from(Article::Table, Article::TenantId).to(Tenant::Table, Tenant::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // Deleted articles give their number up (it is renamed on delete), so
        // the unique key can stay a plain one on every backend.
        manager
            .create_index(
                Index::create()
                    .name("ux_article_number")
                    .table(Article::Table)
                    .col(Article::TenantId)
                    .col(Article::ArticleNumber)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Article::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub enum Article {
    Table,
    Id,
    TenantId,
    ArticleNumber,
    Title,
    Description,
    UnitPrice,
    CurrencyCode,
    VatPercent,
    SetupFee,
    IsAddon,
    AllowMultiple,
    Interval,
    Trial,
    Duration,
    Cancellation,
    Features,
    Translations,
    Tags,
    Created,
    Updated,
    Deleted,
}
