//! Operating several real processes on one database, and `recur backup`.

use std::time::{Duration, Instant};

use sea_orm::ConnectionTrait;
use serde_json::json;

use crate::fixtures::{article, customer, subscribe};
use crate::helpers::{count_rows, on_postgres, request, skip, spawn_app, spawn_app_with};
use crate::served::Served;

fn recur(database_url: &str, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_recur"))
        .args(args)
        .env("RECUR_CONFIG_DIR", concat!(env!("CARGO_MANIFEST_DIR"), "/config"))
        .env("RECUR_ENV", "test")
        .env("RECUR__DATABASE__URL", database_url)
        .output()
        .expect("run recur")
}

#[tokio::test]
async fn backup_copies_a_serving_sqlite_database_and_never_overwrites() {
    let app = spawn_app().await;
    let tenant = app.tenant("shop").await;
    let client = app.client(&tenant.key);
    customer(&client).await;
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("copy.db");
    let target = path.to_str().expect("utf-8");
    let output = recur(&app.database_url, &["backup", target]);
    if on_postgres() {
        assert!(!output.status.success());
        assert!(String::from_utf8_lossy(&output.stderr).contains("pg_dump"));
        return;
    }
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    // The copy is a database of its own with what was committed.
    let copy = sea_orm::Database::connect(format!("sqlite://{target}?mode=ro")).await.expect("open copy");
    let row = copy
        .query_one(sea_orm::Statement::from_string(copy.get_database_backend(), "SELECT COUNT(*) FROM customer"))
        .await
        .expect("query")
        .expect("row");
    assert_eq!(row.try_get_by_index::<i64>(0).expect("count"), 1);
    let again = recur(&app.database_url, &["backup", target]);
    assert!(!again.status.success(), "a second backup to the same path is refused");
}

#[tokio::test]
async fn three_processes_on_postgres_bill_once_and_see_each_others_writes() {
    if !on_postgres() {
        return skip("three_processes_on_postgres_bill_once_and_see_each_others_writes", "needs PostgreSQL");
    }
    let app = spawn_app_with(|s| s.auth.key_cache_ttl_seconds = 1).await;
    let tenant = app.test_tenant("shop", "2024-01-01").await;
    let setup = app.client(&tenant.key);
    article(&setup, "P", "9.99", "19", json!({})).await;
    let buyer = customer(&setup).await;
    let entries: Vec<_> = (0..200)
        .map(|n| request(n, "subscription.create", json!({"DATA": {"CUSTOMER_ID": buyer, "ARTICLE_NUMBER": "P"}})))
        .collect();
    for chunk in entries.chunks(100) {
        setup.batch(chunk).await;
    }
    let env = [("RECUR__BILLING__CHUNK_SIZE", "10"), ("RECUR__AUTH__KEY_CACHE_TTL_SECONDS", "1")];
    let (b, c) = (Served::start(&app, &env), Served::start(&app, &env));
    let runs = [b.client(&tenant.key), c.client(&tenant.key), setup.clone()].map(|client| {
        tokio::spawn(async move { client.ok("billing.run", json!({"DATA": {"NOW": "2024-06-01"}})).await })
    });
    let mut created = 0;
    for run in runs {
        created += run.await.expect("run")["INVOICES_CREATED"].as_i64().expect("count");
    }
    assert_eq!(created, 200 * 5, "every period from February to June billed by exactly one process");
    assert_eq!(count_rows(&app, "invoice").await, 200 * 6);

    // A write through one process is read through another within 50 ms (the
    // reader's cache learns of it by LISTEN/NOTIFY).
    let (writer, reader) = (b.client(&tenant.key), c.client(&tenant.key));
    let id = subscribe(&writer, buyer, "P", json!({})).await["SUBSCRIPTION_ID"].clone();
    let get = json!({"FILTER": {"SUBSCRIPTION_ID": id}});
    let before = reader.ok("subscription.get", get.clone()).await["SUBSCRIPTIONS"][0]["HASH"].clone();
    writer
        .ok("subscription.update", json!({"DATA": {"SUBSCRIPTION_ID": id, "X_ATTRIBUTES": {"k": "v"}, "HASH": before}}))
        .await;
    let written = Instant::now();
    loop {
        let seen = reader.ok("subscription.get", get.clone()).await;
        if seen["SUBSCRIPTIONS"][0]["X_ATTRIBUTES"]["k"] == "v" {
            break;
        }
        assert!(written.elapsed() < Duration::from_millis(50), "not seen within 50 ms");
    }

    // A key revoked through one process is refused by the other within the key cache TTL.
    let admin = b.client(&tenant.key);
    let made = admin.ok("key.create", json!({})).await;
    let key = made["API_KEY"].as_str().expect("key").to_owned();
    c.client(&key).ok("system.ping", json!({})).await;
    admin.ok("key.revoke", json!({"DATA": {"KEY_ID": made["KEY_ID"]}})).await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let ping = r#"{"jsonrpc":"2.0","id":1,"method":"system.ping"}"#;
    assert_eq!(c.client(&key).post_raw("/rpc", ping, &[]).await.status, 401);
}

/// Another process's last connection deletes the WAL when it can take the database file's
/// exclusive lock, which the connections of a serving process prevent by holding a shared one. A
/// health probe that opened and closed the file dropped those locks (POSIX locks belong to the
/// process: closing any descriptor of the file releases them all), so `recur tenant create` next
/// to a probed `serve` deleted its WAL and the server's later commits went into a deleted file.
#[tokio::test]
async fn the_command_line_next_to_a_probed_sqlite_server_leaves_its_wal_alone() {
    if on_postgres() {
        return skip("the_command_line_next_to_a_probed_sqlite_server_leaves_its_wal_alone", "a SQLite file's locks");
    }
    use std::os::unix::fs::MetadataExt;
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("recur.db");
    let url = format!("sqlite://{}?mode=rwc", path.to_str().expect("utf-8"));
    let made = recur(&url, &["tenant", "create", "shop"]);
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let key = serde_json::from_slice::<serde_json::Value>(&made.stdout).expect("json")["API_KEY"]
        .as_str()
        .expect("key")
        .to_owned();
    let served = Served::start_on(&url, &[]);
    let client = served.client(&key);
    let probe = crate::helpers::Client::for_url(served.url.clone(), "");
    // Ready once its workers run (it listens a moment before).
    let started = Instant::now();
    while probe.get_raw("/ready").await.status != 200 {
        assert!(started.elapsed() < Duration::from_secs(30), "the server never became ready");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for _ in 0..3 {
        assert_eq!(probe.get_raw("/health").await.status, 200);
        assert_eq!(probe.get_raw("/ready").await.status, 200);
    }
    customer(&client).await;
    let wal = dir.path().join("recur.db-wal");
    let wal_before = std::fs::metadata(&wal).expect("the server's WAL").ino();

    let other = recur(&url, &["tenant", "create", "other"]);
    assert!(other.status.success(), "{}", String::from_utf8_lossy(&other.stderr));
    let wal_after = std::fs::metadata(&wal).map(|m| m.ino()).ok();
    assert_eq!(wal_after, Some(wal_before), "the serving process's WAL is still there, the same file");

    // What the server commits now, a new connection (another process) reads.
    customer(&client).await;
    let reader = sea_orm::Database::connect(url.as_str()).await.expect("open");
    let row = reader
        .query_one(sea_orm::Statement::from_string(reader.get_database_backend(), "SELECT COUNT(*) FROM customer"))
        .await
        .expect("query")
        .expect("row");
    assert_eq!(row.try_get_by_index::<i64>(0).expect("count"), 2);
}
