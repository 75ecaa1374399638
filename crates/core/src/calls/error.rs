//! Why a call did not go through, with endpoint refusals told apart.
//!
//! The Wallets API documents no error codes for session refusals (protocol.md §12 item 10), so an
//! endpoint's JSON-RPC error is classified by its code where the code says enough (the
//! devnet's application codes, EIP-5792's 5730, JSON-RPC's -32602) and otherwise by the
//! words of its message ("expired", "allowance", "not allowed", …). A refusal keeps the
//! endpoint's message; a permission refusal also names the limit it hit.
//!
//! Left out: retrying. A refusal is final for the call that was asked for; an operation
//! whose send failed in transit has an unknown outcome ([`CallsError::OutcomeUnknown`]) and
//! must be looked up with `wallet_getCallsStatus`, never sent again blindly.

use std::time::Duration;

use alloy_primitives::Bytes;

use crate::api::CallStatus;
use crate::error::{Coded, ErrorCode};
use crate::rpc::RpcError;
use crate::signing::{SigningError, VerifyPreparedError};

use super::CallOutcome;

/// JSON-RPC codes with a fixed meaning for calls (the devnet's table, `warden-devnet::rpc`,
/// plus the standard ones). Other endpoints are classified by message.
mod rpc_codes {
    pub const INVALID_PARAMS: i64 = -32602;
    pub const PERMISSION_DENIED: i64 = -32010;
    pub const BAD_SIGNATURE: i64 = -32011;
    pub const UNKNOWN_SESSION: i64 = -32012;
    pub const NONCE_MISMATCH: i64 = -32013;
    pub const INSUFFICIENT_FUNDS: i64 = -32014;
    pub const UNKNOWN_CALL_ID: i64 = 5730;
}

/// The step of the pipeline an endpoint error answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Stage {
    /// `wallet_prepareCalls`.
    Prepare,
    /// `wallet_sendPreparedCalls`.
    Send,
    /// `wallet_getCallsStatus`.
    Status,
}

impl std::fmt::Display for Stage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Prepare => "wallet_prepareCalls",
            Self::Send => "wallet_sendPreparedCalls",
            Self::Status => "wallet_getCallsStatus",
        })
    }
}

