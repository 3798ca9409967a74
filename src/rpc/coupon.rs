//! `coupon.*`: create, read, check and delete coupons (API.md section 9).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::params::{Currency, Dec, Int, NoTags, Strings, When};
use super::table::{Call, Method, MethodSpec, Read, ReadCx, Write, WriteCx, read, write};
use super::wire::{self, Done, List, Listed, Success};
use crate::domain::coupon::NewCoupon;
use crate::error::{AppError, AppResult};
use crate::service::coupon as service;

/// This namespace's slice of the method table.
pub static METHODS: &[MethodSpec] = &[read::<Get>(), write::<Create>(), read::<Check>(), write::<Delete>()];

/// A coupon as `coupon.get` answers it.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct CouponOut {
    code: String,
    title: Option<String>,
    discount_type: String,
    discount: String,
    /// A fixed coupon's amount (null for a percent coupon).
    discount_amount: Option<String>,
    currency_code: Option<String>,
    discount_period_amount: Option<i32>,
    discount_period_unit: Option<String>,
    valid_from: Option<String>,
    valid_to: Option<String>,
    usages: i32,
    usages_max: i32,
    assigned_articles: Vec<String>,
    /// UNUSED, USED, PREMATURE or EXPIRED.
    state: String,
    created: String,
}

impl Listed for CouponOut {
    const KEY: &'static str = "COUPONS";
}

impl CouponOut {
    fn from(m: &entity::coupon::Model, now: chrono::DateTime<chrono::Utc>) -> AppResult<CouponOut> {
        let c = service::domain(m)?;
        let fixed = m.discount_type == "fixed";
        Ok(CouponOut {
            code: m.code.clone(),
            title: m.title.clone(),
            discount_type: m.discount_type.clone(),
            discount: if fixed { wire::money(m.discount.0, "EUR") } else { wire::percent(m.discount.0) },
            discount_amount: fixed.then(|| wire::money(m.discount.0, m.currency_code.as_deref().unwrap_or("EUR"))),
            currency_code: m.currency_code.clone(),
            discount_period_amount: m.period_amount,
            discount_period_unit: m.period_unit.clone(),
            valid_from: wire::opt_datetime(m.valid_from),
            valid_to: wire::opt_datetime(m.valid_to),
            usages: m.usages,
            usages_max: m.usages_max,
            assigned_articles: c.assigned_articles.clone(),
            state: c.state(now).as_str().to_owned(),
            created: wire::datetime(m.created),
        })
    }
}

/// `coupon.get`.
pub struct Get;

/// `FILTER` of `coupon.get`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct GetFilter {
    code: Option<String>,
}

impl Method for Get {
    const NAME: &'static str = "coupon.get";
    const SUMMARY: &'static str = "Coupons (by CODE), with USAGES and STATE.";
    type Filter = GetFilter;
    type Data = NoTags;
    type Reply = List<CouponOut>;
}

impl Read for Get {
    async fn run(cx: ReadCx<'_>, call: Call<GetFilter, NoTags>) -> AppResult<List<CouponOut>> {
        let rows = service::find(&cx, call.filter.code, call.limit, call.offset).await?;
        Ok(List::of(rows.iter().map(|m| CouponOut::from(m, cx.now)).collect::<AppResult<_>>()?))
    }
}

/// `coupon.create`.
pub struct Create;

/// `DATA` of `coupon.create`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct CreateData {
    code: String,
    title: Option<String>,
    /// percent or fixed.
    discount_type: String,
    /// 0-100 for percent; a net amount > 0 for fixed.
    discount: Dec,
    /// A fixed coupon's currency (optional): it then discounts only subscriptions billed in it.
    currency_code: Option<Currency>,
    discount_period_amount: Option<Int>,
    /// event, day, week, month or year; empty with DISCOUNT_PERIOD_AMOUNT = forever.
    discount_period_unit: Option<String>,
    valid_from: Option<When>,
    valid_to: Option<When>,
    /// 0 or empty = unlimited.
    usages_max: Option<Int>,
    /// A list, or a comma-separated string; empty = every plan.
    assigned_articles: Option<Strings>,
}

/// What `coupon.create` answers.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct CreateReply {
    status: Success,
    code: String,
}

impl Method for Create {
    const NAME: &'static str = "coupon.create";
    const SUMMARY: &'static str = "Creates a coupon code (percent or fixed, length, validity, usages, plans).";
    const ERRORS: &'static [i32] = &[1009];
    type Filter = NoTags;
    type Data = CreateData;
    type Reply = CreateReply;
}

fn count(tag: &str, value: Option<Int>) -> AppResult<Option<u32>> {
    value.map(|v| v.within(tag, 0, i64::from(i32::MAX)).map(|n| n as u32)).transpose()
}

impl Write for Create {
    async fn run(cx: WriteCx<'_>, call: Call<NoTags, CreateData>) -> AppResult<CreateReply> {
        let d = call.data;
        let articles = d.assigned_articles.map(|s| s.0).unwrap_or_default();
        let input = NewCoupon {
            code: &d.code,
            discount_type: &d.discount_type,
            discount: d.discount.0,
            period_amount: count("DISCOUNT_PERIOD_AMOUNT", d.discount_period_amount)?,
            period_unit: d.discount_period_unit.as_deref(),
            valid_from: d.valid_from.map(|w| w.0),
            valid_to: d.valid_to.map(|w| w.0),
            usages_max: count("USAGES_MAX", d.usages_max)?,
            assigned_articles: &articles,
        };
        let row = service::create(&cx, input, d.title, d.currency_code.map(|c| c.0)).await?;
        Ok(CreateReply { status: Success, code: row.code })
    }
}

/// `coupon.check`.
pub struct Check;

/// `DATA` of `coupon.check`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct CheckData {
    code: String,
    /// The plan to redeem it for (1004 when it does not exist).
    article_number: Option<String>,
}

/// What `coupon.check` answers.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct CheckReply {
    /// valid or invalid.
    status: &'static str,
    /// Why it is invalid.
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

impl Method for Check {
    const NAME: &'static str = "coupon.check";
    const SUMMARY: &'static str = "Whether CODE may be redeemed now for ARTICLE_NUMBER: STATUS valid or invalid.";
    const ERRORS: &'static [i32] = &[1004];
    type Filter = NoTags;
    type Data = CheckData;
    type Reply = CheckReply;
}

impl Read for Check {
    async fn run(cx: ReadCx<'_>, call: Call<NoTags, CheckData>) -> AppResult<CheckReply> {
        let d = call.data;
        Ok(match service::check(&cx, &d.code, d.article_number.as_deref()).await? {
            Ok(()) => CheckReply { status: "valid", reason: None },
            Err(reason) => CheckReply { status: "invalid", reason: Some(reason) },
        })
    }
}

/// `coupon.delete`.
pub struct Delete;

/// `DATA` of `coupon.delete`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct DeleteData {
    code: String,
}

impl Method for Delete {
    const NAME: &'static str = "coupon.delete";
    const SUMMARY: &'static str = "Stops new redemptions of CODE; subscriptions that hold it keep it.";
    const ERRORS: &'static [i32] = &[1004];
    type Filter = NoTags;
    type Data = DeleteData;
    type Reply = Done;
}

impl Write for Delete {
    async fn run(cx: WriteCx<'_>, call: Call<NoTags, DeleteData>) -> AppResult<Done> {
        if call.data.code.trim().is_empty() {
            return Err(AppError::invalid("CODE", "required"));
        }
        service::delete(&cx, &call.data.code).await?;
        Ok(Done { status: Success })
    }
}
