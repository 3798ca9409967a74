//! `key.*` (admin scope): API keys of the calling tenant.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::params::NoTags;
use super::table::{Call, Method, MethodSpec, Read, ReadCx, Scope, Write, WriteCx, read, write};
use super::wire::{self, Done, List, Listed, Success};
use crate::error::AppResult;
use crate::service::keys::{self, KeyScope};

/// This namespace's slice of the method table.
pub static METHODS: &[MethodSpec] = &[write::<Create>(), read::<Get>(), write::<Revoke>()];

/// `key.create`: the key text is in this answer and nowhere else, ever.
pub struct Create;

/// `DATA` of `key.create`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct CreateData {
    /// `default` (every tenant method) or `admin` (also billing.run and keys).
    scope: Option<ScopeIn>,
    note: Option<String>,
}

/// A key scope as sent.
#[derive(Clone, Copy, Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ScopeIn {
    Default,
    Admin,
}

/// What `key.create` answers.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct CreateReply {
    status: Success,
    key_id: Option<i64>,
    /// Shown once; only a hash is stored.
    api_key: Option<String>,
    scope: &'static str,
}

impl Method for Create {
    const NAME: &'static str = "key.create";
    const SUMMARY: &'static str = "Creates an API key; the key is shown once.";
    const SCOPE: Scope = Scope::Admin;
    type Filter = NoTags;
    type Data = CreateData;
    type Reply = CreateReply;
}

impl Write for Create {
    async fn run(cx: WriteCx<'_>, call: Call<NoTags, CreateData>) -> AppResult<CreateReply> {
        let scope = match call.data.scope {
            Some(ScopeIn::Admin) => KeyScope::Admin,
            _ => KeyScope::Default,
        };
        let key = keys::create(&cx, &cx.app.keys.hasher(), scope, call.data.note.as_deref()).await?;
        let shown = !cx.dry_run;
        Ok(CreateReply {
            status: Success,
            key_id: shown.then_some(key.key_id),
            api_key: shown.then(|| key.plain.expose()),
            scope: scope.as_str(),
        })
    }
}

/// `key.get`: hints only; secrets are never stored.
pub struct Get;

/// One key as `key.get` lists it.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct KeyOut {
    key_id: i64,
    scope: String,
    note: Option<String>,
    /// The key's first characters, to recognise it.
    hint: String,
    created: String,
    revoked: Option<String>,
}

impl Listed for KeyOut {
    const KEY: &'static str = "KEYS";
}

impl Method for Get {
    const NAME: &'static str = "key.get";
    const SUMMARY: &'static str = "Lists the tenant's API keys (hints only).";
    const SCOPE: Scope = Scope::Admin;
    type Filter = NoTags;
    type Data = NoTags;
    type Reply = List<KeyOut>;
}

impl Read for Get {
    async fn run(cx: ReadCx<'_>, call: Call<NoTags, NoTags>) -> AppResult<List<KeyOut>> {
        let rows = keys::list(&cx, call.limit, call.offset).await?;
        Ok(List::of(
            rows.into_iter()
                .map(|k| KeyOut {
                    key_id: k.id,
                    scope: k.scope,
                    note: k.note,
                    hint: k.hint,
                    created: wire::datetime(k.created),
                    revoked: wire::opt_datetime(k.revoked),
                })
                .collect(),
        ))
    }
}

/// `key.revoke`: evicts the key from this process's cache once committed.
pub struct Revoke;

/// `DATA` of `key.revoke`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct RevokeData {
    key_id: super::params::Id,
}

impl Method for Revoke {
    const NAME: &'static str = "key.revoke";
    const SUMMARY: &'static str = "Revokes an API key, effective on the next call.";
    const SCOPE: Scope = Scope::Admin;
    const ERRORS: &'static [i32] = &[1004];
    type Filter = NoTags;
    type Data = RevokeData;
    type Reply = Done;
}

impl Write for Revoke {
    async fn run(cx: WriteCx<'_>, call: Call<NoTags, RevokeData>) -> AppResult<Done> {
        let key_id = call.data.key_id.0;
        keys::revoke(&cx, key_id).await?;
        let app = cx.app.clone();
        cx.after_commit.push(move || app.keys.evict(key_id));
        Ok(Done::default())
    }
}
