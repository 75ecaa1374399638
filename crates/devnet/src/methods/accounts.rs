//! `wallet_requestAccount`, `wallet_listAccounts`, `wallet_getCapabilities` and
//! `devnet_fund`.
//!
//! Accounts are SMA-B (address by protocol.md §8 through `mav2::account`, factory data for the
//! counterfactual info) or 7702 (the EOA itself, delegated to the MAv2 7702
//! implementation). An existing account of the signer is returned and the hint ignored; a
//! new `id` or `createAdditional` makes another account with the next free salt. Light
//! Account and multi-owner types are refused: the devnet emulates MAv2 only. In
//! `wallet_prepareCalls`, an address never requested is the 7702 account of that EOA.

use alloy_primitives::{Address, U256};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use warden_core::api::{
    AccountSummary, CounterfactualInfo, CreationHint, Cursor, FactoryType, GetCapabilities, ListAccounts,
    ListAccountsMeta, ListAccountsResult, RequestAccount, RequestAccountParams, RequestAccountResult, RpcMethod,
    SingleOwnerAccountType, UuidV4,
};
use warden_core::mav2::account::{eip7702_address, sma_b_address, sma_b_factory_data};
use warden_core::mav2::constants::{ACCOUNT_FACTORY, SMA_7702_IMPLEMENTATION};
use warden_core::wire;

use super::state::{Account, AccountOrigin, State};
use super::{Emulator, MethodError};

fn result_of(account: &Account, counterfactual: bool) -> RequestAccountResult {
    match account.kind {
        AccountOrigin::SmaB { salt } => RequestAccountResult {
            account_address: account.address,
            id: account.id,
            counterfactual_info: counterfactual.then(|| CounterfactualInfo {
                factory_type: FactoryType::ModularAccountV2SmaB,
                factory_address: ACCOUNT_FACTORY,
                factory_data: sma_b_factory_data(account.owner, salt),
            }),
            delegation: None,
        },
        AccountOrigin::Eip7702 => RequestAccountResult {
            account_address: account.address,
            id: account.id,
            counterfactual_info: None,
            delegation: Some(SMA_7702_IMPLEMENTATION),
        },
    }
}

/// Records `account`, unless an account at its address is known (then that one is kept:
/// two concurrent first requests for one 7702 account record it once).
pub(crate) fn insert(state: &mut State, account: Account) -> &Account {
    let address = account.address;
    if !state.accounts.contains_key(&address) {
        state.by_owner.entry(account.owner).or_default().push(address);
    }
    state.accounts.entry(address).or_insert(account)
}

/// Gives every deployed SMA-B account of a loaded state its code (a proxy to the account
/// executor, see [`crate::executor`]), which a state saved by an older devnet lacks.
pub(crate) async fn ensure_account_code(node: &crate::node::Node, state: &State) -> Result<(), crate::node::NodeError> {
    let proxy = crate::executor::sma_b_proxy_code();
    for a in state.accounts.values() {
        if matches!(a.kind, AccountOrigin::SmaB { .. }) && a.deployed && node.code(a.address).await? != proxy {
            node.set_code(a.address, &proxy).await?;
        }
    }
    Ok(())
}

/// The account an unknown `from` in `wallet_prepareCalls` names, and that it is new.
///
/// An unknown address is taken, as the hosted API takes it, as the
/// 7702 account of that EOA: the official client's default account is the signer's own
/// address, used without `wallet_requestAccount`. The caller records a new account only
/// once its request succeeded. An unknown address with code other than the MAv2 7702
/// delegation is no account the devnet can serve.
pub(crate) async fn account_for_calls(emu: &Emulator, from: Address) -> Result<(Account, bool), MethodError> {
    let code = emu.node.code(from).await?;
    if !code.is_empty() && code != Emulator::delegation_code() {
        return Err(MethodError::UnknownAccount { address: from });
    }
    let account = Account {
        address: eip7702_address(from),
        owner: from,
        id: UuidV4::new_random(),
        kind: AccountOrigin::Eip7702,
        deployed: true,
        next_entity_id: 1,
    };
    Ok((account, true))
}

