//! The grant and approval commands: one `#[tauri::command]` per name (the approval
//! window's capability, `capabilities/approval-window.json`, allows the three approval
//! commands and nothing else), each a call into `warden_desk::grant`, which holds their
//! bodies, with a [`TauriHost`] for the events and the approval window.
//!
//! What stays here is what needs Tauri's runtime: the timer that ends an approval left
//! unanswered ([`APPROVAL_TTL_SECS`]), and sending the answer to a server's permission
//! request in the background once its grant is approved (`commands::requests`).

use tauri::{AppHandle, Manager, State, Window};
use warden_desk::approvals::APPROVAL_TTL_SECS;
use warden_desk::grant;

use crate::error::AppError;
use crate::host::TauriHost;
use crate::payloads::sessions::{ApprovalView, SessionView};
use crate::state::AppState;

/// Asks the endpoint for the grant the wizard describes, verifies the answer and opens
/// the approval window. Resolves to the approval id. Emits `progress` with op "grant".
#[tauri::command]
pub async fn grant_start(
    app: AppHandle,
    state: State<'_, AppState>,
    request: serde_json::Value,
) -> Result<String, AppError> {
    let opened = grant::grant_start(&TauriHost::new(&app), state.inner(), request).await;
    if opened.is_ok() {
        spawn_expiry(app);
    }
    opened
}

/// Ends approvals still unanswered once their time is up.
pub(crate) fn spawn_expiry(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_secs(APPROVAL_TTL_SECS + 1)).await;
        let state = app.state::<AppState>();
        grant::expire_due(&TauriHost::new(&app), state.inner()).await;
    });
}

/// The approval the approval window shows (null when none is open).
#[tauri::command]
pub fn approval_pending(window: Window, state: State<'_, AppState>) -> Result<Option<ApprovalView>, AppError> {
    grant::approval_pending(&TauriHost::called_by(window.app_handle(), &window), state.inner())
}

/// Approves: the owner key signs the verified digest, and the session joins the list.
#[tauri::command]
pub async fn approval_approve(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    approval_id: String,
) -> Result<SessionView, AppError> {
    let state = state.inner();
    grant::approval_approve(&TauriHost::called_by(&app, &window), state, approval_id, |request, credentials, now| {
        crate::commands::requests::answer_approved(&app, state, request, credentials, now);
    })
    .await
}

/// Rejects: nothing is signed; a session key generated for the grant is deleted.
#[tauri::command]
pub async fn approval_reject(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    approval_id: String,
) -> Result<(), AppError> {
    grant::approval_reject(&TauriHost::called_by(&app, &window), state.inner(), approval_id).await
}
