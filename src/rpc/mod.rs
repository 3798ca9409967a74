//! The JSON-RPC layer: the method table, envelope parsing, tag <-> typed value
//! mapping and error objects. Knows no SQL; handlers parse, call a service and
//! map the result.

pub mod dispatch;
pub mod envelope;
pub mod json;
pub mod middleware;
pub mod tags;
pub mod values;
pub mod wire;

mod article;
mod customer;
mod key;
mod system;

use futures::future::BoxFuture;
use serde_json::value::RawValue;

use crate::error::AppResult;
use crate::service::{ReadCtx, WriteCtx};
use envelope::Envelope;

/// A handler's answer: the RESPONSE object, already serialized.
pub type Reply = Box<RawValue>;

/// A read handler: runs on the read pool.
pub type ReadFn = for<'a> fn(&'a ReadCtx, &'a mut Envelope) -> BoxFuture<'a, AppResult<Reply>>;

/// A write handler: runs in its own transaction, with idempotency and dry runs.
pub type WriteFn = for<'a> fn(&'a WriteCtx, &'a mut Envelope) -> BoxFuture<'a, AppResult<Reply>>;

/// How a method runs.
#[derive(Clone, Copy)]
pub enum Handler {
    Read(ReadFn),
    Write(WriteFn),
}

/// Who may call a method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Any key of the tenant.
    Default,
    /// Admin keys only (1003 otherwise).
    Admin,
}

/// One row of the method table.
pub struct MethodSpec {
    pub name: &'static str,
    pub scope: Scope,
    pub handler: Handler,
    pub summary: &'static str,
}

impl MethodSpec {
    /// True for writes.
    pub fn writes(&self) -> bool {
        matches!(self.handler, Handler::Write(_))
    }
}

macro_rules! read {
    ($f:path) => {{
        fn handler<'a>(ctx: &'a ReadCtx, env: &'a mut Envelope) -> BoxFuture<'a, AppResult<Reply>> {
            Box::pin($f(ctx, env))
        }
        Handler::Read(handler)
    }};
}

macro_rules! write {
    ($f:path) => {{
        fn handler<'a>(
            ctx: &'a WriteCtx,
            env: &'a mut Envelope,
        ) -> BoxFuture<'a, AppResult<Reply>> {
            Box::pin($f(ctx, env))
        }
        Handler::Write(handler)
    }};
}

macro_rules! method {
    ($name:literal, $scope:ident, $handler:expr, $summary:literal) => {
        MethodSpec {
            name: $name,
            scope: Scope::$scope,
            handler: $handler,
            summary: $summary,
        }
    };
}

/// Every method of the gateway: the one place names, scopes and handlers meet.
pub static METHODS: &[MethodSpec] = &[
    method!(
        "system.ping",
        Default,
        read!(system::ping),
        "Tests a key: answers STATUS, TENANT_ID and the tenant's NOW."
    ),
    method!(
        "customer.get",
        Default,
        read!(customer::get),
        "Customers matching FILTER (CUSTOMER_ID, CUSTOMER_EXT_UID, CUSTOMER_NUMBER, EMAIL, COUNTRY_CODE, TERM)."
    ),
    method!(
        "customer.create",
        Default,
        write!(customer::create),
        "Creates a customer; answers CUSTOMER_ID, CUSTOMER_NUMBER, HASH."
    ),
    method!(
        "customer.update",
        Default,
        write!(customer::update),
        "Changes a customer's fields."
    ),
    method!(
        "customer.delete",
        Default,
        write!(customer::delete),
        "Deletes a customer without running subscriptions or unpaid invoices."
    ),
    method!(
        "article.get",
        Default,
        read!(article::get),
        "Articles matching FILTER (ARTICLE_NUMBER, IS_ADDON, TAGS)."
    ),
    method!(
        "article.create",
        Default,
        write!(article::create),
        "Creates a plan or add-on article."
    ),
    method!(
        "article.update",
        Default,
        write!(article::update),
        "Changes an article; running subscriptions keep their terms."
    ),
    method!(
        "article.delete",
        Default,
        write!(article::delete),
        "Deletes an article no subscription uses."
    ),
    method!(
        "key.create",
        Admin,
        write!(key::create),
        "Creates an API key; the key is shown once."
    ),
    method!(
        "key.get",
        Admin,
        read!(key::get),
        "Lists the tenant's API keys (hints only)."
    ),
    method!(
        "key.revoke",
        Admin,
        write!(key::revoke),
        "Revokes an API key, effective on the next call."
    ),
];

/// The spec of a method by name.
pub fn method(name: &str) -> Option<&'static MethodSpec> {
    METHODS.iter().find(|m| m.name == name)
}
