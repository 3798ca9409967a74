//! What goes on an invoice besides the plan (issue 11): coupons, the
//! subscription's held coupon and discounts (JSON on the row, so a billing
//! step stays one row fetch; `subscription_discount` only hands out
//! DISCOUNT_IDs and finds a discount's subscription), and consumptions.
//! Additive: old processes keep working against the new schema.

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
enum Coupon {
    Table,
    Id,
    TenantId,
    Code,
    Title,
    DiscountType,
    Discount,
    CurrencyCode,
    PeriodAmount,
    PeriodUnit,
    ValidFrom,
    ValidTo,
    Usages,
    UsagesMax,
    AssignedArticles,
    Created,
}

#[derive(DeriveIden)]
enum SubscriptionDiscount {
    Table,
    Id,
    TenantId,
    SubscriptionId,
    Created,
}

#[derive(DeriveIden)]
enum Subscription {
    CouponState,
    Discounts,
}

#[derive(DeriveIden)]
enum Consumption {
    Table,
    Id,
    TenantId,
    CustomerId,
    SubscriptionId,
    ArticleNumber,
    Title,
    Quantity,
    UnitPrice,
    VatPercent,
    CurrencyCode,
    Immediate,
    Status,
    InvoiceId,
    RefundId,
    Created,
}

fn tenant_fk(table: impl IntoIden + 'static, column: impl IntoIden + 'static) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(table, column).to(Tenant::Table, Tenant::Id).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Coupon::Table)
                    .col(big_pk_auto(Coupon::Id))
                    .col(big_integer(Coupon::TenantId))
                    .col(string(Coupon::Code))
                    .col(string_null(Coupon::Title))
                    .col(string(Coupon::DiscountType))
                    .col(string(Coupon::Discount))
                    .col(string_null(Coupon::CurrencyCode))
                    .col(integer_null(Coupon::PeriodAmount))
                    .col(string_null(Coupon::PeriodUnit))
                    .col(timestamp_with_time_zone_null(Coupon::ValidFrom))
                    .col(timestamp_with_time_zone_null(Coupon::ValidTo))
                    .col(integer(Coupon::Usages).default(0))
                    .col(integer(Coupon::UsagesMax).default(0))
                    .col(json(Coupon::AssignedArticles))
                    .col(timestamp_with_time_zone(Coupon::Created))
                    .foreign_key(&mut tenant_fk(Coupon::Table, Coupon::TenantId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_coupon_code")
                    .table(Coupon::Table)
                    .col(Coupon::TenantId)
                    .col(Coupon::Code)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SubscriptionDiscount::Table)
                    .col(big_pk_auto(SubscriptionDiscount::Id))
                    .col(big_integer(SubscriptionDiscount::TenantId))
                    .col(big_integer(SubscriptionDiscount::SubscriptionId))
                    .col(timestamp_with_time_zone(SubscriptionDiscount::Created))
                    .foreign_key(&mut tenant_fk(SubscriptionDiscount::Table, SubscriptionDiscount::TenantId))
                    .to_owned(),
            )
            .await?;
        for mut column in [json_null(Subscription::CouponState), json_null(Subscription::Discounts)] {
            manager
                .alter_table(Table::alter().table(Alias::new("subscription")).add_column(&mut column).to_owned())
                .await?;
        }
        create_consumption(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [Alias::new("consumption"), Alias::new("subscription_discount"), Alias::new("coupon")] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

async fn create_consumption(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(Consumption::Table)
                .col(big_pk_auto(Consumption::Id))
                .col(big_integer(Consumption::TenantId))
                .col(big_integer(Consumption::CustomerId))
                .col(big_integer_null(Consumption::SubscriptionId))
                .col(string_null(Consumption::ArticleNumber))
                .col(string(Consumption::Title))
                .col(string(Consumption::Quantity))
                .col(string(Consumption::UnitPrice))
                .col(string(Consumption::VatPercent))
                .col(string(Consumption::CurrencyCode))
                .col(boolean(Consumption::Immediate))
                .col(string(Consumption::Status))
                .col(big_integer_null(Consumption::InvoiceId))
                .col(string_null(Consumption::RefundId))
                .col(timestamp_with_time_zone(Consumption::Created))
                .foreign_key(&mut tenant_fk(Consumption::Table, Consumption::TenantId))
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("ix_consumption_open")
                .table(Consumption::Table)
                .col(Consumption::TenantId)
                .col(Consumption::Status)
                .col(Consumption::CustomerId)
                .to_owned(),
        )
        .await
}
