//! `recur bench`: starts the gateway in-process on a fresh database, seeds
//! data, drives load with its own HTTP/1.1 keep-alive client and prints one
//! row per scenario: throughput, p50/p99 latency, the ratio to the reference
//! scenario measured in the same run, and peak RSS.
//!
//! The load client shares the process (and the runtime's worker threads)
//! with the server, so every figure includes the cost of generating the load.

mod client;
mod database;
mod fleet;
mod http;
mod report;
mod rss;
mod scenarios;
mod seed;
mod seed_rows;
mod stats;

use std::io::Write as _;
use std::time::Duration;

use crate::App;
use crate::config::Settings;
use database::FreshDatabase;
use report::Row;
use scenarios::{Bench, Measured, Scenario};

/// Any failure of a run.
pub type BenchResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// Subscriptions seeded for `get`, `page`, `usage-batch` and `raw-insert-spread`.
const MAIN_SUBSCRIPTIONS: usize = 10_000;

/// Arguments of `recur bench`.
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// Runs only this scenario (repeatable), with its reference: ping, ping-noauth,
    /// get, fastbill-get, page, create, usage-batch, billing (= billing-10k and billing-100k),
    /// billing-N, raw-insert.
    #[arg(long = "scenario", value_name = "NAME", value_parser = parse_selection)]
    pub scenarios: Vec<Selection>,
    /// Prints one JSON object per line and scenario instead of the table.
    #[arg(long)]
    pub json: bool,
    /// A PostgreSQL server URL: a fresh database is created on it for the run
    /// and dropped afterwards. Default: a SQLite file in a new temporary directory.
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
    /// Measured seconds per load scenario. With the warm-up above ~9 s, the
    /// verified-key cache (10 s TTL by default) expires inside the measurement.
    #[arg(long, default_value_t = 5)]
    pub seconds: u64,
    /// Warm-up seconds before each load scenario's measurement.
    #[arg(long, default_value_t = 1)]
    pub warmup: u64,
    /// Connections for every HTTP load scenario (default: 64 get/create, 16 ping/page/usage-batch).
    #[arg(long)]
    pub connections: Option<usize>,
    /// Skips the reference scenarios a `--scenario` would otherwise add (ratios stay empty).
    #[arg(long)]
    pub no_reference: bool,
    /// Serves the HTTP scenarios from this many `recur serve` child processes
    /// over the `--database-url` PostgreSQL database, connections spread over
    /// them (the in-process gateway then only seeds and runs the in-process
    /// scenarios, and delivers no webhooks).
    #[arg(long, value_name = "N")]
    pub processes: Option<usize>,
}

/// The scenarios one `--scenario` names (`billing` names two).
#[derive(Clone, Debug)]
pub struct Selection(Vec<Scenario>);

fn parse_selection(text: &str) -> Result<Selection, String> {
    Scenario::parse(text).map(Selection)
}

/// Runs the benchmark and prints its rows on stdout; `config_dir` is the
/// one `--processes` children read.
pub async fn run(settings: Settings, args: Args, config_dir: &std::path::Path) -> BenchResult<()> {
    if args.processes.is_some_and(|n| n > 0) && !args.database_url.as_deref().is_some_and(is_postgres) {
        return Err("--processes needs --database-url postgres://... (one SQLite file has one writing process)".into());
    }
    let selected: Vec<Scenario> = args.scenarios.iter().flat_map(|s| s.0.iter().copied()).collect();
    let plan = Scenario::plan(&selected, args.no_reference);
    let database = FreshDatabase::create(args.database_url.as_deref()).await?;
    eprintln!("bench: {} database, scenarios: {}", database.backend(), names(&plan));
    let outcome = run_on(settings, &args, &plan, &database.url, config_dir).await;
    database.remove().await;
    outcome
}

fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

