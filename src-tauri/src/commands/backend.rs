//! Backend commands: one `#[tauri::command]` per name, each a call into
//! `warden_desk::backend`, which holds their bodies (what is active, the chain list, and
//! the explicit switches between the local devnet and Alchemy).

use tauri::State;
use warden_desk::backend;

use crate::error::AppError;
use crate::payloads::{BackendInfo, ChainOption, CheckFinding};
use crate::sensitive::Sensitive;
use crate::state::AppState;

/// The active backend, for the banner and the settings screen.
#[tauri::command]
pub async fn backend_status(state: State<'_, AppState>) -> Result<BackendInfo, AppError> {
    backend::backend_status(state.inner()).await
}

/// Every chain of the registry, for the settings screen's picker.
#[tauri::command]
pub fn chains_list() -> Vec<ChainOption> {
    backend::chains_list()
}

/// Switches to Alchemy on `chain_id` with an optional gas policy. `api_key` replaces the
/// stored key; null keeps it. Stops the local devnet.
#[tauri::command]
pub async fn backend_use_alchemy(
    state: State<'_, AppState>,
    api_key: Option<Sensitive>,
    chain_id: f64,
    policy_id: Option<String>,
) -> Result<BackendInfo, AppError> {
    backend::backend_use_alchemy(state.inner(), api_key, chain_id, policy_id).await
}

/// "Check connection": read-only checks of the active backend.
#[tauri::command]
pub async fn backend_check(state: State<'_, AppState>, account_type: String) -> Result<Vec<CheckFinding>, AppError> {
    backend::backend_check(state.inner(), &account_type).await
}

/// Switches to the local devnet, starting it.
#[tauri::command]
pub async fn backend_use_devnet(state: State<'_, AppState>) -> Result<BackendInfo, AppError> {
    backend::backend_use_devnet(state.inner()).await
}
