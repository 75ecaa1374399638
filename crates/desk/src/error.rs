//! What a failed command sends to the UI: `{code, message}`, with `code` from Warden's one
//! closed set (`warden_core::ErrorCode`, which also holds the codes only the app produces)
//! and `message` in plain words.
//!
//! Every error of the core crates converts through its `Coded` code and its `Display` text,
//! which those crates keep free of secrets; nothing else is ever put in a message. Left
//! out: localisation and error chains (the message already names the cause).

use std::fmt;

use serde::Serialize;
use ts_rs::TS;
use warden_core::Coded;
pub use warden_core::ErrorCode;

/// A command's failure as it crosses IPC.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }

    pub fn invalid_input(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidInput, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Internal, message)
    }

    /// Any core error: its code and its (secret-free) text.
    pub fn coded<E: Coded + fmt::Display>(error: &E) -> Self {
        Self::new(error.code(), error.to_string())
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
    crate::store::StoreError,
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
        let e = AppError::new(ErrorCode::NoOwnerKey, "create or import an owner key first");
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            serde_json::json!({"code": "no_owner_key", "message": "create or import an owner key first"})
        );
    }

    #[test]
    fn a_session_refusal_keeps_its_own_code() {
        // A test call refused for its limit is not "the network refused the request": the
        // code survives the trip, so the UI can say which rule it was.
        use warden_core::calls::{CallsError, Stage};
        let over_limit = CallsError::PermissionDenied {
            stage: Stage::Send,
            limit: "native-token-transfer",
            token: None,
            message: "AA23 reverted: NativeTokenLimitModule exceeded".into(),
        };
        assert_eq!(AppError::from(over_limit).code, ErrorCode::PermissionDenied);
        let expired = CallsError::SessionExpired { stage: Stage::Prepare, message: "AA22 expired".into() };
        assert_eq!(AppError::from(expired).code, ErrorCode::SessionExpired);
    }
}
