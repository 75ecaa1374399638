//! Where requests go and with which credential: a validated URL and an optional API key.
//!
//! Both can carry a secret — the key itself, or a key placed in the URL path as Alchemy's
//! `/v2/<apiKey>` form allows — so nothing here prints them. [`Endpoint`]'s `Debug` and
//! `Display` show the scheme, host and port, with every path segment after `v2` and any
//! query replaced by `***`; errors name only the host. [`Endpoint::scrub`] removes the
//! secrets from text that came from elsewhere (a server message may echo a header).

use std::fmt;

use reqwest::Url;
use zeroize::Zeroizing;

use super::RpcError;

/// Alchemy's chain-agnostic Wallets API endpoint (protocol.md §1). The chain is chosen by a
/// `chainId` inside the params, never by the URL.
pub const ALCHEMY_WALLET_URL: &str = "https://api.g.alchemy.com/v2";

/// What the redacted parts of a URL are replaced with.
const REDACTED: &str = "***";

/// An API key (or JWT) sent as `Authorization: Bearer <key>`.
///
/// The text is zeroized on drop and never shown: `Debug` prints `ApiKey(***)` and there
/// is no `Display`.
#[derive(Clone)]
pub struct ApiKey(Zeroizing<String>);

impl ApiKey {
    /// Wraps a key, refusing one that is empty or cannot be sent in an HTTP header
    /// (only visible ASCII is allowed, so no spaces or line breaks).
    pub fn new(key: impl Into<String>) -> Result<Self, RpcError> {
        let key = Zeroizing::new(key.into());
        if key.is_empty() {
            return Err(RpcError::InvalidApiKey { reason: "it is empty" });
        }
        if !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(RpcError::InvalidApiKey {
                reason: "it contains spaces, control or non-ASCII characters, which an HTTP \
                         header cannot carry",
            });
        }
        Ok(Self(key))
    }

    /// The key itself, for the `Authorization` header only.
    pub(super) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiKey({REDACTED})")
    }
}

/// A Wallets API endpoint: an `http`/`https` URL and an optional API key.
#[derive(Clone)]
pub struct Endpoint {
    url: Url,
    /// `host[:port]`, the only part of the URL that errors and logs show.
    host: String,
    /// The URL with secret-bearing parts replaced, for `Debug`/`Display`.
    redacted: String,
    /// Path segments after `v2`: an API key may live there.
    path_secrets: Vec<Zeroizing<String>>,
    api_key: Option<ApiKey>,
}

