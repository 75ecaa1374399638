//! The closed set of error codes that leave the core.
//!
//! Every module has its own `thiserror` enum with variants that carry the facts (which
//! permission, which field, both chain ids, …). What crosses a process boundary — the CLI's
//! exit status, the app's IPC `{code, message}` — is only a [`ErrorCode`] plus the
//! `Display` text, so the UI and scripts can branch on a stable, finite set of codes while
//! the message stays free to improve. Adding a code is an API change; renaming one breaks
//! clients, so don't.

use serde::{Deserialize, Serialize};

/// Stable, closed error code. Serialized in `snake_case`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorCode {
    /// Input could not be parsed (bad JSON, wrong shape, bad hex).
    InvalidInput,
    /// A permission set breaks a rule (protocol.md §6.2); the message names permission and field.
    InvalidPermissions,
    /// Data returned by an endpoint does not match what was asked for (verify_grant,
    /// verify_prepared).
    VerificationFailed,
    /// Encoded data could not be decoded completely (unknown module, trailing bytes, …).
    DecodeFailed,
    /// A signature is malformed or does not recover to the expected signer.
    BadSignature,
    /// The endpoint answered with a JSON-RPC error.
    RpcError,
    /// The endpoint could not be reached, timed out, or answered with HTTP 5xx.
    Unavailable,
    /// The endpoint is rate limiting (HTTP 429).
    RateLimited,
    /// The endpoint's answer was not valid JSON-RPC or was too large.
    BadResponse,
    /// The keychain has no such entry.
    KeyNotFound,
    /// The keychain is locked.
    KeychainLocked,
    /// Access to the keychain entry was denied.
    KeychainDenied,
    /// No keychain service is available (no Secret Service, no session bus).
    KeychainUnavailable,
    /// A keychain entry exists but does not hold a valid key.
    KeychainCorrupt,
    /// An entry already exists and will not be overwritten.
    AlreadyExists,
    /// Something inside Warden went wrong that the caller cannot fix.
    Internal,
    /// The endpoint refused calls because a session permission does not allow them (the
    /// message names the limit), or the account cannot pay for them.
    PermissionDenied,
    /// The session's expiry has passed.
    SessionExpired,
    /// The owner revoked the session.
    SessionRevoked,
    /// The endpoint does not know the session.
    UnknownSession,
    /// A send failed in transit: the operation may or may not have been accepted.
    OutcomeUnknown,
    /// The calls were included but reverted, or were dropped.
    CallFailed,
    /// The calls did not reach a final status in the time waited.
    CallTimeout,
    /// The app's data folder could not be read or written (permissions, disk full, …).
    StorageFailed,
    /// A data file of the app is damaged or of a format this Warden does not read; the
    /// message names the problem and where the file was kept.
    StoreCorrupt,
    /// No session with this id in the app's list of sessions.
    SessionUnknown,
    /// Credentials could not be delivered (file not written, server unreachable or refusing).
    ExportFailed,
    /// The activity log was edited, reordered or truncated; the message names the entry.
    LogTampered,
    /// A gas policy was asked to sponsor an operation and declined; nothing was signed.
    NotSponsored,
}

impl ErrorCode {
    /// The `snake_case` wire name of the code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidInput => "invalid_input",
            Self::InvalidPermissions => "invalid_permissions",
            Self::VerificationFailed => "verification_failed",
            Self::DecodeFailed => "decode_failed",
            Self::BadSignature => "bad_signature",
            Self::RpcError => "rpc_error",
            Self::Unavailable => "unavailable",
            Self::RateLimited => "rate_limited",
            Self::BadResponse => "bad_response",
            Self::KeyNotFound => "key_not_found",
            Self::KeychainLocked => "keychain_locked",
            Self::KeychainDenied => "keychain_denied",
            Self::KeychainUnavailable => "keychain_unavailable",
            Self::KeychainCorrupt => "keychain_corrupt",
            Self::AlreadyExists => "already_exists",
            Self::Internal => "internal",
            Self::PermissionDenied => "permission_denied",
            Self::SessionExpired => "session_expired",
            Self::SessionRevoked => "session_revoked",
            Self::UnknownSession => "unknown_session",
            Self::OutcomeUnknown => "outcome_unknown",
            Self::CallFailed => "call_failed",
            Self::CallTimeout => "call_timeout",
            Self::StorageFailed => "storage_failed",
            Self::StoreCorrupt => "store_corrupt",
            Self::SessionUnknown => "session_unknown",
            Self::ExportFailed => "export_failed",
            Self::LogTampered => "log_tampered",
            Self::NotSponsored => "not_sponsored",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Implemented by every error enum of the core: maps a variant to its stable code.
pub trait Coded {
    /// The stable code for this error.
    fn code(&self) -> ErrorCode;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialize_as_their_names() {
        for c in [ErrorCode::InvalidInput, ErrorCode::KeychainUnavailable, ErrorCode::Internal] {
            assert_eq!(serde_json::to_value(c).unwrap(), serde_json::json!(c.as_str()));
        }
    }
}
