//! Delivering a credentials document to whoever will use it: a new file, or an HTTP POST
//! to the server's URL.
//!
//! * File: created new (an existing file is never replaced), mode 0600, written atomically
//!   ([`SessionCredentials::write_file`]).
//! * POST: `Content-Type: application/json`, the document as the body, and
//!   `Authorization: Bearer <token>` when a token is given. `https://` to any host; plain
//!   `http://` only to loopback (127.0.0.0/8, ::1, `localhost`), because the document can
//!   carry a session key and always carries a signed grant — unless the caller passes
//!   [`PlainHttp::Allowed`] (`allowPlainHttp`), and even then a bearer token is never
//!   sent unencrypted off this computer. A loopback target is reached directly, never
//!   through a proxy. The request has a timeout;
//!   the reply is read up to a size cap and returned cut to [`MAX_REPLY_CHARS`]. A redirect
//!   is followed only to the same scheme, host and port and only when it keeps the method
//!   and body (307/308); any other is refused, so the document (and the token) never
//!   reach a host the user did not type.
//!
//! Whether the document carries a secret is decided before it gets here (the caller seals
//! the key with [`crate::credentials::Secret::seal`] or leaves it out). Left out: the
//! clipboard and the save dialog (the app's), and QR codes.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue, LOCATION};
use reqwest::{StatusCode, Url};
use zeroize::Zeroizing;

use crate::credentials::{CredentialsError, SessionCredentials};
use crate::error::{Coded, ErrorCode};

/// Longest server reply returned, in characters.
pub const MAX_REPLY_CHARS: usize = 2000;
/// Sent as `User-Agent`.
const USER_AGENT: &str = concat!("warden/", env!("CARGO_PKG_VERSION"));
/// Most same-origin redirects followed.
const MAX_REDIRECTS: usize = 3;

/// Limits of a POST.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PostConfig {
    /// From sending the request to the last byte of the reply.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Bytes of the reply read at most; the rest is not read.
    pub max_reply_bytes: usize,
    /// Follow a 307/308 redirect to the same origin (credentials export); a request's answer
    /// follows none.
    pub same_origin_redirects: bool,
}

impl Default for PostConfig {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(20),
            connect_timeout: Duration::from_secs(10),
            max_reply_bytes: 64 * 1024,
            same_origin_redirects: true,
        }
    }
}

/// A bearer token for the server. Zeroized on drop; `Debug` never shows it.
#[derive(Clone)]
pub struct BearerToken(Zeroizing<String>);

impl BearerToken {
    /// Refuses an empty token and one an HTTP header cannot carry (only visible ASCII).
    pub fn new(token: impl Into<String>) -> Result<Self, ExportError> {
        let token = Zeroizing::new(token.into());
        let token = Zeroizing::new(token.trim().to_owned());
        if token.is_empty() {
            return Err(ExportError::InvalidBearer { reason: "it is empty" });
        }
        if !token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ExportError::InvalidBearer {
                reason: "it contains spaces, control or non-ASCII characters, which an HTTP header cannot carry",
            });
        }
        Ok(Self(token))
    }
}

impl std::fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BearerToken(***)")
    }
}

/// Where a POST goes: a checked URL and an optional token.
#[derive(Clone, Debug)]
pub struct PostTarget {
    url: Url,
    bearer: Option<BearerToken>,
}

/// Whether a POST may use plain `http://` to a host other than this computer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PlainHttp {
    /// Plain http only to loopback; anything else must be https (the default).
    #[default]
    LoopbackOnly,
    /// Plain http to any host, because the person asked for it explicitly
    /// (`allowPlainHttp`). A bearer token is still refused over it.
    Allowed,
}

impl PostTarget {
    /// Checks `url` with plain http allowed only to loopback (see the module docs).
    pub fn new(url: &str, bearer: Option<BearerToken>) -> Result<Self, ExportError> {
        Self::with_plain_http(url, bearer, PlainHttp::LoopbackOnly)
    }

