//! Log setup: readable lines on a terminal, JSON lines with `log.format = "json"`.

use tracing_subscriber::EnvFilter;

use crate::config::LogSettings;

/// Installs the global subscriber once; later calls are no-ops (tests build many apps).
pub fn init(settings: &LogSettings) {
    // PostgreSQL answers the migrator's `CREATE TABLE IF NOT EXISTS seaql_migrations`
    // with an informational notice on every start; it says nothing worth a log line.
    let default = format!("{},sqlx::postgres::notice=warn", settings.level);
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = if settings.format == "json" { builder.json().flatten_event(true).try_init() } else { builder.try_init() };
}
