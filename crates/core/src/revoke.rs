//! Revoking a session: which owner call ends it, decided from the chain, and whether it
//! took, confirmed on the chain.
//!
//! A grant's first operation consumes the nonce the owner signed (its deferred-action key
//! on the EntryPoint) and installs the session. So the EntryPoint tells which case applies:
//!
//! * the nonce is still the one signed → the grant was never used; consuming that nonce
//!   (`EntryPoint.incrementNonce(key)` from the account) makes the owner's signature
//!   useless for good ([`Revocation::CancelUnused`]);
//! * it moved on → the session was used (installed), or its nonce was already bumped; the
//!   owner uninstalls the validation ([`Revocation::Uninstall`]).
//!
//! The signed nonce (key and sequence) is pinned in the credentials at grant time, and the
//! grant is refused before signing unless it is the EntryPoint's next one
//! (`crate::grant`), so an endpoint that moves the sequence cannot make a grant that
//! consuming one nonce would not cancel.
//!
//! [`plan_revoke`] reads the nonce from the chain's node (so revocation needs a node it can
//! read, and says so when it cannot) and returns the call; [`send_revocation`] sends it as
//! an owner operation through `crate::calls`, sponsored by the backend's gas policy, and
//! waits for it. The endpoint's "confirmed" is not taken for it: [`confirm_on_chain`] then
//! reads the chain — after an uninstall the account's `getValidationData` for the session's
//! validation must be empty, after a cancellation the EntryPoint's nonce for the grant's key
//! must have moved past the signed one — and a revocation that did not take is
//! [`RevokeError::NotTaken`], never a success. Credentials without their grant data
//! (entity id, signed nonce, install call) cannot be revoked from here: the install call is
//! what names the validation and its hooks.
//!
//! Left out: telling "used" from "already cancelled" (the chain keeps no flag for it; an
//! uninstall of a validation that was never installed fails on chain and says so).

use alloy_primitives::{Address, Bytes, FixedBytes, U256};
use serde::Serialize;

use crate::api::Call;
use crate::backend::Backend;
use crate::calls::{self, CallOutcome, CallRequest, CallsError, ProgressSink, WaitPolicy};
use crate::credentials::SessionCredentials;
use crate::error::{Coded, ErrorCode};
use crate::mav2::constants::ENTRY_POINT_V07;
use crate::mav2::nonce::NonceParts;
use crate::mav2::revocation::{increment_nonce_call, uninstall_call, validation_function};
use crate::mav2::{Mav2Error, install::decode_install_call};
use crate::node::ChainError;
use crate::signing::DigestSigner;
use crate::wire;

/// Which way the session is ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Revocation {
    /// The session is (or may be) installed: uninstall its validation.
    Uninstall,
    /// The grant was never used: consume the nonce the owner signed.
    CancelUnused,
}

/// The owner call that revokes a session, and the facts it was chosen from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RevokePlan {
    pub revocation: Revocation,
    /// The one call the owner sends from the account.
    pub call: Call,
    #[serde(with = "wire::checksum")]
    pub account: Address,
    /// The account owner, who must sign.
    #[serde(with = "wire::checksum")]
    pub owner: Address,
    #[serde(with = "wire::hex_u32")]
    pub chain_id: u32,
    pub entity_id: u32,
    /// The nonce the owner's grant signature is bound to.
    #[serde(with = "wire::quantity")]
    pub signed_nonce: U256,
    /// The EntryPoint's next nonce for that key when the plan was made.
    #[serde(with = "wire::quantity")]
    pub current_nonce: U256,
    /// The session's validation function (module ‖ entity id), read back after an uninstall.
    pub validation_function: FixedBytes<24>,
}

