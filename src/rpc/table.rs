//! The shape of the method table: what a method is (name, scope, how it runs,
//! its params and reply types), and the spec each namespace exports for it.
//! The dispatcher, the write queue's grouping, metrics labels and
//! `rpc.discover` all read these specs, so they cannot drift apart.

use std::sync::Arc;

use futures::future::BoxFuture;
use schemars::{JsonSchema, SchemaGenerator};
use sea_orm::{DatabaseConnection, DatabaseTransaction};
use serde::Serialize;

use super::Reply;
use super::envelope::Envelope;
use super::params::Params;
use crate::db::ctx::{Ctx, TenantRef};
use crate::error::AppResult;
use crate::service::AppState;
use crate::service::write_queue::{Done, Job};

/// Who may call a method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Any key of the tenant.
    Default,
    /// Admin keys only (1003 otherwise).
    Admin,
}

impl Scope {
    /// The name `rpc.discover` shows as `x-scope`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Default => "default",
            Scope::Admin => "admin",
        }
    }
}

/// How a method runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// On the read pool, outside any transaction; takes FILTER, LIMIT, OFFSET.
    Read,
    /// In one transaction of its own, with idempotency and dry runs.
    Write,
    /// A write that opens its own transactions (a billing run commits chunk by chunk).
    Action,
}

/// What a handler sees: the use-case context and the gateway's shared state.
#[derive(Clone, Copy)]
pub struct Cx<'a, C> {
    pub ctx: &'a Ctx<C>,
    pub app: &'a Arc<AppState>,
}

impl<C> std::ops::Deref for Cx<'_, C> {
    type Target = Ctx<C>;

    fn deref(&self) -> &Ctx<C> {
        self.ctx
    }
}

/// A read's context: the read pool.
pub type ReadCx<'a> = Cx<'a, DatabaseConnection>;
/// A write's context: its transaction.
pub type WriteCx<'a> = Cx<'a, DatabaseTransaction>;

/// One call's decoded params.
#[derive(Debug)]
pub struct Call<F, D> {
    pub filter: F,
    pub data: D,
    /// Page size (`LIMIT`, default 10).
    pub limit: u64,
    /// Rows to skip (`OFFSET`).
    pub offset: u64,
}

/// A method: its name, who may call it, and its types.
pub trait Method: Send + Sync + 'static {
    const NAME: &'static str;
    /// One line for `rpc.discover` and the README.
    const SUMMARY: &'static str;
    const SCOPE: Scope = Scope::Default;
    /// Codes this method answers besides the common ones (-326xx, 1001, 1029).
    const ERRORS: &'static [i32] = &[];
    /// `FILTER` tags (`NoTags` when none).
    type Filter: Params;
    /// `DATA` tags (`NoTags` when none).
    type Data: Params;
    /// The RESPONSE object.
    type Reply: Serialize + JsonSchema + Send;
}

/// A read.
pub trait Read: Method {
    fn run(cx: ReadCx<'_>, call: Call<Self::Filter, Self::Data>)
    -> impl Future<Output = AppResult<Self::Reply>> + Send;
}

/// A write in one transaction.
pub trait Write: Method {
    fn run(
        cx: WriteCx<'_>,
        call: Call<Self::Filter, Self::Data>,
    ) -> impl Future<Output = AppResult<Self::Reply>> + Send;
}

/// A write the write queue may group with concurrent ones of its kind.
pub trait Grouped: Write {
    /// The queue job for this call's data.
    fn job(data: Self::Data) -> AppResult<Job>;
    /// The answer for what the queue did.
    fn answer(done: Done) -> AppResult<Self::Reply>;
}

/// A write that manages its own transactions (a billing run commits chunk by
/// chunk). Its connection is the write pool, or, when the call carries an
/// IDEMPOTENCY_KEY, one transaction that also stores the answer: then the
/// whole action and its stored answer commit together or not at all.
pub trait Action: Method {
    fn run<C: crate::db::Conn>(
        cx: Cx<'_, C>,
        call: Call<Self::Filter, Self::Data>,
    ) -> impl Future<Output = AppResult<Self::Reply>> + Send;

    /// Work after the action committed (its one transaction too), before the
    /// call answers; not after a dry run. Nothing by default.
    fn after_commit(app: &Arc<AppState>, tenant: TenantRef) -> impl Future<Output = ()> + Send {
        let _ = (app, tenant);
        async {}
    }
}

/// Runs one call of a method for an authenticated tenant.
pub type Handler = fn(Arc<AppState>, TenantRef, Envelope, Option<String>) -> BoxFuture<'static, AppResult<Reply>>;

/// Adds a method's params and reply schemas to a generator (for `rpc.discover`).
pub type Describe = fn(&mut SchemaGenerator) -> Schemas;

/// A method's schemas; `None` where it takes no such tags.
pub struct Schemas {
    pub filter: Option<schemars::Schema>,
    pub data: Option<schemars::Schema>,
    pub reply: schemars::Schema,
}

/// One row of the method table.
pub struct MethodSpec {
    pub name: &'static str,
    pub summary: &'static str,
    pub scope: Scope,
    pub mode: Mode,
    /// True for writes the write queue groups (see `service::write_queue`).
    pub grouped: bool,
    pub errors: &'static [i32],
    pub handler: Handler,
    pub describe: Describe,
}

impl MethodSpec {
    /// True for writes and actions.
    pub fn writes(&self) -> bool {
        self.mode != Mode::Read
    }
}

/// The spec of a read.
pub const fn read<M: Read>() -> MethodSpec {
    spec::<M>(Mode::Read, false, super::dispatch::run_read::<M>)
}

/// The spec of a write.
pub const fn write<M: Write>() -> MethodSpec {
    spec::<M>(Mode::Write, false, super::dispatch::run_write::<M>)
}

/// The spec of a write the queue groups.
pub const fn grouped<M: Grouped>() -> MethodSpec {
    spec::<M>(Mode::Write, true, super::dispatch::run_grouped::<M>)
}

/// The spec of an action.
pub const fn action<M: Action>() -> MethodSpec {
    spec::<M>(Mode::Action, false, super::dispatch::run_action::<M>)
}

const fn spec<M: Method>(mode: Mode, grouped: bool, handler: Handler) -> MethodSpec {
    MethodSpec {
        name: M::NAME,
        summary: M::SUMMARY,
        scope: M::SCOPE,
        mode,
        grouped,
        errors: M::ERRORS,
        handler,
        describe: super::discover::describe::<M>,
    }
}
