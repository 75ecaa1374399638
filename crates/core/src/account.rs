//! The owner's smart account: find or create it with `wallet_requestAccount`, check the
//! address the endpoint returns, and read what a person needs to see (native balance,
//! EIP-7702 delegation) from the chain's node.
//!
//! The endpoint is not trusted with the address: a 7702 account must be the owner's own
//! EOA, and an SMA-B account must be the CREATE2 address of the factory data the endpoint
//! reports (asked for with `includeCounterfactualInfo`) for this owner. An owner who
//! already has an account gets it back whatever kind was asked for (protocol.md §4.1); that is
//! reported in [`AccountInfo::notes`] with the way out the API offers (an additional
//! account: `createAdditional` for SMA-B, a new account `id` for 7702, see
//! [`AccountRequest::additional`]), and an existing account that is not Modular Account v2
//! (which sessions need) is refused with the same explanation.
//!
//! Chain reads that are not essential never block the lookup: a node that cannot be read
//! leaves the balance "unavailable" with the reason, and the 7702 delegation
//! [`Delegation::Unknown`] (with what the endpoint reported), to be settled by the prepared
//! answer when delegating.
//!
//! [`delegate`] delegates an undelegated 7702 account: an owner-signed empty call through
//! `crate::calls`, for which the endpoint answers with an `array` of the EIP-7702
//! authorization and the user operation; both are verified, then signed. The account's
//! code is read again afterwards: only the designator of the MAv2 7702 implementation
//! counts as delegated. The backend's gas policy sponsors it, so an owner with no native
//! balance can delegate; the authorization's nonce must be the EOA's transaction count.
//!
//! Left out: Light Account and multi-owner accounts (sessions need MAv2), listing a
//! signer's accounts, undelegation.

use alloy_primitives::{Address, U256};
use serde::Serialize;

use crate::api::{CreationHint, FactoryType, RequestAccount, RequestAccountBySigner, RequestAccountParams};
use crate::api::{SingleOwnerAccountType, SingleOwnerHint, UuidV4};
use crate::backend::Backend;
use crate::calls::{self, CallOutcome, CallRequest, CallsError, ProgressSink, WaitPolicy};
use crate::credentials::AccountType;
use crate::error::{Coded, ErrorCode};
use crate::mav2::account::{decode_sma_b_factory_data, sma_b_address};
use crate::mav2::constants::ACCOUNT_FACTORY;
use crate::node::{ChainError, Delegation};
use crate::rpc::RpcError;
use crate::signing::{DigestSigner, ToSign};
use crate::wire;

/// Which account to ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccountKind {
    /// A Modular Account v2 semi-modular account (the API's default), optionally at a salt.
    SmaB { salt: Option<U256> },
    /// The owner's EOA as a smart account through EIP-7702.
    Eip7702,
}

/// What to ask `wallet_requestAccount` for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AccountRequest {
    pub kind: AccountKind,
    /// Ask for an additional account of this kind even when the owner already has one
    /// (SMA-B: `createAdditional`; 7702: a new account `id`).
    pub additional: bool,
}

impl From<AccountKind> for AccountRequest {
    fn from(kind: AccountKind) -> Self {
        Self { kind, additional: false }
    }
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
    /// Native balance in wei; `None` when the node could not be read.
    #[serde(with = "wire::quantity_opt")]
    pub balance: Option<U256>,
    /// Why the balance is unavailable, when it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub balance_unavailable: Option<String>,
    /// For a 7702 account: its delegation, read from its code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delegation: Option<Delegation>,
    /// Things a person should know (e.g. an existing account of another kind was returned).
    pub notes: Vec<String>,
}

impl AccountInfo {
    /// Whether sessions can be granted on the account now. A 7702 account must first be
    /// delegated to the MAv2 7702 implementation; one whose delegation could not be read
    /// is not held back here (the endpoint refuses a grant on an undelegated account).
    pub fn ready_for_sessions(&self) -> bool {
        self.delegation.as_ref().is_none_or(|d| d.is_mav2() || matches!(d, Delegation::Unknown { .. }))
    }

    /// Whether the account is a 7702 account that still needs its delegation.
    pub fn needs_delegation(&self) -> bool {
        matches!(self.delegation, Some(Delegation::NotDelegated))
    }
}

