//! Moving an issued invoice's balance (API.md section 10): OUTSTANDING_AMOUNT,
//! STATUS and PAID_DATE after a payment, a reversal or a credit note; the
//! customer's CREDIT_BALANCE; and customer credit applied at issue as a
//! payment of METHOD `credit`, which the invoice writer does in the issuing
//! transaction. The money rules are `domain::balance`'s; this writes them.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, IntoActiveModel, NotSet, QueryFilter,
    QuerySelect,
};
use serde_json::{Value, json};

use super::draft::Issued;
use crate::db::ctx::Ctx;
use crate::db::scope::Scope;
use crate::domain::balance::{self, paid_date};
use crate::error::{AppError, AppResult};
use entity::{DecimalText, customer, event, invoice, payment};

/// The tenant's time zone (Europe/Berlin when unset or unknown).
pub async fn tenant_zone<C: ConnectionTrait>(ctx: &Ctx<C>) -> AppResult<Tz> {
    let row = entity::tenant::Entity::find_by_id(ctx.tenant.id.get()).one(&ctx.db).await?;
    Ok(row.and_then(|t| t.timezone.parse::<Tz>().ok()).unwrap_or(chrono_tz::Europe::Berlin))
}

/// The tenant's date at `at`.
pub fn local_date(at: DateTime<Utc>, tz: Tz) -> NaiveDate {
    at.with_timezone(&tz).date_naive()
}

/// The first instant of the tenant's day `now` falls on: an unpaid invoice due
/// before it is overdue (its due date lies before today, API.md section 10).
pub fn overdue_from(now: DateTime<Utc>, tz: Tz) -> DateTime<Utc> {
    let midnight = local_date(now, tz).and_hms_opt(0, 0, 0).unwrap_or_default();
    // A day that starts in a DST gap starts at the first instant that exists.
    tz.from_local_datetime(&midnight).earliest().map_or(now, |t| t.with_timezone(&Utc))
}

/// Appends a timeline event in the caller's transaction.
pub async fn event<C: ConnectionTrait>(
    ctx: &Ctx<C>,
    subject: &str,
    subject_id: i64,
    event_type: &str,
    data: Value,
) -> AppResult<()> {
    let row = event::Model {
        id: 0,
        tenant_id: ctx.tenant.id.get(),
        subject: subject.to_owned(),
        subject_id,
        event_type: event_type.to_owned(),
        data,
        created: ctx.now,
    };
    let mut active = row.into_active_model().reset_all();
    active.id = NotSet;
    event::Entity::insert(active).exec(&ctx.db).await?;
    Ok(())
}

/// Stores `outstanding` on `invoice` with the STATUS and PAID_DATE that follow
/// (an allocation at `at`); writes `invoice.paid` when it became paid.
pub async fn settle<C: ConnectionTrait>(
    ctx: &Ctx<C>,
    mut invoice: invoice::Model,
    outstanding: Decimal,
    at: DateTime<Utc>,
) -> AppResult<invoice::Model> {
    let before = invoice.outstanding.0;
    let was_paid = invoice.status == "paid";
    invoice.outstanding = DecimalText(outstanding);
    invoice.paid_date = paid_date(invoice.paid_date, before, outstanding, at);
    if invoice.status != "canceled" {
        invoice.status = if outstanding > Decimal::ZERO { "unpaid" } else { "paid" }.to_owned();
    }
    save_invoice(ctx, &invoice).await?;
    if invoice.status == "paid" && !was_paid {
        let data = json!({"INVOICE_NUMBER": invoice.invoice_number, "PAID_DATE": crate::domain::format::opt_datetime(invoice.paid_date)});
        event(ctx, "invoice", invoice.id, "invoice.paid", data).await?;
    }
    Ok(invoice)
}

/// Writes an invoice row back (its payment, credit and dunning state).
pub async fn save_invoice<C: ConnectionTrait>(ctx: &Ctx<C>, row: &invoice::Model) -> AppResult<()> {
    invoice::Entity::update(row.clone().into_active_model().reset_all())
        .filter(invoice::Column::TenantId.eq(ctx.tenant.id.get()))
        .exec(&ctx.db)
        .await?;
    Ok(())
}

/// Adds `delta` to a customer's CREDIT_BALANCE; 1009 when it would go below zero.
pub async fn change_credit_balance<C: ConnectionTrait>(
    ctx: &Ctx<C>,
    customer_id: i64,
    delta: Decimal,
    tag: &str,
) -> AppResult<Decimal> {
    let mut row = ctx
        .by_id::<customer::Entity, _>(&ctx.db, customer_id)
        .await?
        .ok_or_else(|| AppError::not_found("CUSTOMER_ID", "customer not found"))?;
    let balance = row.credit_balance.0 + delta;
    if balance < Decimal::ZERO {
        let held = row.credit_balance.0;
        return Err(AppError::conflict_on(tag, format!("{tag}: CREDIT_BALANCE holds only {held}")));
    }
    if delta.is_zero() {
        return Ok(balance);
    }
    row.credit_balance = DecimalText(balance);
    save_balance(ctx, &row).await?;
    Ok(balance)
}

