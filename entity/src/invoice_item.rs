//! The lines of an invoice.

use sea_orm::entity::prelude::*;

use crate::DecimalText;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "invoice_item")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub invoice_id: i64,
    pub position: i32,
    /// `plan addon usage setup proration discount coupon consumption manual credit`.
    pub kind: String,
    pub article_number: Option<String>,
    pub description: String,
    pub quantity: DecimalText,
    pub unit_price: DecimalText,
    pub vat_percent: DecimalText,
    pub complete_net: DecimalText,
    /// How much of this line credit notes have taken (quantity and net).
    pub credited_quantity: DecimalText,
    pub credited_net: DecimalText,
    /// On a credit note's line: the original line it credits.
    pub source_item_id: Option<i64>,
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
