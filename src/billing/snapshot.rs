//! What a document shows of the seller and the buyer, fixed when the invoice is issued (API.md
//! section 11): changing the tenant's SELLER or the customer later changes no document already issued.
//! Unset fields are left out of the stored JSON (every invoice row carries both snapshots).
//!
//! The writer stores these as JSON in `invoice.seller` / `invoice.buyer` (and the customer's
//! LANGUAGE_CODE in `invoice.language_code`); the document service reads them back with the same
//! types. The seller snapshot is the tenant's stored `SELLER` object (see `service::profile`, which
//! writes it with these key names) plus its `INVOICE_FOOTER`, the legal lines under every invoice.

use std::collections::HashMap;

use rust_decimal::Decimal;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult, QueryFilter, QuerySelect, Statement,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::db::ctx::Ctx;
use crate::error::{AppError, AppResult};
use entity::{DecimalText, customer, invoice, tenant};

/// The seller block of a tenant (its stored `SELLER`, API.md section 11); every field optional (a
/// tenant may not have set it yet). `service::profile` edits it; invoices snapshot it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", default)]
pub struct SellerParty {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_2: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zipcode: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vat_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tax_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iban: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bic: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bank_name: Option<String>,
}

/// The seller as an invoice was issued by: the seller block and the legal footer lines.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", default)]
pub struct SellerSnapshot {
    #[serde(flatten)]
    pub party: SellerParty,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoice_footer: Option<String>,
}

impl SellerSnapshot {
    /// The tenant's current seller block and footer (`tenant.settings`).
    pub fn of(tenant: &tenant::Model) -> SellerSnapshot {
        SellerSnapshot::of_settings(tenant.settings.as_ref())
    }

    /// The same, from the tenant's settings.
    fn of_settings(settings: Option<&Value>) -> SellerSnapshot {
        let party = settings
            .and_then(|s| s.get("SELLER"))
            .and_then(|s| serde_json::from_value(s.clone()).ok())
            .unwrap_or_default();
        let invoice_footer = settings.and_then(|s| s.get("INVOICE_FOOTER")).and_then(Value::as_str).map(str::to_owned);
        SellerSnapshot { party, invoice_footer }
    }

    /// Reads a stored snapshot; `None` when there is none or it does not parse.
    pub fn read(stored: Option<&Value>) -> Option<SellerSnapshot> {
        stored.and_then(|v| serde_json::from_value(v.clone()).ok())
    }
}

/// The buyer as the customer was when the invoice was issued.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", default)]
pub struct BuyerSnapshot {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_2: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zipcode: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vat_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

impl BuyerSnapshot {
    /// Reads a stored snapshot; `None` when there is none or it does not parse.
    pub fn read(stored: Option<&Value>) -> Option<BuyerSnapshot> {
        stored.and_then(|v| serde_json::from_value(v.clone()).ok())
    }
}

/// What issuing an invoice reads of its customer: the buyer snapshot, payment term, credit and
/// mail delivery (a customer row has some 60 columns; a billing chunk reads only these).
#[derive(Clone, Debug, FromQueryResult, Deserialize)]
pub(crate) struct IssueCustomer {
    id: i64,
    tenant_id: i64,
    customer_number: i64,
    organization: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    address: Option<String>,
    address_2: Option<String>,
    zipcode: Option<String>,
    city: Option<String>,
    country_code: Option<String>,
    vat_id: Option<String>,
    email: Option<String>,
    language_code: Option<String>,
    days_for_payment: Option<i32>,
    credit_balance: DecimalText,
    invoice_delivery_method: String,
}

impl IssueCustomer {
    fn buyer(&self) -> BuyerSnapshot {
        BuyerSnapshot {
            customer_number: Some(self.customer_number.to_string()),
            organization: self.organization.clone(),
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            address: self.address.clone(),
            address_2: self.address_2.clone(),
            zipcode: self.zipcode.clone(),
            city: self.city.clone(),
            country_code: self.country_code.clone(),
            vat_id: self.vat_id.clone(),
            email: self.email.clone(),
        }
    }
}

/// The customers of one flush of the writer, read once (with the tenant's seller block): their
/// snapshots, their DAYS_FOR_PAYMENT, who has credit to apply and who gets invoices by mail.
pub(crate) struct Snapshots {
    seller: Option<Value>,
    customers: HashMap<i64, IssueCustomer>,
}

impl Snapshots {
    /// Loads the tenant and the customers of `customer_ids` (two statements per flush, not per invoice).
    pub(crate) async fn load<C: ConnectionTrait>(ctx: &Ctx<C>, mut customer_ids: Vec<i64>) -> AppResult<Snapshots> {
        use customer::Column as C_;
        customer_ids.sort_unstable();
        customer_ids.dedup();
        if customer_ids.is_empty() {
            return Ok(Snapshots { seller: None, customers: HashMap::new() });
        }
        if ctx.db.get_database_backend() == DbBackend::Sqlite {
            return Snapshots::load_in_one_row(ctx, &customer_ids).await;
        }
        let tenant = tenant::Entity::find_by_id(ctx.tenant.id.get()).one(&ctx.db).await?;
        let seller = tenant.map(|t| SellerSnapshot::of(&t)).and_then(|s| serde_json::to_value(s).ok());
        let mut customers = HashMap::with_capacity(customer_ids.len());
        // Bounded IN lists: a flush may hold a whole billing chunk. By primary
        // key alone, other tenants' rows dropped here (see `db::scope`): with
        // `tenant_id` in the SQL, PostgreSQL without fresh statistics walks
        // the tenant's index for every chunk, and a run grows quadratic.
        let tenant = ctx.tenant.id.get();
        for ids in customer_ids.chunks(1000) {
            let rows: Vec<IssueCustomer> = customer::Entity::find()
                .select_only()
                .columns([
                    C_::Id,
                    C_::TenantId,
                    C_::CustomerNumber,
                    C_::Organization,
                    C_::FirstName,
                    C_::LastName,
                    C_::Address,
                    C_::Address2,
                    C_::Zipcode,
                    C_::City,
                    C_::CountryCode,
                    C_::VatId,
                    C_::Email,
                    C_::LanguageCode,
                    C_::DaysForPayment,
                    C_::CreditBalance,
                    C_::InvoiceDeliveryMethod,
                ])
                .filter(C_::Id.is_in(ids.to_vec()))
                .into_model::<IssueCustomer>()
                .all(&ctx.db)
                .await?;
            customers.extend(rows.into_iter().filter(|c| c.tenant_id == tenant).map(|c| (c.id, c)));
        }
        Ok(Snapshots { seller, customers })
    }

