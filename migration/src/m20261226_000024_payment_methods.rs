//! Payment methods (API.md `paymentmethod.*`): a customer's stored references
//! to a card, an account or a wallet at a payment provider, never the card
//! number itself. Additive: old processes keep working against the new schema.

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
enum Customer {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum PaymentMethod {
    Table,
    Id,
    TenantId,
    CustomerId,
    MethodType,
    Provider,
    ProviderReference,
    Label,
    IsDefault,
    Created,
    Updated,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PaymentMethod::Table)
                    .col(big_pk_auto(PaymentMethod::Id))
                    .col(big_integer(PaymentMethod::TenantId))
                    .col(big_integer(PaymentMethod::CustomerId))
                    .col(string(PaymentMethod::MethodType))
                    .col(string_null(PaymentMethod::Provider))
                    .col(string(PaymentMethod::ProviderReference))
                    .col(string_null(PaymentMethod::Label))
                    .col(boolean(PaymentMethod::IsDefault).default(false))
                    .col(timestamp_with_time_zone(PaymentMethod::Created))
                    .col(timestamp_with_time_zone(PaymentMethod::Updated))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PaymentMethod::Table, PaymentMethod::TenantId)
                            .to(Tenant::Table, Tenant::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(PaymentMethod::Table, PaymentMethod::CustomerId)
                            .to(Customer::Table, Customer::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_payment_method_customer")
                    .table(PaymentMethod::Table)
                    .col(PaymentMethod::TenantId)
                    .col(PaymentMethod::CustomerId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(PaymentMethod::Table).to_owned()).await
    }
}