async fn run_on(
    mut settings: Settings,
    args: &Args,
    plan: &[Scenario],
    url: &str,
    config_dir: &std::path::Path,
) -> BenchResult<()> {
    let processes = args.processes.unwrap_or(0);
    settings.server.bind = "127.0.0.1:0".into();
    settings.database.url = url.to_owned();
    settings.billing.schedule_seconds = 0;
    // The `webhooks` scenario's receiver listens on 127.0.0.1.
    settings.webhooks.allow_private_targets = true;
    // With children serving, they deliver the webhooks (as `serve` processes would).
    settings.webhooks.worker = processes == 0;
    let app = App::build(settings.clone()).await?;
    let state = app.state();
    let not_due = state.clock.now() + chrono::Duration::days(30);
    let main = match seed::tenant_with_subscriptions(&state, "bench", MAIN_SUBSCRIPTIONS, not_due).await {
        Ok(main) => main,
        Err(err) => {
            app.stop().await;
            return Err(err);
        }
    };
    // Starting and stopping the children waits on them: off the runtime's workers.
    let start = || tokio::task::block_in_place(|| fleet::Fleet::start(processes, config_dir, url));
    let fleet = match (processes > 0).then(start).transpose() {
        Ok(fleet) => fleet,
        Err(err) => {
            app.stop().await;
            return Err(err);
        }
    };
    if let Some(fleet) = &fleet {
        eprintln!("bench: {processes} serve processes at {:?}", fleet.addrs());
    }
    let bench = Bench {
        app,
        settings,
        main,
        warmup: Duration::from_secs(args.warmup),
        measure: Duration::from_secs(args.seconds.max(1)),
        connections: args.connections,
        fleet,
    };
    let outcome = run_plan(&bench, plan, args.json).await;
    let Bench { app, fleet, .. } = bench;
    if let Some(fleet) = fleet {
        for problem in fleet.problems() {
            eprintln!("bench: a serve process logged: {problem}");
        }
        tokio::task::block_in_place(|| fleet.stop(Duration::from_secs(30)));
    }
    app.stop().await;
    outcome
}

async fn run_plan(bench: &Bench, plan: &[Scenario], json: bool) -> BenchResult<()> {
    let mut out = std::io::stdout();
    if !json {
        writeln!(out, "{}", report::table_header())?;
    }
    let mut rows: Vec<Row> = Vec::new();
    for &scenario in plan {
        eprintln!("bench: running {}", scenario.name());
        seed::settle(&bench.app.state()).await?;
        let measured = bench.run(scenario).await.map_err(|err| format!("scenario {}: {err}", scenario.name()))?;
        let row = row_of(scenario, measured, &rows);
        let line = if json { report::json_line(&row) } else { report::table_row(&row) };
        writeln!(out, "{line}")?;
        out.flush()?;
        if row.errors > 0 {
            eprintln!("bench: {} had {} errors (not counted in its throughput)", row.scenario, row.errors);
        }
        rows.push(row);
    }
    Ok(())
}

/// The report row of a measurement; the ratio uses the reference row measured earlier.
fn row_of(scenario: Scenario, measured: Measured, earlier: &[Row]) -> Row {
    let throughput_milli = stats::rate_milli(measured.count, measured.elapsed);
    let reference = scenario.reference().map(Scenario::name);
    let reference_row = reference.as_ref().and_then(|name| earlier.iter().find(|r| &r.scenario == name));
    let ratio_milli = reference_row.and_then(|r| stats::ratio_milli(throughput_milli, r.throughput_milli));
    Row {
        scenario: scenario.name(),
        connections: measured.connections,
        throughput_milli,
        unit: scenario.unit(),
        p50_us: stats::percentile(&measured.latencies_us, 500),
        p99_us: stats::percentile(&measured.latencies_us, 990),
        reference,
        ratio_milli,
        peak_rss_kib: Some(measured.peak_rss_kib).filter(|&kib| kib > 0),
        errors: measured.errors,
        note: measured.note,
    }
}

fn names(plan: &[Scenario]) -> String {
    plan.iter().map(|s| s.name()).collect::<Vec<_>>().join(", ")
}
