//! The selected owner's account: one `#[tauri::command]` per name, each a call into
//! `warden_desk::account`, which holds their bodies (the delegation's `progress` events
//! through [`TauriHost`]).

use tauri::{AppHandle, State};
use warden_desk::account;

use crate::error::AppError;
use crate::host::TauriHost;
use crate::payloads::{AccountInfo, Balance, CallResult};
use crate::state::AppState;

/// The selected owner's account of `accountType` ("sma-b" or "7702").
#[tauri::command]
pub async fn account_get(state: State<'_, AppState>, account_type: String) -> Result<AccountInfo, AppError> {
    account::account_get(state.inner(), &account_type).await
}

/// The native balance of `address` on the active backend.
#[tauri::command]
pub async fn account_balance(state: State<'_, AppState>, address: String) -> Result<Balance, AppError> {
    account::account_balance(state.inner(), &address).await
}

/// Adds one unit of the devnet's currency to `address` from the local devnet's faucet.
#[tauri::command]
pub async fn devnet_fund(state: State<'_, AppState>, address: String) -> Result<Balance, AppError> {
    account::devnet_fund(state.inner(), &address).await
}

/// Delegates the selected owner's 7702 account to the MAv2 implementation. Emits
/// `progress` events with op "delegate".
#[tauri::command]
pub async fn account_delegate(app: AppHandle, state: State<'_, AppState>) -> Result<CallResult, AppError> {
    account::account_delegate(&TauriHost::new(&app), state.inner()).await
}
