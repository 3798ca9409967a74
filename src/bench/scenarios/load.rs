//! The HTTP scenarios: closed-loop load on the gateway over keep-alive
//! connections, one JSON-RPC call (or batch) per request.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use super::{Bench, Measured, Scenario};
use crate::App;
use crate::app::Options;
use crate::bench::BenchResult;
use crate::bench::client::{self, Load, Requests};
use crate::bench::rss;
use crate::bench::{http, seed};
use crate::clock::SystemClock;

const PING: &str = r#"{"jsonrpc":"2.0","id":1,"method":"system.ping"}"#;
/// Rows per `page` request.
const PAGE_SIZE: u64 = 100;
/// Calls per `usage-batch` request.
const BATCH: usize = 100;
/// Longest wait for one response.
const TIMEOUT: Duration = Duration::from_secs(60);

/// `ping`: `system.ping` with the key, the cheapest authenticated call.
pub async fn ping(bench: &Bench, scenario: Scenario) -> BenchResult<Measured> {
    let targets = bench.targets();
    let key = fresh_key(bench).await?;
    let requests = Requests::fixed(targets[0], Some(&key), PING);
    drive(bench, scenario, targets, requests, 1).await
}

/// `ping-noauth`: the same call on a second gateway whose auth is bypassed.
pub async fn ping_noauth(bench: &Bench, scenario: Scenario) -> BenchResult<Measured> {
    let options = Options { clock: Arc::new(SystemClock), auth_bypass: Some(bench.main.tenant.principal.clone()) };
    let bypass = App::build_with(bench.settings.clone(), options).await?;
    let addr = bypass.local_addr();
    let measured = drive(bench, scenario, vec![addr], Requests::fixed(addr, None, PING), 1).await;
    bypass.stop().await;
    measured
}

/// `get`: `subscription.get` by SUBSCRIPTION_ID, spread over the seeded subscriptions.
pub async fn get(bench: &Bench, scenario: Scenario) -> BenchResult<Measured> {
    let ids = Arc::new(bench.main.subscription_ids.clone());
    if ids.is_empty() {
        return Err("get needs seeded subscriptions".into());
    }
    let key = fresh_key(bench).await?;
    let requests = Requests::varying(Some(&key), move |conn, seq| {
        let id = ids[pick(conn, seq, ids.len())];
        format!(
            r#"{{"jsonrpc":"2.0","id":{seq},"method":"subscription.get","params":{{"FILTER":{{"SUBSCRIPTION_ID":{id}}}}}}}"#
        )
    });
    let mut measured = drive(bench, scenario, bench.targets(), requests, 1).await?;
    // The issue asks for the server's resident size under this load: the sampled VmRSS.
    measured.peak_rss_kib = measured.rss.sampled_max_kib;
    measured.note = if bench.fleet.is_some() {
        "RSS = max VmRSS sampled under load (bench process + serve processes)".into()
    } else {
        "RSS = max VmRSS sampled under load (server + client)".into()
    };
    Ok(measured)
}

/// `fastbill-get`: the `get` load through the FastBill endpoint
/// (`POST /api/1.0/api.php`, HTTP Basic with an email), so its ratio to
/// `get` is what the translation costs.
pub async fn fastbill_get(bench: &Bench, scenario: Scenario) -> BenchResult<Measured> {
    use base64::Engine;
    let ids = Arc::new(bench.main.subscription_ids.clone());
    if ids.is_empty() {
        return Err("fastbill-get needs seeded subscriptions".into());
    }
    let key = fresh_key(bench).await?;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("bench@example.com:{key}"));
    let requests = Requests::at("/api/1.0/api.php", &format!("Basic {basic}"), move |conn, seq| {
        let id = ids[pick(conn, seq, ids.len())];
        format!(r#"{{"SERVICE":"subscription.get","FILTER":{{"SUBSCRIPTION_ID":{id}}}}}"#)
    });
    drive(bench, scenario, bench.targets(), requests, 1).await
}

/// `page`: `subscription.get` with LIMIT 100, each connection walking the offsets.
pub async fn page(bench: &Bench, scenario: Scenario) -> BenchResult<Measured> {
    let pages = (bench.main.subscription_ids.len() as u64).div_ceil(PAGE_SIZE).max(1);
    let connections = bench.connections_for(scenario) as u64;
    let key = fresh_key(bench).await?;
    let requests = Requests::varying(Some(&key), move |conn, seq| {
        let offset = ((conn as u64 + seq * connections) % pages) * PAGE_SIZE;
        format!(
            r#"{{"jsonrpc":"2.0","id":{seq},"method":"subscription.get","params":{{"FILTER":{{}},"LIMIT":{PAGE_SIZE},"OFFSET":{offset}}}}}"#
        )
    });
    drive(bench, scenario, bench.targets(), requests, 1).await
}

