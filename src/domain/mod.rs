//! Pure billing rules: money, codes, intervals and periods, discounts and
//! coupons, credit notes, invoice balances and dunning. No I/O, no sea-orm,
//! no clock: time comes in as arguments.

pub mod balance;
pub mod bank;
pub mod codes;
pub mod coupon;
pub mod credit_note;
pub mod discount;
pub mod dunning;
pub mod format;
pub mod interval;
pub mod lifecycle;
pub mod money;
pub mod pricing;
pub mod proration;

#[cfg(test)]
mod test_support;
