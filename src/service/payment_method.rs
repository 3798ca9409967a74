//! Payment methods (API.md `paymentmethod.*`): a customer's references to a
//! card, account or wallet held by a payment provider. recur stores the
//! provider's token, never a card number: a PROVIDER, PROVIDER_REFERENCE or
//! LABEL that reads as one (13-19 digits, whatever separates them, passing the
//! Luhn check) is refused. A customer with methods has exactly one default:
//! the first method, until IS_DEFAULT moves it to another; deleting the
//! default makes the oldest remaining method the default.

use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, NotSet, QueryFilter};
use sea_orm::{QueryOrder, QuerySelect};
use serde_json::json;

use super::{WriteCtx, customer, events};
use crate::db::ctx::Ctx;
use crate::db::scope::Scope;
use crate::error::{AppError, AppResult, OptionExt};
use entity::payment_method::{Column, Entity, Model};

/// The kinds of method (the wire's TYPE).
pub const TYPES: [&str; 4] = ["card", "sepa", "paypal", "other"];

/// What `paymentmethod.create` and `paymentmethod.update` set; `None` leaves a field.
#[derive(Debug, Default)]
pub struct MethodPatch {
    pub method_type: Option<String>,
    /// `Some(None)` clears it.
    pub provider: Option<Option<String>>,
    pub provider_reference: Option<String>,
    /// `Some(None)` clears it.
    pub label: Option<Option<String>>,
    pub is_default: Option<bool>,
}

impl MethodPatch {
    fn check(&self) -> AppResult<()> {
        if let Some(t) = &self.method_type
            && !TYPES.contains(&t.as_str())
        {
            return Err(AppError::invalid("TYPE", format!("must be one of {}", TYPES.join(", "))));
        }
        if let Some(reference) = &self.provider_reference {
            if reference.trim().is_empty() {
                return Err(AppError::invalid("PROVIDER_REFERENCE", "required"));
            }
            refuse_card_number("PROVIDER_REFERENCE", reference)?;
        }
        if let Some(Some(label)) = &self.label {
            refuse_card_number("LABEL", label)?;
        }
        if let Some(Some(provider)) = &self.provider {
            refuse_card_number("PROVIDER", provider)?;
        }
        Ok(())
    }
}

/// Refuses a text that carries a payment card number: a run of 13 to 19
/// digits that passes the Luhn check, whatever separates them (only letters
/// end a run), in ASCII or full-width digits.
fn refuse_card_number(tag: &str, text: &str) -> AppResult<()> {
    let mut digits: Vec<u32> = Vec::new();
    let mut runs: Vec<Vec<u32>> = Vec::new();
    for c in text.chars() {
        if let Some(d) = digit(c) {
            digits.push(d);
        } else if c.is_alphabetic() {
            runs.push(std::mem::take(&mut digits));
        }
    }
    runs.push(digits);
    if runs.iter().any(|run| (13..=19).contains(&run.len()) && luhn(run)) {
        return Err(AppError::invalid(
            tag,
            "looks like a card number; store the payment provider's token for the card instead",
        ));
    }
    Ok(())
}

/// The value of a decimal digit: ASCII, full-width, Arabic-Indic, extended Arabic-Indic or Devanagari.
fn digit(c: char) -> Option<u32> {
    let code = u32::from(c);
    [0x30, 0xFF10, 0x0660, 0x06F0, 0x0966]
        .into_iter()
        .find(|zero| (*zero..zero + 10).contains(&code))
        .map(|zero| code - zero)
}

fn luhn(digits: &[u32]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| if i % 2 == 1 { if d * 2 > 9 { d * 2 - 9 } else { d * 2 } } else { d })
        .sum();
    sum.is_multiple_of(10)
}

/// Adds a method to a live customer of this tenant (1004 naming CUSTOMER_ID otherwise).
pub async fn create(ctx: &WriteCtx, customer_id: i64, patch: MethodPatch) -> AppResult<Model> {
    patch.check()?;
    customer::get_one(ctx, customer_id).await?;
    let method_type = patch.method_type.ok_or_else(|| AppError::invalid("TYPE", "required"))?;
    let provider_reference =
        patch.provider_reference.ok_or_else(|| AppError::invalid("PROVIDER_REFERENCE", "required"))?;
    // A customer's first method is its default whatever IS_DEFAULT says: one always is.
    let first = oldest_of_customer(ctx, customer_id).await?.is_none();
    let is_default = first || patch.is_default == Some(true);
    if is_default {
        clear_default(ctx, customer_id).await?;
    }
    let mut row = Model {
        id: 0,
        tenant_id: ctx.tenant.id.get(),
        customer_id,
        method_type,
        provider: patch.provider.flatten(),
        provider_reference: provider_reference.trim().to_owned(),
        label: patch.label.flatten(),
        is_default,
        created: ctx.now,
        updated: ctx.now,
    };
    let mut active = row.clone().into_active_model().reset_all();
    active.id = NotSet;
    row.id = Entity::insert(active).exec(&ctx.db).await?.last_insert_id;
    let data = json!({"CUSTOMER_ID": customer_id, "TYPE": row.method_type, "IS_DEFAULT": row.is_default});
    events::append(ctx, "paymentmethod", row.id, "paymentmethod.created", data).await?;
    Ok(row)
}

