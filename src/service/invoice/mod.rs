//! Invoices: reading them (`query`) and manual invoices (`manual`); issuing
//! is the billing writer's (`billing::writer`), whoever asks for it.

pub mod manual;
mod query;

pub use crate::billing::draft::{Draft, Issued, Kind};
pub use query::{InvoiceFilter, billed_period_invoice, effective_status, find, load};
