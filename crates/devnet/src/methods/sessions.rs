//! `wallet_createSession` (protocol.md §4.3, §6.1–6.3) and `devnet_sessionUsage`.
//!
//! The grant is checked with `permissions::validate_grant` against the node's clock, gets
//! the account's next unused entity id (from 1), and is encoded by `mav2`: the install call,
//! the first-use nonce (the EntryPoint's current nonce for the deferred-action key), and the
//! DeferredAction typed data and digest the owner signs. Nothing is on chain until the first
//! operation uses it. Session keys of type `contract` are refused (no ERC-1271 emulation).

use alloy_primitives::{Bytes, FixedBytes, U256};
use rand::RngCore;
use serde_json::{Value, json};
use warden_core::api::{CreateSession, CreateSessionResult, KeyType, RpcMethod, SignatureRequest};
use warden_core::mav2::deferred::DeferredAction;
use warden_core::mav2::install::encode_install_call;
use warden_core::mav2::nonce::session_first_use_key;
use warden_core::permissions::{GrantLimits, MAX_ENTITY_ID, PermissionKind, ValidatedPermission, validate_grant};
use warden_core::usage::{DevnetLimit, DevnetRevocation, DevnetUsage};

use super::state::{Session, Usage};
use super::{Emulator, MethodError, entry_point};

/// `wallet_createSession`.
pub async fn create_session(emu: &Emulator, params: Value) -> Result<Value, MethodError> {
    let p = CreateSession::parse_params(params)?;
    // Test hook (`--test-hooks` only): a dishonest server broadens the request here.
    let super::tamper::Tampered { params: p, reuse_entity, nonce_ahead } = super::tamper::apply_pending(emu, p)?;
    emu.check_chain(p.chain_id)?;
    if p.key.ty == KeyType::Contract {
        return Err(MethodError::Invalid(
            "key.type contract: the devnet supports secp256k1 (ecdsa) session keys only".into(),
        ));
    }
    let now = emu.node.next_block_timestamp().await?;
    let mut state = emu.state.lock().await;
    let account = state.accounts.get(&p.account).ok_or(MethodError::UnknownAccount { address: p.account })?.clone();
    emu.require_delegated(&account).await?;
    let entity_id = if reuse_entity { account.next_entity_id.saturating_sub(1).max(1) } else { account.next_entity_id };
    let expiry_sec = p.expiry_sec.unwrap_or(0);
    let limits = GrantLimits { expiry_sec, now, entity_id: u64::from(entity_id), parallel_nonce_key: U256::ZERO };
    let set = validate_grant(&p.permissions, p.account, limits)?;
    let permissions: Vec<ValidatedPermission> = set.permissions().to_vec();
    let call = encode_install_call(entity_id, p.key.public_key, expiry_sec, &permissions);
    let key = session_first_use_key(U256::ZERO, entity_id, set.is_root());
    let nonce = entry_point::get_nonce(&emu.node, p.account, key).await?;
    let nonce = if nonce_ahead { nonce + U256::from(1) } else { nonce };
    let action =
        DeferredAction { chain_id: u64::from(emu.chain_id), account: p.account, nonce, deadline: expiry_sec, call };
    let digest = action.digest();

    let mut id = [0u8; 16];
    rand::rng().fill_bytes(&mut id);
    let id = FixedBytes(id);
    if let Some(a) = state.accounts.get_mut(&p.account)
        && !reuse_entity
    {
        a.next_entity_id = entity_id.saturating_add(1).min(MAX_ENTITY_ID + 1);
    }
    state.sessions.insert(
        id,
        Session {
            id,
            account: p.account,
            key: p.key.public_key,
            entity_id,
            permissions,
            expiry_sec,
            install_call: action.call.clone(),
            deferred_nonce: nonce,
            digest,
            installed: false,
            revoked: false,
            usage: Usage::default(),
        },
    );
    let result = CreateSessionResult {
        session_id: Bytes::copy_from_slice(id.as_slice()),
        chain_id: emu.chain_id,
        signature_request: SignatureRequest::TypedData {
            data: action.typed_data(),
            raw_payload: Some(Bytes::copy_from_slice(digest.as_slice())),
        },
    };
    CreateSession::result_json(&result).map_err(MethodError::from)
}

/// `devnet_sessionUsage(sessionId)`: per limited permission its limit, spent and remaining
/// (hex wei or token units), plus expiry, installed, revoked and how (`revocation`:
/// `uninstalled`, `install-nonce-consumed` for a grant cancelled before its first use, or
/// null).
pub async fn session_usage(emu: &Emulator, params: Value) -> Result<Value, MethodError> {
    let [id]: [Bytes; 1] = serde_json::from_value(params).map_err(|e| {
        MethodError::Invalid(format!("devnet_sessionUsage params must be [sessionId (16-byte hex)]: {e}"))
    })?;
    let state = emu.state.lock().await;
    let session = super::calls::find_session(&state, &id)?;
    let mut limits = Vec::new();
    for p in &session.permissions {
        match p {
            ValidatedPermission::NativeTokenTransfer { allowance } => {
                limits.push(DevnetLimit::new(
                    PermissionKind::NativeTokenTransfer,
                    None,
                    *allowance,
                    session.usage.native,
                ));
            }
            ValidatedPermission::Erc20TokenTransfer { token, allowance } => {
                let spent = session.usage.erc20.get(token).copied().unwrap_or_default();
                limits.push(DevnetLimit::new(PermissionKind::Erc20TokenTransfer, Some(*token), *allowance, spent));
            }
            ValidatedPermission::GasLimit { limit } => {
                limits.push(DevnetLimit::new(PermissionKind::GasLimit, None, *limit, session.usage.gas));
            }
            _ => {}
        }
    }
    // An unused grant is revoked by consuming the nonce it signed; only the chain knows.
    let revocation = if session.revoked {
        Some(DevnetRevocation::Uninstalled)
    } else if !session.installed {
        let key = session_first_use_key(U256::ZERO, session.entity_id, session.is_root());
        let current = entry_point::get_nonce(&emu.node, session.account, key).await?;
        (current != session.deferred_nonce).then_some(DevnetRevocation::InstallNonceConsumed)
    } else {
        None
    };
    let usage = DevnetUsage {
        session_id: Bytes::copy_from_slice(session.id.as_slice()),
        account: session.account,
        key: session.key,
        entity_id: session.entity_id,
        permissions: session.permissions.iter().map(ValidatedPermission::to_wire).collect(),
        limits,
        expiry_sec: session.expiry_sec,
        installed: session.installed,
        revoked: revocation.is_some(),
        revocation,
    };
    Ok(json!(usage))
}
