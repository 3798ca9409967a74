use super::*;

fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-01T12:00:00Z").expect("valid").with_timezone(&Utc)
}

fn failed(retry_after: Option<Duration>) -> Attempt {
    Attempt {
        http_status: Some(500),
        duration_ms: 3,
        error: Some("HTTP 500".into()),
        retry_after,
        outcome: Outcome::Failed,
    }
}

#[test]
fn the_schedule_is_the_contracts_and_ends_after_ten_attempts() {
    let minutes: Vec<u64> = (1..=9).map(|n| retry_delay(n).expect("scheduled").as_secs()).collect();
    assert_eq!(minutes, [5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400]);
    assert_eq!(retry_delay(0), None);
    assert_eq!(retry_delay(10), None);
    assert_eq!(MAX_ATTEMPTS, 10);
}

#[test]
fn every_retry_falls_within_its_delay_plus_ten_percent() {
    for seed in [0, 1, 2, 42, 1 << 40, u64::MAX] {
        for attempt in 1..=9 {
            let base = retry_delay(attempt).expect("scheduled");
            let due = next_attempt_at(t0(), attempt, None, seed).expect("a retry");
            let delay = (due - t0()).to_std().expect("forward");
            assert!(delay >= base && delay <= base + base / 10, "seed {seed} attempt {attempt}: {delay:?}");
        }
    }
}

#[test]
fn jitter_is_deterministic_per_seed_and_differs_between_seeds() {
    let a = next_attempt_at(t0(), 4, None, 7);
    assert_eq!(a, next_attempt_at(t0(), 4, None, 7));
    let spread: std::collections::BTreeSet<_> = (0..50).map(|seed| next_attempt_at(t0(), 4, None, seed)).collect();
    assert!(spread.len() > 25, "50 seeds gave only {} instants", spread.len());
}

#[test]
fn retry_after_replaces_the_delay_within_bounds() {
    let due = |asked| next_attempt_at(t0(), 1, Some(Duration::from_secs(asked)), 9).expect("a retry");
    assert_eq!(due(120), t0() + TimeDelta::seconds(120));
    assert_eq!(due(0), t0() + TimeDelta::seconds(5));
    assert_eq!(due(30 * 24 * 3600), t0() + TimeDelta::hours(24));
    // It does not add attempts: after the tenth there is none.
    assert_eq!(next_attempt_at(t0(), 10, Some(Duration::from_secs(60)), 9), None);
}

#[test]
fn outcomes_decide_the_next_step() {
    let ok = Attempt { http_status: Some(200), error: None, outcome: Outcome::Delivered, ..failed(None) };
    assert_eq!(after_attempt(1, t0(), &ok, 1), Next::Delivered);
    let gone = Attempt { http_status: Some(410), outcome: Outcome::Gone, ..failed(None) };
    assert_eq!(after_attempt(3, t0(), &gone, 1), Next::Gone);
    assert!(matches!(after_attempt(1, t0(), &failed(None), 1), Next::RetryAt(at) if at > t0()));
    assert_eq!(after_attempt(10, t0(), &failed(None), 1), Next::Failed);
}

#[test]
fn a_whole_failing_delivery_spans_about_three_days() {
    let mut at = t0();
    let mut attempt = 1;
    while let Next::RetryAt(next) = after_attempt(attempt, at, &failed(None), 99) {
        at = next;
        attempt += 1;
    }
    assert_eq!(attempt, MAX_ATTEMPTS);
    let span = at - t0();
    let base = TimeDelta::seconds(5 + 300 + 1800 + 7200 + 18000 + 36000 + 50400 + 72000 + 86400);
    assert!(span >= base && span <= base + base / 10, "{span}");
}

#[test]
fn an_endpoint_is_disabled_after_five_days_of_nothing_but_failures() {
    let since = failing_since(None, Outcome::Failed, t0());
    assert_eq!(since, Some(t0()));
    let later = t0() + TimeDelta::days(2);
    assert_eq!(failing_since(since, Outcome::Failed, later), since, "a later failure keeps the start");
    assert_eq!(failing_since(since, Outcome::Delivered, later), None, "a delivery clears it");
    assert!(!should_disable(since, t0() + TimeDelta::days(5) - TimeDelta::seconds(1)));
    assert!(should_disable(since, t0() + TimeDelta::days(5)));
    assert!(!should_disable(None, t0() + TimeDelta::days(50)));
}
