//! The devnet process and its JSON-RPC framing against a real anvil: startup, the
//! EntryPoint, the two URLs (the wallet URL refuses and counts chain methods, the node URL
//! serves only them), malformed requests, and what is refused before a body is read (a
//! Host that is not loopback, a Content-Type that is not JSON, a body or batch too large).

#![allow(clippy::unwrap_used)]

mod common;

use alloy_primitives::{B256, Bytes, U256, address};
use alloy_sol_types::{SolCall, sol};
use common::*;
use serde_json::{Value, json};
use warden_core::api::UserOperationV07;
use warden_core::mav2::constants::ENTRY_POINT_V07;
use warden_core::mav2::user_op::{hash_v07, pack_v07};
use warden_devnet::anvil::AnvilError;
use warden_devnet::{Devnet, DevnetConfig, MisroutedRequests, StartError};

sol! {
    struct PackedUserOperation {
        address sender; uint256 nonce; bytes initCode; bytes callData; bytes32 accountGasLimits;
        uint256 preVerificationGas; bytes32 gasFees; bytes paymasterAndData; bytes signature;
    }
    function getUserOpHash(PackedUserOperation userOp) external view returns (bytes32);
}

#[tokio::test]
async fn devnet_serves_the_chain_and_the_real_entry_point() {
    let d = devnet().await;
    let node = d.node.clone();
    assert!(node.starts_with("http://127.0.0.1:"), "{node}");
    assert_ne!(node, d.url());

    // The node URL forwards chain methods with the client's id.
    let r = post(&node, r#"{"jsonrpc":"2.0","id":"abc","method":"eth_chainId","params":[]}"#).await;
    assert_eq!(r, json!({"jsonrpc": "2.0", "id": "abc", "result": "0x7a69"}));
    assert!(ok(&node, "web3_clientVersion", json!([])).await.as_str().unwrap().starts_with("anvil/"));
    assert_eq!(ok(&node, "net_version", json!([])).await, json!("31337"));
    let url = node;

    // The EntryPoint is there and hashes user operations exactly as the codec does.
    let code = ok(&url, "eth_getCode", json!([ENTRY_POINT_V07, "latest"])).await;
    assert!(code.as_str().unwrap().len() > 1000, "{code}");
    let op = UserOperationV07 {
        sender: address!("65b5DE0251f553B2208762a4724303E750294D96"),
        nonce: U256::from(0x103) << 64,
        factory: Some(address!("00000000000017c61b5bEe81050EC8eFc9c6fecd")),
        factory_data: Some(Bytes::from(vec![0x8b, 0x4e, 0x46, 0x4e, 1, 2, 3])),
        call_data: Bytes::from(vec![0x34, 0xfc, 0xd5, 0xbe]),
        call_gas_limit: U256::from(100_000),
        verification_gas_limit: U256::from(200_000),
        pre_verification_gas: U256::from(50_000),
        max_fee_per_gas: U256::from(3_000_000_000u64),
        max_priority_fee_per_gas: U256::from(1_000_000_000u64),
        paymaster_verification_gas_limit: Some(U256::from(60_000)),
        paymaster_post_op_gas_limit: Some(U256::from(10_000)),
        paymaster: Some(address!("2cc0c7981D846b9F2a16276556f6e8cb52BfB633")),
        paymaster_data: Some(Bytes::from(vec![0xaa; 5])),
        signature: None,
    };
    let p = pack_v07(&op).unwrap();
    let data = getUserOpHashCall {
        userOp: PackedUserOperation {
            sender: p.sender,
            nonce: p.nonce,
            initCode: p.init_code,
            callData: p.call_data,
            accountGasLimits: p.account_gas_limits,
            preVerificationGas: p.pre_verification_gas,
            gasFees: p.gas_fees,
            paymasterAndData: p.paymaster_and_data,
            signature: Bytes::new(),
        },
    }
    .abi_encode();
    let out = ok(&url, "eth_call", json!([{"to": ENTRY_POINT_V07, "data": Bytes::from(data)}, "latest"])).await;
    let onchain: B256 = serde_json::from_value(out).unwrap();
    assert_eq!(onchain, hash_v07(&op, ENTRY_POINT_V07, 31337).unwrap());
}

#[tokio::test]
async fn malformed_requests_get_precise_errors() {
    let d = devnet().await;
    for url in [d.url(), d.node.clone()] {
        let cases: [(&str, i64, &str); 7] = [
            ("{not json", -32700, "not valid JSON"),
            ("", -32700, "not valid JSON"),
            ("[]", -32600, "empty batch"),
            ("42", -32600, "must be an object"),
            (r#"{"jsonrpc":"2.0","id":1}"#, -32600, "`method`"),
            (r#"{"jsonrpc":"2.0","id":1,"method":"wallet_nope","params":[]}"#, -32601, "wallet_nope"),
            (r#"{"jsonrpc":"2.0","id":1,"method":"wallet_getCallsStatus","params":"x"}"#, -32600, "`params`"),
        ];
        for (body, code, needle) in cases {
            let r = post(&url, body).await;
            assert_eq!(r["error"]["code"], json!(code), "{url} {body}: {r}");
            assert!(r["error"]["message"].as_str().unwrap().contains(needle), "{url} {body}: {r}");
        }
    }
    // A batch answers each member in order, skipping notifications.
    let r = post(
        &d.node,
        r#"[{"jsonrpc":"2.0","id":1,"method":"eth_chainId"},{"jsonrpc":"2.0","method":"eth_chainId"},{"jsonrpc":"2.0","id":2,"method":"nope"}]"#,
    )
    .await;
    let items = r.as_array().unwrap();
    assert_eq!(items.len(), 2, "{r}");
    assert_eq!(items[0]["result"], json!("0x7a69"));
    assert_eq!((items[1]["id"].clone(), items[1]["error"]["code"].clone()), (json!(2), json!(-32601)));
}

/// POSTs `body` with the given headers; returns the HTTP status and the parsed body.
async fn post_with(url: &str, headers: &[(&str, &str)], body: String) -> (u16, Value) {
    let mut req = reqwest::Client::new().post(url).body(body);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}")))
}

#[tokio::test]
async fn requests_must_be_json_to_a_loopback_host_and_within_the_limits() {
    use warden_devnet::server::{MAX_BATCH, MAX_BODY_BYTES};
    let d = devnet().await;
    let chain_id = r#"{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}"#;
    let accounts = r#"{"jsonrpc":"2.0","id":1,"method":"wallet_getCallsStatus","params":["0x00"]}"#;
    for (url, request) in [(d.node.clone(), chain_id), (d.url(), accounts)] {
        let json = ("content-type", "application/json");
        let refused = |status: u16, r: &Value, needle: &str| {
            assert_eq!(r["error"]["code"], json!(-32600), "{url}: {r}");
            assert_eq!(r["id"], Value::Null, "{url}: {r}");
            assert!(r["error"]["message"].as_str().unwrap().contains(needle), "{url} ({status}): {r}");
        };
        // A page that rebound its DNS name to 127.0.0.1 still sends its own name.
        for host in ["evil.example", "evil.example:8545", "127.0.0.1.evil.example"] {
            let (status, r) = post_with(&url, &[json, ("host", host)], request.into()).await;
            assert_eq!(status, 403, "{url} {host}");
            refused(status, &r, "loopback");
        }
        for host in ["localhost", "127.0.0.1:1"] {
            let (status, r) = post_with(&url, &[json, ("host", host)], request.into()).await;
            assert_eq!(status, 200, "{url} {host}: {r}");
        }
        // Only JSON: a form or text/plain POST (what a page may send without asking) is 415.
        for content_type in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"] {
            let (status, r) = post_with(&url, &[("content-type", content_type)], request.into()).await;
            assert_eq!(status, 415, "{url} {content_type}");
            refused(status, &r, "application/json");
        }
        let (status, r) = post_with(&url, &[], request.into()).await;
        assert_eq!(status, 415, "{url}: {r}");
        let (status, _) = post_with(&url, &[("content-type", "application/json; charset=utf-8")], request.into()).await;
        assert_eq!(status, 200);
        // Explicit caps on the body and on batches.
        let big =
            format!(r#"{{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":["{}"]}}"#, "a".repeat(MAX_BODY_BYTES));
        let (status, r) = post_with(&url, &[json], big).await;
        assert_eq!(status, 413, "{url}");
        refused(status, &r, &MAX_BODY_BYTES.to_string());
        let batch = |n: usize| format!("[{}]", vec![request; n].join(","));
        let (status, r) = post_with(&url, &[json], batch(MAX_BATCH + 1)).await;
        assert_eq!(status, 400, "{url}");
        refused(status, &r, &format!("limit of {MAX_BATCH}"));
        let (status, r) = post_with(&url, &[json], batch(MAX_BATCH)).await;
        assert_eq!((status, r.as_array().map(Vec::len)), (200, Some(MAX_BATCH)), "{url}");
    }
}

/// As Alchemy's wallet endpoint, the wallet URL serves no chain method: each is refused
/// with -32601 and counted by method, in batches too; the count is readable in-process and
/// with `devnet_misroutedRequests`. The node URL serves no wallet or anvil method.
#[tokio::test]
async fn the_wallet_url_refuses_and_counts_chain_methods_and_the_node_url_refuses_wallet_methods() {
    let mut d = devnet().await;
    let url = d.url();
    assert_eq!(d.misrouted_requests(), MisroutedRequests::default());
    for method in ["eth_getBalance", "eth_getBalance", "eth_chainId", "net_version", "web3_clientVersion"] {
        let (code, msg) = err(&url, method, json!([])).await;
        assert_eq!(code, -32601, "{method}");
        assert!(msg.contains(method) && msg.contains("node URL"), "{msg}");
    }
    let r = post(
        &url,
        r#"[{"jsonrpc":"2.0","id":1,"method":"eth_call","params":[]},{"jsonrpc":"2.0","id":2,"method":"wallet_getCapabilities","params":["0x0000000000000000000000000000000000000001"]}]"#,
    )
    .await;
    assert_eq!(r[0]["error"]["code"], json!(-32601), "{r}");
    assert!(r[1]["result"].is_object(), "{r}");
    d.expect_misrouted(6);
    let counts = d.misrouted_requests();
    assert_eq!(counts.total, 6);
    assert_eq!(
        counts.by_method.into_iter().collect::<Vec<_>>(),
        [
            ("eth_call".to_owned(), 1),
            ("eth_chainId".to_owned(), 1),
            ("eth_getBalance".to_owned(), 2),
            ("net_version".to_owned(), 1),
            ("web3_clientVersion".to_owned(), 1)
        ]
    );
    assert_eq!(
        ok(&url, "devnet_misroutedRequests", json!([])).await,
        json!({"total": 6, "byMethod": {"eth_call": 1, "eth_chainId": 1, "eth_getBalance": 2, "net_version": 1, "web3_clientVersion": 1}})
    );

    // The node URL: wallet, devnet and anvil methods are not there.
    for method in ["wallet_getCapabilities", "devnet_fund", "anvil_setBalance", "evm_mine"] {
        let (code, msg) = err(&d.node, method, json!([])).await;
        assert_eq!(code, -32601, "{method}: {msg}");
    }
    // The raw anvil still has them.
    assert_eq!(ok(&d.anvil, "anvil_getAutomine", json!([])).await, json!(true));
}

#[tokio::test]
async fn a_missing_anvil_is_a_typed_error_not_a_hang() {
    let config = DevnetConfig { anvil: Some("/nonexistent/anvil".into()), ..DevnetConfig::default() };
    let started = std::time::Instant::now();
    let err = Devnet::start(config).await.unwrap_err();
    assert!(matches!(err, StartError::Anvil(AnvilError::ExplicitPathMissing { .. })), "{err}");
    assert!(started.elapsed().as_secs() < 5);
}

#[tokio::test]
async fn dropping_the_handle_stops_server_and_anvil() {
    let d = devnet().await;
    let (url, node, anvil) = (d.url(), d.node.clone(), d.anvil.clone());
    assert_eq!(ok(&node, "eth_chainId", json!([])).await, json!("0x7a69"));
    drop(d);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let client = reqwest::Client::new();
    for u in [url, node, anvil] {
        let r = client.post(&u).body(r#"{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}"#).send().await;
        assert!(r.is_err(), "{u} still answers");
    }
}

#[tokio::test]
async fn a_running_node_can_be_used_with_rpc() {
    let first = devnet().await;
    let config = DevnetConfig { rpc: Some(first.anvil.clone()), ..DevnetConfig::default() };
    let second = devnet_with(config).await;
    assert!(second.anvil().is_none());
    let r: Value = ok(&second.node, "eth_chainId", json!([])).await;
    assert_eq!(r, json!("0x7a69"));
    let wrong = DevnetConfig { rpc: Some(first.anvil.clone()), chain_id: Some(1), ..DevnetConfig::default() };
    let err = Devnet::start(wrong).await.unwrap_err();
    assert!(matches!(err, StartError::ChainIdMismatch { configured: 1, node: 31337, .. }), "{err}");
}
