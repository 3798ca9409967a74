//! Webhooks (API.md section 12): endpoints, one delivery per event and
//! endpoint with its attempts, and the outbox cursor: the `event` table is the
//! outbox, and `webhook_outbox.position` is the last event id fanned out into
//! deliveries. The cursor starts at the newest event, so an existing database
//! does not rescan its history.

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
enum Webhook {
    Table,
    Id,
    TenantId,
    Url,
    Events,
    Format,
    Secret,
    PreviousSecret,
    RotatedAt,
    Enabled,
    DisabledReason,
    FailingSince,
    FromEventId,
    LeaseUntil,
    Created,
}

#[derive(DeriveIden)]
enum WebhookDelivery {
    Table,
    Id,
    TenantId,
    WebhookId,
    EventId,
    EventType,
    Status,
    Attempts,
    NextAttempt,
    Body,
    Created,
}

#[derive(DeriveIden)]
enum WebhookAttempt {
    Table,
    Id,
    TenantId,
    DeliveryId,
    At,
    HttpStatus,
    DurationMs,
    Error,
}

#[derive(DeriveIden)]
enum WebhookOutbox {
    Table,
    Id,
    Position,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Webhook::Table)
                    .col(big_pk_auto(Webhook::Id))
                    .col(big_integer(Webhook::TenantId))
                    .col(text(Webhook::Url))
                    .col(json(Webhook::Events))
                    .col(string(Webhook::Format))
                    .col(string(Webhook::Secret))
                    .col(string_null(Webhook::PreviousSecret))
                    .col(timestamp_with_time_zone_null(Webhook::RotatedAt))
                    .col(boolean(Webhook::Enabled))
                    .col(string_null(Webhook::DisabledReason))
                    .col(timestamp_with_time_zone_null(Webhook::FailingSince))
                    .col(big_integer(Webhook::FromEventId))
                    .col(timestamp_with_time_zone_null(Webhook::LeaseUntil))
                    .col(timestamp_with_time_zone(Webhook::Created))
                    .foreign_key(
                        ForeignKey::create().from(Webhook::Table, Webhook::TenantId).to(Tenant::Table, Tenant::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WebhookDelivery::Table)
                    .col(big_pk_auto(WebhookDelivery::Id))
                    .col(big_integer(WebhookDelivery::TenantId))
                    .col(big_integer(WebhookDelivery::WebhookId))
                    .col(big_integer(WebhookDelivery::EventId))
                    .col(string(WebhookDelivery::EventType))
                    .col(string(WebhookDelivery::Status))
                    .col(integer(WebhookDelivery::Attempts))
                    .col(timestamp_with_time_zone_null(WebhookDelivery::NextAttempt))
                    .col(text(WebhookDelivery::Body))
                    .col(timestamp_with_time_zone(WebhookDelivery::Created))
                    .foreign_key(
                        ForeignKey::create()
                            .from(WebhookDelivery::Table, WebhookDelivery::WebhookId)
                            .to(Webhook::Table, Webhook::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_webhook_delivery_event")
                    .table(WebhookDelivery::Table)
                    .col(WebhookDelivery::WebhookId)
                    .col(WebhookDelivery::EventId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_webhook_delivery_due")
                    .table(WebhookDelivery::Table)
                    .col(WebhookDelivery::Status)
                    .col(WebhookDelivery::NextAttempt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WebhookAttempt::Table)
                    .col(big_pk_auto(WebhookAttempt::Id))
                    .col(big_integer(WebhookAttempt::TenantId))
                    .col(big_integer(WebhookAttempt::DeliveryId))
                    .col(timestamp_with_time_zone(WebhookAttempt::At))
                    .col(integer_null(WebhookAttempt::HttpStatus))
                    .col(big_integer(WebhookAttempt::DurationMs))
                    .col(text_null(WebhookAttempt::Error))
                    .foreign_key(
                        ForeignKey::create()
                            .from(WebhookAttempt::Table, WebhookAttempt::DeliveryId)
                            .to(WebhookDelivery::Table, WebhookDelivery::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_webhook_attempt_delivery")
                    .table(WebhookAttempt::Table)
                    .col(WebhookAttempt::DeliveryId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WebhookOutbox::Table)
                    .col(big_integer(WebhookOutbox::Id).primary_key())
                    .col(big_integer(WebhookOutbox::Position))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared("INSERT INTO webhook_outbox (id, position) SELECT 1, COALESCE(MAX(id), 0) FROM event")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["webhook_outbox", "webhook_attempt", "webhook_delivery", "webhook"] {
            manager.drop_table(Table::drop().table(Alias::new(table)).to_owned()).await?;
        }
        Ok(())
    }
}
