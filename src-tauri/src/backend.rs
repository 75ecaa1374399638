//! The active backend: which endpoints (the embedded devnet's or Alchemy's), which chain,
//! which gas policy, and the `warden_core::Backend` that talks to them.
//!
//! The choice lives in the settings; the Alchemy API key in the keychain. Switching is
//! explicit (the two `backend_use_*` commands) and the devnet is the default while nothing
//! else was chosen. Both backends have two endpoints: the wallet API for `wallet_*` and the
//! chain's node for chain reads (for Alchemy, the node URL of the chain registry). The gas
//! policy (the settings' on Alchemy, the devnet's own default policy on the devnet) applies
//! to every owner operation and test call.
//! Left out: checking an API key against Alchemy before storing it (`backend_check` and
//! `warden doctor` do that on request).

use warden_core::backend::{Backend, alchemy_node_url};
use warden_core::chains;
use warden_core::rpc::{ALCHEMY_WALLET_URL, ApiKey, Endpoint, RpcConfig};
use warden_keychain::{Keychain, SecretString};

use crate::error::AppError;
use crate::payloads::{BackendInfo, BackendKind, Currency};
use crate::settings::Settings;
use crate::state::AppState;

pub use warden_desk::backend::ActiveBackend;

/// The active backend, starting the devnet if it is the one and is not running.
pub async fn active(state: &AppState) -> Result<ActiveBackend, AppError> {
    let settings = state.settings.load();
    match settings.backend {
        BackendKind::Devnet => {
            let devnet = state.devnet.ensure_started().await?;
            let key = format!("devnet {} {}", devnet.url, devnet.node_url);
            let backend = match cached(state, &key)? {
                Some(b) => b,
                None => {
                    let b = Backend::connect(
                        Endpoint::new(&devnet.url)?,
                        Endpoint::new(&devnet.node_url)?,
                        devnet.chain_id,
                        None,
                        &RpcConfig::default(),
                    )?;
                    store(state, &key, b)?
                }
            };
            Ok(ActiveBackend {
                kind: BackendKind::Devnet,
                backend: backend.with_policy(devnet.policy),
                url: devnet.url,
                host: devnet.host,
            })
        }
        BackendKind::Alchemy => {
            let chain_id = settings.alchemy_chain_id;
            let policy = settings.policy_id;
            let key = format!("alchemy {chain_id}");
            let backend = match cached(state, &key)? {
                Some(b) => b,
                None => {
                    let api_key = state.keychain.run(stored_api_key).await?;
                    let api_key = ApiKey::new(api_key.expose().to_owned())?;
                    store(state, &key, Backend::alchemy(api_key, chain_id, None, &RpcConfig::default())?)?
                }
            };
            Ok(ActiveBackend {
                kind: BackendKind::Alchemy,
                host: backend.wallet().endpoint().host().to_owned(),
                backend: backend.with_policy(policy),
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
                node_host: Endpoint::new(&devnet.node_url).map(|e| e.host().to_owned()).unwrap_or_default(),
                policy_id: devnet.policy.map(|p| p.to_string()),
                has_api_key,
                currency: Currency::of_chain(devnet.chain_id),
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
        chain_name: chains::display_name(settings.alchemy_chain_id),
        endpoint_host: host,
        node_host: alchemy_node_url(settings.alchemy_chain_id)
            .and_then(|u| Endpoint::new(u).ok())
            .map(|e| e.host().to_owned())
            .unwrap_or_default(),
        policy_id: settings.policy_id.map(|p| p.to_string()),
        has_api_key,
        currency: Currency::of_chain(settings.alchemy_chain_id),
    }
}

/// Whether Alchemy serves a node for `chain_id` that Warden knows.
pub fn alchemy_serves(chain_id: u32) -> bool {
    alchemy_node_url(chain_id).is_some()
}

/// Drops the cached backend (after the backend or the API key changed).
pub fn forget_client(state: &AppState) {
    if let Ok(mut cache) = state.rpc_cache.lock() {
        *cache = None;
    }
}

fn stored_api_key(keychain: &Keychain) -> Result<SecretString, AppError> {
    keychain.alchemy_api_key()?.ok_or_else(|| {
        AppError::invalid_input("no Alchemy API key is stored: enter one in Settings, or use the local devnet")
    })
}

fn cached(state: &AppState, key: &str) -> Result<Option<Backend>, AppError> {
    let cache = state.rpc_cache.lock().map_err(|_| AppError::internal("the backend cache lock is poisoned"))?;
    Ok(cache.as_ref().filter(|(k, _)| k == key).map(|(_, b)| b.clone()))
}

fn store(state: &AppState, key: &str, backend: Backend) -> Result<Backend, AppError> {
    let mut cache = state.rpc_cache.lock().map_err(|_| AppError::internal("the backend cache lock is poisoned"))?;
    *cache = Some((key.to_owned(), backend.clone()));
    Ok(backend)
}
