//! What invoices need after issue, added in one step for the round that
//! builds on it: drafts and manual invoices (intro text, delivery date),
//! payments and customer credit (the `payment` table, `credit_balance`),
//! credit notes (credited totals per invoice and per line), dunning (level,
//! pause, postponement, final action) and documents (seller and buyer
//! snapshots, language; the tenant's time zone and settings). Every change is
//! additive: old processes keep working against the new schema.

use sea_orm_migration::{prelude::*, schema::*};

use crate::big_pk_auto;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Invoice {
    Table,
    TenantId,
    Status,
    DueDate,
    IntroText,
    DeliveryDate,
    CreditedTotal,
    Refunded,
    DunningLevel,
    DunningPaused,
    DueDatePostponed,
    DunningFinalApplied,
    Seller,
    Buyer,
    LanguageCode,
}

#[derive(DeriveIden)]
enum InvoiceItem {
    CreditedQuantity,
    CreditedNet,
    SourceItemId,
}

#[derive(DeriveIden)]
enum Customer {
    CreditBalance,
}

#[derive(DeriveIden)]
enum Tenant {
    Table,
    Id,
    Timezone,
    Settings,
}

#[derive(DeriveIden)]
pub enum Payment {
    Table,
    Id,
    TenantId,
    InvoiceId,
    CustomerId,
    Amount,
    Allocated,
    ToCreditBalance,
    CurrencyCode,
    Method,
    Reference,
    PaidDate,
    Status,
    ReverseReason,
    ReversedAt,
    Created,
}

/// SQLite alters one column per statement.
async fn add_columns(manager: &SchemaManager<'_>, table: &str, columns: Vec<ColumnDef>) -> Result<(), DbErr> {
    for mut column in columns {
        manager.alter_table(Table::alter().table(Alias::new(table)).add_column(&mut column).to_owned()).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_columns(
            manager,
            "invoice",
            vec![
                text_null(Invoice::IntroText),
                timestamp_with_time_zone_null(Invoice::DeliveryDate),
                string(Invoice::CreditedTotal).default("0").take(),
                boolean(Invoice::Refunded).default(false).take(),
                integer(Invoice::DunningLevel).default(0).take(),
                boolean(Invoice::DunningPaused).default(false).take(),
                boolean(Invoice::DueDatePostponed).default(false).take(),
                boolean(Invoice::DunningFinalApplied).default(false).take(),
                json_null(Invoice::Seller),
                json_null(Invoice::Buyer),
                string_null(Invoice::LanguageCode),
            ],
        )
        .await?;
        add_columns(
            manager,
            "invoice_item",
            vec![
                string(InvoiceItem::CreditedQuantity).default("0").take(),
                string(InvoiceItem::CreditedNet).default("0").take(),
                big_integer_null(InvoiceItem::SourceItemId),
            ],
        )
        .await?;
        add_columns(manager, "customer", vec![string(Customer::CreditBalance).default("0").take()]).await?;
        add_columns(
            manager,
            "tenant",
            vec![string(Tenant::Timezone).default("Europe/Berlin").take(), json_null(Tenant::Settings)],
        )
        .await?;
        // Dunning visits a tenant's open invoices by due date.
        manager
            .create_index(
                Index::create()
                    .name("ix_invoice_dunning")
                    .table(Invoice::Table)
                    .col(Invoice::TenantId)
                    .col(Invoice::Status)
                    .col(Invoice::DueDate)
                    .to_owned(),
            )
            .await?;
        create_payment(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Payment::Table).to_owned()).await?;
        manager.drop_index(Index::drop().name("ix_invoice_dunning").table(Invoice::Table).to_owned()).await
    }
}

async fn create_payment(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(Payment::Table)
                .col(big_pk_auto(Payment::Id))
                .col(big_integer(Payment::TenantId))
                .col(big_integer(Payment::InvoiceId))
                .col(big_integer(Payment::CustomerId))
                .col(string(Payment::Amount))
                .col(string(Payment::Allocated))
                .col(string(Payment::ToCreditBalance))
                .col(string(Payment::CurrencyCode))
                .col(string(Payment::Method))
                .col(string_null(Payment::Reference))
                .col(timestamp_with_time_zone(Payment::PaidDate))
                .col(string(Payment::Status))
                .col(string_null(Payment::ReverseReason))
                .col(timestamp_with_time_zone_null(Payment::ReversedAt))
                .col(timestamp_with_time_zone(Payment::Created))
                .foreign_key(ForeignKey::create().from(Payment::Table, Payment::TenantId).to(Tenant::Table, Tenant::Id))
                .to_owned(),
        )
        .await?;
    for (name, column) in [("ix_payment_invoice", Payment::InvoiceId), ("ix_payment_customer", Payment::CustomerId)] {
        manager
            .create_index(
                Index::create().name(name).table(Payment::Table).col(Payment::TenantId).col(column).to_owned(),
            )
            .await?;
    }
    Ok(())
}
