//! Exporting a session's `warden.session.v1` document: one `#[tauri::command]` per name,
//! each a call into `warden_desk::export`, which holds their bodies, with a [`TauriHost`]
//! for the save dialog, the clipboard and the native confirmation.

use tauri::{AppHandle, State};
use warden_desk::export;

use crate::error::AppError;
use crate::host::TauriHost;
use crate::payloads::sessions::{ExportPreview, ExportResult};
use crate::state::AppState;

/// The document of session `id`, never with a secret, and its QR code when it fits.
#[tauri::command]
pub fn session_export_preview(state: State<'_, AppState>, id: String) -> Result<ExportPreview, AppError> {
    export::session_export_preview(state.inner(), &id)
}

/// Delivers session `id`'s document with the secret as `secret` says to `destination`.
#[tauri::command]
pub async fn session_export(
    app: AppHandle,
    state: State<'_, AppState>,
    id: String,
    secret: serde_json::Value,
    destination: serde_json::Value,
) -> Result<ExportResult, AppError> {
    export::session_export(&TauriHost::new(&app), state.inner(), &id, secret, destination).await
}
