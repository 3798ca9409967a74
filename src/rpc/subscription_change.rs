//! Plan, quantity and add-on changes and pauses of a subscription.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::params::{Currency, Flag, FreeJson, Id, Int, NoTags, NonNegative, Patch, Positive, UnitPrice, When};
use super::subscription::{AddonIn, InvoiceRef, addon, addons};
use super::table::{Call, Method, MethodSpec, Read, ReadCx, Write, WriteCx, read, write};
use super::wire::{self, Done, List, Listed, Success};
use crate::error::{AppError, AppResult};
use crate::service::subscription::changes::{self, ArticleChange, QuantityChange};
use crate::service::subscription::pauses::{self, NewPause};
use crate::service::subscription::{self as subscriptions, Changed, plan_change};

/// This namespace's slice of the method table.
pub static METHODS: &[MethodSpec] = &[
    write::<ChangeArticle>(),
    write::<ChangeQuantity>(),
    write::<SetAddon>(),
    write::<Pause>(),
    write::<Unpause>(),
    read::<GetPauses>(),
    write::<DeletePause>(),
];

/// What a plan, quantity or add-on change answers.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct ChangeReply {
    status: Success,
    subscription_id: i64,
    /// `immediate`, or `scheduled` for a change at the period end (PLAN_UPCOMING).
    change: &'static str,
    effective_date: String,
    #[serde(flatten)]
    invoice: InvoiceRef,
}

fn change_reply(cx: &WriteCx<'_>, changed: &Changed) -> AppResult<ChangeReply> {
    let upcoming = plan_change::upcoming(&changed.sub)?;
    Ok(ChangeReply {
        status: Success,
        subscription_id: changed.sub.id,
        change: if upcoming.is_some() { "scheduled" } else { "immediate" },
        effective_date: upcoming.map_or_else(|| wire::datetime(cx.now), |u| wire::datetime(u.effective())),
        invoice: InvoiceRef::of(cx, &changed.invoices),
    })
}

const CHANGE_ERRORS: &[i32] = &[1004, 1009];

/// `subscription.changearticle`.
pub struct ChangeArticle;

/// `DATA` of `subscription.changearticle`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct ChangeArticleData {
    subscription_id: Id,
    article_number: String,
    quantity: Option<Positive>,
    title: Option<String>,
    description: Option<String>,
    unit_price: Option<UnitPrice>,
    /// Drop the booked add-ons with the change.
    reset_addons: Option<Flag>,
    addons: Option<Vec<AddonIn>>,
    coupon: Option<String>,
    #[serde(default)]
    features: Patch<FreeJson>,
    /// Defer the proration lines to the next regular invoice.
    suppress_bill_run: Option<Flag>,
    /// Must equal the subscription's currency when given.
    currency_code: Option<Currency>,
    /// Accepted for FastBill clients; recur sends no mail on changes.
    suppress_mail: Option<Flag>,
}

impl Method for ChangeArticle {
    const NAME: &'static str = "subscription.changearticle";
    const SUMMARY: &'static str = "Moves to another plan: upgrades now with proration, downgrades at the period end.";
    const ERRORS: &'static [i32] = CHANGE_ERRORS;
    type Filter = NoTags;
    type Data = ChangeArticleData;
    type Reply = ChangeReply;
}

impl Write for ChangeArticle {
    async fn run(cx: WriteCx<'_>, call: Call<NoTags, ChangeArticleData>) -> AppResult<ChangeReply> {
        let d = call.data;
        // SUPPRESS_MAIL holds by construction: no mail is sent on changes.
        let _ = d.suppress_mail;
        if d.article_number.is_empty() {
            return Err(AppError::invalid("ARTICLE_NUMBER", "required"));
        }
        let id = d.subscription_id.0;
        if let Some(currency) = d.currency_code {
            let sub = subscriptions::get_one(&cx, id).await?;
            if currency.0 != sub.currency_code {
                return Err(AppError::invalid(
                    "CURRENCY_CODE",
                    format!("the subscription bills in {}", sub.currency_code),
                ));
            }
        }
        let change = ArticleChange {
            article_number: d.article_number,
            quantity: d.quantity.map(|q| q.0),
            title: d.title,
            description: d.description,
            unit_price: d.unit_price.map(|p| p.0),
            reset_addons: d.reset_addons.is_some_and(|f| f.0),
            addons: addons(d.addons)?,
            coupon: d.coupon,
            features: d.features.map(|f| f.0).into_option(),
            suppress_bill_run: d.suppress_bill_run.is_some_and(|f| f.0),
        };
        let changed = changes::change_article(&cx, id, change).await?;
        change_reply(&cx, &changed)
    }
}

