//! Revocation against a real anvil, with the exact calls `warden revoke` sends
//! (`warden_core::mav2::revocation`): an owner `uninstallValidation` carrying every hook's
//! uninstall data ends a used session, `EntryPoint.incrementNonce` on the grant's key
//! cancels an unused one; operations prepared before either are refused when sent after,
//! and other sessions of the account are untouched.

#![allow(clippy::unwrap_used)]

mod common;

use alloy_primitives::{Address, Bytes, U256, address};
use common::*;
use serde_json::{Value, json};
use warden_core::mav2::constants::ENTRY_POINT_V07;
use warden_core::mav2::nonce::NonceParts;
use warden_core::mav2::revocation::{increment_nonce_call, uninstall_call};
use warden_core::signing::DigestSigner;

const ALICE: Address = address!("00000000000000000000000000000000000a11ce");
const MILLI: u128 = 1_000_000_000_000_000;

/// The account's installed validation for a grant's session, read from the node as Warden
/// reads it.
async fn validation(node: &str, account: Address, g: &Grant) -> warden_core::node::ValidationState {
    use warden_core::rpc::{Endpoint, RpcConfig};
    let client = warden_core::node::NodeClient::new(Endpoint::new(node).unwrap(), RpcConfig::default()).unwrap();
    let function = warden_core::mav2::revocation::validation_function(&install_call(g)).unwrap();
    client.validation_data(account, function).await.unwrap()
}

fn install_call(g: &Grant) -> Bytes {
    g.typed_data["message"]["call"].as_str().unwrap().parse().unwrap()
}

fn signed_nonce(g: &Grant) -> U256 {
    warden_core::wire::parse_dec_or_hex_u256(g.typed_data["message"]["nonce"].as_str().unwrap()).unwrap()
}

async fn refused(url: &str, account: Address, calls: &Value, caps: &Value) -> (i64, String) {
    err(url, "wallet_prepareCalls", json!([{"calls": calls, "from": account, "chainId": CHAIN, "capabilities": caps}]))
        .await
}

#[tokio::test]
async fn uninstall_with_hook_data_ends_a_used_session_only() {
    let d = devnet().await;
    let url = d.url();
    let owner = signer(OWNER_KEY).address();
    let account = funded_account(&url, owner, 1000 * MILLI).await;
    let token = addr(&ok(&url, "devnet_deployToken", json!(["Test USD", "TUSD", 6])).await["address"]);
    let now = quantity(&ok(&d.node, "eth_getBlockByNumber", json!(["latest", false])).await["timestamp"]).to::<u64>();
    let perms = json!([
        {"type": "native-token-transfer", "data": {"allowance": "0x64"}},
        {"type": "erc20-token-transfer", "data": {"allowance": "0x64", "address": token}},
        {"type": "contract-access", "data": {"address": ALICE}},
    ]);
    let key = signer(SESSION_KEY).address();
    let revoked = grant(&url, account, key, perms.clone(), Some(now + 3600)).await;
    let kept = grant(&url, account, key, perms, Some(now + 3600)).await;
    let calls = json!([{"to": ALICE, "value": "0x1"}]);
    let caps = json!({"permissions": revoked.capability()});
    let kept_caps = json!({"permissions": kept.capability()});
    for c in [&caps, &kept_caps] {
        let id = send_calls(&url, account, calls.clone(), c.clone(), SESSION_KEY).await;
        assert_eq!(status(&url, &id).await["status"], 200);
    }
    // An operation prepared before the revocation, to be sent after it.
    let early = prepare(&url, account, calls.clone(), caps.clone()).await;
    // The first operations installed both validations on chain: the allow-list and time
    // range hooks validate, the two spend limits run around execution.
    let installed = validation(&d.node, account, &revoked).await;
    assert_eq!((installed.validation_hooks, installed.execution_hooks), (2, 2), "{installed:?}");
    assert_ne!(installed.flags, 0);

    let uninstall = uninstall_call(&install_call(&revoked)).unwrap();
    let id = send_calls(&url, account, json!([{"to": account, "data": uninstall}]), json!({}), OWNER_KEY).await;
    assert_eq!(status(&url, &id).await["status"], 200);
    assert!(validation(&d.node, account, &revoked).await.is_empty(), "the uninstall cleared it on chain");
    assert_eq!(validation(&d.node, account, &kept).await, installed, "the other session is untouched");

    let entity = NonceParts::from_nonce(signed_nonce(&revoked)).entity_id;
    let (code, msg) = refused(&url, account, &calls, &caps).await;
    assert_eq!(code, -32500);
    assert_eq!(
        msg,
        format!(
            "AA23 reverted: ValidationFunctionMissing(0x34fcd5be): session revoked: the owner uninstalled its validation (entity {entity})"
        )
    );
    let (code, msg) =
        err(&url, "wallet_sendPreparedCalls", json!([sign_prepared(&early, SESSION_KEY, caps.clone())])).await;
    assert_eq!(code, -32500, "{msg}");
    assert!(msg.contains("uninstalled its validation"), "{msg}");
    let usage = ok(&url, "devnet_sessionUsage", json!([revoked.session_id])).await;
    assert_eq!((usage["installed"].clone(), usage["revoked"].clone()), (json!(true), json!(true)));
    assert_eq!(usage["revocation"], "uninstalled");

    // The other session of the same account and key still works.
    let before = balance(&d.node, ALICE).await;
    let id = send_calls(&url, account, calls, kept_caps, SESSION_KEY).await;
    assert_eq!(status(&url, &id).await["status"], 200);
    assert_eq!(balance(&d.node, ALICE).await, before + U256::from(1));
    let usage = ok(&url, "devnet_sessionUsage", json!([kept.session_id])).await;
    assert_eq!((usage["revoked"].clone(), usage["revocation"].clone()), (json!(false), Value::Null));
}

