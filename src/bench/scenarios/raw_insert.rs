//! `raw-insert`: the database's own write limit for comparable rows, as the
//! reference for the write scenarios. One writer on the gateway's write pool
//! inserts usage rows with sea-orm's `insert_many`, 1000 rows per
//! transaction (their ids reserved from the event ids first, as a booking's
//! are), for the warm-up and the measured time; latency is per batch.
//!
//! `raw-insert-spread` writes the same rows, each on a subscription picked
//! from the main tenant's like `usage-batch` picks them: it shows what the
//! random index positions alone cost the database (a diagnostic, not a
//! reference).

use std::time::Instant;

use sea_orm::{EntityTrait, Set, TransactionTrait};

use super::load::pick;
use super::{Bench, Measured};
use crate::bench::seed;
use crate::bench::{BenchResult, rss};
use crate::service::event_feed;

/// Rows per `insert_many` and per transaction.
const ROWS_PER_BATCH: usize = 1000;

/// Moves each row to a random one of `target`'s subscriptions (as `usage-batch` picks them).
fn spread_over(target: &seed::Seeded, rows: &mut [entity::usage_record::ActiveModel], seq: &mut u64) {
    for row in rows {
        let i = pick(0, *seq, target.subscription_ids.len());
        *seq += 1;
        row.subscription_id = Set(target.subscription_ids[i]);
        row.customer_id = Set(target.customer_ids[(i / 10).min(target.customer_ids.len() - 1)]);
    }
}

/// Runs the scenario: on a tenant of its own with one subscription, or with
/// `spread` over the main tenant's subscriptions.
pub async fn run(bench: &Bench, spread: bool) -> BenchResult<Measured> {
    let state = bench.app.state();
    let now = state.clock.now();
    let own;
    let target = if spread {
        &bench.main
    } else {
        own = seed::tenant_with_subscriptions(&state, "raw-insert", 1, now + chrono::Duration::days(30)).await?;
        &own
    };
    if target.subscription_ids.is_empty() || target.customer_ids.is_empty() {
        return Err("raw-insert: seeding gave no subscription".into());
    }
    let db = &state.db.write;
    let mut seq = 0u64;
    let start = Instant::now();
    let (from, until) = (start + bench.warmup, start + bench.warmup + bench.measure);
    let mut latencies_us = Vec::new();
    let watch = rss::Watch::start(bench.child_pids());
    let outcome: BenchResult<()> = async {
        while Instant::now() < until {
            let mut rows = seed::usage_rows(
                target.tenant.id,
                target.subscription_ids[0],
                target.customer_ids[0],
                ROWS_PER_BATCH,
                now,
            );
            if spread {
                spread_over(target, &mut rows, &mut seq);
            }
            let began = Instant::now();
            let txn = db.begin().await?;
            // Bookings draw their ids from the event ids (`service::event_feed`).
            if let Some(first) = event_feed::reserve_ids(&txn, rows.len()).await? {
                for (row, id) in rows.iter_mut().zip(first..) {
                    row.id = Set(id);
                }
            }
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
        note: format!(
            "usage_record rows{}, insert_many of {ROWS_PER_BATCH} per transaction; latency per batch",
            if spread { " on random subscriptions" } else { "" }
        ),
    })
}
