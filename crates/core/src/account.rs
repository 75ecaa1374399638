//! The owner's smart account: find or create it with `wallet_requestAccount`, check the
//! address the endpoint returns, and read what a person needs to see (native balance,
//! EIP-7702 delegation).
//!
//! The endpoint is not trusted with the address: a 7702 account must be the owner's own
//! EOA, and an SMA-B account must be the CREATE2 address of the factory data the endpoint
//! reports (asked for with `includeCounterfactualInfo`) for this owner. An owner who
//! already has an account gets it back whatever kind was asked for (SPEC §4.1); that is
//! reported in [`AccountInfo::notes`], not hidden.
//!
//! [`delegate`] delegates an undelegated 7702 account: an owner-signed empty call through
//! `crate::calls`, for which the endpoint answers with an `array` of the EIP-7702
//! authorization and the user operation; both are verified, then signed. The account's
//! code is read again afterwards: only the designator of the MAv2 7702 implementation
//! counts as delegated.
//!
//! Left out: Light Account and multi-owner accounts (sessions need MAv2), listing a
//! signer's accounts, undelegation.

use alloy_primitives::{Address, U256};
use serde::Serialize;

use crate::api::{CreationHint, RequestAccount, RequestAccountBySigner, RequestAccountParams, SingleOwnerAccountType};
use crate::api::{SingleOwnerHint, UuidV4};
use crate::calls::{self, CallOutcome, CallRequest, CallsError, ProgressSink, WaitPolicy};
use crate::chain::{self, ChainError, Delegation};
use crate::credentials::AccountType;
use crate::error::{Coded, ErrorCode};
use crate::mav2::account::{decode_sma_b_factory_data, sma_b_address};
use crate::mav2::constants::ACCOUNT_FACTORY;
use crate::rpc::{RpcClient, RpcError};
use crate::signing::DigestSigner;
use crate::wire;

/// Which account to ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccountKind {
    /// A Modular Account v2 semi-modular account (the API's default), optionally at a salt.
    SmaB { salt: Option<U256> },
    /// The owner's EOA as a smart account through EIP-7702.
    Eip7702,
}

impl AccountKind {
    /// The credentials' name for this kind.
    pub fn account_type(&self) -> AccountType {
        match self {
            Self::SmaB { .. } => AccountType::SmaB,
            Self::Eip7702 => AccountType::Eip7702,
        }
    }
}

/// The account of an owner, checked, with its balance and (7702) delegation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountInfo {
    #[serde(with = "wire::checksum")]
    pub address: Address,
    #[serde(with = "wire::checksum")]
    pub owner: Address,
    /// The endpoint's id of the account.
    pub id: UuidV4,
    pub account_type: AccountType,
    #[serde(with = "wire::hex_u32")]
    pub chain_id: u32,
    /// The SMA-B CREATE2 salt, when the endpoint told it.
    #[serde(skip_serializing_if = "Option::is_none", with = "wire::quantity_opt")]
    pub salt: Option<U256>,
    /// Native balance in wei.
    #[serde(with = "wire::quantity")]
    pub balance: U256,
    /// For a 7702 account: its delegation, read from its code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delegation: Option<Delegation>,
    /// Things a person should know (e.g. an existing account of another kind was returned).
    pub notes: Vec<String>,
}

impl AccountInfo {
    /// Whether sessions can be granted on the account now. A 7702 account must first be
    /// delegated to the MAv2 7702 implementation.
    pub fn ready_for_sessions(&self) -> bool {
        self.delegation.as_ref().is_none_or(Delegation::is_mav2)
    }

    /// Whether the account is a 7702 account that still needs its delegation.
    pub fn needs_delegation(&self) -> bool {
        self.delegation.as_ref().is_some_and(|d| !d.is_mav2())
    }
}

