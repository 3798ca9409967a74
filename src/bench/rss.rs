//! Resident memory of this process (server and load client together), from
//! `/proc/self/status`, plus that of the `serve` children under
//! `--processes` (`/proc/PID/status`, summed).
//!
//! Before a scenario the peak (`VmHWM`) is reset by writing `5` to
//! `/proc/self/clear_refs`; a sampler also reads `VmRSS` every 50 ms, which is
//! the fallback where the reset is not allowed.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

/// A `kB` field of `/proc/self/status`, e.g. `VmRSS`.
pub fn status_kib(field: &str) -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/status").ok()?;
    parse_status_kib(&text, field)
}

fn parse_status_kib(text: &str, field: &str) -> Option<u64> {
    text.lines().find_map(|line| {
        let value = line.strip_prefix(field)?.strip_prefix(':')?;
        value.trim().strip_suffix("kB")?.trim().parse().ok()
    })
}

/// A `kB` field summed over this process and `children`.
fn total_kib(children: &[u32], field: &str) -> Option<u64> {
    let mut total = status_kib(field)?;
    for pid in children {
        let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        total += parse_status_kib(&text, field)?;
    }
    Some(total)
}

/// Resets the peak to the current resident size; false where the kernel refuses.
pub fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn reset_peaks(children: &[u32]) -> bool {
    let mut all = reset_peak();
    for pid in children {
        all &= std::fs::write(format!("/proc/{pid}/clear_refs"), "5").is_ok();
    }
    all
}

/// What a watch saw, in KiB.
#[derive(Clone, Copy, Debug, Default)]
pub struct Reading {
    /// Resident size when the watch started.
    pub before_kib: u64,
    /// Largest sampled `VmRSS`.
    pub sampled_max_kib: u64,
    /// `VmHWM` since the reset, when the reset worked.
    pub peak_kib: Option<u64>,
}

impl Reading {
    /// The best peak known: `VmHWM` after a reset, else the sampled maximum.
    pub fn peak(&self) -> u64 {
        self.peak_kib.map_or(self.sampled_max_kib, |p| p.max(self.sampled_max_kib))
    }
}

/// Watches the resident size while a scenario runs.
pub struct Watch {
    children: Arc<Vec<u32>>,
    before_kib: u64,
    reset: bool,
    max: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    sampler: tokio::task::JoinHandle<()>,
}

impl Watch {
    /// Resets the peaks and starts sampling this process and `children`
    /// (the peak of several processes is the sum of theirs: an upper bound).
    pub fn start(children: Vec<u32>) -> Watch {
        let children = Arc::new(children);
        let reset = reset_peaks(&children);
        let before_kib = total_kib(&children, "VmRSS").unwrap_or(0);
        let max = Arc::new(AtomicU64::new(before_kib));
        let stop = Arc::new(AtomicBool::new(false));
        let sampler = {
            let (max, stop, children) = (max.clone(), stop.clone(), children.clone());
            tokio::spawn(async move {
                let mut ticker = tokio::time::interval(Duration::from_millis(50));
                while !stop.load(Ordering::Relaxed) {
                    ticker.tick().await;
                    if let Some(now) = total_kib(&children, "VmRSS") {
                        max.fetch_max(now, Ordering::Relaxed);
                    }
                }
            })
        };
        Watch { children, before_kib, reset, max, stop, sampler }
    }

    /// Stops sampling and reads the peak.
    pub async fn finish(self) -> Reading {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.sampler.await;
        if let Some(now) = total_kib(&self.children, "VmRSS") {
            self.max.fetch_max(now, Ordering::Relaxed);
        }
        Reading {
            before_kib: self.before_kib,
            sampled_max_kib: self.max.load(Ordering::Relaxed),
            peak_kib: if self.reset { total_kib(&self.children, "VmHWM") } else { None },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_fields_parse_in_kib() {
        let text = "Name:\trecur\nVmHWM:\t  123456 kB\nVmRSS:\t   98765 kB\nThreads:\t3\n";
        assert_eq!(parse_status_kib(text, "VmHWM"), Some(123_456));
        assert_eq!(parse_status_kib(text, "VmRSS"), Some(98_765));
        assert_eq!(parse_status_kib(text, "VmSwap"), None);
        assert_eq!(parse_status_kib(text, "Threads"), None);
    }

    #[test]
    fn this_process_has_a_resident_size() {
        assert!(status_kib("VmRSS").is_some_and(|kib| kib > 0));
    }
}
