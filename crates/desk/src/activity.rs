//! The activity log screen: entries (filtered by kind and session) and whether the log is
//! intact — an edited, reordered or cut log is reported with the first broken entry, and
//! how far it was checked against its record in the keychain. Read on a blocking thread
//! (the keychain answers over D-Bus).
//!
//! The body of `activity_list`; `src-tauri/src/commands/activity.rs` calls in here.

use alloy_primitives::FixedBytes;
use warden_core::activity::Filter;

use crate::args::parse_session_id;
use crate::error::AppError;
use crate::payloads::sessions::{ActivityEntry, ActivityKind, ActivityLog};
use crate::state::DeskState;

/// Reads the log. `kind`: one activity kind or null; `sessionId`: the on-chain session id
/// (0x + 32 hex digits) or the app's id of a listed session, or null.
pub async fn activity_list(
    state: &impl DeskState,
    kind: Option<serde_json::Value>,
    session_id: Option<String>,
) -> Result<ActivityLog, AppError> {
    let kind = match kind {
        None | Some(serde_json::Value::Null) => None,
        Some(v) => Some(
            serde_json::from_value::<ActivityKind>(v.clone())
                .map_err(|_| AppError::invalid_input(format!("kind {v} is not an activity kind")))?,
        ),
    };
    let session_id = match session_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(text) => Some(session_filter(state, text)?),
    };
    let log = std::sync::Arc::clone(&state.records().activity);
    let filter = Filter { kind, session_id };
    let view = tokio::task::spawn_blocking(move || log.read(filter))
        .await
        .map_err(|e| AppError::internal(format!("reading the activity log stopped: {e}")))??;
    Ok(log_view(view))
}

/// The screen's view of what the core read.
fn log_view(view: warden_core::activity::LogView) -> ActivityLog {
    let outside = &view.integrity.outside;
    ActivityLog {
        keychain_check: outside.into(),
        keychain_note: outside.to_string(),
        entries: view.entries.into_iter().map(ActivityEntry::from).collect(),
        intact: view.integrity.intact,
        broken_at: view.integrity.broken_at,
        problem: view.integrity.problem.map(|p| p.to_string()),
    }
}

fn session_filter(state: &impl DeskState, text: &str) -> Result<FixedBytes<16>, AppError> {
    if let Ok(id) = text.parse::<FixedBytes<16>>() {
        return Ok(id);
    }
    let id = parse_session_id(text)?;
    let on_chain = state.records().with_sessions(|s| s.get(id).map(|r| r.session_id.clone()))?;
    (on_chain.len() == 16)
        .then(|| FixedBytes::from_slice(&on_chain))
        .ok_or_else(|| AppError::internal("a listed session has a session id that is not 16 bytes"))
}
