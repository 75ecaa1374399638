//! Which Wallets API endpoint a command talks to, with which API key, on which chain; and
//! the async runtime the network commands run on.
//!
//! The endpoint comes from `--endpoint URL`, else `WARDEN_ENDPOINT`, else (for commands
//! that read a credentials file) the file's own endpoint; with none of them the command
//! stops before doing anything and says how to give one. The API key comes from
//! `ALCHEMY_API_KEY`, else the keychain — the keychain's key only ever goes to Alchemy's
//! own host, never to another endpoint. The chain is `--chain-id`, else the endpoint's
//! `eth_chainId`.

use alloy_primitives::Address;
use warden_core::Coded;
use warden_core::chain;
use warden_core::rpc::{ALCHEMY_WALLET_URL, ApiKey, Endpoint, RpcClient, RpcConfig};

use crate::exit::Failure;
use crate::input::parse_u64;

/// Where to send requests.
#[derive(Debug, Clone, clap::Args)]
pub struct EndpointArgs {
    /// Wallets API endpoint, e.g. http://127.0.0.1:8545 for `warden devnet`, or
    /// https://api.g.alchemy.com/v2 (API key from ALCHEMY_API_KEY or the keychain).
    #[arg(long, env = "WARDEN_ENDPOINT", value_name = "URL")]
    pub endpoint: Option<String>,
    /// Chain id (default: the endpoint's eth_chainId).
    #[arg(long = "chain-id", value_name = "ID", value_parser = parse_chain_id)]
    pub chain_id: Option<u32>,
}

fn parse_chain_id(s: &str) -> Result<u32, String> {
    let v = parse_u64(s)?;
    u32::try_from(v).ok().filter(|c| *c != 0).ok_or_else(|| format!("`{s}` is not a chain id from 1 to 2^32-1"))
}

/// A connected endpoint.
#[derive(Debug, Clone)]
pub struct Connection {
    pub rpc: RpcClient,
    /// The URL as given (the credentials keep it; it never carries the API key, which
    /// travels in a header).
    pub url: String,
    pub chain_id: u32,
}

/// A failure of the endpoint as a command failure (exit status by kind; see `exit`).
pub fn endpoint_failure(e: &(impl Coded + std::fmt::Display)) -> Failure {
    Failure::from_code(e.code(), e.to_string())
}

impl EndpointArgs {
    /// Connects to the endpoint given by flag or environment, else `fallback` (e.g. the
    /// credentials' endpoint), and settles the chain id.
    pub async fn connect(&self, fallback: Option<&str>) -> Result<Connection, Failure> {
        let url = match (&self.endpoint, fallback) {
            (Some(u), _) if !u.trim().is_empty() => u.trim().to_owned(),
            (_, Some(u)) => u.to_owned(),
            _ => {
                return Err(Failure::bad_input(
                    "no endpoint: pass --endpoint URL or set WARDEN_ENDPOINT (http://127.0.0.1:8545 for a local `warden devnet`)",
                ));
            }
        };
        let mut endpoint = Endpoint::new(&url).map_err(|e| Failure::bad_input(format!("--endpoint: {e}")))?;
        if let Some(key) = api_key_for(&endpoint)? {
            endpoint = endpoint.with_api_key(key);
        }
        let rpc = RpcClient::new(endpoint, RpcConfig::default()).map_err(|e| endpoint_failure(&e))?;
        let chain_id = match self.chain_id {
            Some(c) => c,
            None => chain::chain_id(&rpc).await.map_err(|e| {
                endpoint_failure_with(
                    &e,
                    "cannot read the chain id (pass --chain-id if the endpoint does not serve eth_chainId)",
                )
            })?,
        };
        Ok(Connection { rpc, url, chain_id })
    }
}

fn endpoint_failure_with(e: &(impl Coded + std::fmt::Display), context: &str) -> Failure {
    Failure::from_code(e.code(), format!("{context}: {e}"))
}

/// `ALCHEMY_API_KEY`, else the keychain's key when the endpoint is Alchemy's.
fn api_key_for(endpoint: &Endpoint) -> Result<Option<ApiKey>, Failure> {
    if let Some(key) = std::env::var_os("ALCHEMY_API_KEY").filter(|k| !k.is_empty()) {
        let key = key.into_string().map_err(|_| Failure::bad_input("ALCHEMY_API_KEY is not valid UTF-8"))?;
        return ApiKey::new(key).map(Some).map_err(|e| Failure::bad_input(format!("ALCHEMY_API_KEY: {e}")));
    }
    let alchemy_host = Endpoint::new(ALCHEMY_WALLET_URL).map(|e| e.host().to_owned()).unwrap_or_default();
    if endpoint.host() != alchemy_host {
        return Ok(None);
    }
    let keychain = crate::key::open()?;
    match keychain.alchemy_api_key().map_err(crate::key::keychain_failure)? {
        Some(key) => ApiKey::new(key.expose()).map(Some).map_err(|e| Failure::bad_input(format!("keychain: {e}"))),
        None => Err(Failure::bad_input(
            "no Alchemy API key: set ALCHEMY_API_KEY or store one in the keychain, or use a local devnet endpoint",
        )),
    }
}

/// A current-thread runtime for one command.
pub fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::refused(format!("cannot start the async runtime: {e}")))
}

/// Picks an owner key from the keychain: `--owner` as an address or a label, else the
/// selected key.
pub fn owner_key(keychain: &warden_keychain::Keychain, owner: Option<&str>) -> Result<Address, Failure> {
    let keys = keychain.list_owner_keys().map_err(crate::key::keychain_failure)?;
    let found = match owner {
        Some(text) => match text.parse::<Address>() {
            Ok(a) => keys.iter().find(|k| k.address == a),
            Err(_) => keys.iter().find(|k| k.label == text),
        }
        .ok_or_else(|| {
            Failure::bad_input(format!("--owner {text}: no owner key with this address or label in the keychain (see `warden key list`)"))
        })?,
        None => keys.iter().find(|k| k.selected).ok_or_else(|| {
            Failure::bad_input("no owner key selected: create one with `warden key new` or import one with `warden key import`, or pass --owner")
        })?,
    };
    Ok(found.address)
}
