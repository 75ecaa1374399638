//! No input may panic: property tests over every decoder that reads untrusted bytes — the
//! install-call and call-data decoders, the permissions context, typed data and its digest,
//! the credentials document, a permission request and its answer, and every `wallet_*`
//! result type (golden examples with one part replaced by arbitrary JSON, then verified as
//! the pipeline would).
//!
//! The case budget is fixed (`PROPTEST_CASES` raises it for a longer run by hand); the
//! `fuzz/` folder holds cargo-fuzz targets over the same decoders for open-ended runs.

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use alloy_primitives::{Address, Bytes};
use proptest::prelude::*;
use serde_json::{Map, Value, json};
use warden_core::api::{CreateSession, PrepareCalls, PreparedCall, RequestAccount, RpcMethod, TypedDataDefinition};
use warden_core::credentials::SessionCredentials;
use warden_core::mav2::calls::decode_calls;
use warden_core::mav2::context::Context;
use warden_core::mav2::install::decode_install_call;
use warden_core::request::SessionRequest;
use warden_core::signing::{FeeBounds, PreparedExpectation, verify_prepared};

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(256);
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

fn example(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/spec/examples").join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Arbitrary JSON, a few levels deep, with the shapes the API uses (hex strings, numbers
/// at the edges of their ranges).
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        Just(json!(u64::MAX)),
        Just(json!(-1)),
        Just(json!(1.5)),
        "[ -~]{0,12}".prop_map(Value::String),
        prop::collection::vec(any::<u8>(), 0..70)
            .prop_map(|b| Value::String(format!("0x{}", alloy_primitives::hex::encode(b)))),
        Just(json!("0x")),
        Just(json!("0xzz")),
        Just(json!(format!("0x{}", "f".repeat(80)))),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map("[a-zA-Z]{1,10}", inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// `doc` with the value at a pseudo-random path replaced by `with` (`pick` chooses the path).
fn replace_somewhere(doc: &Value, pick: &[usize], with: Value) -> Value {
    fn go(v: &mut Value, pick: &[usize], with: Value) {
        let (first, rest) = match pick.split_first() {
            Some(p) => p,
            None => {
                *v = with;
                return;
            }
        };
        match v {
            Value::Object(m) if !m.is_empty() => {
                let key = m.keys().nth(first % m.len()).cloned().unwrap();
                if rest.is_empty() || first % 3 == 0 {
                    m.insert(key, with);
                } else {
                    go(m.get_mut(&key).unwrap(), rest, with);
                }
            }
            Value::Array(a) if !a.is_empty() => {
                let i = first % a.len();
                go(&mut a[i], rest, with);
            }
            other => *other = with,
        }
    }
    let mut out = doc.clone();
    go(&mut out, pick, with);
    out
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn byte_decoders_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600), prefix in 0usize..4) {
        // Steer some inputs past the selector checks.
        let selectors: [&[u8]; 4] = [&[], &[0x1b, 0xbf, 0x56, 0x4c], &[0x34, 0xfc, 0xd5, 0xbe], &[0x8d, 0xd7, 0x71, 0x2f]];
        let mut data = selectors[prefix].to_vec();
        data.extend_from_slice(&bytes);
        let _ = decode_install_call(&data);
        let _ = decode_calls(&data);
        let _ = Context::decode(&bytes);
    }

    #[test]
    fn typed_data_never_panics(v in json_value(), pick in prop::collection::vec(any::<usize>(), 0..4)) {
        let e = example("wallet_createSession.2-scoped-7702.json");
        let typed = e["response"]["result"]["signatureRequest"]["data"].clone();
        for candidate in [v.clone(), replace_somewhere(&typed, &pick, v)] {
            if let Ok(t) = serde_json::from_value::<TypedDataDefinition>(candidate) {
                let _ = warden_core::signing::digest::typed_data_digest(&t);
            }
        }
    }

    #[test]
    fn wallet_results_never_panic(v in json_value(), pick in prop::collection::vec(any::<usize>(), 0..5), which in 0usize..3) {
        let names = [
            "wallet_prepareCalls.1-session-first-use-sma.json",
            "wallet_prepareCalls.3-7702-undelegated-owner.json",
            "wallet_prepareCalls.2-session-context-7702.json",
        ];
        let e = example(names[which]);
        let result = replace_somewhere(&e["response"]["result"], &pick, v.clone());
        let params = &e["request"]["params"][0];
        if let Ok(prepared) = PrepareCalls::parse_result(result) {
            let calls: Vec<warden_core::api::Call> =
                serde_json::from_value(params["calls"].clone()).unwrap_or_default();
            let expect = PreparedExpectation {
                chain_id: 1,
                sender: Address::ZERO,
                calls: &calls,
                execute_user_op: None,
                fees: FeeBounds::default(),
            };
            let _ = verify_prepared(&prepared, &expect);
            let _: &PreparedCall = &prepared;
        }
        let _ = CreateSession::parse_result(v.clone());
        let _ = RequestAccount::parse_result(v.clone());
        let _ = warden_core::calls::CallOutcome::parse(v);
    }

    #[test]
    fn documents_never_panic(v in json_value(), pick in prop::collection::vec(any::<usize>(), 0..4), text in "[ -~\\n]{0,200}") {
        let creds = json!({
            "format": "warden.session.v1", "createdAt": 1, "endpoint": "http://127.0.0.1:1",
            "chainId": "0x7a69", "account": Address::repeat_byte(1), "accountType": "sma-b",
            "owner": Address::repeat_byte(2), "sessionId": Bytes::from(vec![1u8; 16]),
            "signature": Bytes::from(vec![1u8; 65]), "context": Bytes::from(vec![0u8; 82]),
            "key": {"type": "secp256k1", "publicKey": Address::repeat_byte(3)},
            "permissions": [{"type": "contract-access", "data": {"address": Address::repeat_byte(4)}}],
            "expirySec": 0,
            "grant": {"entityId": 1, "nonce": "0x1020000000000000000", "call": "0x1bbf564c"}
        });
        let _ = SessionCredentials::parse(&replace_somewhere(&creds, &pick, v.clone()).to_string());
        let _ = SessionCredentials::parse(&text);
        let _ = SessionRequest::parse(&text, 1_800_000_000);
        let _ = SessionRequest::parse_link_or_document(&format!("warden://request?d={text}"), 1_800_000_000);
        let request = json!({
            "format": "warden.request.v1", "requestId": "c0ffee00-0000-4000-8000-000000000000",
            "createdAt": 1_800_000_000u64, "validUntil": 1_800_003_600u64,
            "requester": {"name": "bot", "origin": "127.0.0.1:9"}, "justification": "why",
            "chainId": "0x7a69", "permissions": [{"type": "contract-access", "data": {"address": Address::repeat_byte(4)}}],
            "expiry": 3600, "isAdjustmentAllowed": true,
            "signer": {"type": "address", "address": Address::repeat_byte(5)}, "answerTo": "http://127.0.0.1:9/a"
        });
        if let Ok(r) = SessionRequest::parse(&replace_somewhere(&request, &pick, v.clone()).to_string(), 1_800_000_000) {
            let answer = json!({"format": "warden.answer.v1", "requestId": r.request_id, "decision": "approved",
                "credentials": replace_somewhere(&creds, &pick, v.clone()), "adjustments": []});
            let _ = r.accept_answer(&answer.to_string(), None);
            let _ = r.accept_answer(&text, Some(&text));
        }
    }
}
