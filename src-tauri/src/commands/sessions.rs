//! The sessions dashboard: one `#[tauri::command]` per name, each a call into
//! `warden_desk::sessions`, which holds their bodies, with a [`TauriHost`] for the events
//! and the native confirmations of a revocation or a forgetting.

use tauri::{AppHandle, State};
use warden_desk::sessions;

use crate::error::AppError;
use crate::host::TauriHost;
use crate::payloads::CallResult;
use crate::payloads::sessions::{QuarantinedView, SessionView, UsageLine};
use crate::state::AppState;

/// Every session, oldest first, with its status now.
#[tauri::command]
pub async fn sessions_list(state: State<'_, AppState>) -> Result<Vec<SessionView>, AppError> {
    sessions::sessions_list(state.inner()).await
}

/// Usage of each limit of session `id`, with where each number comes from.
#[tauri::command]
pub async fn session_usage(state: State<'_, AppState>, id: String) -> Result<Vec<UsageLine>, AppError> {
    sessions::session_usage(state.inner(), &id).await
}

/// Sends one call with session `id`'s key (only when Warden holds it). Emits `progress`
/// with op "test-call".
#[tauri::command]
pub async fn session_test_call(
    app: AppHandle,
    state: State<'_, AppState>,
    id: String,
    to: String,
    value: String,
    data: String,
) -> Result<CallResult, AppError> {
    sessions::session_test_call(&TauriHost::new(&app), state.inner(), &id, &to, &value, &data).await
}

/// Revokes session `id` with an owner-signed call, once confirmed. Emits `progress` with
/// op "revoke".
#[tauri::command]
pub async fn session_revoke(app: AppHandle, state: State<'_, AppState>, id: String) -> Result<CallResult, AppError> {
    sessions::session_revoke(&TauriHost::new(&app), state.inner(), &id).await
}

/// Removes session `id` from the list, once confirmed. Returns the list.
#[tauri::command]
pub async fn session_forget(
    app: AppHandle,
    state: State<'_, AppState>,
    id: String,
) -> Result<Vec<SessionView>, AppError> {
    sessions::session_forget(&TauriHost::new(&app), state.inner(), &id).await
}

/// The session records that did not load and were set aside beside the list.
#[tauri::command]
pub async fn sessions_quarantined(state: State<'_, AppState>) -> Result<Vec<QuarantinedView>, AppError> {
    sessions::sessions_quarantined(state.inner()).await
}

/// Starts a new, empty session list when the old one was set aside as damaged. Returns
/// the list.
#[tauri::command]
pub async fn sessions_start_new_list(app: AppHandle, state: State<'_, AppState>) -> Result<Vec<SessionView>, AppError> {
    sessions::sessions_start_new_list(&TauriHost::new(&app), state.inner()).await
}
