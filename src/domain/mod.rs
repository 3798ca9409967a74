//! Pure billing rules: money, codes, intervals and periods. No I/O, no sea-orm.

pub mod codes;
pub mod format;
pub mod interval;
pub mod lifecycle;
pub mod money;
pub mod pricing;
pub mod proration;
