//! `verify_prepared` against the golden prepareCalls examples: what the server asks to be
//! signed must be the hash of the op it returned, and the op must make exactly the calls
//! that were asked for. Every tampering is refused with the field named.

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use alloy_primitives::{Address, B256, Bytes, U256};
use serde_json::Value;
use warden_core::api::{Call, PrepareCallsParams, PreparedCall};
use warden_core::signing::{PreparedExpectation, ToSign, VerifyPreparedError, verify_prepared};

fn example(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/spec/examples").join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn load(name: &str) -> (PrepareCallsParams, Value) {
    let e = example(name);
    (serde_json::from_value(e["request"]["params"][0].clone()).unwrap(), e["response"]["result"].clone())
}

fn check(params: &PrepareCallsParams, result: &Value, exec: Option<bool>) -> Result<Vec<ToSign>, VerifyPreparedError> {
    let prepared: PreparedCall = serde_json::from_value(result.clone()).unwrap();
    let calls = params.calls.clone().unwrap_or_default();
    let expect = PreparedExpectation {
        chain_id: params.chain_id,
        sender: params.from,
        calls: &calls,
        execute_user_op: exec,
        fees: warden_core::signing::FeeBounds::default(),
    };
    verify_prepared(&prepared, &expect).map(|v| v.to_sign)
}

fn fields(e: VerifyPreparedError) -> Vec<String> {
    match e {
        VerifyPreparedError::Mismatches(m) => m.into_iter().map(|m| m.field).collect(),
        other => panic!("unexpected {other}"),
    }
}

#[test]
fn examples_verify_and_give_the_digests_to_sign() {
    let (p, r) = load("wallet_prepareCalls.1-session-first-use-sma.json");
    let to_sign = check(&p, &r, Some(false)).unwrap();
    let [ToSign::UserOperation { user_op_hash, calls, .. }] = to_sign.as_slice() else { panic!("{to_sign:?}") };
    assert_eq!(*user_op_hash, r["signatureRequest"]["data"]["raw"].as_str().unwrap().parse::<B256>().unwrap());
    assert_eq!(calls.calls[0].value, Some(U256::from(1_000_000_000_000_000u64)));

    // A session with an ERC-20 limit has execution hooks: executeUserOp-prefixed data.
    let (p, r) = load("wallet_prepareCalls.2-session-context-7702.json");
    let to_sign = check(&p, &r, Some(true)).unwrap();
    assert!(matches!(&to_sign[0], ToSign::UserOperation { calls, .. } if calls.execute_user_op));
    assert_eq!(fields(check(&p, &r, Some(false)).unwrap_err()), ["data.callData"]);

    // An undelegated 7702 EOA: the authorization first, then the op, both to sign.
    let (p, r) = load("wallet_prepareCalls.3-7702-undelegated-owner.json");
    let to_sign = check(&p, &r, None).unwrap();
    assert!(matches!(to_sign[0], ToSign::Authorization { .. }));
    assert!(matches!(to_sign[1], ToSign::UserOperation { .. }));
}

#[test]
fn tampering_is_refused_with_the_field_named() {
    let (p, r) = load("wallet_prepareCalls.1-session-first-use-sma.json");

    // The hash to sign is not the op's hash.
    let mut t = r.clone();
    t["signatureRequest"]["data"]["raw"] = Value::String(format!("{}", B256::repeat_byte(7)));
    assert_eq!(fields(check(&p, &t, None).unwrap_err()), ["signatureRequest.data.raw"]);

    // The op changed after the hash was computed (gas), so the hash no longer matches.
    let mut t = r.clone();
    t["data"]["callGasLimit"] = Value::String("0x1".into());
    let f = fields(check(&p, &t, None).unwrap_err());
    assert!(f.contains(&"signatureRequest.data.raw".to_owned()), "{f:?}");

    // The server asks us to send more value than requested.
    let mut asked = p.clone();
    asked.calls.as_mut().unwrap()[0].value = Some(U256::from(1u64));
    assert_eq!(fields(check(&asked, &r, None).unwrap_err()), ["calls[0].value"]);

    // Another recipient, another chain, another sender, an extra call.
    let mut asked = p.clone();
    asked.calls.as_mut().unwrap()[0].to = Address::repeat_byte(9);
    assert_eq!(fields(check(&asked, &r, None).unwrap_err()), ["calls[0].to"]);
    let mut asked = p.clone();
    asked.chain_id = 1;
    assert_eq!(fields(check(&asked, &r, None).unwrap_err()), ["chainId"]);
    let mut asked = p.clone();
    asked.from = Address::repeat_byte(1);
    assert_eq!(fields(check(&asked, &r, None).unwrap_err()), ["data.sender"]);
    let mut asked = p.clone();
    asked.calls.as_mut().unwrap().push(Call { to: Address::repeat_byte(2), data: Some(Bytes::new()), value: None });
    assert_eq!(fields(check(&asked, &r, None).unwrap_err()), ["calls"]);

    // No signature request (estimate only): nothing that can be signed.
    let mut t = r.clone();
    t.as_object_mut().unwrap().remove("signatureRequest");
    assert_eq!(fields(check(&p, &t, None).unwrap_err()), ["signatureRequest"]);

    // A details hash that disagrees.
    let mut t = r;
    t["details"]["data"]["hash"] = Value::String(format!("{}", B256::repeat_byte(1)));
    assert_eq!(fields(check(&p, &t, None).unwrap_err()), ["details.data.hash"]);
}

