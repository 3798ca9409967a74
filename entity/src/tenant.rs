//! A tenant owns every other row. Test tenants carry their own clock.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tenant")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub is_test: bool,
    /// The test clock's current instant; `None` on live tenants.
    pub clock: Option<DateTimeUtc>,
    /// Hex secret for signing hosted-page links.
    pub link_secret: String,
    pub created: DateTimeUtc,
    /// IANA time zone for dates on documents and the FastBill endpoint.
    pub timezone: String,
    /// `{SELLER, INVOICE_FOOTER, LOGO_URL, CURRENCY_CODE, DUNNING}` as `tenant.update` set them.
    pub settings: Option<Json>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
