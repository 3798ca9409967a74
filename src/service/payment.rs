//! Payments (API.md section 10): `payment.create`, `invoice.setpaid`,
//! `payment.reverse`, `payment.get`, and customer credit
//! (`customer.addcredits`). What a payment does to an invoice is
//! `domain::balance`; writing it is `billing::balance`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::json;

use super::{Ctx, WriteCtx, events};
use crate::billing::balance::{self as writes, NewPayment};
pub use crate::billing::balance::{overdue_from, tenant_zone};
use crate::db::scope::Scope;
use crate::domain::balance::{self, Amount, BalanceError};
use crate::error::{AppError, AppResult};
use entity::{invoice, payment};

/// What `payment.create` records.
#[derive(Clone, Debug)]
pub struct PaymentInput {
    pub invoice_id: i64,
    pub amount: Decimal,
    /// Must equal the invoice's when given.
    pub currency: Option<String>,
    pub method: String,
    pub reference: Option<String>,
    /// Default: now.
    pub paid_date: Option<DateTime<Utc>>,
}

/// An issued outgoing invoice of this tenant that can take a payment (locked).
pub async fn payable<C: ConnectionTrait>(ctx: &Ctx<C>, invoice_id: i64) -> AppResult<invoice::Model> {
    let invoice = ctx
        .by_id::<invoice::Entity, _>(&ctx.db, invoice_id)
        .await?
        .ok_or_else(|| AppError::not_found("INVOICE_ID", "INVOICE_ID: no such invoice"))?;
    match (invoice.kind.as_str(), invoice.status.as_str()) {
        ("credit", _) => Err(AppError::conflict_on("INVOICE_ID", "INVOICE_ID: a credit note takes no payment")),
        (_, "draft") => {
            Err(AppError::conflict_on("INVOICE_ID", "INVOICE_ID: a draft takes no payment; complete it first"))
        }
        (_, "canceled") => Err(AppError::conflict_on("INVOICE_ID", "INVOICE_ID: the invoice is canceled")),
        _ => Ok(invoice),
    }
}

fn amount_error(err: BalanceError) -> AppError {
    match err {
        BalanceError::NotPositive | BalanceError::Precision => AppError::invalid(err.tag(), err),
        _ => AppError::conflict_on(err.tag(), err.to_string()),
    }
}

/// Records a payment and allocates it: what exceeds OUTSTANDING_AMOUNT goes to
/// the customer's CREDIT_BALANCE.
pub async fn create(ctx: &WriteCtx, input: PaymentInput) -> AppResult<payment::Model> {
    let invoice = payable(ctx, input.invoice_id).await?;
    if let Some(currency) = &input.currency
        && !currency.eq_ignore_ascii_case(&invoice.currency_code)
    {
        let msg = format!("must be the invoice's currency {}", invoice.currency_code);
        return Err(AppError::invalid("CURRENCY_CODE", msg));
    }
    let amount = Amount::parse(input.amount, &invoice.currency_code).map_err(amount_error)?;
    let method = input.method.trim().to_ascii_lowercase();
    if method.is_empty() || method.len() > 64 {
        return Err(AppError::invalid("METHOD", "must be 1 to 64 characters (sepa, card, transfer, ...)"));
    }
    record(ctx, invoice, amount, method, input.reference, input.paid_date.unwrap_or(ctx.now)).await
}

async fn record(
    ctx: &WriteCtx,
    invoice: invoice::Model,
    amount: Amount,
    method: String,
    reference: Option<String>,
    paid_date: DateTime<Utc>,
) -> AppResult<payment::Model> {
    let allocation = balance::allocate(amount, invoice.outstanding.0);
    let payment = writes::insert_payment(
        ctx,
        NewPayment {
            invoice: invoice.id,
            customer: invoice.customer_id,
            amount: amount.value(),
            allocated: allocation.allocated,
            currency: invoice.currency_code.clone(),
            method,
            reference,
            paid_date,
        },
    )
    .await?;
    let outstanding = invoice.outstanding.0 - allocation.allocated;
    writes::settle(ctx, invoice, outstanding, paid_date).await?;
    writes::change_credit_balance(ctx, payment.customer_id, allocation.to_credit_balance, "AMOUNT").await?;
    Ok(payment)
}

/// `invoice.setpaid`: a payment of METHOD `manual`, by default of the
/// outstanding amount (1009 when nothing is outstanding).
pub async fn set_paid(
    ctx: &WriteCtx,
    invoice_id: i64,
    paid_date: Option<DateTime<Utc>>,
    amount: Option<Decimal>,
) -> AppResult<payment::Model> {
    let invoice = payable(ctx, invoice_id).await?;
    let value = match amount {
        Some(a) => a,
        None if invoice.outstanding.0 > Decimal::ZERO => invoice.outstanding.0,
        None => return Err(AppError::conflict_on("INVOICE_ID", "INVOICE_ID: the invoice is paid already")),
    };
    let amount = Amount::parse(value, &invoice.currency_code).map_err(amount_error)?;
    record(ctx, invoice, amount, "manual".into(), None, paid_date.unwrap_or(ctx.now)).await
}

