//! Plan, quantity and add-on changes of a subscription.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{AddonIn, InvoiceRef, addon, addons};
use crate::error::{AppError, AppResult};
use crate::rpc::params::{Currency, Flag, FreeJson, Id, NoTags, NonNegative, Patch, Positive, UnitPrice};
use crate::rpc::table::{Call, Method, MethodSpec, Write, WriteCx, write};
use crate::rpc::wire::{self, Success};
use crate::service::subscription::changes::{self, ArticleChange, QuantityChange};
use crate::service::subscription::{self as subscriptions, Changed, plan_change};

/// This namespace's slice of the method table.
pub static METHODS: &[MethodSpec] = &[write::<ChangeArticle>(), write::<ChangeQuantity>(), write::<SetAddon>()];

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
