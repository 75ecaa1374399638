//! Helpers shared by the tests that make calls against a real devnet: starting it, raw
//! JSON-RPC, accounts, tokens, balances, and granting a session exactly as `warden grant`
//! does (createSession → verify_grant → owner signs the recomputed digest → credentials).

#![allow(dead_code, clippy::unwrap_used)]

use alloy_primitives::{Address, Bytes, U256};
use alloy_sol_types::{SolCall, sol};
use serde_json::{Value, json};
use warden_core::api::{
    CallKind, CreateSession, CreateSessionParams, KeyDescriptor, KeyType, RequestAccount, RequestAccountParams,
};
use warden_core::credentials::SessionCredentials;
use warden_core::mav2::constants::ENTRY_POINT_V07;
use warden_core::permissions::Permission;
use warden_core::rpc::{Endpoint, RpcClient, RpcConfig};
use warden_core::signing::{LocalSigner, verify_grant};
use warden_devnet::{Devnet, DevnetConfig, DevnetHandle};
use warden_testkit::signed_credentials;

/// anvil's published test keys: the owner, a session key, and another key.
pub const OWNER_KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
pub const SESSION_KEY: &str = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
pub const OTHER_KEY: &str = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";

pub const ALICE: Address = alloy_primitives::address!("00000000000000000000000000000000000a11ce");
pub const BOB: Address = alloy_primitives::address!("0000000000000000000000000000000000000b0b");
pub const MILLI: u128 = 1_000_000_000_000_000;
pub const ETHER: u128 = 1_000_000_000_000_000_000;

sol! {
    function balanceOf(address owner) external view returns (uint256);
    function transfer(address to, uint256 amount) external returns (bool);
    function getNonce(address sender, uint192 key) external view returns (uint256 nonce);
}

pub use warden_testkit::signer;

/// The node URL of each devnet wallet URL the tests started, so that [`raw`] sends chain
/// reads where a client must send them: the wallet URL serves only `wallet_*`/`devnet_*`,
/// as Alchemy's does.
static NODES: std::sync::Mutex<Vec<(String, String)>> = std::sync::Mutex::new(Vec::new());

pub async fn devnet() -> DevnetHandle {
    devnet_with(DevnetConfig::default()).await
}

/// A devnet that serves the test-only `devnet_setTamper`.
#[allow(dead_code)]
pub async fn devnet_with_hooks() -> DevnetHandle {
    devnet_with(DevnetConfig { test_hooks: true, ..DevnetConfig::default() }).await
}

async fn devnet_with(config: DevnetConfig) -> DevnetHandle {
    let d =
        Devnet::start(config).await.expect("devnet starts (run scripts/setup.sh --test to install the pinned anvil)");
    NODES.lock().unwrap().push((d.url().trim_end_matches('/').to_owned(), d.node_url().to_owned()));
    d
}

pub fn rpc(url: &str) -> RpcClient {
    RpcClient::new(Endpoint::new(url).unwrap(), RpcConfig::default()).unwrap()
}

/// The client for `method`: `rpc` itself, or for a chain read (`eth_*`) the node of the
/// devnet whose wallet endpoint `rpc` is.
fn route(rpc: &RpcClient, method: &str) -> RpcClient {
    if !method.starts_with("eth_") {
        return rpc.clone();
    }
    let wallet = rpc.endpoint().to_string();
    let nodes = NODES.lock().unwrap();
    match nodes.iter().find(|(w, _)| w == wallet.trim_end_matches('/')) {
        Some((_, node)) => self::rpc(node),
        None => rpc.clone(),
    }
}

/// Calls `method` once (never retried) and returns its result.
pub async fn raw(rpc: &RpcClient, method: &str, params: Value) -> Value {
    route(rpc, method).request(method, params, CallKind::Send).await.unwrap_or_else(|e| panic!("{method}: {e}"))
}

fn quantity(v: &Value) -> U256 {
    warden_core::wire::parse_hex_u256(v.as_str().unwrap()).unwrap()
}

