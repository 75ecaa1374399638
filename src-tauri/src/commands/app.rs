//! `app_info` and `keychain_status`: what the first screen needs to decide where to go.

use tauri::State;

use crate::backend;
use crate::error::AppError;
use crate::payloads::{AppInfo, KeychainStatus};
use crate::state::AppState;

/// The app version and the active backend (waits for the devnet to start when it is the
/// active backend).
#[tauri::command]
pub async fn app_info(state: State<'_, AppState>) -> Result<AppInfo, AppError> {
    Ok(AppInfo { version: env!("CARGO_PKG_VERSION").to_owned(), backend: backend::info(&state).await? })
}

/// Probes the keychain. The three failure states are answers, not errors.
#[tauri::command]
pub async fn keychain_status(state: State<'_, AppState>) -> Result<KeychainStatus, AppError> {
    let access = state.keychain.clone();
    tauri::async_runtime::spawn_blocking(move || access.probe())
        .await
        .map_err(|e| AppError::internal(format!("the keychain probe failed: {e}")))
}
