//! argon2id hashing of key secrets. Always called through `spawn_blocking`.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::rngs::OsRng;

use crate::config::AuthSettings;

/// argon2id with the configured cost.
#[derive(Clone, Debug)]
pub struct Hasher {
    params: Params,
}

impl Hasher {
    /// Builds the hasher; invalid cost settings fall back to argon2's defaults.
    pub fn new(settings: &AuthSettings) -> Hasher {
        let params = Params::new(settings.argon2_memory_kib, settings.argon2_iterations, 1, None).unwrap_or_default();
        Hasher { params }
    }

    fn argon2(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    /// The PHC string of `secret` with a fresh salt.
    pub fn hash(&self, secret: &str) -> Result<String, argon2::password_hash::Error> {
        let salt = SaltString::generate(&mut OsRng);
        Ok(self.argon2().hash_password(secret.as_bytes(), &salt)?.to_string())
    }

    /// True when `secret` matches `phc`. A malformed PHC string never matches.
    pub fn verify(&self, secret: &str, phc: &str) -> bool {
        PasswordHash::new(phc).is_ok_and(|hash| self.argon2().verify_password(secret.as_bytes(), &hash).is_ok())
    }
}
