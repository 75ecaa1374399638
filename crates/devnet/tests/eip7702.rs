//! EIP-7702 accounts against a real anvil: the `array` form with an authorization for an
//! undelegated EOA, a real delegation designator after send, sessions only once delegated,
//! and a fresh EOA with no ETH that delegates only through a gas policy.

#![allow(clippy::unwrap_used)]

mod common;

use alloy_primitives::{Address, B256, Bytes, U256, address, eip191_hash_message};
use common::*;
use serde_json::{Value, json};
use warden_core::signing::digest::{Authorization, auth_digest};
use warden_core::signing::{DigestSigner, LocalSigner, signature_bytes};

const ALICE: Address = address!("00000000000000000000000000000000000a11ce");
/// anvil's fifth test key (public).
const FIFTH_KEY: &str = "47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a";
/// anvil's sixth test key (public).
const SIXTH_KEY: &str = "8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba";

fn sig_hex(key: &LocalSigner, digest: B256) -> Bytes {
    Bytes::copy_from_slice(&signature_bytes(&key.sign_digest(&digest).unwrap()))
}

/// Signs both elements of a prepared array with `auth_key` and `op_key`.
fn sign_array(prepared: &Value, auth_key: &str, op_key: &str) -> Value {
    sign_array_with(prepared, &signer(auth_key), &signer(op_key), json!({}))
}

/// Signs both elements of a prepared array; the send repeats `capabilities`.
fn sign_array_with(prepared: &Value, auth_key: &LocalSigner, op_key: &LocalSigner, capabilities: Value) -> Value {
    let auth = &prepared["data"][0];
    let op = &prepared["data"][1];
    let auth_digest: B256 = serde_json::from_value(auth["signatureRequest"]["rawPayload"].clone()).unwrap();
    let hash: B256 = serde_json::from_value(op["signatureRequest"]["data"]["raw"].clone()).unwrap();
    json!({
        "type": "array",
        "data": [
            {"type": "authorization", "data": auth["data"], "chainId": auth["chainId"],
             "signature": {"type": "secp256k1", "data": sig_hex(auth_key, auth_digest)}},
            {"type": "user-operation-v070", "data": op["data"], "chainId": op["chainId"],
             "signature": {"type": "secp256k1", "data": sig_hex(op_key, eip191_hash_message(hash))}},
        ],
        "capabilities": capabilities,
    })
}

#[tokio::test]
async fn an_undelegated_eoa_is_delegated_by_its_first_owner_call_and_then_takes_sessions() {
    let d = devnet().await;
    let url = d.url();
    let eoa = signer(FIFTH_KEY).address();
    let r =
        wallet(&url, "wallet_requestAccount", json!([{"signerAddress": eoa, "creationHint": {"accountType": "7702"}}]))
            .await;
    assert_eq!(addr(&r["accountAddress"]), eoa);

    // No session before the delegation.
    let params = json!([{"account": eoa, "chainId": CHAIN, "key": {"type": "secp256k1", "publicKey": signer(SESSION_KEY).address()}, "permissions": [{"type": "root"}]}]);
    let (code, msg) = err(&url, "wallet_createSession", params).await;
    assert_eq!(code, -32602);
    assert!(msg.contains("is not delegated"), "{msg}");

    let prepared = wallet(
        &url,
        "wallet_prepareCalls",
        json!([{"calls": [{"to": ALICE, "value": "0x5"}], "from": eoa, "chainId": CHAIN}]),
    )
    .await;
    assert_eq!(prepared["type"], "array", "{prepared}");
    let auth = &prepared["data"][0];
    assert_eq!(auth["type"], "authorization");
    assert_eq!(auth["data"]["address"], "0x69007702764179f14F51cdce752f4f775d74E139");
    let nonce = quantity(&auth["data"]["nonce"]).to::<u64>();
    let expected = auth_digest(&Authorization {
        chain_id: 31337,
        address: address!("69007702764179f14F51cdce752f4f775d74E139"),
        nonce,
    });
    assert_eq!(auth["signatureRequest"], json!({"type": "eip7702Auth", "rawPayload": expected}));
    assert_eq!(prepared["data"][1]["data"]["sender"], json!(eoa.to_checksum(None)));

    // An authorization signed by another key changes nothing.
    let forged = sign_array(&prepared, OTHER_KEY, FIFTH_KEY);
    let (code, msg) = err(&url, "wallet_sendPreparedCalls", json!([forged])).await;
    assert_eq!(code, -32602, "{msg}");
    assert!(msg.starts_with("invalid eip7702Auth"), "{msg}");
    assert_eq!(ok(&d.node, "eth_getCode", json!([eoa, "latest"])).await, json!("0x"));

    let signed = sign_array(&prepared, FIFTH_KEY, FIFTH_KEY);
    let sent = wallet(&url, "wallet_sendPreparedCalls", json!([signed.clone()])).await;
    let st = status(&url, sent["id"].as_str().unwrap()).await;
    assert_eq!(st["status"], 200, "{st}");
    assert_eq!(
        ok(&d.node, "eth_getCode", json!([eoa, "latest"])).await,
        json!("0xef010069007702764179f14f51cdce752f4f775d74e139")
    );
    assert_eq!(balance(&d.node, ALICE).await, U256::from(5));
    // Idempotent, as every send.
    assert_eq!(wallet(&url, "wallet_sendPreparedCalls", json!([signed])).await["id"], sent["id"]);

    // Delegated: owner calls are plain user operations, and sessions work.
    let again = prepare(&url, eoa, json!([{"to": ALICE, "value": "0x1"}]), json!({})).await;
    assert_eq!(again["type"], "user-operation-v070");
    let g = grant_as(&url, FIFTH_KEY, eoa, signer(SESSION_KEY).address(), json!([{"type": "root"}]), None).await;
    let id = send_calls(
        &url,
        eoa,
        json!([{"to": ALICE, "value": "0x2"}]),
        json!({"permissions": g.capability()}),
        SESSION_KEY,
    )
    .await;
    assert_eq!(status(&url, &id).await["status"], 200);
    assert_eq!(balance(&d.node, ALICE).await, U256::from(7));
}

