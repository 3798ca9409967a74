//! A fresh database per run: a SQLite file in a new temporary directory, or a
//! new PostgreSQL database created through the given URL. Both are removed
//! when the run ends, whether it succeeded or not.

use std::path::PathBuf;

use rand::Rng;
use sea_orm::{ConnectionTrait, Database, Statement};

use super::BenchResult;

/// The database a run uses.
#[derive(Debug)]
pub struct FreshDatabase {
    /// The URL the gateway connects to.
    pub url: String,
    place: Place,
}

#[derive(Debug)]
enum Place {
    Sqlite { dir: PathBuf },
    Postgres { admin_url: String, name: String },
}

impl FreshDatabase {
    /// A new SQLite file, or with `server_url` (PostgreSQL) a new database on that server.
    pub async fn create(server_url: Option<&str>) -> BenchResult<FreshDatabase> {
        let suffix: String = {
            let mut rng = rand::thread_rng();
            (0..12).map(|_| char::from(b"0123456789abcdef"[rng.gen_range(0..16)])).collect()
        };
        match server_url {
            None => {
                let dir = std::env::temp_dir().join(format!("recur-bench-{suffix}"));
                std::fs::create_dir_all(&dir)?;
                let url = format!("sqlite://{}?mode=rwc", dir.join("bench.db").display());
                Ok(FreshDatabase { url, place: Place::Sqlite { dir } })
            }
            Some(admin_url) if admin_url.starts_with("postgres://") || admin_url.starts_with("postgresql://") => {
                let name = format!("recur_bench_{suffix}");
                execute(admin_url, &format!("CREATE DATABASE \"{name}\"")).await?;
                let url = with_database(admin_url, &name);
                Ok(FreshDatabase { url, place: Place::Postgres { admin_url: admin_url.to_owned(), name } })
            }
            Some(other) => {
                Err(format!("--database-url must be a postgres:// URL (SQLite is the default), not {other:?}").into())
            }
        }
    }

    /// A short label for the report.
    pub fn backend(&self) -> &'static str {
        match self.place {
            Place::Sqlite { .. } => "sqlite",
            Place::Postgres { .. } => "postgres",
        }
    }

    /// Deletes the file or drops the database; failures are printed, not returned.
    pub async fn remove(self) {
        match self.place {
            Place::Sqlite { dir } => {
                if let Err(err) = std::fs::remove_dir_all(&dir) {
                    eprintln!("bench: could not remove {}: {err}", dir.display());
                }
            }
            Place::Postgres { admin_url, name } => {
                let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                if let Err(err) = execute(&admin_url, &sql).await {
                    eprintln!("bench: could not drop database {name}: {err}");
                }
            }
        }
    }
}

async fn execute(url: &str, sql: &str) -> BenchResult<()> {
    let admin = Database::connect(url).await?;
    let outcome = admin.execute(Statement::from_string(admin.get_database_backend(), sql)).await;
    let _ = admin.close().await;
    outcome?;
    Ok(())
}

/// `url` with its database name replaced by `name` (query string kept).
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, String::new()), |(b, q)| (b, format!("?{q}")));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let without_db = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    format!("{without_db}/{name}{query}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_name_is_replaced_or_added() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/test", "b1"),
            "postgres://postgres@127.0.0.1:5432/b1"
        );
        assert_eq!(with_database("postgres://u@h/test?sslmode=disable", "b1"), "postgres://u@h/b1?sslmode=disable");
        assert_eq!(with_database("postgresql://u@h:5432", "b1"), "postgresql://u@h:5432/b1");
    }
}
