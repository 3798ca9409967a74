//! Use cases, one function each, one transaction each. Services take a context
//! (tenant, clock reading, connection) and typed inputs; they know no JSON tags.

pub mod article;
pub mod billed_credit;
pub mod billing_run;
pub mod blacklist;
pub mod consumption;
pub mod coupon;
pub mod credit_note;
pub mod customer;
pub mod discount;
pub mod documents;
pub mod dunning;
pub mod event_feed;
pub mod events;
pub mod idempotency;
pub mod invoice;
pub mod keys;
pub mod links;
pub mod mail;
pub mod payment;
pub mod payment_method;
pub mod profile;
pub mod quote;
pub mod scheduler;
pub mod state;
pub mod subscription;
pub mod tenant;
pub mod tx;
pub mod usage;
pub mod webhook;
pub mod write_queue;

pub use crate::db::ctx::{AfterCommit, Ctx, ReadCtx, TenantRef, WriteCtx};
pub use state::AppState;

/// Rows `offset..offset + limit` of `rows` in `key` order: a page of rows read
/// by an id list, or merged from several queries, which come in no order the
/// page can use.
pub(crate) fn page_by<T, K: Ord>(mut rows: Vec<T>, key: impl Fn(&T) -> K, limit: u64, offset: u64) -> Vec<T> {
    rows.sort_unstable_by_key(key);
    let skip = usize::try_from(offset).unwrap_or(usize::MAX);
    rows.into_iter().skip(skip).take(usize::try_from(limit).unwrap_or(usize::MAX)).collect()
}
