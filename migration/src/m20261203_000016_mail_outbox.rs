//! The mail outbox (API.md section 10, Mail): a row per mail to send, written
//! in the transaction of the change that asks for it (an invoice issued to a
//! customer who gets invoices by mail, a reminder, `invoice.sendcopy`), and
//! sent by a worker after the commit, with its attempts recorded here.

use sea_orm_migration::{prelude::*, schema::*};

use crate::big_pk_auto;
use crate::m20261121_000001_create_tenant::Tenant;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum MailOutbox {
    Table,
    Id,
    TenantId,
    InvoiceId,
    /// `invoice`, `reminder` or `copy`.
    Kind,
    Recipient,
    Cc,
    Bcc,
    Subject,
    BodyText,
    BodyHtml,
    /// `pending`, `sent` or `failed`.
    Status,
    Attempts,
    NextAttempt,
    LastError,
    Created,
    SentAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(MailOutbox::Table)
                    .col(big_pk_auto(MailOutbox::Id))
                    .col(big_integer(MailOutbox::TenantId))
                    .col(big_integer_null(MailOutbox::InvoiceId))
                    .col(string(MailOutbox::Kind))
                    .col(text(MailOutbox::Recipient))
                    .col(text_null(MailOutbox::Cc))
                    .col(text_null(MailOutbox::Bcc))
                    .col(text(MailOutbox::Subject))
                    .col(text(MailOutbox::BodyText))
                    .col(text(MailOutbox::BodyHtml))
                    .col(string(MailOutbox::Status))
                    .col(integer(MailOutbox::Attempts).default(0))
                    .col(timestamp_with_time_zone(MailOutbox::NextAttempt))
                    .col(text_null(MailOutbox::LastError))
                    .col(timestamp_with_time_zone(MailOutbox::Created))
                    .col(timestamp_with_time_zone_null(MailOutbox::SentAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(MailOutbox::Table, MailOutbox::TenantId)
                            .to(Tenant::Table, Tenant::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // The worker looks for pending mails whose next attempt is due.
        manager
            .create_index(
                Index::create()
                    .name("ix_mail_outbox_due")
                    .table(MailOutbox::Table)
                    .col(MailOutbox::Status)
                    .col(MailOutbox::NextAttempt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(MailOutbox::Table).to_owned()).await
    }
}
