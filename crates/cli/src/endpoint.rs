//! Which Wallets API endpoint a command talks to, and with which API key.
//!
//! `--endpoint URL` wins, then `WARDEN_ENDPOINT`, then a default the command supplies (the
//! `endpoint` of a credentials document). Alchemy's endpoints (any `*.alchemy.com` host)
//! need an API key: `ALCHEMY_API_KEY` when set, else the one kept in the OS keychain
//! (`warden key` namespace). Other endpoints (the devnet) get no key. The key never appears
//! in output or errors.
//!
//! Commands that also read the chain (`account`, `grant`, `session inspect --status`,
//! `revoke`) take [`NetworkArgs`]: the endpoint plus `--chain-id`, which defaults to the
//! endpoint's `eth_chainId`; they run on a current-thread [`runtime`].

use warden_core::Coded;
use warden_core::chain;
use warden_core::rpc::{ApiKey, Endpoint, RpcClient, RpcConfig};

use crate::exit::Failure;
use crate::input::parse_u64;

/// `--endpoint`, shared by every command that talks to an endpoint.
#[derive(Debug, Clone, clap::Args)]
pub struct EndpointArgs {
    /// The Wallets API endpoint URL, e.g. http://127.0.0.1:8547 (`warden devnet`) or
    /// https://api.g.alchemy.com/v2. Overrides the credentials' endpoint.
    #[arg(long, env = "WARDEN_ENDPOINT", value_name = "URL")]
    pub endpoint: Option<String>,
}

impl EndpointArgs {
    /// The URL chosen: the flag or environment when not empty, else `fallback`.
    pub fn url<'a>(&'a self, fallback: Option<&'a str>) -> Option<&'a str> {
        self.endpoint.as_deref().map(str::trim).filter(|u| !u.is_empty()).or(fallback)
    }

    /// The JSON-RPC client for the chosen endpoint; `fallback` is used when neither the flag
    /// nor the environment names one.
    pub fn client(&self, fallback: Option<&str>) -> Result<RpcClient, Failure> {
        // An empty WARDEN_ENDPOINT (`WARDEN_ENDPOINT= warden …`) means none.
        let url = self
            .url(fallback)
            .ok_or_else(|| Failure::bad_input("no endpoint configured: pass --endpoint URL or set WARDEN_ENDPOINT"))?;
        let mut endpoint = Endpoint::new(url).map_err(|e| Failure::bad_input(format!("endpoint {url:?}: {e}")))?;
        if is_alchemy(endpoint.host()) {
            endpoint = endpoint.with_api_key(api_key()?);
        }
        RpcClient::new(endpoint, RpcConfig::default()).map_err(|e| Failure::refused(e.to_string()))
    }
}

/// `--endpoint` and `--chain-id`, for commands that read the chain as well.
#[derive(Debug, Clone, clap::Args)]
pub struct NetworkArgs {
    #[command(flatten)]
    pub endpoint: EndpointArgs,
    /// Chain id (default: the endpoint's eth_chainId).
    #[arg(long = "chain-id", value_name = "ID", value_parser = parse_chain_id)]
    pub chain_id: Option<u32>,
}

fn parse_chain_id(s: &str) -> Result<u32, String> {
    let v = parse_u64(s)?;
    u32::try_from(v).ok().filter(|c| *c != 0).ok_or_else(|| format!("`{s}` is not a chain id from 1 to 2^32-1"))
}

/// A client for the endpoint, the URL it was given as (what credentials record; the API
/// key travels in a header, never in it), and the chain.
#[derive(Debug, Clone)]
pub struct Connection {
    pub rpc: RpcClient,
    pub url: String,
    pub chain_id: u32,
}

impl NetworkArgs {
    /// Connects to the endpoint (`fallback` when neither flag nor environment names one)
    /// and settles the chain id.
    pub async fn connect(&self, fallback: Option<&str>) -> Result<Connection, Failure> {
        let rpc = self.endpoint.client(fallback)?;
        let url = self.endpoint.url(fallback).unwrap_or_default().to_owned();
        let chain_id = match self.chain_id {
            Some(c) => c,
            None => chain::chain_id(&rpc).await.map_err(|e| {
                Failure::from_code(
                    e.code(),
                    format!(
                        "cannot read the chain id (pass --chain-id if the endpoint does not serve eth_chainId): {e}"
                    ),
                )
            })?,
        };
        Ok(Connection { rpc, url, chain_id })
    }
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

fn is_alchemy(host: &str) -> bool {
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
    let from_keychain = crate::key::open()
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
}
