//! Runs the `warden` binary over every golden vector and example: `codec` and `sign` must
//! reproduce them byte for byte, refuse every invalid sample with a named error, and use
//! the documented exit codes (0 ok, 1 refused/not verified, 2 unparsable).

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use assert_cmd::Command;
use serde_json::{Value, json};

fn fixture(rel: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/spec").join(rel);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

struct Out {
    code: i32,
    json: Value,
    stderr: String,
}

fn warden(args: &[&str], stdin: Option<&Value>, env: &[(&str, &str)]) -> Out {
    let mut cmd = Command::cargo_bin("warden").unwrap();
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    if let Some(v) = stdin {
        cmd.write_stdin(serde_json::to_vec(v).unwrap());
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    Out {
        code: out.status.code().unwrap(),
        json: if stdout.trim().is_empty() { Value::Null } else { serde_json::from_str(&stdout).unwrap() },
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn ok(args: &[&str], stdin: Option<&Value>) -> Value {
    let o = warden(args, stdin, &[]);
    assert_eq!(o.code, 0, "warden {args:?} failed: {}", o.stderr);
    o.json
}

fn lower(v: &Value) -> String {
    v.as_str().unwrap().to_ascii_lowercase()
}

fn sorted_permissions(v: &Value) -> Vec<String> {
    let mut p: Vec<String> = v.as_array().unwrap().iter().map(|p| p.to_string().to_ascii_lowercase()).collect();
    p.sort();
    p
}

#[test]
fn grant_reproduces_every_valid_permission_vector() {
    let v = fixture("vectors/permissions.sample.json");
    let now = v["pinnedClockUnixSec"].as_u64().unwrap();
    for case in v["valid"].as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        let input = &case["input"];
        let exp = &case["expected"];
        let expiry = input["request"]["expirySec"].as_u64().unwrap_or(0);
        let clock = if expiry != 0 { expiry.min(now) - 1 } else { now };
        let entity = input["entityIdRequested"].to_string();
        let out = ok(
            &[
                "codec",
                "grant",
                "--entity-id",
                &entity,
                "--parallel-nonce-key",
                input["parallelNonceKey"].as_str().unwrap(),
                "--now",
                &clock.to_string(),
            ],
            Some(&input["request"]),
        );
        assert_eq!(out["entityId"], exp["entityId"], "{id}");
        assert_eq!(out["nonce"], exp["deferredActionNonce"], "{id}");
        assert_eq!(out["call"], exp["installValidationCall"], "{id}");
        assert_eq!(out["typedData"], exp["typedData"], "{id}");
        assert_eq!(out["digest"], exp["typedDataDigest"], "{id}");
        assert_eq!(out["hasExecHooks"], exp["hasAssociatedExecHooks"], "{id}");

        // decode-grant takes the typed data back to the request.
        let d = ok(&["codec", "decode-grant"], Some(&exp["typedData"]));
        assert_eq!(lower(&d["account"]), lower(&input["request"]["account"]), "{id}");
        assert_eq!(d["chainId"], input["request"]["chainId"], "{id}");
        assert_eq!(d["entityId"], exp["entityId"], "{id}");
        assert_eq!(lower(&d["sessionKey"]["publicKey"]), lower(&input["request"]["key"]["publicKey"]), "{id}");
        assert_eq!(d["sessionKey"]["type"], "secp256k1");
        assert_eq!(d["expirySec"], json!(expiry), "{id}");
        assert_eq!(d["hasExecHooks"], exp["hasAssociatedExecHooks"], "{id}");
        // Allowances written with leading zeros compare by value: normalise through grant.
        let canonical: Vec<Value> = input["request"]["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                serde_json::to_value(serde_json::from_value::<warden_core::permissions::Permission>(p.clone()).unwrap())
                    .unwrap()
            })
            .collect();
        assert_eq!(sorted_permissions(&d["permissions"]), sorted_permissions(&json!(canonical)), "{id}");
    }
}

#[test]
fn grant_refuses_every_invalid_permission_vector_naming_the_problem() {
    let v = fixture("vectors/permissions.sample.json");
    let now = v["pinnedClockUnixSec"].as_u64().unwrap();
    for case in v["invalid"].as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        let input = &case["input"];
        let o = warden(
            &[
                "codec",
                "grant",
                "--entity-id",
                &input["entityIdRequested"].to_string(),
                "--parallel-nonce-key",
                input["parallelNonceKey"].as_str().unwrap(),
                "--now",
                &now.to_string(),
            ],
            Some(&input["request"]),
            &[],
        );
        assert_eq!(o.code, 1, "{id}: {}", o.stderr);
        assert!(o.stderr.starts_with("error: "), "{id}: {}", o.stderr);
        assert_eq!(o.stderr.lines().count(), 1, "{id}: one line");
    }
}

#[test]
fn invalid_cases_name_the_field() {
    let v = fixture("vectors/permissions.sample.json");
    let now = v["pinnedClockUnixSec"].as_u64().unwrap().to_string();
    let expect = [
        ("root-twice", "root must be the only permission"),
        ("foc-zero-address", "permissions[0] (functions-on-contract).address: the zero address"),
        ("account-functions-performCreate", "performCreate"),
        ("empty-foall", "permissions[0] (functions-on-all-contracts).functions: the list is empty"),
        ("deadline-over-uint48", "expirySec"),
        ("nonce-key-too-large", "parallelNonceKey"),
    ];
    for case in v["invalid"].as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        let Some((_, needle)) = expect.iter().find(|(i, _)| *i == id) else { continue };
        let input = &case["input"];
        let o = warden(
            &[
                "codec",
                "grant",
                "--entity-id",
                "1",
                "--parallel-nonce-key",
                input["parallelNonceKey"].as_str().unwrap(),
                "--now",
                &now,
            ],
            Some(&input["request"]),
            &[],
        );
        assert!(o.stderr.contains(needle), "{id}: {}", o.stderr);
    }
}

