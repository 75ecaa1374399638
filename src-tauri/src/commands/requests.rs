//! A server's permission request: one `#[tauri::command]` per name, each a call into
//! `warden_desk::requests`, which holds their bodies, with a [`TauriHost`] for the events,
//! the file dialogs and the clipboard.
//!
//! What stays here is what needs Tauri's runtime: the expiry timer of the approval a
//! request's grant opens (`spawn_expiry`), the background delivery of an approved
//! request's answer (`answer_approved`), and the loopback intake's sink, which reaches
//! the app's state from the listener's task.

use std::sync::Arc;

use tauri::{AppHandle, Manager, State};
use warden_core::credentials::SessionCredentials;
use warden_core::request::{Decision, SessionRequest};
use warden_desk::loopback_intake::Sink;
use warden_desk::requests;

use crate::commands::grant::spawn_expiry;
use crate::error::AppError;
use crate::host::TauriHost;
use crate::payloads::requests::{IntakeStatus, RequestDelivery, RequestView};
use crate::state::AppState;

/// Opens a request from its link or document text.
#[tauri::command]
pub async fn request_open(state: State<'_, AppState>, text: String) -> Result<RequestView, AppError> {
    requests::request_open(state.inner(), &text).await
}

/// The request handed to the app as a launch argument (a link, or a request file's text),
/// once; null when none is waiting. The UI opens it with `request_open`.
#[tauri::command]
pub fn request_take_incoming(state: State<'_, AppState>) -> Result<Option<String>, AppError> {
    requests::request_take_incoming(state.inner())
}

/// Opens a request document the person chooses in the file dialog Rust shows.
#[tauri::command]
pub async fn request_open_file(app: AppHandle, state: State<'_, AppState>) -> Result<RequestView, AppError> {
    requests::request_open_file(&TauriHost::new(&app), state.inner()).await
}

/// Grants an open request, as asked or adjusted within what it allows: asks the endpoint
/// and opens the approval window. Resolves to the approval id. Emits `progress` with op
/// "grant"; once approved, `request-answered`.
#[tauri::command]
pub async fn request_grant(
    app: AppHandle,
    state: State<'_, AppState>,
    grant: serde_json::Value,
) -> Result<String, AppError> {
    let opened = requests::request_grant(&TauriHost::new(&app), state.inner(), grant).await;
    if opened.is_ok() {
        spawn_expiry(app);
    }
    opened
}

/// Declines an open request: the decline answer is recorded and sent.
#[tauri::command]
pub async fn request_decline(
    app: AppHandle,
    state: State<'_, AppState>,
    request_id: String,
    reason: Option<String>,
) -> Result<RequestDelivery, AppError> {
    requests::request_decline(&TauriHost::new(&app), state.inner(), &request_id, reason).await
}

/// Puts an answer that could not be delivered on the clipboard, for delivery by hand.
#[tauri::command]
pub async fn request_answer_copy(
    app: AppHandle,
    state: State<'_, AppState>,
    request_id: String,
) -> Result<(), AppError> {
    requests::request_answer_copy(&TauriHost::new(&app), state.inner(), &request_id).await
}

/// Saves an answer that could not be delivered to a new file the person chooses; resolves
/// to its path.
#[tauri::command]
pub async fn request_answer_save(
    app: AppHandle,
    state: State<'_, AppState>,
    request_id: String,
) -> Result<String, AppError> {
    requests::request_answer_save(&TauriHost::new(&app), state.inner(), &request_id).await
}

/// Sends again an answer that could not be delivered.
#[tauri::command]
pub async fn request_deliver(
    app: AppHandle,
    state: State<'_, AppState>,
    request_id: String,
) -> Result<RequestDelivery, AppError> {
    requests::request_deliver(&TauriHost::new(&app), state.inner(), &request_id).await
}

/// After the owner approved a request's grant: records the request as answered and sends
/// the approval answer in the background (`request-answered` says how it went).
pub(crate) fn answer_approved(
    app: &AppHandle,
    state: &AppState,
    request: SessionRequest,
    credentials: SessionCredentials,
    now: u64,
) {
    let Some((request, json)) = requests::answer_approved(&TauriHost::new(app), state, request, credentials, now)
    else {
        return;
    };
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        requests::deliver(&TauriHost::new(&app), state.inner(), request, json, Decision::Approved).await;
    });
}

/// Whether the loopback intake listens, where, and its pairing code.
#[tauri::command]
pub fn intake_status(state: State<'_, AppState>) -> IntakeStatus {
    requests::intake_status(state.inner())
}

/// Turns the loopback intake on (on `port`, else the default) with a new pairing code.
#[tauri::command]
pub async fn intake_start(
    app: AppHandle,
    state: State<'_, AppState>,
    port: Option<u16>,
) -> Result<IntakeStatus, AppError> {
    let handle = app.clone();
    let sink: Sink = Arc::new(move |request: SessionRequest, text: String| {
        let state = handle.state::<AppState>();
        requests::queue_posted(&TauriHost::new(&handle), state.inner(), request, text)
    });
    requests::intake_start(state.inner(), port, sink).await
}

/// Turns the loopback intake off.
#[tauri::command]
pub fn intake_stop(state: State<'_, AppState>) -> IntakeStatus {
    requests::intake_stop(state.inner())
}