/// Why a session cannot be revoked from these credentials.
#[derive(Debug, thiserror::Error)]
pub enum RevokeError {
    #[error(
        "grant: the credentials carry no grant data (entity id, signed nonce, install call); revoke from the app that made the grant"
    )]
    NoGrantData,
    #[error("grant.call: {0}")]
    InstallCall(#[from] Mav2Error),
    /// Revocation is decided from the EntryPoint's nonce on chain; without a node that
    /// answers, Warden cannot tell which call ends the session and will not guess.
    #[error(
        "revocation needs the chain's node to read the grant's nonce on the EntryPoint, and it could not be read: {0}"
    )]
    Chain(#[from] ChainError),
    /// The credentials are for another chain than the backend's.
    #[error("the session is on chain {session}, but the backend is on chain {backend}")]
    WrongChain { session: u32, backend: u32 },
    /// The EntryPoint's nonce is behind the signed one: these credentials belong to
    /// another chain or account state.
    #[error(
        "the EntryPoint's next nonce {current:#x} for the grant's key is behind the signed nonce {signed:#x}: the credentials do not match this chain"
    )]
    NonceBehind { signed: U256, current: U256 },
    /// Preparing, signing, sending or waiting for the revocation failed.
    #[error(transparent)]
    Calls(#[from] CallsError),
    /// The endpoint reported the revocation done, but the chain shows the session still
    /// usable: it is not revoked.
    #[error(
        "the endpoint reported revocation {call_id} as confirmed, but on chain {detail}: the session is NOT revoked"
    )]
    NotTaken { revocation: Revocation, call_id: Bytes, detail: String },
    /// The endpoint reported the revocation done, and the chain could not be read to
    /// confirm it.
    #[error(
        "the endpoint reported revocation {call_id} as confirmed, but the chain could not be read to confirm it: {source}; the session may still be usable"
    )]
    Unconfirmed {
        call_id: Bytes,
        #[source]
        source: Box<ChainError>,
    },
}

impl Coded for RevokeError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::NoGrantData => ErrorCode::InvalidInput,
            Self::InstallCall(e) => e.code(),
            Self::Chain(e) => e.code(),
            Self::WrongChain { .. } => ErrorCode::InvalidInput,
            Self::NonceBehind { .. } | Self::NotTaken { .. } => ErrorCode::VerificationFailed,
            Self::Calls(e) => e.code(),
            Self::Unconfirmed { .. } => ErrorCode::OutcomeUnknown,
        }
    }
}

/// Chooses the revocation given the EntryPoint's next nonce for the grant's first-use key.
pub fn plan_from_nonce(creds: &SessionCredentials, current: U256) -> Result<RevokePlan, RevokeError> {
    let grant = creds.grant.as_ref().ok_or(RevokeError::NoGrantData)?;
    // Refuse an install call Warden cannot explain before building anything from it.
    decode_install_call(&grant.call)?;
    let validation_function = validation_function(&grant.call)?;
    let signed = grant.nonce;
    let (revocation, call) = if current == signed {
        let key = NonceParts::from_nonce(signed).key();
        let data = increment_nonce_call(key);
        (Revocation::CancelUnused, Call { to: ENTRY_POINT_V07, data: Some(data), value: None })
    } else if current > signed {
        (Revocation::Uninstall, Call { to: creds.account, data: Some(uninstall_call(&grant.call)?), value: None })
    } else {
        return Err(RevokeError::NonceBehind { signed, current });
    };
    Ok(RevokePlan {
        revocation,
        call,
        account: creds.account,
        owner: creds.owner,
        chain_id: creds.chain_id,
        entity_id: grant.entity_id,
        signed_nonce: signed,
        current_nonce: current,
        validation_function,
    })
}

/// Reads the grant's nonce on the EntryPoint (from the backend's node) and chooses the
/// revocation.
pub async fn plan_revoke(backend: &Backend, creds: &SessionCredentials) -> Result<RevokePlan, RevokeError> {
    if creds.chain_id != backend.chain_id() {
        return Err(RevokeError::WrongChain { session: creds.chain_id, backend: backend.chain_id() });
    }
    let grant = creds.grant.as_ref().ok_or(RevokeError::NoGrantData)?;
    let key = NonceParts::from_nonce(grant.nonce).key();
    let current = backend.node().entry_point_nonce(creds.account, key).await?;
    plan_from_nonce(creds, current)
}

/// A revocation prepared by the endpoint and verified, ready for the owner's approval: its
/// maximum fee can be shown before anything is signed.
#[derive(Clone, Debug)]
pub struct PreparedRevocation {
    request: CallRequest,
    verified: calls::Verified,
}

