//! Which endpoints a command talks to, on which chain, and with which API key.
//!
//! A backend has two endpoints (protocol.md §13): the wallet API for `wallet_*` and the
//! chain's node for chain reads.
//!
//! * Wallet: `--endpoint URL`, then `WARDEN_ENDPOINT`, then a default the command supplies
//!   (the `endpoint` of a credentials document), then Alchemy's Wallets API when `--chain`
//!   names a chain.
//! * Node: `--rpc-url URL`, then `WARDEN_RPC_URL`, then — for Alchemy — the chain's node URL
//!   from the chain registry. Another wallet endpoint (the devnet) has no node that can be
//!   guessed: its node URL is in `warden devnet`'s ready line.
//! * Chain: `--chain` (an id, or a name from the registry such as `base-sepolia`; the old
//!   `--chain-id` is an alias), else the credentials' chain, else the node's `eth_chainId`.
//!
//! Alchemy's hosts (any `*.alchemy.com`) need an API key: `ALCHEMY_API_KEY` when set, else
//! the one kept in the OS keychain (`warden key` namespace). It travels in a header to both
//! hosts, never in a URL, and never appears in output or errors. Other endpoints get no key.
//!
//! Commands that read the chain (`account`, `grant`, `session inspect --status`, `revoke`,
//! `doctor`) take [`NetworkArgs`] and run on a current-thread [`runtime`].

use warden_core::api::UuidV4;
use warden_core::rpc::{ALCHEMY_WALLET_URL, ApiKey, Endpoint, RpcClient, RpcConfig};
use warden_core::{Backend, Coded, chains};

use crate::exit::Failure;

/// `--endpoint`, shared by every command that talks to a wallet endpoint.
#[derive(Debug, Clone, clap::Args)]
pub struct EndpointArgs {
    /// The Wallets API endpoint URL, e.g. the wallet URL `warden devnet` prints, or
    /// https://api.g.alchemy.com/v2. Overrides the credentials' endpoint.
    #[arg(long, env = "WARDEN_ENDPOINT", value_name = "URL")]
    pub endpoint: Option<String>,
}

impl EndpointArgs {
    /// The URL chosen: the flag or environment when not empty, else `fallback`.
    pub fn url<'a>(&'a self, fallback: Option<&'a str>) -> Option<&'a str> {
        self.endpoint.as_deref().map(str::trim).filter(|u| !u.is_empty()).or(fallback)
    }

    /// Whether the flag or the environment named an endpoint (rather than a fallback).
    pub fn is_explicit(&self) -> bool {
        self.url(None).is_some()
    }

    /// The JSON-RPC client for the chosen wallet endpoint; `fallback` is used when neither
    /// the flag nor the environment names one.
    pub fn client(&self, fallback: Option<&str>) -> Result<RpcClient, Failure> {
        // An empty WARDEN_ENDPOINT (`WARDEN_ENDPOINT= warden …`) means none.
        let url = self
            .url(fallback)
            .ok_or_else(|| Failure::bad_input("no endpoint configured: pass --endpoint URL or set WARDEN_ENDPOINT"))?;
        RpcClient::new(endpoint("endpoint", url)?, RpcConfig::default()).map_err(|e| Failure::refused(e.to_string()))
    }
}

/// The wallet endpoint, the node endpoint and the chain, for commands that read the chain.
#[derive(Debug, Clone, clap::Args)]
pub struct NetworkArgs {
    #[command(flatten)]
    pub endpoint: EndpointArgs,
    /// The chain's node URL for chain reads (eth_*), e.g. the node URL `warden devnet`
    /// prints (default for Alchemy: the chain's node from the registry).
    #[arg(long = "rpc-url", env = "WARDEN_RPC_URL", value_name = "URL")]
    pub rpc_url: Option<String>,
    /// The chain: an id (decimal or 0x hex) or a name such as base-sepolia (default: the
    /// credentials' chain, else the node's eth_chainId). With no endpoint given, Alchemy's.
    #[arg(long = "chain", visible_alias = "chain-id", value_name = "CHAIN", value_parser = parse_chain)]
    pub chain: Option<u32>,
}

/// A chain given as an id (any, decimal or 0x hex) or a name from the chain registry.
pub fn parse_chain(s: &str) -> Result<u32, String> {
    chains::parse_chain_id(s).map_err(|e| e.to_string())
}

/// The backend for a command, and the wallet URL it was given as (what credentials
/// record; the API key travels in a header, never in it).
#[derive(Debug, Clone)]
pub struct Connection {
    pub backend: Backend,
    pub url: String,
}

impl Connection {
    /// The chain of the backend.
    pub fn chain_id(&self) -> u32 {
        self.backend.chain_id()
    }
}