/// `payment.reverse` (REASON `refund` or `chargeback`): the allocated part is
/// outstanding again; what went to CREDIT_BALANCE is taken back from it.
pub async fn reverse(ctx: &WriteCtx, payment_id: i64, reason: &str) -> AppResult<payment::Model> {
    let mut row = ctx
        .by_id::<payment::Entity, _>(&ctx.db, payment_id)
        .await?
        .ok_or_else(|| AppError::not_found("PAYMENT_ID", "PAYMENT_ID: no such payment"))?;
    let invoice = ctx
        .by_id::<invoice::Entity, _>(&ctx.db, row.invoice_id)
        .await?
        .ok_or_else(|| AppError::internal("a payment's invoice is missing"))?;
    let customer = ctx
        .by_id::<entity::customer::Entity, _>(&ctx.db, row.customer_id)
        .await?
        .ok_or_else(|| AppError::internal("a payment's customer is missing"))?;
    let domain = balance::Payment {
        amount: row.amount.0,
        allocated: row.allocated.0,
        from_credit_balance: row.method == "credit",
        reversed: row.status == "reversed",
    };
    // OUTSTANDING_AMOUNT = TOTAL - payments - credit notes (API.md section 10), never below 0.
    let payments = of_invoices(ctx, vec![invoice.id]).await?.remove(&invoice.id).unwrap_or_default();
    let others: Decimal =
        payments.iter().filter(|p| p.id != row.id && p.status != "reversed").map(|p| p.allocated.0).sum();
    let owed = (invoice.total.0 - others - invoice.credited_total.0).max(Decimal::ZERO);
    let room = owed - invoice.outstanding.0;
    let reversal = balance::reverse_within(&domain, customer.credit_balance.0, room).map_err(amount_error)?;
    writes::change_credit_balance(ctx, row.customer_id, reversal.credit_balance_change, "PAYMENT_ID").await?;
    let outstanding = invoice.outstanding.0 + reversal.outstanding_back;
    writes::settle(ctx, invoice, outstanding, ctx.now).await?;
    row.status = "reversed".into();
    row.reverse_reason = Some(reason.to_owned());
    row.reversed_at = Some(ctx.now);
    payment::Entity::update(row.clone().into_active_model().reset_all())
        .filter(payment::Column::TenantId.eq(ctx.tenant.id.get()))
        .exec(&ctx.db)
        .await?;
    let data = json!({"INVOICE_ID": row.invoice_id, "AMOUNT": row.amount.0.to_string(), "REASON": reason});
    events::append(ctx, "payment", row.id, "payment.reversed", data).await?;
    Ok(row)
}

/// Filters of `payment.get`; all given must match.
#[derive(Debug, Default)]
pub struct PaymentFilter {
    pub payment_id: Option<i64>,
    pub invoice_id: Option<i64>,
    pub customer_id: Option<i64>,
}

/// A page of payments by id.
pub async fn find<C: ConnectionTrait>(
    ctx: &Ctx<C>,
    filter: PaymentFilter,
    limit: u64,
    offset: u64,
) -> AppResult<Vec<payment::Model>> {
    use payment::Column as P;
    let mut query = ctx.find::<payment::Entity>();
    for (column, value) in
        [(P::Id, filter.payment_id), (P::InvoiceId, filter.invoice_id), (P::CustomerId, filter.customer_id)]
    {
        if let Some(v) = value {
            query = query.filter(column.eq(v));
        }
    }
    Ok(query.order_by_asc(P::Id).limit(limit).offset(offset).all(&ctx.db).await?)
}

/// The payments of each of `invoice_ids`, in the order they were made.
pub async fn of_invoices<C: ConnectionTrait>(
    ctx: &Ctx<C>,
    invoice_ids: Vec<i64>,
) -> AppResult<HashMap<i64, Vec<payment::Model>>> {
    let mut out: HashMap<i64, Vec<payment::Model>> = HashMap::new();
    if invoice_ids.is_empty() {
        return Ok(out);
    }
    let rows = ctx
        .find::<payment::Entity>()
        .filter(payment::Column::InvoiceId.is_in(invoice_ids))
        .order_by_asc(payment::Column::Id)
        .all(&ctx.db)
        .await?;
    for row in rows {
        out.entry(row.invoice_id).or_default().push(row);
    }
    Ok(out)
}

/// `customer.addcredits`: adds AMOUNT (> 0) to CREDIT_BALANCE; the new balance.
pub async fn add_credits(ctx: &WriteCtx, customer_id: i64, amount: Decimal) -> AppResult<Decimal> {
    let customer = super::customer::get_one(ctx, customer_id).await?;
    let currency = customer.currency_code.clone().unwrap_or_else(|| ctx.settings.billing.default_currency.clone());
    let amount = Amount::parse(amount, &currency).map_err(amount_error)?;
    let balance = writes::change_credit_balance(ctx, customer_id, amount.value(), "AMOUNT").await?;
    let data = json!({"AMOUNT": amount.value().to_string(), "CREDIT_BALANCE": balance.to_string()});
    events::append(ctx, "customer", customer_id, "customer.credits_added", data).await?;
    Ok(balance)
}
