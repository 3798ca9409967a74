//! Integer arithmetic for the figures: percentiles of microsecond latencies,
//! rates and ratios in thousandths, and their decimal text.

use std::time::Duration;

/// The nearest-rank percentile (`permille` = 500 for p50, 990 for p99) of sorted values.
pub fn percentile(sorted: &[u32], permille: u32) -> Option<u32> {
    if sorted.is_empty() {
        return None;
    }
    let n = sorted.len() as u64;
    let rank = (n * u64::from(permille.clamp(1, 1000))).div_ceil(1000).max(1);
    sorted.get(usize::try_from(rank - 1).ok()?).copied()
}

/// `count` per second over `elapsed`, in thousandths (1500 = 1.5 per second).
pub fn rate_milli(count: u64, elapsed: Duration) -> u64 {
    let micros = elapsed.as_micros().max(1);
    u64::try_from(u128::from(count) * 1_000_000_000 / micros).unwrap_or(u64::MAX)
}

/// `value / reference` in thousandths; `None` without a reference rate.
pub fn ratio_milli(value_milli: u64, reference_milli: u64) -> Option<u64> {
    (reference_milli > 0)
        .then(|| u64::try_from(u128::from(value_milli) * 1000 / u128::from(reference_milli)).unwrap_or(u64::MAX))
}

/// Thousandths as a decimal with `places` (1 to 3) digits, truncated: `fixed(1234, 1)` is `1.2`.
pub fn fixed(milli: u64, places: u32) -> String {
    let places = places.clamp(1, 3);
    let fraction = (milli % 1000) / 10u64.pow(3 - places);
    format!("{}.{:0width$}", milli / 1000, fraction, width = places as usize)
}

/// KiB as MiB in thousandths.
pub fn kib_to_mib_milli(kib: u64) -> u64 {
    kib * 1000 / 1024
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_take_the_nearest_rank() {
        let values: Vec<u32> = (1..=100).collect();
        assert_eq!(percentile(&values, 500), Some(50));
        assert_eq!(percentile(&values, 990), Some(99));
        assert_eq!(percentile(&values, 1000), Some(100));
        assert_eq!(percentile(&[7], 990), Some(7));
        assert_eq!(percentile(&[1, 2, 3], 500), Some(2));
        assert_eq!(percentile(&[], 500), None);
        let thousand_and_one: Vec<u32> = (0..1001).collect();
        assert_eq!(percentile(&thousand_and_one, 990), Some(990));
    }

    #[test]
    fn rates_and_ratios_are_in_thousandths() {
        assert_eq!(rate_milli(10, Duration::from_secs(4)), 2500);
        assert_eq!(rate_milli(3, Duration::from_millis(1500)), 2000);
        assert_eq!(ratio_milli(2500, 10_000), Some(250));
        assert_eq!(ratio_milli(1, 0), None);
    }

    #[test]
    fn thousandths_print_as_decimals() {
        assert_eq!(fixed(1234, 1), "1.2");
        assert_eq!(fixed(1234, 3), "1.234");
        assert_eq!(fixed(5, 3), "0.005");
        assert_eq!(fixed(12_000, 2), "12.00");
        assert_eq!(kib_to_mib_milli(1536), 1500);
    }
}
