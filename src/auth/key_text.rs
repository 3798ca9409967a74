//! The text form of API keys: `rk_live_<keyid>_<secret>` / `rk_test_<keyid>_<secret>`.
//!
//! The key id is public and used to find the row; only an argon2id hash of the
//! secret is stored. Plaintext keys are their own type so they cannot be logged
//! by accident (`Debug` hides the secret).

use rand::Rng;
use rand::distributions::Alphanumeric;
use rand::rngs::OsRng;

const LOOKUP_LEN: usize = 12;
const SECRET_LEN: usize = 32;

/// Whether a key belongs to a live or a test tenant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Live,
    Test,
}

impl Mode {
    fn prefix(self) -> &'static str {
        match self {
            Mode::Live => "rk_live_",
            Mode::Test => "rk_test_",
        }
    }
}

/// A whole API key as the client sends it.
#[derive(Clone, PartialEq, Eq)]
pub struct PlainKey {
    pub mode: Mode,
    pub lookup_id: String,
    secret: String,
}

impl std::fmt::Debug for PlainKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PlainKey({}{}_…)", self.mode.prefix(), self.lookup_id)
    }
}

impl PlainKey {
    /// A fresh random key.
    pub fn generate(mode: Mode) -> PlainKey {
        let lookup_id: String =
            OsRng.sample_iter(&Alphanumeric).map(|b| char::from(b).to_ascii_lowercase()).take(LOOKUP_LEN).collect();
        let secret: String = OsRng.sample_iter(&Alphanumeric).map(char::from).take(SECRET_LEN).collect();
        PlainKey { mode, lookup_id, secret }
    }

    /// Parses the text form; `None` for anything malformed.
    pub fn parse(text: &str) -> Option<PlainKey> {
        let (mode, rest) = if let Some(rest) = text.strip_prefix("rk_live_") {
            (Mode::Live, rest)
        } else {
            (Mode::Test, text.strip_prefix("rk_test_")?)
        };
        let (lookup_id, secret) = rest.split_once('_')?;
        let ok = lookup_id.len() == LOOKUP_LEN
            && lookup_id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            && secret.len() == SECRET_LEN
            && secret.bytes().all(|b| b.is_ascii_alphanumeric());
        ok.then(|| PlainKey { mode, lookup_id: lookup_id.to_owned(), secret: secret.to_owned() })
    }

    /// The secret part, for hashing and verifying.
    pub fn secret(&self) -> &str {
        &self.secret
    }

    /// The full key text. Shown once, at creation.
    pub fn expose(&self) -> String {
        format!("{}{}_{}", self.mode.prefix(), self.lookup_id, self.secret)
    }

    /// A non-secret hint to recognise the key: `rk_live_abcd…wxyz`.
    pub fn hint(&self) -> String {
        format!("{}{}…{}", self.mode.prefix(), &self.lookup_id[..4], &self.secret[SECRET_LEN - 4..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_parse_back() {
        for mode in [Mode::Live, Mode::Test] {
            let key = PlainKey::generate(mode);
            assert_eq!(PlainKey::parse(&key.expose()), Some(key.clone()));
            assert!(!format!("{key:?}").contains(key.secret()));
        }
    }

    #[test]
    fn malformed_keys_are_refused() {
        for bad in ["", "rk_live_", "rk_prod_abcdefghijkl_0123456789abcdef0123456789abcdef", "rk_live_short_x"] {
            assert_eq!(PlainKey::parse(bad), None, "{bad}");
        }
    }
}
