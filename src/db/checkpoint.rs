//! Background WAL checkpoints for SQLite.
//!
//! By default SQLite checkpoints inside the commit that pushes the WAL past
//! 1000 pages, so the one writer also copies every page back into the
//! database file and waits for it. Here a task checkpoints on a read
//! connection (its own worker thread) instead; the writer only appends to
//! the WAL. The writer keeps a much larger automatic threshold as a backstop
//! should this task stall.

use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

/// WAL pages after which the writer checkpoints itself anyway (~40 MiB).
pub const WRITER_AUTOCHECKPOINT_PAGES: u32 = 10_000;

/// Checkpoints `db` every `every`; `None` when disabled or not SQLite.
pub fn spawn(db: DatabaseConnection, every: Duration) -> Option<tokio::task::JoinHandle<()>> {
    if every.is_zero() || db.get_database_backend() != sea_orm::DatabaseBackend::Sqlite {
        return None;
    }
    Some(tokio::spawn(async move {
        // PASSIVE never waits for readers or the writer: it copies what it can.
        let statement = Statement::from_string(db.get_database_backend(), "PRAGMA wal_checkpoint(PASSIVE)");
        let mut ticker = tokio::time::interval(every);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            if let Err(err) = db.execute(statement.clone()).await {
                tracing::warn!(error = %err, "WAL checkpoint failed");
            }
        }
    }))
}

/// Copies the whole WAL into the database file and empties it (on shutdown,
/// so the file alone is the database). Nothing on PostgreSQL.
pub async fn truncate(db: &DatabaseConnection) {
    if db.get_database_backend() != sea_orm::DatabaseBackend::Sqlite {
        return;
    }
    let statement = Statement::from_string(db.get_database_backend(), "PRAGMA wal_checkpoint(TRUNCATE)");
    if let Err(err) = db.execute(statement).await {
        tracing::warn!(error = %err, "final WAL checkpoint failed");
    }
}
