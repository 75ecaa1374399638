//! EIP-7702 accounts: an undelegated EOA's owner operation comes back as an `array` of the
//! authorization to sign (delegate to the MAv2 7702 implementation, at the EOA's current
//! transaction nonce) and the user operation (protocol.md §3.7, §5.3). On send, the authorization's
//! signature must recover to the EOA; the devnet then submits a real type-4 transaction
//! carrying it, so the EOA gets the real delegation designator (`0xef0100 ‖ implementation`)
//! and its nonce moves, before the user operation runs.
//!
//! Left out: undelegation (a standalone `authorization` to the zero address).

use alloy_primitives::{Address, U256};
use serde_json::{Value, json};
use warden_core::api::{
    AuthorizationData, PreparedAuthorization, PreparedCallElement, SendPreparedCallsCapabilities, SignatureRequest,
    SignedAuthorization, SignedCallArray, SignedCallElement,
};
use warden_core::mav2::constants::{ENTRY_POINT_V07, SMA_7702_IMPLEMENTATION};
use warden_core::mav2::user_op::hash_v07;
use warden_core::signing::digest::{Authorization, auth_digest};
use warden_core::signing::recover;

use super::calls::{SignedOp, send_result, send_user_op, signature_bytes};
use super::error::Signed;
use super::{Emulator, MethodError};
use crate::entry_point::DEVNET_OPERATOR;

/// The authorization an undelegated 7702 account must sign first, at its transaction
/// count `tx_count`.
pub fn authorization_for(emu: &Emulator, eoa: Address, tx_count: u64) -> Result<PreparedCallElement, MethodError> {
    let nonce = u32::try_from(tx_count).map_err(|_| {
        MethodError::Invalid(format!("the transaction nonce {tx_count} of {eoa} does not fit in 32 bits"))
    })?;
    let auth = Authorization { chain_id: u64::from(emu.chain_id), address: SMA_7702_IMPLEMENTATION, nonce: tx_count };
    Ok(PreparedCallElement::Authorization(PreparedAuthorization {
        data: AuthorizationData { address: SMA_7702_IMPLEMENTATION, nonce },
        chain_id: emu.chain_id,
        signature_request: SignatureRequest::Eip7702Auth { raw_payload: auth_digest(&auth).into() },
        details: None,
    }))
}

/// Checks a signed authorization (chain, implementation, signer) without touching the
/// chain; returns its 65-byte signature.
fn check_authorization(emu: &Emulator, eoa: Address, signed: &SignedAuthorization) -> Result<Vec<u8>, MethodError> {
    emu.check_chain(signed.chain_id)?;
    if signed.data.address != SMA_7702_IMPLEMENTATION {
        return Err(MethodError::Invalid(format!(
            "authorization.address {} is not the MAv2 7702 implementation {SMA_7702_IMPLEMENTATION}",
            signed.data.address
        )));
    }
    let auth = authorization(signed);
    let sig = signature_bytes(&signed.signature.data, Signed::Authorization)?;
    let recovered = recover(&auth_digest(&auth), &sig)
        .map_err(|e| MethodError::BadSignature { what: Signed::Authorization, reason: e.to_string() })?;
    if recovered != eoa {
        return Err(MethodError::WrongSigner {
            what: Signed::Authorization,
            recovered,
            expected_role: "the 7702 account",
            expected: eoa,
        });
    }
    Ok(sig)
}

fn authorization(signed: &SignedAuthorization) -> Authorization {
    Authorization {
        chain_id: u64::from(signed.chain_id),
        address: signed.data.address,
        nonce: u64::from(signed.data.nonce),
    }
}

/// Delegates the EOA with a real type-4 transaction carrying the checked authorization
/// (sent by the devnet's operator, as a bundler includes it in its bundle transaction).
pub async fn delegate(
    emu: &Emulator,
    eoa: Address,
    signed: &SignedAuthorization,
    sig: &[u8],
) -> Result<(), MethodError> {
    let auth = authorization(signed);
    let count = emu.node.transaction_count(eoa).await?;
    if count != auth.nonce {
        return Err(MethodError::Invalid(format!(
            "eip7702Auth: the authorization signs nonce {}, but the transaction nonce of {eoa} is {count}; prepare again",
            auth.nonce
        )));
    }
    let node = &emu.node;
    node.set_balance(DEVNET_OPERATOR, U256::from(10u128.pow(20))).await?;
    node.impersonate(DEVNET_OPERATOR).await?;
    let tx = json!({
        "from": DEVNET_OPERATOR,
        "to": eoa,
        "gas": "0x30000",
        "authorizationList": [{
            "chainId": U256::from(auth.chain_id),
            "address": auth.address,
            "nonce": U256::from(auth.nonce),
            "yParity": U256::from(sig[64].saturating_sub(27)),
            "r": alloy_primitives::B256::from_slice(&sig[..32]),
            "s": alloy_primitives::B256::from_slice(&sig[32..64]),
        }],
    });
    node.transact(tx).await?;
    if node.code(eoa).await? != Emulator::delegation_code() {
        return Err(MethodError::Invalid(format!(
            "the node did not apply the authorization: {eoa} has no delegation to {SMA_7702_IMPLEMENTATION}"
        )));
    }
    Ok(())
}

/// `wallet_sendPreparedCalls` with an `array`: the authorization, then the user operation.
/// The operation is checked as any other first (a 7702 account with no ETH and no gas
/// policy fails its prefund, AA21, and is not delegated); the delegation lands just before
/// it runs.
pub async fn send_array(
    emu: &Emulator,
    array: SignedCallArray,
    capabilities: Option<SendPreparedCallsCapabilities>,
) -> Result<Value, MethodError> {
    let (auth, op) = match <[SignedCallElement; 2]>::try_from(array.data) {
        Ok([SignedCallElement::Authorization(a), SignedCallElement::UserOperationV070(op)]) => (a, op),
        _ => {
            return Err(MethodError::Invalid(
                "array: the devnet expects [authorization, user-operation-v070], as wallet_prepareCalls returned"
                    .into(),
            ));
        }
    };
    emu.check_chain(op.chain_id)?;
    let hash = hash_v07(&op.data, ENTRY_POINT_V07, u64::from(emu.chain_id))?;
    let caps = capabilities.unwrap_or_default();
    let mut state = emu.state.lock().await;
    if let Some(sent) = state.sent.get(&hash) {
        return send_result(&sent);
    }
    if !state.prepared.contains_key(&hash) {
        return Err(MethodError::NotPrepared { hash });
    }
    let auth_sig = check_authorization(emu, op.data.sender, &auth)?;
    let delegated = emu.node.code(op.data.sender).await? == Emulator::delegation_code();
    let send = SignedOp {
        hash,
        signature: &op.signature.data,
        permissions: caps.permissions.as_ref(),
        paymaster: caps.paymaster_service.as_ref(),
        authorization: (!delegated).then_some((&auth, auth_sig)),
    };
    let sent = send_user_op(emu, &mut state, send).await?;
    let out = send_result(&sent);
    state.sent.insert(hash, sent);
    out
}