#[tokio::test]
async fn consuming_the_signed_nonce_cancels_an_unused_grant() {
    let d = devnet().await;
    let url = d.url();
    let owner = signer(OWNER_KEY).address();
    let account = funded_account(&url, owner, 1000 * MILLI).await;
    let perms = json!([{"type": "contract-access", "data": {"address": ALICE}}]);
    let g = grant(&url, account, signer(SESSION_KEY).address(), perms, None).await;
    let caps = json!({"permissions": g.capability()});
    let calls = json!([{"to": ALICE, "value": "0x1"}]);
    let early = prepare(&url, account, calls.clone(), caps.clone()).await;
    let nonce = signed_nonce(&g);
    let key = NonceParts::from_nonce(nonce).key();
    assert_eq!(ep_nonce(&d.node, account, key).await, nonce, "the grant is unused");

    let bump = json!([{"to": ENTRY_POINT_V07, "data": increment_nonce_call(key)}]);
    let id = send_calls(&url, account, bump, json!({}), OWNER_KEY).await;
    assert_eq!(status(&url, &id).await["status"], 200);
    assert_eq!(ep_nonce(&d.node, account, key).await, nonce + U256::from(1));

    let (code, msg) = refused(&url, account, &calls, &caps).await;
    assert_eq!(code, -32500);
    assert!(msg.starts_with("AA25 invalid account nonce: session revoked: its grant was cancelled"), "{msg}");
    let before = balance(&d.node, ALICE).await;
    let (code, msg) = err(&url, "wallet_sendPreparedCalls", json!([sign_prepared(&early, SESSION_KEY, caps)])).await;
    assert_eq!(code, -32500, "{msg}");
    assert!(msg.contains("its grant was cancelled"), "{msg}");
    assert_eq!(balance(&d.node, ALICE).await, before, "nothing moved");
    let usage = ok(&url, "devnet_sessionUsage", json!([g.session_id])).await;
    assert_eq!(usage["installed"], false);
    assert_eq!((usage["revoked"].clone(), usage["revocation"].clone()), (json!(true), json!("install-nonce-consumed")));
}
