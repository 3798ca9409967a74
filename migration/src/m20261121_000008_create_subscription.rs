use sea_orm_migration::{prelude::*, schema::*};

use crate::big_pk_auto;
use crate::m20261121_000001_create_tenant::Tenant;
use crate::m20261121_000004_create_customer::Customer;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Subscription::Table)
                    .col(big_pk_auto(Subscription::Id))
                    .col(big_integer(Subscription::TenantId))
                    .col(big_integer(Subscription::CustomerId))
                    .col(string_null(Subscription::SubscriptionExtUid))
                    .col(big_integer(Subscription::ArticleId))
                    .col(string(Subscription::ArticleNumber))
                    .col(string(Subscription::Title))
                    .col(string_null(Subscription::Description))
                    .col(string_null(Subscription::InvoiceTitle))
                    .col(string(Subscription::UnitPrice))
                    .col(string(Subscription::CurrencyCode))
                    .col(string(Subscription::VatPercent))
                    .col(string(Subscription::Quantity))
                    .col(string(Subscription::Interval))
                    .col(string(Subscription::SetupFee))
                    .col(boolean(Subscription::SetupBilled))
                    .col(string(Subscription::Status))
                    .col(string_null(Subscription::CloseReason))
                    .col(timestamp_with_time_zone(Subscription::Start))
                    .col(timestamp_with_time_zone(Subscription::Anchor))
                    .col(integer(Subscription::PeriodsSinceAnchor))
                    .col(integer(Subscription::TermPeriods))
                    .col(integer_null(Subscription::Duration))
                    .col(string_null(Subscription::Notice))
                    .col(timestamp_with_time_zone_null(Subscription::NextEvent))
                    .col(timestamp_with_time_zone_null(Subscription::LastEvent))
                    .col(timestamp_with_time_zone_null(Subscription::DueAt))
                    .col(timestamp_with_time_zone_null(Subscription::PauseDue))
                    .col(timestamp_with_time_zone_null(Subscription::TrialEnd))
                    .col(timestamp_with_time_zone_null(Subscription::CancellationDate))
                    .col(string_null(Subscription::CancellationNote))
                    .col(timestamp_with_time_zone_null(Subscription::ExpirationDate))
                    .col(timestamp_with_time_zone_null(Subscription::ClosedAt))
                    .col(json(Subscription::Addons))
                    .col(json_null(Subscription::PlanUpcoming))
                    .col(json_null(Subscription::PendingLines))
                    .col(string_null(Subscription::Coupon))
                    .col(json_null(Subscription::Features))
                    .col(json_null(Subscription::XAttributes))
                    .col(string(Subscription::PublicHash))
                    .col(integer(Subscription::Version))
                    .col(timestamp_with_time_zone(Subscription::Created))
                    .col(timestamp_with_time_zone(Subscription::Updated))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Subscription::Table, Subscription::TenantId)
                            .to(Tenant::Table, Tenant::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Subscription::Table, Subscription::CustomerId)
                            .to(Customer::Table, Customer::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, columns, unique) in [
            ("ux_subscription_ext_uid", vec![Subscription::TenantId, Subscription::SubscriptionExtUid], true),
            ("ix_subscription_due", vec![Subscription::TenantId, Subscription::DueAt], false),
            ("ix_subscription_customer", vec![Subscription::TenantId, Subscription::CustomerId], false),
            ("ix_subscription_next_event", vec![Subscription::TenantId, Subscription::NextEvent], false),
        ] {
            let mut index = Index::create().name(name).table(Subscription::Table).to_owned();
            for column in columns {
                index.col(column);
            }
            if unique {
                index.unique();
            }
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Subscription::Table).to_owned()).await
    }
}

#[derive(DeriveIden, Clone, Copy)]
pub enum Subscription {
    Table,
    Id,
    TenantId,
    CustomerId,
    SubscriptionExtUid,
    ArticleId,
    ArticleNumber,
    Title,
    Description,
    InvoiceTitle,
    UnitPrice,
    CurrencyCode,
    VatPercent,
    Quantity,
    Interval,
    SetupFee,
    SetupBilled,
    Status,
    CloseReason,
    Start,
    Anchor,
    PeriodsSinceAnchor,
    TermPeriods,
    Duration,
    Notice,
    NextEvent,
    LastEvent,
    DueAt,
    PauseDue,
    TrialEnd,
    CancellationDate,
    CancellationNote,
    ExpirationDate,
    ClosedAt,
    Addons,
    PlanUpcoming,
    PendingLines,
    Coupon,
    Features,
    XAttributes,
    PublicHash,
    Version,
    Created,
    Updated,
}
