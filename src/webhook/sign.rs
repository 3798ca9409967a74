//! Standard Webhooks signing (<https://www.standardwebhooks.com/>): endpoint
//! secrets, the `v1,` HMAC-SHA256 signature over `"{id}.{timestamp}.{body}"`,
//! and the three headers of one attempt, with two signatures while a rotated
//! secret is still in its overlap.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, TimeDelta, Utc};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// The prefix of every secret's text form.
pub const SECRET_PREFIX: &str = "whsec_";
/// Bytes of key in a generated secret.
pub const SECRET_BYTES: usize = 32;
/// How long the secret replaced by a rotation keeps signing too (tenant clock).
pub const ROTATION_OVERLAP: TimeDelta = TimeDelta::hours(24);

/// An endpoint's signing key. Its text form (`whsec_` + base64) is shown once
/// by `webhook.create` and stored; `Debug` never prints the key.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

/// Why a stored or given secret could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error("a webhook secret is `whsec_` followed by base64")]
    NotBase64,
    #[error("a webhook secret holds 24 to 64 bytes of key")]
    BadLength,
}

impl Secret {
    /// A new random secret of 32 bytes from the operating system's generator.
    pub fn generate() -> Secret {
        let mut key = vec![0u8; SECRET_BYTES];
        rand::rngs::OsRng.fill_bytes(&mut key);
        Secret(key)
    }

    /// Reads `whsec_<base64>` (the prefix may be missing, padding too), as the
    /// Standard Webhooks libraries do. Keys of 24 to 64 bytes are accepted.
    pub fn parse(text: &str) -> Result<Secret, SecretError> {
        let b64 = text.strip_prefix(SECRET_PREFIX).unwrap_or(text).trim_end_matches('=');
        let key = base64::engine::general_purpose::STANDARD_NO_PAD.decode(b64).map_err(|_| SecretError::NotBase64)?;
        if !(24..=64).contains(&key.len()) {
            return Err(SecretError::BadLength);
        }
        Ok(Secret(key))
    }

    /// The text form to store and to show once; never log it.
    pub fn expose(&self) -> String {
        format!("{SECRET_PREFIX}{}", STANDARD.encode(&self.0))
    }

    fn mac(&self, msg_id: &str, timestamp: i64, body: &[u8]) -> [u8; 32] {
        // HMAC takes keys of any length; the error case cannot happen.
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.0) else { return [0; 32] };
        mac.update(msg_id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        mac.finalize().into_bytes().into()
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(whsec_***)")
    }
}

/// The `webhook-id` of an event: `evt_<EVENT_ID>`, the same on every attempt
/// and endpoint, and the body's `id`.
pub fn msg_id(event_id: i64) -> String {
    format!("evt_{event_id}")
}

/// One signature: `v1,<base64 HMAC-SHA256 of "{msg_id}.{timestamp}.{body}">`.
pub fn sign(secret: &Secret, msg_id: &str, timestamp: i64, body: &[u8]) -> String {
    format!("v1,{}", STANDARD.encode(secret.mac(msg_id, timestamp, body)))
}

/// The Standard Webhooks headers of one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedHeaders {
    /// `webhook-id`.
    pub id: String,
    /// `webhook-timestamp`: unix seconds of this attempt by the wall clock.
    pub timestamp: i64,
    /// `webhook-signature`: one `v1,...` per secret, space-separated.
    pub signature: String,
}

/// Signs one attempt with every secret given (the current one first).
pub fn headers(secrets: &[&Secret], msg_id: &str, timestamp: i64, body: &[u8]) -> SignedHeaders {
    let signature = secrets.iter().map(|s| sign(s, msg_id, timestamp, body)).collect::<Vec<_>>().join(" ");
    SignedHeaders { id: msg_id.to_owned(), timestamp, signature }
}

/// The secrets that sign at `now` (tenant clock): the current one, and the one
/// it replaced while `rotated_at + ROTATION_OVERLAP` has not passed.
pub fn signing_secrets<'a>(
    current: &'a Secret,
    previous: Option<(&'a Secret, DateTime<Utc>)>,
    now: DateTime<Utc>,
) -> Vec<&'a Secret> {
    let mut secrets = vec![current];
    if let Some((old, rotated_at)) = previous
        && now < rotated_at + ROTATION_OVERLAP
    {
        secrets.push(old);
    }
    secrets
}

