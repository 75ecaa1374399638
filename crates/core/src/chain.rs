//! Chain reads through the Wallets API endpoint: chain id, native balance, code and
//! EntryPoint nonces.
//!
//! The devnet forwards `eth_*` to its node, so one URL answers both the `wallet_*` methods
//! and these reads; a hosted endpoint that does not serve `eth_*` answers with a JSON-RPC
//! error, reported as [`ChainError::Rpc`] naming the method. Every read is a
//! [`CallKind::Read`] (retried on transient failures) and every answer is parsed strictly
//! (a quantity is `0x` hex, code is hex bytes), so a wrong endpoint is an error, not a zero.
//!
//! Left out: anything that writes (transactions go through user operations), block and log
//! queries.

use alloy_primitives::{Address, Bytes, U256};
use alloy_sol_types::{SolCall, sol};
use serde_json::json;

use crate::error::{Coded, ErrorCode};
use crate::mav2::constants::{ENTRY_POINT_V07, SMA_7702_IMPLEMENTATION};
use crate::permissions::TokenInfo;
use crate::rpc::{CallKind, RpcClient, RpcError};
use crate::wire;

sol! {
    function getNonce(address sender, uint192 key) external view returns (uint256 nonce);
    function symbol() external view returns (string);
    function decimals() external view returns (uint8);
}

/// The EIP-7702 delegation designator prefix: code `0xef0100 ‖ address`.
pub const DELEGATION_PREFIX: [u8; 3] = [0xef, 0x01, 0x00];

/// Why a chain read failed.
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    /// The endpoint refused or failed the read.
    #[error(transparent)]
    Rpc(#[from] RpcError),
    /// The answer is not what the method returns.
    #[error("{method}: the endpoint answered {got:?}, which is not {expected}")]
    BadAnswer { method: &'static str, expected: &'static str, got: String },
}

impl Coded for ChainError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::Rpc(e) => e.code(),
            Self::BadAnswer { .. } => ErrorCode::BadResponse,
        }
    }
}

/// What an address's code says about EIP-7702 delegation.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum Delegation {
    /// No code: a plain EOA.
    NotDelegated,
    /// Delegated to the MAv2 7702 implementation (what Warden's sessions need).
    Delegated {
        #[serde(with = "wire::checksum")]
        implementation: Address,
    },
    /// Delegated, but to another implementation.
    DelegatedElsewhere {
        #[serde(with = "wire::checksum")]
        implementation: Address,
    },
    /// Contract code that is not a delegation designator: not an EOA at all.
    Contract,
}

impl Delegation {
    /// Reads the delegation out of an address's code.
    pub fn from_code(code: &[u8]) -> Self {
        if code.is_empty() {
            return Self::NotDelegated;
        }
        match code.strip_prefix(&DELEGATION_PREFIX[..]) {
            Some(rest) if rest.len() == 20 => {
                let implementation = Address::from_slice(rest);
                if implementation == SMA_7702_IMPLEMENTATION {
                    Self::Delegated { implementation }
                } else {
                    Self::DelegatedElsewhere { implementation }
                }
            }
            _ => Self::Contract,
        }
    }

    /// Whether sessions can be granted on this account.
    pub fn is_mav2(&self) -> bool {
        matches!(self, Self::Delegated { .. })
    }
}

fn quantity(method: &'static str, v: String) -> Result<U256, ChainError> {
    wire::parse_hex_u256(&v).map_err(|_| ChainError::BadAnswer { method, expected: "a 0x hex quantity", got: v })
}

fn hex_bytes(method: &'static str, v: String) -> Result<Bytes, ChainError> {
    let valid = v.strip_prefix("0x").is_some_and(|h| h.len() % 2 == 0);
    match v.parse::<Bytes>() {
        Ok(b) if valid => Ok(b),
        _ => Err(ChainError::BadAnswer { method, expected: "0x hex bytes", got: v }),
    }
}

/// `eth_chainId`, which must fit the API's 32-bit chain ids.
pub async fn chain_id(rpc: &RpcClient) -> Result<u32, ChainError> {
    const METHOD: &str = "eth_chainId";
    let v: String = rpc.request(METHOD, json!([]), CallKind::Read).await?;
    let n = quantity(METHOD, v.clone())?;
    u32::try_from(n).ok().filter(|c| *c != 0).ok_or(ChainError::BadAnswer {
        method: METHOD,
        expected: "a chain id from 1 to 2^32-1",
        got: v,
    })
}

/// `eth_getBalance(address, "latest")` in wei.
pub async fn balance(rpc: &RpcClient, address: Address) -> Result<U256, ChainError> {
    const METHOD: &str = "eth_getBalance";
    let v: String = rpc.request(METHOD, json!([address, "latest"]), CallKind::Read).await?;
    quantity(METHOD, v)
}

