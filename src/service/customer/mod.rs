//! Customers: create, update, find, delete.

mod find;
mod numbered;
pub mod profile;

pub use find::{CustomerFilter, escape_like, find};
pub use profile::ProfilePatch;

use std::collections::BTreeMap;

use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, IntoActiveModel, QueryFilter};
use sha2::{Digest, Sha256};

use super::{Ctx, WriteCtx, events};
use crate::db::counter;
use crate::db::scope::Scope;
use crate::error::{AppError, AppResult, DbResultExt, OptionExt};
use entity::customer::{Column, Entity, Model};

/// A change to a customer's fields. `None` = keep; `Some(None)` = clear.
#[derive(Debug, Default, Clone)]
pub struct CustomerPatch {
    pub customer_type: Option<String>,
    pub organization: Option<Option<String>>,
    pub salutation: Option<Option<String>>,
    pub first_name: Option<Option<String>>,
    pub last_name: Option<Option<String>>,
    pub address: Option<Option<String>>,
    pub address_2: Option<Option<String>>,
    pub zipcode: Option<Option<String>>,
    pub city: Option<Option<String>>,
    pub country_code: Option<Option<String>>,
    pub language_code: Option<Option<String>>,
    pub email: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    pub vat_id: Option<Option<String>>,
    pub currency_code: Option<Option<String>>,
    pub customer_ext_uid: Option<Option<String>>,
    pub x_attributes: Option<Option<BTreeMap<String, String>>>,
    /// FastBill's further fields.
    pub profile: ProfilePatch,
}

/// The public HASH of a customer: changes with every change.
pub fn hash(model: &Model) -> String {
    let digest = Sha256::digest(format!("customer:{}:{}:{}", model.id, model.version, model.created.timestamp()));
    hex::encode(&digest[..16])
}

fn apply(model: &mut Model, patch: CustomerPatch) {
    macro_rules! set {
        ($($field:ident),*) => {$(
            if let Some(value) = patch.$field { model.$field = value; }
        )*};
    }
    set!(
        organization,
        salutation,
        first_name,
        last_name,
        address,
        address_2,
        zipcode,
        city,
        country_code,
        language_code,
        email,
        phone,
        vat_id,
        currency_code,
        customer_ext_uid
    );
    if let Some(kind) = patch.customer_type {
        model.customer_type = kind;
    }
    if let Some(attributes) = patch.x_attributes {
        model.x_attributes = attributes.map(|m| serde_json::json!(m));
    }
    profile::apply(model, patch.profile);
}

/// Business customers need an organization, consumers a last name.
fn check_complete(model: &Model) -> AppResult<()> {
    let given = |v: &Option<String>| v.as_ref().is_some_and(|s| !s.is_empty());
    if model.customer_type == "business" && !given(&model.organization) {
        return Err(AppError::invalid("ORGANIZATION", "required for CUSTOMER_TYPE business"));
    }
    if model.customer_type == "consumer" && !given(&model.last_name) && !given(&model.organization) {
        return Err(AppError::invalid("LAST_NAME", "required for CUSTOMER_TYPE consumer"));
    }
    Ok(())
}

/// A customer that is not written yet: defaults plus `patch`, checked.
fn new_customer<C>(ctx: &Ctx<C>, patch: CustomerPatch) -> AppResult<Model> {
    profile::check(&patch.profile)?;
    let business = patch.customer_type.is_none() && matches!(patch.organization, Some(Some(_)));
    let mut model = Model {
        tenant_id: ctx.tenant.id.get(),
        customer_type: if business { "business" } else { "consumer" }.to_owned(),
        version: 1,
        created: ctx.now,
        updated: ctx.now,
        invoice_delivery_method: "none".to_owned(),
        ..Model::default()
    };
    apply(&mut model, patch);
    check_complete(&model)?;
    Ok(model)
}

/// Creates a customer with the tenant's next customer number.
pub async fn create(ctx: &WriteCtx, patch: CustomerPatch) -> AppResult<Model> {
    create_many(ctx, vec![patch]).await?.pop().unwrap_or_else(|| Err(AppError::internal("no customer created")))
}

