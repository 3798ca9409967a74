//! Consumptions remember the invoice line that billed them (a refund after
//! invoicing credits exactly that line), and the billing engine finds a
//! subscription's open consumptions by index. A draft (manual invoice)
//! remembers whether its INVOICE_DATE was set, since `invoice.complete`
//! dates it now otherwise. Additive: old processes keep working against the
//! new schema.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Consumption {
    Table,
    TenantId,
    SubscriptionId,
    Status,
    InvoiceItemId,
}

#[derive(DeriveIden)]
enum Invoice {
    Table,
    DateFixed,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Consumption::Table)
                    .add_column(big_integer_null(Consumption::InvoiceItemId))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Invoice::Table)
                    .add_column(boolean(Invoice::DateFixed).default(false).take())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_consumption_subscription")
                    .table(Consumption::Table)
                    .col(Consumption::TenantId)
                    .col(Consumption::SubscriptionId)
                    .col(Consumption::Status)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name("ix_consumption_subscription").table(Consumption::Table).to_owned())
            .await?;
        manager.alter_table(Table::alter().table(Invoice::Table).drop_column(Invoice::DateFixed).to_owned()).await?;
        manager
            .alter_table(Table::alter().table(Consumption::Table).drop_column(Consumption::InvoiceItemId).to_owned())
            .await
    }
}
