//! Calling the devnet's own `devnet_*` helpers from a client (the desktop app's faucet
//! button, tests), over `warden_core`'s JSON-RPC client, with typed answers.
//!
//! Only the faucet for now; the token helpers are called by tests with raw requests.
//! Left out: anything a hosted endpoint also serves (use `warden_core` for that).

use alloy_primitives::{Address, U256};
use serde::Deserialize;
use warden_core::rpc::{CallKind, RpcClient, RpcError};
use warden_core::wire;

#[derive(Deserialize)]
struct FundResult {
    #[serde(with = "wire::quantity")]
    balance: U256,
}

/// `devnet_fund`: adds `amount` wei to `address`'s balance and returns the new balance.
/// A send: never retried, so a lost answer cannot fund twice.
pub async fn fund(rpc: &RpcClient, address: Address, amount: U256) -> Result<U256, RpcError> {
    let params = (address.to_checksum(None), wire::to_hex(amount));
    let result: FundResult = rpc.request("devnet_fund", params, CallKind::Send).await?;
    Ok(result.balance)
}
