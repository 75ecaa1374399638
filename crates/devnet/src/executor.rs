//! The code the emulated accounts run their operations with (`contracts/AccountExecutor.sol`,
//! runtime bytecode committed in `contracts/AccountExecutor.runtime.hex`).
//!
//! The MAv2 implementations are not available offline, so the devnet puts the executor's
//! code at their addresses: a delegated 7702 account (`0xef0100 ‖ SMA_7702_IMPLEMENTATION`)
//! runs it through its delegation, and a deployed SMA-B account gets an EIP-1167 proxy to
//! `SMA_B_IMPLEMENTATION`. An operation is then ONE transaction from the account to itself
//! (impersonated): `execute(calls, entryPoint, nonceKey)` makes the calls in order, all or
//! none (a reverting call reverts them all, with its index and revert data), and consumes
//! the operation's EntryPoint nonce — one block and one receipt per operation, as a
//! bundle, with no node snapshots (which anvil never releases: they made the devnet slower
//! with every operation).
//!
//! Left out: the real account's validation and hooks (the devnet checks those itself, see
//! `methods::enforce`).

use alloy_primitives::{Bytes, U256};
use alloy_sol_types::{SolCall, SolError, sol};
use warden_core::api::Call;
use warden_core::mav2::constants::{ENTRY_POINT_V07, SMA_7702_IMPLEMENTATION, SMA_B_IMPLEMENTATION};

use crate::node::{Node, NodeError};

const RUNTIME_HEX: &str = include_str!("../contracts/AccountExecutor.runtime.hex");

sol! {
    struct ExecutorCall { address target; uint256 value; bytes data; }
    function execute(ExecutorCall[] calls, address entryPoint, uint192 nonceKey) external;
    error CallReverted(uint256 index, bytes reason);
}

/// Why the executor could not be installed.
#[derive(Debug, thiserror::Error)]
pub enum ExecutorError {
    #[error("the committed AccountExecutor runtime code is not valid hex: {0}")]
    BadCode(String),
    #[error("installing the account executor: {0}")]
    Node(#[from] NodeError),
}

/// The executor's runtime code.
pub fn runtime_code() -> Result<Bytes, ExecutorError> {
    RUNTIME_HEX.trim().parse::<Bytes>().map_err(|e| ExecutorError::BadCode(e.to_string()))
}

/// Puts the executor's code at both MAv2 implementation addresses, unless it is there.
pub async fn ensure_installed(node: &Node) -> Result<(), ExecutorError> {
    let code = runtime_code()?;
    for implementation in [SMA_7702_IMPLEMENTATION, SMA_B_IMPLEMENTATION] {
        if node.code(implementation).await? != code {
            node.set_code(implementation, &code).await?;
        }
    }
    Ok(())
}

/// The code of a deployed SMA-B account: an EIP-1167 minimal proxy to the SMA-B
/// implementation address.
pub fn sma_b_proxy_code() -> Bytes {
    let mut code = vec![0x36, 0x3d, 0x3d, 0x37, 0x3d, 0x3d, 0x3d, 0x36, 0x3d, 0x73];
    code.extend_from_slice(SMA_B_IMPLEMENTATION.as_slice());
    code.extend_from_slice(&[0x5a, 0xf4, 0x3d, 0x82, 0x80, 0x3e, 0x90, 0x3d, 0x91, 0x60, 0x2b, 0x57, 0xfd, 0x5b, 0xf3]);
    code.into()
}

/// Call data of `execute(calls, EntryPoint, key)`.
pub fn execute_data(calls: &[Call], nonce_key: U256) -> Bytes {
    executeCall {
        calls: calls
            .iter()
            .map(|c| ExecutorCall {
                target: c.to,
                value: c.value.unwrap_or_default(),
                data: c.data.clone().unwrap_or_default(),
            })
            .collect(),
        entryPoint: ENTRY_POINT_V07,
        nonceKey: nonce_key.saturating_to(),
    }
    .abi_encode()
    .into()
}

/// Which call reverted and why, from the executor's revert data.
pub fn reverted_call(revert: &[u8]) -> Option<(usize, Bytes)> {
    let e = CallReverted::abi_decode(revert).ok()?;
    Some((e.index.saturating_to(), e.reason))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn committed_code_is_the_executor() {
        let code = runtime_code().unwrap();
        // The dispatcher holds execute's selector.
        let selector = &executeCall::SELECTOR;
        assert!(code.windows(4).any(|w| w == selector), "execute() is not in the runtime code");
        assert_eq!(sma_b_proxy_code().len(), 45);
    }

    #[test]
    fn a_reverted_call_is_decoded() {
        let data = CallReverted { index: U256::from(2), reason: Bytes::from(vec![1, 2, 3]) }.abi_encode();
        assert_eq!(reverted_call(&data), Some((2, Bytes::from(vec![1, 2, 3]))));
        assert_eq!(reverted_call(&[1, 2]), None);
    }
}
