//! Verified keys, cached by a SHA-256 of the whole key text.
//!
//! Keying by the whole key (not the key id) means a wrong secret never hits
//! the cache. An entry is fresh for the TTL; after that it is only re-checked
//! against its row (still there, not revoked, same hash) before being served
//! again, which costs one indexed read instead of an argon2 run. Revoking a
//! key evicts its entries here at once; other processes sharing the database
//! see the revocation at their next re-check, within one TTL.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use super::Principal;

/// SHA-256 of a whole key text.
pub type KeyDigest = [u8; 32];

/// What the cache knows of a key.
#[derive(Clone, Debug)]
pub struct Verified {
    pub principal: Principal,
    /// The row's lookup id and hash when the secret was verified: a re-check
    /// needs both unchanged.
    pub lookup_id: String,
    pub phc: String,
}

/// A cache hit: fresh, or due for a re-check against the row.
pub enum Hit {
    Fresh(Principal),
    Stale(Verified),
}

/// The cache of verified keys.
#[derive(Debug)]
pub struct KeyCache {
    ttl: Duration,
    max_entries: usize,
    entries: RwLock<HashMap<KeyDigest, (Verified, Instant)>>,
}

impl KeyCache {
    /// An empty cache.
    pub fn new(ttl: Duration, max_entries: usize) -> KeyCache {
        KeyCache { ttl, max_entries: max_entries.max(1), entries: RwLock::new(HashMap::new()) }
    }

    /// What is known of `digest`.
    pub fn get(&self, digest: &KeyDigest) -> Option<Hit> {
        let entries = self.entries.read().ok()?;
        let (verified, checked) = entries.get(digest)?;
        Some(if checked.elapsed() < self.ttl {
            Hit::Fresh(verified.principal.clone())
        } else {
            Hit::Stale(verified.clone())
        })
    }

    /// Remembers a verified (or re-checked) key as fresh from now.
    pub fn insert(&self, digest: KeyDigest, verified: Verified) {
        if self.ttl.is_zero() {
            return;
        }
        if let Ok(mut entries) = self.entries.write() {
            if entries.len() >= self.max_entries {
                // Drop the entries nobody used for ten TTLs; start over if still full.
                let horizon = self.ttl * 10;
                entries.retain(|_, (_, checked)| checked.elapsed() < horizon);
                if entries.len() >= self.max_entries {
                    entries.clear();
                }
            }
            entries.insert(digest, (verified, Instant::now()));
        }
    }

    /// Forgets `digest`.
    pub fn remove(&self, digest: &KeyDigest) {
        if let Ok(mut entries) = self.entries.write() {
            entries.remove(digest);
        }
    }

    /// Forgets every entry of the key row `key_id`.
    pub fn evict_key(&self, key_id: i64) {
        if let Ok(mut entries) = self.entries.write() {
            entries.retain(|_, (verified, _)| verified.principal.key_id != key_id);
        }
    }
}
