use sea_orm_migration::{prelude::*, schema::*};

use crate::big_pk_auto;
use crate::m20261121_000001_create_tenant::Tenant;
use crate::m20261121_000004_create_customer::Customer;
use crate::m20261121_000008_create_subscription::Subscription;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Invoice::Table)
                    .col(big_pk_auto(Invoice::Id))
                    .col(big_integer(Invoice::TenantId))
                    .col(string(Invoice::InvoiceNumber))
                    .col(string(Invoice::Kind))
                    .col(string(Invoice::Status))
                    .col(big_integer(Invoice::CustomerId))
                    .col(big_integer_null(Invoice::SubscriptionId))
                    .col(big_integer_null(Invoice::RelatedInvoiceId))
                    .col(string_null(Invoice::InvoiceTitle))
                    .col(timestamp_with_time_zone(Invoice::InvoiceDate))
                    .col(timestamp_with_time_zone(Invoice::DueDate))
                    .col(timestamp_with_time_zone_null(Invoice::PaidDate))
                    .col(timestamp_with_time_zone_null(Invoice::PeriodStart))
                    .col(timestamp_with_time_zone_null(Invoice::PeriodEnd))
                    .col(timestamp_with_time_zone_null(Invoice::BilledPeriod))
                    .col(string(Invoice::CurrencyCode))
                    .col(string(Invoice::SubTotal))
                    .col(string(Invoice::VatTotal))
                    .col(string(Invoice::Total))
                    .col(string(Invoice::Outstanding))
                    .col(json(Invoice::VatItems))
                    .col(timestamp_with_time_zone(Invoice::Created))
                    .foreign_key(
                        ForeignKey::create().from(Invoice::Table, Invoice::TenantId).to(Tenant::Table, Tenant::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Invoice::Table, Invoice::CustomerId)
                            .to(Customer::Table, Customer::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Invoice::Table, Invoice::SubscriptionId)
                            .to(Subscription::Table, Subscription::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, columns, unique) in [
            ("ux_invoice_number", vec![Invoice::TenantId, Invoice::InvoiceNumber], true),
            // One regular invoice per subscription period: reruns, crashes and
            // concurrent runs cannot bill a period twice.
            ("ux_invoice_billed_period", vec![Invoice::SubscriptionId, Invoice::BilledPeriod], true),
            ("ix_invoice_customer", vec![Invoice::TenantId, Invoice::CustomerId], false),
            ("ix_invoice_subscription", vec![Invoice::TenantId, Invoice::SubscriptionId], false),
        ] {
            let mut index = Index::create().name(name).table(Invoice::Table).to_owned();
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
        manager.drop_table(Table::drop().table(Invoice::Table).to_owned()).await
    }
}

#[derive(DeriveIden, Clone, Copy)]
pub enum Invoice {
    Table,
    Id,
    TenantId,
    InvoiceNumber,
    Kind,
    Status,
    CustomerId,
    SubscriptionId,
    RelatedInvoiceId,
    InvoiceTitle,
    InvoiceDate,
    DueDate,
    PaidDate,
    PeriodStart,
    PeriodEnd,
    BilledPeriod,
    CurrencyCode,
    SubTotal,
    VatTotal,
    Total,
    Outstanding,
    VatItems,
    Created,
}