/// Why a call was not made, or did not succeed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CallsError {
    /// The request cannot be made as given (nothing was sent that could spend).
    #[error("bad input: {reason}")]
    BadInput {
        /// What is wrong, as Warden or the endpoint put it.
        reason: String,
    },
    /// A session permission forbids the calls; nothing was executed.
    #[error("refused by the endpoint at {stage}: the session's {limit} permission does not allow this: {message}")]
    PermissionDenied {
        stage: Stage,
        /// The limit hit, as a permission type (`native-token-transfer`, `erc20-token-transfer`,
        /// `gas-limit`, `account-functions`), `allow-list` for a target or function outside
        /// the contract permissions, or `unknown` when the endpoint does not say.
        limit: &'static str,
        /// The endpoint's message.
        message: String,
    },
    /// The session's expiry has passed (by the chain's clock).
    #[error("refused by the endpoint at {stage}: the session has expired: {message}")]
    SessionExpired { stage: Stage, message: String },
    /// The owner revoked the session (uninstalled it, or consumed its grant's nonce).
    #[error("refused by the endpoint at {stage}: the session was revoked: {message}")]
    SessionRevoked { stage: Stage, message: String },
    /// The endpoint does not know the session (or it belongs to another account).
    #[error("refused by the endpoint at {stage}: unknown session: {message}")]
    UnknownSession { stage: Stage, message: String },
    /// The endpoint refused a signature: the grant's or the operation's.
    #[error("refused by the endpoint at {stage}: bad signature: {message}")]
    SignatureRefused { stage: Stage, message: String },
    /// The operation's nonce was already used (another operation went first); preparing
    /// again gives a fresh one. Nothing was executed.
    #[error("refused by the endpoint at {stage}: nonce already used: {message}")]
    NonceConflict { stage: Stage, message: String },
    /// The account cannot pay for the operation.
    #[error("refused by the endpoint at {stage}: insufficient funds: {message}")]
    InsufficientFunds { stage: Stage, message: String },
    /// The endpoint refused, failed or could not be reached, for another reason.
    #[error("{source}")]
    Endpoint {
        stage: Stage,
        #[source]
        source: Box<RpcError>,
    },
    /// The prepared call is not what was asked for; nothing was signed.
    #[error(transparent)]
    Verification(#[from] VerifyPreparedError),
    /// The key could not sign.
    #[error("signing: {0}")]
    Signing(#[from] SigningError),
    /// The send failed in transit: the endpoint may or may not have the operation. Look it
    /// up before sending anything again.
    #[error(
        "wallet_sendPreparedCalls: the outcome is unknown (user operation {user_op_hash}): {source}; check with wallet_getCallsStatus before sending again"
    )]
    OutcomeUnknown {
        /// The hash of the signed operation (the devnet's and Alchemy's call id end with it).
        user_op_hash: String,
        #[source]
        source: Box<RpcError>,
    },
    /// The calls were included but reverted, or were dropped (status 400, 500, 600, …).
    #[error("call {} failed: status {}{}", outcome.call_id, outcome.status, outcome.revert_reason.as_ref().map(|r| format!(": {r}")).unwrap_or_default())]
    Failed {
        /// What the endpoint reported, receipts and revert reason included.
        outcome: Box<CallOutcome>,
    },
    /// The call did not reach a final status in time; it may still land.
    #[error("call {call_id} is still {last_status} after {} s; check again with wallet_getCallsStatus", waited.as_secs())]
    Timeout { call_id: Bytes, last_status: CallStatus, waited: Duration },
    /// The endpoint does not know this call id.
    #[error("unknown call id {call_id}: {message}")]
    UnknownCallId { call_id: Bytes, message: String },
    /// A gas policy was asked to sponsor the calls and the prepared answer says it does
    /// not: the account would pay. Nothing was signed.
    #[error(
        "the gas policy {policy} does not sponsor these calls (the prepared answer's feePayment.sponsored is false): the account would pay up to {max_cost} wei in gas; nothing was signed — check the policy, or agree to pay from the account"
    )]
    NotSponsored {
        /// The policy asked for.
        policy: String,
        /// The most the account would pay in gas, in wei.
        max_cost: alloy_primitives::U256,
    },
}

impl Coded for CallsError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::BadInput { .. } => ErrorCode::InvalidInput,
            Self::PermissionDenied { .. } | Self::InsufficientFunds { .. } => ErrorCode::PermissionDenied,
            Self::SessionExpired { .. } => ErrorCode::SessionExpired,
            Self::SessionRevoked { .. } => ErrorCode::SessionRevoked,
            Self::UnknownSession { .. } => ErrorCode::UnknownSession,
            Self::SignatureRefused { .. } => ErrorCode::BadSignature,
            Self::NonceConflict { .. } => ErrorCode::RpcError,
            Self::Endpoint { source, .. } => source.code(),
            Self::Verification(e) => e.code(),
            Self::Signing(e) => e.code(),
            Self::OutcomeUnknown { .. } => ErrorCode::OutcomeUnknown,
            Self::Failed { .. } => ErrorCode::CallFailed,
            Self::Timeout { .. } => ErrorCode::CallTimeout,
            Self::UnknownCallId { .. } => ErrorCode::InvalidInput,
            Self::NotSponsored { .. } => ErrorCode::NotSponsored,
        }
    }
}

