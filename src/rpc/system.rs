//! `system.ping` (key checks for shop plugins) and `rpc.discover`.

use schemars::JsonSchema;
use serde::Serialize;

use super::discover::Document;
use super::params::NoTags;
use super::table::{Call, Method, MethodSpec, Read, ReadCx, read};
use super::wire::{self, Success};
use crate::error::AppResult;

/// This namespace's slice of the method table.
pub static METHODS: &[MethodSpec] = &[read::<Ping>(), read::<Discover>()];

/// `system.ping`.
pub struct Ping;

/// What `system.ping` answers.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct PingReply {
    status: Success,
    tenant_id: i64,
    /// The tenant's clock: the system clock, or a test tenant's own.
    now: String,
}

impl Method for Ping {
    const NAME: &'static str = "system.ping";
    const SUMMARY: &'static str = "Tests a key: answers STATUS, TENANT_ID and the tenant's NOW.";
    type Filter = NoTags;
    type Data = NoTags;
    type Reply = PingReply;
}

impl Read for Ping {
    async fn run(cx: ReadCx<'_>, _: Call<NoTags, NoTags>) -> AppResult<PingReply> {
        Ok(PingReply { status: Success, tenant_id: cx.tenant.id.get(), now: wire::datetime(cx.now) })
    }
}

/// `rpc.discover`.
pub struct Discover;

impl Method for Discover {
    const NAME: &'static str = "rpc.discover";
    const SUMMARY: &'static str = "The OpenRPC 1.3 document of every method, generated from the method table.";
    type Filter = NoTags;
    type Data = NoTags;
    type Reply = Document;
}

impl Read for Discover {
    async fn run(_: ReadCx<'_>, _: Call<NoTags, NoTags>) -> AppResult<Document> {
        Ok(Document(super::openrpc()))
    }
}
