//! Coupons: codes a subscription redeems for a discount (API.md section 9).

use sea_orm::entity::prelude::*;

use crate::DecimalText;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "coupon")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    /// Unique per tenant.
    pub code: String,
    pub title: Option<String>,
    /// `percent` or `fixed`.
    pub discount_type: String,
    pub discount: DecimalText,
    /// A fixed coupon's currency, when given: it discounts only subscriptions billed in it.
    pub currency_code: Option<String>,
    pub period_amount: Option<i32>,
    /// `event day week month year`; empty with `period_amount` = forever.
    pub period_unit: Option<String>,
    pub valid_from: Option<DateTimeUtc>,
    pub valid_to: Option<DateTimeUtc>,
    /// How many subscriptions redeemed it (raised by one conditional UPDATE).
    pub usages: i32,
    /// 0 = unlimited.
    pub usages_max: i32,
    /// `["PLAN-A", ...]`; empty = every plan.
    pub assigned_articles: Json,
    pub created: DateTimeUtc,
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