    /// Checks `url`; `plain_http` says whether plain http may leave this computer. A
    /// bearer token goes only over https or to loopback, whatever `plain_http` says.
    pub fn with_plain_http(url: &str, bearer: Option<BearerToken>, plain_http: PlainHttp) -> Result<Self, ExportError> {
        let parsed = Url::parse(url.trim()).map_err(|e| ExportError::InvalidUrl { reason: e.to_string() })?;
        let Some(host) = parsed.host_str() else {
            return Err(ExportError::InvalidUrl { reason: "the URL has no host".into() });
        };
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(ExportError::InvalidUrl {
                reason: "a user name or password in the URL is not supported; use the bearer token".into(),
            });
        }
        match parsed.scheme() {
            "https" => {}
            "http" if is_loopback(host) => {}
            "http" if bearer.is_some() => return Err(ExportError::BearerNeedsHttps { host: host.to_owned() }),
            "http" if plain_http == PlainHttp::Allowed => {}
            "http" => return Err(ExportError::PlainHttpNotLoopback { host: host.to_owned() }),
            other => {
                return Err(ExportError::InvalidUrl { reason: format!("scheme {other:?} is not https (or http)") });
            }
        }
        Ok(Self { url: parsed, bearer })
    }

    /// `host[:port]`: all of the URL that messages show.
    pub fn host(&self) -> String {
        authority(&self.url)
    }
}

fn authority(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_owned(),
        _ => String::new(),
    }
}

/// Whether a URL host is the local machine: `localhost`, 127.0.0.0/8 or ::1.
pub fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.eq_ignore_ascii_case("localhost") || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// What a delivery did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportReceipt {
    /// `"file"` or `"post"`.
    pub destination: &'static str,
    pub path: Option<PathBuf>,
    pub http_status: Option<u16>,
    /// The server's reply, cut to [`MAX_REPLY_CHARS`].
    pub server_reply: Option<String>,
}

/// Why a document was not delivered.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("server URL: {reason}")]
    InvalidUrl { reason: String },
    #[error(
        "server URL: plain http:// is allowed only to this computer (127.0.0.1, ::1, localhost), not to {host}; use https://, or set allowPlainHttp to send it unencrypted anyway"
    )]
    PlainHttpNotLoopback { host: String },
    #[error(
        "bearer token: it is sent only over https:// (or to this computer), never over plain http:// to {host}; use https://"
    )]
    BearerNeedsHttps { host: String },
    #[error("bearer token: {reason}")]
    InvalidBearer { reason: &'static str },
    #[error("{path}: already exists; choose another file name (an existing file is never replaced)")]
    FileExists { path: PathBuf },
    #[error("{path}: cannot write the credentials: {reason}")]
    File { path: PathBuf, reason: String },
    #[error("{host} did not answer within {after:?}; the server may or may not have received the credentials")]
    Timeout { host: String, after: Duration },
    #[error("cannot reach {host}: {reason}")]
    Unreachable { host: String, reason: String },
    #[error("{host} answered HTTP {status}; the credentials were not accepted{}", reply_note(.reply))]
    Refused { host: String, status: u16, reply: String },
    #[error(
        "{host} answered HTTP {status} redirecting to {to}; Warden does not send credentials on to another address"
    )]
    Redirected { host: String, status: u16, to: String },
}

fn reply_note(reply: &str) -> String {
    if reply.is_empty() { String::new() } else { format!(": {reply}") }
}

impl Coded for ExportError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::InvalidUrl { .. }
            | Self::PlainHttpNotLoopback { .. }
            | Self::BearerNeedsHttps { .. }
            | Self::InvalidBearer { .. } => ErrorCode::InvalidInput,
            Self::FileExists { .. } => ErrorCode::AlreadyExists,
            Self::File { .. }
            | Self::Timeout { .. }
            | Self::Unreachable { .. }
            | Self::Refused { .. }
            | Self::Redirected { .. } => ErrorCode::ExportFailed,
        }
    }
}

