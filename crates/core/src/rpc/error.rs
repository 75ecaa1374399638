//! Everything that can go wrong talking to an endpoint, as facts a caller can branch on.
//!
//! Messages name the method and the endpoint host. They never contain the API key, the URL
//! path (which may hold a key), request params or a raw response body: JSON-RPC errors
//! keep only code, message and a truncated `data`, with the endpoint's secrets scrubbed.

use std::time::Duration;

use crate::error::{Coded, ErrorCode};

/// JSON-RPC error codes (and Alchemy's `429`) that mean "try again later". The official
/// client retries exactly these (protocol.md §1, and §10 "What the official TypeScript
/// client expects of a server").
const TRANSIENT_RPC_CODES: [i64; 5] = [-32603, -32005, -32007, -1, 429];

/// A failed JSON-RPC call, or an endpoint that could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum RpcError {
    /// The endpoint URL is unusable.
    #[error("invalid endpoint URL: {reason}")]
    InvalidEndpoint {
        /// What is wrong with it.
        reason: String,
    },
    /// The API key cannot be used (its text is not repeated here).
    #[error("invalid API key: {reason}")]
    InvalidApiKey {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The HTTP client could not be built (e.g. the TLS backend failed to start).
    #[error("cannot set up the HTTP client: {reason}")]
    ClientSetup {
        /// Why.
        reason: String,
    },
    /// The params could not be serialized as a JSON array; nothing was sent.
    #[error("{method}: params {reason}")]
    Params {
        /// The JSON-RPC method.
        method: String,
        /// What is wrong with them.
        reason: String,
    },
    /// The endpoint answered with a JSON-RPC error object.
    #[error("{method} at {host}: JSON-RPC error {code}: {message}")]
    Rpc {
        /// The JSON-RPC method.
        method: String,
        /// `host[:port]` of the endpoint.
        host: String,
        /// The error's `code`.
        code: i64,
        /// The error's `message`, truncated and scrubbed of the endpoint's secrets.
        message: String,
        /// The error's `data` as compact JSON, truncated and scrubbed, if present.
        data: Option<String>,
    },
    /// The endpoint answered with an HTTP status other than 2xx and no usable JSON-RPC error.
    #[error("{method} at {host}: {}", http_failure(*status, *retry_after))]
    Http {
        /// The JSON-RPC method.
        method: String,
        /// `host[:port]` of the endpoint.
        host: String,
        /// The HTTP status code.
        status: u16,
        /// The `Retry-After` the endpoint asked for (delta-seconds form only), if any.
        retry_after: Option<Duration>,
    },
    /// No complete answer arrived within the per-request timeout.
    #[error("{method} at {host}: no complete answer within {} ms", after.as_millis())]
    Timeout {
        /// The JSON-RPC method.
        method: String,
        /// `host[:port]` of the endpoint.
        host: String,
        /// The timeout that elapsed.
        after: Duration,
    },
    /// No connection could be made; the request was not sent.
    #[error("{method} at {host}: cannot connect: {reason}")]
    Connect {
        /// The JSON-RPC method.
        method: String,
        /// `host[:port]` of the endpoint.
        host: String,
        /// The transport's reason (e.g. connection refused, DNS failure).
        reason: String,
    },
    /// The connection failed after it was made (reset, closed mid-body, protocol error).
    #[error("{method} at {host}: transport failure: {reason}")]
    Transport {
        /// The JSON-RPC method.
        method: String,
        /// `host[:port]` of the endpoint.
        host: String,
        /// The transport's reason.
        reason: String,
    },
    /// The response body is larger than the configured cap; it was not read further.
    #[error("{method} at {host}: response larger than the {limit}-byte limit")]
    TooLarge {
        /// The JSON-RPC method.
        method: String,
        /// `host[:port]` of the endpoint.
        host: String,
        /// The cap, in bytes.
        limit: usize,
    },
    /// The body is not a valid JSON-RPC 2.0 response to this request.
    #[error("{method} at {host}: not a valid JSON-RPC response: {reason}")]
    BadResponse {
        /// The JSON-RPC method.
        method: String,
        /// `host[:port]` of the endpoint.
        host: String,
        /// What is wrong (never the body itself).
        reason: String,
    },
    /// The `result` does not have the type the caller expects.
    #[error("{method} at {host}: the result does not have the expected shape: {reason}")]
    Decode {
        /// The JSON-RPC method.
        method: String,
        /// `host[:port]` of the endpoint.
        host: String,
        /// The decoder's reason, truncated.
        reason: String,
    },
}

