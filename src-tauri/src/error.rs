//! What a failed command sends to the UI: `{code, message}`, with `code` from a closed
//! set the UI can branch on ([`AppErrorCode`]) and `message` in plain words.
//!
//! The codes are `warden_core::ErrorCode`'s plus the few only the app produces (a
//! missing owner key, a devnet that did not start, …). Every error of the core crates
//! converts through its `Coded` code and its `Display` text, which those crates keep free
//! of secrets; nothing else is ever put in a message. Left out: localisation and error
//! chains (the message already names the cause).

use std::fmt;

use serde::Serialize;
use ts_rs::TS;
use warden_core::{Coded, ErrorCode};

/// The closed set of error codes a command can reject with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename = "ErrorCode")]
pub enum AppErrorCode {
    InvalidInput,
    InvalidPermissions,
    VerificationFailed,
    DecodeFailed,
    BadSignature,
    RpcError,
    Unavailable,
    RateLimited,
    BadResponse,
    KeyNotFound,
    KeychainLocked,
    KeychainDenied,
    KeychainUnavailable,
    KeychainCorrupt,
    AlreadyExists,
    Internal,
    /// A destructive command was sent without its explicit confirmation.
    NotConfirmed,
    /// The command needs a selected owner key and there is none.
    NoOwnerKey,
    /// The embedded local devnet did not start or stopped working.
    DevnetFailed,
    /// A devnet-only command (the faucet) was used on another backend.
    NotOnDevnet,
    /// A 7702 account must be delegated before it can grant a session.
    NotDelegated,
    /// A call was sent but did not succeed on chain (reverted, dropped, timed out).
    CallFailed,
    /// An approval request's time limit passed before it was answered.
    ApprovalExpired,
    /// No pending approval with this id.
    ApprovalUnknown,
    /// The approval was already answered (approvals are single-use).
    ApprovalUsed,
    /// The grant did not verify against the request, so it cannot be approved.
    NotVerified,
    /// No session with this id in the app's list.
    SessionUnknown,
    /// Credentials could not be delivered (file, clipboard or server).
    ExportFailed,
    /// The activity log was edited, reordered or truncated.
    LogTampered,
    /// The app's data folder could not be read or written.
    StorageFailed,
    /// A data file of the app is damaged or of a newer format.
    StoreCorrupt,
    /// The gas policy declined to sponsor an operation; nothing was signed.
    NotSponsored,
}

impl AppErrorCode {
    /// Every code, in declaration order (for tests and documentation).
    pub const ALL: [Self; 32] = [
        Self::InvalidInput,
        Self::InvalidPermissions,
        Self::VerificationFailed,
        Self::DecodeFailed,
        Self::BadSignature,
        Self::RpcError,
        Self::Unavailable,
        Self::RateLimited,
        Self::BadResponse,
        Self::KeyNotFound,
        Self::KeychainLocked,
        Self::KeychainDenied,
        Self::KeychainUnavailable,
        Self::KeychainCorrupt,
        Self::AlreadyExists,
        Self::Internal,
        Self::NotConfirmed,
        Self::NoOwnerKey,
        Self::DevnetFailed,
        Self::NotOnDevnet,
        Self::NotDelegated,
        Self::CallFailed,
        Self::ApprovalExpired,
        Self::ApprovalUnknown,
        Self::ApprovalUsed,
        Self::NotVerified,
        Self::SessionUnknown,
        Self::ExportFailed,
        Self::LogTampered,
        Self::StorageFailed,
        Self::StoreCorrupt,
        Self::NotSponsored,
    ];
}

impl From<ErrorCode> for AppErrorCode {
    fn from(code: ErrorCode) -> Self {
        match code {
            ErrorCode::InvalidInput => Self::InvalidInput,
            ErrorCode::InvalidPermissions => Self::InvalidPermissions,
            ErrorCode::VerificationFailed => Self::VerificationFailed,
            ErrorCode::DecodeFailed => Self::DecodeFailed,
            ErrorCode::BadSignature => Self::BadSignature,
            ErrorCode::RpcError => Self::RpcError,
            ErrorCode::Unavailable => Self::Unavailable,
            ErrorCode::RateLimited => Self::RateLimited,
            ErrorCode::BadResponse => Self::BadResponse,
            ErrorCode::KeyNotFound => Self::KeyNotFound,
            ErrorCode::KeychainLocked => Self::KeychainLocked,
            ErrorCode::KeychainDenied => Self::KeychainDenied,
            ErrorCode::KeychainUnavailable => Self::KeychainUnavailable,
            ErrorCode::KeychainCorrupt => Self::KeychainCorrupt,
            ErrorCode::AlreadyExists => Self::AlreadyExists,
            ErrorCode::Internal => Self::Internal,
            // A call that was sent and failed, may have failed, or did not finish in time:
            // the message says which.
            ErrorCode::CallFailed | ErrorCode::CallTimeout | ErrorCode::OutcomeUnknown => Self::CallFailed,
            // Session refusals: the endpoint refused the call (no session screen uses
            // them yet; they get their own codes when one does).
            ErrorCode::PermissionDenied
            | ErrorCode::SessionExpired
            | ErrorCode::SessionRevoked
            | ErrorCode::UnknownSession => Self::RpcError,
            ErrorCode::StorageFailed => Self::StorageFailed,
            ErrorCode::StoreCorrupt => Self::StoreCorrupt,
            ErrorCode::SessionUnknown => Self::SessionUnknown,
            ErrorCode::ExportFailed => Self::ExportFailed,
            ErrorCode::LogTampered => Self::LogTampered,
            ErrorCode::NotSponsored => Self::NotSponsored,
            // A code the core adds later reaches the UI as `internal` until it is added
            // here and to the UI (the bindings test then shows the new code).
            _ => Self::Internal,
        }
    }
}

