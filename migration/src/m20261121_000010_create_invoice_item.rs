use sea_orm_migration::{prelude::*, schema::*};

use crate::big_pk_auto;
use crate::m20261121_000001_create_tenant::Tenant;
use crate::m20261121_000009_create_invoice::Invoice;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(InvoiceItem::Table)
                    .col(big_pk_auto(InvoiceItem::Id))
                    .col(big_integer(InvoiceItem::TenantId))
                    .col(big_integer(InvoiceItem::InvoiceId))
                    .col(integer(InvoiceItem::Position))
                    .col(string(InvoiceItem::Kind))
                    .col(string_null(InvoiceItem::ArticleNumber))
                    .col(string(InvoiceItem::Description))
                    .col(string(InvoiceItem::Quantity))
                    .col(string(InvoiceItem::UnitPrice))
                    .col(string(InvoiceItem::VatPercent))
                    .col(string(InvoiceItem::CompleteNet))
                    .foreign_key(
                        ForeignKey::create()
                            .from(InvoiceItem::Table, InvoiceItem::TenantId)
                            .to(Tenant::Table, Tenant::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(InvoiceItem::Table, InvoiceItem::InvoiceId)
                            .to(Invoice::Table, Invoice::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_invoice_item_invoice")
                    .table(InvoiceItem::Table)
                    .col(InvoiceItem::InvoiceId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(InvoiceItem::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum InvoiceItem {
    Table,
    Id,
    TenantId,
    InvoiceId,
    Position,
    Kind,
    ArticleNumber,
    Description,
    Quantity,
    UnitPrice,
    VatPercent,
    CompleteNet,
}
