//! `subscription.*usagedata`: usage billed in arrears.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::{AppError, AppResult};
use crate::rpc::params::{Currency, Id, NoTags, Positive, UnitPrice, When};
use crate::rpc::table::{Call, Grouped, Method, MethodSpec, Read, ReadCx, Write, WriteCx, grouped, read, write};
use crate::rpc::wire::{self, Done, List, Listed, Success};
use crate::service::usage::{self as service, NewUsage};
use crate::service::write_queue::{Done as Queued, Job};

/// This namespace's slice of the method table.
pub static METHODS: &[MethodSpec] = &[grouped::<Set>(), read::<Get>(), write::<Delete>()];

/// `subscription.setusagedata`.
pub struct Set;

/// `DATA` of `subscription.setusagedata`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct SetData {
    subscription_id: Id,
    article_number: String,
    /// Default 1.
    quantity: Option<Positive>,
    /// Default: the article's price.
    unit_price: Option<UnitPrice>,
    description: Option<String>,
    currency_code: Option<Currency>,
    /// Default: now.
    usage_date: Option<When>,
}

impl SetData {
    fn into_usage(self) -> AppResult<NewUsage> {
        if self.article_number.is_empty() {
            return Err(AppError::invalid("ARTICLE_NUMBER", "required"));
        }
        Ok(NewUsage {
            subscription_id: self.subscription_id.0,
            article_number: self.article_number,
            quantity: self.quantity.map_or(rust_decimal::Decimal::ONE, |q| q.0),
            unit_price: self.unit_price.map(|p| p.0),
            description: self.description,
            currency_code: self.currency_code.map(|c| c.0),
            usage_date: self.usage_date.map(|w| w.0),
        })
    }
}

/// What `subscription.setusagedata` answers.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct SetReply {
    status: Success,
    /// `null` on a dry run.
    usagedata_id: Option<i64>,
}

impl Method for Set {
    const NAME: &'static str = "subscription.setusagedata";
    const SUMMARY: &'static str = "Books usage, billed in arrears on the next invoice.";
    const ERRORS: &'static [i32] = &[1004, 1009];
    type Filter = NoTags;
    type Data = SetData;
    type Reply = SetReply;
}

impl Write for Set {
    async fn run(cx: WriteCx<'_>, call: Call<NoTags, SetData>) -> AppResult<SetReply> {
        let row = service::record(&cx, call.data.into_usage()?).await?;
        Ok(SetReply { status: Success, usagedata_id: (!cx.dry_run).then_some(row.id) })
    }
}

impl Grouped for Set {
    fn job(data: SetData) -> AppResult<Job> {
        Ok(Job::RecordUsage(data.into_usage()?))
    }

    fn answer(done: Queued) -> AppResult<SetReply> {
        match done {
            Queued::Usage(row) => Ok(SetReply { status: Success, usagedata_id: Some(row.id) }),
            Queued::Customer(_) => Err(AppError::internal("the write queue answered a customer for a usage booking")),
        }
    }
}

/// `subscription.getusagedata`.
pub struct Get;

/// `FILTER` of `subscription.getusagedata`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct GetFilter {
    subscription_id: Id,
    /// Bookings with USAGE_DATE at or after this.
    start: Option<When>,
    /// Bookings with USAGE_DATE at or before this.
    end: Option<When>,
}

/// One usage booking.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct UsageOut {
    usagedata_id: i64,
    customer_id: i64,
    subscription_id: i64,
    article_number: String,
    quantity: String,
    unit_price: String,
    description: String,
    currency_code: String,
    /// `open` or `invoiced`.
    status: &'static str,
    invoice_id: Option<i64>,
    usage_date: String,
    created: String,
}

impl Listed for UsageOut {
    const KEY: &'static str = "USAGEDATA";
}

impl Method for Get {
    const NAME: &'static str = "subscription.getusagedata";
    const SUMMARY: &'static str = "A subscription's usage bookings.";
    const ERRORS: &'static [i32] = &[1004];
    type Filter = GetFilter;
    type Data = NoTags;
    type Reply = List<UsageOut>;
}

impl Read for Get {
    async fn run(cx: ReadCx<'_>, call: Call<GetFilter, NoTags>) -> AppResult<List<UsageOut>> {
        let f = call.filter;
        let rows =
            service::list(&cx, f.subscription_id.0, f.start.map(|w| w.0), f.end.map(|w| w.0), call.limit, call.offset)
                .await?;
        Ok(List::of(
            rows.into_iter()
                .map(|u| UsageOut {
                    usagedata_id: u.id,
                    customer_id: u.customer_id,
                    subscription_id: u.subscription_id,
                    quantity: wire::quantity(u.quantity.0),
                    unit_price: wire::price(u.unit_price.0, &u.currency_code),
                    status: if u.invoice_id.is_some() { "invoiced" } else { "open" },
                    invoice_id: u.invoice_id,
                    usage_date: wire::datetime(u.usage_date),
                    created: wire::datetime(u.created),
                    article_number: u.article_number,
                    description: u.description,
                    currency_code: u.currency_code,
                })
                .collect(),
        ))
    }
}

/// `subscription.deleteusagedata`.
pub struct Delete;

/// `DATA` of `subscription.deleteusagedata`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct DeleteData {
    usagedata_id: Id,
}

impl Method for Delete {
    const NAME: &'static str = "subscription.deleteusagedata";
    const SUMMARY: &'static str = "Deletes an open usage booking.";
    const ERRORS: &'static [i32] = &[1004, 1009];
    type Filter = NoTags;
    type Data = DeleteData;
    type Reply = Done;
}

impl Write for Delete {
    async fn run(cx: WriteCx<'_>, call: Call<NoTags, DeleteData>) -> AppResult<Done> {
        service::delete(&cx, call.data.usagedata_id.0).await?;
        Ok(Done::default())
    }
}
