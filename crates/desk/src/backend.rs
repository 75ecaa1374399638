//! The active backend: which endpoints (the embedded devnet's or Alchemy's), which chain,
//! which gas policy, and the `warden_core::Backend` that talks to them.
//!
//! The choice lives in the settings; the Alchemy API key in the keychain. Switching is
//! explicit (the two `backend_use_*` commands) and the devnet is the default while nothing
//! else was chosen. Both backends have two endpoints: the wallet API for `wallet_*` and the
//! chain's node for chain reads (for Alchemy, the node URL of the chain registry). The gas
//! policy (the settings' on Alchemy, the devnet's own default policy on the devnet) applies
//! to every owner operation and test call.
//!
//! Also the bodies of the backend commands (`backend_status`, `chains_list`,
//! `backend_use_alchemy`, `backend_use_devnet`, `backend_check`);
//! `src-tauri/src/commands/backend.rs` keeps one `#[tauri::command]` per name and calls
//! in here. Left out: checking an API key against Alchemy before storing it
//! (`backend_check` and `warden doctor` do that on request).

use std::sync::Mutex;

use warden_core::api::UuidV4;
use warden_core::backend::{Backend, alchemy_node_url};
use warden_core::chains::{self, REGISTRY};
use warden_core::rpc::{ALCHEMY_WALLET_URL, ApiKey, Endpoint, RpcConfig};
use warden_keychain::{Keychain, SecretString};

use crate::account::{account_kind, selected_owner};
use crate::error::AppError;
use crate::payloads::{BackendInfo, BackendKind, ChainOption, CheckFinding, Currency};
use crate::sensitive::Sensitive;
use crate::settings::{self, Settings};
use crate::state::DeskState;

/// What commands need to talk to the active backend.
#[derive(Clone, Debug)]
pub struct ActiveBackend {
    pub kind: BackendKind,
    /// The wallet and node clients, the chain and the gas policy.
    pub backend: Backend,
    /// The wallet endpoint's URL as written into credentials (never with an API key).
    pub url: String,
    /// `host[:port]` of the wallet endpoint.
    pub host: String,
}

impl ActiveBackend {
    /// The chain of the backend.
    pub fn chain_id(&self) -> u32 {
        self.backend.chain_id()
    }

    /// The gas policy of the backend.
    pub fn policy(&self) -> Option<UuidV4> {
        self.backend.policy()
    }
}

/// The clients of the active backend, keyed by what they were built for; rebuilt when the
/// backend changes.
#[derive(Debug, Default)]
pub struct ClientCache(Mutex<Option<(String, Backend)>>);

/// The active backend, starting the devnet if it is the one and is not running.
pub async fn active(state: &impl DeskState) -> Result<ActiveBackend, AppError> {
    let settings = state.settings().load();
    match settings.backend {
        BackendKind::Devnet => {
            let devnet = state.devnet().ensure_started().await?;
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
                    let api_key = state.keychain().run(stored_api_key).await?;
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
pub async fn info(state: &impl DeskState) -> Result<BackendInfo, AppError> {
    let settings = state.settings().load();
    // Whether a key is stored is shown on both backends; a keychain that cannot answer
    // shows as "no key" here (the keychain screen reports the problem itself).
    let has_api_key = state.keychain().run(|k| Ok(k.alchemy_api_key()?.is_some())).await.unwrap_or(false);
    Ok(match settings.backend {
        BackendKind::Devnet => {
            let devnet = state.devnet().ensure_started().await?;
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
pub fn forget_client(state: &impl DeskState) {
    if let Ok(mut cache) = state.clients().0.lock() {
        *cache = None;
    }
}

fn stored_api_key(keychain: &Keychain) -> Result<SecretString, AppError> {
    keychain.alchemy_api_key()?.ok_or_else(|| {
        AppError::invalid_input("no Alchemy API key is stored: enter one in Settings, or use the local devnet")
    })
}

fn cached(state: &impl DeskState, key: &str) -> Result<Option<Backend>, AppError> {
    let cache = state.clients().0.lock().map_err(|_| AppError::internal("the backend cache lock is poisoned"))?;
    Ok(cache.as_ref().filter(|(k, _)| k == key).map(|(_, b)| b.clone()))
}

fn store(state: &impl DeskState, key: &str, backend: Backend) -> Result<Backend, AppError> {
    let mut cache = state.clients().0.lock().map_err(|_| AppError::internal("the backend cache lock is poisoned"))?;
    *cache = Some((key.to_owned(), backend.clone()));
    Ok(backend)
}

/// `backend_status`: the active backend (starting the devnet when it is the one).
pub async fn backend_status(state: &impl DeskState) -> Result<BackendInfo, AppError> {
    info(state).await
}

/// `chains_list`: every chain of the registry, for the settings screen's picker (any other
/// id can be typed in).
pub fn chains_list() -> Vec<ChainOption> {
    REGISTRY.iter().map(ChainOption::from).collect()
}

/// `backend_use_alchemy`: switches to Alchemy on `chain_id` with an optional gas policy.
/// `api_key` replaces the stored key; `None` keeps it (refused when none is stored). Stops
/// the local devnet.
pub async fn backend_use_alchemy(
    state: &impl DeskState,
    api_key: Option<Sensitive>,
    chain_id: f64,
    policy_id: Option<String>,
) -> Result<BackendInfo, AppError> {
    let chain_id = settings::chain_id(chain_id)?;
    let policy_id = policy_id.filter(|p| !p.trim().is_empty()).map(|p| settings::policy_id(&p)).transpose()?;
    let api_key = api_key.filter(|k| !k.is_blank()).map(Sensitive::into_secret);
    state
        .keychain()
        .run(move |k| match api_key {
            Some(new) => {
                // Checked before anything is written, so a bad key never costs the good one.
                ApiKey::new(new.expose().to_owned())?;
                // The old key stays until the new one is stored and read back.
                Ok(k.replace_alchemy_api_key(&new)?)
            }
            None if k.alchemy_api_key()?.is_some() => Ok(()),
            None => Err(AppError::invalid_input("enter your Alchemy API key: none is stored in the keychain yet")),
        })
        .await?;
    let mut new = state.settings().load();
    new.backend = BackendKind::Alchemy;
    new.alchemy_chain_id = chain_id;
    new.policy_id = policy_id;
    state.settings().save(&new)?;
    forget_client(state);
    state.devnet().stop().await;
    info(state).await
}

/// `backend_check` ("Check connection"): read-only checks of the active backend for the
/// selected owner's `account_type` account (`warden_core::doctor`): wallet endpoint, node,
/// gas policy, 7702 delegation. Nothing is signed or sent.
pub async fn backend_check(state: &impl DeskState, account_type: &str) -> Result<Vec<CheckFinding>, AppError> {
    let kind = account_kind(account_type)?;
    let owner = selected_owner(state).await?;
    let active = state.active_backend().await?;
    Ok(warden_core::doctor::check(&active.backend, owner, kind).await.into_iter().map(CheckFinding::from).collect())
}

/// `backend_use_devnet`: switches to the local devnet, starting it.
pub async fn backend_use_devnet(state: &impl DeskState) -> Result<BackendInfo, AppError> {
    let mut new = state.settings().load();
    new.backend = BackendKind::Devnet;
    state.settings().save(&new)?;
    forget_client(state);
    info(state).await
}
