//! Payments allocated to an invoice (`payment.create`, `invoice.setpaid`,
//! customer credit applied at issue with METHOD `credit`). A payment is never
//! edited but for its reversal.

use sea_orm::entity::prelude::*;

use crate::DecimalText;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payment")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub invoice_id: i64,
    pub customer_id: i64,
    /// What was paid.
    pub amount: DecimalText,
    /// The part that went to the invoice.
    pub allocated: DecimalText,
    /// The part beyond the invoice's outstanding amount, added to the customer's credit.
    pub to_credit_balance: DecimalText,
    pub currency_code: String,
    /// Free text: `sepa`, `card`, `transfer`, `manual`, `credit`, ...
    pub method: String,
    pub reference: Option<String>,
    pub paid_date: DateTimeUtc,
    /// `completed` or `reversed`.
    pub status: String,
    /// `refund` or `chargeback`.
    pub reverse_reason: Option<String>,
    pub reversed_at: Option<DateTimeUtc>,
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
