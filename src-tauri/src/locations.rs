//! The app's folders as only the shell can find them: the platform's app data folders
//! (through Tauri's path resolver) and, beside them, the folder versions up to 0.1 used.
//! What the folders are for, the XDG rules on Linux and the one-time move from the legacy
//! folder are `warden_desk::locations`'s.

use std::path::PathBuf;

use tauri::{Manager, Runtime};
use warden_desk::locations::{LEGACY_IDENTIFIER, LocationError, Locations};

/// The folders of this platform and environment.
pub fn of_app<R: Runtime>(app: &tauri::AppHandle<R>) -> Result<Locations, LocationError> {
    let config = warden_keychain::default_config_dir().ok_or(LocationError::NoHome)?;
    if cfg!(target_os = "linux") {
        let env = |k: &str| std::env::var_os(k);
        return Locations::xdg(config, &env).ok_or(LocationError::NoHome);
    }
    let data = app.path().app_data_dir().map_err(|e| LocationError::Platform(e.to_string()))?;
    let local = app.path().app_local_data_dir().map_err(|e| LocationError::Platform(e.to_string()))?;
    Ok(Locations { config, data, state: local.join("state") })
}

/// Where versions up to 0.1 kept everything: the app data folder of the old bundle
/// identifier, beside the current one.
pub fn legacy_dir<R: Runtime>(app: &tauri::AppHandle<R>) -> Option<PathBuf> {
    let data = app.path().app_data_dir().ok()?;
    Some(data.parent()?.join(LEGACY_IDENTIFIER))
}
