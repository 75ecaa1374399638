//! `app_info` and `keychain_status`: what the first screen needs to decide where to go;
//! `app_reset_plan` and `app_reset`: removing everything Warden keeps ([`crate::reset`]).
//!
//! Their bodies; `src-tauri/src/commands/app.rs` keeps one `#[tauri::command]` per name,
//! calls in here, and closes the app once a reset is done.

use tracing::info;
use warden_keychain::Confirmation;

use crate::backend;
use crate::confirm::{self, Question};
use crate::error::{AppError, ErrorCode};
use crate::host::Host;
use crate::payloads::{AppInfo, KeychainStatus, ResetPlanView};
use crate::reset::{self, ResetPlan};
use crate::state::DeskState;

/// The app version and the active backend (waits for the devnet to start when it is the
/// active backend).
pub async fn app_info(state: &impl DeskState) -> Result<AppInfo, AppError> {
    Ok(AppInfo { version: env!("CARGO_PKG_VERSION").to_owned(), backend: backend::info(state).await? })
}

/// Probes the keychain. The three failure states are answers, not errors.
pub async fn keychain_status(state: &impl DeskState) -> Result<KeychainStatus, AppError> {
    let access = state.keychain().clone();
    tokio::task::spawn_blocking(move || access.probe())
        .await
        .map_err(|e| AppError::internal(format!("the keychain probe failed: {e}")))
}

async fn reset_plan(state: &impl DeskState) -> Result<ResetPlan, AppError> {
    let inventory = state.keychain().run(|k| Ok(k.inventory()?)).await?;
    Ok(reset::plan(state.locations(), inventory))
}

/// What a reset would remove (names, addresses and paths; no secret).
pub async fn app_reset_plan(state: &impl DeskState) -> Result<ResetPlanView, AppError> {
    Ok(ResetPlanView::from(&reset_plan(state).await?))
}

/// Removes everything Warden keeps on this computer, once the person confirmed the list in
/// a native dialog; the shell then closes the app (the next start is a first start). The
/// keychain goes first; files that could not be removed are named in the error (the
/// keychain part stands: a second reset finishes the rest).
pub async fn app_reset(host: &impl Host, state: &impl DeskState) -> Result<(), AppError> {
    let plan = reset_plan(state).await?;
    let what = if plan.is_empty() {
        "Warden keeps nothing on this computer yet.".to_owned()
    } else {
        format!("Warden will remove:\n• {}", plan.summary().join("\n• "))
    };
    confirm::ask(
        host,
        Question::new(
            "Reset Warden?",
            format!(
                "{what}\n\nAn owner key cannot be recovered without your own backup (its recovery phrase or \
                 hex key), and sessions already granted stay valid on chain until they expire or are revoked. \
                 Warden closes when the reset is done. This cannot be undone."
            ),
            "Reset Warden",
        ),
    )
    .await?;
    state.loopback().stop();
    state.devnet().stop().await;
    let erased = state.keychain().run(|k| Ok(k.erase_all(Confirmation::Confirmed)?)).await?;
    let paths = plan.paths.clone();
    let failed = tokio::task::spawn_blocking(move || reset::remove_files(&paths))
        .await
        .map_err(|e| AppError::internal(format!("the reset stopped: {e}")))?;
    if !failed.is_empty() {
        let list: Vec<String> = failed.iter().map(|(p, why)| format!("{} ({why})", p.display())).collect();
        return Err(AppError::new(
            ErrorCode::StorageFailed,
            format!(
                "the keychain entries were erased, but these could not be removed: {}; remove them by hand or reset again",
                list.join(", ")
            ),
        ));
    }
    info!(entries = erased.entries, files = plan.paths.len(), "reset: everything removed; closing");
    Ok(())
}