/// `create`: `customer.create`.
pub async fn create(bench: &Bench, scenario: Scenario) -> BenchResult<Measured> {
    let key = fresh_key(bench).await?;
    let requests = Requests::varying(Some(&key), |conn, seq| {
        format!(
            r#"{{"jsonrpc":"2.0","id":{seq},"method":"customer.create","params":{{"DATA":{{"FIRST_NAME":"Load","LAST_NAME":"Test {conn}-{seq}","EMAIL":"load{conn}-{seq}@example.com","COUNTRY_CODE":"DE"}}}}}}"#
        )
    });
    drive(bench, scenario, bench.targets(), requests, 1).await
}

/// `usage-batch`: batches of 100 `subscription.setusagedata`, counted in records.
pub async fn usage_batch(bench: &Bench, scenario: Scenario) -> BenchResult<Measured> {
    let ids = Arc::new(bench.main.subscription_ids.clone());
    if ids.is_empty() {
        return Err("usage-batch needs seeded subscriptions".into());
    }
    let key = fresh_key(bench).await?;
    let requests = Requests::varying(Some(&key), move |conn, seq| {
        let mut batch = String::with_capacity(BATCH * 160);
        batch.push('[');
        for i in 0..BATCH {
            let id = ids[pick(conn, seq * BATCH as u64 + i as u64, ids.len())];
            let comma = if i == 0 { "" } else { "," };
            let _ = write!(
                batch,
                r#"{comma}{{"jsonrpc":"2.0","id":{i},"method":"subscription.setusagedata","params":{{"DATA":{{"SUBSCRIPTION_ID":{id},"ARTICLE_NUMBER":"BENCH","QUANTITY":"1.5"}}}}}}"#
            );
        }
        batch.push(']');
        batch
    });
    drive(bench, scenario, bench.targets(), requests, BATCH as u64).await
}

/// Runs the load and collects throughput units, latencies and memory.
async fn drive(
    bench: &Bench,
    scenario: Scenario,
    addrs: Vec<SocketAddr>,
    requests: Requests,
    units_per_request: u64,
) -> BenchResult<Measured> {
    let connections = bench.connections_for(scenario);
    let load = Load { addrs, connections, warmup: bench.warmup, measure: bench.measure, requests, timeout: TIMEOUT };
    let watch = rss::Watch::start(bench.child_pids());
    let outcome = client::run(load).await;
    let rss = watch.finish().await;
    let outcome = outcome?;
    let note = if outcome.reconnects > 0 {
        format!("server closed {} connections", outcome.reconnects)
    } else {
        String::new()
    };
    Ok(Measured {
        count: outcome.latencies_us.len() as u64 * units_per_request,
        elapsed: bench.measure,
        latencies_us: outcome.latencies_us,
        errors: outcome.errors,
        connections,
        peak_rss_kib: rss.peak(),
        rss,
        note,
    })
}

/// A new admin key of the main tenant, verified once by a `system.ping` on
/// every gateway the load goes to (each process caches its own keys).
///
/// The gateway caches a verified key for `auth.key_cache_ttl_seconds` (10 s by
/// default) and every request that misses runs argon2 on its own (19 MiB
/// each). A fresh, primed key per scenario keeps that expiry out of a
/// measurement of up to ~9 s, so each row shows its own scenario; longer
/// `--seconds` show the expiry (see BENCHMARKS.md).
async fn fresh_key(bench: &Bench) -> BenchResult<String> {
    let key = seed::new_key(&bench.app.state(), &bench.main.tenant).await?;
    for addr in bench.targets() {
        let request = http::post_rpc(&addr.to_string(), Some(&key), PING);
        let response = client::once(addr, &request, TIMEOUT).await?;
        if !response.is_success() {
            return Err(format!("priming system.ping at {addr} answered HTTP {}", response.status).into());
        }
    }
    Ok(key)
}

/// A well-spread index below `len` for request `seq` of connection `conn` (splitmix64).
pub(super) fn pick(conn: usize, seq: u64, len: usize) -> usize {
    let mut x = (((conn as u64) << 40) ^ seq).wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^= x >> 31;
    (x % len.max(1) as u64) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_stay_in_range_and_spread() {
        let mut seen = vec![0u32; 100];
        for seq in 0..10_000 {
            seen[pick(3, seq, 100)] += 1;
        }
        assert!(seen.iter().all(|&n| (50..=150).contains(&n)), "{seen:?}");
        assert_eq!(pick(0, 0, 1), 0);
    }
}
