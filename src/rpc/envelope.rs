//! The params envelope of every call: `FILTER`, `DATA`, `LIMIT`, `OFFSET`,
//! `IDEMPOTENCY_KEY`, `DRY_RUN` (API.md section 2).

use sha2::{Digest, Sha256};

use super::json::{self, Json, JsonError};
use super::values;
use crate::error::{AppError, AppResult};

/// Page size when `LIMIT` is not given.
pub const DEFAULT_LIMIT: u64 = 10;

/// Limits the envelope parser enforces.
#[derive(Clone, Copy, Debug)]
pub struct EnvelopeLimits {
    pub max_depth: usize,
    pub max_limit: u64,
}

/// Longest string in `FILTER` and in `DATA`, in characters (API.md section 3).
const MAX_FILTER_TEXT: usize = 256;
const MAX_DATA_TEXT: usize = 10_000;

/// One call's params, parsed; FILTER and DATA stay raw until the method's
/// types decode them.
#[derive(Debug, Default)]
pub struct Envelope {
    pub filter: Json,
    pub data: Json,
    pub limit: Option<u64>,
    pub offset: Option<u64>,
    pub idempotency_key: Option<String>,
    pub dry_run: bool,
    /// Params in canonical form (upper-cased envelope keys and tags, sorted,
    /// without `IDEMPOTENCY_KEY`); the idempotency fingerprint hashes it.
    canonical: String,
    max_limit: u64,
}

impl Envelope {
    /// Parses the raw params text (`None` when params were omitted).
    pub fn parse(raw: Option<&str>, limits: EnvelopeLimits) -> AppResult<Envelope> {
        let mut envelope = Envelope { max_limit: limits.max_limit, ..Envelope::default() };
        let Some(raw) = raw else { return Ok(envelope) };
        let value = json::parse(raw, limits.max_depth.saturating_sub(1)).map_err(|err| match err {
            JsonError::TooDeep(_) => {
                AppError::InvalidRequest(format!("JSON nested deeper than {} levels", limits.max_depth))
            }
            JsonError::Syntax(_) => AppError::Parse,
        })?;
        let members = members_of(value)?;
        let mut canonical_members = Vec::with_capacity(members.len());
        let mut seen: Vec<String> = Vec::with_capacity(members.len());
        for (key, value) in members {
            let key = key.to_ascii_uppercase();
            if seen.contains(&key) {
                return Err(AppError::invalid(key, "given twice"));
            }
            seen.push(key.clone());
            if let Some(canonical) = envelope.take(&key, value, &limits)? {
                canonical_members.push((key, canonical));
            }
        }
        Json::Object(canonical_members).write_canonical(&mut envelope.canonical);
        Ok(envelope)
    }

    /// Takes one top-level member; what it adds to the canonical form (the idempotency fingerprint).
    fn take(&mut self, key: &str, value: Json, limits: &EnvelopeLimits) -> AppResult<Option<Json>> {
        match key {
            "FILTER" | "DATA" => {
                if !matches!(&value, Json::Object(_) | Json::Null) && value != Json::Array(Vec::new()) {
                    return Err(AppError::invalid(key, format!("expected an object, got {}", value.kind())));
                }
                let max = if key == "FILTER" { MAX_FILTER_TEXT } else { MAX_DATA_TEXT };
                check_text(&value, "", max)?;
                let canonical = upper_case_keys(&value);
                if key == "FILTER" {
                    self.filter = value;
                } else {
                    self.data = value;
                }
                Ok(Some(canonical))
            }
            "LIMIT" | "OFFSET" => {
                let n = page_number(key, &value, limits)?;
                if key == "LIMIT" {
                    self.limit = n.or(self.limit);
                } else {
                    self.offset = n.or(self.offset);
                }
                Ok(Some(value))
            }
            "IDEMPOTENCY_KEY" => {
                match value {
                    Json::String(s) if s.contains('\0') => {
                        return Err(AppError::invalid("IDEMPOTENCY_KEY", "must not contain NUL characters"));
                    }
                    Json::String(s) if (1..=255).contains(&s.chars().count()) => self.idempotency_key = Some(s),
                    Json::Null => {}
                    _ => {
                        return Err(AppError::invalid("IDEMPOTENCY_KEY", "must be a string of 1 to 255 characters"));
                    }
                }
                Ok(None)
            }
            "DRY_RUN" => {
                self.dry_run = match value {
                    Json::Null => false,
                    v => values::boolean(&v).map_err(|m| AppError::invalid("DRY_RUN", m))?,
                };
                Ok(Some(Json::Bool(self.dry_run)))
            }
            _ => Err(AppError::invalid(
                key,
                "unknown params key (use FILTER, DATA, LIMIT, OFFSET, IDEMPOTENCY_KEY, DRY_RUN)",
            )),
        }
    }

    /// Page size: `LIMIT` or the default.
    pub fn limit(&self) -> u64 {
        self.limit.unwrap_or(DEFAULT_LIMIT).min(self.max_limit)
    }

    /// Rows to skip.
    pub fn offset(&self) -> u64 {
        self.offset.unwrap_or(0)
    }

