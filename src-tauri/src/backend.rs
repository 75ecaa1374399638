//! The active backend: which endpoint (embedded devnet or Alchemy), which chain, which gas
//! policy, and the JSON-RPC client that talks to it.
//!
//! The choice lives in the settings; the Alchemy API key in the keychain. Switching is
//! explicit (the two `backend_use_*` commands) and the devnet is the default while nothing
//! else was chosen. Left out: checking an API key against Alchemy before storing it (that
//! needs the network; the first request reports a bad key as an RPC error).

use warden_core::networks;
use warden_core::rpc::{ALCHEMY_WALLET_URL, ApiKey, Endpoint, RpcClient, RpcConfig};
use warden_keychain::{Keychain, SecretString};

use crate::error::AppError;
use crate::payloads::{BackendInfo, BackendKind};
use crate::settings::Settings;
use crate::state::AppState;

/// What commands need to talk to the active backend.
#[derive(Clone, Debug)]
pub struct ActiveBackend {
    pub kind: BackendKind,
    pub chain_id: u32,
    pub policy_id: Option<String>,
    pub rpc: RpcClient,
    /// The endpoint's URL as written into credentials (never with an API key).
    pub url: String,
    /// `host[:port]` of the endpoint.
    pub host: String,
}

/// The active backend, starting the devnet if it is the one and is not running.
pub async fn active(state: &AppState) -> Result<ActiveBackend, AppError> {
    let settings = state.settings.load();
    match settings.backend {
        BackendKind::Devnet => {
            let devnet = state.devnet.ensure_started().await?;
            let key = format!("devnet {}", devnet.url);
            let rpc = match cached(state, &key)? {
                Some(rpc) => rpc,
                None => store_client(state, &key, Endpoint::new(&devnet.url)?)?,
            };
            Ok(ActiveBackend {
                kind: BackendKind::Devnet,
                chain_id: devnet.chain_id,
                policy_id: None,
                rpc,
                url: devnet.url,
                host: devnet.host,
            })
        }
        BackendKind::Alchemy => {
            let rpc = match cached(state, ALCHEMY_CACHE_KEY)? {
                Some(rpc) => rpc,
                None => {
                    let key = state.keychain.run(stored_api_key).await?;
                    let endpoint = Endpoint::alchemy(ApiKey::new(key.expose().to_owned())?);
                    store_client(state, ALCHEMY_CACHE_KEY, endpoint)?
                }
            };
            Ok(ActiveBackend {
                kind: BackendKind::Alchemy,
                chain_id: settings.alchemy_chain_id,
                policy_id: settings.policy_id,
                host: rpc.endpoint().host().to_owned(),
                rpc,
                url: ALCHEMY_WALLET_URL.to_owned(),
            })
        }
    }
}

/// The backend as the banner and settings show it.
pub async fn info(state: &AppState) -> Result<BackendInfo, AppError> {
    let settings = state.settings.load();
    // Whether a key is stored is shown on both backends; a keychain that cannot answer
    // shows as "no key" here (the keychain screen reports the problem itself).
    let has_api_key = state.keychain.run(|k| Ok(k.alchemy_api_key()?.is_some())).await.unwrap_or(false);
    Ok(match settings.backend {
        BackendKind::Devnet => {
            let devnet = state.devnet.ensure_started().await?;
            BackendInfo {
                kind: BackendKind::Devnet,
                chain_id: devnet.chain_id,
                chain_name: "Local devnet".to_owned(),
                endpoint_host: devnet.host,
                policy_id: None,
                has_api_key,
            }
        }
        BackendKind::Alchemy => alchemy_info(&settings, has_api_key),
    })
}

fn alchemy_info(settings: &Settings, has_api_key: bool) -> BackendInfo {
    let host = Endpoint::new(ALCHEMY_WALLET_URL).map(|e| e.host().to_owned()).unwrap_or_default();
    BackendInfo {
        kind: BackendKind::Alchemy,
        chain_id: settings.alchemy_chain_id,
        chain_name: networks::display_name(settings.alchemy_chain_id),
        endpoint_host: host,
        policy_id: settings.policy_id.clone(),
        has_api_key,
    }
}

/// Drops the cached client (after the backend or the API key changed).
pub fn forget_client(state: &AppState) {
    if let Ok(mut cache) = state.rpc_cache.lock() {
        *cache = None;
    }
}

const ALCHEMY_CACHE_KEY: &str = "alchemy";

fn stored_api_key(keychain: &Keychain) -> Result<SecretString, AppError> {
    keychain.alchemy_api_key()?.ok_or_else(|| {
        AppError::invalid_input("no Alchemy API key is stored: enter one in Settings, or use the local devnet")
    })
}

fn cached(state: &AppState, key: &str) -> Result<Option<RpcClient>, AppError> {
    let cache = state.rpc_cache.lock().map_err(|_| AppError::internal("the RPC client cache lock is poisoned"))?;
    Ok(cache.as_ref().filter(|(k, _)| k == key).map(|(_, c)| c.clone()))
}

fn store_client(state: &AppState, key: &str, endpoint: Endpoint) -> Result<RpcClient, AppError> {
    let client = RpcClient::new(endpoint, RpcConfig::default())?;
    let mut cache = state.rpc_cache.lock().map_err(|_| AppError::internal("the RPC client cache lock is poisoned"))?;
    *cache = Some((key.to_owned(), client.clone()));
    Ok(client)
}
