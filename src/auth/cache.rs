//! Verified keys, cached by a SHA-256 of the whole key text for a short TTL.
//!
//! Keying by the whole key (not the key id) means a wrong secret never hits
//! the cache. Revoking a key evicts its entries here at once; other processes
//! sharing the database see the revocation when their entry's TTL runs out.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use super::Principal;

/// SHA-256 of a whole key text.
pub type KeyDigest = [u8; 32];

/// The cache of verified keys.
#[derive(Debug)]
pub struct KeyCache {
    ttl: Duration,
    max_entries: usize,
    entries: RwLock<HashMap<KeyDigest, (Principal, Instant)>>,
}

impl KeyCache {
    /// An empty cache.
    pub fn new(ttl: Duration, max_entries: usize) -> KeyCache {
        KeyCache { ttl, max_entries: max_entries.max(1), entries: RwLock::new(HashMap::new()) }
    }

    /// The principal of a key verified less than a TTL ago.
    pub fn get(&self, digest: &KeyDigest) -> Option<Principal> {
        let entries = self.entries.read().ok()?;
        let (principal, verified) = entries.get(digest)?;
        (verified.elapsed() < self.ttl).then(|| principal.clone())
    }

    /// Remembers a verified key.
    pub fn insert(&self, digest: KeyDigest, principal: Principal) {
        if self.ttl.is_zero() {
            return;
        }
        if let Ok(mut entries) = self.entries.write() {
            if entries.len() >= self.max_entries {
                let ttl = self.ttl;
                entries.retain(|_, (_, verified)| verified.elapsed() < ttl);
                if entries.len() >= self.max_entries {
                    entries.clear();
                }
            }
            entries.insert(digest, (principal, Instant::now()));
        }
    }

    /// Forgets every entry of the key row `key_id`.
    pub fn evict_key(&self, key_id: i64) {
        if let Ok(mut entries) = self.entries.write() {
            entries.retain(|_, (principal, _)| principal.key_id != key_id);
        }
    }
}
