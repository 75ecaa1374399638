//! Helpers shared by the devnet integration tests: a devnet per test and a tiny JSON-RPC
//! client. Chain reads go to the devnet's node URL, `wallet_*`/`devnet_*` to its wallet
//! URL; a test fails if any chain method reached the wallet URL (unless it sent some on
//! purpose and said how many, [`TestNet::expect_misrouted`]).

#![allow(dead_code, clippy::unwrap_used)]

use serde_json::{Value, json};
use warden_devnet::{Devnet, DevnetConfig, DevnetHandle};

/// A running devnet, its three URLs, and the misrouting check when it stops.
pub struct TestNet {
    handle: Option<DevnetHandle>,
    /// The wallet URL.
    pub url: String,
    /// The node URL (chain methods).
    pub node: String,
    /// The raw anvil (`anvil_*`, `evm_*`).
    pub anvil: String,
    expected_misrouted: u64,
}

impl TestNet {
    /// The test sends `n` chain requests to the wallet URL on purpose.
    pub fn expect_misrouted(&mut self, n: u64) {
        self.expected_misrouted += n;
    }

    /// Checks the misrouting count, then stops the devnet and waits for it.
    pub async fn stop(mut self) {
        self.check();
        if let Some(h) = self.handle.take() {
            h.stop().await;
        }
    }

    fn check(&self) {
        if let Some(h) = &self.handle {
            let m = h.misrouted_requests();
            assert_eq!(m.total, self.expected_misrouted, "chain methods reached the wallet URL: {:?}", m.by_method);
        }
    }
}

impl std::ops::Deref for TestNet {
    type Target = DevnetHandle;

    fn deref(&self) -> &DevnetHandle {
        self.handle.as_ref().expect("the devnet is running")
    }
}

impl Drop for TestNet {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            self.check();
        }
    }
}

pub async fn devnet() -> TestNet {
    devnet_with(DevnetConfig::default()).await
}

pub async fn devnet_with(config: DevnetConfig) -> TestNet {
    let handle = Devnet::start(config)
        .await
        .expect("devnet starts (run `npm install --no-audit --no-fund` in crates/devnet/node)");
    TestNet {
        url: handle.url(),
        node: handle.node_url(),
        anvil: handle.anvil_url().to_owned(),
        handle: Some(handle),
        expected_misrouted: 0,
    }
}

/// POSTs `body` and returns the parsed response.
pub async fn post(url: &str, body: &str) -> Value {
    let resp = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    let text = resp.text().await.unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// Calls `method` and returns the whole response object.
pub async fn call(url: &str, method: &str, params: Value) -> Value {
    post(url, &json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).to_string()).await
}

/// Calls `method` and returns its result, panicking with the error otherwise.
pub async fn ok(url: &str, method: &str, params: Value) -> Value {
    let r = call(url, method, params).await;
    match r.get("result") {
        Some(v) => v.clone(),
        None => panic!("{method} failed: {r}"),
    }
}

/// Calls `method`, expects an error, and returns (code, message).
pub async fn err(url: &str, method: &str, params: Value) -> (i64, String) {
    let (code, message, _) = err_data(url, method, params).await;
    (code, message)
}

/// Calls `method`, expects an error, and returns (code, message, data).
pub async fn err_data(url: &str, method: &str, params: Value) -> (i64, String, Value) {
    let r = call(url, method, params).await;
    let e = r.get("error").unwrap_or_else(|| panic!("{method} should fail: {r}"));
    (
        e["code"].as_i64().unwrap(),
        e["message"].as_str().unwrap().to_owned(),
        e.get("data").cloned().unwrap_or(Value::Null),
    )
}

/// The account's revert in an error's `data` (a hex string).
pub fn revert_of(data: &Value) -> warden_core::mav2::reverts::AccountRevert {
    let bytes: Bytes = serde_json::from_value(data.clone()).unwrap_or_else(|e| panic!("data {data} is not hex: {e}"));
    warden_core::mav2::reverts::AccountRevert::decode(&bytes)
}

/// The devnet's default gas policy as a `paymasterService` capability.
pub fn default_policy() -> Value {
    json!({"policyId": warden_devnet::DEFAULT_POLICY_ID})
}

use alloy_primitives::{Address, B256, Bytes, U256, eip191_hash_message};
use std::sync::OnceLock;
use warden_core::api::TypedDataDefinition;
use warden_core::signing::digest::typed_data_digest;
use warden_core::signing::{DigestSigner, signature_bytes};

/// anvil's first two test keys (public): the owner and the session key.
pub const OWNER_KEY: &str = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
pub const SESSION_KEY: &str = "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
pub const OTHER_KEY: &str = "5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";

pub use warden_testkit::signer;

pub fn schema_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/spec/schemas")
}

fn is_base64url(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') && s.len() % 4 != 1
}

/// Validates `value` against the official (0.2.0-alpha.3) schema of `method`'s `part`.
pub fn assert_schema(method: &str, part: &str, value: &Value) {
    static CACHE: OnceLock<std::sync::Mutex<std::collections::HashMap<String, std::sync::Arc<jsonschema::Validator>>>> =
        OnceLock::new();
    let key = format!("{method}.{part}");
    let validator = {
        let mut cache = CACHE.get_or_init(Default::default).lock().unwrap();
        cache
            .entry(key.clone())
            .or_insert_with(|| {
                let path = schema_dir().join(format!("{key}.json"));
                let schema: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
                std::sync::Arc::new(
                    jsonschema::draft202012::options()
                        .should_validate_formats(true)
                        .with_format("base64url", is_base64url)
                        .build(&schema)
                        .unwrap(),
                )
            })
            .clone()
    };
    let errors: Vec<String> = validator.iter_errors(value).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "{key} does not validate: {errors:?}\n{value}");
}

