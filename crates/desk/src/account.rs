//! The selected owner's account on the active backend: find it (`wallet_requestAccount`,
//! checked by `warden_core::account`), its balance, its EIP-7702 delegation (an
//! owner-signed empty call through `warden_core::calls`, reported as `progress` events),
//! and the devnet faucet.
//!
//! The bodies of the `account_*` and `devnet_fund` commands; `src-tauri/src/commands/
//! account.rs` keeps one `#[tauri::command]` per name and calls in here.

use alloy_primitives::{Address, U256};
use warden_core::account::{self, AccountKind};
use warden_core::activity::Summary;
use warden_core::calls::{self, WaitPolicy};
use warden_core::chains::{NativeCurrency, native_currency};
use warden_core::funding::funding_uri;
use warden_core::node::Delegation;
use warden_core::permissions::format_native;

use crate::args::parse_address;
use crate::error::{AppError, ErrorCode};
use crate::host::{Host, emit};
use crate::payloads::{
    AccountInfo, AccountType, BackendKind, Balance, CallResult, Currency, PROGRESS_EVENT, ProgressEvent, ProgressStep,
};
use crate::state::DeskState;

/// What the faucet adds: one whole unit of the devnet's currency (1 ETH on 31337).
const FAUCET_WEI: u64 = 1_000_000_000_000_000_000;

/// Decimals shown of a balance; the exact amount is in `wei` (the UI's tooltip).
const SHOWN_DECIMALS: usize = 6;

fn balance_of(wei: U256, currency: &NativeCurrency) -> Balance {
    Balance { wei: wei.to_string(), formatted: readable(&format_native(wei, currency)) }
}

/// "0.999929758347204256 POL" → "≈ 0.999929 POL": at most [`SHOWN_DECIMALS`] decimals,
/// cut (never rounded up), marked as approximate when cut.
fn readable(exact: &str) -> String {
    let Some((number, unit)) = exact.split_once(' ') else { return exact.to_owned() };
    match number.split_once('.') {
        Some((int, frac)) if frac.len() > SHOWN_DECIMALS => {
            let frac = frac[..SHOWN_DECIMALS].trim_end_matches('0');
            if frac.is_empty() { format!("≈ {int} {unit}") } else { format!("≈ {int}.{frac} {unit}") }
        }
        _ => exact.to_owned(),
    }
}

/// An `accountType` argument: "sma-b" or "7702".
pub fn account_kind(account_type: &str) -> Result<AccountKind, AppError> {
    match account_type {
        "sma-b" => Ok(AccountType::SmaB.kind()),
        "7702" => Ok(AccountType::Eip7702.kind()),
        other => Err(AppError::invalid_input(format!("account type {other:?} is not one of \"sma-b\" and \"7702\""))),
    }
}

/// The selected owner key's address (`no_owner_key` when none is selected).
pub async fn selected_owner(state: &impl DeskState) -> Result<Address, AppError> {
    crate::keychain_access::selected_owner(state.keychain()).await
}

/// The selected owner's account of `accountType` ("sma-b" or "7702").
pub async fn account_get(state: &impl DeskState, account_type: &str) -> Result<AccountInfo, AppError> {
    let kind = account_kind(account_type)?;
    let owner = selected_owner(state).await?;
    let active = state.active_backend().await?;
    let info = account::request_account(&active.backend, owner, kind).await?;
    record_account_once(state, &info);
    Ok(AccountInfo {
        address: info.address.to_checksum(None),
        account_type: info.account_type,
        owner: info.owner.to_checksum(None),
        chain_id: info.chain_id,
        delegated: info.delegation.as_ref().map(Delegation::is_mav2),
        currency: Currency::of_chain(info.chain_id),
        funding_uri: funding_uri(info.address, info.chain_id),
    })
}

/// Records an account in the activity log the first time the app sees it (per address
/// and chain); an unreadable log only skips the entry.
fn record_account_once(state: &impl DeskState, info: &account::AccountInfo) {
    let known_by = Summary::new("Account").address("account", info.address).chain(info.chain_id);
    let kind = match info.account_type {
        AccountType::SmaB => "smart account (SMA-B)",
        AccountType::Eip7702 => "EIP-7702 account",
    };
    let summary = known_by.clone().text(kind).address("owner", info.owner);
    state.records().record_account_once(info.address, info.chain_id, &known_by, summary);
}

