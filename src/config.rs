//! Layered configuration: built-in defaults, `config/default.toml`,
//! `config/$RECUR_ENV.toml`, then `RECUR__SECTION__KEY` environment variables.
//!
//! Every key is documented in `config/default.toml`; the defaults here mirror it
//! so the binary also runs from a directory without `config/`.

use std::path::Path;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// All settings of one `recur` process.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub auth: AuthSettings,
    pub billing: BillingSettings,
    pub idempotency: IdempotencySettings,
    pub hosted: HostedSettings,
    pub cache: CacheSettings,
    pub log: LogSettings,
    pub webhooks: WebhookSettings,
    pub mail: MailSettings,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct CacheSettings {
    pub subscription_entries: usize,
    pub poll_ms: u64,
}

impl Default for CacheSettings {
    fn default() -> Self {
        Self { subscription_entries: 20_000, poll_ms: 20 }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ServerSettings {
    pub bind: String,
    pub public_url: String,
    pub max_body_bytes: u32,
    pub max_batch: usize,
    pub max_json_depth: usize,
    pub max_limit: u64,
    pub rate_limit_per_second: u32,
    pub rate_limit_burst: u32,
    /// Seconds a SIGTERM may take to drain in-flight calls and workers.
    pub shutdown_seconds: u64,
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:8080".into(),
            public_url: "http://127.0.0.1:8080".into(),
            max_body_bytes: 1024 * 1024,
            max_batch: 100,
            max_json_depth: 64,
            max_limit: 1000,
            rate_limit_per_second: 0,
            rate_limit_burst: 0,
            shutdown_seconds: 30,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseSettings {
    pub url: String,
    pub max_connections: u32,
    pub sqlite_synchronous: String,
    pub sqlite_cache_mib: u32,
    pub sqlite_checkpoint_ms: u64,
    pub busy_timeout_ms: u64,
    pub log_slow_statements_ms: u64,
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        Self {
            url: "sqlite://recur.db?mode=rwc".into(),
            max_connections: 8,
            sqlite_synchronous: "normal".into(),
            sqlite_cache_mib: 32,
            sqlite_checkpoint_ms: 200,
            busy_timeout_ms: 5000,
            log_slow_statements_ms: 0,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct AuthSettings {
    pub key_cache_ttl_seconds: u64,
    pub key_cache_max_entries: usize,
    pub argon2_memory_kib: u32,
    pub argon2_iterations: u32,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            key_cache_ttl_seconds: 10,
            key_cache_max_entries: 10_000,
            argon2_memory_kib: 19 * 1024,
            argon2_iterations: 2,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct BillingSettings {
    pub invoice_number_pattern: String,
    pub credit_note_number_pattern: String,
    pub payment_term_days: u32,
    pub default_currency: String,
    pub schedule_seconds: u64,
    pub page_size: u64,
    pub chunk_size: usize,
    /// Chunks of one run in flight at once on PostgreSQL (1 on SQLite).
    pub chunks_in_flight: usize,
    /// DUNNING.DAYS of tenants that set none: days after DUE_DATE of levels 1, 2, ...
    pub dunning_days: Vec<u32>,
    /// DUNNING.FINAL_ACTION of tenants that set none: `none`, `pause` or `cancel`.
    pub dunning_final_action: String,
}

impl Default for BillingSettings {
    fn default() -> Self {
        Self {
            invoice_number_pattern: "RE-{YYYY}-{SEQ:05}".into(),
            credit_note_number_pattern: "GS-{YYYY}-{SEQ:05}".into(),
            payment_term_days: 14,
            default_currency: "EUR".into(),
            schedule_seconds: 60,
            page_size: 1000,
            chunk_size: 1000,
            chunks_in_flight: 2,
            dunning_days: vec![7, 14, 21],
            dunning_final_action: "none".into(),
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct IdempotencySettings {
    pub retention_hours: u64,
    pub pending_timeout_seconds: u64,
}

impl Default for IdempotencySettings {
    fn default() -> Self {
        Self { retention_hours: 24, pending_timeout_seconds: 300 }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct HostedSettings {
    pub link_ttl_hours: u64,
    /// Hours a document link (DOCUMENT_URL, `invoice.getdocument`) stays valid.
    pub document_link_ttl_hours: u64,
}

impl Default for HostedSettings {
    fn default() -> Self {
        Self { link_ttl_hours: 24 * 7, document_link_ttl_hours: 720 }
    }
}

/// Webhook delivery (API.md section 12).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct WebhookSettings {
    /// Deliver to loopback, private, link-local and other internal addresses
    /// for live tenants too (test tenants always may).
    pub allow_private_targets: bool,
    /// Seconds one attempt may take, connect to last byte read.
    pub timeout_seconds: u64,
    /// Bodies larger than this are sent thin (`data.object` holds only its id).
    pub max_body_bytes: usize,
    /// Milliseconds between looks at the outbox when nothing woke the worker.
    pub poll_ms: u64,
    /// Endpoints delivered to at once per process (one endpoint never holds up another).
    pub concurrency: usize,
    /// Attempts awaiting an answer at once per endpoint, started in event
    /// order; after a failed answer, one at a time until an answer succeeds.
    pub in_flight: usize,
    /// Run the delivery worker inside `serve` (off: events wait in the outbox).
    pub worker: bool,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            allow_private_targets: false,
            timeout_seconds: 10,
            max_body_bytes: 256 * 1024,
            poll_ms: 100,
            concurrency: 16,
            in_flight: 8,
            worker: true,
        }
    }
}

/// Mail (API.md section 10): invoices, reminders and copies, sent from an outbox.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct MailSettings {
    /// `file` (write `.eml` files into `dir`) or `smtp`.
    pub transport: String,
    /// Folder of the `file` transport.
    pub dir: String,
    /// The sender address (`From`).
    pub from: String,
    pub smtp_host: String,
    pub smtp_port: u16,
    /// Empty: no authentication.
    pub smtp_user: String,
    pub smtp_password: String,
    /// `none`, `starttls` or `tls`.
    pub smtp_tls: String,
    /// Milliseconds between looks at the outbox.
    pub poll_ms: u64,
    /// Attempts before a mail is given up (`failed`).
    pub max_attempts: u32,
    /// Seconds before the first retry; each further retry waits twice as long (at most an hour).
    pub retry_seconds: u64,
}

impl Default for MailSettings {
    fn default() -> Self {
        Self {
            transport: "file".into(),
            dir: "mail-out".into(),
            from: "billing@localhost".into(),
            smtp_host: "127.0.0.1".into(),
            smtp_port: 25,
            smtp_user: String::new(),
            smtp_password: String::new(),
            smtp_tls: "starttls".into(),
            poll_ms: 500,
            max_attempts: 5,
            retry_seconds: 60,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct LogSettings {
    /// `pretty` or `json`.
    pub format: String,
    /// A tracing-subscriber `EnvFilter` directive; `RUST_LOG` overrides it.
    pub level: String,
}

impl Default for LogSettings {
    fn default() -> Self {
        Self { format: "pretty".into(), level: "info".into() }
    }
}

impl Settings {
    /// Loads the layers from `dir` (usually `config/`) and the environment.
    pub fn load(dir: &Path) -> Result<Self, Box<figment::Error>> {
        let env = std::env::var("RECUR_ENV").unwrap_or_else(|_| "development".into());
        Self::load_for(dir, &env)
    }

    /// The layers for environment `env` (`config/<env>.toml`), as `load` reads them;
    /// the tests start from `test`.
    pub fn load_for(dir: &Path, env: &str) -> Result<Self, Box<figment::Error>> {
        Figment::from(Serialized::defaults(Settings::default()))
            .merge(Toml::file(dir.join("default.toml")))
            .merge(Toml::file(dir.join(format!("{env}.toml"))))
            .merge(Env::prefixed("RECUR__").split("__"))
            .extract()
            .map_err(Box::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_toml_documents_exactly_the_built_in_defaults() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("config");
        let from_file: Settings =
            Figment::new().merge(Toml::file(dir.join("default.toml"))).extract().expect("config/default.toml parses");
        assert_eq!(from_file, Settings::default());
    }
}