/// Why the account could not be found or checked.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error(transparent)]
    Rpc(#[from] RpcError),
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// The owner's existing account is not a Modular Account v2, which sessions need.
    #[error(
        "the owner's account {address} for this API key is a {factory} account, which cannot hold session keys (they need Modular Account v2); ask for an additional SMA-B account (createAdditional: `warden account --additional`, or \"Use an additional account\" in the app), or use the owner address as a 7702 account"
    )]
    NotModularAccountV2 { address: Address, factory: String },
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
    /// The authorization would not take: its nonce is not the EOA's transaction count.
    #[error(
        "delegation: the endpoint's EIP-7702 authorization for {address} has nonce {signed}, but the account's transaction count is {count}; nothing was signed"
    )]
    AuthorizationNonce { address: Address, signed: u64, count: u64 },
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
            Self::NotModularAccountV2 { .. }
            | Self::ForeignDelegation { .. }
            | Self::NotAnEoa { .. }
            | Self::NothingToDelegate { .. }
            | Self::WrongOwner { .. } => ErrorCode::InvalidInput,
            Self::Calls(e) => e.code(),
            Self::NotDelegatedAfter { .. } | Self::AuthorizationNonce { .. } => ErrorCode::VerificationFailed,
        }
    }
}

fn mismatch(field: &'static str, expected: impl ToString, got: impl ToString) -> AccountError {
    AccountError::Mismatch { field, expected: expected.to_string(), got: got.to_string() }
}

/// The `wallet_requestAccount` params for `owner` and `request`.
pub fn request_params(owner: Address, request: impl Into<AccountRequest>) -> RequestAccountParams {
    let AccountRequest { kind, additional } = request.into();
    let (creation_hint, id) = match kind {
        AccountKind::SmaB { salt } => (
            CreationHint::SingleOwner(SingleOwnerHint {
                account_type: Some(SingleOwnerAccountType::SmaB),
                create_additional: additional,
                salt,
            }),
            None,
        ),
        // A 7702 account has no createAdditional; a new account id asks for another account.
        AccountKind::Eip7702 => (CreationHint::Eip7702, additional.then(UuidV4::new_random)),
    };
    RequestAccountParams::BySigner(RequestAccountBySigner {
        signer_address: owner,
        id,
        creation_hint: Some(creation_hint),
        include_counterfactual_info: Some(true),
    })
}

/// Finds (or creates) the account of `owner` on the backend's chain, checks it, and reads
/// its balance and delegation from the node (see the module docs for a node that cannot
/// be read).
pub async fn request_account(
    backend: &Backend,
    owner: Address,
    request: impl Into<AccountRequest>,
) -> Result<AccountInfo, AccountError> {
    let request = request.into();
    let kind = request.kind;
    let chain_id = backend.chain_id();
    let result = backend.wallet().call::<RequestAccount>(&request_params(owner, request)).await?;
    let address = result.account_address;
    let mut notes = Vec::new();
    let (account_type, salt) = if address == owner {
        (AccountType::Eip7702, None)
    } else {
        let info = result.counterfactual_info.as_ref().ok_or_else(|| {
            mismatch("counterfactualInfo", "the factory call of the SMA-B account (it was asked for)", "none")
        })?;
        if info.factory_type != FactoryType::ModularAccountV2SmaB {
            let factory = serde_json::to_value(info.factory_type)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_else(|| format!("{:?}", info.factory_type));
            return Err(AccountError::NotModularAccountV2 { address, factory });
        }
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
            "the owner already has a {} account, which the endpoint returned instead of a new {} account; to use a {} account, ask for an additional one (`warden account --type {} --additional`, or \"Use an additional account\" in the app)",
            type_name(account_type),
            type_name(kind.account_type()),
            type_name(kind.account_type()),
            type_name(kind.account_type()),
        ));
    } else if let (AccountKind::SmaB { salt: Some(asked) }, Some(got)) = (kind, salt)
        && asked != got
    {
        notes.push(format!("the owner already has an account at salt {got}, returned instead of salt {asked}"));
    }
    let node = backend.node();
    let delegation = match account_type {
        AccountType::Eip7702 => Some(match node.delegation(address).await {
            Ok(d) => d,
            Err(e) => {
                Delegation::Unknown { reported: result.delegation, reason: format!("the node could not be read: {e}") }
            }
        }),
        AccountType::SmaB => None,
    };
    match &delegation {
        Some(Delegation::DelegatedElsewhere { implementation }) => {
            return Err(AccountError::ForeignDelegation { address, implementation: *implementation });
        }
        Some(Delegation::Contract) => return Err(AccountError::NotAnEoa { address }),
        Some(Delegation::NotDelegated) => notes.push(
            "the 7702 account is not delegated yet: delegate it (an owner-signed empty call) before granting sessions"
                .into(),
        ),
        Some(Delegation::Unknown { reason, .. }) => notes.push(format!(
            "the 7702 delegation could not be read ({reason}); delegating settles it from the endpoint's prepared answer"
        )),
        _ => {}
    }
    let (balance, balance_unavailable) = match node.balance(address).await {
        Ok(b) => (Some(b), None),
        Err(e) => (None, Some(format!("the node could not be read: {e}"))),
    };
    Ok(AccountInfo {
        address,
        owner,
        id: result.id,
        account_type,
        chain_id,
        salt,
        balance,
        balance_unavailable,
        delegation,
        notes,
    })
}

