//! The connector under the webhook client: hyper-util's `HttpConnector` with a
//! resolver that checks every address it answers (so the addresses checked are
//! exactly the ones connected to: no second lookup an attacker's DNS could
//! answer differently), wrapped in rustls for https with Mozilla's roots.
//!
//! `HttpConnector` skips the resolver for IP-literal hosts; the client checks
//! those itself before it sends (`Target::resolve` answers them without DNS).

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::connect::dns::Name;

use super::target::{self, TargetError};

/// The connector type of the webhook client.
pub type Connector = HttpsConnector<HttpConnector<CheckedResolver>>;

/// A DNS resolver that refuses internal addresses unless allowed.
#[derive(Debug, Clone, Copy)]
pub struct CheckedResolver {
    allow_private: bool,
}

impl tower::Service<Name> for CheckedResolver {
    type Response = std::vec::IntoIter<SocketAddr>;
    type Error = TargetError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, TargetError>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), TargetError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, name: Name) -> Self::Future {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let host = name.as_str().to_owned();
            // Port 0: HttpConnector puts the URL's port on every address.
            let found = tokio::net::lookup_host((host.as_str(), 0))
                .await
                .map_err(|e| TargetError::Unresolved { host: host.clone(), reason: e.to_string() })?;
            let addrs: Vec<SocketAddr> = found.collect();
            if addrs.is_empty() {
                return Err(TargetError::Unresolved { host, reason: "no addresses".into() });
            }
            target::check(&host, &addrs, allow_private)?;
            Ok(addrs.into_iter())
        })
    }
}

/// An http-or-https connector; with `allow_private` false it cannot reach an
/// internal address through a name.
pub fn connector(allow_private: bool, connect_timeout: Duration) -> Result<Connector, rustls::Error> {
    let mut http = HttpConnector::new_with_resolver(CheckedResolver { allow_private });
    http.enforce_http(false);
    http.set_nodelay(true);
    http.set_connect_timeout(Some(connect_timeout));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(hyper_rustls::HttpsConnectorBuilder::new()
        .with_provider_and_webpki_roots(provider)?
        .https_or_http()
        .enable_http1()
        .wrap_connector(http))
}
