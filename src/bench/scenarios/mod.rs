//! The scenarios: names, references, units, default concurrency, and the
//! order a run takes them in (references first, so every ratio is known when
//! its row is printed).

mod billing;
mod document;
mod load;
mod raw_insert;
mod webhooks;

use std::time::Duration;

use super::BenchResult;
use super::rss;
use super::seed::Seeded;
use crate::App;
use crate::config::Settings;

/// One measured scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scenario {
    Ping,
    PingNoauth,
    Get,
    /// `get` through the FastBill endpoint.
    FastbillGet,
    Page,
    RawInsert,
    /// `raw-insert` with rows spread over the seeded subscriptions.
    RawInsertSpread,
    Create,
    UsageBatch,
    /// PDFs of one 10-line invoice per second, in-process.
    Document,
    /// `create` with a webhook endpoint receiving every event.
    Webhooks,
    /// One billing run over this many due subscriptions.
    Billing(usize),
}

/// The billing sizes `--scenario billing` and a full run measure.
pub const BILLING_SIZES: [usize; 2] = [10_000, 100_000];

impl Scenario {
    /// Every scenario of a full run, in run order.
    pub fn all() -> Vec<Scenario> {
        use Scenario::*;
        let mut all = vec![
            Ping,
            PingNoauth,
            Get,
            FastbillGet,
            Page,
            RawInsert,
            Create,
            UsageBatch,
            // After `usage-batch`: its 370,000-odd rows on the same seeded
            // subscriptions would otherwise be the usage index that
            // `usage-batch` writes into (BENCHMARKS.md, 2026-12-04).
            RawInsertSpread,
            Document,
            Webhooks,
        ];
        all.extend(BILLING_SIZES.map(Billing));
        all
    }

    /// The name in reports and on the command line: `billing-10k` for 10,000.
    pub fn name(self) -> String {
        match self {
            Scenario::Ping => "ping".into(),
            Scenario::PingNoauth => "ping-noauth".into(),
            Scenario::Get => "get".into(),
            Scenario::FastbillGet => "fastbill-get".into(),
            Scenario::Page => "page".into(),
            Scenario::RawInsert => "raw-insert".into(),
            Scenario::RawInsertSpread => "raw-insert-spread".into(),
            Scenario::Create => "create".into(),
            Scenario::UsageBatch => "usage-batch".into(),
            Scenario::Document => "document".into(),
            Scenario::Webhooks => "webhooks".into(),
            Scenario::Billing(n) if n % 1000 == 0 => format!("billing-{}k", n / 1000),
            Scenario::Billing(n) => format!("billing-{n}"),
        }
    }

    /// The scenario this one's ratio divides by.
    pub fn reference(self) -> Option<Scenario> {
        match self {
            Scenario::Ping | Scenario::RawInsert | Scenario::Document => None,
            Scenario::PingNoauth | Scenario::Get | Scenario::Page => Some(Scenario::Ping),
            Scenario::FastbillGet => Some(Scenario::Get),
            Scenario::RawInsertSpread | Scenario::Create | Scenario::UsageBatch | Scenario::Billing(_) => {
                Some(Scenario::RawInsert)
            }
            Scenario::Webhooks => Some(Scenario::Create),
        }
    }

    /// What the throughput counts.
    pub fn unit(self) -> &'static str {
        match self {
            Scenario::Ping
            | Scenario::PingNoauth
            | Scenario::Get
            | Scenario::FastbillGet
            | Scenario::Page
            | Scenario::Create
            | Scenario::Webhooks => "req/s",
            Scenario::RawInsert | Scenario::RawInsertSpread => "rows/s",
            Scenario::UsageBatch => "records/s",
            Scenario::Billing(_) => "invoices/s",
            Scenario::Document => "pdfs/s",
        }
    }

    /// Concurrent connections unless `--connections` says otherwise: 64 where the
    /// issue asks for it, 16 for the cheap reads and for batches of 100 writes
    /// (enough in flight for the write queue to fill its transactions).
    fn default_connections(self) -> usize {
        match self {
            Scenario::Get | Scenario::FastbillGet | Scenario::Create | Scenario::Webhooks => 64,
            Scenario::Ping | Scenario::PingNoauth | Scenario::Page | Scenario::UsageBatch => 16,
            Scenario::RawInsert | Scenario::RawInsertSpread | Scenario::Billing(_) | Scenario::Document => 1,
        }
    }

    /// Parses a name: every scenario's, `billing` (both sizes), or `billing-N` / `billing-Nk`.
    pub fn parse(text: &str) -> Result<Vec<Scenario>, String> {
        if text == "billing" {
            return Ok(BILLING_SIZES.map(Scenario::Billing).to_vec());
        }
        if let Some(size) = text.strip_prefix("billing-") {
            let (digits, factor) = size.strip_suffix('k').map_or((size, 1), |d| (d, 1000));
            return match digits.parse::<usize>() {
                Ok(n) if n > 0 => Ok(vec![Scenario::Billing(n * factor)]),
                _ => Err(format!("{text:?}: billing-N needs a positive N, e.g. billing-10k")),
            };
        }
        let all = [
            Scenario::Ping,
            Scenario::PingNoauth,
            Scenario::Get,
            Scenario::FastbillGet,
            Scenario::Page,
            Scenario::RawInsert,
            Scenario::RawInsertSpread,
            Scenario::Create,
            Scenario::UsageBatch,
            Scenario::Document,
            Scenario::Webhooks,
        ];
        all.into_iter().find(|s| s.name() == text).map(|s| vec![s]).ok_or_else(|| {
            format!(
                "unknown scenario {text:?}; one of ping, ping-noauth, get, fastbill-get, page, create, usage-batch, document, webhooks, billing, billing-10k, billing-100k, raw-insert, raw-insert-spread"
            )
        })
    }

    /// `selected` (all when empty) in run order, with their references unless `alone`.
    pub fn plan(selected: &[Scenario], alone: bool) -> Vec<Scenario> {
        let mut wanted: Vec<Scenario> = if selected.is_empty() { Scenario::all() } else { selected.to_vec() };
        if !alone {
            let references: Vec<Scenario> = wanted.iter().filter_map(|s| s.reference()).collect();
            wanted.extend(references);
        }
        let rank = |s: &Scenario| match s {
            Scenario::Billing(n) => (usize::MAX, *n),
            other => (Scenario::all().iter().position(|x| x == other).unwrap_or(0), 0),
        };
        wanted.sort_by_key(rank);
        wanted.dedup();
        wanted
    }
}

