//! EIP-7702 accounts against a real anvil: the `array` form with an authorization for an
//! undelegated EOA, a real delegation designator after send, and sessions only once
//! delegated.

#![allow(clippy::unwrap_used)]

mod common;

use alloy_primitives::{Address, B256, Bytes, U256, address, eip191_hash_message};
use common::*;
use serde_json::{Value, json};
use warden_core::signing::digest::{Authorization, auth_digest};
use warden_core::signing::{DigestSigner, signature_bytes};

const ALICE: Address = address!("00000000000000000000000000000000000a11ce");
/// anvil's fifth test key (public).
const FIFTH_KEY: &str = "47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a";
/// anvil's sixth test key (public).
const SIXTH_KEY: &str = "8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba";

fn sig_hex(key: &str, digest: B256) -> Bytes {
    Bytes::copy_from_slice(&signature_bytes(&signer(key).sign_digest(&digest).unwrap()))
}

/// Signs both elements of a prepared array with `auth_key` and `op_key`.
fn sign_array(prepared: &Value, auth_key: &str, op_key: &str) -> Value {
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
        ]
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
    assert_eq!(code, -32011, "{msg}");
    assert_eq!(ok(&url, "eth_getCode", json!([eoa, "latest"])).await, json!("0x"));

    let signed = sign_array(&prepared, FIFTH_KEY, FIFTH_KEY);
    let sent = wallet(&url, "wallet_sendPreparedCalls", json!([signed.clone()])).await;
    let st = status(&url, sent["id"].as_str().unwrap()).await;
    assert_eq!(st["status"], 200, "{st}");
    assert_eq!(
        ok(&url, "eth_getCode", json!([eoa, "latest"])).await,
        json!("0xef010069007702764179f14f51cdce752f4f775d74e139")
    );
    assert_eq!(balance(&url, ALICE).await, U256::from(5));
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
    assert_eq!(balance(&url, ALICE).await, U256::from(7));
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
    assert_eq!(code, -32012, "{msg}");
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
    assert_eq!(balance(&url, ALICE).await, U256::from(3));
    assert_eq!(
        ok(&url, "eth_getCode", json!([eoa, "latest"])).await,
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
