//! `article.*`: plans and add-ons.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::params::{Currency, Flag, FreeJson, Int, NoTags, NonNegative, Patch, Percent, Period, Strings, UnitPrice};
use super::table::{Call, Method, MethodSpec, Read, ReadCx, Write, WriteCx, read, write};
use super::wire::{self, Done, List, Listed, Success};
use crate::error::{AppError, AppResult};
use crate::service::article::{self as service, ArticleFilter, ArticlePatch};

/// This namespace's slice of the method table.
pub static METHODS: &[MethodSpec] = &[read::<Get>(), write::<Create>(), write::<Update>(), write::<Delete>()];

/// An article on the wire.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct ArticleOut {
    article_id: i64,
    article_number: String,
    title: String,
    description: Option<String>,
    unit_price: String,
    currency_code: String,
    vat_percent: String,
    setup_fee: String,
    is_addon: bool,
    allow_multiple: bool,
    subscription_interval: String,
    subscription_trial: Option<String>,
    subscription_duration: Option<i32>,
    subscription_cancellation: Option<String>,
    features: Option<serde_json::Value>,
    translations: Option<serde_json::Value>,
    tags: Vec<String>,
    created: String,
}

impl Listed for ArticleOut {
    const KEY: &'static str = "ARTICLES";
}

impl ArticleOut {
    /// Maps a stored article to its wire form.
    pub fn from(m: entity::article::Model) -> Self {
        let tags = service::tags(&m);
        ArticleOut {
            article_id: m.id,
            unit_price: wire::price(m.unit_price.0, &m.currency_code),
            vat_percent: wire::percent(m.vat_percent.0),
            setup_fee: wire::money(m.setup_fee.0, &m.currency_code),
            article_number: m.article_number,
            title: m.title,
            description: m.description,
            currency_code: m.currency_code,
            is_addon: m.is_addon,
            allow_multiple: m.allow_multiple,
            subscription_interval: m.interval,
            subscription_trial: m.trial,
            subscription_duration: m.duration,
            subscription_cancellation: m.cancellation,
            features: m.features,
            translations: m.translations,
            tags,
            created: wire::datetime(m.created),
        }
    }
}

/// `article.get`.
pub struct Get;

/// `FILTER` of `article.get`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct GetFilter {
    article_number: Option<String>,
    is_addon: Option<Flag>,
    /// Articles carrying all of these tags.
    tags: Option<Strings>,
}

impl Method for Get {
    const NAME: &'static str = "article.get";
    const SUMMARY: &'static str = "Articles matching FILTER (ARTICLE_NUMBER, IS_ADDON, TAGS).";
    type Filter = GetFilter;
    type Data = NoTags;
    type Reply = List<ArticleOut>;
}

impl Read for Get {
    async fn run(cx: ReadCx<'_>, call: Call<GetFilter, NoTags>) -> AppResult<List<ArticleOut>> {
        let f = call.filter;
        let filter = ArticleFilter {
            article_number: f.article_number,
            is_addon: f.is_addon.map(|b| b.0),
            tags: f.tags.map(|t| t.0).unwrap_or_default(),
        };
        let rows = service::find(&cx, filter, call.limit, call.offset).await?;
        Ok(List::of(rows.into_iter().map(ArticleOut::from).collect()))
    }
}

/// The tags of an article (`article.create`, `article.update`).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct ArticleData {
    /// At most 100 characters, without `#`.
    article_number: String,
    title: Option<String>,
    #[serde(default)]
    description: Patch<String>,
    unit_price: Option<UnitPrice>,
    currency_code: Option<Currency>,
    vat_percent: Option<Percent>,
    setup_fee: Option<NonNegative>,
    is_addon: Option<Flag>,
    allow_multiple: Option<Flag>,
    subscription_interval: Option<Period>,
    #[serde(default)]
    subscription_trial: Patch<Period>,
    /// A fixed number of periods; 0 or empty = perpetual.
    #[serde(default)]
    subscription_duration: Patch<Int>,
    /// The notice period.
    #[serde(default)]
    subscription_cancellation: Patch<Period>,
    #[serde(default)]
    features: Patch<FreeJson>,
    #[serde(default)]
    translations: Patch<FreeJson>,
    tags: Option<Strings>,
}

