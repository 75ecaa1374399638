//! A session's usage as Warden's devnet accounts it: the answer of `devnet_sessionUsage`
//! ([`DevnetUsage`]: each limit, what was spent against it and what remains, whether the
//! session is installed or revoked), read with [`fetch_devnet_usage`].
//!
//! The devnet writes this answer with these types and every reader reads it with them:
//! `warden session inspect` and the desktop app, whose usage lines per session
//! (`warden_desk::usage`: the devnet's numbers on a devnet, the calls Warden observed
//! itself elsewhere) are built from it. Left out: reading on-chain hook storage of a real
//! Modular Account (the data is per-entity and not exposed by the API).

use alloy_primitives::{Address, Bytes, U256};
use serde::{Deserialize, Serialize};

use crate::api::CallKind;
use crate::error::{Coded, ErrorCode};
use crate::permissions::{Permission, PermissionKind};
use crate::rpc::{RpcClient, RpcError};
use crate::wire;

/// Why usage could not be read.
#[derive(Debug, thiserror::Error)]
pub enum UsageError {
    #[error("devnet_sessionUsage: {0}")]
    Rpc(#[from] RpcError),
    #[error("devnet_sessionUsage answered for {what} {got}, but the session has {expected}")]
    WrongSession { what: &'static str, expected: String, got: String },
}

impl Coded for UsageError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::Rpc(e) => e.code(),
            Self::WrongSession { .. } => ErrorCode::VerificationFailed,
        }
    }
}

/// One limit of `devnet_sessionUsage`: a limited permission's limit, what was spent
/// against it and what remains (hex wei or token units).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DevnetLimit {
    /// The permission's wire name (`native-token-transfer`, `erc20-token-transfer`, `gas-limit`).
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(with = "wire::quantity")]
    pub limit: U256,
    #[serde(with = "wire::quantity")]
    pub spent: U256,
    #[serde(with = "wire::quantity")]
    pub remaining: U256,
    /// The token of an ERC-20 limit; absent for the others.
    #[serde(default, with = "wire::checksum_opt", skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
}

impl DevnetLimit {
    /// The entry for a limit of `kind` (its wire name) with `spent` used so far.
    pub fn new(kind: PermissionKind, token: Option<Address>, limit: U256, spent: U256) -> Self {
        Self { kind: kind.wire_name().to_owned(), limit, spent, remaining: limit.saturating_sub(spent), address: token }
    }
}

/// How a devnet session was revoked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DevnetRevocation {
    /// The session's validation was uninstalled from the account.
    Uninstalled,
    /// An unused grant was cancelled by consuming the nonce its install signed.
    InstallNonceConsumed,
}

impl DevnetRevocation {
    /// The wire name (`uninstalled`, `install-nonce-consumed`).
    pub fn wire_name(self) -> &'static str {
        match self {
            Self::Uninstalled => "uninstalled",
            Self::InstallNonceConsumed => "install-nonce-consumed",
        }
    }
}

/// The result of `devnet_sessionUsage`: the devnet writes it with this type and every
/// reader (`warden session inspect`, the desktop app's usage lines) reads it with this type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DevnetUsage {
    pub session_id: Bytes,
    #[serde(with = "wire::checksum")]
    pub account: Address,
    #[serde(with = "wire::checksum")]
    pub key: Address,
    pub entity_id: u32,
    pub permissions: Vec<Permission>,
    /// One entry per limited permission, in the order of `permissions`.
    pub limits: Vec<DevnetLimit>,
    pub expiry_sec: u64,
    pub installed: bool,
    pub revoked: bool,
    /// How it was revoked; null while it is not.
    pub revocation: Option<DevnetRevocation>,
}

/// Asks the devnet for the session's usage (a read: retried on transient failures).
pub async fn fetch_devnet_usage(rpc: &RpcClient, session_id: &Bytes) -> Result<DevnetUsage, UsageError> {
    Ok(rpc.request("devnet_sessionUsage", [session_id], CallKind::Read).await?)
}
