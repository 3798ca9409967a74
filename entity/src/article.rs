//! Articles: plans and add-ons with their price, VAT rate and billing terms.

use sea_orm::entity::prelude::*;

use crate::DecimalText;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "article")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub article_number: String,
    pub title: String,
    pub description: Option<String>,
    pub unit_price: DecimalText,
    pub currency_code: String,
    pub vat_percent: DecimalText,
    pub setup_fee: DecimalText,
    pub is_addon: bool,
    pub allow_multiple: bool,
    /// Canonical interval text, e.g. `1 month`.
    pub interval: String,
    pub trial: Option<String>,
    /// Fixed number of periods; `None` = perpetual.
    pub duration: Option<i32>,
    /// Notice period, e.g. `1 month`.
    pub cancellation: Option<String>,
    pub features: Option<Json>,
    pub translations: Option<Json>,
    /// Tags as `,a,b,` so one `LIKE '%,a,%'` matches a whole tag on every backend.
    pub tags: Option<String>,
    pub created: DateTimeUtc,
    pub updated: DateTimeUtc,
    pub deleted: Option<DateTimeUtc>,
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
