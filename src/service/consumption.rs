//! Consumptions (API.md sections 5 and 10): one-off charges for a customer,
//! billed at once on an invoice of their own (IMMEDIATE) or with the next
//! invoice: the subscription's next regular one, or without a subscription
//! one of their own at the next billing run (`billing::consumptions`).
//! A refund before invoicing withdraws the consumption; after, it is a credit
//! note of its line (`credit_note::credit_item_amount`).

use rust_decimal::Decimal;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, NotSet};
use sea_orm::{QueryFilter, QueryOrder, QuerySelect};
use serde_json::{Value, json};

use super::invoice::Issued;
use super::{Ctx, WriteCtx, article, credit_note, customer, events, subscription};
use crate::billing::{consumptions, writer};
use crate::db::scope::Scope;
use crate::domain::money::round_money;
use crate::error::{AppError, AppResult, OptionExt};
use entity::DecimalText;
use entity::consumption::{Column, Entity, Model};

/// What `consumption.create` asks for.
#[derive(Clone, Debug)]
pub struct NewConsumption {
    pub customer_id: i64,
    pub subscription_id: Option<i64>,
    /// The article whose title, price and VAT rate are the defaults.
    pub article_number: Option<String>,
    pub title: Option<String>,
    pub unit_price: Option<Decimal>,
    pub vat_percent: Option<Decimal>,
    pub quantity: Decimal,
    pub immediate: bool,
}

/// A consumption just created, with the invoice that billed it at once.
pub struct Created {
    pub consumption: Model,
    pub invoice: Option<Issued>,
}

/// The currency the consumption bills in: its subscription's, else the
/// customer's, else the tenant's default.
async fn currency_of(ctx: &WriteCtx, input: &NewConsumption) -> AppResult<String> {
    let customer = customer::get_one(ctx, input.customer_id).await?;
    let Some(id) = input.subscription_id else {
        return Ok(customer.currency_code.unwrap_or_else(|| ctx.settings.billing.default_currency.clone()));
    };
    let sub = subscription::get_one(ctx, id).await?;
    if sub.customer_id != customer.id {
        return Err(AppError::invalid("SUBSCRIPTION_ID", "the subscription is another customer's"));
    }
    if !input.immediate && sub.status == "closed" {
        return Err(AppError::conflict_on(
            "SUBSCRIPTION_ID",
            "SUBSCRIPTION_ID: the subscription is closed and has no next invoice; use IMMEDIATE",
        ));
    }
    Ok(sub.currency_code)
}

/// The row to write: the article's title, price and rate unless given.
async fn row_of(ctx: &WriteCtx, input: NewConsumption, currency: String) -> AppResult<Model> {
    let (article_number, title, unit_price, vat_percent) = match &input.article_number {
        Some(number) => {
            let found = article::get_one(ctx, number).await?;
            let price = match input.unit_price {
                Some(p) => p,
                None if found.currency_code != currency => {
                    return Err(AppError::invalid(
                        "ARTICLE_NUMBER",
                        format!("the article is priced in {}; give UNIT_PRICE", found.currency_code),
                    ));
                }
                None => found.unit_price.0,
            };
            let title = input.title.unwrap_or(found.title);
            (Some(found.article_number), title, price, input.vat_percent.unwrap_or(found.vat_percent.0))
        }
        None => {
            let title = input.title.ok_or_else(|| AppError::invalid("TITLE", "required without ARTICLE_NUMBER"))?;
            let price =
                input.unit_price.ok_or_else(|| AppError::invalid("UNIT_PRICE", "required without ARTICLE_NUMBER"))?;
            let vat =
                input.vat_percent.ok_or_else(|| AppError::invalid("VAT_PERCENT", "required without ARTICLE_NUMBER"))?;
            (None, title, price, vat)
        }
    };
    Ok(Model {
        id: 0,
        tenant_id: ctx.tenant.id.get(),
        customer_id: input.customer_id,
        subscription_id: input.subscription_id,
        article_number,
        title,
        quantity: DecimalText(input.quantity),
        unit_price: DecimalText(unit_price),
        vat_percent: DecimalText(vat_percent),
        currency_code: currency,
        immediate: input.immediate,
        status: "open".into(),
        invoice_id: None,
        invoice_item_id: None,
        refund_id: None,
        created: ctx.now,
    })
}

/// `consumption.create`: books the consumption and, when IMMEDIATE, issues
/// its invoice through the one writer (which marks it invoiced).
pub async fn create(ctx: &WriteCtx, input: NewConsumption) -> AppResult<Created> {
    let currency = currency_of(ctx, &input).await?;
    let mut row = row_of(ctx, input, currency).await?;
    let mut active = row.clone().into_active_model().reset_all();
    active.id = NotSet;
    row.id = Entity::insert(active).exec(&ctx.db).await?.last_insert_id;
    let data = json!({
        "CUSTOMER_ID": row.customer_id,
        "SUBSCRIPTION_ID": row.subscription_id,
        "TITLE": row.title,
        "QUANTITY": row.quantity.0.to_string(),
        "UNIT_PRICE": row.unit_price.0.to_string(),
        "IMMEDIATE": row.immediate,
    });
    events::append(ctx, "consumption", row.id, "consumption.created", data).await?;
    if !row.immediate {
        return Ok(Created { consumption: row, invoice: None });
    }
    let draft = consumptions::own_invoice(std::slice::from_ref(&row), ctx.now)
        .ok_or_else(|| AppError::internal("no invoice for a consumption"))?;
    let issued = writer::issue(ctx, draft).await?;
    let consumption = get_one(ctx, row.id).await?;
    Ok(Created { consumption, invoice: Some(issued) })
}

