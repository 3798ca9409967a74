//! Two writers on one SQLite file (two processes, or `recur bill` beside
//! `serve`): a write transaction that reads before it writes must wait for
//! the other writer, not fail.

use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, Statement, TransactionTrait};

use super::{Db, begin_write};

async fn two_writers() -> (tempfile::TempDir, DatabaseConnection, DatabaseConnection) {
    let (dir, settings, first) = super::migrated_sqlite_file().await;
    let second = Db::connect(&settings).await.expect("connect");
    (dir, first.write, second.write)
}

fn sql(text: &str) -> Statement {
    Statement::from_string(DatabaseBackend::Sqlite, text)
}

const READ: &str = "SELECT COUNT(*) AS n FROM tenant";
const WRITE: &str = "UPDATE webhook_outbox SET position = position + 1 WHERE id = 1";

/// `other` holds the write lock for 300 ms while `write` runs on `mine`.
async fn while_locked<F, Fut>(mine: DatabaseConnection, other: &DatabaseConnection, write: F) -> Result<(), String>
where
    F: FnOnce(DatabaseConnection) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<(), sea_orm::DbErr>> + Send + 'static,
{
    let held = begin_write(other).await.expect("lock");
    held.execute(sql(WRITE)).await.expect("write");
    let task = tokio::spawn(write(mine));
    tokio::time::sleep(Duration::from_millis(300)).await;
    held.commit().await.expect("commit");
    task.await.expect("task").map_err(|e| e.to_string())
}

#[tokio::test]
async fn a_write_transaction_that_reads_first_waits_for_the_other_writer() {
    let (_dir, mine, other) = two_writers().await;
    let outcome = while_locked(mine.clone(), &other, |db| async move {
        let txn = begin_write(&db).await?;
        txn.query_one(sql(READ)).await?;
        txn.execute(sql(WRITE)).await?;
        txn.commit().await
    })
    .await;
    assert_eq!(outcome, Ok(()));
    let row = mine.query_one(sql("SELECT position FROM webhook_outbox WHERE id = 1")).await.expect("read");
    let position: i64 = row.expect("row").try_get("", "position").expect("position");
    assert_eq!(position, 2, "both writes stand");
}

#[tokio::test]
async fn a_plain_begin_that_read_first_fails_at_once_which_is_why_begin_write_exists() {
    let (_dir, mine, other) = two_writers().await;
    let outcome = while_locked(mine, &other, |db| async move {
        let txn = db.begin().await?;
        txn.query_one(sql(READ)).await?;
        tokio::time::sleep(Duration::from_millis(100)).await;
        txn.execute(sql(WRITE)).await?;
        txn.commit().await
    })
    .await;
    assert!(outcome.as_ref().is_err_and(|e| e.contains("locked")), "{outcome:?}");
}
