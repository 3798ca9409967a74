//! Per-key rate limiting: a token bucket per API key, in this process.
//! Every call counts, batch entries one by one. Off when
//! `server.rate_limit_per_second` is 0.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Buckets of all keys seen.
#[derive(Debug)]
pub struct RateLimiter {
    /// Calls per second a key may make steadily; 0 disables limiting.
    per_second: u64,
    /// Calls a key may make at once (bucket size); 0 means `per_second`.
    burst: u64,
    /// Per key: tokens in thousandths, and when they were last topped up.
    buckets: Mutex<HashMap<i64, (u64, Instant)>>,
}

impl RateLimiter {
    /// A limiter allowing `per_second` calls with bursts of `burst`.
    pub fn new(per_second: u32, burst: u32) -> RateLimiter {
        let per_second = u64::from(per_second);
        let burst = if burst == 0 { per_second } else { u64::from(burst) };
        RateLimiter { per_second, burst, buckets: Mutex::new(HashMap::new()) }
    }

    /// Takes one call from `key`'s bucket; `Err(wait)` when it is empty.
    pub fn check(&self, key: i64, now: Instant) -> Result<(), Duration> {
        if self.per_second == 0 {
            return Ok(());
        }
        let capacity = self.burst * 1000;
        let Ok(mut buckets) = self.buckets.lock() else { return Ok(()) };
        if buckets.len() > 100_000 {
            buckets.retain(|_, (_, at)| now.duration_since(*at) < Duration::from_secs(60));
        }
        let (tokens, at) = buckets.entry(key).or_insert((capacity, now));
        let elapsed_ms = u64::try_from(now.duration_since(*at).as_millis()).unwrap_or(u64::MAX);
        *tokens = tokens.saturating_add(elapsed_ms.saturating_mul(self.per_second)).min(capacity);
        *at = now;
        if *tokens >= 1000 {
            *tokens -= 1000;
            Ok(())
        } else {
            let missing = 1000 - *tokens;
            Err(Duration::from_millis(missing.div_ceil(self.per_second)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_its_burst_then_refills_at_the_rate() {
        let limiter = RateLimiter::new(10, 3);
        let start = Instant::now();
        for _ in 0..3 {
            assert!(limiter.check(1, start).is_ok());
        }
        let wait = limiter.check(1, start).expect_err("bucket empty");
        assert_eq!(wait, Duration::from_millis(100));
        assert!(limiter.check(2, start).is_ok(), "keys have their own buckets");
        assert!(limiter.check(1, start + Duration::from_millis(100)).is_ok());
        assert!(RateLimiter::new(0, 0).check(1, start).is_ok(), "0 disables it");
    }
}