/// `eth_getCode(address, "latest")`.
pub async fn code(rpc: &RpcClient, address: Address) -> Result<Bytes, ChainError> {
    const METHOD: &str = "eth_getCode";
    let v: String = rpc.request(METHOD, json!([address, "latest"]), CallKind::Read).await?;
    hex_bytes(METHOD, v)
}

/// The 7702 delegation of `address`, from its code.
pub async fn delegation(rpc: &RpcClient, address: Address) -> Result<Delegation, ChainError> {
    Ok(Delegation::from_code(&code(rpc, address).await?))
}

/// `EntryPoint.getNonce(sender, key)`: the next full nonce (key ‖ sequence) for a 192-bit key.
pub async fn entry_point_nonce(rpc: &RpcClient, sender: Address, key: U256) -> Result<U256, ChainError> {
    const METHOD: &str = "eth_call";
    let data: Bytes = getNonceCall { sender, key: key.saturating_to() }.abi_encode().into();
    let bytes = call(rpc, ENTRY_POINT_V07, data).await?;
    if bytes.len() != 32 {
        return Err(ChainError::BadAnswer {
            method: METHOD,
            expected: "the 32-byte result of EntryPoint.getNonce (is the EntryPoint v0.7 deployed?)",
            got: bytes.to_string(),
        });
    }
    Ok(U256::from_be_slice(&bytes))
}

/// `eth_call` of `data` on `to` at the latest block; the raw return data.
pub async fn call(rpc: &RpcClient, to: Address, data: Bytes) -> Result<Bytes, ChainError> {
    const METHOD: &str = "eth_call";
    let v: String = rpc.request(METHOD, json!([{"to": to, "data": data}, "latest"]), CallKind::Read).await?;
    hex_bytes(METHOD, v)
}

/// Symbol and decimals of an ERC-20 token, or `None` when the token does not answer both
/// (no contract there, a non-standard token, an endpoint without `eth_call`). Only used to
/// describe amounts; never to decide anything.
pub async fn erc20_info(rpc: &RpcClient, token: Address) -> Option<TokenInfo> {
    let symbol = call(rpc, token, symbolCall {}.abi_encode().into()).await.ok()?;
    let decimals = call(rpc, token, decimalsCall {}.abi_encode().into()).await.ok()?;
    let symbol = symbolCall::abi_decode_returns(&symbol).ok()?;
    let decimals = decimalsCall::abi_decode_returns(&decimals).ok()?;
    let printable = !symbol.is_empty() && symbol.len() <= 16 && symbol.chars().all(|c| c.is_ascii_graphic());
    printable.then_some(TokenInfo { symbol, decimals })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn delegation_is_read_from_the_designator() {
        assert_eq!(Delegation::from_code(&[]), Delegation::NotDelegated);
        let mut code = DELEGATION_PREFIX.to_vec();
        code.extend_from_slice(SMA_7702_IMPLEMENTATION.as_slice());
        assert_eq!(Delegation::from_code(&code), Delegation::Delegated { implementation: SMA_7702_IMPLEMENTATION });
        assert!(Delegation::from_code(&code).is_mav2());
        let other = Address::repeat_byte(0x11);
        let mut code = DELEGATION_PREFIX.to_vec();
        code.extend_from_slice(other.as_slice());
        assert_eq!(Delegation::from_code(&code), Delegation::DelegatedElsewhere { implementation: other });
        assert_eq!(Delegation::from_code(&[0x60, 0x00]), Delegation::Contract);
        code.push(0);
        assert_eq!(Delegation::from_code(&code), Delegation::Contract);
    }

    #[test]
    fn answers_are_parsed_strictly() {
        assert!(quantity("m", "0x1".into()).is_ok());
        assert!(matches!(quantity("m", "12".into()), Err(ChainError::BadAnswer { .. })));
        assert!(hex_bytes("m", "0x".into()).unwrap().is_empty());
        assert!(hex_bytes("m", "0xabc".into()).is_err());
        assert!(hex_bytes("m", "abcd".into()).is_err());
    }

    #[test]
    fn delegation_serializes_with_a_status() {
        let v = serde_json::to_value(Delegation::Delegated { implementation: SMA_7702_IMPLEMENTATION }).unwrap();
        assert_eq!(v["status"], "delegated");
        assert_eq!(v["implementation"], "0x69007702764179f14F51cdce752f4f775d74E139");
        assert_eq!(serde_json::to_value(Delegation::NotDelegated).unwrap()["status"], "not-delegated");
    }
}
