//! Signed hosted-page links.
//!
//! A token carries tenant, subject (subscription or customer), action, expiry
//! and the subject's version, signed with HMAC-SHA256 under the tenant's own
//! secret. Any change of the subject bumps its version, so a link dies when it
//! has been used or when the subscription changed state; a different action,
//! tenant or subject fails the signature or the lookup.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// What a link is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    Subscription(i64),
    Customer(i64),
    /// An invoice or credit note (document links, API.md section 11).
    Invoice(i64),
}

/// What a link lets its holder do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkAction {
    Cancel,
    Reactivate,
    Addons,
    Dashboard,
    /// The invoice's document in one format; the URL's file extension names it.
    Pdf,
    Html,
    Xml,
}

impl LinkAction {
    /// The URL segment and signed name.
    pub fn as_str(self) -> &'static str {
        match self {
            LinkAction::Cancel => "cancel",
            LinkAction::Reactivate => "reactivate",
            LinkAction::Addons => "addons",
            LinkAction::Dashboard => "dashboard",
            LinkAction::Pdf => "pdf",
            LinkAction::Html => "html",
            LinkAction::Xml => "xml",
        }
    }

    /// Parses a URL segment.
    pub fn parse(text: &str) -> Option<LinkAction> {
        Some(match text {
            "cancel" => LinkAction::Cancel,
            "reactivate" => LinkAction::Reactivate,
            "addons" => LinkAction::Addons,
            "dashboard" => LinkAction::Dashboard,
            "pdf" => LinkAction::Pdf,
            "html" => LinkAction::Html,
            "xml" => LinkAction::Xml,
            _ => return None,
        })
    }
}

/// The signed content of a link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub tenant_id: i64,
    pub subject: Subject,
    pub action: LinkAction,
    /// Unix seconds.
    pub expires: i64,
    pub version: i32,
}

impl Link {
    fn payload(&self) -> String {
        let (kind, id) = match self.subject {
            Subject::Subscription(id) => ("s", id),
            Subject::Customer(id) => ("c", id),
            Subject::Invoice(id) => ("i", id),
        };
        format!("1|{}|{kind}|{id}|{}|{}|{}", self.tenant_id, self.action.as_str(), self.expires, self.version)
    }

    fn from_payload(payload: &str) -> Option<Link> {
        let mut parts = payload.split('|');
        if parts.next()? != "1" {
            return None;
        }
        let tenant_id = parts.next()?.parse().ok()?;
        let kind = parts.next()?;
        let id = parts.next()?.parse().ok()?;
        let subject = match kind {
            "s" => Subject::Subscription(id),
            "c" => Subject::Customer(id),
            "i" => Subject::Invoice(id),
            _ => return None,
        };
        let action = LinkAction::parse(parts.next()?)?;
        let expires = parts.next()?.parse().ok()?;
        let version = parts.next()?.parse().ok()?;
        parts.next().is_none().then_some(Link { tenant_id, subject, action, expires, version })
    }
}

fn mac(secret: &[u8], data: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length, so this cannot fail.
    let mut mac = <HmacSha256 as Mac>::new_from_slice(secret).unwrap_or_else(|_| unreachable!("HMAC accepts any key"));
    mac.update(data);
    mac
}

/// The token for `link` under `secret`.
pub fn sign(link: &Link, secret: &[u8]) -> String {
    let payload = link.payload();
    let tag = mac(secret, payload.as_bytes()).finalize().into_bytes();
    format!("{}.{}", URL_SAFE_NO_PAD.encode(payload), URL_SAFE_NO_PAD.encode(tag))
}

/// The claimed link inside a token, not yet verified.
pub fn read(token: &str) -> Option<(Link, Vec<u8>, Vec<u8>)> {
    let (payload_b64, tag_b64) = token.split_once('.')?;
    let payload = URL_SAFE_NO_PAD.decode(payload_b64).ok()?;
    let tag = URL_SAFE_NO_PAD.decode(tag_b64).ok()?;
    let link = Link::from_payload(std::str::from_utf8(&payload).ok()?)?;
    Some((link, payload, tag))
}

/// True when `tag` signs `payload` under `secret` (constant-time comparison).
pub fn verify(payload: &[u8], tag: &[u8], secret: &[u8]) -> bool {
    mac(secret, payload).verify_slice(tag).is_ok()
}

/// The CSRF value of a form on the page of `token`: bound to the link and to
/// the nonce in the visitor's cookie.
pub fn csrf(secret: &[u8], token: &str, nonce: &str) -> String {
    let tag = mac(secret, format!("csrf|{token}|{nonce}").as_bytes()).finalize().into_bytes();
    format!("{nonce}.{}", URL_SAFE_NO_PAD.encode(tag))
}

/// True when `value` is the CSRF value for `token` and the cookie's `nonce`.
pub fn check_csrf(secret: &[u8], token: &str, nonce: &str, value: &str) -> bool {
    let Some((given_nonce, tag_b64)) = value.split_once('.') else { return false };
    let Ok(tag) = URL_SAFE_NO_PAD.decode(tag_b64) else { return false };
    let nonce_matches: bool = subtle::ConstantTimeEq::ct_eq(given_nonce.as_bytes(), nonce.as_bytes()).into();
    let tag_ok = mac(secret, format!("csrf|{token}|{nonce}").as_bytes()).verify_slice(&tag).is_ok();
    nonce_matches & tag_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link() -> Link {
        Link {
            tenant_id: 7,
            subject: Subject::Subscription(42),
            action: LinkAction::Cancel,
            expires: 1_900_000_000,
            version: 3,
        }
    }

    #[test]
    fn a_signed_link_reads_back_and_verifies() {
        let token = sign(&link(), b"secret");
        let (read_link, payload, tag) = read(&token).expect("readable");
        assert_eq!(read_link, link());
        assert!(verify(&payload, &tag, b"secret"));
        assert!(!verify(&payload, &tag, b"other tenant's secret"));
    }

    #[test]
    fn any_changed_part_fails_the_signature() {
        let token = sign(&link(), b"secret");
        let (_, _, tag) = read(&token).expect("readable");
        for other in [
            Link { tenant_id: 8, ..link() },
            Link { subject: Subject::Subscription(43), ..link() },
            Link { action: LinkAction::Reactivate, ..link() },
            Link { expires: 1_900_000_001, ..link() },
            Link { version: 4, ..link() },
        ] {
            assert!(!verify(other.payload().as_bytes(), &tag, b"secret"), "{other:?}");
        }
        assert!(read("garbage").is_none());
        assert!(read(&token.replace('.', "")).is_none());
    }

    #[test]
    fn csrf_values_are_bound_to_link_and_cookie() {
        let value = csrf(b"s", "tok", "n1");
        assert!(check_csrf(b"s", "tok", "n1", &value));
        assert!(!check_csrf(b"s", "tok", "n2", &value));
        assert!(!check_csrf(b"s", "other", "n1", &value));
        assert!(!check_csrf(b"s", "tok", "n1", "n1.AAAA"));
    }
}
