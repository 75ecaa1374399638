//! [`AppState`]: what every command reaches through `tauri::State` — the keychain
//! connection, the settings store, the embedded devnet and the cached JSON-RPC client.
//!
//! Built once in `setup` (it needs the app's data folder and store). Left out: per-window
//! state (there is one window).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use warden_core::rpc::RpcClient;
use warden_keychain::Namespace;

use crate::embedded_devnet::EmbeddedDevnet;
use crate::keychain_access::KeychainAccess;
use crate::settings::SettingsStore;

/// The app's shared state.
#[derive(Debug)]
pub struct AppState {
    pub keychain: Arc<KeychainAccess>,
    pub settings: SettingsStore,
    pub devnet: EmbeddedDevnet,
    /// The client of the active backend, keyed by what it was built for; rebuilt when the
    /// backend changes.
    pub(crate) rpc_cache: Mutex<Option<(String, RpcClient)>>,
}

impl AppState {
    pub fn new(
        namespace: Namespace,
        config_dir: PathBuf,
        settings: SettingsStore,
        devnet_state_dir: Option<PathBuf>,
    ) -> Self {
        Self {
            keychain: Arc::new(KeychainAccess::new(namespace, config_dir)),
            settings,
            devnet: EmbeddedDevnet::new(devnet_state_dir),
            rpc_cache: Mutex::new(None),
        }
    }
}
