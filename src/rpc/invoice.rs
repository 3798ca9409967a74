//! `invoice.*`: reading issued invoices.

use schemars::JsonSchema;
use serde::Deserialize;

use super::invoice_wire::InvoiceOut;
use super::params::{Id, Ids, Int, NoTags, When};
use super::table::{Call, Method, MethodSpec, Read, ReadCx, read};
use super::wire::{List, Listed};
use crate::error::{AppError, AppResult};
use crate::service::documents::{self, Format};
use crate::service::invoice::{self as service, InvoiceFilter};
use crate::service::links;
use crate::service::payment;

/// This namespace's slice of the method table.
pub static METHODS: &[MethodSpec] = &[read::<Get>()];

impl Listed for InvoiceOut {
    const KEY: &'static str = "INVOICES";
}

/// `invoice.get`.
pub struct Get;

/// `FILTER` of `invoice.get`; every filter given must match.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct GetFilter {
    /// An id or a list of ids.
    invoice_id: Option<Ids>,
    invoice_number: Option<String>,
    customer_id: Option<Id>,
    subscription_id: Option<Id>,
    /// draft, unpaid, paid, overdue or canceled.
    status: Option<String>,
    /// outgoing or credit.
    #[serde(rename = "TYPE")]
    kind: Option<String>,
    start_due_date: Option<When>,
    end_due_date: Option<When>,
    /// Month of the invoice date, 1 to 12.
    month: Option<Int>,
    /// Year of the invoice date.
    year: Option<Int>,
}

impl Method for Get {
    const NAME: &'static str = "invoice.get";
    const SUMMARY: &'static str = "Invoices matching FILTER, with ITEMS and VAT_ITEMS.";
    type Filter = GetFilter;
    type Data = NoTags;
    type Reply = List<InvoiceOut>;
}

impl Read for Get {
    async fn run(cx: ReadCx<'_>, call: Call<GetFilter, NoTags>) -> AppResult<List<InvoiceOut>> {
        let f = call.filter;
        let status = match f.status.map(|s| s.to_ascii_lowercase()) {
            None => None,
            Some(v) if matches!(v.as_str(), "draft" | "unpaid" | "paid" | "overdue" | "canceled") => Some(v),
            Some(_) => return Err(AppError::invalid("STATUS", "must be draft, unpaid, paid, overdue or canceled")),
        };
        let kind = match f.kind.map(|s| s.to_ascii_lowercase()) {
            None => None,
            Some(v) if matches!(v.as_str(), "outgoing" | "credit") => Some(v),
            Some(_) => return Err(AppError::invalid("TYPE", "must be outgoing or credit")),
        };
        let overdue_from = payment::overdue_from(cx.now, payment::tenant_zone(&cx).await?);
        let filter = InvoiceFilter {
            overdue_from: Some(overdue_from),
            invoice_id: f.invoice_id.as_ref().and_then(Ids::single),
            invoice_ids: f.invoice_id.filter(|i| i.single().is_none()).map(Ids::all),
            invoice_number: f.invoice_number,
            customer_id: f.customer_id.map(|i| i.0),
            subscription_id: f.subscription_id.map(|i| i.0),
            status,
            kind,
            due_from: f.start_due_date.map(|w| w.0),
            due_to: f.end_due_date.map(|w| w.0),
            month: f.month.map(|m| m.within("MONTH", 1, 12)).transpose()?.map(|m| m as u32),
            year: f.year.map(|y| y.within("YEAR", 1970, 9999)).transpose()?.map(|y| y as i32),
        };
        let rows = service::find(&cx, filter, call.limit, call.offset).await?;
        let mut payments = payment::of_invoices(&cx, rows.iter().map(|i| i.invoice.id).collect()).await?;
        let urls = document_urls(&cx, &rows).await?;
        Ok(List::of(
            rows.iter()
                .zip(urls)
                .map(|(i, url)| {
                    let paid = payments.remove(&i.invoice.id).unwrap_or_default();
                    InvoiceOut::from(i, overdue_from).with_payments(&paid).with_document_url(url)
                })
                .collect(),
        ))
    }
}

/// DOCUMENT_URL of each invoice: a signed link to its PDF, or null for a draft and while the seller
/// lacks a legally required field (the link would only show that).
async fn document_urls(cx: &ReadCx<'_>, rows: &[service::Issued]) -> AppResult<Vec<Option<String>>> {
    if rows.iter().all(|i| i.invoice.status == "draft") {
        return Ok(vec![None; rows.len()]);
    }
    let tenant = links::tenant(&cx.db, cx.tenant.id).await?;
    let expires = documents::expiry(cx.now, cx.app.settings.hosted.document_link_ttl_hours);
    rows.iter()
        .map(|i| {
            let inv = &i.invoice;
            if inv.status == "draft" || !documents::seller_complete(&tenant, inv) {
                return Ok(None);
            }
            documents::url(cx.app, &tenant, (inv.id, &inv.invoice_number), Format::Pdf, expires).map(Some)
        })
        .collect()
}
