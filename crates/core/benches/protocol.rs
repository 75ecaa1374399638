//! Speed of the protocol core on realistic inputs (issue 2, "Speed").
//!
//! Every input comes from `fixtures/spec`: the scoped EIP-7702 `wallet_createSession`
//! example (ERC-20 + native + gas limits and two selectors on one contract, with expiry),
//! the SDK session-first-use userOp, and the EIP-712 "Mail" typed data. Before anything is
//! timed, each operation's output is checked against the fixture's expected bytes, so a
//! benchmark can only ever time the correct work.
//!
//! `scripts/bench.sh` runs this next to `benches/viem/bench.mjs` (the same operations with
//! viem) and prints the ratios; the bench names here are the keys it joins on. Nothing here
//! runs in the test suite or CI: speed targets live in benchmarks, not tests.

#![allow(clippy::unwrap_used)]

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use alloy_primitives::{Address, B256, Bytes, U256};
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::Value;
use warden_core::api::{CreateSessionParams, CreateSessionResult, SignableMessage, SignatureRequest, UserOperationV07};
use warden_core::mav2::deferred::DeferredAction;
use warden_core::mav2::install::encode_install_call;
use warden_core::mav2::nonce::NonceParts;
use warden_core::mav2::user_op::hash_v07;
use warden_core::permissions::{GrantLimits, validate_grant};
use warden_core::signing::{DigestSigner, LocalSigner, recover, sign_request, signature_bytes, verify_grant};

/// The clock `verify_grant` runs at: before the example's expiry (1893456000).
const NOW: u64 = 1_700_000_000;
/// The userOp case timed by `userop_hash_v07` and `session_sign_recover`.
const USER_OP_CASE: &str = "sdk-session-first-use-root";
/// The typed-data case timed by `typed_data_sign_mail`.
const MAIL_CASE: &str = "eip712-mail";

fn fixture(rel: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/spec").join(rel);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn string(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

fn find<'a>(cases: &'a Value, id: &str) -> &'a Value {
    cases.as_array().unwrap().iter().find(|c| c["id"] == id).unwrap_or_else(|| panic!("no fixture case {id}"))
}

