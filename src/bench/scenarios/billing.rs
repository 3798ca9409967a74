//! `billing-N`: N subscriptions of a fresh tenant fall due at once, then one
//! `billing.run` over HTTP with the tenant's admin key bills them. Throughput
//! is invoices per second of that one call; the peak RSS is taken from just
//! before the call (after seeding) to its end.

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
    let addr = bench.app.local_addr();
    let host = addr.to_string();
    let tenant_key = seeded.tenant.key.clone();
    // The id lists are not needed; free them before the memory watch starts.
    drop(seeded);
    let key = Some(tenant_key.as_str());
    // The first call with a key runs argon2; keep that out of the measured run.
    let ping = http::post_rpc(&host, key, r#"{"jsonrpc":"2.0","id":1,"method":"system.ping"}"#);
    expect_success(&client::once(addr, &ping, Duration::from_secs(60)).await?, "system.ping")?;
    let request = http::post_rpc(&host, key, r#"{"jsonrpc":"2.0","id":1,"method":"billing.run"}"#);
    let watch = rss::Watch::start();
    let began = Instant::now();
    let response = client::once(addr, &request, RUN_TIMEOUT).await;
    let elapsed = began.elapsed();
    let rss = watch.finish().await;
    let response = response?;
    expect_success(&response, "billing.run")?;
    let result: Value = serde_json::from_slice(&response.body)?;
    let count = |tag: &str| result["result"][tag].as_u64().unwrap_or(0);
    let (invoices, failed) = (count("INVOICES_CREATED"), count("SUBSCRIPTIONS_FAILED"));
    let micros = u32::try_from(elapsed.as_micros()).unwrap_or(u32::MAX);
    Ok(Measured {
        count: invoices,
        elapsed,
        latencies_us: vec![micros],
        errors: failed,
        connections: 1,
        peak_rss_kib: rss.peak(),
        note: format!(
            "{invoices} invoices of {n} due in {} s, one call; RSS before the run {} MiB",
            fixed(u64::from(micros) / 1000, 1),
            fixed(kib_to_mib_milli(rss.before_kib), 1)
        ),
        rss,
    })
}

fn expect_success(response: &Response, method: &str) -> BenchResult<()> {
    if response.is_success() {
        return Ok(());
    }
    let body = String::from_utf8_lossy(&response.body);
    Err(format!("{method} failed: HTTP {} {}", response.status, body.chars().take(300).collect::<String>()).into())
}
