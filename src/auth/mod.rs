//! API-key authentication: parse the `Authorization` header, find the key row
//! by its public id, verify the secret with argon2id off the async threads, and
//! cache the verdict.

pub mod cache;
pub mod hashing;
pub mod key_text;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use sha2::{Digest, Sha256};

use crate::config::AuthSettings;
use crate::db::scope::TenantId;
use crate::error::{AppError, AppResult};
use cache::{Hit, KeyCache, KeyDigest, Verified};
use hashing::Hasher;
use key_text::{Mode, PlainKey};

/// Who is calling: the tenant and the key's scope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    pub tenant: TenantId,
    pub is_test: bool,
    pub key_id: i64,
    pub admin: bool,
}

/// Checks keys against the database, with the verified-key cache in front.
#[derive(Debug)]
pub struct KeyVerifier {
    hasher: Arc<Hasher>,
    cache: KeyCache,
    /// Verified against when the key id is unknown, so a miss costs the same time as a hit.
    dummy_hash: String,
    /// Bounds concurrent argon2 runs (each takes the configured memory).
    argon2_slots: tokio::sync::Semaphore,
    /// One verification per key at a time; the others wait for its verdict.
    in_flight: std::sync::Mutex<HashMap<KeyDigest, Arc<tokio::sync::Mutex<()>>>>,
}

/// The key row and its tenant, as authentication reads them.
type KeyRow = (entity::api_key::Model, Option<entity::tenant::Model>);

impl KeyVerifier {
    /// Builds the verifier (hashes one dummy secret).
    pub fn new(settings: &AuthSettings) -> AppResult<KeyVerifier> {
        let hasher = Arc::new(Hasher::new(settings));
        let dummy_hash = hasher.hash(PlainKey::generate(Mode::Live).secret()).map_err(AppError::internal)?;
        let slots = std::thread::available_parallelism().map_or(2, |n| n.get());
        Ok(KeyVerifier {
            hasher,
            cache: KeyCache::new(Duration::from_secs(settings.key_cache_ttl_seconds), settings.key_cache_max_entries),
            dummy_hash,
            argon2_slots: tokio::sync::Semaphore::new(slots),
            in_flight: std::sync::Mutex::new(HashMap::new()),
        })
    }

    /// The hasher, for creating keys.
    pub fn hasher(&self) -> Arc<Hasher> {
        self.hasher.clone()
    }

    /// Forgets a revoked key at once.
    pub fn evict(&self, key_id: i64) {
        self.cache.evict_key(key_id);
    }

    /// The principal for an `Authorization` header value, or 1001.
    pub async fn authenticate(&self, db: &DatabaseConnection, header: Option<&str>) -> AppResult<Principal> {
        let text = header.and_then(key_from_header).ok_or(AppError::Unauthorized)?;
        let digest: KeyDigest = Sha256::digest(text.as_bytes()).into();
        match self.cache.get(&digest) {
            Some(Hit::Fresh(principal)) => return Ok(principal),
            Some(Hit::Stale(known)) => return self.recheck(db, digest, known).await,
            None => {}
        }
        let key = PlainKey::parse(&text).ok_or(AppError::Unauthorized)?;
        let gate = self.gate(digest);
        let outcome = {
            let _turn = gate.lock().await;
            // Another request may have verified this very key while we waited.
            match self.cache.get(&digest) {
                Some(Hit::Fresh(principal)) => Ok(principal),
                _ => self.verify(db, digest, &key).await,
            }
        };
        self.release(digest, gate);
        outcome
    }

    fn gate(&self, digest: KeyDigest) -> Arc<tokio::sync::Mutex<()>> {
        match self.in_flight.lock() {
            Ok(mut map) => map.entry(digest).or_default().clone(),
            Err(_) => Arc::default(),
        }
    }

    fn release(&self, digest: KeyDigest, gate: Arc<tokio::sync::Mutex<()>>) {
        if let Ok(mut map) = self.in_flight.lock() {
            // Two references left (the map's and ours): nobody else is waiting.
            if Arc::strong_count(&gate) <= 2 {
                map.remove(&digest);
            }
        }
    }

    async fn load(db: &DatabaseConnection, lookup_id: &str) -> AppResult<Option<KeyRow>> {
        Ok(entity::api_key::Entity::find()
            .filter(entity::api_key::Column::LookupId.eq(lookup_id))
            .find_also_related(entity::tenant::Entity)
            .one(db)
            .await?)
    }

    /// A key verified before: served again if its row is unchanged and not revoked.
    async fn recheck(&self, db: &DatabaseConnection, digest: KeyDigest, known: Verified) -> AppResult<Principal> {
        match Self::load(db, &known.lookup_id).await? {
            Some((row, Some(_))) if row.revoked.is_none() && row.secret_hash == known.phc => {
                let principal = known.principal.clone();
                self.cache.insert(digest, known);
                Ok(principal)
            }
            _ => {
                self.cache.remove(&digest);
                Err(AppError::Unauthorized)
            }
        }
    }

    /// The full check: find the row by key id, verify the secret with argon2id.
    async fn verify(&self, db: &DatabaseConnection, digest: KeyDigest, key: &PlainKey) -> AppResult<Principal> {
        let row = Self::load(db, &key.lookup_id).await?;
        let (phc, found) = match &row {
            Some((key_row, Some(_))) => (key_row.secret_hash.clone(), true),
            _ => (self.dummy_hash.clone(), false),
        };
        let verified = {
            let _slot = self.argon2_slots.acquire().await.map_err(AppError::internal)?;
            let hasher = self.hasher.clone();
            let secret = key.secret().to_owned();
            let phc = phc.clone();
            tokio::task::spawn_blocking(move || hasher.verify(&secret, &phc)).await.map_err(AppError::internal)?
        };
        let (Some((key_row, Some(tenant))), true, true) = (row, found, verified) else {
            return Err(AppError::Unauthorized);
        };
        let mode_matches = (key.mode == Mode::Test) == tenant.is_test;
        if key_row.revoked.is_some() || !mode_matches {
            return Err(AppError::Unauthorized);
        }
        let principal = Principal {
            tenant: TenantId::trusted(tenant.id),
            is_test: tenant.is_test,
            key_id: key_row.id,
            admin: key_row.scope == "admin",
        };
        let known = Verified { principal: principal.clone(), lookup_id: key_row.lookup_id, phc };
        self.cache.insert(digest, known);
        Ok(principal)
    }
}

/// The key from `Bearer <key>` or HTTP Basic with the key as password.
fn key_from_header(header: &str) -> Option<String> {
    let (scheme, value) = header.trim().split_once(' ')?;
    let value = value.trim();
    if scheme.eq_ignore_ascii_case("bearer") {
        return Some(value.to_owned());
    }
    if scheme.eq_ignore_ascii_case("basic") {
        let decoded = base64::engine::general_purpose::STANDARD.decode(value).ok()?;
        let text = String::from_utf8(decoded).ok()?;
        let (_user, password) = text.split_once(':')?;
        return Some(password.to_owned());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_and_basic_headers_yield_the_key() {
        assert_eq!(key_from_header("Bearer rk_x").as_deref(), Some("rk_x"));
        let basic = base64::engine::general_purpose::STANDARD.encode("shop@example.com:rk_y");
        assert_eq!(key_from_header(&format!("Basic {basic}")).as_deref(), Some("rk_y"));
        assert_eq!(key_from_header("Token rk_z"), None);
        assert_eq!(key_from_header("Bearer"), None);
    }
}