/// Writes the document to a new file at `path` (mode 0600, atomic, never replacing).
pub fn export_to_file(document: &SessionCredentials, path: &Path) -> Result<ExportReceipt, ExportError> {
    document.write_file(path, false).map_err(|e| match e {
        CredentialsError::File { reason, .. } if reason.contains("already exists") => {
            ExportError::FileExists { path: path.to_owned() }
        }
        other => ExportError::File { path: path.to_owned(), reason: other.to_string() },
    })?;
    Ok(ExportReceipt { destination: "file", path: Some(path.to_owned()), http_status: None, server_reply: None })
}

/// POSTs the document to `target`. A 2xx answer is success; anything else is an error
/// carrying the status and the (cut) reply.
pub async fn post_document(
    document: &SessionCredentials,
    target: &PostTarget,
    config: &PostConfig,
) -> Result<ExportReceipt, ExportError> {
    post_json(&document.to_json(), target, config).await
}

/// POSTs the JSON `body` to `target` (the same rules as [`post_document`]). A loopback
/// target is reached directly, never through a proxy.
pub async fn post_json(body: &str, target: &PostTarget, config: &PostConfig) -> Result<ExportReceipt, ExportError> {
    let host = target.host();
    let origin = target.url.origin();
    let same_origin = config.same_origin_redirects;
    let policy = reqwest::redirect::Policy::custom(move |attempt| {
        let keeps_body = matches!(attempt.status(), StatusCode::TEMPORARY_REDIRECT | StatusCode::PERMANENT_REDIRECT);
        if same_origin && keeps_body && attempt.url().origin() == origin && attempt.previous().len() <= MAX_REDIRECTS {
            attempt.follow()
        } else {
            attempt.stop()
        }
    });
    let mut builder =
        reqwest::Client::builder().user_agent(USER_AGENT).connect_timeout(config.connect_timeout).redirect(policy);
    if target.url.host_str().is_some_and(is_loopback) {
        builder = builder.no_proxy();
    }
    let client = builder
        .build()
        .map_err(|e| ExportError::Unreachable { host: host.clone(), reason: error_chain(&e.without_url()) })?;
    // The body may carry a session key: reqwest gets its own copy (it may resend it on a
    // redirect), held in a buffer wiped when the last reference to it is dropped.
    let mut owned = crate::secret_buffer::WipingBuffer::with_capacity(body.len());
    owned.extend_from_slice(body.as_bytes());
    let body = bytes::Bytes::from_owner(owned.into_bytes());
    let mut request =
        client.post(target.url.clone()).header(CONTENT_TYPE, "application/json").body(reqwest::Body::from(body));
    if let Some(token) = &target.bearer {
        let mut text = crate::secret_buffer::WipingBuffer::with_capacity(7 + token.0.len());
        text.extend_from_slice(b"Bearer ");
        text.extend_from_slice(token.0.as_bytes());
        // A `Bytes` header value is kept as is (no copy), and wiped once dropped.
        let mut value = HeaderValue::from_maybe_shared(bytes::Bytes::from_owner(text.into_bytes()))
            .map_err(|_| ExportError::InvalidBearer { reason: "it cannot be sent in an HTTP header" })?;
        value.set_sensitive(true);
        request = request.header(AUTHORIZATION, value);
    }
    let exchange = async {
        let response = request
            .send()
            .await
            .map_err(|e| ExportError::Unreachable { host: host.clone(), reason: error_chain(&e.without_url()) })?;
        let status = response.status();
        if status.is_redirection() {
            let to = response
                .headers()
                .get(LOCATION)
                .and_then(|l| l.to_str().ok())
                .and_then(|l| response.url().join(l).ok())
                .map_or_else(|| "an unnamed address".to_owned(), |u| authority(&u));
            return Err(ExportError::Redirected { host: host.clone(), status: status.as_u16(), to });
        }
        let reply = read_capped(response, config.max_reply_bytes).await.map_err(|e| ExportError::Unreachable {
            host: host.clone(),
            reason: format!("the reply could not be read: {}", error_chain(&e.without_url())),
        })?;
        Ok((status, reply))
    };
    let (status, reply) = tokio::time::timeout(config.timeout, exchange)
        .await
        .unwrap_or_else(|_| Err(ExportError::Timeout { host: host.clone(), after: config.timeout }))?;
    if !status.is_success() {
        return Err(ExportError::Refused { host, status: status.as_u16(), reply });
    }
    Ok(ExportReceipt { destination: "post", path: None, http_status: Some(status.as_u16()), server_reply: Some(reply) })
}