/// What one scenario measured.
#[derive(Debug, Default)]
pub struct Measured {
    /// Units done inside the measured time (requests, rows, records, invoices).
    pub count: u64,
    pub elapsed: Duration,
    /// Sorted latencies of the successful requests, in microseconds.
    pub latencies_us: Vec<u32>,
    pub errors: u64,
    pub connections: usize,
    pub rss: rss::Reading,
    /// The peak to report, in KiB.
    pub peak_rss_kib: u64,
    pub note: String,
}

/// The running gateway and the seeded main tenant every HTTP scenario uses.
pub struct Bench {
    pub app: App,
    /// The settings the gateway was built with (the auth-bypass gateway copies them).
    pub settings: Settings,
    pub main: Seeded,
    pub warmup: Duration,
    pub measure: Duration,
    pub connections: Option<usize>,
    /// `--processes`: the `serve` children the HTTP load goes to instead of `app`.
    pub fleet: Option<crate::bench::fleet::Fleet>,
}

impl Bench {
    /// Where the HTTP load goes: the children, or the in-process gateway.
    pub fn targets(&self) -> Vec<std::net::SocketAddr> {
        match &self.fleet {
            Some(fleet) => fleet.addrs().to_vec(),
            None => vec![self.app.local_addr()],
        }
    }

    /// The children whose memory counts with this process's.
    pub fn child_pids(&self) -> Vec<u32> {
        self.fleet.as_ref().map(crate::bench::fleet::Fleet::pids).unwrap_or_default()
    }

    /// Runs one scenario.
    pub async fn run(&self, scenario: Scenario) -> BenchResult<Measured> {
        match scenario {
            Scenario::Ping => load::ping(self, scenario).await,
            Scenario::PingNoauth => load::ping_noauth(self, scenario).await,
            Scenario::Get => load::get(self, scenario).await,
            Scenario::FastbillGet => load::fastbill_get(self, scenario).await,
            Scenario::Page => load::page(self, scenario).await,
            Scenario::Create => load::create(self, scenario).await,
            Scenario::UsageBatch => load::usage_batch(self, scenario).await,
            Scenario::Webhooks => webhooks::run(self, scenario).await,
            Scenario::RawInsert => raw_insert::run(self, false).await,
            Scenario::RawInsertSpread => raw_insert::run(self, true).await,
            Scenario::Document => document::run(self).await,
            Scenario::Billing(n) => billing::run(self, n).await,
        }
    }

    fn connections_for(&self, scenario: Scenario) -> usize {
        self.connections.unwrap_or_else(|| scenario.default_connections()).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_back() {
        for scenario in Scenario::all() {
            assert_eq!(Scenario::parse(&scenario.name()), Ok(vec![scenario]));
        }
        assert_eq!(Scenario::parse("billing"), Ok(vec![Scenario::Billing(10_000), Scenario::Billing(100_000)]));
        assert_eq!(Scenario::parse("billing-2500"), Ok(vec![Scenario::Billing(2500)]));
        assert!(Scenario::parse("billing-0").is_err() && Scenario::parse("pong").is_err());
    }

    #[test]
    fn a_plan_runs_references_first() {
        let plan = Scenario::plan(&[Scenario::Billing(100_000), Scenario::Get], false);
        assert_eq!(plan, vec![Scenario::Ping, Scenario::Get, Scenario::RawInsert, Scenario::Billing(100_000)]);
        assert_eq!(Scenario::plan(&[Scenario::Get], true), vec![Scenario::Get]);
        assert_eq!(Scenario::plan(&[], false), Scenario::all());
    }
}