impl NetworkArgs {
    /// Connects to the wallet endpoint (`fallback` when neither flag nor environment names
    /// one) and the node, and settles the chain: `--chain`, else `known_chain` (the
    /// credentials'), else the node's. A `--chain` that differs from `known_chain` is refused.
    pub async fn connect(
        &self,
        fallback: Option<&str>,
        known_chain: Option<u32>,
        policy: Option<UuidV4>,
    ) -> Result<Connection, Failure> {
        if let (Some(asked), Some(known)) = (self.chain, known_chain)
            && asked != known
        {
            return Err(Failure::refused(format!(
                "wrong endpoint or chain: --chain {asked} was given, but the credentials are for chain {known}"
            )));
        }
        let url = match self.endpoint.url(fallback) {
            Some(url) => url.to_owned(),
            None if self.chain.is_some() => ALCHEMY_WALLET_URL.to_owned(),
            None => {
                return Err(Failure::bad_input(
                    "no endpoint configured: pass --endpoint URL or set WARDEN_ENDPOINT (or --chain for Alchemy)",
                ));
            }
        };
        let wallet = endpoint("endpoint", &url)?;
        let wallet_is_alchemy = is_alchemy(wallet.host());
        let mut chain_id = self.chain.or(known_chain);
        let node_url = match self.rpc_url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            Some(url) => url.to_owned(),
            None if wallet_is_alchemy => {
                let chain = chain_id.ok_or_else(|| {
                    Failure::bad_input("the endpoint is Alchemy's: pass --chain to choose the chain (and its node)")
                })?;
                warden_core::backend::alchemy_node_url(chain)
                    .ok_or_else(|| {
                        Failure::bad_input(format!(
                            "chain {chain} has no Alchemy node URL in Warden's registry: pass --rpc-url"
                        ))
                    })?
                    .to_owned()
            }
            None => {
                return Err(Failure::bad_input(format!(
                    "no node URL for chain reads: pass --rpc-url URL or set WARDEN_RPC_URL (the endpoint {} serves wallet_* only; for `warden devnet` it is the node URL of its ready line)",
                    wallet.host()
                )));
            }
        };
        let node = endpoint("rpc-url", &node_url)?;
        let config = RpcConfig::default();
        let wallet = RpcClient::new(wallet, config.clone()).map_err(|e| Failure::refused(e.to_string()))?;
        let node = warden_core::node::NodeClient::new(node, config).map_err(|e| Failure::refused(e.to_string()))?;
        if chain_id.is_none() {
            let read = node.chain_id().await.map_err(|e| {
                Failure::from_code(
                    e.code(),
                    format!(
                        "cannot read the chain id from the node (pass --chain if it does not serve eth_chainId): {e}"
                    ),
                )
            })?;
            chain_id = Some(read);
        }
        let chain_id = chain_id.unwrap_or_default();
        Ok(Connection { backend: Backend::new(wallet, node, chain_id, policy), url })
    }
}

/// An endpoint from a URL, with Alchemy's API key when the host is Alchemy's.
fn endpoint(flag: &str, url: &str) -> Result<Endpoint, Failure> {
    let mut endpoint = Endpoint::new(url).map_err(|e| Failure::bad_input(format!("{flag} {url:?}: {e}")))?;
    if is_alchemy(endpoint.host()) {
        endpoint = endpoint.with_api_key(api_key()?);
    }
    Ok(endpoint)
}

/// An error of the endpoint, the chain or the core as the failure of its kind.
pub fn endpoint_failure(e: &(impl Coded + std::fmt::Display)) -> Failure {
    Failure::from_code(e.code(), e)
}

/// A current-thread runtime for one command.
pub fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::refused(format!("cannot start the async runtime: {e}")))
}

/// Whether `host[:port]` is one of Alchemy's.
pub fn is_alchemy(host: &str) -> bool {
    let host = host.split(':').next().unwrap_or(host).to_ascii_lowercase();
    host == "alchemy.com" || host.ends_with(".alchemy.com")
}

/// `ALCHEMY_API_KEY`, else the keychain's.
fn api_key() -> Result<ApiKey, Failure> {
    if let Some(key) = std::env::var("ALCHEMY_API_KEY").ok().filter(|k| !k.is_empty()) {
        return ApiKey::new(key).map_err(|e| Failure::bad_input(format!("ALCHEMY_API_KEY: {e}")));
    }
    const NO_KEY: &str =
        "the endpoint is Alchemy's and needs an API key: set ALCHEMY_API_KEY or store one in the keychain";
    // No key is configuration the caller must fix (exit 2), whatever the keychain said.
    let from_keychain = crate::cmd::key::open()
        .map_err(|f| f.message().to_owned())
        .and_then(|k| k.alchemy_api_key().map_err(|e| format!("{}: {e}", e.code())));
    match from_keychain {
        Ok(Some(key)) => {
            ApiKey::new(key.expose()).map_err(|e| Failure::bad_input(format!("the keychain's API key: {e}")))
        }
        Ok(None) => Err(Failure::bad_input(NO_KEY)),
        Err(keychain) => Err(Failure::bad_input(format!("{NO_KEY} (the keychain: {keychain})"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alchemy_hosts_are_recognised() {
        assert!(is_alchemy("api.g.alchemy.com"));
        assert!(is_alchemy("eth-mainnet.g.alchemy.com:443"));
        assert!(!is_alchemy("127.0.0.1:8547"));
        assert!(!is_alchemy("notalchemy.com"));
    }

    #[test]
    fn chains_are_ids_or_names() {
        assert_eq!(parse_chain("84532"), Ok(84532));
        assert_eq!(parse_chain("0x14a34"), Ok(84532));
        assert_eq!(parse_chain("base-sepolia"), Ok(84532));
        assert_eq!(parse_chain("Base Sepolia"), Ok(84532));
        assert_eq!(parse_chain("polygon-mainnet"), Ok(137));
        assert_eq!(parse_chain("BNB Smart Chain"), Ok(56));
        assert_eq!(parse_chain("31337"), Ok(31337), "any id, in the registry or not");
        assert!(parse_chain("base-sepolai").unwrap_err().contains("did you mean base-sepolia"));
        assert!(parse_chain("0").is_err());
        assert!(parse_chain("no-such-chain").unwrap_err().contains("no-such-chain"));
    }
}
