//! `webhooks`: the `create` load with one webhook endpoint registered, its
//! events delivered to an in-process receiver on 127.0.0.1 that checks every
//! signature. Counts deliveries per second from the first request until the
//! backlog is empty, and says how long the backlog took to drain after the
//! load stopped (the issue asks for under a second, and for the delivery rate
//! to keep up with the creation rate).

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use sea_orm::ConnectionTrait;

use super::{Bench, Measured, Scenario, load};
use crate::bench::BenchResult;
use crate::db::ctx::TenantRef;
use crate::service::webhook::endpoints::{self, NewEndpoint};
use crate::service::webhook::stmt;
use crate::webhook::{Secret, sign};

/// Longest wait for the backlog after the load.
const DRAIN_LIMIT: Duration = Duration::from_secs(30);

/// Counts good (signed) and bad requests, and good ones whose `webhook-id`
/// came before (at least once allows them; they do not count as delivered).
#[derive(Default)]
struct Counts {
    good: AtomicU64,
    bad: AtomicU64,
    repeated: AtomicU64,
    seen: std::sync::Mutex<std::collections::HashSet<String>>,
}

impl Counts {
    fn count(&self, id: String, verified: bool) {
        if !verified {
            self.bad.fetch_add(1, Ordering::Relaxed);
            return;
        }
        let first = self.seen.lock().map(|mut seen| seen.insert(id)).unwrap_or(true);
        let counter = if first { &self.good } else { &self.repeated };
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

/// Serves 200 to every webhook request on 127.0.0.1, verifying its signature.
async fn receiver(secret: Secret, counts: Arc<Counts>) -> BenchResult<(String, tokio::task::JoinHandle<()>)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/hook", listener.local_addr()?);
    let secret = Arc::new(secret);
    let task = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (secret, counts) = (secret.clone(), counts.clone());
            tokio::spawn(async move {
                let service = service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                    let (secret, counts) = (secret.clone(), counts.clone());
                    async move {
                        let header =
                            |n: &str| request.headers().get(n).and_then(|v| v.to_str().ok()).map(str::to_owned);
                        let (id, ts, sig) =
                            (header("webhook-id"), header("webhook-timestamp"), header("webhook-signature"));
                        let body = request.into_body().collect().await.map(|b| b.to_bytes()).unwrap_or_default();
                        let ts = ts.and_then(|t| t.parse::<i64>().ok()).unwrap_or(0);
                        let id = id.unwrap_or_default();
                        let ok = sign::verify(&secret, &id, ts, &body, &sig.unwrap_or_default());
                        counts.count(id, ok);
                        Ok::<_, Infallible>(hyper::Response::new(Full::new(Bytes::from_static(b"ok"))))
                    }
                });
                let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
            });
        }
    });
    Ok((url, task))
}

/// Events of the main tenant after `after`.
async fn events_since(bench: &Bench, after: i64) -> BenchResult<u64> {
    let db = &bench.app.state().db.read;
    let sql = "SELECT COUNT(*) AS n FROM event WHERE tenant_id = ? AND id > ? AND event_type = 'customer.created'";
    let row =
        db.query_one(stmt(db.get_database_backend(), sql, vec![bench.main.tenant.id.into(), after.into()])).await?;
    Ok(row.map(|r| r.try_get::<i64>("", "n")).transpose()?.unwrap_or(0) as u64)
}

/// The scenario.
pub async fn run(bench: &Bench, scenario: Scenario) -> BenchResult<Measured> {
    let state = bench.app.state();
    let counts = Arc::new(Counts::default());
    let p = &bench.main.tenant.principal;
    let tenant = TenantRef { id: p.tenant, is_test: p.is_test };
    let ctx = state.action_ctx(tenant, state.clock.now());
    let created =
        endpoints::create(&ctx, NewEndpoint { url: "http://127.0.0.1:9/".into(), ..NewEndpoint::default() }).await?;
    let secret = Secret::parse(created.secret.as_deref().unwrap_or_default()).map_err(|e| e.to_string())?;
    let (url, server) = receiver(secret, counts.clone()).await?;
    let change = endpoints::Change { url: Some(url), ..endpoints::Change::default() };
    endpoints::update(&ctx, created.id, change).await?;
    let hook = endpoints::one(&ctx, created.id).await?;
    let started = Instant::now();
    let mut measured = load::create(bench, scenario).await?;
    let load_time = started.elapsed();
    let expected = events_since(bench, hook.from_event_id).await?;
    let stopped = Instant::now();
    while counts.good.load(Ordering::Relaxed) < expected && stopped.elapsed() < DRAIN_LIMIT {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let drain = stopped.elapsed();
    let delivered = counts.good.load(Ordering::Relaxed);
    endpoints::delete(&ctx, created.id).await?;
    server.abort();
    let creation_rate = expected as f64 / load_time.as_secs_f64();
    let delivery_rate = delivered as f64 / (load_time + drain).as_secs_f64();
    measured.note = format!(
        "{delivered}/{expected} events delivered ({} bad signatures, {} repeated); backlog drained {} ms after \
         the load; {delivery_rate:.0} deliveries/s vs {creation_rate:.0} creates/s",
        counts.bad.load(Ordering::Relaxed),
        counts.repeated.load(Ordering::Relaxed),
        drain.as_millis()
    );
    Ok(measured)
}