    /// [`Snapshots::load`] on SQLite: the tenant's settings and the customers
    /// as one row of JSON, in one statement. sqlx hands each result row from
    /// SQLite's thread to ours on its own, which cost more than the lookups
    /// for a billing chunk's customers (the same as `service::usage`'s
    /// owners).
    async fn load_in_one_row<C: ConnectionTrait>(ctx: &Ctx<C>, customer_ids: &[i64]) -> AppResult<Snapshots> {
        const SQL: &str = "SELECT (SELECT settings FROM tenant WHERE id = ?) AS settings, \
            (SELECT json_group_array(json_object('id', id, 'tenant_id', tenant_id, \
              'customer_number', customer_number, 'organization', organization, \
              'first_name', first_name, 'last_name', last_name, 'address', address, \
              'address_2', address_2, 'zipcode', zipcode, 'city', city, \
              'country_code', country_code, 'vat_id', vat_id, 'email', email, \
              'language_code', language_code, 'days_for_payment', days_for_payment, \
              'credit_balance', credit_balance, 'invoice_delivery_method', invoice_delivery_method)) \
             FROM customer WHERE id IN (SELECT value FROM json_each(?))) AS customers";
        let tenant = ctx.tenant.id.get();
        let ids = serde_json::to_string(customer_ids).map_err(|e| AppError::internal(e.to_string()))?;
        let statement = Statement::from_sql_and_values(DbBackend::Sqlite, SQL, [tenant.into(), ids.into()]);
        let Some(row) = ctx.db.query_one(statement).await? else {
            return Err(AppError::internal("the customers' read returned no row"));
        };
        let settings: Option<String> = row.try_get("", "settings")?;
        let settings: Option<Value> = match settings {
            Some(text) => {
                Some(serde_json::from_str(&text).map_err(|e| AppError::internal(format!("tenant settings: {e}")))?)
            }
            None => None,
        };
        let seller = serde_json::to_value(SellerSnapshot::of_settings(settings.as_ref())).ok();
        let text: String = row.try_get("", "customers")?;
        let rows: Vec<IssueCustomer> =
            serde_json::from_str(&text).map_err(|e| AppError::internal(format!("customers of a flush: {e}")))?;
        // By primary key alone (see `db::scope`); other tenants' rows dropped here.
        let customers = rows.into_iter().filter(|c| c.tenant_id == tenant).map(|c| (c.id, c)).collect();
        Ok(Snapshots { seller, customers })
    }

    /// Fixes seller, buyer and language on a new invoice row.
    pub(crate) fn apply(&self, row: &mut invoice::Model) {
        row.seller.clone_from(&self.seller);
        if let Some((buyer, language)) = self.buyer(row.customer_id) {
            row.buyer = serde_json::to_value(buyer).ok();
            row.language_code = language;
        }
    }

    /// The customer's buyer snapshot and LANGUAGE_CODE as they are now.
    pub(crate) fn buyer(&self, customer_id: i64) -> Option<(BuyerSnapshot, Option<String>)> {
        self.customers.get(&customer_id).map(|c| (c.buyer(), c.language_code.clone()))
    }

    /// The customer's DAYS_FOR_PAYMENT, when it overrides `billing.payment_term_days` (API.md 5.1).
    pub(crate) fn payment_days(&self, customer_id: i64) -> Option<i32> {
        self.customers.get(&customer_id).and_then(|c| c.days_for_payment)
    }

    /// The customers whose CREDIT_BALANCE was above zero when read.
    pub(crate) fn with_credit(&self) -> Vec<i64> {
        self.customers.values().filter(|c| c.credit_balance.0 > Decimal::ZERO).map(|c| c.id).collect()
    }

    /// The address to mail invoices to, for a customer whose INVOICE_DELIVERY_METHOD is `mail`.
    pub(crate) fn mail_to(&self, customer_id: i64) -> Option<&str> {
        let c = self.customers.get(&customer_id)?;
        c.email.as_deref().filter(|_| super::mail::delivers_by_mail(&c.invoice_delivery_method))
    }
}