/// Delegates the undelegated 7702 account `info` to the MAv2 7702 implementation with an
/// owner-signed empty call (sponsored by the backend's gas policy when it has one), waits
/// for it with `wait`, and checks the account's code after.
///
/// With a delegation that could not be read, the prepared answer decides: an answer
/// without an EIP-7702 authorization means the account is delegated already, and nothing
/// is signed. The authorization's nonce must be the EOA's transaction count when the node
/// can tell.
pub async fn delegate(
    backend: &Backend,
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
        Some(Delegation::NotDelegated | Delegation::Unknown { .. }) => {}
    }
    if owner.address() != info.owner {
        return Err(AccountError::WrongOwner { address, owner: info.owner, signer: owner.address() });
    }
    let request = CallRequest::owner(address, info.chain_id, Vec::new(), backend.policy())
        .allowing_unsponsored(backend.allows_unsponsored())
        .with_max_fee(backend.max_fee());
    let verified = calls::prepare(backend.wallet(), &request, progress).await?;
    let Some(auth_nonce) = verified.to_sign().iter().find_map(|t| match t {
        ToSign::Authorization { authorization, .. } => Some(authorization.nonce),
        ToSign::UserOperation { .. } => None,
    }) else {
        return Err(AccountError::NothingToDelegate {
            address,
            reason: "is already delegated (the endpoint prepared no EIP-7702 authorization)",
        });
    };
    let node = backend.node();
    match node.transaction_count(address).await {
        Ok(count) if count != auth_nonce => {
            return Err(AccountError::AuthorizationNonce { address, signed: auth_nonce, count });
        }
        Ok(_) => {}
        Err(e) => tracing::warn!(%address, "cannot check the authorization nonce against the node: {e}"),
    }
    let sent = calls::sign_and_send(backend.wallet(), owner, &request, verified, progress).await?;
    let outcome = calls::wait_for(backend.wallet(), &sent.call_id, wait, progress).await?;
    match node.delegation(address).await {
        Ok(d) if d.is_mav2() => {}
        Ok(_) => return Err(AccountError::NotDelegatedAfter { address, call_id: outcome.call_id }),
        Err(e) => tracing::warn!(%address, "the delegation went through but cannot be confirmed on the node: {e}"),
    }
    Ok(outcome)
}

fn type_name(t: AccountType) -> &'static str {
    t.as_str()
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
        assert!(v.get("id").is_none());
        // The ways to an additional account: createAdditional (SMA-B), a new id (7702).
        let additional = |kind| AccountRequest { kind, additional: true };
        let v = serde_json::to_value(request_params(owner, additional(AccountKind::SmaB { salt: None }))).unwrap();
        assert_eq!(v["creationHint"], serde_json::json!({"accountType": "sma-b", "createAdditional": true}));
        let v = serde_json::to_value(request_params(owner, additional(AccountKind::Eip7702))).unwrap();
        assert!(v["id"].as_str().is_some_and(|id| id.len() == 36), "{v}");
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
            balance: Some(U256::ZERO),
            balance_unavailable: None,
            delegation: Some(Delegation::NotDelegated),
            notes: vec![],
        };
        assert!(info.needs_delegation() && !info.ready_for_sessions());
        let unknown = AccountInfo {
            delegation: Some(Delegation::Unknown { reported: None, reason: "node down".into() }),
            ..info.clone()
        };
        assert!(!unknown.needs_delegation() && unknown.ready_for_sessions());
        let sma = AccountInfo { delegation: None, account_type: AccountType::SmaB, ..info };
        assert!(!sma.needs_delegation() && sma.ready_for_sessions());
    }
}
