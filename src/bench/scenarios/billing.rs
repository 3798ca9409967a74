//! `billing-N`: N subscriptions of a fresh tenant fall due at once, then one
//! `billing.run` over HTTP with the tenant's admin key bills them. Throughput
//! is invoices per second of that one call; the peak RSS is taken from just
//! before the call (after seeding) to its end.
//!
//! Under `--processes` every process gets the same `billing.run` at once:
//! they share the due subscriptions by claiming chunks, and the scenario
//! fails if any period was billed twice.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::{Bench, Measured};
use crate::bench::client;
use crate::bench::http::{self, Response};
use crate::bench::stats::{fixed, kib_to_mib_milli};
use crate::bench::{BenchResult, rss, seed};

/// Longest a billing run may take before the scenario fails.
const RUN_TIMEOUT: Duration = Duration::from_secs(3600);

/// Seeds `n` due subscriptions on a tenant of their own and bills them in one run.
pub async fn run(bench: &Bench, n: usize) -> BenchResult<Measured> {
    let state = bench.app.state();
    let due = state.clock.now() - chrono::Duration::hours(1);
    let seeded = seed::tenant_with_subscriptions(&state, &format!("billing-{n}"), n, due).await?;
    let tenant_id = seeded.tenant.id;
    let tenant_key = seeded.tenant.key.clone();
    // The id lists are not needed; free them before the memory watch starts.
    drop(seeded);
    let key = Some(tenant_key.as_str());
    let targets = bench.targets();
    // The first call with a key runs argon2; keep that out of the measured run.
    for &addr in &targets {
        let ping = http::post_rpc(&addr.to_string(), key, r#"{"jsonrpc":"2.0","id":1,"method":"system.ping"}"#);
        expect_success(&client::once(addr, &ping, Duration::from_secs(60)).await?, "system.ping")?;
    }
    let calls = targets.iter().map(|&addr| {
        let request = http::post_rpc(&addr.to_string(), key, r#"{"jsonrpc":"2.0","id":1,"method":"billing.run"}"#);
        async move { client::once(addr, &request, RUN_TIMEOUT).await }
    });
    let watch = rss::Watch::start(bench.child_pids());
    let began = Instant::now();
    let responses = futures::future::join_all(calls).await;
    let elapsed = began.elapsed();
    let rss = watch.finish().await;
    let (mut invoices, mut failed) = (0, 0);
    for response in responses {
        let response = response?;
        expect_success(&response, "billing.run")?;
        let result: Value = serde_json::from_slice(&response.body)?;
        let count = |tag: &str| result["result"][tag].as_u64().unwrap_or(0);
        invoices += count("INVOICES_CREATED");
        failed += count("SUBSCRIPTIONS_FAILED");
    }
    let twice = periods_billed_twice(bench, tenant_id).await?;
    if twice > 0 || (targets.len() > 1 && invoices != n as u64) {
        return Err(format!("{invoices} invoices for {n} due periods, {twice} periods billed twice").into());
    }
    let micros = u32::try_from(elapsed.as_micros()).unwrap_or(u32::MAX);
    Ok(Measured {
        count: invoices,
        elapsed,
        latencies_us: vec![micros],
        errors: failed,
        connections: 1,
        peak_rss_kib: rss.peak(),
        note: format!(
            "{invoices} invoices of {n} due in {} s, {}; RSS before the run {} MiB",
            fixed(u64::from(micros) / 1000, 1),
            if targets.len() == 1 {
                "one call".to_owned()
            } else {
                "one call per process, none billed twice".to_owned()
            },
            fixed(kib_to_mib_milli(rss.before_kib), 1)
        ),
        rss,
    })
}

/// Periods of the tenant's subscriptions with more than one invoice.
async fn periods_billed_twice(bench: &Bench, tenant_id: i64) -> BenchResult<i64> {
    use sea_orm::ConnectionTrait;
    let db = &bench.app.state().db.read;
    let sql = "SELECT COUNT(*) AS n FROM (SELECT subscription_id FROM invoice WHERE tenant_id = ? \
               GROUP BY subscription_id, billed_period HAVING COUNT(*) > 1) twice";
    let statement = crate::service::webhook::stmt(db.get_database_backend(), sql, vec![tenant_id.into()]);
    let row = db.query_one(statement).await?;
    Ok(row.map(|r| r.try_get::<i64>("", "n")).transpose()?.unwrap_or(0))
}

fn expect_success(response: &Response, method: &str) -> BenchResult<()> {
    if response.is_success() {
        return Ok(());
    }
    let body = String::from_utf8_lossy(&response.body);
    Err(format!("{method} failed: HTTP {} {}", response.status, body.chars().take(300).collect::<String>()).into())
}