impl Endpoint {
    /// Parses an endpoint URL such as [`ALCHEMY_WALLET_URL`] or `http://127.0.0.1:8545`.
    ///
    /// Refuses anything but `http`/`https`, a URL without a host, and credentials in the
    /// URL (`user:password@`): pass a key with [`Endpoint::with_api_key`] instead.
    pub fn new(url: &str) -> Result<Self, RpcError> {
        let url = Url::parse(url).map_err(|e| RpcError::InvalidEndpoint { reason: e.to_string() })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(RpcError::InvalidEndpoint {
                reason: format!("scheme {:?} is not http or https", url.scheme()),
            });
        }
        let Some(host) = url.host_str() else {
            return Err(RpcError::InvalidEndpoint { reason: "the URL has no host".into() });
        };
        if !url.username().is_empty() || url.password().is_some() {
            return Err(RpcError::InvalidEndpoint {
                reason: "credentials in the URL are not supported; pass the API key separately".into(),
            });
        }
        let host = match url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        };

        let mut redacted = format!("{}://{host}", url.scheme());
        let mut path_secrets = Vec::new();
        let mut after_v2 = false;
        for segment in url.path_segments().into_iter().flatten() {
            if after_v2 && !segment.is_empty() {
                redacted.push('/');
                redacted.push_str(REDACTED);
                path_secrets.push(Zeroizing::new(segment.to_owned()));
            } else {
                redacted.push('/');
                redacted.push_str(segment);
            }
            after_v2 |= segment.eq_ignore_ascii_case("v2");
        }
        if url.query().is_some() {
            redacted.push('?');
            redacted.push_str(REDACTED);
        }
        Ok(Self { url, host, redacted, path_secrets, api_key: None })
    }

    /// Alchemy's Wallets API ([`ALCHEMY_WALLET_URL`]) with the given key.
    pub fn alchemy(api_key: ApiKey) -> Self {
        Self::new(ALCHEMY_WALLET_URL).expect("the Alchemy URL constant is a valid https URL").with_api_key(api_key)
    }

    /// Sends `Authorization: Bearer <key>` with every request.
    pub fn with_api_key(mut self, api_key: ApiKey) -> Self {
        self.api_key = Some(api_key);
        self
    }

    /// `host[:port]` of the endpoint — all of the URL that errors show.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// Whether an API key will be sent.
    pub fn has_api_key(&self) -> bool {
        self.api_key.is_some()
    }

    pub(super) fn url(&self) -> &Url {
        &self.url
    }

    pub(super) fn api_key(&self) -> Option<&ApiKey> {
        self.api_key.as_ref()
    }

    /// Replaces every occurrence of a secret of this endpoint (the API key, a key in the
    /// path) in `text` by `***`.
    pub fn scrub(&self, text: &str) -> String {
        let secrets = self.api_key.iter().map(ApiKey::expose).chain(self.path_secrets.iter().map(|s| s.as_str()));
        let mut out = text.to_owned();
        for secret in secrets {
            if out.contains(secret) {
                out = out.replace(secret, REDACTED);
            }
        }
        out
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted)
    }
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Endpoint").field("url", &self.redacted).field("api_key", &self.api_key).finish()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::error::{Coded, ErrorCode};

    #[test]
    fn key_in_the_path_is_redacted_and_scrubbed() {
        let e = Endpoint::new("https://eth-mainnet.g.alchemy.com/v2/s3cretKey?x=1").unwrap();
        assert_eq!(e.host(), "eth-mainnet.g.alchemy.com");
        assert_eq!(e.to_string(), "https://eth-mainnet.g.alchemy.com/v2/***?***");
        assert!(!format!("{e:?}").contains("s3cretKey"));
        assert_eq!(e.scrub("bad key s3cretKey!"), "bad key ***!");
    }

    #[test]
    fn local_devnet_keeps_port_and_path() {
        let e = Endpoint::new("http://127.0.0.1:8545/rpc").unwrap();
        assert_eq!(e.host(), "127.0.0.1:8545");
        assert_eq!(e.to_string(), "http://127.0.0.1:8545/rpc");
        assert!(!e.has_api_key());
    }

    #[test]
    fn api_key_is_never_shown_and_is_scrubbed() {
        let e = Endpoint::alchemy(ApiKey::new("alcht_abc123").unwrap());
        assert_eq!(e.host(), "api.g.alchemy.com");
        let debug = format!("{e:?}");
        assert!(!debug.contains("alcht_abc123"), "{debug}");
        assert!(debug.contains("ApiKey(***)"), "{debug}");
        assert_eq!(e.scrub("Bearer alcht_abc123"), "Bearer ***");
    }

    #[test]
    fn bad_urls_are_refused_with_the_reason() {
        for (url, needle) in [
            ("not a url", "relative URL"),
            ("ftp://example.com/", "scheme"),
            ("https://user:pw@example.com/", "credentials"),
        ] {
            let err = Endpoint::new(url).unwrap_err();
            assert_eq!(err.code(), ErrorCode::InvalidInput);
            assert!(err.to_string().contains(needle), "{url}: {err}");
            assert!(!err.to_string().contains("pw"), "{err}");
        }
    }

    #[test]
    fn keys_that_cannot_be_a_header_are_refused_without_echoing_them() {
        assert!(ApiKey::new("").is_err());
        let err = ApiKey::new("abc def\n").unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidInput);
        assert!(!err.to_string().contains("abc def"), "{err}");
    }
}
