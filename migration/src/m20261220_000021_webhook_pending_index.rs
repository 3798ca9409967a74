//! An endpoint's pending deliveries in event order by index: the worker asks
//! for them every round (`webhook_id = ? AND status = 'pending' AND
//! next_attempt <= ? ORDER BY event_id LIMIT 100`). SQLite answered that
//! through `(status, next_attempt)`, reading and sorting every due delivery
//! of every endpoint per round, so a backlog of 30,000 made each round of 100
//! cost tens of milliseconds. That index goes: every query on pending
//! deliveries names its endpoint. Safe while old processes serve (their
//! queries keep working, planned over the new index).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum WebhookDelivery {
    Table,
    WebhookId,
    Status,
    EventId,
    NextAttempt,
}

const NAME: &str = "ix_webhook_delivery_pending";
const DUE: &str = "ix_webhook_delivery_due";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(NAME)
                    .table(WebhookDelivery::Table)
                    .col(WebhookDelivery::WebhookId)
                    .col(WebhookDelivery::Status)
                    .col(WebhookDelivery::EventId)
                    .to_owned(),
            )
            .await?;
        manager.drop_index(Index::drop().name(DUE).table(WebhookDelivery::Table).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(DUE)
                    .table(WebhookDelivery::Table)
                    .col(WebhookDelivery::Status)
                    .col(WebhookDelivery::NextAttempt)
                    .to_owned(),
            )
            .await?;
        manager.drop_index(Index::drop().name(NAME).table(WebhookDelivery::Table).to_owned()).await
    }
}