/// Reads at most `cap` bytes of the body and returns them as text cut to [`MAX_REPLY_CHARS`].
async fn read_capped(mut response: reqwest::Response, cap: usize) -> Result<String, reqwest::Error> {
    let mut bytes = Vec::new();
    let mut cut = false;
    while let Some(chunk) = response.chunk().await? {
        let room = cap.saturating_sub(bytes.len());
        if chunk.len() > room {
            bytes.extend_from_slice(&chunk[..room]);
            cut = true;
            break;
        }
        bytes.extend_from_slice(&chunk);
    }
    let text = String::from_utf8_lossy(&bytes);
    let mut out: String = text.chars().take(MAX_REPLY_CHARS).collect();
    if cut || text.chars().count() > MAX_REPLY_CHARS {
        out.push('…');
    }
    Ok(out)
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(inner) = source {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        source = inner.source();
    }
    s
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        for h in ["localhost", "LOCALHOST", "127.0.0.1", "127.8.9.10", "[::1]", "::1"] {
            assert!(is_loopback(h), "{h}");
        }
        for h in ["localhost.example.org", "10.0.0.1", "0.0.0.0", "[::]", "example.org", "127.0.0.1.nip.io"] {
            assert!(!is_loopback(h), "{h}");
        }
    }

    #[test]
    fn urls_are_checked_before_anything_is_sent() {
        assert!(PostTarget::new("https://example.org/hook", None).is_ok());
        assert!(PostTarget::new("http://127.0.0.1:9/x", None).is_ok());
        assert!(PostTarget::new("http://[::1]:9/x", None).is_ok());
        assert!(PostTarget::new("http://localhost/x", None).is_ok());
        let cases = [
            ("http://192.168.1.5/x", "192.168.1.5"),
            ("http://example.org/x", "example.org"),
            ("http://localhost.example.org/x", "localhost.example.org"),
        ];
        for (url, host) in cases {
            match PostTarget::new(url, None).unwrap_err() {
                ExportError::PlainHttpNotLoopback { host: h } => assert_eq!(h, host),
                other => panic!("{url}: {other}"),
            }
        }
        for url in ["ftp://example.org/x", "not a url", "https://user:pw@example.org/", "file:///etc/passwd"] {
            let e = PostTarget::new(url, None).unwrap_err();
            assert!(matches!(e, ExportError::InvalidUrl { .. }), "{url}: {e}");
            assert_eq!(e.code(), ErrorCode::InvalidInput);
        }
    }

    #[test]
    fn bearer_tokens_are_checked_and_never_shown() {
        assert!(matches!(BearerToken::new(""), Err(ExportError::InvalidBearer { .. })));
        assert!(matches!(BearerToken::new("a b"), Err(ExportError::InvalidBearer { .. })));
        assert!(matches!(BearerToken::new("tök"), Err(ExportError::InvalidBearer { .. })));
        let t = BearerToken::new(" s3cret-token ").unwrap();
        assert_eq!(format!("{t:?}"), "BearerToken(***)");
        let target = PostTarget::new("https://example.org", Some(t)).unwrap();
        assert!(!format!("{target:?}").contains("s3cret"));
    }
}
