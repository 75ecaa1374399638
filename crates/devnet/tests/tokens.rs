//! ERC-20 allowances against the devnet's test token on a real anvil: `transfer` and
//! `approve` both count, a refused operation changes nothing, and a reverted one is not
//! charged.

#![allow(clippy::unwrap_used)]

mod common;

use alloy_primitives::{Address, Bytes, U256, address};
use alloy_sol_types::{SolCall, sol};
use common::*;
use serde_json::json;
use warden_core::signing::DigestSigner;

sol! {
    function transfer(address to, uint256 amount);
    function approve(address spender, uint256 amount);
    function balanceOf(address who) external view returns (uint256);
}

const ALICE: Address = address!("00000000000000000000000000000000000a11ce");
const BOB: Address = address!("0000000000000000000000000000000000000b0b");

async fn token_balance(url: &str, token: Address, who: Address) -> U256 {
    let data: Bytes = balanceOfCall { who }.abi_encode().into();
    quantity(&ok(url, "eth_call", json!([{"to": token, "data": data}, "latest"])).await)
}

#[tokio::test]
async fn erc20_allowance_counts_transfers_and_approvals() {
    let d = devnet().await;
    let url = d.url();
    let token = addr(&ok(&url, "devnet_deployToken", json!(["Test USD", "TUSD", 6])).await["address"]);
    let (code, msg) = err(&url, "devnet_deployToken", json!(["x", "y", 300])).await;
    assert_eq!(code, -32602, "{msg}");
    let account = funded_account(&url, signer(OWNER_KEY).address(), 10u128.pow(18)).await;
    ok(&url, "devnet_mint", json!([token, account, "0x32"])).await;
    assert_eq!(token_balance(&d.node, token, account).await, U256::from(50));

    let g = grant(
        &url,
        account,
        signer(SESSION_KEY).address(),
        json!([{"type": "erc20-token-transfer", "data": {"allowance": "0x64", "address": token}}]),
        None,
    )
    .await;
    let caps = json!({"permissions": g.capability()});
    let transfer = |amount: u64| {
        let data: Bytes = transferCall { to: ALICE, amount: U256::from(amount) }.abi_encode().into();
        json!([{"to": token, "data": data}])
    };

    // Allowed but reverts (balance 50 < 60): status 500, nothing charged.
    let id = send_calls(&url, account, transfer(60), caps.clone(), SESSION_KEY).await;
    let st = status(&url, &id).await;
    assert_eq!(st["status"], 500);
    assert!(st["revertReason"].as_str().unwrap().contains("balance too low"), "{st}");
    let usage = ok(&url, "devnet_sessionUsage", json!([g.session_id])).await;
    assert_eq!(usage["limits"][0]["spent"], "0x0");
    assert_eq!(usage["installed"], true, "validation ran, so the session is installed");

    ok(&url, "devnet_mint", json!([token, account, "0x3e8"])).await;
    let id = send_calls(&url, account, transfer(60), caps.clone(), SESSION_KEY).await;
    assert_eq!(status(&url, &id).await["status"], 200);
    assert_eq!(token_balance(&d.node, token, ALICE).await, U256::from(60));
    let approve: Bytes = approveCall { spender: BOB, amount: U256::from(30) }.abi_encode().into();
    let id = send_calls(&url, account, json!([{"to": token, "data": approve}]), caps.clone(), SESSION_KEY).await;
    assert_eq!(status(&url, &id).await["status"], 200);
    let usage = ok(&url, "devnet_sessionUsage", json!([g.session_id])).await;
    assert_eq!(
        usage["limits"][0],
        json!({"type": "erc20-token-transfer", "limit": "0x64", "spent": "0x5a", "remaining": "0xa", "address": token.to_checksum(None)})
    );

    // Beyond: refused with the numbers; balances and usage unchanged.
    let (code, msg) = err(
        &url,
        "wallet_prepareCalls",
        json!([{"calls": transfer(20), "from": account, "chainId": CHAIN, "capabilities": caps}]),
    )
    .await;
    assert_eq!(code, -32521);
    assert_eq!(
        msg,
        format!(
            "execution reverted: PreExecHookReverted(AllowlistModule entity 2147483648, ExceededTokenLimit()): erc20-token-transfer allowance of token {token} exceeded: requested 20, remaining 10"
        )
    );
    assert_eq!(token_balance(&d.node, token, ALICE).await, U256::from(60));
    assert_eq!(ok(&url, "devnet_sessionUsage", json!([g.session_id])).await, usage);
    // Other functions of the token are outside the grant.
    let (code, msg) = err(
        &url,
        "wallet_prepareCalls",
        json!([{"calls": [{"to": token, "data": "0x40c10f19"}], "from": account, "chainId": CHAIN, "capabilities": caps}]),
    )
    .await;
    assert_eq!(code, -32500);
    assert!(
        msg.starts_with(
            "AA23 reverted: PreUserOpValidationHookReverted(AllowlistModule entity 1, SelectorNotAllowed())"
        ),
        "{msg}"
    );
    assert!(msg.contains("function 0x40c10f19"), "{msg}");
}
