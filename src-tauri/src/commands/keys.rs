//! Owner keys: list, create, import (hex or recovery phrase), select, rename, delete —
//! all `warden_keychain` operations, run off the UI thread. Results are addresses and
//! labels only; the two imports take their secret as a [`Sensitive`] value.

use tauri::State;
use warden_keychain::{Confirmation, OwnerKeySource};

use crate::commands::{optional_label, parse_address};
use crate::error::{AppError, ErrorCode};
use crate::payloads::OwnerKey;
use crate::sensitive::Sensitive;
use crate::state::AppState;

fn list(keychain: &warden_keychain::Keychain) -> Result<Vec<OwnerKey>, AppError> {
    Ok(keychain.list_owner_keys()?.into_iter().map(OwnerKey::from).collect())
}

#[tauri::command]
pub async fn keys_list(state: State<'_, AppState>) -> Result<Vec<OwnerKey>, AppError> {
    state.keychain.run(list).await
}

/// A new owner key from the OS random generator; it becomes the selected one.
#[tauri::command]
pub async fn keys_create(state: State<'_, AppState>, label: Option<String>) -> Result<OwnerKey, AppError> {
    state
        .keychain
        .run(move |k| {
            let info = k.create_owner_key(optional_label(label).as_deref())?;
            Ok(OwnerKey::from(k.select_owner_key(info.address)?))
        })
        .await
}

/// Imports a hex private key; it becomes the selected key.
#[tauri::command]
pub async fn keys_import_hex(
    state: State<'_, AppState>,
    label: Option<String>,
    private_key: Sensitive,
) -> Result<OwnerKey, AppError> {
    if private_key.is_blank() {
        return Err(AppError::invalid_input("the private key is empty"));
    }
    let secret = private_key.into_secret();
    state
        .keychain
        .run(move |k| {
            let info = k.import_owner_key(OwnerKeySource::PrivateKeyHex(&secret), optional_label(label).as_deref())?;
            Ok(OwnerKey::from(k.select_owner_key(info.address)?))
        })
        .await
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
    if phrase.is_blank() {
        return Err(AppError::invalid_input("the recovery phrase is empty"));
    }
    let phrase = phrase.into_secret();
    let path = path.map(|p| p.trim().to_owned()).filter(|p| !p.is_empty());
    state
        .keychain
        .run(move |k| {
            let source = OwnerKeySource::Mnemonic { phrase: &phrase, derivation_path: path.as_deref() };
            let info = k.import_owner_key(source, optional_label(label).as_deref())?;
            Ok(OwnerKey::from(k.select_owner_key(info.address)?))
        })
        .await
}

#[tauri::command]
pub async fn keys_select(state: State<'_, AppState>, id: String) -> Result<Vec<OwnerKey>, AppError> {
    let address = parse_address("id", &id)?;
    state
        .keychain
        .run(move |k| {
            k.select_owner_key(address)?;
            list(k)
        })
        .await
}

#[tauri::command]
pub async fn keys_rename(state: State<'_, AppState>, id: String, label: String) -> Result<Vec<OwnerKey>, AppError> {
    let address = parse_address("id", &id)?;
    state
        .keychain
        .run(move |k| {
            k.rename_owner_key(address, &label)?;
            list(k)
        })
        .await
}

/// Deletes an owner key for good; refused with `not_confirmed` unless `confirm` is true.
#[tauri::command]
pub async fn keys_delete(
    state: State<'_, AppState>,
    id: String,
    confirm: Option<bool>,
) -> Result<Vec<OwnerKey>, AppError> {
    let address = parse_address("id", &id)?;
    if confirm != Some(true) {
        return Err(AppError::new(
            ErrorCode::NotConfirmed,
            format!(
                "deleting owner key {address} needs confirmation: it cannot be undone and the key cannot be exported first"
            ),
        ));
    }
    state
        .keychain
        .run(move |k| {
            k.delete_owner_key(address, Confirmation::Confirmed)?;
            list(k)
        })
        .await
}