/// `subscription.changequantity`.
pub struct ChangeQuantity;

/// `DATA` of `subscription.changequantity`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct ChangeQuantityData {
    subscription_id: Id,
    /// The plan's or a booked add-on's article.
    article_number: String,
    quantity: NonNegative,
    addons: Option<Vec<QuantityIn>>,
}

/// One entry of `ADDONS` in `subscription.changequantity`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct QuantityIn {
    article_number: String,
    quantity: NonNegative,
}

impl Method for ChangeQuantity {
    const NAME: &'static str = "subscription.changequantity";
    const SUMMARY: &'static str = "Changes quantities: increases prorated now, decreases next period.";
    const ERRORS: &'static [i32] = CHANGE_ERRORS;
    type Filter = NoTags;
    type Data = ChangeQuantityData;
    type Reply = ChangeReply;
}

impl Write for ChangeQuantity {
    async fn run(cx: WriteCx<'_>, call: Call<NoTags, ChangeQuantityData>) -> AppResult<ChangeReply> {
        let d = call.data;
        let mut list =
            vec![QuantityChange { tag: "QUANTITY".into(), article_number: d.article_number, quantity: d.quantity.0 }];
        for (i, entry) in d.addons.unwrap_or_default().into_iter().enumerate() {
            list.push(QuantityChange {
                tag: format!("ADDONS[{i}].QUANTITY"),
                article_number: entry.article_number,
                quantity: entry.quantity.0,
            });
        }
        let changed = changes::change_quantity(&cx, d.subscription_id.0, list).await?;
        change_reply(&cx, &changed)
    }
}

/// `subscription.setaddon`.
pub struct SetAddon;

/// `DATA` of `subscription.setaddon`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct SetAddonData {
    subscription_id: Id,
    article_number: String,
    quantity: Option<Positive>,
    title: Option<String>,
    description: Option<String>,
    unit_price: Option<UnitPrice>,
    /// Defer the proration line to the next regular invoice.
    suppress_bill_run: Option<Flag>,
    /// Accepted for FastBill clients; recur sends no mail on changes.
    suppress_mail: Option<Flag>,
}

impl Method for SetAddon {
    const NAME: &'static str = "subscription.setaddon";
    const SUMMARY: &'static str = "Books a recurring add-on, prorated now unless SUPPRESS_BILL_RUN.";
    const ERRORS: &'static [i32] = CHANGE_ERRORS;
    type Filter = NoTags;
    type Data = SetAddonData;
    type Reply = ChangeReply;
}

impl Write for SetAddon {
    async fn run(cx: WriteCx<'_>, call: Call<NoTags, SetAddonData>) -> AppResult<ChangeReply> {
        let d = call.data;
        let _ = d.suppress_mail;
        let request =
            addon(String::new(), AddonIn::new(d.article_number, d.quantity, d.title, d.description, d.unit_price))?;
        let suppress = d.suppress_bill_run.is_some_and(|f| f.0);
        let changed = changes::set_addon(&cx, d.subscription_id.0, request, suppress).await?;
        change_reply(&cx, &changed)
    }
}

/// A pause on the wire.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct PauseOut {
    /// recur's id, or the client's own PAUSE_ID.
    pause_id: Value,
    subscription_id: i64,
    start_date: String,
    end_date: Option<String>,
    cycles: Option<i32>,
    /// `scheduled`, `running` or `ended` (`success` in the answer of `subscription.pause`).
    status: &'static str,
    /// True once the pause affected an invoice (it can no longer be deleted).
    locked: bool,
    created: String,
}

impl Listed for PauseOut {
    const KEY: &'static str = "PAUSES";
}

fn pause_out(p: &entity::subscription_pause::Model, now: DateTime<Utc>) -> PauseOut {
    let status = if p.ended || p.end.is_some_and(|e| e <= now) {
        "ended"
    } else if p.started {
        "running"
    } else {
        "scheduled"
    };
    PauseOut {
        pause_id: pauses::public_id(p),
        subscription_id: p.subscription_id,
        start_date: wire::datetime(p.start),
        end_date: wire::opt_datetime(p.end),
        cycles: p.cycles,
        status,
        locked: p.affected,
        created: wire::datetime(p.created),
    }
}

/// `subscription.pause`.
pub struct Pause;

