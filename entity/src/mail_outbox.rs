//! Mails waiting to be sent, and the record of their attempts. Written in the
//! transaction that asks for the mail; a worker sends them after the commit.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mail_outbox")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    /// The invoice the mail is about (its timeline shows the result).
    pub invoice_id: Option<i64>,
    /// `invoice` (issued), `reminder` (dunning) or `copy` (`invoice.sendcopy`).
    pub kind: String,
    /// Comma-separated addresses.
    pub recipient: String,
    pub cc: Option<String>,
    pub bcc: Option<String>,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    /// `pending`, `sent` or `failed` (gave up).
    pub status: String,
    pub attempts: i32,
    pub next_attempt: DateTimeUtc,
    pub last_error: Option<String>,
    pub created: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
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
