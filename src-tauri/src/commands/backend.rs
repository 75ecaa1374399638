//! Backend commands: what is active, the chain list, and the explicit switches between
//! the local devnet and Alchemy (whose API key goes into the keychain).

use tauri::State;
use warden_core::chains::REGISTRY;

use crate::backend;
use crate::error::AppError;
use crate::payloads::{BackendInfo, BackendKind, ChainOption, CheckFinding};
use crate::sensitive::Sensitive;
use crate::settings;
use crate::state::AppState;

#[tauri::command]
pub async fn backend_status(state: State<'_, AppState>) -> Result<BackendInfo, AppError> {
    backend::info(&state).await
}

/// Every chain of the registry, for the settings screen's picker (any other id can be
/// typed in).
#[tauri::command]
pub fn chains_list() -> Vec<ChainOption> {
    REGISTRY.iter().map(ChainOption::from).collect()
}

/// Switches to Alchemy on `chain_id` with an optional gas policy. `api_key` replaces the
/// stored key; null keeps it (refused when none is stored). Stops the local devnet.
#[tauri::command]
pub async fn backend_use_alchemy(
    state: State<'_, AppState>,
    api_key: Option<Sensitive>,
    chain_id: f64,
    policy_id: Option<String>,
) -> Result<BackendInfo, AppError> {
    let chain_id = settings::chain_id(chain_id)?;
    let policy_id = policy_id.filter(|p| !p.trim().is_empty()).map(|p| settings::policy_id(&p)).transpose()?;
    let api_key = api_key.filter(|k| !k.is_blank()).map(Sensitive::into_secret);
    state
        .keychain
        .run(move |k| match api_key {
            Some(new) => {
                // Checked before anything is written, so a bad key never costs the good one.
                warden_core::rpc::ApiKey::new(new.expose().to_owned())?;
                // The old key stays until the new one is stored and read back.
                Ok(k.replace_alchemy_api_key(&new)?)
            }
            None if k.alchemy_api_key()?.is_some() => Ok(()),
            None => Err(AppError::invalid_input("enter your Alchemy API key: none is stored in the keychain yet")),
        })
        .await?;
    let mut new = state.settings.load();
    new.backend = BackendKind::Alchemy;
    new.alchemy_chain_id = chain_id;
    new.policy_id = policy_id;
    state.settings.save(&new)?;
    backend::forget_client(&state);
    state.devnet.stop().await;
    backend::info(&state).await
}

/// "Check connection": read-only checks of the active backend for the selected owner's
/// `accountType` account (`warden_core::doctor`): wallet endpoint, node, gas policy, 7702
/// delegation. Nothing is signed or sent.
#[tauri::command]
pub async fn backend_check(state: State<'_, AppState>, account_type: String) -> Result<Vec<CheckFinding>, AppError> {
    let kind = warden_desk::account::account_kind(&account_type)?;
    let owner = warden_desk::account::selected_owner(state.inner()).await?;
    let active = backend::active(&state).await?;
    Ok(warden_core::doctor::check(&active.backend, owner, kind).await.into_iter().map(CheckFinding::from).collect())
}

/// Switches to the local devnet, starting it.
#[tauri::command]
pub async fn backend_use_devnet(state: State<'_, AppState>) -> Result<BackendInfo, AppError> {
    let mut new = state.settings.load();
    new.backend = BackendKind::Devnet;
    state.settings.save(&new)?;
    backend::forget_client(&state);
    backend::info(&state).await
}