impl ArticleData {
    fn split(self) -> AppResult<(String, ArticlePatch)> {
        let number = self.article_number;
        if number.is_empty() {
            return Err(AppError::invalid("ARTICLE_NUMBER", "required"));
        }
        if number.len() > 100 || number.contains('#') {
            return Err(AppError::invalid("ARTICLE_NUMBER", "at most 100 characters, without '#'"));
        }
        if self.title.as_ref().is_some_and(|t| t.len() > 500) {
            return Err(AppError::invalid("TITLE", "at most 500 characters"));
        }
        let duration = match self.subscription_duration {
            Patch::Absent => None,
            Patch::Clear => Some(None),
            Patch::Set(n) => match n.within("SUBSCRIPTION_DURATION", 0, 1200)? {
                0 => Some(None),
                n => Some(Some(n as i32)),
            },
        };
        let patch = ArticlePatch {
            title: self.title,
            description: self.description.into_option(),
            unit_price: self.unit_price.map(|p| p.0),
            currency_code: self.currency_code.map(|c| c.0),
            vat_percent: self.vat_percent.map(|p| p.0),
            setup_fee: self.setup_fee.map(|f| f.0),
            is_addon: self.is_addon.map(|f| f.0),
            allow_multiple: self.allow_multiple.map(|f| f.0),
            interval: self.subscription_interval.map(|p| p.0),
            trial: self.subscription_trial.map(|p| p.0).into_option(),
            duration,
            cancellation: self.subscription_cancellation.map(|p| p.0).into_option(),
            features: self.features.map(|j| j.0).into_option(),
            translations: self.translations.map(|j| j.0).into_option(),
            tags: self.tags.map(|t| t.0),
        };
        Ok((number, patch))
    }
}

/// What `article.create` and `article.update` answer.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct ArticleReply {
    status: Success,
    /// `null` on a dry run of `article.create`.
    article_id: Option<i64>,
    article_number: String,
}

/// `article.create`.
pub struct Create;

impl Method for Create {
    const NAME: &'static str = "article.create";
    const SUMMARY: &'static str = "Creates a plan or add-on article.";
    const ERRORS: &'static [i32] = &[1009];
    type Filter = NoTags;
    type Data = ArticleData;
    type Reply = ArticleReply;
}

impl Write for Create {
    async fn run(cx: WriteCx<'_>, call: Call<NoTags, ArticleData>) -> AppResult<ArticleReply> {
        let (number, patch) = call.data.split()?;
        let created = service::create(&cx, number, patch).await?;
        Ok(ArticleReply {
            status: Success,
            article_id: (!cx.dry_run).then_some(created.id),
            article_number: created.article_number,
        })
    }
}

/// `article.update`.
pub struct Update;

impl Method for Update {
    const NAME: &'static str = "article.update";
    const SUMMARY: &'static str = "Changes an article; running subscriptions keep their terms.";
    const ERRORS: &'static [i32] = &[1004, 1009];
    type Filter = NoTags;
    type Data = ArticleData;
    type Reply = ArticleReply;
}

impl Write for Update {
    async fn run(cx: WriteCx<'_>, call: Call<NoTags, ArticleData>) -> AppResult<ArticleReply> {
        let (number, patch) = call.data.split()?;
        let updated = service::update(&cx, &number, patch).await?;
        Ok(ArticleReply { status: Success, article_id: Some(updated.id), article_number: updated.article_number })
    }
}

/// `article.delete`.
pub struct Delete;

/// `DATA` of `article.delete`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct DeleteData {
    article_number: String,
}

impl Method for Delete {
    const NAME: &'static str = "article.delete";
    const SUMMARY: &'static str = "Deletes an article no subscription uses.";
    const ERRORS: &'static [i32] = &[1004, 1009];
    type Filter = NoTags;
    type Data = DeleteData;
    type Reply = Done;
}

impl Write for Delete {
    async fn run(cx: WriteCx<'_>, call: Call<NoTags, DeleteData>) -> AppResult<Done> {
        service::delete(&cx, &call.data.article_number).await?;
        Ok(Done::default())
    }
}
