//! Owner keys: list, create, import (hex or recovery phrase), select, rename, delete (after a
//! native confirmation), and rebuild the list from the keychain's entries —
//! all `warden_keychain` operations, run off the UI thread. Results are addresses and
//! labels only; the two imports take their secret as a [`Sensitive`] value.
//!
//! The bodies of the `keys_*` commands; `src-tauri/src/commands/keys.rs` keeps one
//! `#[tauri::command]` per name and calls in here.

use warden_keychain::{Confirmation, OwnerKeySource};

use crate::args::{optional_label, parse_address};
use crate::confirm::{self, Question};
use crate::error::{AppError, ErrorCode};
use crate::host::Host;
use crate::payloads::{KeyRepair, OwnerKey};
use crate::sensitive::Sensitive;
use crate::state::DeskState;

fn list(keychain: &warden_keychain::Keychain) -> Result<Vec<OwnerKey>, AppError> {
    Ok(keychain.list_owner_keys()?.into_iter().map(OwnerKey::from).collect())
}

pub async fn keys_list(state: &impl DeskState) -> Result<Vec<OwnerKey>, AppError> {
    state.keychain().run(list).await
}

/// A new owner key from the OS random generator; it becomes the selected one.
pub async fn keys_create(state: &impl DeskState, label: Option<String>) -> Result<OwnerKey, AppError> {
    state
        .keychain()
        .run(move |k| {
            let info = k.create_owner_key(optional_label(label).as_deref())?;
            Ok(OwnerKey::from(k.select_owner_key(info.address)?))
        })
        .await
}

/// Imports a hex private key; it becomes the selected key.
pub async fn keys_import_hex(
    state: &impl DeskState,
    label: Option<String>,
    private_key: Sensitive,
) -> Result<OwnerKey, AppError> {
    if private_key.is_blank() {
        return Err(AppError::invalid_input("the private key is empty"));
    }
    let secret = private_key.into_secret();
    state
        .keychain()
        .run(move |k| {
            let info = k.import_owner_key(OwnerKeySource::PrivateKeyHex(&secret), optional_label(label).as_deref())?;
            Ok(OwnerKey::from(k.select_owner_key(info.address)?))
        })
        .await
}

/// Imports the key at `path` (default m/44'/60'/0'/0/0) of a BIP-39 recovery phrase; it
/// becomes the selected key.
pub async fn keys_import_mnemonic(
    state: &impl DeskState,
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
        .keychain()
        .run(move |k| {
            let source = OwnerKeySource::Mnemonic { phrase: &phrase, derivation_path: path.as_deref() };
            let info = k.import_owner_key(source, optional_label(label).as_deref())?;
            Ok(OwnerKey::from(k.select_owner_key(info.address)?))
        })
        .await
}

pub async fn keys_select(state: &impl DeskState, id: &str) -> Result<Vec<OwnerKey>, AppError> {
    let address = parse_address("id", id)?;
    state
        .keychain()
        .run(move |k| {
            k.select_owner_key(address)?;
            list(k)
        })
        .await
}

pub async fn keys_rename(state: &impl DeskState, id: &str, label: String) -> Result<Vec<OwnerKey>, AppError> {
    let address = parse_address("id", id)?;
    state
        .keychain()
        .run(move |k| {
            k.rename_owner_key(address, &label)?;
            list(k)
        })
        .await
}

/// Rebuilds the owner-key list from the keychain's own entries (a lost or damaged list):
/// keys are kept or recovered, never deleted; nothing in the keychain is written.
pub async fn keys_repair(state: &impl DeskState) -> Result<KeyRepair, AppError> {
    state.keychain().run(|k| Ok(KeyRepair::from(k.repair_owner_key_index()?))).await
}

/// Deletes an owner key for good, once the person confirmed it in a native dialog
/// ([`confirm::ask`]); `not_confirmed` when they did not.
pub async fn keys_delete(host: &impl Host, state: &impl DeskState, id: &str) -> Result<Vec<OwnerKey>, AppError> {
    let address = parse_address("id", id)?;
    let key = state
        .keychain()
        .run(move |k| {
            list(k)?
                .into_iter()
                .find(|o| o.address == address.to_checksum(None))
                .ok_or_else(|| AppError::new(ErrorCode::KeyNotFound, format!("no owner key {address} in the keychain")))
        })
        .await?;
    confirm::ask(
        host,
        Question::new(
            "Delete owner key?",
            format!(
                "“{}” ({}) will be deleted from the keychain. This cannot be undone. Without a backup of this key, \
                 the account it owns and everything in it can no longer be reached.",
                key.label, key.address
            ),
            "Delete key",
        ),
    )
    .await?;
    state
        .keychain()
        .run(move |k| {
            k.delete_owner_key(address, Confirmation::Confirmed)?;
            list(k)
        })
        .await
}
