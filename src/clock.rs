//! The one source of "now". Live tenants read the injected system clock; test
//! tenants read their own clock, stored on the tenant row and moved forward only
//! by `billing.run` with `NOW`.

use chrono::{DateTime, SubsecRound, Utc};

/// Where the current instant comes from. Injected so nothing else calls `Utc::now()`.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current instant, truncated to whole seconds (the wire's precision).
    fn now(&self) -> DateTime<Utc>;
}

/// The machine's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now().trunc_subsecs(0)
    }
}

/// A clock frozen at one instant; for tools and tests that need a fixed "now".
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub DateTime<Utc>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}
