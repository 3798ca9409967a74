//! A customer's payment method (API.md `paymentmethod.*`): a reference to a card,
//! account or wallet held by a payment provider, never the card number itself.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payment_method")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub customer_id: i64,
    /// `card`, `sepa`, `paypal` or `other` (the wire's TYPE).
    pub method_type: String,
    pub provider: Option<String>,
    /// The provider's token for the method.
    pub provider_reference: String,
    pub label: Option<String>,
    /// At most one per customer.
    pub is_default: bool,
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