/// Creates several customers in the caller's transaction with one counter
/// bump and multi-row inserts. A patch that does not validate gets its own
/// error and takes no number; a database failure (a duplicate external id)
/// fails the whole call, for the caller to redo one by one.
pub async fn create_many<C: ConnectionTrait>(
    ctx: &Ctx<C>,
    patches: Vec<CustomerPatch>,
) -> AppResult<Vec<AppResult<Model>>> {
    let mut results: Vec<AppResult<Model>> = patches.into_iter().map(|p| new_customer(ctx, p)).collect();
    let valid = results.iter().filter(|r| r.is_ok()).count() as i64;
    if valid == 0 {
        return Ok(results);
    }
    if ctx.db.get_database_backend() == DbBackend::Postgres {
        let rows: Vec<Model> = results.iter().flatten().cloned().collect();
        if let Some(numbered) = numbered::insert(ctx, &rows)
            .await
            .or_conflict("CUSTOMER_EXT_UID", "a customer with this CUSTOMER_EXT_UID exists")?
        {
            for (model, (id, number)) in results.iter_mut().flatten().zip(numbered) {
                model.id = id;
                model.customer_number = number;
            }
            return Ok(results);
        }
    }
    let mut number = counter::advance(&ctx.db, ctx.tenant.id, "customer", valid).await? - valid + 1;
    let mut rows = Vec::with_capacity(valid as usize);
    for model in results.iter_mut().flatten() {
        model.customer_number = number;
        number += 1;
        rows.push(model.clone());
    }
    let ids = crate::db::bulk::insert_rows::<Entity, _>(&ctx.db, &rows)
        .await
        .or_conflict("CUSTOMER_EXT_UID", "a customer with this CUSTOMER_EXT_UID exists")?;
    let mut events = Vec::with_capacity(ids.len());
    for (model, id) in results.iter_mut().flatten().zip(ids) {
        model.id = id;
        events.push((
            "customer",
            id,
            "customer.created",
            serde_json::json!({"CUSTOMER_NUMBER": model.customer_number}),
        ));
    }
    events::append_many(ctx, events).await?;
    Ok(results)
}

/// Applies a patch to a customer.
pub async fn update(ctx: &WriteCtx, id: i64, patch: CustomerPatch) -> AppResult<Model> {
    profile::check(&patch.profile)?;
    let mut model = get_one(ctx, id).await?;
    apply(&mut model, patch);
    check_complete(&model)?;
    model.version += 1;
    model.updated = ctx.now;
    Entity::update(model.clone().into_active_model().reset_all())
        .filter(Column::TenantId.eq(ctx.tenant.id.get()))
        .exec(&ctx.db)
        .await
        .or_conflict("CUSTOMER_EXT_UID", "a customer with this CUSTOMER_EXT_UID exists")?;
    events::append(ctx, "customer", id, "customer.updated", serde_json::json!({})).await?;
    Ok(model)
}

/// Deletes a customer. Refused while a subscription is not closed or an
/// invoice is unpaid. The row stays (invoices point at it) but vanishes from
/// every query, and its external id is released.
pub async fn delete(ctx: &WriteCtx, id: i64) -> AppResult<()> {
    get_one(ctx, id).await?;
    if super::subscription::customer_has_running(ctx, id).await? {
        return Err(AppError::conflict_on("CUSTOMER_ID", "the customer has a subscription that is not closed"));
    }
    let unpaid = ctx
        .find::<entity::invoice::Entity>()
        .filter(entity::invoice::Column::CustomerId.eq(id))
        .filter(entity::invoice::Column::Status.eq("unpaid"))
        .one(&ctx.db)
        .await?;
    if unpaid.is_some() {
        return Err(AppError::conflict_on("CUSTOMER_ID", "the customer has unpaid invoices"));
    }
    Entity::update_many()
        .col_expr(Column::Deleted, Expr::value(ctx.now))
        .col_expr(Column::CustomerExtUid, Expr::value(Option::<String>::None))
        .col_expr(Column::Version, Expr::col(Column::Version).add(1))
        .filter(Column::TenantId.eq(ctx.tenant.id.get()))
        .filter(Column::Id.eq(id))
        .exec(&ctx.db)
        .await?;
    // Its stored payment references go with it; nothing bills a deleted customer.
    super::payment_method::delete_of_customer(ctx, id).await?;
    events::append(ctx, "customer", id, "customer.deleted", serde_json::json!({})).await?;
    Ok(())
}

/// One live customer of this tenant, or 1004.
pub async fn get_one<C: ConnectionTrait>(ctx: &Ctx<C>, id: i64) -> AppResult<Model> {
    ctx.by_id::<Entity, _>(&ctx.db, id).await?.filter(|c| c.deleted.is_none()).or_not_found("CUSTOMER_ID", "customer")
}
