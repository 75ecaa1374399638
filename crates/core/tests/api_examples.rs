//! Every golden example in `fixtures/spec/examples` parses into the typed params and result
//! of its method and serializes back to exactly the same JSON (same keys, same strings:
//! checksummed addresses, minimal hex, integer status and expiry).
//!
//! Equality is `serde_json::Value` equality, which ignores object key order and nothing
//! else. One normalisation exists, for one value: see [`MISCHECKSUMMED`]. (Non-minimal hex
//! such as `"0x01"`, which the server accepts, would be another ambiguity; it does not occur
//! in these examples, and `wire`'s own tests cover it.)

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use alloy_primitives::{U256, address};
use serde_json::Value;
use warden_core::api::*;
use warden_core::permissions::Permission;

struct Example {
    name: String,
    request: Value,
    response: Value,
}

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/spec/examples")
}

fn load_examples() -> Vec<Example> {
    let mut out: Vec<Example> = std::fs::read_dir(examples_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            let v: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
            Example {
                name: p.file_name().unwrap().to_string_lossy().into_owned(),
                request: v["request"].clone(),
                response: v["response"].clone(),
            }
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// Parses and re-serializes params and result; returns the typed values for further checks.
fn round_trip<M: RpcMethod>(ex: &Example) -> (M::Params, M::Result) {
    assert_eq!(ex.request["method"], M::NAME, "{}", ex.name);
    let params_wire = ex.request["params"].clone();
    let params = M::parse_params(params_wire.clone()).unwrap_or_else(|e| panic!("{}: {e}", ex.name));
    assert_eq!(M::params_json(&params).unwrap(), params_wire, "{}: params differ after a round trip", ex.name);

    assert!(ex.response.get("error").is_none(), "{}: error responses are not part of the example set", ex.name);
    let result_wire = ex.response["result"].clone();
    let result = M::parse_result(result_wire.clone()).unwrap_or_else(|e| panic!("{}: {e}", ex.name));
    let written = M::result_json(&result).unwrap();
    let expected = accept_checksum_fix(&ex.name, "/response/result", result_wire, &written);
    assert_eq!(written, expected, "{}: result differs after a round trip", ex.name);
    (params, result)
}

/// Addresses in the examples that are mixed-case but not valid EIP-55 (file, JSON pointer
/// from the top of the file). The types always write the EIP-55 form, so for these — and
/// only these — the expected text is the corrected checksum, after checking that the
/// original really is a bad checksum of the same address. A fixture defect, reported
/// upstream; `fixtures/` is not edited here.
const MISCHECKSUMMED: &[(&str, &str)] =
    &[("wallet_listAccounts.2-last-page.json", "/response/result/accounts/0/accountAddress")];

fn accept_checksum_fix(file: &str, prefix: &str, mut expected: Value, written: &Value) -> Value {
    for (_, pointer) in MISCHECKSUMMED.iter().filter(|(f, _)| *f == file) {
        let pointer = pointer.strip_prefix(prefix).unwrap();
        let original = expected.pointer(pointer).and_then(Value::as_str).unwrap().to_owned();
        let ours = written.pointer(pointer).and_then(Value::as_str).unwrap();
        assert!(
            alloy_primitives::Address::parse_checksummed(&original, None).is_err(),
            "{file}{pointer}: `{original}` is a valid checksum now; drop it from MISCHECKSUMMED"
        );
        assert!(original.eq_ignore_ascii_case(ours), "{file}{pointer}: `{ours}` is not `{original}`");
        *expected.pointer_mut(pointer).unwrap() = Value::String(ours.to_owned());
    }
    expected
}

const BASE_SEPOLIA: u32 = 84532;

#[test]
fn every_example_round_trips_exactly() {
    let examples = load_examples();
    assert_eq!(examples.len(), 23, "the example set changed; review this test");
    let mut methods = BTreeSet::new();
    for ex in &examples {
        let method = ex.request["method"].as_str().unwrap().to_owned();
        match method.as_str() {
            RequestAccount::NAME => {
                round_trip::<RequestAccount>(ex);
            }
            ListAccounts::NAME => {
                round_trip::<ListAccounts>(ex);
            }
            CreateSession::NAME => {
                round_trip::<CreateSession>(ex);
            }
            PrepareCalls::NAME => {
                round_trip::<PrepareCalls>(ex);
            }
            SendPreparedCalls::NAME => {
                round_trip::<SendPreparedCalls>(ex);
            }
            GetCallsStatus::NAME => {
                round_trip::<GetCallsStatus>(ex);
            }
            GetCapabilities::NAME => {
                round_trip::<GetCapabilities>(ex);
            }
            PrepareSign::NAME => {
                round_trip::<PrepareSign>(ex);
            }
            FormatSign::NAME => {
                round_trip::<FormatSign>(ex);
            }
            other => panic!("{}: unexpected method {other}", ex.name),
        }
        methods.insert(method);
    }
    assert_eq!(methods.len(), 9, "every method Warden speaks has an example: {methods:?}");
}

fn example(name: &str) -> Example {
    load_examples().into_iter().find(|e| e.name.starts_with(name)).unwrap_or_else(|| panic!("no example {name}"))
}

#[test]
fn request_account_examples_parse_to_the_right_variants() {
    let (params, result) = round_trip::<RequestAccount>(&example("wallet_requestAccount.1"));
    let RequestAccountParams::BySigner(p) = params else { panic!("by signer expected") };
    assert_eq!(p.signer_address, address!("f39Fd6e51aad88F6F4ce6aB8827279cffFb92266"));
    assert_eq!(
        p.creation_hint,
        Some(CreationHint::SingleOwner(SingleOwnerHint {
            account_type: Some(SingleOwnerAccountType::SmaB),
            ..Default::default()
        }))
    );
    assert_eq!(p.include_counterfactual_info, Some(true));
    let info = result.counterfactual_info.unwrap();
    assert_eq!(info.factory_type, FactoryType::ModularAccountV2SmaB);
    assert_eq!(info.factory_address, address!("00000000000017c61b5bEe81050EC8eFc9c6fecd"));
    assert_eq!(result.id.to_string(), "0b6e5a8e-7c1d-4f2a-9e3b-5d4c3b2a1f00");

    let (params, result) = round_trip::<RequestAccount>(&example("wallet_requestAccount.2"));
    let RequestAccountParams::BySigner(p) = params else { panic!("by signer expected") };
    assert_eq!(p.creation_hint, Some(CreationHint::Eip7702));
    assert_eq!(result.account_address, p.signer_address, "a 7702 account is the signer itself");
    assert_eq!(result.delegation, Some(address!("69007702764179f14F51cdce752f4f775d74E139")));

    let (params, _) = round_trip::<RequestAccount>(&example("wallet_requestAccount.3"));
    assert!(matches!(params, RequestAccountParams::ByAccount(_)));
}

#[test]
fn list_accounts_examples_page() {
    let (params, result) = round_trip::<ListAccounts>(&example("wallet_listAccounts.1"));
    assert_eq!(params.limit, Some(1));
    assert_eq!(result.meta.total_count, 2);
    let cursor = result.meta.after.unwrap();
    let (params, result) = round_trip::<ListAccounts>(&example("wallet_listAccounts.2"));
    assert_eq!(params.after, Some(cursor));
    assert_eq!(result.meta.after, None);
}

#[test]
fn create_session_examples() {
    let (params, result) = round_trip::<CreateSession>(&example("wallet_createSession.1"));
    assert_eq!(params.chain_id, BASE_SEPOLIA);
    assert_eq!(params.expiry_sec, Some(1_893_456_000));
    assert_eq!(params.permissions, vec![Permission::Root]);
    assert_eq!(params.key.ty, KeyType::Secp256k1);
    assert_eq!(result.session_id.len(), 16);
    let SignatureRequest::TypedData { data, raw_payload } = &result.signature_request else { panic!() };
    assert_eq!(data.primary_type, "DeferredAction");
    assert_eq!(data.domain.as_ref().unwrap().chain_id, Some(u64::from(BASE_SEPOLIA)));
    assert_eq!(data.domain.as_ref().unwrap().verifying_contract, Some(params.account));
    assert_eq!(raw_payload.as_ref().unwrap().len(), 32);

    let (params, _) = round_trip::<CreateSession>(&example("wallet_createSession.2"));
    let kinds: Vec<_> = params.permissions.iter().map(|p| p.kind().wire_name()).collect();
    assert_eq!(kinds, ["erc20-token-transfer", "native-token-transfer", "gas-limit", "functions-on-contract"]);

    let (params, _) = round_trip::<CreateSession>(&example("wallet_createSession.3"));
    assert_eq!(params.expiry_sec, None);
    assert_eq!(params.key.ty, KeyType::Ecdsa);
}

#[test]
fn prepare_calls_examples() {
    let (params, result) = round_trip::<PrepareCalls>(&example("wallet_prepareCalls.1"));
    let caps = params.capabilities.unwrap();
    assert!(matches!(caps.permissions, Some(PermissionsCapability::Remote { .. })));
    let policy = caps.paymaster_service.unwrap().policy;
    assert_eq!(policy, GasPolicy::Single("6f8e2c1a-3b4d-4e5f-8a9b-0c1d2e3f4a5b".parse().unwrap()));
    let PreparedCall::UserOperationV070(op) = result else { panic!("v0.7 user op expected, got {}", result.kind()) };
    assert_eq!(op.chain_id, BASE_SEPOLIA);
    assert!(op.data.factory.is_some(), "first use of a counterfactual account deploys it");
    assert_eq!(op.data.paymaster_post_op_gas_limit, Some(U256::ZERO));
    assert!(op.fee_payment.sponsored);
    let Some(SignatureRequest::PersonalSign { data: SignableMessage::Raw { raw }, .. }) = &op.signature_request else {
        panic!("personal_sign of the userOpHash expected")
    };
    let Some(PreparedCallDetails::UserOperation { data: summary }) = &op.details else { panic!() };
    assert_eq!(raw.as_ref(), summary.hash.as_slice());

    let (params, _) = round_trip::<PrepareCalls>(&example("wallet_prepareCalls.2"));
    assert!(matches!(params.capabilities.unwrap().permissions, Some(PermissionsCapability::Context { .. })));

    let (params, result) = round_trip::<PrepareCalls>(&example("wallet_prepareCalls.3"));
    assert_eq!(params.calls, Some(vec![]));
    let PreparedCall::Array(array) = result else { panic!("array expected, got {}", result.kind()) };
    let [PreparedCallElement::Authorization(auth), PreparedCallElement::UserOperationV070(op)] = &array.data[..] else {
        panic!("authorization then v0.7 user op expected")
    };
    assert_eq!(auth.data.address, address!("69007702764179f14F51cdce752f4f775d74E139"));
    assert_eq!(auth.data.nonce, 0);
    assert_eq!(auth.signature_request.kind(), "eip7702Auth");
    assert_eq!(op.chain_id, BASE_SEPOLIA);
    assert!(array.details.is_some());
}

/// The send examples are the prepare examples' results, signed: converting the prepared
/// call with the example's signature must give exactly the example's signed call.
#[test]
fn send_examples_are_the_prepared_calls_signed() {
    for (prepare, send) in [
        ("wallet_prepareCalls.1", "wallet_sendPreparedCalls.1"),
        ("wallet_prepareCalls.2", "wallet_sendPreparedCalls.2"),
        ("wallet_prepareCalls.3", "wallet_sendPreparedCalls.3"),
    ] {
        let (prepare_params, prepared) = round_trip::<PrepareCalls>(&example(prepare));
        let (sent, result) = round_trip::<SendPreparedCalls>(&example(send));
        let signed = match (prepared, &sent.call) {
            (PreparedCall::UserOperationV070(op), SignedPreparedCall::UserOperationV070(s)) => {
                SignedPreparedCall::UserOperationV070(op.into_signed(s.signature.clone()))
            }
            (PreparedCall::Array(array), SignedPreparedCall::Array(s)) => {
                let mut signatures = s.data.iter().map(|e| match e {
                    SignedCallElement::UserOperationV070(op) => op.signature.clone(),
                    SignedCallElement::UserOperationV060(op) => op.signature.clone(),
                    SignedCallElement::Authorization(a) => a.signature.clone(),
                });
                SignedPreparedCall::Array(
                    array.into_signed(|_| signatures.next().ok_or("more elements than signatures")).unwrap(),
                )
            }
            (p, _) => panic!("{send}: unexpected pairing with a prepared {}", p.kind()),
        };
        assert_eq!(signed, sent.call, "{send}");

        let prepare_caps = prepare_params.capabilities.unwrap();
        let send_caps = sent.capabilities.unwrap();
        assert_eq!(send_caps.permissions, prepare_caps.permissions, "{send}: permissions repeated on send");
        assert_eq!(send_caps.paymaster_service.unwrap().policy, prepare_caps.paymaster_service.unwrap().policy);
        let SendDetails::UserOperation { data } = &result.details else { panic!("{send}") };
        assert_eq!(result.prepared_call_ids, vec![result.id.clone()]);
        assert_eq!(&result.id[32..], data.hash.as_slice(), "{send}: call id ends with the userOpHash");
    }
}

#[test]
fn calls_status_examples() {
    let expectations = [
        ("wallet_getCallsStatus.1", CallStatus::PENDING, false, false),
        ("wallet_getCallsStatus.2", CallStatus::CONFIRMED, true, true),
        ("wallet_getCallsStatus.3", CallStatus::ONCHAIN_FAILURE, true, false),
    ];
    for (name, status, terminal, success) in expectations {
        let (call_id, result) = round_trip::<GetCallsStatus>(&example(name));
        assert_eq!(result.id, call_id, "{name}");
        assert_eq!(result.chain_id, BASE_SEPOLIA, "{name}");
        assert_eq!(result.status, status, "{name}");
        assert_eq!(result.status.is_terminal(), terminal, "{name}");
        assert_eq!(result.status.is_success(), success, "{name}");
        assert_eq!(result.receipts.is_some(), terminal, "{name}: receipts once landed");
    }
    let (_, pending) = round_trip::<GetCallsStatus>(&example("wallet_getCallsStatus.1"));
    let StatusDetails::UserOperation { data } = pending.details else { panic!() };
    assert_eq!(data.pending_bundle.unwrap().sent_at_block, 0x1a2b3c4);
    let (_, confirmed) = round_trip::<GetCallsStatus>(&example("wallet_getCallsStatus.2"));
    let receipt = &confirmed.receipts.unwrap()[0];
    assert_eq!(receipt.logs.len(), 3);
    assert_eq!(receipt.logs[0].address, address!("0000000071727De22E5E9d8BAf0edAc6f37da032"));
    assert_eq!(receipt.status, 1);
}

#[test]
fn capabilities_examples() {
    let (params, result) = round_trip::<GetCapabilities>(&example("wallet_getCapabilities.1"));
    assert_eq!(params.chain_ids, None);
    assert_eq!(result.for_chain(BASE_SEPOLIA).unwrap()["paymasterService"]["supported"], true);
    let (params, _) = round_trip::<GetCapabilities>(&example("wallet_getCapabilities.2"));
    assert_eq!(params.chain_ids, Some(vec![BASE_SEPOLIA, 8453]));
}

#[test]
fn sign_examples() {
    let (params, result) = round_trip::<PrepareSign>(&example("wallet_prepareSign.1"));
    assert!(matches!(
        &params.signature_request,
        SignatureRequest::PersonalSign { data: SignableMessage::Text(t), raw_payload: None } if t == "Hello World!"
    ));
    let SignatureRequest::TypedData { data, .. } = &result.signature_request else { panic!() };
    assert_eq!(data.primary_type, "ReplaySafeHash");
    round_trip::<PrepareSign>(&example("wallet_prepareSign.2"));

    let (params, result) = round_trip::<FormatSign>(&example("wallet_formatSign.1"));
    assert_eq!(params.signature.ty, SignatureType::Ecdsa);
    assert!(matches!(&params.signature.data, EcdsaSigData::Hex(b) if b.len() == 65));
    assert_eq!(result.signature.len(), 7 + 65);
    let (params, _) = round_trip::<FormatSign>(&example("wallet_formatSign.2"));
    assert!(matches!(params.signature.data, EcdsaSigData::YParity { y_parity, .. } if y_parity == U256::ZERO));
}

/// Small corruptions of real examples are refused, with the method and the problem named.
#[test]
fn mutated_examples_are_refused() {
    use warden_core::{Coded, ErrorCode};

    fn params_error<M: RpcMethod>(name: &str, mutate: impl FnOnce(&mut Value)) -> String {
        let mut params = example(name).request["params"].clone();
        mutate(&mut params);
        let err = M::parse_params(params).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidInput, "{err}");
        err.to_string()
    }
    fn result_error<M: RpcMethod>(name: &str, mutate: impl FnOnce(&mut Value)) -> String {
        let mut result = example(name).response["result"].clone();
        mutate(&mut result);
        let err = M::parse_result(result).unwrap_err();
        assert_eq!(err.code(), ErrorCode::BadResponse, "{err}");
        err.to_string()
    }
    let cases = [
        (
            result_error::<PrepareCalls>("wallet_prepareCalls.1", |r| r["type"] = "user-operation-v080".into()),
            "unknown variant `user-operation-v080`",
        ),
        (
            result_error::<PrepareCalls>("wallet_prepareCalls.3", |r| r["data"][0]["type"] = "paymaster-permit".into()),
            "unknown variant `paymaster-permit`",
        ),
        (
            result_error::<PrepareCalls>("wallet_prepareCalls.1", |r| {
                r.as_object_mut().unwrap().remove("feePayment");
            }),
            "missing field `feePayment`",
        ),
        (
            result_error::<PrepareCalls>("wallet_prepareCalls.1", |r| {
                r["signatureRequest"]["type"] = "eip7702Auth".into();
            }),
            "user operation signatureRequest must be personal_sign or eth_signTypedData_v4",
        ),
        (
            params_error::<CreateSession>("wallet_createSession.1", |p| p[0]["chainId"] = "0x100000000".into()),
            "at `chainId`: `0x100000000` does not fit in 32 bits",
        ),
        (
            params_error::<CreateSession>("wallet_createSession.1", |p| p[0]["expirySec"] = (-1).into()),
            "at `expirySec`: invalid value: integer `-1`",
        ),
        (
            params_error::<CreateSession>("wallet_createSession.2", |p| {
                p[0]["permissions"][1]["type"] = "call-limit".into()
            }),
            "unknown variant `call-limit`",
        ),
        (params_error::<CreateSession>("wallet_createSession.1", |p| p[0]["chainId"] = 84532.into()), "invalid type"),
        (
            params_error::<SendPreparedCalls>("wallet_sendPreparedCalls.1", |p| p[0]["data"]["nonce"] = "0x-1".into()),
            "non-hex digit",
        ),
        (result_error::<GetCallsStatus>("wallet_getCallsStatus.2", |r| r["status"] = "200".into()), "invalid type"),
        (
            result_error::<GetCallsStatus>("wallet_getCallsStatus.2", |r| {
                r["receipts"][0]["blockHash"] = "0x12".into()
            }),
            "at `receipts[0].blockHash`: invalid string length",
        ),
        (
            result_error::<RequestAccount>("wallet_requestAccount.1", |r| {
                r["counterfactualInfo"]["factoryType"] = "MAv3".into()
            }),
            "unknown variant `MAv3`",
        ),
        (
            params_error::<ListAccounts>("wallet_listAccounts.1", |p| p[0]["limit"] = 0.into()),
            "limit 0 is outside 1..=100",
        ),
        (params_error::<GetCapabilities>("wallet_getCapabilities.2", |p| p[1][0] = "0x100000000".into()), "32 bits"),
    ];
    for (message, needle) in cases {
        assert!(message.contains(needle), "`{message}` does not mention `{needle}`");
    }
}
