//! `devnet_deployToken(name, symbol, decimals)` and `devnet_mint(token, to, amount)`: a test
//! ERC-20 to exercise `erc20-token-transfer` permissions with.
//!
//! The token is `contracts/TestToken.sol` (anyone may mint), compiled by
//! `contracts/build-token.mjs` with the pinned solcjs; the creation code is committed in
//! `contracts/TestToken.bytecode.hex` and embedded here. Both methods send their
//! transaction from the devnet's operator address.

use alloy_primitives::{Address, Bytes, U256};
use alloy_sol_types::{SolCall, SolValue, sol};
use serde::Deserialize;
use serde_json::{Value, json};
use warden_core::wire;

use super::{Emulator, MethodError};
use crate::entry_point::DEVNET_OPERATOR;

const CREATION_CODE_HEX: &str = include_str!("../../contracts/TestToken.bytecode.hex");

sol! {
    function mint(address to, uint256 amount);
    /// The constructor's arguments.
    struct TokenArgs { string name; string symbol; uint8 decimals; }
}

async fn operator(emu: &Emulator) -> Result<(), MethodError> {
    emu.node.set_balance(DEVNET_OPERATOR, U256::from(10u128.pow(20))).await?;
    emu.node.impersonate(DEVNET_OPERATOR).await?;
    Ok(())
}

#[derive(Deserialize)]
struct DeployParams(String, String, u8);

/// `devnet_deployToken(name, symbol, decimals)` → `{address}`.
pub async fn deploy_token(emu: &Emulator, params: Value) -> Result<Value, MethodError> {
    let DeployParams(name, symbol, decimals) = serde_json::from_value(params).map_err(|e| {
        MethodError::Invalid(format!("devnet_deployToken params must be [name, symbol, decimals (0-255)]: {e}"))
    })?;
    let mut code: Vec<u8> = CREATION_CODE_HEX
        .trim()
        .parse::<Bytes>()
        .map_err(|e| MethodError::Invalid(format!("the committed TestToken bytecode is not hex: {e}")))?
        .to_vec();
    code.extend_from_slice(&TokenArgs { name, symbol, decimals }.abi_encode_params());
    let _guard = emu.state.lock().await;
    operator(emu).await?;
    let receipt = emu.node.transact(json!({"from": DEVNET_OPERATOR, "data": Bytes::from(code)})).await?;
    let address: Option<Address> =
        receipt.raw.get("contractAddress").and_then(|a| serde_json::from_value(a.clone()).ok());
    match (receipt.success, address) {
        (true, Some(a)) => Ok(json!({"address": a.to_checksum(None)})),
        _ => Err(MethodError::Invalid(format!("the token deployment {} failed", receipt.transaction_hash))),
    }
}

#[derive(Deserialize)]
struct MintParams(Address, Address, #[serde(with = "wire::quantity")] U256);

/// `devnet_mint(token, to, amount)` → `{transactionHash}`.
pub async fn mint(emu: &Emulator, params: Value) -> Result<Value, MethodError> {
    let MintParams(token, to, amount) = serde_json::from_value(params)
        .map_err(|e| MethodError::Invalid(format!("devnet_mint params must be [token, to, amount (hex)]: {e}")))?;
    let _guard = emu.state.lock().await;
    if emu.node.code(token).await?.is_empty() {
        return Err(MethodError::Invalid(format!("devnet_mint: no contract at {token}")));
    }
    operator(emu).await?;
    let data: Bytes = mintCall { to, amount }.abi_encode().into();
    let receipt = emu.node.transact(json!({"from": DEVNET_OPERATOR, "to": token, "data": data})).await;
    match receipt {
        Ok(r) if r.success => Ok(json!({"transactionHash": r.transaction_hash})),
        Ok(r) => Err(MethodError::Invalid(format!("devnet_mint: transaction {} reverted", r.transaction_hash))),
        Err(crate::node::NodeError::Rpc { message, .. }) => {
            Err(MethodError::Invalid(format!("devnet_mint: {token} did not accept mint(to, amount): {message}")))
        }
        Err(e) => Err(e.into()),
    }
}
