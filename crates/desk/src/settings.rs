//! The app's non-secret settings — which backend, the Alchemy chain, the gas policy id, and
//! the desktop preferences (which notifications, close to tray) — kept in `settings.json` in
//! the config folder (`src-tauri/src/locations.rs`): one JSON object of these keys,
//! pretty-printed, the format `tauri-plugin-store` wrote before this module read and wrote
//! the file itself (keys it does not know are kept as they are).
//!
//! The file carries its format version (`formatVersion`, [`FORMAT_VERSION`]; a file without
//! one was written by Warden 0.1 in format 1). A file with a higher version was written by a
//! newer Warden: it is not read at all, the app runs on default settings, and saving a
//! change is refused with the reason ([`SettingsStore::refused`]), so the newer Warden finds
//! its file as it left it. The file is written only when a setting is saved.
//!
//! Secrets are never here: the Alchemy API key is in the keychain, owner keys too, and the
//! owner-key list and selection live in the keychain crate's index (shared with the CLI,
//! so `warden key select` and the app agree). A value that is missing or malformed reads
//! as its default (a warning is logged), so a damaged file never stops the app from
//! starting on the local devnet. A save replaces the file atomically
//! (`warden_core::atomic_file`): a crash leaves the old settings or the new, never half a file,
//! and a save that fails changes nothing, on disk or in memory.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde_json::{Map, Value, json};
use tracing::warn;
use warden_core::api::UuidV4;
use warden_core::atomic_file::{self, Existing};

use crate::error::{AppError, ErrorCode};
use crate::payloads::BackendKind;

/// The format version this Warden reads and writes.
pub const FORMAT_VERSION: u64 = 1;

const KEY_FORMAT_VERSION: &str = "formatVersion";
const KEY_BACKEND: &str = "backend";
const KEY_CHAIN_ID: &str = "alchemyChainId";
const KEY_POLICY_ID: &str = "gasPolicyId";
const KEY_NOTIFY_EXPIRING: &str = "notifyExpiring";
const KEY_NOTIFY_FAILED_CALLS: &str = "notifyFailedCalls";
const KEY_NOTIFY_APPROVALS: &str = "notifyApprovals";
const KEY_CLOSE_TO_TRAY: &str = "closeToTray";

/// The chain the Alchemy backend starts on until the user picks another (a testnet).
pub const DEFAULT_ALCHEMY_CHAIN_ID: u32 = 11_155_111;

/// What is stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    pub backend: BackendKind,
    pub alchemy_chain_id: u32,
    /// Parsed once, when typed or read from the store.
    pub policy_id: Option<UuidV4>,
    pub desktop: DesktopPrefs,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            backend: BackendKind::Devnet,
            alchemy_chain_id: DEFAULT_ALCHEMY_CHAIN_ID,
            policy_id: None,
            desktop: DesktopPrefs::default(),
        }
    }
}

/// Which OS notifications the app shows, and whether closing the main window keeps it in
/// the tray. Notifications are on and close-to-tray off until the person chooses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct DesktopPrefs {
    /// A session expires within the hour, or has expired.
    pub notify_expiring: bool,
    /// A call Warden sent through a session failed.
    pub notify_failed_calls: bool,
    /// A grant waits for approval.
    pub notify_approvals: bool,
    /// Closing the main window hides it; the tray's Quit ends the app.
    pub close_to_tray: bool,
}

impl Default for DesktopPrefs {
    fn default() -> Self {
        Self { notify_expiring: true, notify_failed_calls: true, notify_approvals: true, close_to_tray: false }
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
        let d = &mut settings.desktop;
        for (key, slot) in [
            (KEY_NOTIFY_EXPIRING, &mut d.notify_expiring),
            (KEY_NOTIFY_FAILED_CALLS, &mut d.notify_failed_calls),
            (KEY_NOTIFY_APPROVALS, &mut d.notify_approvals),
            (KEY_CLOSE_TO_TRAY, &mut d.close_to_tray),
        ] {
            match get(key) {
                None => {}
                Some(Value::Bool(b)) => *slot = b,
                Some(_) => warn!(key, "ignoring a malformed stored switch"),
            }
        }
        settings
    }

