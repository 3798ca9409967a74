//! `blacklist.*`: organization numbers, VAT ids and e-mail addresses the tenant
//! does not sell subscriptions to (API.md, phase 3). `subscription.create` for
//! a customer whose TAX_ID (a customer's organization number), VAT_ID or EMAIL
//! is listed answers 1009.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::params::NoTags;
use super::table::{Call, Method, MethodSpec, Read, ReadCx, Write, WriteCx, read, write};
use super::wire::{self, Done, List, Listed, Success};
use crate::error::{AppError, AppResult};
use crate::service::blacklist::{self as service, Key, KeyType};

/// This namespace's slice of the method table.
pub static METHODS: &[MethodSpec] = &[read::<Get>(), write::<Set>(), write::<Delete>()];

/// One key: exactly one of the three tags.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields, default)]
pub struct KeyTags {
    organization_number: Option<String>,
    vat_id: Option<String>,
    email: Option<String>,
}

impl KeyTags {
    /// The one key given; `None` when none is (where that is allowed).
    fn key(self) -> AppResult<Option<Key>> {
        let given: Vec<Key> = [
            (KeyType::OrganizationNumber, self.organization_number),
            (KeyType::VatId, self.vat_id),
            (KeyType::Email, self.email),
        ]
        .into_iter()
        .filter_map(|(key_type, value)| value.map(|value| Key { key_type, value }))
        .collect();
        match given.len() {
            0 | 1 => Ok(given.into_iter().next()),
            _ => Err(AppError::invalid(
                given[1].key_type.tag(),
                "give one of ORGANIZATION_NUMBER, VAT_ID and EMAIL per entry",
            )),
        }
    }

    fn required(self) -> AppResult<Key> {
        self.key()?.ok_or_else(|| {
            AppError::invalid("ORGANIZATION_NUMBER", "one of ORGANIZATION_NUMBER, VAT_ID or EMAIL is required")
        })
    }
}

/// An entry as `blacklist.get` answers it: its key under its own tag.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct EntryOut {
    #[serde(skip_serializing_if = "Option::is_none")]
    organization_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    vat_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<String>,
    reason: Option<String>,
    created: String,
}

impl Listed for EntryOut {
    const KEY: &'static str = "ENTRIES";
}

impl From<&entity::blacklist_entry::Model> for EntryOut {
    fn from(m: &entity::blacklist_entry::Model) -> EntryOut {
        let kind = KeyType::parse(&m.key_type);
        let value = |k: KeyType| (kind == Some(k)).then(|| m.key_value.clone());
        EntryOut {
            organization_number: value(KeyType::OrganizationNumber),
            vat_id: value(KeyType::VatId),
            email: value(KeyType::Email),
            reason: m.reason.clone(),
            created: wire::datetime(m.created),
        }
    }
}

/// `blacklist.get`.
pub struct Get;

impl Method for Get {
    const NAME: &'static str = "blacklist.get";
    const SUMMARY: &'static str =
        "Blacklist entries, oldest first; FILTER one key (ORGANIZATION_NUMBER, VAT_ID or EMAIL) to look it up.";
    type Filter = KeyTags;
    type Data = NoTags;
    type Reply = List<EntryOut>;
}

impl Read for Get {
    async fn run(cx: ReadCx<'_>, call: Call<KeyTags, NoTags>) -> AppResult<List<EntryOut>> {
        let rows = service::find(&cx, call.filter.key()?, call.limit, call.offset).await?;
        Ok(List::of(rows.iter().map(EntryOut::from).collect()))
    }
}

/// `blacklist.set`.
pub struct Set;

/// `DATA` of `blacklist.set`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct SetData {
    organization_number: Option<String>,
    vat_id: Option<String>,
    email: Option<String>,
    reason: Option<String>,
}

/// What `blacklist.set` answers.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct SetReply {
    status: Success,
    /// Whether the key was not listed before (else its REASON was replaced).
    created: bool,
}

impl Method for Set {
    const NAME: &'static str = "blacklist.set";
    const SUMMARY: &'static str = "Lists ORGANIZATION_NUMBER, VAT_ID or EMAIL with a REASON; subscription.create for a matching customer then answers 1009.";
    type Filter = NoTags;
    type Data = SetData;
    type Reply = SetReply;
}

impl Write for Set {
    async fn run(cx: WriteCx<'_>, call: Call<NoTags, SetData>) -> AppResult<SetReply> {
        let d = call.data;
        let key =
            KeyTags { organization_number: d.organization_number, vat_id: d.vat_id, email: d.email }.required()?;
        let (_, created) = service::set(&cx, key, d.reason).await?;
        Ok(SetReply { status: Success, created })
    }
}

/// `blacklist.delete`.
pub struct Delete;

impl Method for Delete {
    const NAME: &'static str = "blacklist.delete";
    const SUMMARY: &'static str = "Removes a key from the blacklist (1004 when it is not listed).";
    const ERRORS: &'static [i32] = &[1004];
    type Filter = NoTags;
    type Data = KeyTags;
    type Reply = Done;
}

impl Write for Delete {
    async fn run(cx: WriteCx<'_>, call: Call<NoTags, KeyTags>) -> AppResult<Done> {
        service::delete(&cx, call.data.required()?).await?;
        Ok(Done::default())
    }
}
