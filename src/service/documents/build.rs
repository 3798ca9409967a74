//! The [`InvoiceDocument`] of a stored invoice: its row, its lines, and the seller and buyer snapshots
//! taken at issue. Nothing is recomputed from subscriptions; totals and VAT items are the stored ones.
//!
//! Invoices issued before snapshots existed have none; they show the tenant's current seller and the
//! customer as now (the only record there is).

use std::str::FromStr;

use rust_decimal::Decimal;
use sea_orm::{ConnectionTrait, EntityTrait};
use serde_json::Value;

use crate::billing::snapshot::{BuyerSnapshot, SellerParty, SellerSnapshot, Snapshots};
use crate::db::scope::Scope;
use crate::document::{
    Buyer, DocumentKind, DocumentLine, InvoiceDocument, Language, LineKind, Seller, ServicePeriod, VatItem,
};
use crate::error::{AppError, AppResult};
use crate::service::Ctx;
use crate::service::invoice::{self, Issued};
use entity::{invoice as invoice_row, tenant};

/// The document of invoice `invoice_id` of this tenant: 1004 when there is none, 1009 for a draft.
pub async fn model<C: ConnectionTrait>(ctx: &Ctx<C>, invoice_id: i64) -> AppResult<InvoiceDocument> {
    let issued = invoice::load(ctx, invoice_id).await?;
    let inv = &issued.invoice;
    if inv.status == "draft" {
        return Err(AppError::conflict_on("INVOICE_ID", "a draft has no document yet; complete it first"));
    }
    let tenant = tenant::Entity::find_by_id(ctx.tenant.id.get())
        .one(&ctx.db)
        .await?
        .ok_or_else(|| AppError::internal("the calling tenant does not exist"))?;
    let seller = seller_snapshot(&tenant, inv);
    let (buyer, language) = match BuyerSnapshot::read(inv.buyer.as_ref()) {
        Some(buyer) => (buyer, inv.language_code.clone()),
        None => Snapshots::load(ctx, vec![inv.customer_id]).await?.buyer(inv.customer_id).unwrap_or_default(),
    };
    let related = match inv.related_invoice_id {
        Some(id) => ctx.by_id::<invoice_row::Entity, _>(&ctx.db, id).await?,
        None => None,
    };
    Ok(document(&issued, &tenant.timezone, seller, buyer, language.as_deref(), related.as_ref()))
}

fn text(value: &Option<String>) -> String {
    value.as_deref().map(str::trim).unwrap_or_default().to_owned()
}

/// Blank text is absent.
fn opt(value: &Option<String>) -> Option<String> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned)
}

fn seller_of(s: &SellerParty) -> Seller {
    Seller {
        name: text(&s.name),
        address: text(&s.address),
        address_2: opt(&s.address_2),
        zipcode: text(&s.zipcode),
        city: text(&s.city),
        country_code: text(&s.country_code).to_ascii_uppercase(),
        vat_id: opt(&s.vat_id),
        tax_id: opt(&s.tax_id),
        email: opt(&s.email),
        phone: opt(&s.phone),
        iban: opt(&s.iban),
        bic: opt(&s.bic),
        bank_name: opt(&s.bank_name),
    }
}

/// A customer without COUNTRY_CODE is taken to be in the seller's country: EN 16931 needs a buyer
/// country (BR-11), and a shop that never asked for one sells at home.
fn buyer_of(b: &BuyerSnapshot, seller_country: &str) -> Buyer {
    Buyer {
        customer_number: opt(&b.customer_number),
        organization: opt(&b.organization),
        first_name: opt(&b.first_name),
        last_name: opt(&b.last_name),
        address: opt(&b.address),
        address_2: opt(&b.address_2),
        zipcode: opt(&b.zipcode),
        city: opt(&b.city),
        country_code: opt(&b.country_code).unwrap_or_else(|| seller_country.to_owned()).to_ascii_uppercase(),
        vat_id: opt(&b.vat_id),
        email: opt(&b.email),
    }
}

/// The customer's LANGUAGE_CODE; without one, German for a seller in a German-speaking country.
fn language(code: Option<&str>, seller_country: &str) -> Language {
    match code.map(str::trim).filter(|c| !c.is_empty()) {
        Some(code) => Language::from_code(code),
        None if matches!(seller_country, "DE" | "AT" | "CH" | "LI") => Language::De,
        None => Language::En,
    }
}