    /// The values to store (with the format version).
    pub fn to_values(&self) -> [(&'static str, Value); 8] {
        [
            (KEY_FORMAT_VERSION, json!(FORMAT_VERSION)),
            (KEY_BACKEND, json!(self.backend)),
            (KEY_CHAIN_ID, json!(self.alchemy_chain_id)),
            (KEY_POLICY_ID, json!(self.policy_id)),
            (KEY_NOTIFY_EXPIRING, json!(self.desktop.notify_expiring)),
            (KEY_NOTIFY_FAILED_CALLS, json!(self.desktop.notify_failed_calls)),
            (KEY_NOTIFY_APPROVALS, json!(self.desktop.notify_approvals)),
            (KEY_CLOSE_TO_TRAY, json!(self.desktop.close_to_tray)),
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
/// surrounding whitespace is ignored. The one place the app parses one.
pub fn policy_id(value: &str) -> Result<UuidV4, AppError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(AppError::invalid_input("the gas policy id is empty"));
    }
    value.parse::<UuidV4>().map_err(|_| {
        AppError::invalid_input(
            "the gas policy id is not a policy id: Alchemy shows it as a UUID like 2b1a7d3c-9e4f-4a6b-8c2d-0e1f2a3b4c5d",
        )
    })
}

/// The settings store of a running app.
#[derive(Clone)]
pub struct SettingsStore {
    inner: Inner,
}

#[derive(Clone)]
enum Inner {
    Open(Arc<SettingsFile>),
    /// The file is from a newer Warden: defaults in memory, nothing written.
    Refused(String),
}

/// The file and every value in it, as last read or saved.
struct SettingsFile {
    path: PathBuf,
    values: Mutex<Map<String, Value>>,
}

impl std::fmt::Debug for SettingsStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SettingsStore")
    }
}

/// Checks the format version of the settings file at `path`: fine when there is no file, it
/// names none (format 1) or this one; the message to show when a newer Warden wrote it.
pub fn check_format(path: &Path) -> Result<(), String> {
    let Ok(bytes) = std::fs::read(path) else { return Ok(()) };
    let found = serde_json::from_slice::<Value>(&bytes).ok().and_then(|v| v.get(KEY_FORMAT_VERSION)?.as_u64());
    match found {
        Some(found) if found > FORMAT_VERSION => Err(format!(
            "{}: the settings were written by a newer Warden (format {found}; this Warden reads format {FORMAT_VERSION}). The file was left untouched and these settings are the defaults until the newer Warden is back; changes cannot be saved",
            path.display()
        )),
        _ => Ok(()),
    }
}

