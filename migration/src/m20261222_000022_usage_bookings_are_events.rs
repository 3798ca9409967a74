//! A usage booking is its own event: its id is drawn from the event ids, and
//! the event feed (`service::event_feed`) reads `subscription.usage_recorded`
//! off the booking instead of an `event` row written beside it (a second row
//! per booking on the busiest write path). Bookings made before this
//! migration kept their event rows; `event_feed.usage_after` is the last of
//! them, and the feed reads only bookings after it as events.
//!
//! On PostgreSQL `usage_record.id` takes its default from `event_id_seq`; on
//! SQLite the service reserves the ids in the `event` row of
//! `sqlite_sequence`, which `event`'s AUTOINCREMENT then skips.
//!
//! Not safe while older processes serve: a booking they make after it writes
//! an event row as well, so the feed would carry it twice. Stop them first.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("CREATE TABLE event_feed (id bigint NOT NULL PRIMARY KEY, usage_after bigint NOT NULL)")
            .await?;
        db.execute_unprepared(
            "INSERT INTO event_feed (id, usage_after) SELECT 1, COALESCE(MAX(id), 0) FROM usage_record",
        )
        .await?;
        if db.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared("ALTER TABLE usage_record ALTER COLUMN id SET DEFAULT nextval('event_id_seq')")
                .await?;
            db.execute_unprepared(
                "SELECT setval('event_id_seq', GREATEST((SELECT COALESCE(MAX(id), 0) FROM event), \
                 (SELECT COALESCE(MAX(id), 0) FROM usage_record), 1))",
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if db.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared(
                "ALTER TABLE usage_record ALTER COLUMN id SET DEFAULT nextval('usage_record_id_seq')",
            )
            .await?;
            db.execute_unprepared(
                "SELECT setval('usage_record_id_seq', GREATEST((SELECT COALESCE(MAX(id), 0) FROM usage_record), 1))",
            )
            .await?;
        }
        db.execute_unprepared("DROP TABLE event_feed").await?;
        Ok(())
    }
}