/// `wallet_requestAccount`.
pub async fn request_account(emu: &Emulator, params: Value) -> Result<Value, MethodError> {
    let params = RequestAccount::parse_params(params)?;
    let mut state = emu.state.lock().await;
    let result = match params {
        RequestAccountParams::ByAccount(p) => {
            let account = state
                .accounts
                .get(&p.account_address)
                .ok_or(MethodError::UnknownAccount { address: p.account_address })?;
            result_of(account, p.include_counterfactual_info.unwrap_or(false))
        }
        RequestAccountParams::BySigner(p) => {
            let counterfactual = p.include_counterfactual_info.unwrap_or(false);
            let owner = p.signer_address;
            let existing: Vec<&Account> = state
                .by_owner
                .get(&owner)
                .map(|v| v.iter().filter_map(|a| state.accounts.get(a)).collect())
                .unwrap_or_default();
            let (create_additional, salt, eip7702) = match &p.creation_hint {
                None => (false, None, false),
                Some(CreationHint::Eip7702) => (false, None, true),
                Some(CreationHint::SingleOwner(h)) => {
                    if !matches!(h.account_type, None | Some(SingleOwnerAccountType::SmaB)) {
                        return Err(MethodError::Invalid(format!(
                            "creationHint.accountType {}: the devnet emulates Modular Account v2 only (sma-b or 7702)",
                            serde_json::to_string(&h.account_type).unwrap_or_default()
                        )));
                    }
                    (h.create_additional, h.salt, false)
                }
                Some(CreationHint::MultiOwner(h)) => {
                    return Err(MethodError::Invalid(format!(
                        "creationHint.accountType {}: the devnet emulates Modular Account v2 only (sma-b or 7702)",
                        serde_json::to_string(&h.account_type).unwrap_or_default()
                    )));
                }
            };
            if let Some(id) = p.id
                && let Some(found) = existing.iter().find(|a| a.id == id)
            {
                return answer(&result_of(found, counterfactual));
            }
            if p.id.is_none()
                && !create_additional
                && let Some(first) = existing.first()
            {
                return answer(&result_of(first, counterfactual));
            }
            let id = p.id.unwrap_or_else(UuidV4::new_random);
            let account = if eip7702 {
                let address = eip7702_address(owner);
                if state.accounts.contains_key(&address) {
                    return Err(MethodError::Invalid(format!("the 7702 account of {owner} already exists")));
                }
                Account { address, owner, id, kind: AccountOrigin::Eip7702, deployed: true, next_entity_id: 1 }
            } else {
                let salt = match salt {
                    Some(s) => s,
                    None => {
                        let mut s = U256::ZERO;
                        while state.accounts.contains_key(&sma_b_address(owner, s)) {
                            s += U256::from(1);
                        }
                        s
                    }
                };
                let address = sma_b_address(owner, salt);
                if let Some(a) = state.accounts.get(&address) {
                    return answer(&result_of(a, counterfactual));
                }
                Account { address, owner, id, kind: AccountOrigin::SmaB { salt }, deployed: false, next_entity_id: 1 }
            };
            result_of(insert(&mut state, account), counterfactual)
        }
    };
    answer(&result)
}

fn answer(result: &RequestAccountResult) -> Result<Value, MethodError> {
    RequestAccount::result_json(result).map_err(MethodError::from)
}

/// The `after` cursor: base64url of the offset's decimal digits.
fn encode_cursor(offset: usize) -> Result<Cursor, MethodError> {
    Cursor::new(URL_SAFE_NO_PAD.encode(format!("o{offset}"))).map_err(MethodError::from)
}

fn decode_cursor(cursor: &Cursor) -> Result<usize, MethodError> {
    let bad = || MethodError::Invalid(format!("after: `{}` is not a cursor this devnet issued", cursor.as_str()));
    let bytes = URL_SAFE_NO_PAD.decode(cursor.as_str()).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    text.strip_prefix('o').and_then(|d| d.parse().ok()).ok_or_else(bad)
}

/// `wallet_listAccounts`.
pub async fn list_accounts(emu: &Emulator, params: Value) -> Result<Value, MethodError> {
    let params = ListAccounts::parse_params(params)?;
    let state = emu.state.lock().await;
    let all: Vec<&Account> = state
        .by_owner
        .get(&params.signer_address)
        .map(|v| v.iter().filter_map(|a| state.accounts.get(a)).collect())
        .unwrap_or_default();
    let start = params.after.as_ref().map(decode_cursor).transpose()?.unwrap_or(0);
    let limit = params.limit.unwrap_or(warden_core::api::MAX_PAGE_LIMIT) as usize;
    let page: Vec<AccountSummary> =
        all.iter().skip(start).take(limit).map(|a| AccountSummary { account_address: a.address, id: a.id }).collect();
    let end = start.saturating_add(page.len());
    let after = if end < all.len() { Some(encode_cursor(end)?) } else { None };
    let result = ListAccountsResult { accounts: page, meta: ListAccountsMeta { total_count: all.len() as u64, after } };
    ListAccounts::result_json(&result).map_err(MethodError::from)
}

/// `wallet_getCapabilities`: the same capabilities for every chain, under `"0x0"` as the
/// hosted API writes them.
pub async fn get_capabilities(_emu: &Emulator, params: Value) -> Result<Value, MethodError> {
    GetCapabilities::parse_params(params)?;
    let mut caps = Map::new();
    caps.insert("atomic".into(), json!({"status": "supported"}));
    caps.insert("paymasterService".into(), json!({"supported": true}));
    caps.insert("eip7702Auth".into(), json!({"supported": true}));
    caps.insert("permissions".into(), json!({"supported": true}));
    Ok(json!({"0x0": caps}))
}

#[derive(Deserialize)]
struct FundParams(Address, #[serde(with = "wire::quantity")] U256);

/// `devnet_fund(address, amount)`: adds `amount` wei to the balance; returns the new one.
pub async fn fund(emu: &Emulator, params: Value) -> Result<Value, MethodError> {
    let FundParams(address, amount) = serde_json::from_value(params)
        .map_err(|e| MethodError::Invalid(format!("devnet_fund params must be [address, amount (hex wei)]: {e}")))?;
    let balance = emu.node.balance(address).await?;
    let new = balance
        .checked_add(amount)
        .ok_or_else(|| MethodError::Invalid(format!("devnet_fund: balance {balance} + {amount} overflows")))?;
    emu.node.set_balance(address, new).await?;
    Ok(json!({"address": address.to_checksum(None), "balance": wire::to_hex(new)}))
}