/// A command's failure as it crosses IPC.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct AppError {
    pub code: AppErrorCode,
    pub message: String,
}

impl AppError {
    pub fn new(code: AppErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }

    pub fn invalid_input(message: impl Into<String>) -> Self {
        Self::new(AppErrorCode::InvalidInput, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(AppErrorCode::Internal, message)
    }

    /// Any core error: its code and its (secret-free) text.
    pub fn coded<E: Coded + fmt::Display>(error: &E) -> Self {
        Self::new(error.code().into(), error.to_string())
    }
}

/// `From` for each core error type a command can meet, so commands can use `?`.
macro_rules! from_coded {
    ($($t:ty),* $(,)?) => {
        $(impl From<$t> for AppError {
            fn from(e: $t) -> Self {
                Self::coded(&e)
            }
        })*
    };
}

from_coded!(
    warden_keychain::KeychainError,
    warden_keychain::NamespaceError,
    warden_core::rpc::RpcError,
    warden_core::account::AccountError,
    warden_core::node::ChainError,
    warden_core::BackendError,
    warden_core::calls::CallsError,
    warden_core::grant::GrantError,
    warden_core::store::StoreError,
    warden_core::activity::ActivityError,
    warden_core::export::ExportError,
    warden_core::usage::UsageError,
    warden_core::revoke::RevokeError,
    warden_core::credentials::CredentialsError,
    warden_core::permissions::SignatureError,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_code_and_message() {
        let e = AppError::new(AppErrorCode::NoOwnerKey, "create or import an owner key first");
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            serde_json::json!({"code": "no_owner_key", "message": "create or import an owner key first"})
        );
    }

    #[test]
    fn core_codes_keep_their_wire_names() {
        for core in [
            ErrorCode::InvalidInput,
            ErrorCode::InvalidPermissions,
            ErrorCode::VerificationFailed,
            ErrorCode::DecodeFailed,
            ErrorCode::BadSignature,
            ErrorCode::RpcError,
            ErrorCode::Unavailable,
            ErrorCode::RateLimited,
            ErrorCode::BadResponse,
            ErrorCode::KeyNotFound,
            ErrorCode::KeychainLocked,
            ErrorCode::KeychainDenied,
            ErrorCode::KeychainUnavailable,
            ErrorCode::KeychainCorrupt,
            ErrorCode::AlreadyExists,
            ErrorCode::Internal,
        ] {
            let app = AppErrorCode::from(core);
            assert_eq!(serde_json::to_value(app).unwrap(), serde_json::json!(core.as_str()), "{core:?}");
        }
        assert_eq!(AppErrorCode::from(ErrorCode::CallFailed), AppErrorCode::CallFailed);
        assert_eq!(AppErrorCode::from(ErrorCode::CallTimeout), AppErrorCode::CallFailed);
        assert_eq!(AppErrorCode::from(ErrorCode::OutcomeUnknown), AppErrorCode::CallFailed);
    }

    #[test]
    fn the_contract_code_set_is_exactly_this() {
        let names: Vec<String> =
            AppErrorCode::ALL.iter().map(|c| serde_json::to_value(c).unwrap().as_str().unwrap().to_owned()).collect();
        let contract = "invalid_input invalid_permissions verification_failed decode_failed bad_signature rpc_error \
                        unavailable rate_limited bad_response key_not_found keychain_locked keychain_denied \
                        keychain_unavailable keychain_corrupt already_exists internal not_confirmed no_owner_key \
                        devnet_failed not_on_devnet not_delegated call_failed approval_expired approval_unknown approval_used \
                        not_verified session_unknown export_failed log_tampered storage_failed store_corrupt \
                        not_sponsored";
        assert_eq!(names, contract.split_whitespace().collect::<Vec<_>>());
    }
}
