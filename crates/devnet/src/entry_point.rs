//! The real EntryPoint v0.7 on the devnet's node: deployed at its canonical address through
//! the deterministic CREATE2 deployer, and the two nonce functions the devnet uses.
//!
//! The creation code is committed in `contracts/EntryPoint.v0.7.0.creation.hex`: the
//! `bytecode` of `artifacts/EntryPoint.json` in the npm package
//! `@account-abstraction/contracts@0.7.0` (pinned in `node/package.json`). It is embedded at
//! build time rather than read from `node_modules` at run time so that a devnet started with
//! `--anvil PATH` or `--rpc URL` needs no npm install. Its identity is checked twice: the
//! CREATE2 address is a hash of the code, so the contract can only land at
//! `0x0000000071727De22E5E9d8BAf0edAc6f37da032` if these are the canonical bytes, and a test
//! compares the file to the npm artifact when that is installed.
//!
//! Deploying through the deployer (not `anvil_setCode`) matters: the EntryPoint's
//! constructor creates its SenderCreator, whose address is an immutable.

use alloy_primitives::{Address, B256, Bytes, U256, address, b256};
use alloy_sol_types::{SolCall, sol};
use serde_json::json;
use warden_core::mav2::constants::ENTRY_POINT_V07;

use crate::node::{Node, NodeError};

/// The deterministic deployment proxy anvil (and most chains) have pre-installed.
pub const CREATE2_DEPLOYER: Address = address!("4e59b44847b379578588920cA78FbF26c0B4956C");
/// The salt the canonical EntryPoint v0.7 was deployed with.
pub const ENTRY_POINT_SALT: B256 = b256!("90d8084deab30c2a37c45e8d47f49f2f7965183cb6990a98943ef94940681de3");
/// An address with no key that the devnet impersonates to send its own transactions.
pub const DEVNET_OPERATOR: Address = address!("00000000000000000000000000000000de7e7001");

const CREATION_CODE_HEX: &str = include_str!("../contracts/EntryPoint.v0.7.0.creation.hex");

sol! {
    function getNonce(address sender, uint192 key) external view returns (uint256 nonce);
    function incrementNonce(uint192 key) external;
}

/// Why the EntryPoint is not usable.
#[derive(Debug, thiserror::Error)]
pub enum EntryPointError {
    #[error("the committed EntryPoint creation code is not valid hex: {0}")]
    BadCreationCode(String),
    #[error("the node has no CREATE2 deployer at {CREATE2_DEPLOYER}; start anvil (which has it) or deploy it first")]
    NoDeployer,
    #[error("deploying the EntryPoint through {CREATE2_DEPLOYER} failed: transaction {tx} reverted")]
    DeployReverted { tx: B256 },
    #[error("after deployment there is still no code at {ENTRY_POINT_V07}")]
    NotLanded,
    #[error("EntryPoint: {0}")]
    Node(#[from] NodeError),
    #[error("EntryPoint.{function} returned data that does not decode: {reason}")]
    Decode { function: &'static str, reason: String },
}

/// The EntryPoint's creation code.
pub fn creation_code() -> Result<Bytes, EntryPointError> {
    CREATION_CODE_HEX.trim().parse::<Bytes>().map_err(|e| EntryPointError::BadCreationCode(e.to_string()))
}

/// Deploys the EntryPoint unless code is already there; returns whether it deployed.
pub async fn ensure_deployed(node: &Node) -> Result<bool, EntryPointError> {
    if !node.code(ENTRY_POINT_V07).await?.is_empty() {
        return Ok(false);
    }
    if node.code(CREATE2_DEPLOYER).await?.is_empty() {
        return Err(EntryPointError::NoDeployer);
    }
    let mut data = ENTRY_POINT_SALT.to_vec();
    data.extend_from_slice(&creation_code()?);
    node.set_balance(DEVNET_OPERATOR, U256::from(10u128.pow(20))).await?;
    node.impersonate(DEVNET_OPERATOR).await?;
    let tx = json!({"from": DEVNET_OPERATOR, "to": CREATE2_DEPLOYER, "data": Bytes::from(data), "gas": "0x1000000"});
    let receipt = node.transact(tx).await?;
    if !receipt.success {
        return Err(EntryPointError::DeployReverted { tx: receipt.transaction_hash });
    }
    if node.code(ENTRY_POINT_V07).await?.is_empty() {
        return Err(EntryPointError::NotLanded);
    }
    Ok(true)
}

/// `EntryPoint.getNonce(sender, key)`: the full nonce (key ‖ sequence).
pub async fn get_nonce(node: &Node, sender: Address, key: U256) -> Result<U256, EntryPointError> {
    let call = getNonceCall { sender, key: key.saturating_to() }.abi_encode();
    let out = node.call(json!({"to": ENTRY_POINT_V07, "data": Bytes::from(call)})).await?;
    getNonceCall::abi_decode_returns(&out)
        .map_err(|e| EntryPointError::Decode { function: "getNonce", reason: e.to_string() })
}

/// Call data of `EntryPoint.incrementNonce(key)`.
pub fn increment_nonce_data(key: U256) -> Bytes {
    incrementNonceCall { key: key.saturating_to() }.abi_encode().into()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use alloy_primitives::keccak256;

    #[test]
    fn creation_code_lands_at_the_canonical_address() {
        let code = creation_code().unwrap();
        assert_eq!(CREATE2_DEPLOYER.create2(ENTRY_POINT_SALT, keccak256(&code)), ENTRY_POINT_V07);
    }

    #[test]
    fn committed_code_equals_the_npm_artifact_when_installed() {
        let Some(node_dir) = crate::anvil::dev_node_dir() else { return };
        let artifact = node_dir.join("node_modules/@account-abstraction/contracts/artifacts/EntryPoint.json");
        let Ok(text) = std::fs::read_to_string(&artifact) else {
            // The address test above already pins the bytes; this one only adds provenance.
            return;
        };
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let npm: Bytes = v["bytecode"].as_str().unwrap().parse().unwrap();
        assert_eq!(npm, creation_code().unwrap());
    }
}
