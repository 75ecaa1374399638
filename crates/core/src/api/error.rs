//! Errors of the API layer: a `params` array or a `result` that does not have the shape of
//! the method, and the few scalar checks done outside serde (UUIDs, cursors).
//!
//! Shape errors carry serde's message, which names the field and what was expected; the
//! values inside are wire data (addresses, hashes, signatures), never private keys.

use crate::error::{Coded, ErrorCode};

/// Something on the wire does not have the shape a method defines.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// `params` is not a JSON array.
    #[error("{method}: `params` must be a JSON array, got {got}")]
    ParamsNotArray { method: &'static str, got: &'static str },
    /// `params` has the wrong number of elements.
    #[error("{method}: `params` must have {expected} element(s), got {got}")]
    ParamsLength { method: &'static str, expected: &'static str, got: usize },
    /// An element of `params` does not have the method's shape. `path` locates the bad
    /// value (`capabilities.paymasterService`, empty at the top).
    #[error("{method} params{}: {source}", at(path))]
    InvalidParams {
        method: &'static str,
        path: String,
        #[source]
        source: serde_json::Error,
    },
    /// A `result` does not have the method's shape.
    #[error("{method} result{}: {source}", at(path))]
    InvalidResult {
        method: &'static str,
        path: String,
        #[source]
        source: serde_json::Error,
    },
    /// A typed value could not be turned into JSON (not expected for the types here).
    #[error("{method}: cannot serialize: {source}")]
    Serialize {
        method: &'static str,
        #[source]
        source: serde_json::Error,
    },
    /// Not a hyphenated version-4 UUID.
    #[error("`{value}` is not a hyphenated version-4 UUID")]
    InvalidUuid { value: String },
    /// Not an unpadded base64url cursor.
    #[error("`{value}` is not an unpadded base64url cursor")]
    InvalidCursor { value: String },
}

fn at(path: &str) -> String {
    if path.is_empty() { String::new() } else { format!(" at `{path}`") }
}

impl Coded for ApiError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::ParamsNotArray { .. }
            | Self::ParamsLength { .. }
            | Self::InvalidParams { .. }
            | Self::InvalidUuid { .. }
            | Self::InvalidCursor { .. } => ErrorCode::InvalidInput,
            Self::InvalidResult { .. } => ErrorCode::BadResponse,
            Self::Serialize { .. } => ErrorCode::Internal,
        }
    }
}
