//! A cache of serialized subscription objects for `subscription.get` by id.
//!
//! Correctness comes from one epoch. Every entry is stamped with the epoch it
//! was read under and is served only while the epoch is unchanged. The epoch
//! moves
//! - right after any write of this process commits, before the write answers,
//!   so a client always reads its own writes;
//! - on PostgreSQL, when a `recur_changes` notification arrives: every write
//!   transaction sends one (`NOTIFY` inside the transaction, so it is
//!   delivered exactly when the transaction commits) and every process
//!   LISTENs, so other processes see a commit within a round trip;
//! - when the newest `event` row changes, which the poller checks every
//!   `cache.poll_ms` (on PostgreSQL at least every second, as a fallback
//!   should the listening connection drop): every change of any process
//!   appends an event in its own transaction.
//!
//! An entry is filled with the epoch read *before* its query, so a write that
//! commits while the query runs leaves the entry stale at once.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr, Statement};

/// Each object under (tenant, id), with the epoch it was read under.
type Entries = HashMap<(i64, i64), (u64, Arc<str>)>;

/// Each tenant's subscription ids in id order, with the epoch they were read under.
type IdLists = HashMap<i64, (u64, Arc<[i64]>)>;

/// Most tenants whose id lists are kept at once.
const MAX_ID_LISTS: usize = 1024;

/// Serialized objects by (tenant, id), valid for one epoch.
#[derive(Debug)]
pub struct ObjectCache {
    epoch: AtomicU64,
    max_entries: usize,
    entries: RwLock<Entries>,
    /// Pages of `subscription.get` without filters are slices of these: an
    /// OFFSET costs nothing, whatever its size.
    id_lists: RwLock<IdLists>,
}

impl ObjectCache {
    /// An empty cache of at most `max_entries` objects (0 disables it).
    pub fn new(max_entries: usize) -> ObjectCache {
        ObjectCache {
            epoch: AtomicU64::new(1),
            max_entries,
            entries: RwLock::new(HashMap::new()),
            id_lists: RwLock::new(HashMap::new()),
        }
    }

    /// The current epoch; read it before querying what will be stored.
    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    /// Invalidates every entry.
    pub fn bump(&self) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
    }

    /// The object `(tenant, id)` if it was stored in the current epoch.
    pub fn get(&self, tenant: i64, id: i64) -> Option<Arc<str>> {
        let epoch = self.epoch();
        let entries = self.entries.read().ok()?;
        entries.get(&(tenant, id)).filter(|(at, _)| *at == epoch).map(|(_, json)| json.clone())
    }

    /// Stores an object read under `epoch`.
    pub fn put(&self, tenant: i64, id: i64, epoch: u64, json: Arc<str>) {
        if !self.enabled() || epoch != self.epoch() {
            return;
        }
        if let Ok(mut entries) = self.entries.write() {
            if entries.len() >= self.max_entries {
                let current = self.epoch();
                entries.retain(|_, (at, _)| *at == current);
                if entries.len() >= self.max_entries {
                    entries.clear();
                }
            }
            entries.insert((tenant, id), (epoch, json));
        }
    }
}

impl ObjectCache {
    /// False when the cache is turned off (`cache.subscription_entries = 0`).
    pub fn enabled(&self) -> bool {
        self.max_entries > 0
    }

    /// The tenant's subscription ids in id order, if read in the current epoch.
    pub fn ids(&self, tenant: i64) -> Option<Arc<[i64]>> {
        let epoch = self.epoch();
        let lists = self.id_lists.read().ok()?;
        lists.get(&tenant).filter(|(at, _)| *at == epoch).map(|(_, ids)| ids.clone())
    }

    /// Stores a tenant's id list read under `epoch`.
    pub fn put_ids(&self, tenant: i64, epoch: u64, ids: Arc<[i64]>) {
        if !self.enabled() || epoch != self.epoch() {
            return;
        }
        if let Ok(mut lists) = self.id_lists.write() {
            if lists.len() >= MAX_ID_LISTS {
                let current = self.epoch();
                lists.retain(|_, (at, _)| *at == current);
                if lists.len() >= MAX_ID_LISTS {
                    lists.clear();
                }
            }
            lists.insert(tenant, (epoch, ids));
        }
    }
}

/// Watches the newest event id and bumps the epoch when it moves.
pub fn spawn_poller(
    cache: Arc<ObjectCache>,
    db: DatabaseConnection,
    every: Duration,
) -> Option<tokio::task::JoinHandle<()>> {
    if every.is_zero() || !cache.enabled() {
        return None;
    }
    Some(tokio::spawn(async move {
        let statement = Statement::from_string(db.get_database_backend(), crate::db::NEWEST_EVENT_ID);
        let mut seen: Option<i64> = None;
        let mut ticker = tokio::time::interval(every);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            let newest = match db.query_one(statement.clone()).await {
                Ok(row) => row.and_then(|r| r.try_get_by_index::<Option<i64>>(0).ok()).flatten(),
                Err(err) => {
                    // Without the feed, nothing cached can be trusted.
                    tracing::warn!(error = %err, "cache poller cannot read events");
                    cache.bump();
                    continue;
                }
            };
            if newest != seen {
                seen = newest;
                cache.bump();
            }
        }
    }))
}

/// The channel every write transaction notifies on PostgreSQL.
const CHANNEL: &str = "recur_changes";

/// Inside a write transaction about to commit: tells other processes (on
/// PostgreSQL; SQLite serves one process and relies on the poller).
pub async fn notify_commit<C: ConnectionTrait>(txn: &C) -> Result<(), DbErr> {
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        txn.execute_unprepared(&format!("NOTIFY {CHANNEL}")).await?;
    }
    Ok(())
}

/// On PostgreSQL: LISTENs for other processes' commits and bumps the epoch on
/// each; reconnects after a second when the connection drops (bumping, since
/// notifications may have been missed meanwhile).
pub fn spawn_listener(cache: Arc<ObjectCache>, url: &str) -> Option<tokio::task::JoinHandle<()>> {
    if !url.starts_with("postgres") || !cache.enabled() {
        return None;
    }
    let url = url.to_owned();
    Some(tokio::spawn(async move {
        loop {
            if let Err(err) = listen(&cache, &url).await {
                tracing::warn!(error = %err, "cache listener lost its connection; polling meanwhile");
            }
            cache.bump();
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }))
}

async fn listen(cache: &ObjectCache, url: &str) -> Result<(), sea_orm::sqlx::Error> {
    let mut listener = sea_orm::sqlx::postgres::PgListener::connect(url).await?;
    listener.listen(CHANNEL).await?;
    // Commits between the last bump and LISTEN taking effect are covered by this one.
    cache.bump();
    loop {
        listener.recv().await?;
        cache.bump();
    }
}