impl CallsError {
    /// Classifies an endpoint error answering `stage` (see the module docs).
    pub fn from_endpoint(stage: Stage, source: RpcError) -> Self {
        let RpcError::Rpc { code, message, .. } = &source else {
            return match source {
                RpcError::Params { .. } | RpcError::InvalidEndpoint { .. } | RpcError::InvalidApiKey { .. } => {
                    Self::BadInput { reason: source.to_string() }
                }
                source => Self::Endpoint { stage, source: Box::new(source) },
            };
        };
        let message = message.clone();
        let lower = message.to_ascii_lowercase();
        match *code {
            rpc_codes::PERMISSION_DENIED => session_refusal(stage, &message, &lower)
                .unwrap_or_else(|| Self::PermissionDenied { stage, limit: limit_named(&lower), message }),
            rpc_codes::UNKNOWN_SESSION => Self::UnknownSession { stage, message },
            rpc_codes::BAD_SIGNATURE => Self::SignatureRefused { stage, message },
            rpc_codes::NONCE_MISMATCH => Self::NonceConflict { stage, message },
            rpc_codes::INSUFFICIENT_FUNDS => Self::InsufficientFunds { stage, message },
            rpc_codes::INVALID_PARAMS => Self::BadInput { reason: format!("{stage}: {message}") },
            _ => {
                if let Some(refusal) = session_refusal(stage, &message, &lower) {
                    refusal
                } else if mentions_permission(&lower) {
                    Self::PermissionDenied { stage, limit: limit_named(&lower), message }
                } else if lower.contains("session") && (lower.contains("not found") || lower.contains("unknown")) {
                    Self::UnknownSession { stage, message }
                } else if lower.contains("nonce") && (lower.contains("stale") || lower.contains("too low")) {
                    Self::NonceConflict { stage, message }
                } else if lower.contains("insufficient funds") {
                    Self::InsufficientFunds { stage, message }
                } else {
                    Self::Endpoint { stage, source: Box::new(source) }
                }
            }
        }
    }

    /// Whether preparing the same calls again may succeed (another operation took the nonce).
    pub fn is_nonce_conflict(&self) -> bool {
        matches!(self, Self::NonceConflict { .. })
    }

    /// Whether the endpoint refused the calls because of the session (permission, expiry,
    /// revocation, unknown session, refused signature).
    pub fn is_session_refusal(&self) -> bool {
        matches!(
            self,
            Self::PermissionDenied { .. }
                | Self::SessionExpired { .. }
                | Self::SessionRevoked { .. }
                | Self::UnknownSession { .. }
                | Self::SignatureRefused { .. }
        )
    }
}

fn session_refusal(stage: Stage, message: &str, lower: &str) -> Option<CallsError> {
    let message = message.to_owned();
    if lower.contains("expired") || lower.contains("expiry") && lower.contains("passed") {
        Some(CallsError::SessionExpired { stage, message })
    } else if lower.contains("revoked") || lower.contains("uninstalled") {
        Some(CallsError::SessionRevoked { stage, message })
    } else {
        None
    }
}

/// Words that say a permission refused the calls.
fn mentions_permission(lower: &str) -> bool {
    ["allowance", "exceeded", "not allowed", "permission", "spend limit", "allowlist", "allow-list"]
        .iter()
        .any(|w| lower.contains(w))
}

/// The permission a refusal message is about.
fn limit_named(lower: &str) -> &'static str {
    const EXCEEDED: [(&str, &str); 4] = [
        ("native-token-transfer", "native-token-transfer"),
        ("erc20-token-transfer allowance", "erc20-token-transfer"),
        ("gas-limit", "gas-limit"),
        ("account function", "account-functions"),
    ];
    for (needle, name) in EXCEEDED {
        if lower.contains(needle) {
            return name;
        }
    }
    if lower.contains("not allowed") || lower.contains("allowlist") || lower.contains("allow-list") {
        return "allow-list";
    }
    if lower.contains("erc20") || lower.contains("erc-20") {
        return "erc20-token-transfer";
    }
    if lower.contains("native") {
        return "native-token-transfer";
    }
    if lower.contains("gas") {
        return "gas-limit";
    }
    "unknown"
}

