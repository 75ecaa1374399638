//! Owner keys: one `#[tauri::command]` per name, each a call into `warden_desk::keys`,
//! which holds their bodies (the deletion's native confirmation through [`TauriHost`]).
//! The two imports take their secret as a [`Sensitive`] value.

use tauri::{AppHandle, State};
use warden_desk::keys;

use crate::error::AppError;
use crate::host::TauriHost;
use crate::payloads::{KeyRepair, OwnerKey};
use crate::sensitive::Sensitive;
use crate::state::AppState;

/// The owner keys in the keychain.
#[tauri::command]
pub async fn keys_list(state: State<'_, AppState>) -> Result<Vec<OwnerKey>, AppError> {
    keys::keys_list(state.inner()).await
}

/// A new owner key from the OS random generator; it becomes the selected one.
#[tauri::command]
pub async fn keys_create(state: State<'_, AppState>, label: Option<String>) -> Result<OwnerKey, AppError> {
    keys::keys_create(state.inner(), label).await
}

/// Imports a hex private key; it becomes the selected key.
#[tauri::command]
pub async fn keys_import_hex(
    state: State<'_, AppState>,
    label: Option<String>,
    private_key: Sensitive,
) -> Result<OwnerKey, AppError> {
    keys::keys_import_hex(state.inner(), label, private_key).await
}

/// Imports the key at `path` (default m/44'/60'/0'/0/0) of a BIP-39 recovery phrase; it
/// becomes the selected key.
#[tauri::command]
pub async fn keys_import_mnemonic(
    state: State<'_, AppState>,
    label: Option<String>,
    phrase: Sensitive,
    path: Option<String>,
) -> Result<OwnerKey, AppError> {
    keys::keys_import_mnemonic(state.inner(), label, phrase, path).await
}

/// Selects owner key `id`; returns the list.
#[tauri::command]
pub async fn keys_select(state: State<'_, AppState>, id: String) -> Result<Vec<OwnerKey>, AppError> {
    keys::keys_select(state.inner(), &id).await
}

/// Renames owner key `id`; returns the list.
#[tauri::command]
pub async fn keys_rename(state: State<'_, AppState>, id: String, label: String) -> Result<Vec<OwnerKey>, AppError> {
    keys::keys_rename(state.inner(), &id, label).await
}

/// Rebuilds the owner-key list from the keychain's own entries.
#[tauri::command]
pub async fn keys_repair(state: State<'_, AppState>) -> Result<KeyRepair, AppError> {
    keys::keys_repair(state.inner()).await
}

/// Deletes an owner key for good, once the person confirmed it in a native dialog.
#[tauri::command]
pub async fn keys_delete(app: AppHandle, state: State<'_, AppState>, id: String) -> Result<Vec<OwnerKey>, AppError> {
    keys::keys_delete(&TauriHost::new(&app), state.inner(), &id).await
}
