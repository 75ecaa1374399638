//! `app_info`, `keychain_status`, `app_reset_plan` and `app_reset`: one
//! `#[tauri::command]` per name, each a call into `warden_desk::app`, which holds their
//! bodies. What stays here is closing the app once a reset is done.

use tauri::{AppHandle, State};
use warden_desk::app;

use crate::error::AppError;
use crate::host::TauriHost;
use crate::payloads::{AppInfo, KeychainStatus, ResetPlanView};
use crate::state::AppState;

/// The app version and the active backend (waits for the devnet to start when it is the
/// active backend).
#[tauri::command]
pub async fn app_info(state: State<'_, AppState>) -> Result<AppInfo, AppError> {
    app::app_info(state.inner()).await
}

/// Probes the keychain. The three failure states are answers, not errors.
#[tauri::command]
pub async fn keychain_status(state: State<'_, AppState>) -> Result<KeychainStatus, AppError> {
    app::keychain_status(state.inner()).await
}

/// What a reset would remove (names, addresses and paths; no secret).
#[tauri::command]
pub async fn app_reset_plan(state: State<'_, AppState>) -> Result<ResetPlanView, AppError> {
    app::app_reset_plan(state.inner()).await
}

/// Removes everything Warden keeps on this computer, once the person confirmed the list in
/// a native dialog, then closes the app (the next start is a first start).
#[tauri::command]
pub async fn app_reset(app: AppHandle, state: State<'_, AppState>) -> Result<(), AppError> {
    app::app_reset(&TauriHost::new(&app), state.inner()).await?;
    app.exit(0);
    Ok(())
}