#[test]
fn array_authorization_must_delegate_to_the_mav2_implementation() {
    let (p, r) = load("wallet_prepareCalls.3-7702-undelegated-owner.json");
    let mut t = r;
    t["data"][0]["data"]["address"] = Value::String("0x1111111111111111111111111111111111111111".into());
    assert_eq!(fields(check(&p, &t, None).unwrap_err()), ["data[0].data.address"]);
    // An undelegation slipped into a delegation request is refused the same way.
    t["data"][0]["data"]["address"] = Value::String("0x0000000000000000000000000000000000000000".into());
    assert_eq!(fields(check(&p, &t, None).unwrap_err()), ["data[0].data.address"]);
}

/// Rewrites `result`'s hash fields so they match its (changed) op: only the fee check can
/// then refuse it.
fn rehash(result: &mut Value) {
    use warden_core::mav2::constants::ENTRY_POINT_V07;
    let op: warden_core::api::UserOperationV07 = serde_json::from_value(result["data"].clone()).unwrap();
    let chain = u64::from_str_radix(result["chainId"].as_str().unwrap().trim_start_matches("0x"), 16).unwrap();
    let hash = warden_core::mav2::user_op::hash_v07(&op, ENTRY_POINT_V07, chain).unwrap();
    result["signatureRequest"]["data"]["raw"] = Value::String(hash.to_string());
    result["signatureRequest"]["rawPayload"] = Value::String(alloy_primitives::eip191_hash_message(hash).to_string());
    if result.get("details").is_some() {
        result["details"]["data"]["hash"] = Value::String(hash.to_string());
    }
}

#[test]
fn fees_the_endpoint_chose_are_bounded() {
    let (p, r) = load("wallet_prepareCalls.1-session-first-use-sma.json");
    assert!(check(&p, &r, None).is_ok(), "the golden example's fees are ordinary");

    // A fee per gas that makes the operation cost more than the ceiling (0.05 ETH).
    let mut t = r.clone();
    t["data"]["maxFeePerGas"] = Value::String("0x2540be400000".into()); // 40,960 gwei
    rehash(&mut t);
    assert_eq!(fields(check(&p, &t, None).unwrap_err()), ["maximum gas cost"]);

    // A priority fee above the maximum fee.
    let mut t = r.clone();
    let max_fee = t["data"]["maxFeePerGas"].as_str().unwrap().to_owned();
    let above = U256::from_str_radix(max_fee.trim_start_matches("0x"), 16).unwrap() + U256::from(1);
    t["data"]["maxPriorityFeePerGas"] = Value::String(format!("{above:#x}"));
    rehash(&mut t);
    assert_eq!(fields(check(&p, &t, None).unwrap_err()), ["data.maxPriorityFeePerGas"]);

    // An absurd single gas limit.
    let mut t = r.clone();
    t["data"]["verificationGasLimit"] = Value::String("0x3b9aca00".into()); // 1e9
    t["data"]["maxFeePerGas"] = Value::String("0x1".into());
    t["data"]["maxPriorityFeePerGas"] = Value::String("0x1".into());
    rehash(&mut t);
    assert_eq!(fields(check(&p, &t, None).unwrap_err()), ["data.verificationGasLimit"]);
}