async fn save_balance<C: ConnectionTrait>(ctx: &Ctx<C>, row: &customer::Model) -> AppResult<()> {
    customer::Entity::update_many()
        .col_expr(customer::Column::CreditBalance, sea_orm::sea_query::Expr::value(row.credit_balance))
        .filter(customer::Column::Id.eq(row.id))
        .filter(customer::Column::TenantId.eq(ctx.tenant.id.get()))
        .exec(&ctx.db)
        .await?;
    Ok(())
}

/// A payment to record.
#[derive(Clone, Debug)]
pub struct NewPayment {
    pub invoice: i64,
    pub customer: i64,
    pub amount: Decimal,
    pub allocated: Decimal,
    pub currency: String,
    pub method: String,
    pub reference: Option<String>,
    pub paid_date: DateTime<Utc>,
}

/// Inserts a payment with its `payment.created` event.
pub async fn insert_payment<C: ConnectionTrait>(ctx: &Ctx<C>, p: NewPayment) -> AppResult<payment::Model> {
    let row = payment::Model {
        id: 0,
        tenant_id: ctx.tenant.id.get(),
        invoice_id: p.invoice,
        customer_id: p.customer,
        amount: DecimalText(p.amount),
        allocated: DecimalText(p.allocated),
        to_credit_balance: DecimalText(p.amount - p.allocated),
        currency_code: p.currency,
        method: p.method,
        reference: p.reference,
        paid_date: p.paid_date,
        status: "completed".into(),
        reverse_reason: None,
        reversed_at: None,
        created: ctx.now,
    };
    let mut active = row.clone().into_active_model().reset_all();
    active.id = NotSet;
    let id = payment::Entity::insert(active).exec(&ctx.db).await?.last_insert_id;
    let row = payment::Model { id, ..row };
    let data = json!({"INVOICE_ID": row.invoice_id, "AMOUNT": row.amount.0.to_string(), "METHOD": row.method});
    event(ctx, "payment", id, "payment.created", data).await?;
    Ok(row)
}

/// Applies the customers' CREDIT_BALANCE to invoices just issued, as payments
/// of METHOD `credit` (`min(CREDIT_BALANCE, TOTAL)`), in the issuing
/// transaction; `issued` is updated in place. `with_credit` are the customers
/// the writer read with credit in this transaction: only they are read again
/// (locked on PostgreSQL), so a billing run of customers without any pays no
/// statement here.
pub async fn apply_customer_credit<C: ConnectionTrait>(
    ctx: &Ctx<C>,
    issued: &mut [Issued],
    with_credit: &[i64],
) -> AppResult<()> {
    let mut wanted: Vec<i64> = issued
        .iter()
        .filter(|i| {
            i.invoice.kind == "outgoing" && i.invoice.status == "unpaid" && i.invoice.outstanding.0 > Decimal::ZERO
        })
        .filter(|i| with_credit.contains(&i.invoice.customer_id))
        .map(|i| i.invoice.customer_id)
        .collect();
    wanted.sort_unstable();
    wanted.dedup();
    if wanted.is_empty() {
        return Ok(());
    }
    let mut select = customer::Entity::find()
        .filter(customer::Column::Id.is_in(wanted))
        .filter(customer::Column::CreditBalance.ne("0"));
    if ctx.db.get_database_backend() == DbBackend::Postgres {
        select = select.lock_exclusive();
    }
    let mut customers = ctx.keep_own::<customer::Entity>(select.all(&ctx.db).await?);
    customers.retain(|c| c.credit_balance.0 > Decimal::ZERO);
    if customers.is_empty() {
        return Ok(());
    }
    for item in issued.iter_mut() {
        let Some(c) = customers.iter_mut().find(|c| c.id == item.invoice.customer_id) else { continue };
        let inv = &item.invoice;
        if inv.kind != "outgoing" || inv.status != "unpaid" {
            continue;
        }
        let amount = balance::credit_at_issue(c.credit_balance.0, inv.outstanding.0);
        if amount.is_zero() {
            continue;
        }
        let payment = NewPayment {
            invoice: inv.id,
            customer: c.id,
            amount,
            allocated: amount,
            currency: inv.currency_code.clone(),
            method: "credit".into(),
            reference: None,
            paid_date: ctx.now,
        };
        insert_payment(ctx, payment).await?;
        c.credit_balance = DecimalText(c.credit_balance.0 - amount);
        let outstanding = inv.outstanding.0 - amount;
        item.invoice = settle(ctx, item.invoice.clone(), outstanding, ctx.now).await?;
    }
    for c in &customers {
        save_balance(ctx, c).await?;
    }
    Ok(())
}