/// `DATA` of `subscription.pause`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct PauseData {
    subscription_id: Id,
    /// Default: now.
    start_date: Option<When>,
    end_date: Option<When>,
    /// Billing periods to skip (1 to 1200); none and no END_DATE = until unpaused.
    cycles: Option<Int>,
    /// An own id (not all digits, at most 100 characters); an existing one changes that pause.
    pause_id: Option<String>,
}

impl Method for Pause {
    const NAME: &'static str = "subscription.pause";
    const SUMMARY: &'static str =
        "Pauses billing from START_DATE until END_DATE, for CYCLES periods, or until unpause.";
    const ERRORS: &'static [i32] = CHANGE_ERRORS;
    type Filter = NoTags;
    type Data = PauseData;
    type Reply = PauseOut;
}

impl Write for Pause {
    async fn run(cx: WriteCx<'_>, call: Call<NoTags, PauseData>) -> AppResult<PauseOut> {
        let d = call.data;
        if d.pause_id.as_ref().is_some_and(|e| e.bytes().all(|b| b.is_ascii_digit()) || e.len() > 100) {
            return Err(AppError::invalid("PAUSE_ID", "an own PAUSE_ID needs a non-digit and at most 100 characters"));
        }
        let input = NewPause {
            subscription_id: d.subscription_id.0,
            start: d.start_date.map(|w| w.0),
            end: d.end_date.map(|w| w.0),
            cycles: d.cycles.map(|c| c.within("CYCLES", 1, 1200)).transpose()?.map(|c| c as u32),
            ext_id: d.pause_id,
        };
        let created = pauses::pause(&cx, input).await?;
        let mut out = pause_out(&created, cx.now);
        out.status = "success";
        if cx.dry_run && created.ext_id.is_none() {
            out.pause_id = Value::Null;
        }
        Ok(out)
    }
}

/// `DATA` naming one subscription.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct SubscriptionRef {
    pub subscription_id: Id,
}

/// `subscription.unpause`.
pub struct Unpause;

/// What `subscription.unpause` answers.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct UnpauseReply {
    status: Success,
    subscription_id: i64,
    pause_id: Value,
}

impl Method for Unpause {
    const NAME: &'static str = "subscription.unpause";
    const SUMMARY: &'static str = "Ends the running pause now.";
    const ERRORS: &'static [i32] = CHANGE_ERRORS;
    type Filter = NoTags;
    type Data = SubscriptionRef;
    type Reply = UnpauseReply;
}

impl Write for Unpause {
    async fn run(cx: WriteCx<'_>, call: Call<NoTags, SubscriptionRef>) -> AppResult<UnpauseReply> {
        let id = call.data.subscription_id.0;
        let ended = pauses::unpause(&cx, id).await?;
        Ok(UnpauseReply { status: Success, subscription_id: id, pause_id: pauses::public_id(&ended) })
    }
}

/// `subscription.getpauses`.
pub struct GetPauses;

impl Method for GetPauses {
    const NAME: &'static str = "subscription.getpauses";
    const SUMMARY: &'static str = "A subscription's pauses.";
    const ERRORS: &'static [i32] = &[1004];
    type Filter = SubscriptionRef;
    type Data = NoTags;
    type Reply = List<PauseOut>;
}

impl Read for GetPauses {
    async fn run(cx: ReadCx<'_>, call: Call<SubscriptionRef, NoTags>) -> AppResult<List<PauseOut>> {
        let rows = pauses::list(&cx, call.filter.subscription_id.0).await?;
        Ok(List::of(rows.iter().map(|p| pause_out(p, cx.now)).collect()))
    }
}

/// `subscription.deletepause`.
pub struct DeletePause;

/// `DATA` of `subscription.deletepause`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct DeletePauseData {
    /// recur's id or the client's own.
    pause_id: String,
    subscription_id: Option<Id>,
}

impl Method for DeletePause {
    const NAME: &'static str = "subscription.deletepause";
    const SUMMARY: &'static str = "Deletes a pause that has not affected an invoice.";
    const ERRORS: &'static [i32] = CHANGE_ERRORS;
    type Filter = NoTags;
    type Data = DeletePauseData;
    type Reply = Done;
}

impl Write for DeletePause {
    async fn run(cx: WriteCx<'_>, call: Call<NoTags, DeletePauseData>) -> AppResult<Done> {
        let d = call.data;
        if d.pause_id.is_empty() {
            return Err(AppError::invalid("PAUSE_ID", "required"));
        }
        pauses::delete(&cx, &d.pause_id, d.subscription_id.map(|i| i.0)).await?;
        Ok(Done::default())
    }
}
