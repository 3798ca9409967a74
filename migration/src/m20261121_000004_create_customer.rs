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
                    .table(Customer::Table)
                    .col(big_pk_auto(Customer::Id))
                    .col(big_integer(Customer::TenantId))
                    .col(big_integer(Customer::CustomerNumber))
                    .col(string_null(Customer::CustomerExtUid))
                    .col(string(Customer::CustomerType))
                    .col(string_null(Customer::Organization))
                    .col(string_null(Customer::Salutation))
                    .col(string_null(Customer::FirstName))
                    .col(string_null(Customer::LastName))
                    .col(string_null(Customer::Address))
                    .col(string_null(Customer::Address2))
                    .col(string_null(Customer::Zipcode))
                    .col(string_null(Customer::City))
                    .col(string_null(Customer::CountryCode))
                    .col(string_null(Customer::LanguageCode))
                    .col(string_null(Customer::Email))
                    .col(string_null(Customer::Phone))
                    .col(string_null(Customer::VatId))
                    .col(string_null(Customer::CurrencyCode))
                    .col(json_null(Customer::XAttributes))
                    .col(integer(Customer::Version))
                    .col(timestamp_with_time_zone(Customer::Created))
                    .col(timestamp_with_time_zone(Customer::Updated))
                    .col(timestamp_with_time_zone_null(Customer::Deleted))
                    .foreign_key(
                        ForeignKey::create().from(Customer::Table, Customer::TenantId).to(Tenant::Table, Tenant::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_customer_ext_uid")
                    .table(Customer::Table)
                    .col(Customer::TenantId)
                    .col(Customer::CustomerExtUid)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_customer_number")
                    .table(Customer::Table)
                    .col(Customer::TenantId)
                    .col(Customer::CustomerNumber)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Customer::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub enum Customer {
    Table,
    Id,
    TenantId,
    CustomerNumber,
    CustomerExtUid,
    CustomerType,
    Organization,
    Salutation,
    FirstName,
    LastName,
    Address,
    #[sea_orm(iden = "address_2")]
    Address2,
    Zipcode,
    City,
    CountryCode,
    LanguageCode,
    Email,
    Phone,
    VatId,
    CurrencyCode,
    XAttributes,
    Version,
    Created,
    Updated,
    Deleted,
}