/// The SMA-B account of `owner`, funded with `wei`.
pub async fn funded_account(rpc: &RpcClient, owner: Address, wei: u128) -> Address {
    let params: RequestAccountParams = serde_json::from_value(json!({"signerAddress": owner})).unwrap();
    let account = rpc.call::<RequestAccount>(&params).await.unwrap().account_address;
    raw(rpc, "devnet_fund", json!([account, format!("{wei:#x}")])).await;
    account
}

pub async fn balance(rpc: &RpcClient, who: Address) -> U256 {
    quantity(&raw(rpc, "eth_getBalance", json!([who, "latest"])).await)
}

/// A fresh test ERC-20 with `amount` minted to `to`.
pub async fn token(rpc: &RpcClient, to: Address, amount: u128) -> Address {
    let r = raw(rpc, "devnet_deployToken", json!(["Test", "TST", 18])).await;
    let token: Address = r["address"].as_str().unwrap().parse().unwrap();
    raw(rpc, "devnet_mint", json!([token, to, format!("{amount:#x}")])).await;
    token
}

pub async fn token_balance(rpc: &RpcClient, token: Address, who: Address) -> U256 {
    let data = Bytes::from(balanceOfCall { owner: who }.abi_encode());
    quantity(&raw(rpc, "eth_call", json!([{"to": token, "data": data}, "latest"])).await)
}

/// `transfer(to, amount)` call data.
pub fn transfer_data(to: Address, amount: u128) -> Bytes {
    Bytes::from(transferCall { to, amount: U256::from(amount) }.abi_encode())
}

/// The sequence part of the EntryPoint's next nonce of `account` for nonce `key`: how many
/// operations with that key have run.
pub async fn entry_point_sequence(rpc: &RpcClient, account: Address, key: U256) -> u64 {
    let data = Bytes::from(getNonceCall { sender: account, key: key.to() }.abi_encode());
    let nonce = quantity(&raw(rpc, "eth_call", json!([{"to": ENTRY_POINT_V07, "data": data}, "latest"])).await);
    assert_eq!(nonce >> 64, key, "the EntryPoint answers the nonce of the key asked for");
    (nonce & U256::from(u64::MAX)).to()
}

/// The chain's latest block time.
pub async fn chain_time(rpc: &RpcClient) -> u64 {
    let block = raw(rpc, "eth_getBlockByNumber", json!(["latest", false])).await;
    quantity(&block["timestamp"]).to()
}

/// Moves the chain's clock forward by `seconds` and mines a block, on the node under the
/// devnet (the devnet forwards only `eth_*`, `net_*` and `web3_*`).
pub async fn advance_time(devnet: &DevnetHandle, seconds: u64) {
    let node = rpc(devnet.anvil_url());
    raw(&node, "evm_increaseTime", json!([seconds])).await;
    raw(&node, "evm_mine", json!([])).await;
}

/// Grants `permissions` to `session_key` on `account` as `owner` (createSession, verified,
/// signed over the recomputed digest) and returns the credentials, without a secret.
pub async fn grant(
    rpc: &RpcClient,
    url: &str,
    owner: &LocalSigner,
    account: Address,
    session_key: Address,
    permissions: Vec<Permission>,
    expiry_sec: Option<u64>,
) -> SessionCredentials {
    let chain_id: u32 = quantity(&raw(rpc, "eth_chainId", json!([])).await).to();
    let request = CreateSessionParams {
        account,
        chain_id,
        key: KeyDescriptor { ty: KeyType::Secp256k1, public_key: session_key },
        permissions,
        expiry_sec,
    };
    let result = rpc.call::<CreateSession>(&request).await.unwrap();
    let now = chain_time(rpc).await;
    let grant = verify_grant(&request, &result, now).unwrap();
    let creds = signed_credentials(&grant, owner, url, now, None);
    creds.check().unwrap();
    creds
}
