//! Where the app keeps things, by the platform's conventions, and the one-time move from
//! where earlier versions kept them.
//!
//! Three folders (on Linux, the XDG base directories; nothing in the home folder itself):
//! * **config** — the owner-key index (addresses and labels, shared with the CLI) and the
//!   app's `settings.json`: `WARDEN_CONFIG_DIR`, else `$XDG_CONFIG_HOME/warden`
//!   (`~/.config/warden`), the same on every platform (the CLI's folder);
//! * **data** — the session list and the activity log, what a backup must keep: Linux
//!   `$XDG_DATA_HOME/warden` (`~/.local/share/warden`); elsewhere the platform's app data
//!   folder (`~/Library/Application Support/dev.warden.Warden`, `%APPDATA%\dev.warden.Warden`);
//! * **state** — the local devnet's accounts and chain (`devnet/`), rebuilt from nothing
//!   when deleted: Linux `$XDG_STATE_HOME/warden` (`~/.local/state/warden`); elsewhere
//!   `state/` in the platform's local app data folder.
//!
//! Secrets are in none of them: owner keys, session keys and the Alchemy API key are in
//! the OS keychain. Versions up to 0.1 kept settings, sessions, the log and the devnet
//! together in the app data folder of the bundle identifier `dev.warden.app`
//! (`~/.local/share/dev.warden.app`); [`migrate_legacy`] moves each of Warden's files to its
//! new folder once, at start, and never overwrites anything already there.
//!
//! The webview (WebKit) keeps its own caches in the platform's app data and cache folders
//! of the bundle identifier (`~/.local/share/dev.warden.Warden`, `~/.cache/dev.warden.Warden`);
//! Warden stores nothing there. Left out: choosing other folders from the UI, and asking
//! the platform for its app data folders, which only the shell can
//! (`src-tauri/src/locations.rs` builds a [`Locations`] with [`Locations::xdg`] on Linux,
//! from those folders elsewhere, and finds the legacy folder beside them).

use std::path::{Path, PathBuf};

use tracing::{info, warn};

/// The folder name under the XDG base directories.
const XDG_NAME: &str = "warden";
/// The bundle identifier of versions up to 0.1, whose app data folder held everything.
pub const LEGACY_IDENTIFIER: &str = "dev.warden.app";
/// The settings file, in the config folder.
pub const SETTINGS_FILE: &str = "settings.json";
/// The local devnet's folder, in the state folder.
pub const DEVNET_DIR: &str = "devnet";

/// Why the folders could not be found or prepared.
#[derive(Debug, thiserror::Error)]
pub enum LocationError {
    #[error("cannot tell where to keep Warden's files: set HOME (or WARDEN_CONFIG_DIR and the XDG_*_HOME variables)")]
    NoHome,
    #[error("cannot find the platform's app data folder: {0}")]
    Platform(String),
    #[error("cannot move {from} to {to} (Warden's files moved in version 0.2; move it by hand): {source}")]
    Migrate {
        from: PathBuf,
        to: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// The app's three folders.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Locations {
    pub config: PathBuf,
    pub data: PathBuf,
    pub state: PathBuf,
}

impl Locations {
    /// The settings file.
    pub fn settings_file(&self) -> PathBuf {
        self.config.join(SETTINGS_FILE)
    }

    /// The local devnet's folder.
    pub fn devnet_dir(&self) -> PathBuf {
        self.state.join(DEVNET_DIR)
    }

    /// The XDG folders, from the environment `env` reads.
    pub fn xdg(config: PathBuf, env: &dyn Fn(&str) -> Option<std::ffi::OsString>) -> Option<Self> {
        let base = |var: &str, fallback: &str| -> Option<PathBuf> {
            match env(var).filter(|v| !v.is_empty()).map(PathBuf::from) {
                // The spec: a relative value is invalid and must be ignored.
                Some(dir) if dir.is_absolute() => Some(dir),
                _ => env("HOME").filter(|h| !h.is_empty()).map(|h| PathBuf::from(h).join(fallback)),
            }
        };
        Some(Self {
            config,
            data: base("XDG_DATA_HOME", ".local/share")?.join(XDG_NAME),
            state: base("XDG_STATE_HOME", ".local/state")?.join(XDG_NAME),
        })
    }
}

/// What [`migrate_legacy`] did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Migration {
    /// (from, to) of every entry moved.
    pub moved: Vec<(PathBuf, PathBuf)>,
    /// Entries left in the old folder because their new place was taken.
    pub left: Vec<PathBuf>,
}

/// The new folder of one of Warden's own entries in the legacy folder; `None` for what
/// is not Warden's (the webview's caches, which stay).
fn new_folder_of<'a>(name: &str, to: &'a Locations) -> Option<&'a Path> {
    use crate::store::FILE_NAME as SESSIONS_FILE;
    use warden_core::activity::{HEAD_FILE, LOG_FILE};
    if name == SETTINGS_FILE {
        Some(&to.config)
    } else if name == DEVNET_DIR {
        Some(&to.state)
    } else if name == SESSIONS_FILE
        || name == LOG_FILE
        || name == HEAD_FILE
        || name.starts_with(&format!("{SESSIONS_FILE}.corrupt-"))
    {
        Some(&to.data)
    } else {
        None
    }
}