impl SettingsStore {
    /// Opens the settings file at `path`, unless a newer Warden wrote it. A file that is
    /// missing, unreadable or not a JSON object reads as no values (each setting its
    /// default); nothing is written until a setting is saved.
    pub fn open(path: &Path) -> Self {
        if let Err(message) = check_format(path) {
            warn!("{message}");
            return Self { inner: Inner::Refused(message) };
        }
        let values = match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice::<Map<String, Value>>(&bytes).unwrap_or_else(|e| {
                warn!(error = %e, path = %path.display(), "the settings file is not a JSON object; using the defaults");
                Map::new()
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Map::new(),
            Err(e) => {
                warn!(error = %e, path = %path.display(), "the settings file cannot be read; using the defaults");
                Map::new()
            }
        };
        Self { inner: Inner::Open(Arc::new(SettingsFile { path: path.to_owned(), values: Mutex::new(values) })) }
    }

    /// Why the settings cannot be saved (a newer Warden's file), if so.
    pub fn refused(&self) -> Option<&str> {
        match &self.inner {
            Inner::Open(_) => None,
            Inner::Refused(message) => Some(message),
        }
    }

    pub fn load(&self) -> Settings {
        match &self.inner {
            Inner::Open(file) => {
                let values = file.lock();
                Settings::from_values(|key| values.get(key).cloned())
            }
            Inner::Refused(_) => Settings::default(),
        }
    }

    /// Stores `settings` and writes the file now (with the values it holds that this
    /// Warden does not know).
    pub fn save(&self, settings: &Settings) -> Result<(), AppError> {
        let file = match &self.inner {
            Inner::Open(file) => file,
            Inner::Refused(message) => return Err(AppError::new(ErrorCode::StoreCorrupt, message.clone())),
        };
        let mut values = file.lock();
        let mut next = values.clone();
        for (key, value) in settings.to_values() {
            next.insert(key.to_owned(), value);
        }
        let write = || -> Result<(), Box<dyn std::error::Error>> {
            std::fs::create_dir_all(atomic_file::parent_dir(&file.path))?;
            let bytes = serde_json::to_vec_pretty(&next)?;
            atomic_file::write_atomic(&file.path, &bytes, 0o600, Existing::Replace)?;
            Ok(())
        };
        write().map_err(|e| AppError::internal(format!("cannot save the settings: {e}")))?;
        // Kept only once written, so what the app runs on is what the file holds.
        *values = next;
        Ok(())
    }
}

impl SettingsFile {
    fn lock(&self) -> std::sync::MutexGuard<'_, Map<String, Value>> {
        self.values.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
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
            policy_id: Some(policy_id("2b1a7d3c-9e4f-4a6b-8c2d-0e1f2a3b4c5d").unwrap()),
            desktop: DesktopPrefs {
                notify_expiring: false,
                notify_failed_calls: true,
                notify_approvals: false,
                close_to_tray: true,
            },
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
            (KEY_CLOSE_TO_TRAY, json!("yes")),
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
            assert_eq!(e.code, ErrorCode::InvalidInput, "{bad}");
        }
    }

    #[test]
    fn policy_ids_are_trimmed_and_checked() {
        let id = "2b1a7d3c-9e4f-4a6b-8c2d-0e1f2a3b4c5d";
        assert_eq!(policy_id(&format!(" {id}\n")).unwrap().to_string(), id);
        assert!(policy_id("").is_err());
        assert!(policy_id("not-a-policy").is_err());
        // A UUID, but not version 4.
        assert!(policy_id("2b1a7d3c-9e4f-1a6b-8c2d-0e1f2a3b4c5d").is_err());
    }

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/formats/warden-0.1").join(name)
    }

    #[test]
    fn warden_0_1_settings_load() {
        let path = fixture("settings.json");
        assert_eq!(check_format(&path), Ok(()), "no formatVersion: format 1");
        let values: Map<String, Value> = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let s = Settings::from_values(|k| values.get(k).cloned());
        assert_eq!(s.backend, BackendKind::Devnet);
        assert_eq!(s.alchemy_chain_id, 84532);
        assert_eq!(s.policy_id, None);
        assert_eq!(s.desktop, DesktopPrefs::default(), "0.1 had no desktop switches");
        assert_eq!(s.to_values()[0], (KEY_FORMAT_VERSION, json!(1)), "saving names the format");
    }

    #[test]
    fn the_store_writes_one_json_object_and_keeps_unknown_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config").join("settings.json");
        let store = SettingsStore::open(&path);
        assert_eq!(store.load(), Settings::default(), "no file: the defaults");
        assert!(!path.exists(), "nothing is written until a setting is saved");
        let changed = Settings { backend: BackendKind::Alchemy, alchemy_chain_id: 84532, ..Settings::default() };
        store.save(&changed).unwrap();
        assert_eq!(SettingsStore::open(&path).load(), changed);

        std::fs::write(&path, r#"{"backend": "alchemy", "fromElsewhere": [1, 2]}"#).unwrap();
        let store = SettingsStore::open(&path);
        assert_eq!(store.load().backend, BackendKind::Alchemy);
        store.save(&Settings::default()).unwrap();
        let written: Map<String, Value> = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(written["fromElsewhere"], json!([1, 2]));
        assert_eq!(written["backend"], json!("devnet"));
        assert_eq!(written[KEY_FORMAT_VERSION], json!(FORMAT_VERSION));

        std::fs::write(&path, "not json").unwrap();
        assert_eq!(SettingsStore::open(&path).load(), Settings::default(), "a damaged file reads as the defaults");
    }

    #[test]
    fn a_save_that_fails_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        let before = Settings { backend: BackendKind::Alchemy, alchemy_chain_id: 84532, ..Settings::default() };
        let store = SettingsStore::open(&path);
        store.save(&before).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        // The folder the new file would be made in is gone and a file stands in its place.
        let blocked = dir.path().join("blocked");
        std::fs::write(&blocked, "a file, not a folder").unwrap();
        let store_in_blocked = SettingsStore::open(&blocked.join("settings.json"));
        let error = store_in_blocked.save(&before).unwrap_err();
        assert!(error.message.starts_with("cannot save the settings: "), "{error:?}");
        assert_eq!(store_in_blocked.load(), Settings::default(), "what failed to save is not kept in memory");
        // A replace that cannot finish leaves the old file whole.
        let mut perms = std::fs::metadata(dir.path()).unwrap().permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o500);
        std::fs::set_permissions(dir.path(), perms.clone()).unwrap();
        // (Root writes through a read-only folder, so this part runs only for a normal user.)
        let read_only_dir_holds = std::fs::File::create(dir.path().join("probe")).is_err();
        if read_only_dir_holds {
            assert!(store.save(&Settings::default()).is_err());
            assert_eq!(std::fs::read_to_string(&path).unwrap(), text, "the old file, whole");
            assert_eq!(store.load(), before, "memory keeps what the file holds");
        }
        std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o700);
        std::fs::set_permissions(dir.path(), perms).unwrap();
    }

    #[test]
    fn a_newer_warden_s_settings_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        let text = r#"{"formatVersion": 2, "backend": "alchemy", "somethingNew": [1, 2]}"#;
        std::fs::write(&path, text).unwrap();
        let message = check_format(&path).unwrap_err();
        assert!(
            message.contains("newer Warden") && message.contains("format 2") && message.contains("left untouched"),
            "{message}"
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
        std::fs::write(&path, r#"{"formatVersion": 1}"#).unwrap();
        assert_eq!(check_format(&path), Ok(()));
        assert_eq!(check_format(&dir.path().join("missing.json")), Ok(()));
    }
}