/// One consumption of this tenant, or 1004.
pub async fn get_one<C: ConnectionTrait>(ctx: &Ctx<C>, id: i64) -> AppResult<Model> {
    ctx.by_id::<Entity, _>(&ctx.db, id).await?.or_not_found("CONSUMPTION_ID", "consumption")
}

/// `consumption.get`: by id and customer, oldest first.
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

/// The net a consumption bills (quantity x unit price, rounded).
pub fn net(c: &Model) -> Decimal {
    round_money(c.quantity.0 * c.unit_price.0, &c.currency_code)
}

/// What a refund did (also what a repeated REFUND_ID answers).
#[derive(Clone, Debug)]
pub struct Refund {
    pub consumption_id: i64,
    /// The net refunded.
    pub amount: Decimal,
    /// The credit note, for a consumption refunded after invoicing.
    pub credit_note: Option<(i64, String)>,
    pub currency: String,
}

impl Refund {
    fn data(&self, refund_id: Option<&str>) -> Value {
        json!({
            "REFUND_ID": refund_id,
            "AMOUNT": self.amount.to_string(),
            "INVOICE_ID": self.credit_note.as_ref().map(|n| n.0),
            "INVOICE_NUMBER": self.credit_note.as_ref().map(|n| n.1.clone()),
        })
    }

    fn read(consumption: &Model, data: &Value) -> Refund {
        let amount = data["AMOUNT"].as_str().and_then(|a| a.parse().ok()).unwrap_or_default();
        let note = data["INVOICE_ID"].as_i64().zip(data["INVOICE_NUMBER"].as_str().map(str::to_owned));
        Refund {
            consumption_id: consumption.id,
            amount,
            credit_note: note,
            currency: consumption.currency_code.clone(),
        }
    }
}

/// The earlier refund of `consumption` with `refund_id`, if any.
async fn earlier(ctx: &WriteCtx, consumption: &Model, refund_id: &str) -> AppResult<Option<Refund>> {
    let done = events::list(ctx, "consumption", consumption.id, 1000, 0).await?;
    Ok(done
        .iter()
        .filter(|e| e.event_type == "consumption.refunded")
        .find(|e| e.data["REFUND_ID"].as_str() == Some(refund_id))
        .map(|e| Refund::read(consumption, &e.data)))
}

/// `consumption.refund`: withdraws an open consumption whole, or credits
/// (part of) the invoiced line; the same REFUND_ID again answers the first result.
pub async fn refund(ctx: &WriteCtx, id: i64, amount: Option<Decimal>, refund_id: Option<String>) -> AppResult<Refund> {
    let mut row = get_one(ctx, id).await?;
    if let Some(key) = &refund_id
        && let Some(first) = earlier(ctx, &row, key).await?
    {
        return Ok(first);
    }
    let done = match (row.status.as_str(), row.invoice_item_id) {
        ("open", _) => {
            let whole = net(&row);
            if amount.is_some_and(|a| a != whole) {
                return Err(AppError::conflict_on("AMOUNT", "AMOUNT: an open consumption is withdrawn whole"));
            }
            row.status = "refunded".into();
            Refund { consumption_id: id, amount: whole, credit_note: None, currency: row.currency_code.clone() }
        }
        ("invoiced", Some(line)) => {
            let reason = Some(format!("Refund of {}", row.title));
            let note = credit_note::credit_item_amount(ctx, line, amount, reason).await?;
            let left = ctx
                .by_id::<entity::invoice_item::Entity, _>(&ctx.db, line)
                .await?
                .map(|l| l.complete_net.0.abs() - l.credited_net.0.abs())
                .unwrap_or_default();
            if left <= Decimal::ZERO {
                row.status = "refunded".into();
            }
            let amount = -note.invoice.sub_total.0;
            let credit_note = Some((note.invoice.id, note.invoice.invoice_number.clone()));
            Refund { consumption_id: id, amount, credit_note, currency: row.currency_code.clone() }
        }
        _ => {
            return Err(AppError::conflict_on("CONSUMPTION_ID", "CONSUMPTION_ID: the consumption is refunded already"));
        }
    };
    row.refund_id = refund_id.clone().or(row.refund_id);
    Entity::update(row.clone().into_active_model().reset_all())
        .filter(Column::TenantId.eq(ctx.tenant.id.get()))
        .exec(&ctx.db)
        .await?;
    events::append(ctx, "consumption", id, "consumption.refunded", done.data(refund_id.as_deref())).await?;
    Ok(done)
}
