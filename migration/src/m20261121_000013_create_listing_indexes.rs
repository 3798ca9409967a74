//! Indexes on (tenant_id, id): every list answers in id order, and without
//! them SQLite filters by another tenant-leading index and sorts each page.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: [&str; 4] = ["subscription", "customer", "invoice", "article"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            manager
                .create_index(
                    Index::create()
                        .name(format!("ix_{table}_tenant_id"))
                        .table(Alias::new(table))
                        .col(Alias::new("tenant_id"))
                        .col(Alias::new("id"))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            manager
                .drop_index(Index::drop().name(format!("ix_{table}_tenant_id")).table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