#[test]
fn verify_grant_accepts_examples_and_reports_tampering() {
    let v = fixture("vectors/contexts.sample.json");
    for case in v["cases"].as_array().unwrap() {
        let input =
            json!({ "request": case["createSessionParamsSentByClient"]["v5"], "result": case["serverResponse"] });
        let out = ok(&["codec", "verify-grant", "--now", "1700000000"], Some(&input));
        assert_eq!(out["verified"], true);
        assert!(out["hasExecHooks"].is_boolean());
    }
    for name in [
        "wallet_createSession.1-root-sma.json",
        "wallet_createSession.2-scoped-7702.json",
        "wallet_createSession.3-no-expiry-sma.json",
    ] {
        let e = fixture(&format!("examples/{name}"));
        let input = json!({ "request": e["request"]["params"][0], "result": e["response"]["result"] });
        let out = ok(&["codec", "verify-grant", "--now", "1700000000"], Some(&input));
        assert_eq!(out["verified"], true, "{name}");

        // A broader grant (another session key) is not verified, and the field is named.
        let mut tampered = input.clone();
        tampered["request"]["key"]["publicKey"] = json!("0x90F79bf6EB2c4f870365E785982E1f101E93b906");
        let o = warden(&["codec", "verify-grant", "--now", "1700000000"], Some(&tampered), &[]);
        assert_eq!(o.code, 1, "{name}");
        assert_eq!(o.json["verified"], false);
        let fields: Vec<&str> =
            o.json["mismatches"].as_array().unwrap().iter().map(|m| m["field"].as_str().unwrap()).collect();
        assert!(fields.contains(&"sessionKey"), "{name}: {fields:?}");
    }
    // A deadline in the past at --now is refused.
    let e = fixture("examples/wallet_createSession.1-root-sma.json");
    let input = json!({ "request": e["request"]["params"][0], "result": e["response"]["result"] });
    let o = warden(&["codec", "verify-grant", "--now", "4000000000"], Some(&input), &[]);
    assert_eq!(o.code, 1);
    assert_eq!(o.json["mismatches"][0]["field"], "message.deadline");
}

#[test]
fn userop_hash_address_and_context() {
    let v = fixture("vectors/userops.sample.json");
    for case in v["cases"].as_array().unwrap() {
        let chain = case["chainId"].to_string();
        let out = ok(&["codec", "userop-hash", "--chain-id", &chain], Some(&case["userOperation"]));
        assert_eq!(out["hash"], case["expected"]["userOpHash"], "{}", case["id"]);
        let hex_chain = format!("{:#x}", case["chainId"].as_u64().unwrap());
        let out = ok(
            &["codec", "userop-hash", "--chain-id", &hex_chain, "--entry-point", case["entryPoint"].as_str().unwrap()],
            Some(&case["userOperation"]),
        );
        assert_eq!(out["hash"], case["expected"]["userOpHash"]);
    }
    for name in ["wallet_prepareCalls.1-session-first-use-sma.json", "wallet_prepareCalls.2-session-context-7702.json"]
    {
        let e = fixture(&format!("examples/{name}"));
        let r = &e["response"]["result"];
        let chain = r["chainId"].as_str().unwrap();
        let out = ok(&["codec", "userop-hash", "--chain-id", chain], Some(r));
        assert_eq!(out["hash"], r["signatureRequest"]["data"]["raw"], "{name}");
    }

    let v = fixture("vectors/addresses.sample.json");
    for case in v["smaB"].as_array().unwrap() {
        let out = ok(
            &["codec", "address", "--owner", case["owner"].as_str().unwrap(), "--salt", case["salt"].as_str().unwrap()],
            None,
        );
        assert_eq!(out["address"], case["expected"]["address"]);
    }
    for case in v["eip7702"].as_array().unwrap() {
        let out = ok(&["codec", "address", "--owner", case["owner"].as_str().unwrap(), "--type", "7702"], None);
        assert_eq!(out["address"], case["expected"]["address"]);
    }

    let v = fixture("vectors/contexts.sample.json");
    for case in v["cases"].as_array().unwrap() {
        let d = &case["expected"]["decoded"];
        let out = ok(
            &[
                "codec",
                "context",
                "encode",
                "--session-id",
                d["sessionId"].as_str().unwrap(),
                "--signature",
                d["signature"].as_str().unwrap(),
            ],
            None,
        );
        assert_eq!(out["context"], case["expected"]["context"]);
        let out = ok(&["codec", "context", "decode", case["expected"]["context"].as_str().unwrap()], None);
        assert_eq!(out["version"], "0x00");
        assert_eq!(out["sessionId"], d["sessionId"]);
        assert_eq!(out["signature"], d["signature"]);
    }
    let out = ok(&["codec", "context", "decode", "0x02007ffffffe"], None);
    assert_eq!(out, json!({"version": "0x02", "isGlobal": false, "entityId": 0x7fff_fffe}));
    let o = warden(&["codec", "context", "decode", "0x0301"], None, &[]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("unknown version"), "{}", o.stderr);
}

