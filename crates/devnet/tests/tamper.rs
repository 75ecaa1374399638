//! The test-only tamper switch: it exists only with `test_hooks`; each mode makes the next
//! `wallet_createSession` answer with a broader but internally consistent grant (schema-valid,
//! `rawPayload` its true digest), and `verify_grant` names the field that differs.

#![allow(clippy::unwrap_used)]

mod common;

use alloy_primitives::{Address, address};
use common::*;
use serde_json::{Value, json};
use warden_core::api::{CreateSessionParams, CreateSessionResult, TypedDataDefinition};
use warden_core::signing::digest::typed_data_digest;
use warden_core::signing::{DigestSigner, Mismatch, VerifyGrantError, verify_grant};
use warden_devnet::DevnetConfig;

const TARGET: Address = address!("00000000000000000000000000000000000a11ce");
const TOKEN: Address = address!("00000000000000000000000000000000000070c3");

fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}

/// A scoped request: 0.01 ETH, 5 units of a token, one contract, one day.
fn scoped_request(account: Address) -> Value {
    json!({
        "account": account,
        "chainId": CHAIN,
        "key": {"type": "secp256k1", "publicKey": signer(SESSION_KEY).address()},
        "permissions": [
            {"type": "native-token-transfer", "data": {"allowance": "0x2386f26fc10000"}},
            {"type": "erc20-token-transfer", "data": {"allowance": "0x5", "address": TOKEN}},
            {"type": "contract-access", "data": {"address": TARGET}}
        ],
        "expirySec": now() + 86_400,
    })
}

/// Asks for `request`, checks the answer is schema-valid and self-consistent, and returns
/// what `verify_grant` says about it.
async fn create_and_verify(url: &str, request: &Value) -> (CreateSessionResult, Result<(), Vec<Mismatch>>) {
    let result = wallet(url, "wallet_createSession", json!([request])).await;
    let typed: TypedDataDefinition = serde_json::from_value(result["signatureRequest"]["data"].clone()).unwrap();
    let digest = typed_data_digest(&typed).unwrap();
    assert_eq!(result["signatureRequest"]["rawPayload"], json!(digest), "rawPayload is the true digest");
    let params: CreateSessionParams = serde_json::from_value(request.clone()).unwrap();
    let result: CreateSessionResult = serde_json::from_value(result).unwrap();
    let verdict = match verify_grant(&params, &result, now()) {
        Ok(_) => Ok(()),
        Err(VerifyGrantError::Mismatches(m)) => Err(m),
        Err(other) => panic!("unexpected: {other}"),
    };
    (result, verdict)
}

async fn usage(url: &str, result: &CreateSessionResult) -> Value {
    ok(url, "devnet_sessionUsage", json!([result.session_id])).await
}

#[tokio::test]
async fn set_tamper_does_not_exist_without_test_hooks() {
    let d = devnet().await;
    let (code, msg) = err(&d.url(), "devnet_setTamper", json!(["root"])).await;
    assert_eq!(code, -32601, "{msg}");
    assert!(msg.contains("--test-hooks"), "{msg}");
    // And the next grant is honest.
    let account = funded_account(&d.url(), signer(OWNER_KEY).address(), 10u128.pow(18)).await;
    let (_, verdict) = create_and_verify(&d.url(), &scoped_request(account)).await;
    assert_eq!(verdict, Ok(()));
}

#[tokio::test]
async fn each_tamper_mode_is_caught_by_verify_grant_with_the_field_named() {
    let d = devnet_with(DevnetConfig { test_hooks: true, ..DevnetConfig::default() }).await;
    let url = d.url();
    let account = funded_account(&url, signer(OWNER_KEY).address(), 10u128.pow(18)).await;
    let request = scoped_request(account);

    let (code, msg) = err(&url, "devnet_setTamper", json!(["everything"])).await;
    assert_eq!(code, -32602);
    assert!(msg.contains("unknown mode"), "{msg}");
    let (code, _) = err(&url, "devnet_setTamper", json!([])).await;
    assert_eq!(code, -32602);

    // root: the grant installs full control.
    assert_eq!(ok(&url, "devnet_setTamper", json!(["root"])).await, json!({"mode": "root"}));
    let (result, verdict) = create_and_verify(&url, &request).await;
    let mismatches = verdict.unwrap_err();
    let first = &mismatches[0];
    assert_eq!(first.field, "permissions[0]", "{mismatches:?}");
    assert!(first.got.contains("root"), "{first:?}");
    assert!(mismatches.iter().all(|m| m.field.starts_with("permissions[")), "{mismatches:?}");
    assert_eq!(usage(&url, &result).await["permissions"], json!([{"type": "root"}]), "the devnet granted root");

    // higher-allowance: the native allowance × 1000.
    ok(&url, "devnet_setTamper", json!(["higher-allowance"])).await;
    let (result, verdict) = create_and_verify(&url, &request).await;
    let mismatches = verdict.unwrap_err();
    assert_eq!(mismatches.len(), 1, "{mismatches:?}");
    let m = &mismatches[0];
    assert!(m.field.starts_with("permissions["), "{m:?}");
    assert!(m.expected.contains("0x2386f26fc10000") && m.got.contains("0x8ac7230489e80000"), "{m:?}");
    let limits = usage(&url, &result).await["limits"].clone();
    assert_eq!(limits[0]["limit"], "0x8ac7230489e80000", "the devnet granted 10 ETH: {limits}");

    // other-key: the asked permissions, for a key nobody asked for.
    ok(&url, "devnet_setTamper", json!(["other-key"])).await;
    let (result, verdict) = create_and_verify(&url, &request).await;
    let mismatches = verdict.unwrap_err();
    assert_eq!(mismatches.len(), 1, "{mismatches:?}");
    assert_eq!(mismatches[0].field, "sessionKey");
    assert_eq!(mismatches[0].expected, signer(SESSION_KEY).address().to_string());
    let installed_key = usage(&url, &result).await["key"].as_str().unwrap().to_owned();
    assert_eq!(mismatches[0].got, installed_key);
    assert_ne!(installed_key, signer(SESSION_KEY).address().to_checksum(None));

    // A mode applies once; `off` clears a pending one.
    let (_, verdict) = create_and_verify(&url, &request).await;
    assert_eq!(verdict, Ok(()));
    ok(&url, "devnet_setTamper", json!(["root"])).await;
    assert_eq!(ok(&url, "devnet_setTamper", json!(["off"])).await, json!({"mode": "off"}));
    let (_, verdict) = create_and_verify(&url, &request).await;
    assert_eq!(verdict, Ok(()));

    // higher-allowance needs an allowance to raise; the refusal consumes the mode.
    ok(&url, "devnet_setTamper", json!(["higher-allowance"])).await;
    let mut no_allowance = request.clone();
    no_allowance["permissions"] = json!([{"type": "contract-access", "data": {"address": TARGET}}]);
    let (code, msg) = err(&url, "wallet_createSession", json!([no_allowance])).await;
    assert_eq!(code, -32602);
    assert!(msg.contains("no allowance to raise"), "{msg}");
    let (_, verdict) = create_and_verify(&url, &no_allowance).await;
    assert_eq!(verdict, Ok(()));
}