fn decimal(value: &Value) -> Decimal {
    value.as_str().and_then(|v| Decimal::from_str(v).ok()).unwrap_or_default()
}

fn document_line(it: &entity::invoice_item::Model) -> DocumentLine {
    DocumentLine {
        position: u32::try_from(it.position).unwrap_or_default(),
        article_number: opt(&it.article_number),
        description: it.description.clone(),
        quantity: it.quantity.0,
        unit_price: it.unit_price.0,
        vat_percent: it.vat_percent.0,
        net: it.complete_net.0,
        kind: LineKind::parse(&it.kind).unwrap_or(LineKind::Manual),
    }
}

/// The invoice's stored VAT_ITEMS as issued.
fn vat_items(stored: &serde_json::Value) -> Vec<VatItem> {
    let Some(items) = stored.as_array() else { return Vec::new() };
    items
        .iter()
        .map(|v| VatItem {
            rate: decimal(&v["VAT_PERCENT"]),
            net: decimal(&v["COMPLETE_NET"]),
            vat: decimal(&v["VAT_VALUE"]),
        })
        .collect()
}

fn document(
    issued: &Issued,
    timezone: &str,
    seller: SellerSnapshot,
    buyer: BuyerSnapshot,
    language_code: Option<&str>,
    related: Option<&invoice_row::Model>,
) -> InvoiceDocument {
    let inv = &issued.invoice;
    let credit = inv.kind == "credit";
    let seller_doc = seller_of(&seller.party);
    let lines = issued.items.iter().map(document_line).collect();
    let vat_items = vat_items(&inv.vat_items);
    let payment_days =
        (!credit).then(|| (inv.due_date - inv.invoice_date).num_days()).and_then(|d| u32::try_from(d).ok());
    InvoiceDocument {
        kind: if credit { DocumentKind::CreditNote } else { DocumentKind::Invoice },
        number: inv.invoice_number.clone(),
        invoice_date: inv.invoice_date,
        due_date: (!credit).then_some(inv.due_date),
        service_period: inv.period_start.zip(inv.period_end).map(|(start, end)| ServicePeriod { start, end }),
        currency: inv.currency_code.to_ascii_uppercase(),
        language: language(language_code, &seller_doc.country_code),
        timezone: timezone.to_owned(),
        buyer: buyer_of(&buyer, &seller_doc.country_code),
        seller: seller_doc,
        lines,
        vat_items,
        sub_total: inv.sub_total.0,
        vat_total: inv.vat_total.0,
        total: inv.total.0,
        related_invoice_number: related.map(|r| r.invoice_number.clone()),
        related_invoice_date: related.map(|r| r.invoice_date),
        payment_days,
        vat_exemption_reason: None,
        invoice_title: opt(&inv.invoice_title),
        intro_text: opt(&inv.intro_text),
        invoice_footer: opt(&seller.invoice_footer),
    }
}

/// Whether the seller a document of `inv` shows has every legally required field (a cheap check
/// without loading lines or customer: `invoice.get` leaves DOCUMENT_URL null when it fails).
pub fn seller_complete(tenant: &tenant::Model, inv: &invoice_row::Model) -> bool {
    crate::document::missing_seller_field(&seller_of(&seller_snapshot(tenant, inv).party)).is_none()
}

/// The seller a document of `inv` shows: its snapshot at issue. A snapshot that lacks a legally
/// required field (the tenant issued before completing its profile) could never give a document, so
/// its blank fields are filled from the tenant's current seller; a complete snapshot stays as issued.
fn seller_snapshot(tenant: &tenant::Model, inv: &invoice_row::Model) -> SellerSnapshot {
    let Some(mut snapshot) = SellerSnapshot::read(inv.seller.as_ref()) else { return SellerSnapshot::of(tenant) };
    if crate::document::missing_seller_field(&seller_of(&snapshot.party)).is_none() {
        return snapshot;
    }
    let current = SellerSnapshot::of(tenant);
    macro_rules! fill {
        ($($field:ident),*) => {$(
            if opt(&snapshot.party.$field).is_none() {
                snapshot.party.$field = current.party.$field.clone();
            }
        )*};
    }
    fill!(name, address, address_2, zipcode, city, country_code, vat_id, tax_id, email, phone, iban, bic, bank_name);
    if opt(&snapshot.invoice_footer).is_none() {
        snapshot.invoice_footer = current.invoice_footer;
    }
    snapshot
}
