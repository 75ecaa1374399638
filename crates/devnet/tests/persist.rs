//! `--state DIR`: accounts, sessions, usage, gas policies, call ids and chain state survive a
//! restart.

#![allow(clippy::unwrap_used)]

mod common;

use alloy_primitives::{Address, U256, address};
use common::*;
use serde_json::json;
use warden_core::signing::DigestSigner;
use warden_devnet::DevnetConfig;

const ALICE: Address = address!("00000000000000000000000000000000000a11ce");

#[tokio::test]
async fn state_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let config = DevnetConfig { state_dir: Some(dir.path().to_owned()), ..DevnetConfig::default() };
    let owner = signer(OWNER_KEY).address();

    let d = devnet_with(config.clone()).await;
    let url = d.url();
    let account = funded_account(&url, owner, 10u128.pow(18)).await;
    let id_before = wallet(&url, "wallet_requestAccount", json!([{"signerAddress": owner}])).await["id"].clone();
    let g = grant(
        &url,
        account,
        signer(SESSION_KEY).address(),
        json!([{"type": "native-token-transfer", "data": {"allowance": "0x64"}}, {"type": "contract-access", "data": {"address": ALICE}}]),
        None,
    )
    .await;
    let caps = json!({"permissions": g.capability()});
    let call_id = send_calls(&url, account, json!([{"to": ALICE, "value": "0x3c"}]), caps.clone(), SESSION_KEY).await;
    let usage = ok(&url, "devnet_sessionUsage", json!([g.session_id])).await;
    let policy = ok(&url, "devnet_createPolicy", json!([{"name": "kept"}])).await["policyId"].clone();
    d.stop().await;
    let mut names: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    assert_eq!(names, ["devnet.json", "node-state.hex"]);

    let d = devnet_with(config).await;
    let url = d.url();
    assert_eq!(wallet(&url, "wallet_requestAccount", json!([{"signerAddress": owner}])).await["id"], id_before);
    assert_eq!(ok(&url, "devnet_sessionUsage", json!([g.session_id])).await, usage);
    assert_eq!(status(&url, &call_id).await["status"], 200);
    assert_eq!(balance(&d.node, ALICE).await, U256::from(0x3c));
    // The installed session goes on where it was, limits included.
    let prepared = prepare(&url, account, json!([{"to": ALICE, "value": "0x28"}]), caps.clone()).await;
    assert_eq!(prepared["data"]["nonce"], "0x1000000000000000000");
    assert!(prepared["data"].get("factory").is_none());
    // The deployed account still has its code, and a created policy is still known.
    assert_ne!(ok(&d.node, "eth_getCode", json!([account, "latest"])).await, json!("0x"));
    let sponsored = prepare(
        &url,
        account,
        json!([{"to": ALICE, "value": "0x0"}]),
        json!({"paymasterService": {"policyId": policy}}),
    )
    .await;
    assert_eq!(sponsored["feePayment"]["sponsored"], true);
    let (code, msg) = err(
        &url,
        "wallet_prepareCalls",
        json!([{"calls": [{"to": ALICE, "value": "0x29"}], "from": account, "chainId": CHAIN, "capabilities": caps}]),
    )
    .await;
    assert_eq!(code, -32521);
    assert!(msg.ends_with("native-token-transfer allowance exceeded: requested 41 wei, remaining 40 wei"), "{msg}");
}

/// The node's state (a dump of the whole chain) is written on a timer and when the devnet
/// stops, not after every request that changed something.
#[tokio::test]
async fn state_is_saved_on_a_timer_and_at_stop_not_per_request() {
    let dir = tempfile::tempdir().unwrap();
    let config = DevnetConfig {
        state_dir: Some(dir.path().to_owned()),
        save_interval: std::time::Duration::from_secs(3600),
        ..DevnetConfig::default()
    };
    let owner = signer(OWNER_KEY).address();
    let d = devnet_with(config.clone()).await;
    let url = d.url();
    let account = funded_account(&url, owner, 10u128.pow(18)).await;
    for _ in 0..3 {
        ok(&url, "devnet_fund", json!([ALICE, "0x1"])).await;
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "nothing written per request");
    d.stop().await;
    assert!(dir.path().join("node-state.hex").exists() && dir.path().join("devnet.json").exists());

    let d = devnet_with(config).await;
    assert_eq!(balance(&d.node, ALICE).await, U256::from(3));
    let again = wallet(&d.url(), "wallet_requestAccount", json!([{"signerAddress": owner}])).await;
    assert_eq!(addr(&again["accountAddress"]), account);
    d.stop().await;
}