/// Changes a method's fields; making it the default takes that from the customer's other methods.
pub async fn update(ctx: &WriteCtx, id: i64, patch: MethodPatch) -> AppResult<Model> {
    patch.check()?;
    let mut row = get_one(ctx, id).await?;
    if let Some(t) = patch.method_type {
        row.method_type = t;
    }
    if let Some(p) = patch.provider {
        row.provider = p;
    }
    if let Some(r) = patch.provider_reference {
        row.provider_reference = r.trim().to_owned();
    }
    if let Some(l) = patch.label {
        row.label = l;
    }
    match patch.is_default {
        Some(true) if !row.is_default => {
            clear_default(ctx, row.customer_id).await?;
            row.is_default = true;
        }
        Some(false) if row.is_default => {
            return Err(AppError::conflict_on(
                "IS_DEFAULT",
                "a customer's default moves by setting IS_DEFAULT on another of its methods",
            ));
        }
        _ => {}
    }
    row.updated = ctx.now;
    Entity::update(row.clone().into_active_model().reset_all())
        .filter(Column::TenantId.eq(ctx.tenant.id.get()))
        .exec(&ctx.db)
        .await?;
    let data = json!({"CUSTOMER_ID": row.customer_id, "TYPE": row.method_type, "IS_DEFAULT": row.is_default});
    events::append(ctx, "paymentmethod", row.id, "paymentmethod.updated", data).await?;
    Ok(row)
}

/// Removes a method (1004 naming PAYMENTMETHOD_ID when there is none).
pub async fn delete(ctx: &WriteCtx, id: i64) -> AppResult<()> {
    let row = get_one(ctx, id).await?;
    ctx.delete_many::<Entity>().filter(Column::Id.eq(row.id)).exec(&ctx.db).await?;
    let data = json!({"CUSTOMER_ID": row.customer_id, "WAS_DEFAULT": row.is_default});
    events::append(ctx, "paymentmethod", row.id, "paymentmethod.deleted", data).await?;
    if row.is_default
        && let Some(oldest) = oldest_of_customer(ctx, row.customer_id).await?
    {
        ctx.update_many::<Entity>()
            .col_expr(Column::IsDefault, Expr::value(true))
            .col_expr(Column::Updated, Expr::value(ctx.now))
            .filter(Column::Id.eq(oldest.id))
            .exec(&ctx.db)
            .await?;
    }
    Ok(())
}

/// Removes every method of a customer that is being deleted.
pub async fn delete_of_customer(ctx: &WriteCtx, customer_id: i64) -> AppResult<()> {
    ctx.delete_many::<Entity>().filter(Column::CustomerId.eq(customer_id)).exec(&ctx.db).await?;
    Ok(())
}

/// Methods by PAYMENTMETHOD_ID and CUSTOMER_ID (every one when neither is given), by id.
pub async fn find<C: ConnectionTrait>(
    ctx: &Ctx<C>,
    id: Option<i64>,
    customer_id: Option<i64>,
    limit: u64,
    offset: u64,
) -> AppResult<Vec<Model>> {
    let mut query = ctx.find::<Entity>();
    if let Some(id) = id {
        query = query.filter(Column::Id.eq(id));
    }
    if let Some(customer_id) = customer_id {
        query = query.filter(Column::CustomerId.eq(customer_id));
    }
    Ok(query.order_by_asc(Column::Id).limit(limit).offset(offset).all(&ctx.db).await?)
}

/// One method of this tenant, or 1004 naming PAYMENTMETHOD_ID.
async fn get_one<C: ConnectionTrait>(ctx: &Ctx<C>, id: i64) -> AppResult<Model> {
    ctx.by_id::<Entity, _>(&ctx.db, id).await?.or_not_found("PAYMENTMETHOD_ID", "payment method")
}

/// The customer's first method still stored, if any.
async fn oldest_of_customer<C: ConnectionTrait>(ctx: &Ctx<C>, customer_id: i64) -> AppResult<Option<Model>> {
    Ok(ctx.find::<Entity>().filter(Column::CustomerId.eq(customer_id)).order_by_asc(Column::Id).one(&ctx.db).await?)
}

async fn clear_default(ctx: &WriteCtx, customer_id: i64) -> AppResult<()> {
    ctx.update_many::<Entity>()
        .col_expr(Column::IsDefault, Expr::value(false))
        .col_expr(Column::Updated, Expr::value(ctx.now))
        .filter(Column::CustomerId.eq(customer_id))
        .filter(Column::IsDefault.eq(true))
        .exec(&ctx.db)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_numbers_are_refused_and_tokens_pass() {
        for pan in [
            "4111111111111111",
            "4111 1111 1111 1111",
            "tok 5500-0000-0000-0004 x",
            "378282246310005",
            "4242.4242.4242.4242",
            "4242/4242/4242/4242",
            "4242\t4242\t4242\t4242",
            "4242\u{a0}4242\u{a0}4242\u{a0}4242",
            "4242_4242_4242_4242",
            "\u{ff14}\u{ff12}\u{ff14}\u{ff12}\u{ff14}\u{ff12}\u{ff14}\u{ff12}\u{ff14}\u{ff12}\u{ff14}\u{ff12}\u{ff14}\u{ff12}\u{ff14}\u{ff12}",
        ] {
            assert!(refuse_card_number("PROVIDER_REFERENCE", pan).is_err(), "{pan}");
        }
        for token in ["pm_1NqZ2a2eZvKYlo2C", "4111111111111112", "cus_123456789", "DE02120300000000202051", ""] {
            assert!(refuse_card_number("PROVIDER_REFERENCE", token).is_ok(), "{token}");
        }
    }
}
