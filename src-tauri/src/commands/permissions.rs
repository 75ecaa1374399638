//! The grant wizard's helpers: one `#[tauri::command]` per name, each a call into
//! `warden_desk::permissions`, which holds their bodies. Nothing here changes state.

use tauri::State;
use warden_desk::permissions;

use crate::error::AppError;
use crate::payloads::sessions::{PermissionCheck, SelectorInfo, TokenInfo};
use crate::state::AppState;

/// Checks `permissions` and the expiry with the rules a grant must pass, and describes them.
#[tauri::command]
pub async fn permissions_check(
    state: State<'_, AppState>,
    permissions: Vec<serde_json::Value>,
    expiry_sec: Option<serde_json::Value>,
) -> Result<PermissionCheck, AppError> {
    permissions::permissions_check(state.inner(), permissions, expiry_sec).await
}

/// The symbol and decimals of the ERC-20 token at `address` on the active backend.
#[tauri::command]
pub async fn token_info(state: State<'_, AppState>, address: String) -> Result<TokenInfo, AppError> {
    permissions::token_info(state.inner(), &address).await
}

/// `transfer(address,uint256)` → `0xa9059cbb`, with the signature in canonical form.
#[tauri::command]
pub fn selector_of(signature: String) -> Result<SelectorInfo, AppError> {
    permissions::selector_of(&signature)
}
