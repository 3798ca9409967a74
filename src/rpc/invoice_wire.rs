//! Invoices and price quotes on the wire (API.md 5.1).

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::Serialize;

use super::wire;
use crate::domain::pricing::Priced;
use crate::service::invoice::{Issued, effective_status};

/// One invoice line.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct ItemOut {
    /// The invoice it belongs to (on `item.get`; absent on invoices and quotes).
    #[serde(skip_serializing_if = "Option::is_none")]
    invoice_id: Option<i64>,
    invoice_item_id: Option<i64>,
    article_number: Option<String>,
    description: String,
    quantity: String,
    unit_price: String,
    vat_percent: String,
    complete_net: String,
    kind: String,
}

/// VAT of one rate.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct VatOut {
    vat_percent: String,
    complete_net: String,
    vat_value: String,
}

/// A payment as the invoice lists it (PAYMENTS).
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct InvoicePaymentOut {
    payment_id: i64,
    amount: String,
    /// The part that went to this invoice.
    allocated: String,
    method: String,
    paid_date: String,
    /// `completed` or `reversed`.
    status: String,
}

/// An invoice or credit note.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct InvoiceOut {
    invoice_id: Option<i64>,
    invoice_number: Option<String>,
    #[serde(rename = "TYPE")]
    kind: String,
    status: String,
    customer_id: i64,
    subscription_id: Option<i64>,
    related_invoice_id: Option<i64>,
    invoice_title: Option<String>,
    invoice_date: String,
    due_date: String,
    paid_date: Option<String>,
    period_start: Option<String>,
    period_end: Option<String>,
    currency_code: String,
    sub_total: String,
    vat_total: String,
    total: String,
    outstanding_amount: String,
    vat_items: serde_json::Value,
    items: Vec<ItemOut>,
    payments: Vec<InvoicePaymentOut>,
    /// Gross total of the credit notes against this invoice (positive).
    credited_total: String,
    /// A credit note's amount was refunded (not kept as customer credit).
    refunded: bool,
    dunning_level: i32,
    dunning_paused: bool,
    due_date_postponed: bool,
    document_url: Option<String>,
}

impl InvoiceOut {
    /// Maps an issued invoice; unpaid and due before `overdue_from` is
    /// `overdue` (pass the start of the tenant's day, see
    /// `billing::balance::overdue_from`, or now).
    pub fn from(issued: &Issued, overdue_from: DateTime<Utc>) -> InvoiceOut {
        let i = &issued.invoice;
        let c = i.currency_code.as_str();
        InvoiceOut {
            invoice_id: Some(i.id),
            // A draft's stored number is a placeholder (`~draft-N`): it has none yet.
            invoice_number: (i.status != "draft").then(|| i.invoice_number.clone()),
            kind: i.kind.clone(),
            status: effective_status(i, overdue_from).to_owned(),
            customer_id: i.customer_id,
            subscription_id: i.subscription_id,
            related_invoice_id: i.related_invoice_id,
            invoice_title: i.invoice_title.clone(),
            invoice_date: wire::datetime(i.invoice_date),
            due_date: wire::datetime(i.due_date),
            paid_date: wire::opt_datetime(i.paid_date),
            period_start: wire::opt_datetime(i.period_start),
            period_end: wire::opt_datetime(i.period_end),
            currency_code: i.currency_code.clone(),
            sub_total: wire::money(i.sub_total.0, c),
            vat_total: wire::money(i.vat_total.0, c),
            total: wire::money(i.total.0, c),
            outstanding_amount: wire::money(i.outstanding.0, c),
            vat_items: i.vat_items.clone(),
            items: issued
                .items
                .iter()
                .map(|it| ItemOut {
                    invoice_id: None,
                    invoice_item_id: Some(it.id),
                    article_number: it.article_number.clone(),
                    description: it.description.clone(),
                    quantity: wire::quantity(it.quantity.0),
                    unit_price: wire::price(it.unit_price.0, c),
                    vat_percent: wire::percent(it.vat_percent.0),
                    complete_net: wire::money(it.complete_net.0, c),
                    kind: it.kind.clone(),
                })
                .collect(),
            payments: Vec::new(),
            credited_total: wire::money(i.credited_total.0, c),
            refunded: i.refunded,
            dunning_level: i.dunning_level,
            dunning_paused: i.dunning_paused,
            due_date_postponed: i.due_date_postponed,
            document_url: None,
        }
    }

    /// The invoice's lines as `item.get` lists them (with INVOICE_ID).
    pub fn into_items(self) -> Vec<ItemOut> {
        let id = self.invoice_id;
        self.items.into_iter().map(|item| ItemOut { invoice_id: id, ..item }).collect()
    }

    /// Adds the invoice's PAYMENTS.
    pub fn with_payments(mut self, payments: &[entity::payment::Model]) -> InvoiceOut {
        self.payments = payments
            .iter()
            .map(|p| InvoicePaymentOut {
                payment_id: p.id,
                amount: wire::money(p.amount.0, &p.currency_code),
                allocated: wire::money(p.allocated.0, &p.currency_code),
                method: p.method.clone(),
                paid_date: wire::datetime(p.paid_date),
                status: p.status.clone(),
            })
            .collect();
        self
    }

    /// The same invoice with its DOCUMENT_URL (a signed link to the PDF, API.md section 11).
    pub fn with_document_url(mut self, url: Option<String>) -> InvoiceOut {
        self.document_url = url;
        self
    }

    /// Keeps INVOICE_ID on a preview (a draft completed in a dry run has its id already).
    pub fn keep_id(&mut self, id: i64) {
        self.invoice_id = Some(id);
    }

    /// The invoice a dry run would issue: no ids, no number consumed.
    pub fn preview(mut self) -> InvoiceOut {
        self.invoice_id = None;
        self.invoice_number = None;
        for item in &mut self.items {
            item.invoice_item_id = None;
        }
        self
    }
}

/// A price quote (`subscription.getupcomingamount`).
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct QuoteOut {
    currency_code: String,
    sub_total: String,
    vat_total: String,
    total: String,
    items: Vec<ItemOut>,
    vat_items: Vec<VatOut>,
}

impl QuoteOut {
    /// Maps priced lines.
    pub fn from(priced: &Priced) -> QuoteOut {
        let c = priced.currency.as_str();
        QuoteOut {
            currency_code: priced.currency.clone(),
            sub_total: wire::money(priced.sub_total, c),
            vat_total: wire::money(priced.vat_total, c),
            total: wire::money(priced.total, c),
            items: priced
                .lines
                .iter()
                .map(|l| ItemOut {
                    invoice_id: None,
                    invoice_item_id: None,
                    article_number: l.line.article_number.clone(),
                    description: l.line.description.clone(),
                    quantity: wire::quantity(l.line.quantity),
                    unit_price: wire::price(l.line.unit_price, c),
                    vat_percent: wire::percent(l.line.vat_percent),
                    complete_net: wire::money(l.net, c),
                    kind: l.line.kind.as_str().to_owned(),
                })
                .collect(),
            vat_items: priced
                .vat_items
                .iter()
                .map(|v| VatOut {
                    vat_percent: wire::percent(v.vat_percent),
                    complete_net: wire::money(v.net, c),
                    vat_value: wire::money(v.vat, c),
                })
                .collect(),
        }
    }
}