fn http_failure(status: u16, retry_after: Option<Duration>) -> String {
    match status {
        401 | 403 => format!("HTTP {status}: the endpoint refused the credentials; check the API key"),
        429 => match retry_after {
            Some(after) => format!("rate limited (HTTP 429); retry after {} s", after.as_secs()),
            None => "rate limited (HTTP 429)".to_owned(),
        },
        300..=399 => format!("HTTP {status}: redirects are not followed; check the endpoint URL"),
        500..=599 => format!("HTTP {status}: the endpoint failed or is unavailable"),
        _ => format!("HTTP {status}"),
    }
}

impl RpcError {
    /// Whether the same request may succeed if sent again later: connection failures,
    /// timeouts, HTTP 408/429/5xx and the JSON-RPC codes -32603, -32005, -32007, -1 and
    /// 429. Only reads are ever retried automatically, and only on these.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Connect { .. } | Self::Transport { .. } | Self::Timeout { .. } => true,
            Self::Http { status, .. } => matches!(status, 408 | 429 | 500..=599),
            Self::Rpc { code, .. } => TRANSIENT_RPC_CODES.contains(code),
            Self::InvalidEndpoint { .. }
            | Self::InvalidApiKey { .. }
            | Self::ClientSetup { .. }
            | Self::Params { .. }
            | Self::TooLarge { .. }
            | Self::BadResponse { .. }
            | Self::Decode { .. } => false,
        }
    }

    /// The delay the endpoint asked for with `Retry-After`, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Http { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

impl Coded for RpcError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::InvalidEndpoint { .. } | Self::InvalidApiKey { .. } | Self::Params { .. } => ErrorCode::InvalidInput,
            Self::ClientSetup { .. } => ErrorCode::Internal,
            Self::Rpc { code: 429 | -32005, .. } => ErrorCode::RateLimited,
            Self::Rpc { .. } => ErrorCode::RpcError,
            Self::Http { status: 429, .. } => ErrorCode::RateLimited,
            Self::Http { status: 408 | 500..=599, .. } => ErrorCode::Unavailable,
            // The endpoint refused the request itself (bad credentials, wrong path, redirect).
            Self::Http { .. } => ErrorCode::RpcError,
            Self::Timeout { .. } | Self::Connect { .. } | Self::Transport { .. } => ErrorCode::Unavailable,
            Self::TooLarge { .. } | Self::BadResponse { .. } | Self::Decode { .. } => ErrorCode::BadResponse,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http(status: u16) -> RpcError {
        RpcError::Http { method: "m".into(), host: "h".into(), status, retry_after: None }
    }

    fn rpc(code: i64) -> RpcError {
        RpcError::Rpc { method: "m".into(), host: "h".into(), code, message: "x".into(), data: None }
    }

    #[test]
    fn http_statuses_are_classified() {
        assert_eq!(http(429).code(), ErrorCode::RateLimited);
        assert_eq!(http(503).code(), ErrorCode::Unavailable);
        assert_eq!(http(401).code(), ErrorCode::RpcError);
        assert!(http(401).to_string().contains("check the API key"));
        assert!(http(403).to_string().contains("check the API key"));
        assert!(http(429).is_transient() && http(500).is_transient() && http(408).is_transient());
        assert!(!http(400).is_transient() && !http(401).is_transient());
    }

    #[test]
    fn transient_rpc_codes_are_the_sdk_ones() {
        for code in TRANSIENT_RPC_CODES {
            assert!(rpc(code).is_transient(), "{code}");
        }
        for code in [-32602, -32600, -32601, -32000, 5730] {
            assert!(!rpc(code).is_transient(), "{code}");
            assert_eq!(rpc(code).code(), ErrorCode::RpcError);
        }
        assert_eq!(rpc(429).code(), ErrorCode::RateLimited);
    }
}
