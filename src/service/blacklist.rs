//! The blacklist (API.md `blacklist.*`): organization numbers, VAT ids and
//! e-mail addresses the tenant does not sell subscriptions to.
//! `subscription.create` for a customer whose TAX_ID (the organization
//! number's field on a customer), VAT_ID or EMAIL is listed answers 1009.
//! Keys are compared normalized: ids upper-case without spaces, dots, dashes
//! or slashes, e-mail addresses trimmed and lower-case.

use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, NotSet, QueryFilter};
use sea_orm::{Condition, QueryOrder, QuerySelect};
use serde_json::json;

use super::{WriteCtx, events};
use crate::db::ctx::Ctx;
use crate::db::scope::Scope;
use crate::error::{AppError, AppResult, OptionExt};
use entity::blacklist_entry::{Column, Entity, Model};

/// What a blacklist entry is keyed by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyType {
    OrganizationNumber,
    VatId,
    Email,
}

impl KeyType {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyType::OrganizationNumber => "organization_number",
            KeyType::VatId => "vat_id",
            KeyType::Email => "email",
        }
    }

    /// The wire's tag.
    pub fn tag(self) -> &'static str {
        match self {
            KeyType::OrganizationNumber => "ORGANIZATION_NUMBER",
            KeyType::VatId => "VAT_ID",
            KeyType::Email => "EMAIL",
        }
    }

    /// The kind a stored name stands for.
    pub fn parse(text: &str) -> Option<KeyType> {
        [KeyType::OrganizationNumber, KeyType::VatId, KeyType::Email].into_iter().find(|k| k.as_str() == text)
    }

    /// `value` as entries store it; `None` when nothing is left of it.
    pub fn normalize(self, value: &str) -> Option<String> {
        let normal = match self {
            KeyType::Email => value.trim().to_lowercase(),
            KeyType::OrganizationNumber | KeyType::VatId => value
                .chars()
                .filter(|c| !c.is_whitespace() && !matches!(c, '.' | '-' | '/'))
                .flat_map(char::to_uppercase)
                .collect(),
        };
        (!normal.is_empty()).then_some(normal)
    }
}

/// A key as the caller sent it.
#[derive(Clone, Debug)]
pub struct Key {
    pub key_type: KeyType,
    pub value: String,
}

impl Key {
    fn normalized(&self) -> AppResult<String> {
        self.key_type.normalize(&self.value).ok_or_else(|| AppError::invalid(self.key_type.tag(), "required"))
    }
}

/// Lists `key` with `reason`; a key listed already gets the new reason. Answers the entry and
/// whether it is new.
pub async fn set(ctx: &WriteCtx, key: Key, reason: Option<String>) -> AppResult<(Model, bool)> {
    let value = key.normalized()?;
    if let Some(mut row) = by_key(ctx, key.key_type, &value).await? {
        row.reason = reason;
        Entity::update(row.clone().into_active_model().reset_all())
            .filter(Column::TenantId.eq(ctx.tenant.id.get()))
            .exec(&ctx.db)
            .await?;
        events::append(ctx, "blacklist", row.id, "blacklist.set", data(&row)).await?;
        return Ok((row, false));
    }
    let mut row = Model {
        id: 0,
        tenant_id: ctx.tenant.id.get(),
        key_type: key.key_type.as_str().to_owned(),
        key_value: value,
        reason,
        created: ctx.now,
    };
    let mut active = row.clone().into_active_model().reset_all();
    active.id = NotSet;
    row.id = Entity::insert(active).exec(&ctx.db).await?.last_insert_id;
    events::append(ctx, "blacklist", row.id, "blacklist.set", data(&row)).await?;
    Ok((row, true))
}

/// Removes `key` from the list (1004 naming its tag when it is not listed).
pub async fn delete(ctx: &WriteCtx, key: Key) -> AppResult<()> {
    let value = key.normalized()?;
    let row = by_key(ctx, key.key_type, &value).await?.or_not_found(key.key_type.tag(), "blacklist entry")?;
    ctx.delete_many::<Entity>().filter(Column::Id.eq(row.id)).exec(&ctx.db).await?;
    events::append(ctx, "blacklist", row.id, "blacklist.deleted", data(&row)).await?;
    Ok(())
}

/// Entries, oldest first; only `key`'s when given.
pub async fn find<C: ConnectionTrait>(
    ctx: &Ctx<C>,
    key: Option<Key>,
    limit: u64,
    offset: u64,
) -> AppResult<Vec<Model>> {
    let mut query = ctx.find::<Entity>();
    if let Some(key) = key {
        query = query.filter(Column::KeyType.eq(key.key_type.as_str())).filter(Column::KeyValue.eq(key.normalized()?));
    }
    Ok(query.order_by_asc(Column::Id).limit(limit).offset(offset).all(&ctx.db).await?)
}

/// 1009 when the customer's TAX_ID, VAT_ID or EMAIL is listed; the refusal names CUSTOMER_ID.
pub async fn refuse_listed<C: ConnectionTrait>(ctx: &Ctx<C>, customer: &entity::customer::Model) -> AppResult<()> {
    let keys = [
        (KeyType::OrganizationNumber, customer.tax_id.as_deref()),
        (KeyType::VatId, customer.vat_id.as_deref()),
        (KeyType::Email, customer.email.as_deref()),
    ];
    let mut any = Condition::any();
    let mut asked = false;
    for (kind, value) in keys {
        if let Some(value) = value.and_then(|v| kind.normalize(v)) {
            any = any.add(Column::KeyType.eq(kind.as_str()).and(Column::KeyValue.eq(value)));
            asked = true;
        }
    }
    if !asked {
        return Ok(());
    }
    if let Some(hit) = ctx.find::<Entity>().filter(any).one(&ctx.db).await? {
        let what = KeyType::parse(&hit.key_type).map_or("a key", KeyType::tag);
        return Err(AppError::conflict_on("CUSTOMER_ID", format!("the customer's {what} is blacklisted")));
    }
    Ok(())
}

async fn by_key<C: ConnectionTrait>(ctx: &Ctx<C>, kind: KeyType, value: &str) -> AppResult<Option<Model>> {
    Ok(ctx
        .find::<Entity>()
        .filter(Column::KeyType.eq(kind.as_str()))
        .filter(Column::KeyValue.eq(value))
        .one(&ctx.db)
        .await?)
}

fn data(row: &Model) -> serde_json::Value {
    let tag = KeyType::parse(&row.key_type).map_or("KEY", KeyType::tag);
    json!({ tag: row.key_value, "REASON": row.reason })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_compare_without_case_and_separators() {
        assert_eq!(KeyType::VatId.normalize(" de 123.456-789 "), Some("DE123456789".into()));
        assert_eq!(KeyType::OrganizationNumber.normalize("556677-8899"), Some("5566778899".into()));
        assert_eq!(KeyType::Email.normalize(" Erika@Example.COM "), Some("erika@example.com".into()));
        assert_eq!(KeyType::Email.normalize("  "), None);
    }
}