#[test]
fn digest_and_sign_reproduce_signing_vectors() {
    let v = fixture("vectors/signing.sample.json");
    let key = v["signerKey"]["privateKey"].as_str().unwrap();
    for case in v["typedData"].as_array().unwrap() {
        let req = json!({ "type": "eth_signTypedData_v4", "data": case["typedData"], "rawPayload": "0x00" });
        let out = ok(&["codec", "digest"], Some(&req));
        assert_eq!(out["digest"], case["expected"]["digest"], "{}", case["id"]);
        let o = warden(&["sign", "--private-key-env", "WARDEN_TEST_KEY"], Some(&req), &[("WARDEN_TEST_KEY", key)]);
        assert_eq!(o.code, 0, "{}", o.stderr);
        assert_eq!(o.json["digest"], case["expected"]["digest"]);
        assert_eq!(o.json["signature"], case["expected"]["signature"], "{}", case["id"]);
        assert!(!o.stderr.contains(&key[2..]) && !o.json.to_string().contains(&key[2..]), "key leaked");
    }
    for case in v["authorizations"].as_array().unwrap() {
        let a = &case["authorization"];
        let out = ok(
            &[
                "codec",
                "auth-digest",
                "--chain-id",
                a["chainId"].as_str().unwrap(),
                "--address",
                a["address"].as_str().unwrap(),
                "--nonce",
                a["nonce"].as_str().unwrap(),
            ],
            None,
        );
        assert_eq!(out["digest"], case["expected"]["digest"]);
        let req =
            json!({ "type": "eip7702Auth", "chainId": a["chainId"], "address": a["address"], "nonce": a["nonce"] });
        let o = warden(&["sign", "--private-key-env", "K"], Some(&req), &[("K", key)]);
        assert_eq!(o.json["signature"], case["expected"]["signature"], "{}", case["id"]);
    }
    let u = fixture("vectors/userops.sample.json");
    let session_key = u["signerKey"]["privateKey"].as_str().unwrap();
    for case in u["cases"].as_array().unwrap() {
        let req = json!({ "type": "personal_sign", "data": { "raw": case["expected"]["userOpHash"] } });
        let o = warden(&["sign", "--private-key-env", "K"], Some(&req), &[("K", session_key)]);
        assert_eq!(o.json["digest"], case["expected"]["personalSignDigest"]);
        assert_eq!(o.json["signature"], case["expected"]["signature"]);
    }
}

#[test]
fn sign_refuses_missing_or_bad_keys_without_echoing_them() {
    let req = json!({ "type": "personal_sign", "data": "hello" });
    let o = warden(&["sign", "--private-key-env", "WARDEN_UNSET_VAR_FOR_TEST"], Some(&req), &[]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("WARDEN_UNSET_VAR_FOR_TEST is not set"), "{}", o.stderr);
    let o = warden(&["sign", "--private-key-env", "K"], Some(&req), &[("K", "0xdeadbeefcafe")]);
    assert_eq!(o.code, 2);
    assert!(!o.stderr.contains("deadbeefcafe"), "{}", o.stderr);
    let help = Command::cargo_bin("warden").unwrap().args(["sign", "--help"]).output().unwrap();
    assert!(String::from_utf8(help.stdout).unwrap().contains("UNSAFE"));
}

#[test]
fn unparsable_input_exits_2() {
    let o = warden(&["codec", "grant", "--entity-id", "1"], Some(&json!({"account": "0x12"})), &[]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.starts_with("error: wallet_createSession params:"), "{}", o.stderr);
    let o = warden(
        &["codec", "userop-hash", "--chain-id", "1"],
        Some(&json!({"sender": "0x0000000000000000000000000000000000000001"})),
        &[],
    );
    assert_eq!(o.code, 2);
    let o = warden(&["codec", "address", "--owner", "0x1", "--salt", "7"], None, &[]);
    assert_eq!(o.code, 2);
}