impl PreparedRevocation {
    /// The most the revocation can cost in gas (wei), and whether the gas policy pays it.
    pub fn fee(&self) -> (U256, bool) {
        self.verified.fee()
    }
}

/// Prepares and verifies the plan's call as an owner operation (sponsored by the backend's
/// gas policy when it has one). Nothing is signed.
pub async fn prepare_revocation(
    backend: &Backend,
    plan: &RevokePlan,
    progress: &dyn ProgressSink,
) -> Result<PreparedRevocation, CallsError> {
    let request = CallRequest::owner(plan.account, plan.chain_id, vec![plan.call.clone()], backend.policy())
        .allowing_unsponsored(backend.allows_unsponsored())
        .with_max_fee(backend.max_fee());
    let verified = calls::prepare(backend.wallet(), &request, progress).await?;
    Ok(PreparedRevocation { request, verified })
}

/// Signs a prepared revocation with `owner`, sends it once, waits for its final status and
/// confirms on chain that it took ([`confirm_on_chain`]). Refuses a signer that is not the
/// session's owner before anything is signed.
pub async fn sign_and_send_revocation(
    backend: &Backend,
    plan: &RevokePlan,
    prepared: PreparedRevocation,
    owner: &(dyn DigestSigner + Sync),
    wait: &WaitPolicy,
    progress: &dyn ProgressSink,
) -> Result<CallOutcome, RevokeError> {
    check_owner(plan, owner)?;
    let sent = calls::sign_and_send(backend.wallet(), owner, &prepared.request, prepared.verified, progress).await?;
    let outcome = calls::wait_for(backend.wallet(), &sent.call_id, wait, progress).await?;
    confirm_on_chain(backend, plan, &outcome.call_id).await?;
    Ok(outcome)
}

/// Sends the plan's call as an owner operation (sponsored by the backend's gas policy when
/// it has one), signed by `owner`, waits for its final status and confirms on chain that it
/// took. Refuses a signer that is not the session's owner before anything is sent.
pub async fn send_revocation(
    backend: &Backend,
    plan: &RevokePlan,
    owner: &(dyn DigestSigner + Sync),
    wait: &WaitPolicy,
    progress: &dyn ProgressSink,
) -> Result<CallOutcome, RevokeError> {
    check_owner(plan, owner)?;
    let prepared = prepare_revocation(backend, plan, progress).await?;
    sign_and_send_revocation(backend, plan, prepared, owner, wait, progress).await
}

fn check_owner(plan: &RevokePlan, owner: &(dyn DigestSigner + Sync)) -> Result<(), CallsError> {
    if owner.address() == plan.owner {
        Ok(())
    } else {
        Err(CallsError::BadInput {
            reason: format!("the session's owner is {}, but the signing key is {}", plan.owner, owner.address()),
        })
    }
}

/// Delays before each read of [`confirm_on_chain`]: a node behind the bundler gets a moment
/// to catch up before a revocation is declared not taken.
const CONFIRM_DELAYS_MS: [u64; 3] = [0, 500, 1500];

