//! What one delivery attempt came to, as recorded in a delivery's ATTEMPTS
//! (`HTTP_STATUS`, `DURATION_MS`, `ERROR`) and as the schedule reads it.

use std::time::Duration;

use chrono::{DateTime, Utc};

/// How an attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A 2xx answer.
    Delivered,
    /// Anything else: another status, a redirect, a timeout, a refused target,
    /// a connection or TLS error. Retried by the schedule.
    Failed,
    /// HTTP 410: the receiver is gone; the endpoint is disabled at once.
    Gone,
}

/// One attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// The answer's status; `None` when no answer came.
    pub http_status: Option<u16>,
    /// Wall time from the start of the attempt to the end of the (bounded) body read.
    pub duration_ms: u64,
    /// Why it failed, for people: the status and the start of the body, or the
    /// transport error. `None` when delivered.
    pub error: Option<String>,
    /// The receiver's `Retry-After` on a 429 or 503, as a delay from the attempt.
    pub retry_after: Option<Duration>,
    pub outcome: Outcome,
}

impl Attempt {
    /// An attempt that got no answer (refused target, connect, TLS or timeout).
    pub fn no_answer(duration_ms: u64, error: String) -> Attempt {
        Attempt { http_status: None, duration_ms, error: Some(error), retry_after: None, outcome: Outcome::Failed }
    }
}

/// The outcome a status means: 2xx delivered, 410 gone, everything else
/// (3xx included: redirects are not followed) failed.
pub fn outcome_of(status: u16) -> Outcome {
    match status {
        200..=299 => Outcome::Delivered,
        410 => Outcome::Gone,
        _ => Outcome::Failed,
    }
}

/// Reads `Retry-After` (delay seconds or an HTTP date) on a 429 or 503; other
/// statuses' `Retry-After` is ignored. `now` (the attempt's wall-clock time)
/// turns a date into a delay; a date in the past is no delay.
pub fn retry_after(status: u16, header: Option<&str>, now: DateTime<Utc>) -> Option<Duration> {
    if status != 429 && status != 503 {
        return None;
    }
    let value = header?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = DateTime::parse_from_rfc2822(value).ok()?.with_timezone(&Utc);
    Some((at - now).to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_outcomes() {
        assert_eq!(outcome_of(200), Outcome::Delivered);
        assert_eq!(outcome_of(204), Outcome::Delivered);
        assert_eq!(outcome_of(299), Outcome::Delivered);
        assert_eq!(outcome_of(302), Outcome::Failed);
        assert_eq!(outcome_of(308), Outcome::Failed);
        assert_eq!(outcome_of(404), Outcome::Failed);
        assert_eq!(outcome_of(410), Outcome::Gone);
        assert_eq!(outcome_of(500), Outcome::Failed);
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates_on_429_and_503_only() {
        let now = DateTime::parse_from_rfc3339("2015-10-21T07:27:00Z").expect("valid").with_timezone(&Utc);
        assert_eq!(retry_after(429, Some("120"), now), Some(Duration::from_secs(120)));
        assert_eq!(retry_after(503, Some(" 7 "), now), Some(Duration::from_secs(7)));
        assert_eq!(retry_after(503, Some("Wed, 21 Oct 2015 07:28:00 GMT"), now), Some(Duration::from_secs(60)));
        assert_eq!(retry_after(429, Some("Wed, 21 Oct 2015 07:00:00 GMT"), now), Some(Duration::ZERO));
        assert_eq!(retry_after(500, Some("120"), now), None);
        assert_eq!(retry_after(429, None, now), None);
        assert_eq!(retry_after(429, Some("soon"), now), None);
        assert_eq!(retry_after(429, Some("-5"), now), None);
    }
}
