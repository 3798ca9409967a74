//! Invoices and credit notes. Never edited after issue, except their payment
//! state.

use sea_orm::entity::prelude::*;

use crate::DecimalText;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "invoice")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub invoice_number: String,
    /// `outgoing` or `credit`.
    pub kind: String,
    /// `unpaid`, `paid` or `canceled` (`overdue` is derived from the due date).
    pub status: String,
    pub customer_id: i64,
    pub subscription_id: Option<i64>,
    pub related_invoice_id: Option<i64>,
    pub invoice_title: Option<String>,
    pub invoice_date: DateTimeUtc,
    pub due_date: DateTimeUtc,
    pub paid_date: Option<DateTimeUtc>,
    pub period_start: Option<DateTimeUtc>,
    pub period_end: Option<DateTimeUtc>,
    /// Set only on a subscription's regular period invoice: with
    /// `subscription_id` it is unique, so no period can ever be billed twice.
    pub billed_period: Option<DateTimeUtc>,
    pub currency_code: String,
    pub sub_total: DecimalText,
    pub vat_total: DecimalText,
    pub total: DecimalText,
    pub outstanding: DecimalText,
    /// `[{VAT_PERCENT, COMPLETE_NET, VAT_VALUE}]` as issued.
    pub vat_items: Json,
    pub created: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