/// Checks on the chain's node that a revocation the endpoint reported confirmed (`call_id`)
/// took: after an uninstall the account has nothing installed for the session's validation
/// function; after a cancellation the EntryPoint's next nonce for the grant's key is past
/// the signed one. [`RevokeError::NotTaken`] when it did not, [`RevokeError::Unconfirmed`]
/// when the node cannot be read.
pub async fn confirm_on_chain(backend: &Backend, plan: &RevokePlan, call_id: &Bytes) -> Result<(), RevokeError> {
    let node = backend.node();
    let unconfirmed = |source| RevokeError::Unconfirmed { call_id: call_id.clone(), source: Box::new(source) };
    let mut detail = String::new();
    for delay in CONFIRM_DELAYS_MS {
        tokio::time::sleep(std::time::Duration::from_millis(delay)).await;
        detail = match plan.revocation {
            Revocation::Uninstall => {
                let state = node.validation_data(plan.account, plan.validation_function).await.map_err(unconfirmed)?;
                if state.is_empty() {
                    return Ok(());
                }
                format!(
                    "account {} still has validation entity {} installed (flags {:#04x}, {} validation hook(s), {} execution hook(s), {} selector(s); getValidationData)",
                    plan.account,
                    plan.entity_id,
                    state.flags,
                    state.validation_hooks,
                    state.execution_hooks,
                    state.selectors
                )
            }
            Revocation::CancelUnused => {
                let key = NonceParts::from_nonce(plan.signed_nonce).key();
                let current = node.entry_point_nonce(plan.account, key).await.map_err(unconfirmed)?;
                if current > plan.signed_nonce {
                    return Ok(());
                }
                format!(
                    "the EntryPoint's next nonce for the grant's key is still {current:#x}, so the grant signed over nonce {:#x} can still be used (EntryPoint.getNonce)",
                    plan.signed_nonce
                )
            }
        };
    }
    Err(RevokeError::NotTaken { revocation: plan.revocation, call_id: call_id.clone(), detail })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::credentials::{AccountType, FORMAT_V1, GrantData};
    use crate::mav2::constants::SELECTOR_UNINSTALL_VALIDATION;
    use crate::mav2::install::encode_install_call;
    use crate::mav2::nonce::{nonce_from_key, session_first_use_key};
    use crate::permissions::{Permission, validate};
    use alloy_primitives::{Bytes, address};

    fn creds(grant: Option<GrantData>) -> SessionCredentials {
        let account = address!("65b5DE0251f553B2208762a4724303E750294D96");
        SessionCredentials {
            format: FORMAT_V1.into(),
            created_at: 0,
            endpoint: "http://127.0.0.1:1".into(),
            chain_id: 31337,
            account,
            account_type: AccountType::SmaB,
            owner: address!("f39Fd6e51aad88F6F4ce6aB8827279cffFb92266"),
            session_id: Bytes::from(vec![1; 16]),
            signature: Bytes::from(vec![1; 65]),
            context: Bytes::new(),
            key: crate::api::KeyDescriptor { ty: crate::api::KeyType::Secp256k1, public_key: Address::repeat_byte(7) },
            permissions: vec![Permission::ContractAccess { address: Address::repeat_byte(3) }],
            expiry_sec: 0,
            paymaster: None,
            grant,
            secret: None,
        }
    }

    fn grant() -> GrantData {
        let perms = [Permission::ContractAccess { address: Address::repeat_byte(3) }];
        let set = validate(&perms, Address::ZERO).unwrap();
        GrantData {
            entity_id: 2,
            nonce: nonce_from_key(session_first_use_key(U256::ZERO, 2, false), 4),
            call: encode_install_call(2, Address::repeat_byte(7), 0, set.permissions()),
        }
    }

    #[test]
    fn an_unused_grant_is_cancelled_by_consuming_its_nonce() {
        let c = creds(Some(grant()));
        let plan = plan_from_nonce(&c, grant().nonce).unwrap();
        assert_eq!(plan.revocation, Revocation::CancelUnused);
        assert_eq!(plan.call.to, ENTRY_POINT_V07);
        assert_eq!(plan.call.data, Some(increment_nonce_call(U256::from(0x202))));
    }

    #[test]
    fn a_used_session_is_uninstalled() {
        let c = creds(Some(grant()));
        let plan = plan_from_nonce(&c, grant().nonce + U256::from(1)).unwrap();
        assert_eq!(plan.revocation, Revocation::Uninstall);
        assert_eq!(plan.call.to, c.account);
        assert_eq!(plan.call.data.as_ref().unwrap()[..4], SELECTOR_UNINSTALL_VALIDATION);
    }

    #[test]
    fn missing_grant_data_and_a_nonce_behind_are_refused() {
        assert!(matches!(plan_from_nonce(&creds(None), U256::ZERO), Err(RevokeError::NoGrantData)));
        let e = plan_from_nonce(&creds(Some(grant())), grant().nonce - U256::from(1)).unwrap_err();
        assert!(matches!(e, RevokeError::NonceBehind { .. }), "{e}");
    }
}