/// Moves each of Warden's entries of the legacy folder to its new folder (settings to
/// config, the devnet to state, sessions and the activity log to data) unless something
/// is there already, then removes the legacy folder if nothing is left in it. A failed
/// move stops with an error naming both paths; what was moved stays moved and nothing is
/// deleted.
pub fn migrate_legacy(legacy: &Path, to: &Locations) -> Result<Migration, LocationError> {
    let mut done = Migration::default();
    let Ok(entries) = std::fs::read_dir(legacy) else { return Ok(done) };
    let mut names: Vec<_> = entries.filter_map(Result::ok).map(|e| e.file_name()).collect();
    names.sort();
    for name in names {
        let from = legacy.join(&name);
        let Some(folder) = name.to_str().and_then(|n| new_folder_of(n, to)) else { continue };
        let dest = folder.join(&name);
        if dest.symlink_metadata().is_ok() {
            warn!(from = %from.display(), to = %dest.display(), "not moved: the new place is taken");
            done.left.push(from);
            continue;
        }
        let fail = |source| LocationError::Migrate { from: from.clone(), to: dest.clone(), source };
        std::fs::create_dir_all(folder).map_err(fail)?;
        std::fs::rename(&from, &dest).map_err(fail)?;
        info!(from = %from.display(), to = %dest.display(), "moved to its new folder");
        done.moved.push((from, dest));
    }
    // Only an empty folder goes; anything left stays for the user to see.
    let _ = std::fs::remove_dir(legacy);
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::ffi::OsString;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<OsString> {
        let map: HashMap<String, OsString> = pairs.iter().map(|(k, v)| ((*k).to_owned(), OsString::from(v))).collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn xdg_folders_follow_the_variables_then_home() {
        let config = PathBuf::from("/c/warden");
        let set = Locations::xdg(
            config.clone(),
            &env_of(&[("HOME", "/home/u"), ("XDG_DATA_HOME", "/d"), ("XDG_STATE_HOME", "/s")]),
        )
        .unwrap();
        assert_eq!(set, Locations { config: config.clone(), data: "/d/warden".into(), state: "/s/warden".into() });
        // Unset, empty or relative: the spec's defaults under HOME.
        let unset = Locations::xdg(
            config.clone(),
            &env_of(&[("HOME", "/home/u"), ("XDG_DATA_HOME", ""), ("XDG_STATE_HOME", "rel")]),
        )
        .unwrap();
        assert_eq!(unset.data, PathBuf::from("/home/u/.local/share/warden"));
        assert_eq!(unset.state, PathBuf::from("/home/u/.local/state/warden"));
        assert!(Locations::xdg(config, &env_of(&[])).is_none(), "no HOME, no folders");
    }

    fn new_locations(root: &Path) -> Locations {
        Locations { config: root.join("config"), data: root.join("data"), state: root.join("state") }
    }

    #[test]
    fn legacy_entries_move_to_their_folders_and_the_old_folder_goes() {
        let root = tempfile::tempdir().unwrap();
        let legacy = root.path().join("dev.warden.app");
        std::fs::create_dir_all(legacy.join("devnet")).unwrap();
        std::fs::write(legacy.join("devnet/state.json"), "{}").unwrap();
        std::fs::write(legacy.join("settings.json"), r#"{"backend":"devnet"}"#).unwrap();
        std::fs::write(legacy.join("sessions.json"), "sessions").unwrap();
        std::fs::write(legacy.join("activity.jsonl"), "log").unwrap();
        std::fs::write(legacy.join("activity.head.json"), "head").unwrap();
        std::fs::write(legacy.join("sessions.json.corrupt-1700000000"), "kept aside").unwrap();
        let to = new_locations(root.path());
        let done = migrate_legacy(&legacy, &to).unwrap();
        assert_eq!(done.moved.len(), 6);
        assert!(done.left.is_empty());
        assert_eq!(std::fs::read_to_string(to.settings_file()).unwrap(), r#"{"backend":"devnet"}"#);
        assert_eq!(std::fs::read_to_string(to.devnet_dir().join("state.json")).unwrap(), "{}");
        assert_eq!(std::fs::read_to_string(to.data.join("sessions.json")).unwrap(), "sessions");
        assert_eq!(std::fs::read_to_string(to.data.join("activity.jsonl")).unwrap(), "log");
        assert_eq!(std::fs::read_to_string(to.data.join("activity.head.json")).unwrap(), "head");
        assert!(to.data.join("sessions.json.corrupt-1700000000").exists());
        assert!(!legacy.exists());
        // Nothing to do the second time.
        assert_eq!(migrate_legacy(&legacy, &to).unwrap(), Migration::default());
    }

    #[test]
    fn the_webviews_caches_stay_where_they_are() {
        let root = tempfile::tempdir().unwrap();
        let legacy = root.path().join("dev.warden.app");
        std::fs::create_dir_all(legacy.join("WebKitCache")).unwrap();
        std::fs::write(legacy.join("hsts-storage.sqlite"), "").unwrap();
        std::fs::write(legacy.join("sessions.json"), "s").unwrap();
        let to = new_locations(root.path());
        let done = migrate_legacy(&legacy, &to).unwrap();
        assert_eq!(done.moved.len(), 1);
        assert!(legacy.join("WebKitCache").is_dir() && legacy.join("hsts-storage.sqlite").exists());
        assert!(!to.data.join("WebKitCache").exists());
    }

    #[test]
    fn nothing_is_overwritten() {
        let root = tempfile::tempdir().unwrap();
        let legacy = root.path().join("dev.warden.app");
        std::fs::create_dir_all(&legacy).unwrap();
        std::fs::write(legacy.join("sessions.json"), "old").unwrap();
        let to = new_locations(root.path());
        std::fs::create_dir_all(&to.data).unwrap();
        std::fs::write(to.data.join("sessions.json"), "new").unwrap();
        let done = migrate_legacy(&legacy, &to).unwrap();
        assert_eq!(done.left, vec![legacy.join("sessions.json")]);
        assert_eq!(std::fs::read_to_string(to.data.join("sessions.json")).unwrap(), "new");
        assert_eq!(std::fs::read_to_string(legacy.join("sessions.json")).unwrap(), "old", "kept in place");
    }
}
