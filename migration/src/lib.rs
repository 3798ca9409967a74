//! Schema migrations, one file per table, applied in order. Never edit a landed
//! migration; add a new one.

// async_trait's generated signatures cannot name SchemaManager's lifetime.
#![allow(elided_lifetimes_in_paths)]
// Iden enums spell the column names, which often start with the table name.
#![allow(clippy::enum_variant_names)]

pub use sea_orm_migration::prelude::*;

mod m20261121_000001_create_tenant;
mod m20261121_000002_create_api_key;
mod m20261121_000003_create_counter;
mod m20261121_000004_create_customer;
mod m20261121_000005_create_article;
mod m20261121_000006_create_idempotency_record;
mod m20261121_000007_create_event;
mod m20261121_000008_create_subscription;
mod m20261121_000009_create_invoice;
mod m20261121_000010_create_invoice_item;
mod m20261121_000011_create_usage_record;
mod m20261121_000012_create_subscription_pause;
mod m20261121_000013_create_listing_indexes;
mod m20261202_000014_invoice_life;
mod m20261202_000019_customer_fastbill;
mod m20261203_000016_mail_outbox;
mod m20261210_000015_coupons;
mod m20261210_000018_webhooks;
mod m20261215_000020_consumption_line;
mod m20261220_000021_webhook_pending_index;
mod m20261222_000022_usage_bookings_are_events;
mod m20261224_000023_billing_rows_without_parent_checks;
mod m20261226_000024_payment_methods;
mod m20261226_000025_blacklist;

/// Every migration of the schema.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261121_000001_create_tenant::Migration),
            Box::new(m20261121_000002_create_api_key::Migration),
            Box::new(m20261121_000003_create_counter::Migration),
            Box::new(m20261121_000004_create_customer::Migration),
            Box::new(m20261121_000005_create_article::Migration),
            Box::new(m20261121_000006_create_idempotency_record::Migration),
            Box::new(m20261121_000007_create_event::Migration),
            Box::new(m20261121_000008_create_subscription::Migration),
            Box::new(m20261121_000009_create_invoice::Migration),
            Box::new(m20261121_000010_create_invoice_item::Migration),
            Box::new(m20261121_000011_create_usage_record::Migration),
            Box::new(m20261121_000012_create_subscription_pause::Migration),
            Box::new(m20261121_000013_create_listing_indexes::Migration),
            Box::new(m20261202_000014_invoice_life::Migration),
            Box::new(m20261203_000016_mail_outbox::Migration),
            Box::new(m20261210_000015_coupons::Migration),
            Box::new(m20261210_000018_webhooks::Migration),
            Box::new(m20261202_000019_customer_fastbill::Migration),
            Box::new(m20261215_000020_consumption_line::Migration),
            Box::new(m20261220_000021_webhook_pending_index::Migration),
            Box::new(m20261222_000022_usage_bookings_are_events::Migration),
            Box::new(m20261224_000023_billing_rows_without_parent_checks::Migration),
            Box::new(m20261226_000024_payment_methods::Migration),
            Box::new(m20261226_000025_blacklist::Migration),
        ]
    }
}

/// A 64-bit auto-increment primary key (`INTEGER PRIMARY KEY` on SQLite).
pub(crate) fn big_pk_auto<T: IntoIden>(name: T) -> ColumnDef {
    sea_orm_migration::schema::big_integer(name).auto_increment().primary_key().take()
}
