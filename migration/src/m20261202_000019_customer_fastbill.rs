//! FastBill's whole customer model (API.md section 5.1) as stored columns of
//! `customer`: contact and address extras, payment terms
//! (DAYS_FOR_PAYMENT, INVOICE_DELIVERY_METHOD, PAYMENT_TYPE), bank details
//! and the mandate, flags and the affiliate. Additive: old processes keep
//! working against the new schema.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Customer {
    Table,
    TenantId,
    Position,
    TitleAcademic,
    SecondaryAddress,
    State,
    #[sea_orm(iden = "phone_2")]
    Phone2,
    Fax,
    Mobile,
    EmailCc,
    Birthday,
    PaymentMailAddress,
    TaxId,
    Comment,
    Tags,
    DaysForPayment,
    InvoiceDeliveryMethod,
    PaymentType,
    BankName,
    BankCode,
    BankAccountNumber,
    BankAccountOwner,
    BankAccountOwnerAddress,
    BankAccountOwnerCity,
    BankAccountOwnerZipcode,
    BankAccountOwnerEmail,
    BankIban,
    BankBic,
    BankAccountMandateReference,
    BankAccountMandateReferenceDate,
    ShowPaymentNotice,
    NewsletterOptin,
    Affiliate,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let columns = vec![
            string_null(Customer::Position),
            string_null(Customer::TitleAcademic),
            string_null(Customer::SecondaryAddress),
            string_null(Customer::State),
            string_null(Customer::Phone2),
            string_null(Customer::Fax),
            string_null(Customer::Mobile),
            string_null(Customer::EmailCc),
            string_null(Customer::Birthday),
            string_null(Customer::PaymentMailAddress),
            string_null(Customer::TaxId),
            text_null(Customer::Comment),
            text_null(Customer::Tags),
            integer_null(Customer::DaysForPayment),
            string(Customer::InvoiceDeliveryMethod).default("none").take(),
            integer_null(Customer::PaymentType),
            string_null(Customer::BankName),
            string_null(Customer::BankCode),
            string_null(Customer::BankAccountNumber),
            string_null(Customer::BankAccountOwner),
            string_null(Customer::BankAccountOwnerAddress),
            string_null(Customer::BankAccountOwnerCity),
            string_null(Customer::BankAccountOwnerZipcode),
            string_null(Customer::BankAccountOwnerEmail),
            string_null(Customer::BankIban),
            string_null(Customer::BankBic),
            string_null(Customer::BankAccountMandateReference),
            timestamp_with_time_zone_null(Customer::BankAccountMandateReferenceDate),
            boolean(Customer::ShowPaymentNotice).default(false).take(),
            boolean(Customer::NewsletterOptin).default(false).take(),
            string_null(Customer::Affiliate),
        ];
        // SQLite alters one column per statement.
        for mut column in columns {
            manager.alter_table(Table::alter().table(Customer::Table).add_column(&mut column).to_owned()).await?;
        }
        // Shops look customers up by their tax number.
        manager
            .create_index(
                Index::create()
                    .name("ix_customer_tax_id")
                    .table(Customer::Table)
                    .col(Customer::TenantId)
                    .col(Customer::TaxId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("ix_customer_tax_id").table(Customer::Table).to_owned()).await
    }
}