/// The native balance of `address` on the active backend.
pub async fn account_balance(state: &impl DeskState, address: &str) -> Result<Balance, AppError> {
    let address = parse_address("address", address)?;
    let active = state.active_backend().await?;
    let currency = native_currency(active.chain_id());
    Ok(balance_of(active.backend.node().balance(address).await?, currency))
}

/// Adds one unit of the devnet's currency (1 ETH) to `address` from the local devnet's
/// faucet (`not_on_devnet` elsewhere).
pub async fn devnet_fund(state: &impl DeskState, address: &str) -> Result<Balance, AppError> {
    let address = parse_address("address", address)?;
    if state.chosen_backend() != BackendKind::Devnet {
        return Err(AppError::new(
            ErrorCode::NotOnDevnet,
            "the faucet only exists on the local devnet: switch to it in Settings",
        ));
    }
    let active = state.active_backend().await?;
    let funded = warden_devnet::client::fund(active.backend.wallet(), address, U256::from(FAUCET_WEI)).await?;
    Ok(balance_of(funded, native_currency(active.chain_id())))
}

/// Delegates the selected owner's 7702 account to the MAv2 implementation: an empty
/// call signed by the owner key, sent once and waited for. Emits `progress` events with
/// op "delegate" for each step and a final "done" or "failed".
pub async fn account_delegate(host: &impl Host, state: &impl DeskState) -> Result<CallResult, AppError> {
    let report = |step: ProgressStep, message: String| {
        emit(host, PROGRESS_EVENT, &ProgressEvent { op: "delegate".into(), step, message });
    };
    let result = delegate(state, &report).await;
    match &result {
        Ok(r) => report(ProgressStep::Done, format!("Delegated ({})", r.status_text)),
        Err(e) => report(ProgressStep::Failed, e.message.clone()),
    }
    result
}

async fn delegate(
    state: &impl DeskState,
    report: &(dyn Fn(ProgressStep, String) + Sync),
) -> Result<CallResult, AppError> {
    report(ProgressStep::Preparing, "Looking up the account".into());
    let owner = selected_owner(state).await?;
    let active = state.active_backend().await?;
    let info = account::request_account(&active.backend, owner, AccountKind::Eip7702).await?;
    let signer = state.keychain().run(move |k| Ok(k.owner_signer(owner)?)).await?;
    let sink = |p: calls::Progress| {
        let progress = ProgressEvent::of_call("delegate", &p);
        report(progress.step, progress.message);
    };
    let outcome = account::delegate(&active.backend, &info, &signer, &WaitPolicy::default(), &sink).await?;
    Ok(CallResult::from(&outcome))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn balances_read_well_and_stay_exact_in_wei() {
        let eth = native_currency(warden_core::chains::LOCAL_CHAIN_ID);
        let b = balance_of(U256::from(999_929_758_347_204_256u64), eth);
        assert_eq!(b.formatted, "≈ 0.999929 ETH");
        assert_eq!(b.wei, "999929758347204256");
        assert_eq!(balance_of(U256::from(FAUCET_WEI), eth).formatted, "1 ETH");
        assert_eq!(balance_of(U256::from(1_500_000_000_000_000_000u64), eth).formatted, "1.5 ETH");
        assert_eq!(balance_of(U256::ZERO, eth).formatted, "0 ETH");
        assert_eq!(readable("1.0000001 ETH"), "≈ 1 ETH");
        assert_eq!(balance_of(U256::from(42u64), eth).formatted, "42 wei");
    }

    #[test]
    fn balances_are_in_the_chains_currency() {
        let b = balance_of(U256::from(2_500_000_000_000_000_000u64), native_currency(137));
        assert_eq!(b.formatted, "2.5 POL");
        let b = balance_of(U256::from(999_929_758_347_204_256u64), native_currency(56));
        assert_eq!(b.formatted, "≈ 0.999929 BNB");
    }
}
