//! The release updater (tauri-plugin-updater): off unless the build's configuration names
//! an update URL (`plugins.updater.endpoints`, empty in `tauri.conf.json`; a signed
//! release sets it through `tauri.release.conf.json`, see README "Releases").
//!
//! When on, the app checks once at start. An update is accepted only with a signature that
//! verifies against the public key in the configuration and that covers the version
//! announced (`requireSignedVersion`); it is then announced in a notification, never
//! installed without the person. Left out: installing from the app (the .deb is upgraded
//! by the system's package manager) and periodic checks.

use tauri::AppHandle;
use tauri_plugin_notification::NotificationExt;
use tauri_plugin_updater::UpdaterExt;
use tracing::{info, warn};

/// The update URLs the build was configured with.
pub fn configured_endpoints(app: &AppHandle) -> Vec<String> {
    app.config()
        .plugins
        .0
        .get("updater")
        .and_then(|u| u.get("endpoints"))
        .and_then(|e| e.as_array())
        .map(|list| list.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

/// Checks for an update in the background when an update URL is configured.
pub fn check_when_configured(app: &AppHandle) {
    if configured_endpoints(app).is_empty() {
        info!("updates: off (no update URL in this build's configuration)");
        return;
    }
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let found = match app.updater() {
            Ok(updater) => updater.check().await,
            Err(e) => Err(e),
        };
        match found {
            Ok(Some(update)) => {
                info!(version = %update.version, "updates: a newer Warden is available");
                let _ = app
                    .notification()
                    .builder()
                    .title(format!("Warden {} is available", update.version))
                    .body("Install it with your system's software updates.")
                    .show();
            }
            Ok(None) => info!("updates: this is the newest Warden"),
            Err(e) => warn!(error = %e, "updates: the check failed"),
        }
    });
}
