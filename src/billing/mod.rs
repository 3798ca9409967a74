//! The billing engine: the run over due subscriptions, one subscription's
//! step forward, invoice lines and numbers, and the scheduler.

pub mod balance;
pub mod chunk;
pub mod consumptions;
pub mod discounts;
pub mod draft;
pub mod engine;
pub mod lines;
pub mod mail;
pub mod numbering;
pub mod pauses;
pub mod plan_change;
mod preload;
pub mod snapshot;
pub mod state;
pub mod writer;
