//! `webhook.*`: endpoints (create, get, update, delete) here; deliveries,
//! redelivery and the test event in [`deliveries`]; the objects bodies carry,
//! rendered through the `*.get` methods themselves, in [`objects`].

mod deliveries;
pub mod objects;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::params::{Flag, Id, NoTags, Strings};
use super::table::{Call, Method, MethodSpec, Read, ReadCx, Write, WriteCx, action, read, write};
use super::wire::{self, Done, List, Listed, Success};
use crate::error::AppResult;
use crate::service::webhook::endpoints::{self, Change, NewEndpoint};
use crate::webhook::Target;

pub use objects::WireObjects;

/// This namespace's slice of the method table.
pub static METHODS: &[MethodSpec] = &[
    write::<Create>(),
    read::<Get>(),
    write::<Update>(),
    write::<Delete>(),
    read::<deliveries::GetDeliveries>(),
    write::<deliveries::Redeliver>(),
    action::<deliveries::Test>(),
];

/// `webhook.create`.
pub struct Create;

/// `DATA` of `webhook.create`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct CreateData {
    /// http(s) URL; `user:password@` is sent as HTTP Basic.
    url: String,
    /// Public event types (API.md section 13); empty or absent: all.
    events: Option<Strings>,
    /// `recur` (default) or `fastbill`.
    format: Option<String>,
}

/// What `webhook.create` and `webhook.update` answer.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct CreateReply {
    status: Success,
    webhook_id: i64,
    /// `whsec_...`, shown once (on create and on ROTATE_SECRET).
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<String>,
}

impl Method for Create {
    const NAME: &'static str = "webhook.create";
    const SUMMARY: &'static str = "Registers a webhook endpoint; its SECRET is shown once.";
    const ERRORS: &'static [i32] = &[1009];
    type Filter = NoTags;
    type Data = CreateData;
    type Reply = CreateReply;
}

impl Write for Create {
    async fn run(cx: WriteCx<'_>, call: Call<NoTags, CreateData>) -> AppResult<CreateReply> {
        let d = call.data;
        let new = NewEndpoint { url: d.url, events: d.events.map(|e| e.0).unwrap_or_default(), format: d.format };
        let created = endpoints::create(&cx, new).await?;
        Ok(CreateReply { status: Success, webhook_id: created.id, secret: created.secret })
    }
}

/// `webhook.get`.
pub struct Get;

/// `FILTER` of `webhook.get`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct GetFilter {
    webhook_id: Option<Id>,
}

/// One endpoint as `webhook.get` lists it; never its secret.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct WebhookOut {
    webhook_id: i64,
    /// Credentials shown as `user:***@`.
    url: String,
    events: Vec<String>,
    format: String,
    enabled: bool,
    disabled_reason: Option<String>,
    created: String,
}

impl Listed for WebhookOut {
    const KEY: &'static str = "WEBHOOKS";
}

impl WebhookOut {
    fn from(row: &entity::webhook::Model) -> WebhookOut {
        WebhookOut {
            webhook_id: row.id,
            url: Target::parse(&row.url)
                .map(|t| t.redacted())
                .unwrap_or_else(|_| crate::webhook::target::redacted(&row.url)),
            events: endpoints::event_names(row),
            format: row.format.clone(),
            enabled: row.enabled,
            disabled_reason: row.disabled_reason.clone(),
            created: wire::datetime(row.created),
        }
    }
}

impl Method for Get {
    const NAME: &'static str = "webhook.get";
    const SUMMARY: &'static str = "The tenant's webhook endpoints (never their secrets).";
    type Filter = GetFilter;
    type Data = NoTags;
    type Reply = List<WebhookOut>;
}

impl Read for Get {
    async fn run(cx: ReadCx<'_>, call: Call<GetFilter, NoTags>) -> AppResult<List<WebhookOut>> {
        let id = call.filter.webhook_id.map(|i| i.0);
        let rows = endpoints::list(&cx, id, call.limit, call.offset).await?;
        Ok(List::of(rows.iter().map(WebhookOut::from).collect()))
    }
}

/// `webhook.update`.
pub struct Update;

/// `DATA` of `webhook.update`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct UpdateData {
    webhook_id: Id,
    url: Option<String>,
    events: Option<Strings>,
    format: Option<String>,
    /// true re-enables (new events are delivered again), false disables.
    enabled: Option<Flag>,
    /// true: a new SECRET, shown once; the old one keeps signing beside it for 24 h.
    rotate_secret: Option<Flag>,
}

impl Method for Update {
    const NAME: &'static str = "webhook.update";
    const SUMMARY: &'static str = "Changes an endpoint; ROTATE_SECRET answers a new SECRET once.";
    const ERRORS: &'static [i32] = &[1004, 1009];
    type Filter = NoTags;
    type Data = UpdateData;
    type Reply = CreateReply;
}

impl Write for Update {
    async fn run(cx: WriteCx<'_>, call: Call<NoTags, UpdateData>) -> AppResult<CreateReply> {
        let d = call.data;
        let change = Change {
            url: d.url,
            events: d.events.map(|e| e.0),
            format: d.format,
            enabled: d.enabled.map(|f| f.0),
            rotate_secret: d.rotate_secret.is_some_and(|f| f.0),
        };
        let done = endpoints::update(&cx, d.webhook_id.0, change).await?;
        Ok(CreateReply { status: Success, webhook_id: done.id, secret: done.secret })
    }
}

/// `webhook.delete`.
pub struct Delete;

/// `DATA` of `webhook.delete`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct DeleteData {
    webhook_id: Id,
}

impl Method for Delete {
    const NAME: &'static str = "webhook.delete";
    const SUMMARY: &'static str = "Deletes an endpoint and its deliveries.";
    const ERRORS: &'static [i32] = &[1004];
    type Filter = NoTags;
    type Data = DeleteData;
    type Reply = Done;
}

impl Write for Delete {
    async fn run(cx: WriteCx<'_>, call: Call<NoTags, DeleteData>) -> AppResult<Done> {
        endpoints::delete(&cx, call.data.webhook_id.0).await?;
        Ok(Done::default())
    }
}
