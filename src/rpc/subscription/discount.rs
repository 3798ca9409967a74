//! A subscription's discounts: `setdiscount`, `getdiscounts`, `deletediscount`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::pause::SubscriptionRef;
use super::wire::DiscountOut;
use crate::error::AppResult;
use crate::rpc::params::{Currency, Dec, Id, Int, NoTags};
use crate::rpc::table::{Call, Method, MethodSpec, Read, ReadCx, Write, WriteCx, read, write};
use crate::rpc::wire::{Done, List, Success};
use crate::service::discount::{self as service, DiscountRequest};

/// This namespace's slice of the method table.
pub static METHODS: &[MethodSpec] = &[write::<SetDiscount>(), read::<GetDiscounts>(), write::<DeleteDiscount>()];

/// `subscription.setdiscount`.
pub struct SetDiscount;

/// `DATA` of `subscription.setdiscount`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct SetData {
    subscription_id: Id,
    /// Updates this discount while it has discounted no invoice.
    discount_id: Option<Id>,
    /// percent or fixed.
    discount_type: String,
    /// 0-100 for percent; a net amount > 0 for fixed.
    discount: Dec,
    /// Regular invoices to discount, counted from the next one; empty = forever.
    periods: Option<Int>,
    /// A fixed discount's currency (optional; must be the subscription's).
    currency_code: Option<Currency>,
}

/// What `subscription.setdiscount` answers.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct SetReply {
    status: Success,
    /// `null` on a dry run of a new discount.
    discount_id: Option<i64>,
}

impl Method for SetDiscount {
    const NAME: &'static str = "subscription.setdiscount";
    const SUMMARY: &'static str =
        "Adds (or, with DISCOUNT_ID, changes) a percent or fixed discount for PERIODS regular invoices.";
    const ERRORS: &'static [i32] = &[1004, 1009];
    type Filter = NoTags;
    type Data = SetData;
    type Reply = SetReply;
}

impl Write for SetDiscount {
    async fn run(cx: WriteCx<'_>, call: Call<NoTags, SetData>) -> AppResult<SetReply> {
        let d = call.data;
        let periods = d.periods.map(|p| p.within("PERIODS", 0, 1200).map(|n| n as u32)).transpose()?;
        let existing = d.discount_id.map(|i| i.0);
        let request = DiscountRequest {
            subscription_id: d.subscription_id.0,
            discount_id: existing,
            discount_type: d.discount_type,
            discount: d.discount.0,
            periods,
            currency: d.currency_code.map(|c| c.0),
        };
        let stored = service::set(&cx, request).await?;
        let id = if cx.dry_run { existing } else { Some(stored.discount_id) };
        Ok(SetReply { status: Success, discount_id: id })
    }
}

/// `subscription.getdiscounts`.
pub struct GetDiscounts;

impl Method for GetDiscounts {
    const NAME: &'static str = "subscription.getdiscounts";
    const SUMMARY: &'static str = "The subscription's discounts (not deleted), in creation order.";
    const ERRORS: &'static [i32] = &[1004];
    type Filter = SubscriptionRef;
    type Data = NoTags;
    type Reply = List<DiscountOut>;
}

impl Read for GetDiscounts {
    async fn run(cx: ReadCx<'_>, call: Call<SubscriptionRef, NoTags>) -> AppResult<List<DiscountOut>> {
        let (list, currency) = service::list(&cx, call.filter.subscription_id.0).await?;
        Ok(List::of(list.iter().map(|d| DiscountOut::from(d, &currency)).collect()))
    }
}

/// `subscription.deletediscount`.
pub struct DeleteDiscount;

/// `DATA` of `subscription.deletediscount`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct DeleteData {
    discount_id: Id,
}

impl Method for DeleteDiscount {
    const NAME: &'static str = "subscription.deletediscount";
    const SUMMARY: &'static str = "Deletes a discount from the next period on; issued invoices keep theirs.";
    const ERRORS: &'static [i32] = &[1004];
    type Filter = NoTags;
    type Data = DeleteData;
    type Reply = Done;
}

impl Write for DeleteDiscount {
    async fn run(cx: WriteCx<'_>, call: Call<NoTags, DeleteData>) -> AppResult<Done> {
        service::delete(&cx, call.data.discount_id.0).await?;
        Ok(Done { status: Success })
    }
}
