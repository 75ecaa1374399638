//! The activity log screen's command, a call into `warden_desk::activity`.

use tauri::State;

use crate::error::AppError;
use crate::payloads::sessions::ActivityLog;
use crate::state::AppState;

/// Reads the log. `kind`: one activity kind or null; `sessionId`: the on-chain session id
/// (0x + 32 hex digits) or the app's id of a listed session, or null.
#[tauri::command]
pub async fn activity_list(
    state: State<'_, AppState>,
    kind: Option<serde_json::Value>,
    session_id: Option<String>,
) -> Result<ActivityLog, AppError> {
    warden_desk::activity::activity_list(state.inner(), kind, session_id).await
}
