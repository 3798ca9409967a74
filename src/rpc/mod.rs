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
mod billing;
mod customer;
mod invoice;
mod invoice_wire;
mod key;
mod securelink;
mod subscription;
mod subscription_change;
mod subscription_life;
mod subscription_wire;
mod system;
mod usage;

use futures::future::BoxFuture;
use serde_json::value::RawValue;

use crate::error::AppResult;
use crate::service::write_queue::{Done, Job};
use crate::service::{ActionCtx, ReadCtx, WriteCtx};
use envelope::Envelope;

/// A handler's answer: the RESPONSE object, already serialized.
pub type Reply = Box<RawValue>;

/// A read handler: runs on the read pool.
pub type ReadFn = for<'a> fn(&'a ReadCtx, &'a mut Envelope) -> BoxFuture<'a, AppResult<Reply>>;

/// A write handler: runs in its own transaction, with idempotency and dry runs.
pub type WriteFn = for<'a> fn(&'a WriteCtx, &'a mut Envelope) -> BoxFuture<'a, AppResult<Reply>>;

/// An action handler: a write that manages its own transactions (a billing
/// run commits one subscription at a time).
pub type ActionFn = for<'a> fn(&'a ActionCtx, &'a mut Envelope) -> BoxFuture<'a, AppResult<Reply>>;

/// How a method runs.
#[derive(Clone, Copy)]
pub enum Handler {
    Read(ReadFn),
    Write(WriteFn),
    Action(ActionFn),
}

/// Who may call a method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Any key of the tenant.
    Default,
    /// Admin keys only (1003 otherwise).
    Admin,
}

/// Writes the write queue can group with concurrent calls of the same kind
/// (see `service::write_queue`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bulk {
    CustomerCreate,
    UsageRecord,
}

impl Bulk {
    /// Reads the call's tags into a queue job (refusing unknown tags).
    pub fn parse(self, env: &mut Envelope) -> AppResult<Job> {
        let job = match self {
            Bulk::CustomerCreate => Job::CreateCustomer(Box::new(customer::parse_create(env)?)),
            Bulk::UsageRecord => Job::RecordUsage(usage::parse_set(env)?),
        };
        env.finish()?;
        Ok(job)
    }

    /// The answer for what the queue did.
    pub fn reply(self, done: &Done) -> AppResult<Reply> {
        match done {
            Done::Customer(created) => customer::create_reply(created, false),
            Done::Usage(row) => usage::set_reply(row, false),
        }
    }
}

/// One row of the method table.
pub struct MethodSpec {
    pub name: &'static str,
    pub scope: Scope,
    pub handler: Handler,
    pub summary: &'static str,
    pub bulk: Option<Bulk>,
}

impl MethodSpec {
    /// True for writes.
    pub fn writes(&self) -> bool {
        matches!(self.handler, Handler::Write(_) | Handler::Action(_))
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
        fn handler<'a>(ctx: &'a WriteCtx, env: &'a mut Envelope) -> BoxFuture<'a, AppResult<Reply>> {
            Box::pin($f(ctx, env))
        }
        Handler::Write(handler)
    }};
}

macro_rules! action {
    ($f:path) => {{
        fn handler<'a>(ctx: &'a ActionCtx, env: &'a mut Envelope) -> BoxFuture<'a, AppResult<Reply>> {
            Box::pin($f(ctx, env))
        }
        Handler::Action(handler)
    }};
}

macro_rules! method {
    ($name:literal, $scope:ident, $handler:expr, $summary:literal) => {
        MethodSpec { name: $name, scope: Scope::$scope, handler: $handler, summary: $summary, bulk: None }
    };
    ($name:literal, $scope:ident, $handler:expr, $summary:literal, $bulk:ident) => {
        MethodSpec { name: $name, scope: Scope::$scope, handler: $handler, summary: $summary, bulk: Some(Bulk::$bulk) }
    };
}

