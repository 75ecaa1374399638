//! Why a `wallet_*`/`devnet_*` request was refused, with the facts, and how each reason
//! answers: the JSON-RPC code, the message (the EntryPoint's `AAxx` reason first, then the
//! numbers) and the data (the account's revert), as a Wallets API endpoint with a bundler
//! in front of real MAv2 modules answers (table in [`crate::rpc`]).
//!
//! An unknown gas policy answers with the Gas Manager's documented refusal (Alchemy's "Gas
//! Manager errors" page gives code -32602 and this exact text; high confidence in the text,
//! medium in the code, which that page shows for the `alchemy_requestGasAndPaymasterAndData`
//! path the Wallets API uses underneath).

use alloy_primitives::{Address, B256, Bytes, U256};
use serde_json::{Value, json};
use warden_core::api::ApiError;
use warden_core::mav2::Mav2Error;
use warden_core::mav2::reverts::AccountRevert;
use warden_core::permissions::PermissionError;
use warden_core::{Coded, ErrorCode};

use super::enforce::{Phase, Violation};
use crate::entry_point::EntryPointError;
use crate::node::NodeError;
use crate::rpc::{self, RpcCode};

/// The Gas Manager's answer to a policy id it does not know.
pub const INVALID_POLICY_MESSAGE: &str = "Invalid Policy ID. Please ensure you're sending requests with the api key associated with the policy's app, and that the policy is active.";

/// An account that cannot pay for an operation's gas, with the numbers.
#[derive(Debug, thiserror::Error)]
#[error(
    "AA21 didn't pay prefund: account {account} has {balance} wei, the operation's maximum gas cost is {gas} wei and no gas policy pays it (fund the account, or name a gas policy)"
)]
pub struct Shortfall {
    pub account: Address,
    pub balance: U256,
    pub gas: U256,
}

/// Whose signature a refusal is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signed {
    /// The user operation's signature (the owner's or the session key's).
    UserOperation,
    /// The owner's signature over a session grant (the deferred action).
    Grant,
    /// A 7702 authorization.
    Authorization,
}

impl Signed {
    /// How the refusal begins: the EntryPoint's reason where there is one.
    fn prefix(self) -> &'static str {
        match self {
            // SingleSignerValidationModule returns SIG_VALIDATION_FAILED: AA24.
            Self::UserOperation => "AA24 signature error: the user operation",
            // The account's deferred-action check reverts DeferredActionSignatureInvalid: AA23.
            Self::Grant => "AA23 reverted: DeferredActionSignatureInvalid(): the permissions (the owner's grant)",
            Self::Authorization => "invalid eip7702Auth: the authorization",
        }
    }
}