#[tokio::test]
async fn an_eoa_never_requested_sends_as_its_7702_account_like_the_official_clients_default() {
    let d = devnet().await;
    let url = d.url();
    // Funded by anvil; wallet_requestAccount is never called for it.
    let eoa = signer(SIXTH_KEY).address();

    // A refused request records no account.
    let unknown_session =
        json!({"permissions": {"sessionId": "0x000102030405060708090a0b0c0d0e0f", "signature": "0x00"}});
    let (code, msg) = err(
        &url,
        "wallet_prepareCalls",
        json!([{"calls": [{"to": ALICE, "value": "0x1"}], "from": eoa, "chainId": CHAIN, "capabilities": unknown_session}]),
    )
    .await;
    assert_eq!(code, -32602, "{msg}");
    assert!(msg.contains("unknown session"), "{msg}");
    assert_eq!(ok(&url, "wallet_listAccounts", json!([{"signerAddress": eoa}])).await["meta"]["totalCount"], 0);

    let prepared = wallet(
        &url,
        "wallet_prepareCalls",
        json!([{"calls": [{"to": ALICE, "value": "0x3"}], "from": eoa, "chainId": CHAIN}]),
    )
    .await;
    assert_eq!(prepared["type"], "array", "{prepared}");
    let sent = wallet(&url, "wallet_sendPreparedCalls", json!([sign_array(&prepared, SIXTH_KEY, SIXTH_KEY)])).await;
    assert_eq!(status(&url, sent["id"].as_str().unwrap()).await["status"], 200);
    assert_eq!(balance(&d.node, ALICE).await, U256::from(3));
    assert_eq!(
        ok(&d.node, "eth_getCode", json!([eoa, "latest"])).await,
        json!("0xef010069007702764179f14f51cdce752f4f775d74e139")
    );
    // It is now the signer's account.
    let r = wallet(&url, "wallet_requestAccount", json!([{"signerAddress": eoa}])).await;
    assert_eq!(
        (addr(&r["accountAddress"]), r["delegation"].clone()),
        (eoa, json!("0x69007702764179f14F51cdce752f4f775d74E139"))
    );

    // An unknown address with other code (a contract) is no account.
    let entry_point = warden_core::mav2::constants::ENTRY_POINT_V07;
    let (code, msg) = err(
        &url,
        "wallet_prepareCalls",
        json!([{"calls": [{"to": ALICE, "value": "0x1"}], "from": entry_point, "chainId": CHAIN}]),
    )
    .await;
    assert_eq!(code, -32602);
    assert!(msg.contains("unknown account"), "{msg}");
}

/// A fresh EOA with 0 ETH: without a gas policy its first owner call cannot pay (AA21) and
/// nothing lands, not even the delegation; through the default policy it is delegated and
/// its call runs, and the account pays nothing.
#[tokio::test]
async fn a_fresh_eoa_with_no_eth_delegates_only_through_a_gas_policy() {
    let d = devnet().await;
    let url = d.url();
    let eoa = LocalSigner::random();
    let calls = json!([{"to": ALICE, "value": "0x0"}]);

    let unsponsored =
        wallet(&url, "wallet_prepareCalls", json!([{"calls": calls, "from": eoa.address(), "chainId": CHAIN}])).await;
    assert_eq!(unsponsored["type"], "array");
    assert_eq!(unsponsored["data"][1]["feePayment"]["sponsored"], false);
    let signed = sign_array_with(&unsponsored, &eoa, &eoa, json!({}));
    let (code, msg) = err(&url, "wallet_sendPreparedCalls", json!([signed])).await;
    assert_eq!(code, -32500, "{msg}");
    assert!(msg.starts_with("AA21 didn't pay prefund"), "{msg}");
    assert_eq!(ok(&d.node, "eth_getCode", json!([eoa.address(), "latest"])).await, json!("0x"), "not delegated");

    let policy = json!({"paymasterService": default_policy()});
    let sponsored = wallet(
        &url,
        "wallet_prepareCalls",
        json!([{"calls": calls, "from": eoa.address(), "chainId": CHAIN, "capabilities": policy}]),
    )
    .await;
    assert_eq!(sponsored["data"][1]["feePayment"]["sponsored"], true);
    assert_eq!(sponsored["data"][1]["data"]["paymaster"], "0x2cc0c7981D846b9F2a16276556f6e8cb52BfB633");
    let signed = sign_array_with(&sponsored, &eoa, &eoa, policy);
    let sent = wallet(&url, "wallet_sendPreparedCalls", json!([signed])).await;
    let st = status(&url, sent["id"].as_str().unwrap()).await;
    assert_eq!(st["status"], 200, "{st}");
    assert_eq!(
        ok(&d.node, "eth_getCode", json!([eoa.address(), "latest"])).await,
        json!("0xef010069007702764179f14f51cdce752f4f775d74e139")
    );
    assert_eq!(balance(&d.node, eoa.address()).await, U256::ZERO, "the policy paid the gas");
}
