//! On PostgreSQL, the rows a billing run appends in bulk (`invoice`,
//! `invoice_item`, `event`) lose their foreign keys to `tenant`, and
//! `invoice` its keys to `customer` and `subscription`.
//!
//! PostgreSQL checks a foreign key per inserted row with a query that also
//! locks the parent row (`FOR KEY SHARE`): six such queries per invoice, all
//! run while the chunk holds its tenant's invoice counter, so every other
//! chunk of the tenant waits for them, and every writer of a tenant locks the
//! one tenant row. They were about a quarter of PostgreSQL's time in a
//! billing run (`BENCHMARKS.md`). The checks could not fail: none of those
//! parents is ever deleted, and the writer has read each of them in the same
//! transaction (the tenant from the caller's key, the claimed subscriptions,
//! the customers for the invoices' snapshots). `invoice_item.invoice_id`
//! keeps its key (drafts are deleted with their lines).
//!
//! SQLite keeps every key: there a check is an index lookup in the writer's
//! thread, and dropping one would mean rebuilding the table.
//!
//! Safe while older processes serve: they write the same rows.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// `(table, constraint, column, parent)` of the keys dropped.
const KEYS: [(&str, &str, &str, &str); 5] = [
    ("invoice", "invoice_tenant_id_fkey", "tenant_id", "tenant"),
    ("invoice", "invoice_customer_id_fkey", "customer_id", "customer"),
    ("invoice", "invoice_subscription_id_fkey", "subscription_id", "subscription"),
    ("invoice_item", "invoice_item_tenant_id_fkey", "tenant_id", "tenant"),
    ("event", "event_tenant_id_fkey", "tenant_id", "tenant"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if db.get_database_backend() == DbBackend::Postgres {
            for (table, constraint, _, _) in KEYS {
                db.execute_unprepared(&format!("ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {constraint}")).await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if db.get_database_backend() == DbBackend::Postgres {
            for (table, constraint, column, parent) in KEYS {
                db.execute_unprepared(&format!(
                    "ALTER TABLE {table} ADD CONSTRAINT {constraint} FOREIGN KEY ({column}) REFERENCES {parent} (id)"
                ))
                .await?;
            }
        }
        Ok(())
    }
}
