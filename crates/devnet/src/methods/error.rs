//! Why a `wallet_*`/`devnet_*` request was refused, with the facts, and the JSON-RPC code
//! each reason answers with (table in [`crate::rpc`]).

use alloy_primitives::{Address, B256, Bytes, U256};
use warden_core::api::ApiError;
use warden_core::mav2::Mav2Error;
use warden_core::permissions::PermissionError;
use warden_core::{Coded, ErrorCode};

use super::enforce::Violation;
use crate::entry_point::EntryPointError;
use crate::node::NodeError;
use crate::rpc::{self, RpcCode};

/// An account that cannot pay for an operation, with the numbers.
#[derive(Debug, thiserror::Error)]
#[error(
    "insufficient funds: account {account} has {balance} wei, the operation needs {needed} wei (value {value} + maximum gas cost {gas}); fund it with devnet_fund"
)]
pub struct Shortfall {
    pub account: Address,
    pub balance: U256,
    pub needed: U256,
    pub value: U256,
    pub gas: U256,
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
    #[error("{what} signature recovers to {recovered}, but {expected_role} is {expected}")]
    WrongSigner { what: &'static str, recovered: Address, expected_role: &'static str, expected: Address },
    #[error("{what} signature is malformed: {reason}")]
    BadSignature { what: &'static str, reason: String },
    #[error(transparent)]
    Violation(#[from] Violation),
    #[error(
        "stale nonce: the operation has nonce {op:#x}, but the EntryPoint's next nonce for its key is {current:#x}"
    )]
    StaleNonce { op: U256, current: U256 },
    #[error("{0}")]
    InsufficientFunds(Box<Shortfall>),
    #[error(
        "user operation {hash} was not prepared by this devnet (prepare it with wallet_prepareCalls; changing any field changes its hash)"
    )]
    NotPrepared { hash: B256 },
    #[error("unknown call id {id}")]
    UnknownCallId { id: Bytes },
    #[error("{0}")]
    Node(#[from] NodeError),
    #[error("{0}")]
    EntryPoint(#[from] EntryPointError),
    #[error("method `{method}` is a test hook: it exists only on a devnet started with --test-hooks")]
    TestHooksDisabled { method: &'static str },
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
            | Self::NotPrepared { .. } => rpc::INVALID_PARAMS,
            Self::UnknownSession { .. } => rpc::UNKNOWN_SESSION,
            Self::WrongSigner { .. } | Self::BadSignature { .. } => rpc::BAD_SIGNATURE,
            Self::Violation(_) => rpc::PERMISSION_DENIED,
            Self::StaleNonce { .. } => rpc::NONCE_MISMATCH,
            Self::InsufficientFunds(_) => rpc::INSUFFICIENT_FUNDS,
            Self::UnknownCallId { .. } => rpc::UNKNOWN_CALL_ID,
            Self::Node(_) | Self::EntryPoint(_) => rpc::NODE_FAILED,
            Self::TestHooksDisabled { .. } => rpc::METHOD_NOT_FOUND,
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
            | Self::NotPrepared { .. }
            | Self::UnknownCallId { .. }
            | Self::TestHooksDisabled { .. } => ErrorCode::InvalidInput,
            Self::WrongSigner { .. } | Self::BadSignature { .. } => ErrorCode::BadSignature,
            Self::Violation(_) | Self::StaleNonce { .. } | Self::InsufficientFunds(_) => ErrorCode::InvalidPermissions,
            Self::Node(_) | Self::EntryPoint(_) => ErrorCode::Unavailable,
        }
    }
}