    /// SHA-256 (hex) over the method and the canonical params.
    pub fn fingerprint(&self, method: &str) -> String {
        let mut hasher = Sha256::new();
        hasher.update(method.as_bytes());
        hasher.update(b"\n");
        hasher.update(self.canonical.as_bytes());
        hex::encode(hasher.finalize())
    }
}

/// Refuses NUL characters anywhere (keys and values) and strings longer than
/// `max` characters, naming the tag: backends differ on NUL (PostgreSQL
/// refuses it in text), so it never reaches them.
fn check_text(value: &Json, path: &str, max: usize) -> AppResult<()> {
    let here = |key: &str| {
        if path.is_empty() { key.to_ascii_uppercase() } else { format!("{path}.{}", key.to_ascii_uppercase()) }
    };
    match value {
        Json::String(s) if s.contains('\0') => Err(AppError::invalid(path, "must not contain NUL characters")),
        Json::String(s) if s.len() > max && s.chars().count() > max => {
            Err(AppError::invalid(path, format!("at most {max} characters")))
        }
        Json::Array(items) => {
            items.iter().enumerate().try_for_each(|(i, item)| check_text(item, &format!("{path}[{i}]"), max))
        }
        Json::Object(members) => members.iter().try_for_each(|(key, item)| {
            if key.contains('\0') {
                return Err(AppError::invalid(path, "tag names must not contain NUL characters"));
            }
            check_text(item, &here(key), max)
        }),
        _ => Ok(()),
    }
}

/// The same value with the object keys of its top level upper-cased (tags are
/// case-insensitive, so `{"quantity":1}` and `{"QUANTITY":1}` are the same call).
fn upper_case_keys(value: &Json) -> Json {
    match value {
        Json::Object(members) => {
            Json::Object(members.iter().map(|(k, v)| (k.to_ascii_uppercase(), v.clone())).collect())
        }
        Json::Array(items) if items.is_empty() => Json::Object(Vec::new()),
        other => other.clone(),
    }
}

/// The members of the params object; an empty list or null count as no members.
fn members_of(value: Json) -> AppResult<Vec<(String, Json)>> {
    match value {
        Json::Object(members) => Ok(members),
        Json::Array(items) if items.is_empty() => Ok(Vec::new()),
        Json::Null => Ok(Vec::new()),
        Json::Array(_) => Err(AppError::InvalidParams {
            message: "params must be an object (FILTER, DATA, LIMIT, ...), not a list".into(),
            tag: None,
        }),
        other => Err(AppError::InvalidParams {
            message: format!("params must be an object, got {}", other.kind()),
            tag: None,
        }),
    }
}

/// LIMIT (1..=max_limit) or OFFSET (0..); null or an empty string mean not given.
fn page_number(key: &str, value: &Json, limits: &EnvelopeLimits) -> AppResult<Option<u64>> {
    let n = match value {
        Json::Null => return Ok(None),
        Json::String(s) if s.is_empty() => return Ok(None),
        v => values::integer(v).map_err(|m| AppError::invalid(key, m))?,
    };
    let (min, max) = if key == "LIMIT" { (1, limits.max_limit as i64) } else { (0, i64::MAX) };
    if n < min || n > max {
        return Err(AppError::invalid(key, format!("must be between {min} and {max}")));
    }
    Ok(Some(n as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: EnvelopeLimits = EnvelopeLimits { max_depth: 64, max_limit: 1000 };

    #[test]
    fn case_and_php_empty_arrays_are_tolerated() {
        let env = Envelope::parse(Some(r#"{"filter":[],"data":{"quantity":2},"limit":"5"}"#), LIMITS)
            .expect("valid envelope");
        assert_eq!(env.limit(), 5);
        assert_eq!(env.filter, Json::Array(Vec::new()));
        assert!(matches!(&env.data, Json::Object(m) if m[0].0 == "quantity"));
    }

    #[test]
    fn positional_params_and_unknown_keys_are_refused() {
        let err = Envelope::parse(Some("[1,2]"), LIMITS).expect_err("positional");
        assert_eq!(err.code(), -32602);
        let err = Envelope::parse(Some(r#"{"FILTERS":{}}"#), LIMITS).expect_err("unknown key");
        assert_eq!(err.code(), -32602);
        let err = Envelope::parse(Some(r#"{"LIMIT":1001}"#), LIMITS).expect_err("over the cap");
        assert_eq!(err.code(), -32602);
    }

    #[test]
    fn fingerprints_ignore_key_case_and_the_idempotency_key() {
        let a = Envelope::parse(Some(r#"{"DATA":{"A":1,"b":"x"},"IDEMPOTENCY_KEY":"k1"}"#), LIMITS).expect("a");
        let b = Envelope::parse(Some(r#"{"data":{"B":"x","a":1},"idempotency_key":"k2"}"#), LIMITS).expect("b");
        let c = Envelope::parse(Some(r#"{"DATA":{"A":2,"B":"x"}}"#), LIMITS).expect("c");
        assert_eq!(a.fingerprint("m"), b.fingerprint("m"));
        assert_ne!(a.fingerprint("m"), c.fingerprint("m"));
        assert_ne!(a.fingerprint("m"), a.fingerprint("n"));
    }
}