/// The private key of the anvil account at `address`, from the permissions vectors.
fn anvil_key(address: Address) -> LocalSigner {
    let v = fixture("vectors/permissions.sample.json");
    let key = v["anvilKeys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| string(&k["address"]).parse::<Address>().unwrap() == address)
        .unwrap_or_else(|| panic!("no anvil key for {address}"));
    LocalSigner::from_hex(string(&key["privateKey"])).unwrap()
}

/// The scoped createSession example: request and result as wire JSON, and what they hold.
struct ScopedGrant {
    params_json: String,
    result_json: String,
    params: CreateSessionParams,
    entity_id: u32,
    nonce: U256,
    digest: B256,
    owner: LocalSigner,
    owner_signature: Bytes,
}

impl ScopedGrant {
    fn load() -> Self {
        let ex = fixture("examples/wallet_createSession.2-scoped-7702.json");
        let params_value = ex["request"]["params"][0].clone();
        let result_value = ex["response"]["result"].clone();
        let params: CreateSessionParams = serde_json::from_value(params_value.clone()).unwrap();
        let message = &result_value["signatureRequest"]["data"]["message"];
        let nonce: U256 = string(&message["nonce"]).parse().unwrap();
        let owner = anvil_key(params.account);
        Self {
            params_json: params_value.to_string(),
            result_json: result_value.to_string(),
            entity_id: u32::try_from(ex["derived"]["sessionEntityId"].as_u64().unwrap()).unwrap(),
            nonce,
            digest: string(&result_value["signatureRequest"]["rawPayload"]).parse().unwrap(),
            owner_signature: string(&ex["derived"]["ownerSignature"]).parse().unwrap(),
            params,
            owner,
        }
    }

    /// Validate the permission set, encode the install call, digest the DeferredAction.
    fn encode_digest(&self) -> B256 {
        let p = &self.params;
        let expiry = p.expiry_sec.unwrap_or(0);
        let limits = GrantLimits {
            expiry_sec: expiry,
            now: NOW,
            entity_id: u64::from(self.entity_id),
            parallel_nonce_key: NonceParts::from_nonce(self.nonce).parallel_key,
        };
        let set = validate_grant(&p.permissions, p.account, limits).unwrap();
        let call = encode_install_call(self.entity_id, p.key.public_key, expiry, set.permissions());
        DeferredAction {
            chain_id: u64::from(p.chain_id),
            account: p.account,
            nonce: self.nonce,
            deadline: expiry,
            call,
        }
        .digest()
    }

    /// Decode request and result from wire JSON, then verify the grant; returns its digest.
    fn decode_verify(&self) -> B256 {
        let params: CreateSessionParams = serde_json::from_str(&self.params_json).unwrap();
        let result: CreateSessionResult = serde_json::from_str(&self.result_json).unwrap();
        verify_grant(&params, &result, NOW).unwrap().digest
    }

    /// [`Self::decode_verify`], then the owner's signature over the digest (65 bytes).
    fn decode_verify_sign(&self) -> [u8; 65] {
        let digest = self.decode_verify();
        signature_bytes(&self.owner.sign_digest(&digest).unwrap())
    }
}

/// The session-first-use userOp, its EntryPoint and chain, and the session key.
struct SessionOp {
    op: UserOperationV07,
    entry_point: Address,
    chain_id: u64,
    key: LocalSigner,
    hash: B256,
    signature: Bytes,
}

impl SessionOp {
    fn load() -> Self {
        let v = fixture("vectors/userops.sample.json");
        let case = find(&v["cases"], USER_OP_CASE);
        Self {
            op: serde_json::from_value(case["userOperation"].clone()).unwrap(),
            entry_point: string(&case["entryPoint"]).parse().unwrap(),
            chain_id: case["chainId"].as_u64().unwrap(),
            key: LocalSigner::from_hex(string(&v["signerKey"]["privateKey"])).unwrap(),
            hash: string(&case["expected"]["userOpHash"]).parse().unwrap(),
            signature: string(&case["expected"]["signature"]).parse().unwrap(),
        }
    }

    /// personal_sign of the userOpHash, then recover the signer; returns the signature.
    fn sign_recover(&self, hash: B256) -> Bytes {
        let req = SignatureRequest::PersonalSign { data: SignableMessage::Raw { raw: hash.into() }, raw_payload: None };
        let signed = sign_request(&self.key, &req, None).unwrap();
        let signer = recover(&signed.digest, &signed.signature).unwrap();
        assert_eq!(signer, self.key.address());
        signed.signature
    }
}

/// The Mail typed data as an `eth_signTypedData_v4` request in wire JSON.
struct MailRequest {
    request_json: String,
    key: LocalSigner,
    signature: Bytes,
}

impl MailRequest {
    fn load() -> Self {
        let v = fixture("vectors/signing.sample.json");
        let case = find(&v["typedData"], MAIL_CASE);
        let request = serde_json::json!({ "type": "eth_signTypedData_v4", "data": case["typedData"] });
        Self {
            request_json: request.to_string(),
            key: LocalSigner::from_hex(string(&v["signerKey"]["privateKey"])).unwrap(),
            signature: string(&case["expected"]["signature"]).parse().unwrap(),
        }
    }

    /// Parse the request, hash the typed data, sign; returns the signature.
    fn parse_sign(&self) -> Bytes {
        let request: SignatureRequest = serde_json::from_str(&self.request_json).unwrap();
        sign_request(&self.key, &request, None).unwrap().signature
    }
}

/// Checks every timed operation against the fixtures once, before timing anything.
fn check_outputs(grant: &ScopedGrant, op: &SessionOp, mail: &MailRequest) {
    assert_eq!(grant.encode_digest(), grant.digest, "grant_encode_digest: digest differs from rawPayload");
    assert_eq!(grant.decode_verify(), grant.digest, "verify_grant: digest differs from rawPayload");
    assert_eq!(grant.decode_verify_sign().as_slice(), grant.owner_signature.as_ref(), "owner signature");
    assert_eq!(hash_v07(&op.op, op.entry_point, op.chain_id).unwrap(), op.hash, "userop_hash_v07");
    assert_eq!(op.sign_recover(op.hash), op.signature, "session_sign_recover");
    assert_eq!(mail.parse_sign(), mail.signature, "typed_data_sign_mail");
}

fn protocol(c: &mut Criterion) {
    let grant = ScopedGrant::load();
    let op = SessionOp::load();
    let mail = MailRequest::load();
    check_outputs(&grant, &op, &mail);

    c.bench_function("grant_encode_digest", |b| b.iter(|| black_box(&grant).encode_digest()));
    c.bench_function("verify_grant", |b| b.iter(|| black_box(&grant).decode_verify()));
    c.bench_function("verify_grant_and_owner_sign", |b| b.iter(|| black_box(&grant).decode_verify_sign()));
    c.bench_function("userop_hash_v07", |b| {
        b.iter(|| hash_v07(black_box(&op.op), black_box(op.entry_point), black_box(op.chain_id)).unwrap())
    });
    c.bench_function("session_sign_recover", |b| b.iter(|| op.sign_recover(black_box(op.hash))));
    c.bench_function("typed_data_sign_mail", |b| b.iter(|| black_box(&mail).parse_sign()));
}

/// Short runs: the whole comparison (six benches plus viem) should finish in about two
/// minutes on a shared two-core machine. Command-line options still override these.
fn config() -> Criterion {
    Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(4)).sample_size(50)
}

criterion_group! { name = benches; config = config(); targets = protocol }
criterion_main!(benches);