/// Why the account could not be found or checked.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error(transparent)]
    Rpc(#[from] RpcError),
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// The endpoint's answer does not belong to this owner.
    #[error("wallet_requestAccount: {field}: expected {expected}, the endpoint returned {got}")]
    Mismatch { field: &'static str, expected: String, got: String },
    /// A 7702 account delegated to code Warden's sessions cannot use.
    #[error(
        "the 7702 account {address} is delegated to {implementation}, not to the MAv2 7702 implementation; Warden will not replace another delegation"
    )]
    ForeignDelegation { address: Address, implementation: Address },
    /// The address has contract code that is not a delegation: it is not an EOA.
    #[error("{address} has contract code and no 7702 delegation designator: it cannot be a 7702 account")]
    NotAnEoa { address: Address },
    /// Delegation was asked for an account that has nothing to delegate.
    #[error("{address} {reason}; there is nothing to delegate")]
    NothingToDelegate { address: Address, reason: &'static str },
    /// The signer offered is not the account's owner.
    #[error("the owner of {address} is {owner}, but the signing key is {signer}")]
    WrongOwner { address: Address, owner: Address, signer: Address },
    /// The delegating call failed (refused, not verified, reverted, …).
    #[error("delegation: {0}")]
    Calls(#[from] CallsError),
    /// The call went through but the account's code is not the MAv2 designator.
    #[error(
        "delegation: the call {call_id} succeeded, but {address} is still not delegated to the MAv2 7702 implementation"
    )]
    NotDelegatedAfter { address: Address, call_id: alloy_primitives::Bytes },
}

impl Coded for AccountError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::Rpc(e) => e.code(),
            Self::Chain(e) => e.code(),
            Self::Mismatch { .. } => ErrorCode::VerificationFailed,
            Self::ForeignDelegation { .. }
            | Self::NotAnEoa { .. }
            | Self::NothingToDelegate { .. }
            | Self::WrongOwner { .. } => ErrorCode::InvalidInput,
            Self::Calls(e) => e.code(),
            Self::NotDelegatedAfter { .. } => ErrorCode::VerificationFailed,
        }
    }
}

fn mismatch(field: &'static str, expected: impl ToString, got: impl ToString) -> AccountError {
    AccountError::Mismatch { field, expected: expected.to_string(), got: got.to_string() }
}

/// The `wallet_requestAccount` params for `owner` and `kind`.
pub fn request_params(owner: Address, kind: AccountKind) -> RequestAccountParams {
    let creation_hint = match kind {
        AccountKind::SmaB { salt } => CreationHint::SingleOwner(SingleOwnerHint {
            account_type: Some(SingleOwnerAccountType::SmaB),
            create_additional: false,
            salt,
        }),
        AccountKind::Eip7702 => CreationHint::Eip7702,
    };
    RequestAccountParams::BySigner(RequestAccountBySigner {
        signer_address: owner,
        id: None,
        creation_hint: Some(creation_hint),
        include_counterfactual_info: Some(true),
    })
}

/// Finds (or creates) the account of `owner` on `chain_id`, checks it, and reads its
/// balance and delegation.
pub async fn request_account(
    rpc: &RpcClient,
    chain_id: u32,
    owner: Address,
    kind: AccountKind,
) -> Result<AccountInfo, AccountError> {
    let result = rpc.call::<RequestAccount>(&request_params(owner, kind)).await?;
    let address = result.account_address;
    let mut notes = Vec::new();
    let (account_type, salt) = if address == owner {
        (AccountType::Eip7702, None)
    } else {
        let info = result.counterfactual_info.as_ref().ok_or_else(|| {
            mismatch("counterfactualInfo", "the factory call of the SMA-B account (it was asked for)", "none")
        })?;
        if info.factory_address != ACCOUNT_FACTORY {
            return Err(mismatch("counterfactualInfo.factoryAddress", ACCOUNT_FACTORY, info.factory_address));
        }
        let (factory_owner, salt) = decode_sma_b_factory_data(&info.factory_data)
            .map_err(|e| mismatch("counterfactualInfo.factoryData", "createSemiModularAccount(owner, salt)", e))?;
        if factory_owner != owner {
            return Err(mismatch("counterfactualInfo.factoryData.owner", owner, factory_owner));
        }
        let expected = sma_b_address(owner, salt);
        if expected != address {
            return Err(mismatch("accountAddress", format!("{expected} (SMA-B of the owner at salt {salt})"), address));
        }
        (AccountType::SmaB, Some(salt))
    };
    if account_type != kind.account_type() {
        notes.push(format!(
            "the owner already has a {} account, which the endpoint returned instead of a new {} account",
            type_name(account_type),
            type_name(kind.account_type())
        ));
    } else if let (AccountKind::SmaB { salt: Some(asked) }, Some(got)) = (kind, salt)
        && asked != got
    {
        notes.push(format!("the owner already has an account at salt {got}, returned instead of salt {asked}"));
    }
    let delegation = match account_type {
        AccountType::Eip7702 => Some(chain::delegation(rpc, address).await?),
        AccountType::SmaB => None,
    };
    match delegation {
        Some(Delegation::DelegatedElsewhere { implementation }) => {
            return Err(AccountError::ForeignDelegation { address, implementation });
        }
        Some(Delegation::Contract) => return Err(AccountError::NotAnEoa { address }),
        Some(Delegation::NotDelegated) => notes.push(
            "the 7702 account is not delegated yet: delegate it (an owner-signed empty call) before granting sessions"
                .into(),
        ),
        _ => {}
    }
    let balance = chain::balance(rpc, address).await?;
    Ok(AccountInfo { address, owner, id: result.id, account_type, chain_id, salt, balance, delegation, notes })
}

