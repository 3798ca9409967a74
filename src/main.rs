//! The `recur` command line: serve, migrate, tenants, keys, bill and bench.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use recur::config::Settings;

mod cli;

// The request path allocates many small, short-lived buffers; mimalloc keeps
// that cheap and gives freed memory back instead of holding peaks.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Subscription billing behind one JSON-RPC 2.0 endpoint.
#[derive(Parser, Debug)]
#[command(name = "recur", version, about)]
struct Args {
    /// Directory holding default.toml and $RECUR_ENV.toml.
    #[arg(long, global = true, default_value = "config", env = "RECUR_CONFIG_DIR")]
    config_dir: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Runs the gateway (creates and migrates the database first).
    Serve,
    /// Applies pending database migrations and exits.
    Migrate,
    /// Tenant administration.
    Tenant {
        #[command(subcommand)]
        command: cli::TenantCommand,
    },
    /// API key administration.
    Key {
        #[command(subcommand)]
        command: cli::KeyCommand,
    },
    /// Runs billing once for every tenant (progress bar on a terminal).
    Bill,
    /// Writes a consistent copy of a SQLite database to PATH while it serves
    /// (`VACUUM INTO`). PostgreSQL: use `pg_dump` (see README).
    Backup { path: PathBuf },
    /// Benchmarks the gateway in-process on a fresh database (see BENCHMARKS.md).
    Bench(recur::bench::Args),
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let settings = match Settings::load(&args.config_dir) {
        Ok(settings) => settings,
        Err(err) => {
            eprintln!("recur: configuration: {err}");
            return ExitCode::from(2);
        }
    };
    recur::telemetry::init(&settings.log);
    let outcome = match args.command {
        Command::Serve => cli::serve(settings).await,
        Command::Migrate => cli::migrate(settings).await,
        Command::Tenant { command } => cli::tenant(settings, command).await,
        Command::Key { command } => cli::key(settings, command).await,
        Command::Bill => cli::bill(settings).await,
        Command::Backup { path } => cli::backup(settings, path).await,
        Command::Bench(bench) => recur::bench::run(settings, bench, &args.config_dir).await,
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("recur: {err}");
            ExitCode::FAILURE
        }
    }
}
