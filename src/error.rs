//! The one error type of every request path and its wire mapping.
//!
//! | code   | variant                  |
//! |--------|--------------------------|
//! | -32700 | `Parse`                  |
//! | -32600 | `InvalidRequest`         |
//! | -32601 | `MethodNotFound`         |
//! | -32602 | `InvalidParams`          |
//! | -32603 | `Internal`               |
//! | 1001   | `Unauthorized`           |
//! | 1003   | `Forbidden`              |
//! | 1004   | `NotFound`               |
//! | 1009   | `Conflict`               |
//! | 1010   | `IdempotencyMismatch`    |
//! | 1011   | `IdempotencyInProgress`  |
//! | 1013   | `TooLarge`               |
//! | 1029   | `RateLimited`            |
//!
//! Internal errors keep their cause for the log and answer a generic message:
//! database text never goes over the wire.

use sea_orm::{DbErr, SqlErr};

/// Result of every service and handler.
pub type AppResult<T> = Result<T, AppError>;

/// Every failure a call can answer with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("parse error")]
    Parse,
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    #[error("method not found")]
    MethodNotFound,
    #[error("{message}")]
    InvalidParams { message: String, tag: Option<String> },
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("unauthorized")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    #[error("{message}")]
    NotFound { message: String, tag: Option<String> },
    #[error("{message}")]
    Conflict { message: String, tag: Option<String> },
    #[error("idempotency key reused with different params")]
    IdempotencyMismatch,
    #[error("idempotency key still in progress")]
    IdempotencyInProgress,
    #[error("{0}")]
    TooLarge(String),
    #[error("rate limited")]
    RateLimited,
}

impl AppError {
    /// -32602 naming the offending tag.
    pub fn invalid(tag: impl Into<String>, message: impl std::fmt::Display) -> Self {
        let tag = tag.into();
        Self::InvalidParams { message: format!("{tag}: {message}"), tag: Some(tag) }
    }

    /// 1004 for an object that does not exist in this tenant.
    pub fn not_found(tag: impl Into<String>, message: impl Into<String>) -> Self {
        Self::NotFound { message: message.into(), tag: Some(tag.into()) }
    }

    /// 1009 naming the tag that caused it.
    pub fn conflict_on(tag: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Conflict { message: message.into(), tag: Some(tag.into()) }
    }

    /// -32603 carrying a cause for the log only.
    pub fn internal(cause: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::Internal(cause.into())
    }

    /// An internal error from a caught panic, with its message for the log.
    fn panicked(panic: &(dyn std::any::Any + Send)) -> Self {
        let text = panic.downcast_ref::<&str>().copied().or_else(|| panic.downcast_ref::<String>().map(String::as_str));
        Self::internal(format!("panicked: {}", text.unwrap_or("(no message)")))
    }

    /// The JSON-RPC error code.
    pub fn code(&self) -> i32 {
        match self {
            Self::Parse => -32700,
            Self::InvalidRequest(_) => -32600,
            Self::MethodNotFound => -32601,
            Self::InvalidParams { .. } => -32602,
            Self::Internal(_) => -32603,
            Self::Unauthorized => 1001,
            Self::Forbidden(_) => 1003,
            Self::NotFound { .. } => 1004,
            Self::Conflict { .. } => 1009,
            Self::IdempotencyMismatch => 1010,
            Self::IdempotencyInProgress => 1011,
            Self::TooLarge(_) => 1013,
            Self::RateLimited => 1029,
        }
    }

    /// What a code means, for `rpc.discover` (API.md section 4).
    pub fn meaning(code: i32) -> &'static str {
        match code {
            -32700 => "parse error: the body is not JSON",
            -32600 => "invalid request: not a JSON-RPC request object, or an empty batch",
            -32601 => "method not found",
            -32602 => "invalid params: a missing, unknown or malformed tag (data.TAG names it)",
            -32603 => "internal error",
            1001 => "unauthorized",
            1003 => "forbidden: the key lacks the scope",
            1004 => "not found in this tenant",
            1009 => "conflict: the state does not allow it",
            1010 => "idempotency key reused with different params",
            1011 => "idempotency key still in progress",
            1013 => "too large: batch over the limit",
            1029 => "rate limited",
            _ => "error",
        }
    }

    /// The tag an error names, if any.
    pub fn tag(&self) -> Option<&str> {
        match self {
            Self::InvalidParams { tag, .. } | Self::NotFound { tag, .. } | Self::Conflict { tag, .. } => tag.as_deref(),
            _ => None,
        }
    }
}

/// Runs `work`; a panic inside it becomes an internal error (its transaction
/// rolls back as it unwinds), so a bug costs only that call or that chunk,
/// not the connection, the batch or the billing run it is part of.
pub async fn panics_as_errors<T>(work: impl std::future::Future<Output = AppResult<T>>) -> AppResult<T> {
    use futures::FutureExt;
    std::panic::AssertUnwindSafe(work).catch_unwind().await.unwrap_or_else(|panic| Err(AppError::panicked(&*panic)))
}

impl From<DbErr> for AppError {
    fn from(err: DbErr) -> Self {
        Self::Internal(Box::new(err))
    }
}

/// Turns storage errors into the answers services mean, at the call site.
pub trait DbResultExt<T> {
    /// A unique-key violation becomes 1009 naming `tag`; anything else stays internal.
    fn or_conflict(self, tag: &str, message: &str) -> AppResult<T>;
}

impl<T> DbResultExt<T> for Result<T, DbErr> {
    fn or_conflict(self, tag: &str, message: &str) -> AppResult<T> {
        self.map_err(|err| match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => AppError::conflict_on(tag, message),
            _ => AppError::from(err),
        })
    }
}

/// `Option` from a lookup to 1004.
pub trait OptionExt<T> {
    /// `None` becomes 1004 naming `tag`.
    fn or_not_found(self, tag: &str, what: &str) -> AppResult<T>;
}

impl<T> OptionExt<T> for Option<T> {
    fn or_not_found(self, tag: &str, what: &str) -> AppResult<T> {
        self.ok_or_else(|| AppError::not_found(tag, format!("{what} not found")))
    }
}

/// True when a storage error is a unique-key violation.
pub fn is_unique_violation(err: &DbErr) -> bool {
    matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}
