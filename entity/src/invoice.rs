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
    /// A draft's number is a placeholder (`~draft-...`) that the wire shows as
    /// null; `invoice.complete` allocates the real one from the gapless series.
    pub invoice_number: String,
    /// `outgoing` or `credit`.
    pub kind: String,
    /// `draft`, `unpaid`, `paid` or `canceled` (`overdue` is derived from the due date).
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
    /// Text above the lines of a manual invoice.
    pub intro_text: Option<String>,
    /// When the goods or service were delivered (manual invoices).
    pub delivery_date: Option<DateTimeUtc>,
    /// Gross total of the credit notes issued against this invoice (positive).
    pub credited_total: DecimalText,
    /// On a credit note: its amount was refunded rather than kept as customer credit.
    pub refunded: bool,
    /// 0 to the last level of the tenant's DUNNING.DAYS.
    pub dunning_level: i32,
    pub dunning_paused: bool,
    /// `invoice.postpone` was used (once per invoice).
    pub due_date_postponed: bool,
    /// DUNNING.FINAL_ACTION was applied (once per invoice).
    pub dunning_final_applied: bool,
    /// The seller block as it was when the invoice was issued (documents show this).
    pub seller: Option<Json>,
    /// The buyer's name and address as they were when the invoice was issued.
    pub buyer: Option<Json>,
    /// The document language (the customer's LANGUAGE_CODE at issue).
    pub language_code: Option<String>,
    /// On a draft: INVOICE_DATE was set by the caller (else `invoice.complete` dates it now).
    pub date_fixed: bool,
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