/// A refused request.
#[derive(Debug, thiserror::Error)]
pub enum MethodError {
    /// The params do not have the method's shape.
    #[error(transparent)]
    Params(#[from] ApiError),
    /// A value the method cannot take, named in the message.
    #[error("{0}")]
    Invalid(String),
    #[error("chainId {got:#x} is not this devnet's chain ({ours:#x})")]
    WrongChain { got: u32, ours: u32 },
    #[error("unknown account {address}: request it with wallet_requestAccount first")]
    UnknownAccount { address: Address },
    #[error("wallet_createSession: {0}")]
    Permissions(#[from] PermissionError),
    #[error("{0}")]
    Codec(#[from] Mav2Error),
    #[error("unknown session {session_id}{detail}")]
    UnknownSession { session_id: String, detail: String },
    #[error("{} signature recovers to {recovered}, but {expected_role} is {expected}", what.prefix())]
    WrongSigner { what: Signed, recovered: Address, expected_role: &'static str, expected: Address },
    #[error("{} signature is malformed: {reason}", what.prefix())]
    BadSignature { what: Signed, reason: String },
    /// A session permission refuses the operation (its phase decides the code).
    #[error("{}", violation_message(.0))]
    Violation(#[from] Violation),
    #[error(
        "AA25 invalid account nonce: the operation has nonce {op:#x}, but the EntryPoint's next nonce for its key is {current:#x}"
    )]
    StaleNonce { op: U256, current: U256 },
    #[error("{0}")]
    InsufficientFunds(Box<Shortfall>),
    /// No policy the operation names is known.
    #[error("{INVALID_POLICY_MESSAGE} (policy {policy})")]
    UnknownPolicy { policy: String },
    /// The send names another gas policy than the operation was prepared with.
    #[error("capabilities.paymasterService: {reason}")]
    PolicyMismatch { reason: String },
    #[error(
        "user operation {hash} was not prepared by this devnet (prepare it with wallet_prepareCalls; changing any field changes its hash)"
    )]
    NotPrepared { hash: B256 },
    #[error("unknown call id {id}")]
    UnknownCallId { id: Bytes },
    #[error("internal error: {0}")]
    Node(#[from] NodeError),
    #[error("internal error: {0}")]
    EntryPoint(#[from] EntryPointError),
    #[error("method `{method}` is a test hook: it exists only on a devnet started with --test-hooks")]
    TestHooksDisabled { method: &'static str },
}

/// A violation's message: the EntryPoint's reason, the account's revert, then the numbers.
fn violation_message(v: &Violation) -> String {
    match (v.phase(), v.revert()) {
        (Phase::TimeRange, _) => format!("AA22 expired or not due: {v}"),
        (Phase::Nonce, _) => format!("AA25 invalid account nonce: {v}"),
        (Phase::Validation, Some(r)) => format!("AA23 reverted: {r}: {v}"),
        (Phase::Execution, Some(r)) => format!("execution reverted: {r}: {v}"),
        (_, None) => v.to_string(),
    }
}

impl RpcCode for MethodError {
    fn rpc_code(&self) -> i64 {
        match self {
            Self::Params(_)
            | Self::Invalid(_)
            | Self::WrongChain { .. }
            | Self::UnknownAccount { .. }
            | Self::Permissions(_)
            | Self::Codec(_)
            | Self::UnknownSession { .. }
            | Self::UnknownPolicy { .. }
            | Self::PolicyMismatch { .. }
            | Self::NotPrepared { .. } => rpc::INVALID_PARAMS,
            Self::WrongSigner { what, .. } | Self::BadSignature { what, .. } => match what {
                Signed::UserOperation => rpc::SIGNATURE_FAILED,
                Signed::Grant => rpc::VALIDATION_REJECTED,
                Signed::Authorization => rpc::INVALID_PARAMS,
            },
            Self::Violation(v) => match v.phase() {
                Phase::TimeRange => rpc::OUT_OF_TIME_RANGE,
                Phase::Validation | Phase::Nonce => rpc::VALIDATION_REJECTED,
                Phase::Execution => rpc::EXECUTION_REVERTED,
            },
            Self::StaleNonce { .. } | Self::InsufficientFunds(_) => rpc::VALIDATION_REJECTED,
            Self::UnknownCallId { .. } => rpc::UNKNOWN_CALL_ID,
            Self::Node(_) | Self::EntryPoint(_) => rpc::INTERNAL_ERROR,
            Self::TestHooksDisabled { .. } => rpc::METHOD_NOT_FOUND,
        }
    }

    fn rpc_data(&self) -> Option<Value> {
        match self {
            Self::Violation(Violation::Expired { expiry, .. }) => Some(json!({
                "validUntil": format!("{expiry:#x}"),
                "validAfter": "0x0",
                "paymaster": null,
            })),
            Self::Violation(v) => v.revert().map(|r| json!(r.encode())),
            Self::WrongSigner { what: Signed::Grant, .. } | Self::BadSignature { what: Signed::Grant, .. } => {
                Some(json!(AccountRevert::DeferredActionSignatureInvalid.encode()))
            }
            _ => None,
        }
    }
}

impl Coded for MethodError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::Params(e) => e.code(),
            Self::Permissions(e) => e.code(),
            Self::Codec(e) => e.code(),
            Self::Invalid(_)
            | Self::WrongChain { .. }
            | Self::UnknownAccount { .. }
            | Self::UnknownSession { .. }
            | Self::UnknownPolicy { .. }
            | Self::PolicyMismatch { .. }
            | Self::NotPrepared { .. }
            | Self::UnknownCallId { .. }
            | Self::TestHooksDisabled { .. } => ErrorCode::InvalidInput,
            Self::WrongSigner { .. } | Self::BadSignature { .. } => ErrorCode::BadSignature,
            Self::Violation(_) | Self::StaleNonce { .. } | Self::InsufficientFunds(_) => ErrorCode::InvalidPermissions,
            Self::Node(_) | Self::EntryPoint(_) => ErrorCode::Unavailable,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use warden_core::mav2::reverts::Limit;

    #[test]
    fn violations_answer_with_their_phase_code_and_revert_data() {
        let native = MethodError::from(Violation::NativeAllowance {
            entity_id: 1,
            requested: U256::from(5),
            remaining: U256::from(4),
        })
        .to_failure();
        assert_eq!(native.code, rpc::EXECUTION_REVERTED);
        assert_eq!(
            native.message,
            "execution reverted: PreExecHookReverted(NativeTokenLimitModule entity 1, ExceededNativeTokenLimit()): native-token-transfer allowance exceeded: requested 5 wei, remaining 4 wei"
        );
        let data: Bytes = serde_json::from_value(*native.data.unwrap()).unwrap();
        assert_eq!(AccountRevert::decode(&data).limit(), Some(Limit::NativeTokenTransfer));

        let gas = MethodError::from(Violation::GasLimit {
            hook_entity: 0x8000_0000,
            requested: U256::from(5),
            remaining: U256::from(4),
        })
        .to_failure();
        assert_eq!(gas.code, rpc::VALIDATION_REJECTED);
        assert!(gas.message.starts_with("AA23 reverted: PreUserOpValidationHookReverted("), "{}", gas.message);

        let expired = MethodError::from(Violation::Expired { expiry: 100, now: 101 }).to_failure();
        assert_eq!(expired.code, rpc::OUT_OF_TIME_RANGE);
        assert!(
            expired.message.starts_with("AA22 expired or not due: session expired: expirySec 100"),
            "{}",
            expired.message
        );
        assert_eq!(expired.data.unwrap()["validUntil"], "0x64");

        let cancelled =
            MethodError::from(Violation::DeferredNonceConsumed { signed: U256::from(1), current: U256::from(2) })
                .to_failure();
        assert_eq!((cancelled.code, cancelled.data), (rpc::VALIDATION_REJECTED, None));
        assert!(cancelled.message.starts_with("AA25 invalid account nonce: session revoked"), "{}", cancelled.message);

        let grant = MethodError::WrongSigner {
            what: Signed::Grant,
            recovered: Address::ZERO,
            expected_role: "the account owner",
            expected: Address::ZERO,
        }
        .to_failure();
        assert_eq!(grant.code, rpc::VALIDATION_REJECTED);
        let data: Bytes = serde_json::from_value(*grant.data.unwrap()).unwrap();
        assert_eq!(AccountRevert::decode(&data), AccountRevert::DeferredActionSignatureInvalid);
        let op = MethodError::BadSignature { what: Signed::UserOperation, reason: "x".into() }.to_failure();
        assert_eq!(op.code, rpc::SIGNATURE_FAILED);
        assert!(op.message.starts_with("AA24 signature error"), "{}", op.message);
    }
}
