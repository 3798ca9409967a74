//! Prometheus counters: calls, errors and latency per method, billing runs.
//! Lock-free on the success path; the error-by-code map is only touched on errors.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds of the latency buckets, in microseconds (labels below in seconds).
const BUCKETS: [u64; 12] =
    [500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000, 5_000_000];
const BUCKET_LABELS: [&str; 12] =
    ["0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "5"];

#[derive(Debug, Default)]
struct MethodStats {
    calls: AtomicU64,
    errors: AtomicU64,
    micros: AtomicU64,
    buckets: [AtomicU64; 12],
}

/// Counters of one process.
#[derive(Debug)]
pub struct Metrics {
    methods: HashMap<&'static str, MethodStats>,
    errors_by_code: Mutex<HashMap<(&'static str, i32), u64>>,
    billing_runs: AtomicU64,
    invoices_created: AtomicU64,
    subscriptions_closed: AtomicU64,
}

impl Metrics {
    /// Counters for the methods named in `methods` (calls of other names are not counted).
    pub fn new(methods: impl IntoIterator<Item = &'static str>) -> Self {
        Metrics {
            methods: methods.into_iter().map(|name| (name, MethodStats::default())).collect(),
            errors_by_code: Mutex::new(HashMap::new()),
            billing_runs: AtomicU64::new(0),
            invoices_created: AtomicU64::new(0),
            subscriptions_closed: AtomicU64::new(0),
        }
    }
}

impl Metrics {
    /// Records one call of `method`.
    pub fn observe(&self, method: &'static str, error_code: Option<i32>, elapsed: Duration) {
        let Some(stats) = self.methods.get(method) else {
            return;
        };
        stats.calls.fetch_add(1, Ordering::Relaxed);
        let micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
        stats.micros.fetch_add(micros, Ordering::Relaxed);
        if let Some(i) = BUCKETS.iter().position(|&b| micros <= b) {
            stats.buckets[i].fetch_add(1, Ordering::Relaxed);
        }
        if let Some(code) = error_code {
            stats.errors.fetch_add(1, Ordering::Relaxed);
            if let Ok(mut map) = self.errors_by_code.lock() {
                *map.entry((method, code)).or_default() += 1;
            }
        }
    }

    /// Records one billing run.
    pub fn observe_billing_run(&self, invoices: u64, closed: u64) {
        self.billing_runs.fetch_add(1, Ordering::Relaxed);
        self.invoices_created.fetch_add(invoices, Ordering::Relaxed);
        self.subscriptions_closed.fetch_add(closed, Ordering::Relaxed);
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let mut names: Vec<&&str> = self.methods.keys().collect();
        names.sort();
        out.push_str("# HELP recur_rpc_calls_total JSON-RPC calls per method.\n# TYPE recur_rpc_calls_total counter\n");
        for name in &names {
            let _ = writeln!(
                out,
                "recur_rpc_calls_total{{method=\"{name}\"}} {}",
                self.methods[**name].calls.load(Ordering::Relaxed)
            );
        }
        out.push_str("# HELP recur_rpc_errors_total JSON-RPC calls answered with an error, per method and code.\n# TYPE recur_rpc_errors_total counter\n");
        if let Ok(map) = self.errors_by_code.lock() {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort();
            for ((method, code), count) in entries {
                let _ = writeln!(out, "recur_rpc_errors_total{{method=\"{method}\",code=\"{code}\"}} {count}");
            }
        }
        out.push_str("# HELP recur_rpc_duration_seconds Latency of JSON-RPC calls.\n# TYPE recur_rpc_duration_seconds histogram\n");
        for name in &names {
            let stats = &self.methods[**name];
            let mut cumulative = 0;
            for (i, label) in BUCKET_LABELS.iter().enumerate() {
                cumulative += stats.buckets[i].load(Ordering::Relaxed);
                let _ =
                    writeln!(out, "recur_rpc_duration_seconds_bucket{{method=\"{name}\",le=\"{label}\"}} {cumulative}");
            }
            let calls = stats.calls.load(Ordering::Relaxed);
            let _ = writeln!(out, "recur_rpc_duration_seconds_bucket{{method=\"{name}\",le=\"+Inf\"}} {calls}");
            let micros = stats.micros.load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "recur_rpc_duration_seconds_sum{{method=\"{name}\"}} {}.{:06}",
                micros / 1_000_000,
                micros % 1_000_000
            );
            let _ = writeln!(out, "recur_rpc_duration_seconds_count{{method=\"{name}\"}} {calls}");
        }
        out.push_str(
            "# HELP recur_billing_runs_total Billing runs finished.\n# TYPE recur_billing_runs_total counter\n",
        );
        let _ = writeln!(out, "recur_billing_runs_total {}", self.billing_runs.load(Ordering::Relaxed));
        out.push_str("# HELP recur_billing_invoices_total Invoices issued by billing runs.\n# TYPE recur_billing_invoices_total counter\n");
        let _ = writeln!(out, "recur_billing_invoices_total {}", self.invoices_created.load(Ordering::Relaxed));
        out.push_str("# HELP recur_billing_closed_total Subscriptions closed by billing runs.\n# TYPE recur_billing_closed_total counter\n");
        let _ = writeln!(out, "recur_billing_closed_total {}", self.subscriptions_closed.load(Ordering::Relaxed));
        out
    }
}
