//! `raw-insert`: the database's own write limit for comparable rows, as the
//! reference for the write scenarios. One writer on the gateway's write pool
//! inserts usage rows with sea-orm's `insert_many`, 1000 rows per
//! transaction, for the warm-up and the measured time; latency is per batch.

use std::time::Instant;

use sea_orm::{EntityTrait, TransactionTrait};

use super::{Bench, Measured};
use crate::bench::seed;
use crate::bench::{BenchResult, rss};

/// Rows per `insert_many` and per transaction.
const ROWS_PER_BATCH: usize = 1000;

/// Runs the scenario on a tenant of its own with one subscription.
pub async fn run(bench: &Bench) -> BenchResult<Measured> {
    let state = bench.app.state();
    let now = state.clock.now();
    let target = seed::tenant_with_subscriptions(&state, "raw-insert", 1, now + chrono::Duration::days(30)).await?;
    let (Some(&subscription_id), Some(&customer_id)) = (target.subscription_ids.first(), target.customer_ids.first())
    else {
        return Err("raw-insert: seeding gave no subscription".into());
    };
    let db = &state.db.write;
    let start = Instant::now();
    let (from, until) = (start + bench.warmup, start + bench.warmup + bench.measure);
    let mut latencies_us = Vec::new();
    let watch = rss::Watch::start();
    let outcome: BenchResult<()> = async {
        while Instant::now() < until {
            let rows = seed::usage_rows(target.tenant.id, subscription_id, customer_id, ROWS_PER_BATCH, now);
            let began = Instant::now();
            let txn = db.begin().await?;
            entity::usage_record::Entity::insert_many(rows).exec_without_returning(&txn).await?;
            txn.commit().await?;
            let done = Instant::now();
            if done >= from && done <= until {
                latencies_us.push(u32::try_from(done.duration_since(began).as_micros()).unwrap_or(u32::MAX));
            }
        }
        Ok(())
    }
    .await;
    let rss = watch.finish().await;
    outcome?;
    latencies_us.sort_unstable();
    Ok(Measured {
        count: latencies_us.len() as u64 * ROWS_PER_BATCH as u64,
        elapsed: bench.measure,
        latencies_us,
        errors: 0,
        connections: 1,
        peak_rss_kib: rss.peak(),
        rss,
        note: format!("usage_record rows, insert_many of {ROWS_PER_BATCH} per transaction; latency per batch"),
    })
}