/// Whether one of the `v1` signatures in `header` is `secret`'s over the
/// message (constant-time compare). For in-process receivers and tests; the
/// timestamp tolerance is the receiver's business.
pub fn verify(secret: &Secret, msg_id: &str, timestamp: i64, body: &[u8], header: &str) -> bool {
    let expected = secret.mac(msg_id, timestamp, body);
    header
        .split(' ')
        .filter_map(|s| s.strip_prefix("v1,"))
        .filter_map(|b64| STANDARD.decode(b64).ok())
        .any(|given| given.len() == expected.len() && bool::from(given.as_slice().ct_eq(&expected)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The test vector of the Standard Webhooks specification and its libraries.
    const SPEC_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const SPEC_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const SPEC_TS: i64 = 1614265330;
    const SPEC_BODY: &[u8] = br#"{"test": 2432232314}"#;
    const SPEC_SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    fn spec_secret() -> Secret {
        Secret::parse(SPEC_SECRET).expect("the spec's secret parses")
    }

    #[test]
    fn signing_the_spec_vector_gives_the_spec_signature() {
        assert_eq!(sign(&spec_secret(), SPEC_ID, SPEC_TS, SPEC_BODY), SPEC_SIGNATURE);
    }

    #[test]
    fn the_secret_reads_with_or_without_prefix_and_padding() {
        let bare = Secret::parse("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").expect("no prefix");
        assert_eq!(bare, spec_secret());
        let generated = Secret::generate();
        let padded = generated.expose();
        assert!(padded.ends_with('='), "32 bytes encode with padding: {padded}");
        assert_eq!(Secret::parse(&padded).expect("own form"), generated);
        assert_eq!(Secret::parse(padded.trim_end_matches('=')).expect("unpadded"), generated);
    }

    #[test]
    fn generated_secrets_are_whsec_and_32_bytes_and_differ() {
        let (a, b) = (Secret::generate(), Secret::generate());
        assert_ne!(a, b);
        let text = a.expose();
        assert!(text.starts_with("whsec_"));
        assert_eq!(STANDARD.decode(&text[6..]).expect("base64").len(), 32);
    }

    #[test]
    fn bad_secrets_are_refused() {
        assert_eq!(Secret::parse("whsec_not base64!"), Err(SecretError::NotBase64));
        assert_eq!(Secret::parse("whsec_c2hvcnQ="), Err(SecretError::BadLength));
        assert_eq!(Secret::parse(""), Err(SecretError::BadLength));
    }

    #[test]
    fn debug_never_prints_the_key() {
        let secret = spec_secret();
        let shown = format!("{secret:?} {:?}", Some(&secret));
        assert!(!shown.contains("MfKQ9r8"), "{shown}");
        assert!(shown.contains("***"));
    }

    #[test]
    fn headers_carry_one_signature_per_secret_and_each_verifies() {
        let (old, new) = (spec_secret(), Secret::generate());
        let h = headers(&[&new, &old], SPEC_ID, SPEC_TS, SPEC_BODY);
        assert_eq!(h.id, SPEC_ID);
        let parts: Vec<&str> = h.signature.split(' ').collect();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[1], SPEC_SIGNATURE);
        assert!(verify(&old, SPEC_ID, SPEC_TS, SPEC_BODY, &h.signature));
        assert!(verify(&new, SPEC_ID, SPEC_TS, SPEC_BODY, &h.signature));
        assert!(!verify(&new, SPEC_ID, SPEC_TS + 1, SPEC_BODY, &h.signature));
        assert!(!verify(&Secret::generate(), SPEC_ID, SPEC_TS, SPEC_BODY, &h.signature));
    }

    #[test]
    fn the_replaced_secret_signs_until_24_hours_after_the_rotation() {
        let (old, new) = (spec_secret(), Secret::generate());
        let rotated = DateTime::from_timestamp(1_700_000_000, 0).expect("valid");
        let during = signing_secrets(&new, Some((&old, rotated)), rotated + TimeDelta::hours(23));
        assert_eq!(during, vec![&new, &old]);
        let after = signing_secrets(&new, Some((&old, rotated)), rotated + ROTATION_OVERLAP);
        assert_eq!(after, vec![&new]);
        assert_eq!(signing_secrets(&new, None, rotated), vec![&new]);
    }

    #[test]
    fn message_ids_are_evt_and_the_event_id() {
        assert_eq!(msg_id(42), "evt_42");
    }
}
