//! Subcommands other than argument parsing.

use chrono::{DateTime, Utc};
use clap::Subcommand;
use serde_json::json;

use recur::App;
use recur::app::{BuildError, bootstrap_default_tenant};
use recur::auth::hashing::Hasher;
use recur::clock::{Clock, SystemClock};
use recur::config::Settings;
use recur::db::Db;
use recur::db::scope::TenantId;
use recur::rpc::values;
use recur::service::keys::{self, KeyScope};
use recur::service::tenant;

#[derive(Subcommand, Debug)]
pub enum TenantCommand {
    /// Creates a tenant and prints {"TENANT_ID":..,"API_KEY":..} on stdout.
    Create {
        name: String,
        /// A test tenant: own clock, `rk_test_` keys, billing.run may move its clock.
        #[arg(long)]
        test: bool,
        /// Start of a test tenant's clock (default: now), e.g. 2024-01-31T00:00:00Z.
        #[arg(long, requires = "test")]
        clock: Option<String>,
        /// IANA time zone of documents and the FastBill endpoint (default Europe/Berlin).
        #[arg(long)]
        timezone: Option<String>,
        /// The seller's legal name on documents (SELLER.NAME; the rest via tenant.update).
        #[arg(long)]
        seller_name: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum KeyCommand {
    /// Creates a key and prints {"KEY_ID":..,"API_KEY":..} on stdout.
    Create {
        #[arg(long)]
        tenant: i64,
        /// An admin key (billing.run, key management).
        #[arg(long)]
        admin: bool,
        #[arg(long)]
        note: Option<String>,
    },
    /// Revokes a key; effective on the next call.
    Revoke { key_id: i64 },
}

async fn connect(settings: &Settings) -> Result<Db, BuildError> {
    let db = Db::connect(&settings.database).await?;
    db.migrate().await?;
    Ok(db)
}

pub async fn serve(settings: Settings) -> Result<(), BuildError> {
    let app = App::build(settings).await?;
    if let Some(created) = bootstrap_default_tenant(&app.state()).await? {
        let key = created.key.plain.expose();
        let addr = app.local_addr();
        println!("Created tenant \"default\" (TENANT_ID {}). Its admin API key, shown only now:", created.tenant_id);
        println!("  {key}");
        println!(
            "Try: curl -s http://{addr}/rpc -H 'Authorization: Bearer {key}' -H 'Content-Type: application/json' -d '{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"system.ping\"}}'"
        );
    }
    let grace = std::time::Duration::from_secs(app.state().settings.server.shutdown_seconds);
    let handle = app.handle();
    tokio::select! {
        signal = termination() => {
            tracing::info!(signal, "shutting down");
            if tokio::time::timeout(grace, app.shutdown()).await.is_err() {
                return Err(format!("shutdown took longer than server.shutdown_seconds ({}s)", grace.as_secs()).into());
            }
        }
        () = handle.stopped() => {}
    }
    Ok(())
}

/// Waits for SIGTERM or Ctrl-C (SIGINT); names the one that came.
async fn termination() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = term.recv() => return "SIGTERM",
                _ = tokio::signal::ctrl_c() => return "SIGINT",
            }
        }
    }
    let _ = tokio::signal::ctrl_c().await;
    "SIGINT"
}

pub async fn migrate(settings: Settings) -> Result<(), BuildError> {
    connect(&settings).await?.close().await;
    eprintln!("migrations applied");
    Ok(())
}

pub async fn tenant(settings: Settings, command: TenantCommand) -> Result<(), BuildError> {
    let TenantCommand::Create { name, test, clock, timezone, seller_name } = command;
    let clock: Option<DateTime<Utc>> = clock.as_deref().map(values::datetime).transpose()?;
    let db = connect(&settings).await?;
    let hasher = Hasher::new(&settings.auth);
    let profile = tenant::InitialProfile { timezone, seller_name };
    let created = tenant::create_with(&db.write, &hasher, &name, test, clock, profile, SystemClock.now()).await?;
    println!("{}", json!({ "TENANT_ID": created.tenant_id, "API_KEY": created.key.plain.expose() }));
    db.close().await;
    Ok(())
}

pub async fn key(settings: Settings, command: KeyCommand) -> Result<(), BuildError> {
    let db = connect(&settings).await?;
    match command {
        KeyCommand::Create { tenant: tenant_id, admin, note } => {
            let row = tenant::find(&db.write, tenant_id).await?.ok_or("no such tenant")?;
            let hasher = Hasher::new(&settings.auth);
            let scope = if admin { KeyScope::Admin } else { KeyScope::Default };
            let created = keys::insert(
                &db.write,
                &hasher,
                TenantId::trusted_for_operator(row.id),
                row.is_test,
                scope,
                note.as_deref(),
                SystemClock.now(),
            )
            .await?;
            println!("{}", json!({ "KEY_ID": created.key_id, "API_KEY": created.plain.expose() }));
        }
        KeyCommand::Revoke { key_id } => {
            if !keys::revoke_any(&db.write, key_id, SystemClock.now()).await? {
                return Err("no such active key".into());
            }
            eprintln!("key {key_id} revoked");
        }
    }
    db.close().await;
    Ok(())
}

pub async fn bill(settings: Settings) -> Result<(), BuildError> {
    use std::io::IsTerminal;
    use std::sync::Arc;

    use recur::service::scheduler;

    let state = recur::service::AppState::new(settings, Arc::new(SystemClock), recur::rpc::method_names()).await?;
    let started = std::time::Instant::now();
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {elapsed} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        bar
    });
    let summary = scheduler::bill_all_tenants(&state, &|s| match &bar {
        Some(bar) => {
            bar.set_message(format!("{} subscriptions, {} invoices, {} closed", s.subscriptions, s.invoices, s.closed))
        }
        None => tracing::info!(
            subscriptions = s.subscriptions,
            invoices = s.invoices,
            closed = s.closed,
            "billing progress"
        ),
    })
    .await?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    println!(
        "billed {} subscriptions: {} invoices, {} closed, {} failed in {:.1?}",
        summary.subscriptions,
        summary.invoices,
        summary.closed,
        summary.failed,
        started.elapsed()
    );
    if let Ok(state) = Arc::try_unwrap(state) {
        state.db.close().await;
    }
    Ok(())
}

pub async fn backup(settings: Settings, path: std::path::PathBuf) -> Result<(), BuildError> {
    let db = connect(&settings).await?;
    if !db.is_sqlite() {
        db.close().await;
        return Err("recur backup copies SQLite databases; for PostgreSQL run pg_dump (see README, Backups)".into());
    }
    if path.exists() {
        db.close().await;
        return Err(format!("{} exists; a backup never overwrites a file", path.display()).into());
    }
    let target = path.to_str().ok_or("the backup path is not valid UTF-8")?.replace('\'', "''");
    // One statement in one read transaction: the copy is the database as of
    // its start, while the writer goes on appending to the WAL.
    let statement = sea_orm::Statement::from_string(db.backend(), format!("VACUUM INTO '{target}'"));
    let outcome = sea_orm::ConnectionTrait::execute(&db.read, statement).await;
    db.close().await;
    outcome?;
    eprintln!("backup written to {}", path.display());
    Ok(())
}
