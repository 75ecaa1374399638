//! Which Wallets API endpoint a command talks to, and with which API key.
//!
//! `--endpoint URL` wins, then `WARDEN_ENDPOINT`, then a default the command supplies (the
//! `endpoint` of a credentials document). Alchemy's endpoints (any `*.alchemy.com` host)
//! need an API key: `ALCHEMY_API_KEY` when set, else the one kept in the OS keychain
//! (`warden key` namespace). Other endpoints (the devnet) get no key. The key never appears
//! in output or errors.

use warden_core::Coded;
use warden_core::rpc::{ApiKey, Endpoint, RpcClient, RpcConfig};

use crate::exit::Failure;

/// `--endpoint`, shared by every command that talks to an endpoint.
#[derive(Debug, Clone, clap::Args)]
pub struct EndpointArgs {
    /// The Wallets API endpoint URL, e.g. http://127.0.0.1:8547 (`warden devnet`) or
    /// https://api.g.alchemy.com/v2. Overrides the credentials' endpoint.
    #[arg(long, env = "WARDEN_ENDPOINT", value_name = "URL")]
    pub endpoint: Option<String>,
}

impl EndpointArgs {
    /// The JSON-RPC client for the chosen endpoint; `fallback` is used when neither the flag
    /// nor the environment names one.
    pub fn client(&self, fallback: Option<&str>) -> Result<RpcClient, Failure> {
        let url =
            self.endpoint.as_deref().or(fallback).ok_or_else(|| {
                Failure::bad_input("no endpoint configured: pass --endpoint URL or set WARDEN_ENDPOINT")
            })?;
        let mut endpoint = Endpoint::new(url).map_err(|e| Failure::bad_input(format!("endpoint {url:?}: {e}")))?;
        if is_alchemy(endpoint.host()) {
            endpoint = endpoint.with_api_key(api_key()?);
        }
        RpcClient::new(endpoint, RpcConfig::default()).map_err(|e| Failure::refused(e.to_string()))
    }
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
