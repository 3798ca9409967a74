//! When the next attempt goes out (API.md section 12), as pure functions of
//! the tenant's clock, which is passed in and never read here.
//!
//! After attempt n fails, attempt n+1 is due `RETRY_DELAYS[n-1]` after it, plus
//! 0 to 10 % jitter drawn from a seed (the delivery id), so a retry storm
//! spreads out and a test can still assert exact bounds. After the tenth
//! attempt the delivery is `failed`. A 429/503 `Retry-After` replaces the delay.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

use super::attempt::{Attempt, Outcome};

/// Delays after a failed attempt 1, 2, ... 9: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h.
pub const RETRY_DELAYS: [Duration; 9] = [
    Duration::from_secs(5),
    Duration::from_secs(5 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(2 * 3600),
    Duration::from_secs(5 * 3600),
    Duration::from_secs(10 * 3600),
    Duration::from_secs(14 * 3600),
    Duration::from_secs(20 * 3600),
    Duration::from_secs(24 * 3600),
];
/// Attempts of one delivery before it is `failed` (the first and nine retries).
pub const MAX_ATTEMPTS: u32 = RETRY_DELAYS.len() as u32 + 1;
/// Jitter added to a scheduled delay, at most this per mille of it.
pub const MAX_JITTER_PER_MILLE: u64 = 100;
/// A receiver's `Retry-After` is honoured between these bounds: at least the
/// first retry delay (no hammering), at most a day (no parking forever).
pub const RETRY_AFTER_MIN: Duration = Duration::from_secs(5);
pub const RETRY_AFTER_MAX: Duration = Duration::from_secs(24 * 3600);
/// An endpoint whose attempts have all failed for this long is disabled.
pub const DISABLE_AFTER: TimeDelta = TimeDelta::days(5);

/// What to do with a delivery after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Done: STATUS `delivered`.
    Delivered,
    /// STATUS stays `pending`; NEXT_ATTEMPT is this.
    RetryAt(DateTime<Utc>),
    /// No attempts left: STATUS `failed`.
    Failed,
    /// HTTP 410: STATUS `failed`, and the endpoint is disabled at once.
    Gone,
}

/// The base delay after failed attempt `attempt` (1-based); `None` after the last.
pub fn retry_delay(attempt: u32) -> Option<Duration> {
    let index = usize::try_from(attempt.checked_sub(1)?).ok()?;
    RETRY_DELAYS.get(index).copied()
}

/// `base` plus 0 to 10 % of it, the same for the same `seed` and `attempt`.
pub fn with_jitter(base: Duration, seed: u64, attempt: u32) -> Duration {
    let per_mille = splitmix64(seed ^ u64::from(attempt).rotate_left(32)) % (MAX_JITTER_PER_MILLE + 1);
    let base_ms = u64::try_from(base.as_millis()).unwrap_or(u64::MAX);
    base + Duration::from_millis(base_ms.saturating_mul(per_mille) / 1000)
}

/// When attempt `attempt + 1` is due, `attempt` (1-based) having failed at
/// `at`; `None` when it was the last. `retry_after` (from a 429/503) replaces
/// the scheduled delay and its jitter, bounded by `RETRY_AFTER_MIN..=RETRY_AFTER_MAX`.
pub fn next_attempt_at(
    at: DateTime<Utc>,
    attempt: u32,
    retry_after: Option<Duration>,
    seed: u64,
) -> Option<DateTime<Utc>> {
    let base = retry_delay(attempt)?;
    let delay = match retry_after {
        Some(asked) => asked.clamp(RETRY_AFTER_MIN, RETRY_AFTER_MAX),
        None => with_jitter(base, seed, attempt),
    };
    at.checked_add_signed(TimeDelta::from_std(delay).ok()?)
}

/// The delivery's next step after `result`, attempt number `attempt`
/// (1-based, counting every attempt of the delivery) made at `at`.
pub fn after_attempt(attempt: u32, at: DateTime<Utc>, result: &Attempt, seed: u64) -> Next {
    match result.outcome {
        Outcome::Delivered => Next::Delivered,
        Outcome::Gone => Next::Gone,
        Outcome::Failed => next_attempt_at(at, attempt, result.retry_after, seed).map_or(Next::Failed, Next::RetryAt),
    }
}

/// The endpoint's "failing since" after an attempt at `at`: cleared by a
/// delivery, kept by a failure when already set, else set to `at`.
pub fn failing_since(previous: Option<DateTime<Utc>>, outcome: Outcome, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    match outcome {
        Outcome::Delivered => None,
        Outcome::Failed | Outcome::Gone => Some(previous.unwrap_or(at)),
    }
}

/// Whether an endpoint failing since `failing_since` is to be disabled at `now`
/// (`webhook.disabled` in the tenant's timeline).
pub fn should_disable(failing_since: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    failing_since.is_some_and(|since| now - since >= DISABLE_AFTER)
}

/// A small, well-mixed hash (SplitMix64) so neighbouring seeds jitter differently.
fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

#[cfg(test)]
#[path = "schedule_tests.rs"]
mod tests;
