//! SQLite storage: background WAL checkpoints. SQLite only: on PostgreSQL
//! these tests say so and assert nothing.

use std::time::Duration;

use sea_orm::{ConnectionTrait, Database, Statement};
use serde_json::json;

use crate::helpers::{on_postgres, skip, spawn_app_with};

/// Customers in the main database file alone: `immutable=1` makes SQLite
/// ignore the WAL, so only checkpointed rows count (0 while not even the
/// table has been checkpointed).
async fn customers_in_main_file(database_url: &str) -> i64 {
    let path = database_url.trim_start_matches("sqlite://").split('?').next().expect("path");
    let db = Database::connect(format!("sqlite://{path}?mode=ro&immutable=1")).await.expect("open read-only");
    let row = db
        .query_one(Statement::from_string(db.get_database_backend(), "SELECT COUNT(*) AS n FROM customer"))
        .await
        .ok()
        .flatten();
    let n = row.and_then(|r| r.try_get::<i64>("", "n").ok()).unwrap_or(0);
    let _ = db.close().await;
    n
}

#[tokio::test]
async fn the_background_checkpoint_moves_commits_into_the_database_file_on_sqlite() {
    if on_postgres() {
        return skip("the_background_checkpoint_moves_commits_into_the_database_file_on_sqlite", "SQLite's WAL only");
    }
    let app = spawn_app_with(|s| s.database.sqlite_checkpoint_ms = 20).await;
    let client = app.admin().await;
    for name in ["A", "B", "C"] {
        client.ok("customer.create", json!({"DATA": {"LAST_NAME": name}})).await;
    }
    // Far below the writer's own threshold, so only the background task can have copied them.
    let mut found = 0;
    for _ in 0..100 {
        found = customers_in_main_file(&app.database_url).await;
        if found == 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(found, 3);
}

#[tokio::test]
async fn without_the_background_checkpoint_small_commits_stay_in_the_wal_on_sqlite() {
    if on_postgres() {
        return skip("without_the_background_checkpoint_small_commits_stay_in_the_wal_on_sqlite", "SQLite's WAL only");
    }
    let app = spawn_app_with(|s| s.database.sqlite_checkpoint_ms = 0).await;
    let client = app.admin().await;
    client.ok("customer.create", json!({"DATA": {"LAST_NAME": "A"}})).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(customers_in_main_file(&app.database_url).await, 0, "the control for the test above");
}