/// Whether an error is the endpoint saying it does not know a call id.
pub(super) fn is_unknown_call_id(error: &RpcError) -> bool {
    match error {
        RpcError::Rpc { code, message, .. } => {
            *code == rpc_codes::UNKNOWN_CALL_ID || message.to_ascii_lowercase().contains("unknown call id")
        }
        _ => false,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn rpc(code: i64, message: &str) -> RpcError {
        RpcError::Rpc { method: "m".into(), host: "h".into(), code, message: message.into(), data: None }
    }

    fn classify(code: i64, message: &str) -> CallsError {
        CallsError::from_endpoint(Stage::Send, rpc(code, message))
    }

    /// The devnet's own messages (warden-devnet `enforce::Violation`) name their limit.
    #[test]
    fn devnet_refusals_are_told_apart_and_name_the_limit() {
        let cases = [
            ("native-token-transfer allowance exceeded: requested 2 wei, remaining 1 wei", "native-token-transfer"),
            (
                "erc20-token-transfer allowance of token 0x00000000000000000000000000000000000000aa exceeded: requested 2, remaining 1",
                "erc20-token-transfer",
            ),
            ("gas-limit exceeded: the operation may cost up to 5 wei in gas, remaining 1 wei", "gas-limit"),
            (
                "calls[0]: target 0x00000000000000000000000000000000000000aa is not allowed for this session (no contract-access, functions-on-contract, erc20-token-transfer or functions-on-all-contracts permission covers it)",
                "allow-list",
            ),
            (
                "calls[1]: function 0x12345678 on 0x00000000000000000000000000000000000000aa is not allowed for this session",
                "allow-list",
            ),
            ("calls[0]: account function 0x12345678 is not granted (account-functions)", "account-functions"),
        ];
        for (message, limit) in cases {
            let e = classify(-32010, message);
            assert!(matches!(e, CallsError::PermissionDenied { limit: l, .. } if l == limit), "{message}: {e:?}");
            assert_eq!(e.code(), ErrorCode::PermissionDenied);
            assert!(e.to_string().contains(limit) && e.to_string().contains(message), "{e}");
        }
        let e = classify(-32010, "session expired: expirySec 100 is before the node's time 101");
        assert!(matches!(e, CallsError::SessionExpired { .. }), "{e:?}");
        assert_eq!(e.code(), ErrorCode::SessionExpired);
        let e = classify(-32010, "session revoked: the owner uninstalled its validation (entity 1)");
        assert_eq!(e.code(), ErrorCode::SessionRevoked);
        assert_eq!(classify(-32012, "unknown session 0x01").code(), ErrorCode::UnknownSession);
        assert_eq!(classify(-32011, "user operation signature recovers to 0x1").code(), ErrorCode::BadSignature);
        assert!(classify(-32013, "stale nonce").is_nonce_conflict());
        assert_eq!(classify(-32014, "insufficient funds: …").code(), ErrorCode::PermissionDenied);
        assert_eq!(classify(-32602, "chainId 0x1 is not this devnet's chain").code(), ErrorCode::InvalidInput);
    }

    /// Endpoints with other codes are classified by their words.
    #[test]
    fn other_endpoints_are_classified_by_message() {
        let e = classify(-32000, "Session has expired");
        assert_eq!(e.code(), ErrorCode::SessionExpired);
        let e = classify(-32500, "spend limit exceeded for native token");
        assert!(matches!(e, CallsError::PermissionDenied { limit: "native-token-transfer", .. }), "{e:?}");
        assert_eq!(classify(-32000, "session not found").code(), ErrorCode::UnknownSession);
        assert_eq!(classify(-32602, "Invalid params: calls[0].to").code(), ErrorCode::InvalidInput);
        let e = classify(-32001, "something else entirely");
        assert!(matches!(e, CallsError::Endpoint { .. }), "{e:?}");
        assert_eq!(e.code(), ErrorCode::RpcError);
        // Transport failures keep the client's classification.
        let e = CallsError::from_endpoint(
            Stage::Prepare,
            RpcError::Connect { method: "m".into(), host: "h".into(), reason: "refused".into() },
        );
        assert_eq!(e.code(), ErrorCode::Unavailable);
    }
}