/// Delegates the undelegated 7702 account `info` to the MAv2 7702 implementation with an
/// owner-signed empty call, waits for it with `wait`, and checks the account's code after.
pub async fn delegate(
    rpc: &RpcClient,
    info: &AccountInfo,
    owner: &(dyn DigestSigner + Sync),
    wait: &WaitPolicy,
    progress: &dyn ProgressSink,
) -> Result<CallOutcome, AccountError> {
    let address = info.address;
    match &info.delegation {
        None => return Err(AccountError::NothingToDelegate { address, reason: "is an sma-b account" }),
        Some(Delegation::Delegated { .. }) => {
            return Err(AccountError::NothingToDelegate { address, reason: "is already delegated" });
        }
        Some(Delegation::DelegatedElsewhere { implementation }) => {
            return Err(AccountError::ForeignDelegation { address, implementation: *implementation });
        }
        Some(Delegation::Contract) => return Err(AccountError::NotAnEoa { address }),
        Some(Delegation::NotDelegated) => {}
    }
    if owner.address() != info.owner {
        return Err(AccountError::WrongOwner { address, owner: info.owner, signer: owner.address() });
    }
    let request = CallRequest::owner(address, info.chain_id, Vec::new(), None);
    let outcome = calls::send_calls(rpc, owner, &request, Some(wait), progress).await?;
    if !chain::delegation(rpc, address).await?.is_mav2() {
        return Err(AccountError::NotDelegatedAfter { address, call_id: outcome.call_id });
    }
    Ok(outcome)
}

fn type_name(t: AccountType) -> &'static str {
    match t {
        AccountType::SmaB => "sma-b",
        AccountType::Eip7702 => "7702",
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use alloy_primitives::address;

    #[test]
    fn params_ask_for_the_kind_and_the_counterfactual_info() {
        let owner = address!("f39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
        let v = serde_json::to_value(request_params(owner, AccountKind::SmaB { salt: Some(U256::from(2)) })).unwrap();
        assert_eq!(
            v,
            serde_json::json!({
                "signerAddress": "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
                "creationHint": {"accountType": "sma-b", "salt": "0x2"},
                "includeCounterfactualInfo": true
            })
        );
        let v = serde_json::to_value(request_params(owner, AccountKind::Eip7702)).unwrap();
        assert_eq!(v["creationHint"], serde_json::json!({"accountType": "7702"}));
    }

    #[test]
    fn readiness_follows_the_delegation() {
        let info = AccountInfo {
            address: Address::ZERO,
            owner: Address::ZERO,
            id: UuidV4::new_random(),
            account_type: AccountType::Eip7702,
            chain_id: 1,
            salt: None,
            balance: U256::ZERO,
            delegation: Some(Delegation::NotDelegated),
            notes: vec![],
        };
        assert!(info.needs_delegation() && !info.ready_for_sessions());
        let sma = AccountInfo { delegation: None, account_type: AccountType::SmaB, ..info };
        assert!(!sma.needs_delegation() && sma.ready_for_sessions());
    }
}
