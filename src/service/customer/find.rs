//! `customer.get`: every given filter must match; FastBill's fields are
//! searchable like the others.

use sea_orm::sea_query::{Expr, Func, LikeExpr};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, QueryFilter, QueryOrder, QuerySelect};

use super::Ctx;
use crate::db::scope::Scope;
use crate::error::AppResult;
use entity::customer::{Column, Model};

/// Filters of `customer.get`; all given must match.
#[derive(Debug, Default)]
pub struct CustomerFilter {
    pub customer_id: Option<i64>,
    /// Any of these ids (`CUSTOMER_ID` given as a list).
    pub customer_ids: Option<Vec<i64>>,
    pub customer_ext_uid: Option<String>,
    pub customer_number: Option<i64>,
    pub email: Option<String>,
    pub country_code: Option<String>,
    pub term: Option<String>,
    pub customer_type: Option<String>,
    pub city: Option<String>,
    pub zipcode: Option<String>,
    pub state: Option<String>,
    pub vat_id: Option<String>,
    pub tax_id: Option<String>,
    pub affiliate: Option<String>,
    pub payment_type: Option<i32>,
    pub invoice_delivery_method: Option<String>,
    /// One tag the customer carries.
    pub tag: Option<String>,
}

/// `LOWER(column) = LOWER(value)`.
fn same_text(column: Column, value: &str) -> sea_orm::sea_query::SimpleExpr {
    Expr::expr(Func::lower(Expr::col(column))).eq(value.to_lowercase())
}

/// A page of customers matching every given filter, by id.
pub async fn find<C: ConnectionTrait>(
    ctx: &Ctx<C>,
    filter: CustomerFilter,
    limit: u64,
    offset: u64,
) -> AppResult<Vec<Model>> {
    if let Some(ids) = only_ids(&filter) {
        return by_ids(ctx, ids, limit, offset).await;
    }
    let mut query = ctx.find::<entity::customer::Entity>().filter(Column::Deleted.is_null());
    if let Some(id) = filter.customer_id {
        query = query.filter(Column::Id.eq(id));
    }
    if let Some(ids) = filter.customer_ids {
        query = query.filter(Column::Id.is_in(ids));
    }
    if let Some(uid) = filter.customer_ext_uid {
        query = query.filter(Column::CustomerExtUid.eq(uid));
    }
    if let Some(number) = filter.customer_number {
        query = query.filter(Column::CustomerNumber.eq(number));
    }
    let texts = [
        (Column::Email, filter.email),
        (Column::City, filter.city),
        (Column::State, filter.state),
        (Column::VatId, filter.vat_id),
        (Column::Affiliate, filter.affiliate),
    ];
    for (column, value) in texts {
        if let Some(value) = value {
            query = query.filter(same_text(column, &value));
        }
    }
    let exact = [
        (Column::CountryCode, filter.country_code),
        (Column::CustomerType, filter.customer_type),
        (Column::Zipcode, filter.zipcode),
        (Column::TaxId, filter.tax_id),
        (Column::InvoiceDeliveryMethod, filter.invoice_delivery_method),
    ];
    for (column, value) in exact {
        if let Some(value) = value {
            query = query.filter(column.eq(value));
        }
    }
    if let Some(kind) = filter.payment_type {
        query = query.filter(Column::PaymentType.eq(kind));
    }
    if let Some(tag) = filter.tag {
        // Tags are stored as a JSON list: match the quoted tag.
        let quoted = serde_json::Value::from(tag).to_string();
        let pattern = format!("%{}%", escape_like(&quoted));
        query = query.filter(Expr::col(Column::Tags).like(LikeExpr::new(pattern).escape('\\')));
    }
    if let Some(term) = filter.term {
        let pattern = format!("%{}%", escape_like(&term.to_lowercase()));
        let mut any = Condition::any();
        for column in [Column::Organization, Column::FirstName, Column::LastName, Column::Email] {
            any = any.add(Expr::expr(Func::lower(Expr::col(column))).like(LikeExpr::new(pattern.clone()).escape('\\')));
        }
        query = query.filter(any);
    }
    Ok(query.order_by_asc(Column::Id).limit(limit).offset(offset).all(&ctx.db).await?)
}

/// The id list when it is the only filter (the webhook fan-out reads a
/// round's customers so).
fn only_ids(filter: &CustomerFilter) -> Option<Vec<i64>> {
    let ids = filter.customer_ids.clone()?;
    let CustomerFilter {
        customer_id: None,
        customer_ids: Some(_),
        customer_ext_uid: None,
        customer_number: None,
        email: None,
        country_code: None,
        term: None,
        customer_type: None,
        city: None,
        zipcode: None,
        state: None,
        vat_id: None,
        tax_id: None,
        affiliate: None,
        payment_type: None,
        invoice_delivery_method: None,
        tag: None,
    } = filter
    else {
        return None;
    };
    Some(ids)
}

/// Customers by primary key alone (with `tenant_id` in the SQL, an
/// unanalyzed planner scans the tenant's index for a long id list; see
/// `db::scope`), the other tenants' and deleted ones dropped here.
async fn by_ids<C: ConnectionTrait>(ctx: &Ctx<C>, ids: Vec<i64>, limit: u64, offset: u64) -> AppResult<Vec<Model>> {
    let rows: Vec<Model> = ctx
        .by_ids::<entity::customer::Entity, _>(&ctx.db, ids)
        .await?
        .into_iter()
        .filter(|c| c.deleted.is_none())
        .collect();
    Ok(crate::service::page_by(rows, |c| c.id, limit, offset))
}

/// Escapes `%`, `_` and `\` so a search term matches literally.
pub fn escape_like(term: &str) -> String {
    let mut out = String::with_capacity(term.len());
    for c in term.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
