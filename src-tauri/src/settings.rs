//! The app's non-secret settings — which backend, the Alchemy chain, the gas policy id —
//! kept in `settings.json` in the app's data folder through `tauri-plugin-store`.
//!
//! Secrets are never here: the Alchemy API key is in the keychain, owner keys too, and the
//! owner-key list and selection live in the keychain crate's index (shared with the CLI,
//! so `warden key select` and the app agree). A value that is missing or malformed reads
//! as its default (a warning is logged), so a damaged file never stops the app from
//! starting on the local devnet. Left out: atomic replacement — the store plugin rewrites
//! the file in place; the worst a crash mid-write does is reset these three values.

use std::sync::Arc;

use serde_json::{Value, json};
use tauri::Wry;
use tauri_plugin_store::{Store, StoreExt};
use tracing::warn;
use warden_core::api::UuidV4;

use crate::error::AppError;
use crate::payloads::BackendKind;

/// The store file, relative to the app's data folder.
pub const SETTINGS_FILE: &str = "settings.json";

const KEY_BACKEND: &str = "backend";
const KEY_CHAIN_ID: &str = "alchemyChainId";
const KEY_POLICY_ID: &str = "gasPolicyId";

/// The chain the Alchemy backend starts on until the user picks another (a testnet).
pub const DEFAULT_ALCHEMY_CHAIN_ID: u32 = 11_155_111;

/// What is stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    pub backend: BackendKind,
    pub alchemy_chain_id: u32,
    pub policy_id: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Self { backend: BackendKind::Devnet, alchemy_chain_id: DEFAULT_ALCHEMY_CHAIN_ID, policy_id: None }
    }
}

impl Settings {
    /// Reads settings from stored values, keeping the default for any missing or bad one.
    pub fn from_values(get: impl Fn(&str) -> Option<Value>) -> Self {
        let mut settings = Self::default();
        if let Some(v) = get(KEY_BACKEND) {
            match serde_json::from_value::<BackendKind>(v) {
                Ok(kind) => settings.backend = kind,
                Err(e) => warn!(error = %e, "ignoring a malformed stored backend"),
            }
        }
        if let Some(v) = get(KEY_CHAIN_ID) {
            match v.as_f64().ok_or(()).and_then(|n| chain_id(n).map_err(|_| ())) {
                Ok(id) => settings.alchemy_chain_id = id,
                Err(()) => warn!("ignoring a malformed stored chain id"),
            }
        }
        match get(KEY_POLICY_ID) {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) => match policy_id(&s) {
                Ok(id) => settings.policy_id = Some(id),
                Err(e) => warn!(error = %e.message, "ignoring a malformed stored gas policy id"),
            },
            Some(_) => warn!("ignoring a malformed stored gas policy id"),
        }
        settings
    }

    /// The values to store.
    pub fn to_values(&self) -> [(&'static str, Value); 3] {
        [
            (KEY_BACKEND, json!(self.backend)),
            (KEY_CHAIN_ID, json!(self.alchemy_chain_id)),
            (KEY_POLICY_ID, json!(self.policy_id)),
        ]
    }
}

/// A chain id as the UI sends it (a JS number): a whole number from 1 to 2^32 − 1, the
/// range the Wallets API accepts.
pub fn chain_id(value: f64) -> Result<u32, AppError> {
    if value.fract() != 0.0 || !(1.0..=f64::from(u32::MAX)).contains(&value) {
        return Err(AppError::invalid_input(format!(
            "chain id {value} is not valid: it must be a whole number from 1 to {}",
            u32::MAX
        )));
    }
    // In range and whole, so the conversion is exact.
    Ok(value as u32)
}

/// A gas-manager policy id: a UUID (version 4, hyphenated), as the Wallets API requires;
/// surrounding whitespace is ignored.
pub fn policy_id(value: &str) -> Result<String, AppError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(AppError::invalid_input("the gas policy id is empty"));
    }
    value.parse::<UuidV4>().map(|id| id.to_string()).map_err(|_| {
        AppError::invalid_input(
            "the gas policy id is not a policy id: Alchemy shows it as a UUID like 2b1a7d3c-9e4f-4a6b-8c2d-0e1f2a3b4c5d",
        )
    })
}

/// The settings store of a running app.
#[derive(Clone)]
pub struct SettingsStore {
    store: Arc<Store<Wry>>,
}

impl std::fmt::Debug for SettingsStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SettingsStore")
    }
}

impl SettingsStore {
    /// Opens (or creates) the store file of `app`.
    pub fn open(app: &tauri::AppHandle<Wry>) -> Result<Self, AppError> {
        let store = app
            .store(SETTINGS_FILE)
            .map_err(|e| AppError::internal(format!("cannot open the settings file {SETTINGS_FILE}: {e}")))?;
        Ok(Self { store })
    }

    pub fn load(&self) -> Settings {
        Settings::from_values(|key| self.store.get(key))
    }

    /// Stores `settings` and writes the file now.
    pub fn save(&self, settings: &Settings) -> Result<(), AppError> {
        for (key, value) in settings.to_values() {
            self.store.set(key, value);
        }
        self.store.save().map_err(|e| AppError::internal(format!("cannot save the settings: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn round_trips_and_defaults() {
        let s = Settings {
            backend: BackendKind::Alchemy,
            alchemy_chain_id: 84532,
            policy_id: Some("2b1a7d3c-9e4f-4a6b-8c2d-0e1f2a3b4c5d".into()),
        };
        let map: HashMap<_, _> = s.to_values().into_iter().collect();
        assert_eq!(Settings::from_values(|k| map.get(k).cloned()), s);
        assert_eq!(Settings::from_values(|_| None), Settings::default());
        assert_eq!(Settings::default().backend, BackendKind::Devnet);
    }

    #[test]
    fn malformed_values_read_as_defaults() {
        let map: HashMap<&str, Value> = [
            (KEY_BACKEND, json!("mainnet-please")),
            (KEY_CHAIN_ID, json!(-5)),
            (KEY_POLICY_ID, json!("no spaces allowed")),
        ]
        .into_iter()
        .collect();
        assert_eq!(Settings::from_values(|k| map.get(k).cloned()), Settings::default());
    }

    #[test]
    fn chain_ids_are_whole_32_bit_and_positive() {
        assert_eq!(chain_id(84532.0).unwrap(), 84532);
        assert_eq!(chain_id(f64::from(u32::MAX)).unwrap(), u32::MAX);
        for bad in [0.0, -1.0, 1.5, 4_294_967_296.0, f64::NAN, f64::INFINITY] {
            let e = chain_id(bad).unwrap_err();
            assert_eq!(e.code, crate::error::AppErrorCode::InvalidInput, "{bad}");
        }
    }

    #[test]
    fn policy_ids_are_trimmed_and_checked() {
        let id = "2b1a7d3c-9e4f-4a6b-8c2d-0e1f2a3b4c5d";
        assert_eq!(policy_id(&format!(" {id}\n")).unwrap(), id);
        assert!(policy_id("").is_err());
        assert!(policy_id("not-a-policy").is_err());
        // A UUID, but not version 4.
        assert!(policy_id("2b1a7d3c-9e4f-1a6b-8c2d-0e1f2a3b4c5d").is_err());
    }
}
