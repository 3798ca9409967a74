//! Idempotency keys of writes: claimed before the write runs (a repeat answers the stored reply),
//! given back when the write fails so a retry can run.

use chrono::{DateTime, Utc};

use super::super::Reply;
use super::super::envelope::Envelope;
use crate::db::ctx::TenantRef;
use crate::error::{AppError, AppResult};
use crate::service::{AppState, idempotency};

pub(super) enum Claimed {
    Replay(Reply),
    Fresh(Option<i64>),
}

/// Claims the idempotency key of a write (dry runs store nothing).
pub(super) async fn claim(
    app: &AppState,
    tenant: TenantRef,
    key: Option<&str>,
    envelope: &Envelope,
    method: &str,
) -> AppResult<Claimed> {
    let Some(key) = key.filter(|_| !envelope.dry_run) else { return Ok(Claimed::Fresh(None)) };
    // The header's key gets the envelope's rules (the envelope checked its own).
    if key.contains('\0') || !(1..=255).contains(&key.chars().count()) {
        return Err(AppError::invalid("IDEMPOTENCY_KEY", "must be a string of 1 to 255 characters without NUL"));
    }
    let fingerprint = envelope.fingerprint(method);
    let claimed =
        idempotency::claim(&app.db.write, &app.settings.idempotency, tenant.id, key, &fingerprint, now_of_system(app))
            .await?;
    Ok(match claimed {
        idempotency::Claim::Replay(stored) => {
            Claimed::Replay(serde_json::value::RawValue::from_string(stored).map_err(AppError::internal)?)
        }
        idempotency::Claim::Fresh(record_id) => Claimed::Fresh(Some(record_id)),
    })
}

/// Idempotency records live by the wall clock, also for test tenants.
fn now_of_system(app: &AppState) -> DateTime<Utc> {
    app.clock.now()
}

/// A failed write gives its idempotency key back, so a retry can run.
pub(super) async fn release_on_error<T>(app: &AppState, claim: Option<i64>, result: &AppResult<T>) {
    if let (Some(record_id), Err(_)) = (claim, result)
        && let Err(err) = idempotency::release(&app.db.write, record_id).await
    {
        tracing::error!(error = %err, "could not release an idempotency claim");
    }
}