/// Every method of the gateway: the one place names, scopes and handlers meet.
#[rustfmt::skip]
pub static METHODS: &[MethodSpec] = &[
    method!("system.ping", Default, read!(system::ping), "Tests a key: answers STATUS, TENANT_ID and the tenant's NOW."),
    method!("customer.get", Default, read!(customer::get), "Customers matching FILTER (CUSTOMER_ID, CUSTOMER_EXT_UID, CUSTOMER_NUMBER, EMAIL, COUNTRY_CODE, TERM)."),
    method!("customer.create", Default, write!(customer::create), "Creates a customer; answers CUSTOMER_ID, CUSTOMER_NUMBER, HASH.", CustomerCreate),
    method!("customer.update", Default, write!(customer::update), "Changes a customer's fields."),
    method!("customer.createsecurelink", Default, read!(securelink::customer_link), "A signed, expiring link to the customer's dashboard."),
    method!("customer.delete", Default, write!(customer::delete), "Deletes a customer without running subscriptions or unpaid invoices."),
    method!("article.get", Default, read!(article::get), "Articles matching FILTER (ARTICLE_NUMBER, IS_ADDON, TAGS)."),
    method!("article.create", Default, write!(article::create), "Creates a plan or add-on article."),
    method!("article.update", Default, write!(article::update), "Changes an article; running subscriptions keep their terms."),
    method!("article.delete", Default, write!(article::delete), "Deletes an article no subscription uses."),
    method!("subscription.get", Default, read!(subscription::get), "Subscriptions matching FILTER, by SUBSCRIPTION_ID."),
    method!("subscription.create", Default, write!(subscription::create), "Creates a subscription and bills its first period unless a trial or future start applies."),
    method!("subscription.update", Default, write!(subscription::update), "Changes NEXT_EVENT, SUBSCRIPTION_EXT_UID, X_ATTRIBUTES, FEATURES; a stale HASH is refused."),
    method!("subscription.cancel", Default, write!(subscription_life::cancel), "Schedules the end at CANCELLATION_DATE or the period end the notice period allows."),
    method!("subscription.reactivate", Default, write!(subscription_life::reactivate), "Removes a pending cancellation, or restarts a closed subscription."),
    method!("subscription.terminate", Default, write!(subscription_life::terminate), "Closes now; CREDIT_UNUSED credits the unused days."),
    method!("subscription.postpone", Default, write!(subscription_life::postpone), "Moves NEXT_EVENT later by MONTH months."),
    method!("subscription.renew", Default, write!(subscription_life::renew), "Bills now the periods that are due."),
    method!("subscription.changearticle", Default, write!(subscription_change::change_article), "Moves to another plan: upgrades now with proration, downgrades at the period end."),
    method!("subscription.changequantity", Default, write!(subscription_change::change_quantity), "Changes quantities: increases prorated now, decreases next period."),
    method!("subscription.setaddon", Default, write!(subscription_change::set_addon), "Books a recurring add-on, prorated now unless SUPPRESS_BILL_RUN."),
    method!("subscription.pause", Default, write!(subscription_change::pause), "Pauses billing from START_DATE until END_DATE, for CYCLES periods, or until unpause."),
    method!("subscription.unpause", Default, write!(subscription_change::unpause), "Ends the running pause now."),
    method!("subscription.getpauses", Default, read!(subscription_change::get_pauses), "A subscription's pauses."),
    method!("subscription.deletepause", Default, write!(subscription_change::delete_pause), "Deletes a pause that has not affected an invoice."),
    method!("subscription.createsecurelink", Default, read!(securelink::subscription_links), "Signed, expiring links to cancel, reactivate and book add-ons."),
    method!("subscription.setusagedata", Default, write!(usage::set), "Books usage, billed in arrears on the next invoice.", UsageRecord),
    method!("subscription.getusagedata", Default, read!(usage::get), "A subscription's usage bookings."),
    method!("subscription.deleteusagedata", Default, write!(usage::delete), "Deletes an open usage booking."),
    method!("subscription.getupcomingamount", Default, read!(subscription_life::upcoming_amount), "Quotes a purchase, or a subscription's next invoice."),
    method!("subscription.gettimeline", Default, read!(subscription_life::timeline), "A subscription's events, newest first."),
    method!("invoice.get", Default, read!(invoice::get), "Invoices matching FILTER, with ITEMS and VAT_ITEMS."),
    method!("billing.run", Admin, action!(billing::run), "Bills due subscriptions; NOW moves a test tenant's clock."),
    method!("key.create", Admin, write!(key::create), "Creates an API key; the key is shown once."),
    method!("key.get", Admin, read!(key::get), "Lists the tenant's API keys (hints only)."),
    method!("key.revoke", Admin, write!(key::revoke), "Revokes an API key, effective on the next call."),
];

/// The spec of a method by name.
pub fn method(name: &str) -> Option<&'static MethodSpec> {
    METHODS.iter().find(|m| m.name == name)
}

/// The name of every method of the table, in table order (tests generate
/// their per-method checks from it, so a new method cannot escape them).
pub fn method_names() -> Vec<&'static str> {
    METHODS.iter().map(|m| m.name).collect()
}
