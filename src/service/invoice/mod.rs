//! Invoices: reading them (`query`); issuing is the billing writer's
//! (`billing::writer`), whoever asks for it.

mod query;

pub use crate::billing::draft::{Draft, Issued, Kind};
pub use query::{InvoiceFilter, billed_period_invoice, effective_status, find, load};