/// Calls a `wallet_*` method, checks params and result against the official schemas, and
/// returns the result.
pub async fn wallet(url: &str, method: &str, params: Value) -> Value {
    assert_schema(method, "params", &params);
    let result = ok(url, method, params).await;
    assert_schema(method, "result", &result);
    result
}

pub fn addr(s: &Value) -> Address {
    s.as_str().unwrap().parse().unwrap()
}

pub fn quantity(v: &Value) -> U256 {
    warden_core::wire::parse_hex_u256(v.as_str().unwrap()).unwrap()
}

/// The balance of `a`, read on the node URL `node`.
pub async fn balance(node: &str, a: Address) -> U256 {
    quantity(&ok(node, "eth_getBalance", json!([a, "latest"])).await)
}

pub const CHAIN: &str = "0x7a69";

/// Requests the SMA-B account of `owner` and funds it with `wei`.
pub async fn funded_account(url: &str, owner: Address, wei: u128) -> Address {
    let r = wallet(url, "wallet_requestAccount", json!([{"signerAddress": owner}])).await;
    let account = addr(&r["accountAddress"]);
    ok(url, "devnet_fund", json!([account, format!("{wei:#x}")])).await;
    account
}

/// A granted session: its id and the owner's signature over the grant.
#[derive(Clone, Debug)]
pub struct Grant {
    pub session_id: String,
    pub signature: Bytes,
    pub typed_data: Value,
}

impl Grant {
    pub fn capability(&self) -> Value {
        json!({"sessionId": self.session_id, "signature": self.signature})
    }
}

/// `wallet_createSession`, signed by the owner (anvil's first key) over the recomputed digest.
pub async fn grant(url: &str, account: Address, key: Address, permissions: Value, expiry: Option<u64>) -> Grant {
    grant_as(url, OWNER_KEY, account, key, permissions, expiry).await
}

/// `wallet_createSession`, signed by `owner_key` over the recomputed digest.
pub async fn grant_as(
    url: &str,
    owner_key: &str,
    account: Address,
    key: Address,
    permissions: Value,
    expiry: Option<u64>,
) -> Grant {
    let mut params = json!({"account": account, "chainId": CHAIN, "key": {"type": "secp256k1", "publicKey": key}, "permissions": permissions});
    if let Some(e) = expiry {
        params["expirySec"] = json!(e);
    }
    let r = wallet(url, "wallet_createSession", json!([params])).await;
    let typed: TypedDataDefinition = serde_json::from_value(r["signatureRequest"]["data"].clone()).unwrap();
    let digest = typed_data_digest(&typed).unwrap();
    assert_eq!(r["signatureRequest"]["rawPayload"], json!(digest), "rawPayload is the EIP-712 digest");
    let sig = signature_bytes(&signer(owner_key).sign_digest(&digest).unwrap());
    Grant {
        session_id: r["sessionId"].as_str().unwrap().to_owned(),
        signature: Bytes::copy_from_slice(&sig),
        typed_data: r["signatureRequest"]["data"].clone(),
    }
}

/// `wallet_prepareCalls` from `account` with `capabilities`.
pub async fn prepare(url: &str, account: Address, calls: Value, capabilities: Value) -> Value {
    wallet(
        url,
        "wallet_prepareCalls",
        json!([{"calls": calls, "from": account, "chainId": CHAIN, "capabilities": capabilities}]),
    )
    .await
}

/// The signed form of a prepared user operation, signed by `key` over EIP-191(hash).
pub fn sign_prepared(prepared: &Value, key: &str, capabilities: Value) -> Value {
    let hash: B256 = serde_json::from_value(prepared["signatureRequest"]["data"]["raw"].clone()).unwrap();
    assert_eq!(prepared["details"]["data"]["hash"], json!(hash));
    let sig = signature_bytes(&signer(key).sign_digest(&eip191_hash_message(hash)).unwrap());
    json!({
        "type": prepared["type"],
        "data": prepared["data"],
        "chainId": prepared["chainId"],
        "signature": {"type": "secp256k1", "data": Bytes::copy_from_slice(&sig)},
        "capabilities": capabilities,
    })
}

/// Prepares, signs with `key`, sends; returns the call id.
pub async fn send_calls(url: &str, account: Address, calls: Value, capabilities: Value, key: &str) -> String {
    let prepared = prepare(url, account, calls, capabilities.clone()).await;
    let signed = sign_prepared(&prepared, key, capabilities);
    let sent = wallet(url, "wallet_sendPreparedCalls", json!([signed])).await;
    sent["id"].as_str().unwrap().to_owned()
}

pub async fn status(url: &str, id: &str) -> Value {
    wallet(url, "wallet_getCallsStatus", json!([id])).await
}

/// The EntryPoint's next nonce of `account` for `key`, read on the node URL `node`.
pub async fn ep_nonce(node: &str, account: Address, key: U256) -> U256 {
    use alloy_sol_types::SolCall;
    alloy_sol_types::sol! { function getNonce(address sender, uint192 key) external view returns (uint256 nonce); }
    let data = getNonceCall { sender: account, key: key.to() }.abi_encode();
    let out = ok(
        node,
        "eth_call",
        json!([{"to": warden_core::mav2::constants::ENTRY_POINT_V07, "data": Bytes::from(data)}, "latest"]),
    )
    .await;
    quantity(&out)
}
