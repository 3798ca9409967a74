//! Subscriptions: a snapshot of the plan as sold, the billing anchor and the
//! life state. Add-ons and a pending plan change live on the row as JSON so a
//! read or a billing step is one row fetch.

use sea_orm::entity::prelude::*;

use crate::DecimalText;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "subscription")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub customer_id: i64,
    pub subscription_ext_uid: Option<String>,
    pub article_id: i64,
    pub article_number: String,
    /// The plan's title as sold, or the TITLE given at create.
    pub title: String,
    pub description: Option<String>,
    pub invoice_title: Option<String>,
    pub unit_price: DecimalText,
    pub currency_code: String,
    pub vat_percent: DecimalText,
    pub quantity: DecimalText,
    pub interval: String,
    pub setup_fee: DecimalText,
    pub setup_billed: bool,
    /// `planned trial active paused canceled closed`.
    pub status: String,
    pub close_reason: Option<String>,
    pub start: DateTimeUtc,
    /// Period `n` after the anchor starts at `interval * (periods_since_anchor + n)`.
    pub anchor: DateTimeUtc,
    pub periods_since_anchor: i32,
    /// Periods billed in the current term (fixed-length subscriptions close after `duration`).
    pub term_periods: i32,
    pub duration: Option<i32>,
    /// Notice period for cancellations, e.g. `1 month`.
    pub notice: Option<String>,
    /// Start of the next period to bill; `None` once closed.
    pub next_event: Option<DateTimeUtc>,
    /// Start of the last period billed.
    pub last_event: Option<DateTimeUtc>,
    /// The earliest instant the billing run has work here: the minimum of
    /// `next_event`, `cancellation_date` and pause boundaries. `None` once closed.
    pub due_at: Option<DateTimeUtc>,
    /// The next instant a pause of this subscription starts or ends; `None`
    /// when no pause is pending or running (the engine then skips pauses).
    pub pause_due: Option<DateTimeUtc>,
    pub trial_end: Option<DateTimeUtc>,
    pub cancellation_date: Option<DateTimeUtc>,
    pub cancellation_note: Option<String>,
    pub expiration_date: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    /// `[{ARTICLE_NUMBER, TITLE, DESCRIPTION, QUANTITY, UNIT_PRICE, VAT_PERCENT}]`.
    pub addons: Json,
    /// A scheduled downgrade: the plan that applies from `EFFECTIVE_DATE`.
    pub plan_upcoming: Option<Json>,
    /// Proration lines deferred to the next regular invoice (`SUPPRESS_BILL_RUN`).
    pub pending_lines: Option<Json>,
    /// The held coupon's CODE.
    pub coupon: Option<String>,
    /// The held coupon: its terms, REDEEMED, ACTIVE, PAYMENTS_DISCOUNTED.
    pub coupon_state: Option<Json>,
    /// `[{DISCOUNT_ID, DISCOUNT_TYPE, DISCOUNT, PERIODS, PERIODS_USED, CREATED}]`.
    pub discounts: Option<Json>,
    pub features: Option<Json>,
    pub x_attributes: Option<Json>,
    /// Stable public hash (SUBSCRIPTION_HASH).
    pub public_hash: String,
    /// Bumped on every change; feeds HASH.
    pub version: i32,
    pub created: DateTimeUtc,
    pub updated: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl crate::TenantScoped for Entity {
    fn tenant_column() -> Column {
        Column::TenantId
    }

    fn id_column() -> Column {
        Column::Id
    }
}
