//! A webhook endpoint's URL: parsed once (WHATWG rules, so `0x7f.1` is
//! 127.0.0.1 here exactly as a browser or curl reads it), only `http(s)`,
//! credentials split off for HTTP Basic and never shown, and the host
//! resolved and checked against the SSRF rule before anything connects.

use std::net::{IpAddr, SocketAddr};

use base64::Engine as _;
use url::{Host, Url};

use super::ip;

/// Why a URL cannot be a webhook target.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    /// Not a URL at all (answer -32602, TAG URL).
    #[error("URL: not a valid URL ({0})")]
    Invalid(String),
    /// A scheme other than http or https (answer -32602, TAG URL).
    #[error("URL: only http and https URLs are allowed, not `{0}`")]
    Scheme(String),
    /// The host does not resolve (a failed attempt; on create the caller decides).
    #[error("URL: host `{host}` does not resolve: {reason}")]
    Unresolved { host: String, reason: String },
    /// The host is or resolves to an internal address (answer 1009, TAG URL).
    #[error("URL: {}; private targets are not allowed", forbidden(host, addr, kind))]
    Forbidden { host: String, addr: IpAddr, kind: &'static str },
}

fn forbidden(host: &str, addr: &IpAddr, kind: &str) -> String {
    if *host == addr.to_string() {
        format!("{addr} is a {kind} address")
    } else {
        format!("`{host}` resolves to {addr}, a {kind} address")
    }
}

impl TargetError {
    /// Whether the URL itself is malformed (-32602) rather than its target refused.
    pub fn is_malformed(&self) -> bool {
        matches!(self, TargetError::Invalid(_) | TargetError::Scheme(_))
    }
}

/// A parsed target: the URL without credentials, and the credentials apart.
#[derive(Clone, PartialEq, Eq)]
pub struct Target {
    url: Url,
    credentials: Option<(String, String)>,
}

impl Target {
    /// Parses and checks the form of `text` (no network).
    pub fn parse(text: &str) -> Result<Target, TargetError> {
        let mut url = Url::parse(text.trim()).map_err(|e| TargetError::Invalid(e.to_string()))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(TargetError::Scheme(url.scheme().to_owned()));
        }
        if url.host().is_none() {
            return Err(TargetError::Invalid("no host".into()));
        }
        let credentials = match (url.username(), url.password()) {
            ("", None) => None,
            (user, password) => Some((decode(user), password.map(decode).unwrap_or_default())),
        };
        // Both setters only fail for URLs without a host, checked above.
        let _ = url.set_username("");
        let _ = url.set_password(None);
        url.set_fragment(None);
        Ok(Target { url, credentials })
    }

    /// The URL requests go to, without credentials.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The host as written in the URL (IPv6 without brackets).
    pub fn host(&self) -> String {
        match self.url.host() {
            Some(Host::Ipv6(v6)) => v6.to_string(),
            Some(host) => host.to_string(),
            None => String::new(),
        }
    }

    /// The port, the scheme's default when none is written.
    pub fn port(&self) -> u16 {
        self.url.port_or_known_default().unwrap_or(80)
    }

    /// The `Authorization: Basic ...` value when the URL carried `user:password@`.
    pub fn basic_auth(&self) -> Option<String> {
        let (user, password) = self.credentials.as_ref()?;
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        Some(format!("Basic {token}"))
    }

    /// The URL for display (`webhook.get`, logs): the password as `***`.
    pub fn redacted(&self) -> String {
        let mut shown = self.url.clone();
        if let Some((user, _)) = &self.credentials {
            let _ = shown.set_username(user);
            let _ = shown.set_password(Some("***"));
        }
        shown.to_string()
    }

    /// Resolves the host and checks every address; with `allow_private`
    /// internal addresses pass too. The addresses answered are the ones to
    /// connect to, so nothing is looked up again between check and connect.
    pub async fn resolve(&self, allow_private: bool) -> Result<Vec<SocketAddr>, TargetError> {
        let port = self.port();
        let addrs: Vec<SocketAddr> = match self.url.host() {
            Some(Host::Ipv4(v4)) => vec![SocketAddr::new(IpAddr::V4(v4), port)],
            Some(Host::Ipv6(v6)) => vec![SocketAddr::new(IpAddr::V6(v6), port)],
            Some(Host::Domain(name)) => lookup(name, port).await?,
            None => return Err(TargetError::Invalid("no host".into())),
        };
        check(&self.host(), &addrs, allow_private)?;
        Ok(addrs)
    }
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Target").field(&self.redacted()).finish()
    }
}

/// `text` for display with its password as `***`. Text that is no absolute
/// URL (a relative redirect) is shown as is unless it holds an `@`.
pub fn redacted(text: &str) -> String {
    match Url::parse(text) {
        Ok(mut url) => {
            if url.password().is_some() {
                let _ = url.set_password(Some("***"));
            }
            url.to_string()
        }
        Err(_) if text.contains('@') => "<invalid URL>".into(),
        Err(_) => text.to_owned(),
    }
}

/// Refuses the whole target when any address is internal (a name that
/// resolves to a public and a private address is refused, not half-used).
pub fn check(host: &str, addrs: &[SocketAddr], allow_private: bool) -> Result<(), TargetError> {
    if allow_private {
        return Ok(());
    }
    for addr in addrs {
        if let Some(kind) = ip::forbidden(addr.ip()) {
            return Err(TargetError::Forbidden { host: host.to_owned(), addr: addr.ip(), kind });
        }
    }
    Ok(())
}

async fn lookup(name: &str, port: u16) -> Result<Vec<SocketAddr>, TargetError> {
    let unresolved = |reason: String| TargetError::Unresolved { host: name.to_owned(), reason };
    let found = tokio::net::lookup_host((name, port)).await.map_err(|e| unresolved(e.to_string()))?;
    let addrs: Vec<SocketAddr> = found.collect();
    if addrs.is_empty() {
        return Err(unresolved("no addresses".into()));
    }
    Ok(addrs)
}

/// Percent-decoding of URL userinfo (`%40` is `@`).
fn decode(part: &str) -> String {
    percent_encoding::percent_decode_str(part).decode_utf8_lossy().into_owned()
}

#[cfg(test)]
#[path = "target_tests.rs"]
mod tests;
