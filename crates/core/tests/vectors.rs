//! The SDK-computed golden vectors in `fixtures/spec/vectors` reproduced by the core:
//! permission → install call → nonce → typed data → digest → owner signature; install
//! call decoding; SMA-B addresses; userOp hashes and MAv2 signature layouts; contexts;
//! EIP-712 and EIP-7702 digests and signatures.

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use alloy_primitives::{Address, B256, Bytes, U256};
use serde_json::Value;
use warden_core::api::{
    CreateSessionParams, CreateSessionResult, SignableMessage, SignatureRequest, TypedDataDefinition, UserOperationV07,
};
use warden_core::mav2::{account, context::Context, deferred::DeferredAction, install, nonce, signature, user_op};
use warden_core::permissions::{self, GrantLimits};
use warden_core::signing::{self, DigestSigner, LocalSigner, digest::Authorization};

fn vectors(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/spec/vectors").join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

fn bytes(v: &Value) -> Bytes {
    s(v).parse().unwrap()
}

fn u256(v: &Value) -> U256 {
    match v {
        Value::Number(n) => U256::from(n.as_u64().unwrap()),
        Value::String(x) => warden_core::wire::parse_dec_or_hex_u256(x).unwrap(),
        _ => panic!("not a number: {v}"),
    }
}

fn anvil_key(v: &Value, address: &str) -> LocalSigner {
    let keys = v["anvilKeys"].as_array().unwrap();
    let k = keys.iter().find(|k| s(&k["address"]).eq_ignore_ascii_case(address)).unwrap();
    LocalSigner::from_hex(s(&k["privateKey"])).unwrap()
}

#[test]
fn valid_permission_cases_reproduce_install_call_nonce_typed_data_and_digest() {
    let v = vectors("permissions.sample.json");
    let now = v["pinnedClockUnixSec"].as_u64().unwrap();
    for case in v["valid"].as_array().unwrap() {
        let id = s(&case["id"]);
        let input = &case["input"];
        let exp = &case["expected"];
        let req: CreateSessionParams = serde_json::from_value(input["request"].clone()).unwrap();
        let entity = input["entityIdRequested"].as_u64().unwrap();
        let parallel = u256(&input["parallelNonceKey"]);
        let expiry = req.expiry_sec.unwrap_or(0);
        // The official example's expiry is in the past relative to the pinned clock; the
        // SDK was driven with its own clock there, so check the deadline against it.
        let limits = GrantLimits {
            expiry_sec: expiry,
            now: expiry.min(now).saturating_sub(1),
            entity_id: entity,
            parallel_nonce_key: parallel,
        };
        let set =
            permissions::validate_grant(&req.permissions, req.account, limits).unwrap_or_else(|e| panic!("{id}: {e}"));
        let entity = u32::try_from(entity).unwrap();

        let call = install::encode_install_call(entity, req.key.public_key, expiry, set.permissions());
        assert_eq!(call, bytes(&exp["installValidationCall"]), "{id}: install call");
        assert_eq!(set.has_execution_hooks(), exp["hasAssociatedExecHooks"].as_bool().unwrap(), "{id}");
        assert_eq!(set.is_root(), exp["isGlobalValidation"].as_bool().unwrap(), "{id}");

        let key = nonce::session_first_use_key(parallel, entity, set.is_root());
        assert_eq!(key, u256(&exp["deferredActionNonceKey"]), "{id}: nonce key");
        let n = nonce::nonce_from_key(key, 0);
        assert_eq!(n, u256(&exp["deferredActionNonce"]), "{id}: nonce");

        let action = DeferredAction {
            chain_id: u64::from(req.chain_id),
            account: req.account,
            nonce: n,
            deadline: expiry,
            call: call.clone(),
        };
        let typed = serde_json::to_value(action.typed_data()).unwrap();
        assert_eq!(typed, exp["typedData"], "{id}: typed data");
        assert_eq!(action.domain_separator(), s(&exp["domainSeparator"]).parse::<B256>().unwrap(), "{id}");
        assert_eq!(action.struct_hash(), s(&exp["structHash"]).parse::<B256>().unwrap(), "{id}");
        assert_eq!(action.digest(), s(&exp["typedDataDigest"]).parse::<B256>().unwrap(), "{id}: digest");
        // The generic EIP-712 path agrees with the direct one.
        let td: TypedDataDefinition = serde_json::from_value(exp["typedData"].clone()).unwrap();
        assert_eq!(signing::digest::typed_data_digest(&td).unwrap(), action.digest(), "{id}");

        // Decoding the call gives back key, entity, expiry and the same permissions.
        let grant = install::decode_install_call(&call).unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(
            (grant.entity_id, grant.session_key, grant.expiry_sec),
            (entity, req.key.public_key, expiry),
            "{id}"
        );
        let mut got: Vec<String> = grant.wire_permissions().iter().map(|p| serde_json::to_string(p).unwrap()).collect();
        let mut want: Vec<String> = set.to_wire().iter().map(|p| serde_json::to_string(p).unwrap()).collect();
        got.sort();
        want.sort();
        assert_eq!(got, want, "{id}: decoded permissions");

        // Owner signature (deterministic RFC 6979) and what the SDK builds from it.
        if let Some(owner) = exp.get("owner").and_then(Value::as_str) {
            let signer = anvil_key(&v, owner);
            let sig = signer.sign_digest(&action.digest()).unwrap();
            let sig = Bytes::copy_from_slice(&signing::signature_bytes(&sig));
            assert_eq!(sig, bytes(&exp["ownerSignature"]), "{id}: owner signature");
            let mut sdk = vec![0u8];
            sdk.extend_from_slice(&sig);
            assert_eq!(Bytes::from(sdk), bytes(&exp["sdkDeferredActionSignature"]), "{id}");
            let blob = signature::local_mode_deferred_action(set.has_execution_hooks(), n, expiry, &call, &sig);
            assert_eq!(blob, bytes(&exp["localModeDeferredAction"]), "{id}: local-mode blob");
        }
    }
}

#[test]
fn invalid_permission_cases_are_refused() {
    let v = vectors("permissions.sample.json");
    let now = v["pinnedClockUnixSec"].as_u64().unwrap();
    for case in v["invalid"].as_array().unwrap() {
        let id = s(&case["id"]);
        let input = &case["input"];
        let req: Result<CreateSessionParams, _> = serde_json::from_value(input["request"].clone());
        let Ok(req) = req else { continue }; // unparsable is refused too
        let limits = GrantLimits {
            expiry_sec: req.expiry_sec.unwrap_or(0),
            now,
            entity_id: input["entityIdRequested"].as_u64().unwrap(),
            parallel_nonce_key: u256(&input["parallelNonceKey"]),
        };
        let r = permissions::validate_grant(&req.permissions, req.account, limits);
        assert!(r.is_err(), "{id}: expected a refusal like `{}`", s(&case["error"]["shortMessage"]));
    }
}

#[test]
fn sma_b_and_7702_addresses() {
    let v = vectors("addresses.sample.json");
    for case in v["smaB"].as_array().unwrap() {
        let owner: Address = s(&case["owner"]).parse().unwrap();
        let salt = u256(&case["salt"]);
        let exp = &case["expected"];
        assert_eq!(account::sma_b_address(owner, salt).to_checksum(None), s(&exp["address"]));
        assert_eq!(account::sma_b_factory_data(owner, salt), bytes(&exp["factoryData"]));
        assert_eq!(account::create2_salt(owner, salt), s(&exp["create2"]["salt"]).parse::<B256>().unwrap());
        assert_eq!(Bytes::from(account::proxy_init_code(owner)), bytes(&exp["create2"]["proxyInitCode"]));
    }
    for case in v["eip7702"].as_array().unwrap() {
        let owner: Address = s(&case["owner"]).parse().unwrap();
        assert_eq!(account::eip7702_address(owner).to_checksum(None), s(&case["expected"]["address"]));
    }
}

#[test]
fn user_op_hashes_and_signature_layouts() {
    let v = vectors("userops.sample.json");
    let key = LocalSigner::from_hex(s(&v["signerKey"]["privateKey"])).unwrap();
    for case in v["cases"].as_array().unwrap() {
        let id = s(&case["id"]);
        let exp = &case["expected"];
        let op: UserOperationV07 = serde_json::from_value(case["userOperation"].clone()).unwrap();
        let ep: Address = s(&case["entryPoint"]).parse().unwrap();
        let chain = case["chainId"].as_u64().unwrap();
        let packed = user_op::pack_v07(&op).unwrap();
        assert_eq!(packed.init_code, bytes(&exp["packed"]["initCode"]), "{id}");
        assert_eq!(packed.account_gas_limits, s(&exp["packed"]["accountGasLimits"]).parse::<B256>().unwrap(), "{id}");
        assert_eq!(packed.gas_fees, s(&exp["packed"]["gasFees"]).parse::<B256>().unwrap(), "{id}");
        assert_eq!(packed.paymaster_and_data, bytes(&exp["packed"]["paymasterAndData"]), "{id}");
        let hash = user_op::hash_v07(&op, ep, chain).unwrap();
        assert_eq!(hash, s(&exp["userOpHash"]).parse::<B256>().unwrap(), "{id}: userOpHash");

        let req = SignatureRequest::PersonalSign { data: SignableMessage::Raw { raw: hash.into() }, raw_payload: None };
        let signed = signing::sign_request(&key, &req, None).unwrap();
        assert_eq!(signed.digest, s(&exp["personalSignDigest"]).parse::<B256>().unwrap(), "{id}");
        assert_eq!(signed.signature, bytes(&exp["signature"]), "{id}: session signature");
        assert_eq!(signing::recover(&signed.digest, &signed.signature).unwrap(), key.address());
        assert_eq!(
            signature::installed(signature::SIG_TYPE_EOA, &signed.signature),
            bytes(&exp["mav2OwnerSignature"]),
            "{id}"
        );

        if let Some(full) = exp.get("sdkSessionSignature") {
            // First use of a root session: rebuild the full signature from its parts.
            let full = bytes(full);
            let encoded_len = u32::from_be_bytes(full[..4].try_into().unwrap()) as usize;
            let encoded = &full[4..4 + encoded_len];
            let deadline = u64::from_be_bytes([
                0,
                0,
                encoded[21],
                encoded[22],
                encoded[23],
                encoded[24],
                encoded[25],
                encoded[26],
            ]);
            let call = &encoded[27..];
            let owner_sig = &full[4 + encoded_len + 4 + 1..4 + encoded_len + 4 + 66];
            let rebuilt = signature::first_use(deadline, call, owner_sig, &signed.signature);
            assert_eq!(rebuilt, full, "{id}: first-use signature");
            install::decode_install_call(call).unwrap();
        }
    }
}

#[test]
fn typed_data_and_authorization_digests_and_signatures() {
    let v = vectors("signing.sample.json");
    let key = LocalSigner::from_hex(s(&v["signerKey"]["privateKey"])).unwrap();
    for case in v["typedData"].as_array().unwrap() {
        let id = s(&case["id"]);
        let exp = &case["expected"];
        let td: TypedDataDefinition = serde_json::from_value(case["typedData"].clone()).unwrap();
        let req = SignatureRequest::TypedData { data: td, raw_payload: None };
        let signed = signing::sign_request(&key, &req, None).unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(signed.digest, s(&exp["digest"]).parse::<B256>().unwrap(), "{id}: digest");
        assert_eq!(signed.signature, bytes(&exp["signature"]), "{id}: signature");
    }
    for case in v["authorizations"].as_array().unwrap() {
        let id = s(&case["id"]);
        let a = &case["authorization"];
        let exp = &case["expected"];
        let auth = Authorization {
            chain_id: u256(&a["chainId"]).to(),
            address: s(&a["address"]).parse().unwrap(),
            nonce: u256(&a["nonce"]).to(),
        };
        let req = SignatureRequest::Eip7702Auth { raw_payload: Bytes::new() };
        let signed = signing::sign_request(&key, &req, Some(&auth)).unwrap();
        assert_eq!(signed.digest, s(&exp["digest"]).parse::<B256>().unwrap(), "{id}: digest");
        assert_eq!(signed.signature, bytes(&exp["signature"]), "{id}: signature");
    }
}

#[test]
fn contexts_encode_decode_and_grants_verify() {
    let v = vectors("contexts.sample.json");
    for case in v["cases"].as_array().unwrap() {
        let id = s(&case["id"]);
        let exp = &case["expected"];
        let ctx = bytes(&exp["context"]);
        let decoded = Context::decode(&ctx).unwrap();
        let Context::Remote { session_id, signature } = &decoded else { panic!("{id}: not remote") };
        assert_eq!(Bytes::copy_from_slice(session_id.as_slice()), bytes(&exp["decoded"]["sessionId"]), "{id}");
        assert_eq!(*signature, bytes(&exp["decoded"]["signature"]), "{id}");
        assert_eq!(decoded.encode(), ctx, "{id}");

        // The server response verifies against the request the client sent, and the
        // owner's signature in the context recovers to the owner over our digest.
        for client in ["v4", "v5"] {
            let req: CreateSessionParams =
                serde_json::from_value(case["createSessionParamsSentByClient"][client].clone()).unwrap();
            let res: CreateSessionResult = serde_json::from_value(case["serverResponse"].clone()).unwrap();
            let g = signing::verify_grant(&req, &res, 1_700_000_000).unwrap_or_else(|e| panic!("{id} {client}: {e}"));
            let owner = signing::recover(&g.digest, signature).unwrap();
            assert_eq!(owner.to_checksum(None), s(&case["owner"]), "{id}");
        }
    }
    for case in v["codecOnly"].as_array().unwrap() {
        let input = &case["input"];
        let exp = &case["expected"];
        let ctx = match s(&input["contextVersion"]) {
            "LOCAL_MODE_DEFERRED_ACTION" => Context::Local { deferred_action: bytes(&input["deferredAction"]) },
            "NON_DEFERRED_ACTION" => Context::NonDeferred {
                is_global: input["isGlobalValidation"].as_bool().unwrap(),
                entity_id: u256(&input["entityId"]).to(),
            },
            other => panic!("unexpected {other}"),
        };
        assert_eq!(ctx.encode(), bytes(&exp["context"]));
        assert_eq!(Context::decode(&bytes(&exp["context"])).unwrap(), ctx);
    }
}
