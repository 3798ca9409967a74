//! Database access: connection pools, the tenant scope, counters.

pub mod bulk;
pub mod checkpoint;
pub mod counter;
pub mod ctx;
pub mod file_probe;
pub mod scope;
mod sqlite_memory;
pub mod unnest;

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection, DatabaseTransaction, DbErr,
    Statement, TransactionTrait,
};

use crate::config::DatabaseSettings;

/// The pools of one process.
///
/// SQLite has one writer: every write transaction goes through a pool of one
/// connection, so writers queue in-process instead of failing with
/// `SQLITE_BUSY`, while reads use their own pool against the WAL. On
/// PostgreSQL both are the same pool.
#[derive(Clone, Debug)]
pub struct Db {
    pub read: DatabaseConnection,
    pub write: DatabaseConnection,
}

/// Logging of statements for both backends: none, or the slow ones.
fn with_statement_logging(options: &mut ConnectOptions, settings: &DatabaseSettings) {
    options.sqlx_logging(settings.log_slow_statements_ms > 0);
    if settings.log_slow_statements_ms > 0 {
        options.sqlx_logging_level(log::LevelFilter::Trace).sqlx_slow_statements_logging_settings(
            log::LevelFilter::Warn,
            Duration::from_millis(settings.log_slow_statements_ms),
        );
    }
}

impl Db {
    /// Connects (creating a SQLite file if the URL asks for it).
    pub async fn connect(settings: &DatabaseSettings) -> Result<Db, DbErr> {
        if settings.url.starts_with("sqlite:") {
            sqlite_memory::configure();
            let read = Database::connect(sqlite_options(settings, settings.max_connections.max(1))).await?;
            let write = Database::connect(sqlite_options(settings, 1)).await?;
            Ok(Db { read, write })
        } else {
            let mut options = ConnectOptions::new(settings.url.clone());
            options
                .max_connections(settings.max_connections.max(2))
                .min_connections(1)
                .acquire_timeout(Duration::from_secs(30));
            with_statement_logging(&mut options, settings);
            let pool = Database::connect(options).await?;
            Ok(Db { read: pool.clone(), write: pool })
        }
    }

    /// Applies pending migrations.
    pub async fn migrate(&self) -> Result<(), DbErr> {
        Migrator::up(&self.write, None).await
    }

    /// The backend (SQLite or PostgreSQL).
    pub fn backend(&self) -> DatabaseBackend {
        self.write.get_database_backend()
    }

    /// True when every write goes through one connection (SQLite).
    pub fn is_sqlite(&self) -> bool {
        self.backend() == DatabaseBackend::Sqlite
    }

    /// Closes both pools.
    pub async fn close(self) {
        let _ = self.read.close().await;
        let _ = self.write.close().await;
    }
}

/// What the write paths run on: the pool, or one open transaction (a call
/// with an idempotency key, a dry run).
pub trait Conn: ConnectionTrait + TransactionTrait + Send + Sync {
    /// Whether transactions begun on it may run at the same time (a pool); in
    /// an open transaction they are savepoints of one connection, one at a time.
    fn is_pool(&self) -> bool;
}

impl Conn for DatabaseConnection {
    fn is_pool(&self) -> bool {
        true
    }
}

impl Conn for DatabaseTransaction {
    fn is_pool(&self) -> bool {
        false
    }
}

/// The newest event id, as column `n` (0 when there is none): the `event`
/// table's or a usage booking's, which draws its id from the same sequence
/// (`service::event_feed`).
pub const NEWEST_EVENT_ID: &str = "SELECT COALESCE(MAX(n), 0) AS n FROM (SELECT MAX(id) AS n FROM event \
                                   UNION ALL SELECT MAX(id) AS n FROM usage_record) AS m";

/// Begins a write transaction.
///
/// On SQLite a plain `BEGIN` takes the write lock only at the first write; a
/// transaction that read first and then finds another connection (a second
/// process, `recur bill`) holding the lock fails at once with `SQLITE_BUSY`,
/// as waiting could deadlock. Writing nothing first takes the lock while no
/// snapshot is held, so the busy timeout applies (what `BEGIN IMMEDIATE`
/// does; sea-orm always sends a plain `BEGIN`).
pub async fn begin_write<C: TransactionTrait>(conn: &C) -> Result<DatabaseTransaction, DbErr> {
    let txn = conn.begin().await?;
    if txn.get_database_backend() == DatabaseBackend::Sqlite {
        txn.execute(Statement::from_string(DatabaseBackend::Sqlite, "UPDATE tenant SET id = id WHERE 0")).await?;
    }
    Ok(txn)
}

fn sqlite_options(settings: &DatabaseSettings, connections: u32) -> ConnectOptions {
    let synchronous = match settings.sqlite_synchronous.to_ascii_lowercase().as_str() {
        "off" => SqliteSynchronous::Off,
        "full" => SqliteSynchronous::Full,
        "extra" => SqliteSynchronous::Extra,
        _ => SqliteSynchronous::Normal,
    };
    let busy = Duration::from_millis(settings.busy_timeout_ms);
    // A negative cache_size is in KiB.
    let cache = format!("-{}", u64::from(settings.sqlite_cache_mib.max(1)) * 1024);
    // With background checkpoints the writer's own threshold is only a backstop.
    let autocheckpoint = if settings.sqlite_checkpoint_ms > 0 {
        checkpoint::WRITER_AUTOCHECKPOINT_PAGES.to_string()
    } else {
        "1000".to_owned()
    };
    let mut options = ConnectOptions::new(settings.url.clone());
    options
        .max_connections(connections)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(60))
        // The connections live in this process: the ping sqlx sends before
        // handing one out would be one more round trip to its worker thread
        // per transaction, and catches nothing the first statement would not.
        .test_before_acquire(false)
        .map_sqlx_sqlite_opts(move |opts| {
            opts.journal_mode(SqliteJournalMode::Wal)
                .synchronous(synchronous)
                .busy_timeout(busy)
                .foreign_keys(true)
                .pragma("cache_size", cache.clone())
                .pragma("wal_autocheckpoint", autocheckpoint.clone())
                // A multi-row statement inside a transaction keeps a statement
                // journal of the pages it changes, spilled to a temp file past
                // 64 KiB: a billing chunk's or a usage group's INSERT wrote
                // every page twice, once to the WAL and once to that file.
                .pragma("temp_store", "memory")
        });
    with_statement_logging(&mut options, settings);
    options
}

/// A migrated SQLite file in a temp dir, with no background checkpoints, and
/// the settings that open it again (unit tests of this module).
#[cfg(test)]
async fn migrated_sqlite_file() -> (tempfile::TempDir, DatabaseSettings, Db) {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("recur.db").display());
    let settings = DatabaseSettings { url, sqlite_checkpoint_ms: 0, ..DatabaseSettings::default() };
    let db = Db::connect(&settings).await.expect("connect");
    db.migrate().await.expect("migrate");
    (dir, settings, db)
}

#[cfg(test)]
#[path = "write_lock_tests.rs"]
mod write_lock_tests;
