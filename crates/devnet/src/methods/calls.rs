//! `wallet_prepareCalls`, `wallet_sendPreparedCalls` and `wallet_getCallsStatus` for owner
//! and session operations (protocol.md §4.4–4.6, §6.1, §6.4–6.8).
//!
//! Prepare builds a v0.7 user operation with `mav2`: nonce = the EntryPoint's real nonce
//! for the key (owner `0x01`, a session's deferred-action key on first use, its installed
//! key after), factory data while an SMA-B account is undeployed, `executeBatch` call data
//! (behind `executeUserOp` when the session has execution hooks), fees from the node, and
//! paymaster fields when a gas policy is given. The operation is remembered by its hash.
//!
//! Send finds the operation again by its hash, recovers the signer from the EIP-191
//! signature over the hash (the owner, or the session key, whose grant signature must also
//! recover to the owner), re-checks nonce, expiry, revocation and limits, then runs the
//! calls as the account on the node (impersonation) inside a snapshot: one reverting call
//! reverts them all (status 500, limits not charged). Either way the operation's nonce is
//! consumed with `EntryPoint.incrementNonce` sent from the account, so replays and stale
//! operations fail as on chain, and a session is installed by its first operation. Sending
//! the same operation twice returns the same call id and runs it once.
//!
//! Left out: the EntryPoint's own events in receipts (the calls run as plain transactions
//! from the account), v0.6 operations, local-mode (`0x01`) contexts, `stateOverride`,
//! `experimental_dataSuffix` and ERC-20 gas payment.

use alloy_primitives::{Address, B256, Bytes, FixedBytes, U256, eip191_hash_message};
use alloy_sol_types::{SolCall, sol};
use serde_json::{Value, json};
use warden_core::api::{
    Call, CallReceipt, CallStatus, EcdsaSigData, FeePayment, GasOverride, GasParamsOverride, GetCallsStatus,
    GetCallsStatusResult, PermissionsCapability, PrepareCalls, PreparedCall, PreparedCallArray, PreparedCallDetails,
    PreparedCallElement, PreparedUserOperation, RpcMethod, SendDetails, SendPreparedCalls, SendPreparedCallsResult,
    SentUserOperation, SignableMessage, SignatureRequest, SignedPreparedCall, StatusDetails, UserOperationStatus,
    UserOperationSummary, UserOperationV07,
};
use warden_core::mav2::account::sma_b_factory_data;
use warden_core::mav2::calls::encode_execute_batch;
use warden_core::mav2::constants::ACCOUNT_FACTORY;
use warden_core::mav2::constants::{ENTRY_POINT_V07, SELECTOR_UNINSTALL_VALIDATION, SINGLE_SIGNER_VALIDATION_MODULE};
use warden_core::mav2::context::Context;
use warden_core::mav2::nonce::{FLAG_GLOBAL, nonce_key, session_first_use_key, session_installed_key};
use warden_core::mav2::user_op::hash_v07;
use warden_core::signing::recover;

use super::enforce::{Spend, Violation, check_calls, check_live};
use super::error::Shortfall;
use super::state::{Account, AccountKind, OpSigner, PreparedOp, SentOp, Session, State};
use super::{Emulator, MethodError, entry_point};
use crate::node::NodeError;

sol! {
    function uninstallValidation(bytes24 validationFunction, bytes uninstallData, bytes[] hookUninstallData);
}

/// The paymaster sponsored operations name (Alchemy's Gas Manager for EntryPoint v0.7, as in
/// the official examples). On the devnet no contract runs there: a sponsored operation's
/// transactions are sent with zero fees, so the account pays no gas.
pub const DEVNET_PAYMASTER: Address = alloy_primitives::address!("2cc0c7981D846b9F2a16276556f6e8cb52BfB633");

const PRE_VERIFICATION_GAS: u64 = 60_000;
const VERIFICATION_GAS: u64 = 150_000;
const VERIFICATION_GAS_DEFERRED: u64 = 400_000;
const VERIFICATION_GAS_DEPLOY: u64 = 650_000;
const PAYMASTER_VERIFICATION_GAS: u64 = 75_000;
const CALL_GAS_OVERHEAD: u64 = 30_000;
const CALL_GAS_FALLBACK: u64 = 100_000;

/// Finds a session by its id bytes.
pub fn find_session<'a>(state: &'a State, id: &[u8]) -> Result<&'a Session, MethodError> {
    let unknown =
        |detail: String| MethodError::UnknownSession { session_id: Bytes::copy_from_slice(id).to_string(), detail };
    let key: FixedBytes<16> = <[u8; 16]>::try_from(id)
        .map(FixedBytes)
        .map_err(|_| unknown(format!(": a session id is 16 bytes, got {}", id.len())))?;
    state.sessions.get(&key).ok_or_else(|| unknown(String::new()))
}

/// The session a `permissions` capability names, with its grant signature checked against
/// the account owner.
fn resolve_session<'a>(
    state: &'a State,
    cap: &PermissionsCapability,
    account: &Account,
) -> Result<&'a Session, MethodError> {
    let (session, signature) = match cap {
        PermissionsCapability::Remote { session_id, signature } => {
            (find_session(state, session_id)?, signature.clone())
        }
        PermissionsCapability::Context { context } => match Context::decode(context)? {
            Context::Remote { session_id, signature } => (find_session(state, session_id.as_slice())?, signature),
            Context::NonDeferred { entity_id, .. } => {
                let s = state
                    .sessions
                    .values()
                    .find(|s| s.account == account.address && s.entity_id == entity_id && s.installed)
                    .ok_or_else(|| MethodError::UnknownSession {
                        session_id: format!("(entity {entity_id})"),
                        detail: format!(": no installed session of account {} has this entity id", account.address),
                    })?;
                return check_owner(s, account).map(|()| s);
            }
            Context::Local { .. } => {
                return Err(MethodError::Invalid(
                    "permissions.context version 0x01 (local deferred action) is not supported by the devnet; use the sessionId and signature from wallet_createSession".into(),
                ));
            }
        },
    };
    check_owner(session, account)?;
    let recovered = recover(&session.digest, &signature)
        .map_err(|e| MethodError::BadSignature { what: "permissions (the owner's grant)", reason: e.to_string() })?;
    if recovered != account.owner {
        return Err(MethodError::WrongSigner {
            what: "permissions (the owner's grant)",
            recovered,
            expected_role: "the account owner",
            expected: account.owner,
        });
    }
    Ok(session)
}

fn check_owner(session: &Session, account: &Account) -> Result<(), MethodError> {
    if session.account == account.address {
        Ok(())
    } else {
        Err(MethodError::UnknownSession {
            session_id: Bytes::copy_from_slice(session.id.as_slice()).to_string(),
            detail: format!(": it belongs to account {}, not {}", session.account, account.address),
        })
    }
}

fn apply_override(estimate: U256, field: &str, o: Option<&GasOverride>) -> Result<U256, MethodError> {
    match o {
        None => Ok(estimate),
        Some(GasOverride::Absolute(v)) => Ok(*v),
        Some(GasOverride::Multiplier(m)) if m.is_finite() && *m > 0.0 => {
            let base = u128::try_from(estimate).unwrap_or(u128::MAX) as f64;
            Ok(U256::from((base * m).ceil() as u128))
        }
        Some(GasOverride::Multiplier(m)) => {
            Err(MethodError::Invalid(format!("gasParamsOverride.{field}: multiplier {m} must be a positive number")))
        }
    }
}

/// Sum of the node's estimates for each call, plus the account's overhead.
async fn estimate_call_gas(emu: &Emulator, account: Address, calls: &[Call]) -> U256 {
    let mut total = U256::from(CALL_GAS_OVERHEAD);
    for c in calls {
        let tx = json!({"from": account, "to": c.to, "value": c.value.unwrap_or_default(), "data": c.data.clone().unwrap_or_default()});
        total += emu.node.estimate_gas(tx).await.unwrap_or(U256::from(CALL_GAS_FALLBACK));
    }
    total
}

/// The most gas an operation can cost: all its gas limits times `maxFeePerGas`.
pub fn max_gas_cost(op: &UserOperationV07) -> U256 {
    let gas = op.pre_verification_gas
        + op.verification_gas_limit
        + op.call_gas_limit
        + op.paymaster_verification_gas_limit.unwrap_or_default()
        + op.paymaster_post_op_gas_limit.unwrap_or_default();
    gas.saturating_mul(op.max_fee_per_gas)
}

/// The session's nonce key and whether this is its first use; checks that an uninstalled
/// grant's deferred nonce is still unused.
async fn session_nonce_key(emu: &Emulator, session: &Session, parallel: U256) -> Result<(U256, bool), MethodError> {
    let root = session.is_root();
    if session.installed {
        return Ok((session_installed_key(parallel, session.entity_id, root), false));
    }
    if parallel != U256::ZERO {
        return Err(MethodError::Invalid(
            "nonceOverride: a session's first operation uses the nonce its grant signed; the key cannot be overridden"
                .into(),
        ));
    }
    let key = session_first_use_key(U256::ZERO, session.entity_id, root);
    let current = entry_point::get_nonce(&emu.node, session.account, key).await?;
    if current != session.deferred_nonce {
        return Err(Violation::DeferredNonceConsumed { signed: session.deferred_nonce, current }.into());
    }
    Ok((key, true))
}

/// `wallet_prepareCalls`.
pub async fn prepare_calls(emu: &Emulator, params: Value) -> Result<Value, MethodError> {
    let p = PrepareCalls::parse_params(params)?;
    emu.check_chain(p.chain_id)?;
    let caps = p.capabilities.unwrap_or_default();
    if caps.state_override.is_some() {
        return Err(MethodError::Invalid("capabilities.stateOverride is not supported by the devnet".into()));
    }
    if caps.experimental_data_suffix.is_some() {
        return Err(MethodError::Invalid("capabilities.experimental_dataSuffix is not supported by the devnet".into()));
    }
    if caps.paymaster_service.as_ref().is_some_and(|s| s.erc20.is_some()) || p.paymaster_permit_signature.is_some() {
        return Err(MethodError::Invalid(
            "paymasterService.erc20: ERC-20 gas payment is not supported by the devnet (sponsorship is)".into(),
        ));
    }
    let calls = p.calls.unwrap_or_default();
    let parallel = caps.nonce_override.map(|n| n.nonce_key).unwrap_or_default();
    if parallel >= (U256::from(1) << 152) {
        return Err(MethodError::Invalid(format!("nonceOverride.nonceKey {parallel:#x} must be below 2^152")));
    }
    let sponsored = caps.paymaster_service.as_ref();
    let now = emu.node.next_block_timestamp().await?;

    let mut state = emu.state.lock().await;
    let (account, new_account) = super::accounts::account_for_calls(emu, &state, p.from).await?;
    let (signer, key, exec_hooks, session) = match &caps.permissions {
        None => (OpSigner::Owner, nonce_key(parallel, 0, FLAG_GLOBAL), false, None),
        Some(cap) => {
            let session = resolve_session(&state, cap, &account)?.clone();
            check_live(&session, now)?;
            emu.require_delegated(&account).await?;
            let (key, first_use) = session_nonce_key(emu, &session, parallel).await?;
            let hooks = warden_core::mav2::install::has_exec_hooks(&session.permissions);
            (OpSigner::Session { id: session.id, first_use }, key, hooks, Some(session))
        }
    };
    let needs_delegation = signer == OpSigner::Owner
        && account.kind == AccountKind::Eip7702
        && emu.node.code(account.address).await? != Emulator::delegation_code();
    let nonce = entry_point::get_nonce(&emu.node, account.address, key).await?;
    let (factory, factory_data) = match account.kind {
        AccountKind::SmaB { salt } if !account.deployed => {
            (Some(ACCOUNT_FACTORY), Some(sma_b_factory_data(account.owner, salt)))
        }
        _ => (None, None),
    };
    let overrides = caps.gas_params_override.clone().unwrap_or_default();
    let op = build_op(emu, &account, &calls, nonce, exec_hooks, factory, factory_data, sponsored.is_some(), &overrides)
        .await?;
    let cost = max_gas_cost(&op);
    if let Some(session) = &session {
        check_calls(session, account.address, &calls, sponsored.is_none().then_some(cost))?;
    }
    let hash = hash_v07(&op, ENTRY_POINT_V07, u64::from(emu.chain_id))?;
    let only_estimation = sponsored.and_then(|s| s.only_estimation).unwrap_or(false);
    if new_account {
        super::accounts::insert(&mut state, account.clone());
    }
    if !only_estimation {
        state.prepared.insert(
            hash,
            PreparedOp { op: op.clone(), signer, calls: calls.clone(), sponsored: sponsored.is_some(), nonce_key: key },
        );
    }
    let user_op = PreparedUserOperation {
        data: op,
        chain_id: emu.chain_id,
        signature_request: (!only_estimation).then(|| SignatureRequest::PersonalSign {
            data: SignableMessage::Raw { raw: Bytes::copy_from_slice(hash.as_slice()) },
            raw_payload: Some(Bytes::copy_from_slice(eip191_hash_message(hash).as_slice())),
        }),
        fee_payment: FeePayment { sponsored: sponsored.is_some(), token_address: Address::ZERO, max_amount: cost },
        details: Some(PreparedCallDetails::UserOperation { data: UserOperationSummary { hash, calls } }),
    };
    let prepared = if needs_delegation {
        let auth = super::eip7702::authorization_for(emu, account.address).await?;
        PreparedCall::Array(PreparedCallArray {
            data: vec![auth, PreparedCallElement::UserOperationV070(user_op)],
            details: None,
        })
    } else {
        PreparedCall::UserOperationV070(user_op)
    };
    PrepareCalls::result_json(&prepared).map_err(MethodError::from)
}

#[allow(clippy::too_many_arguments)]
async fn build_op(
    emu: &Emulator,
    account: &Account,
    calls: &[Call],
    nonce: U256,
    exec_hooks: bool,
    factory: Option<Address>,
    factory_data: Option<Bytes>,
    sponsored: bool,
    o: &GasParamsOverride,
) -> Result<UserOperationV07, MethodError> {
    let call_gas = estimate_call_gas(emu, account.address, calls).await;
    let verification = match (&factory, NonceFlags::of(nonce).deferred) {
        (Some(_), _) => VERIFICATION_GAS_DEPLOY,
        (None, true) => VERIFICATION_GAS_DEFERRED,
        (None, false) => VERIFICATION_GAS,
    };
    let priority = emu.node.max_priority_fee().await?;
    let max_fee = emu.node.gas_price().await?.saturating_mul(U256::from(2)).max(priority);
    let (paymaster, paymaster_data, pm_verification, pm_post_op) = if sponsored {
        (Some(DEVNET_PAYMASTER), Some(Bytes::new()), Some(U256::from(PAYMASTER_VERIFICATION_GAS)), Some(U256::ZERO))
    } else {
        (None, None, None, None)
    };
    Ok(UserOperationV07 {
        sender: account.address,
        nonce,
        factory,
        factory_data,
        call_data: encode_execute_batch(calls, exec_hooks),
        call_gas_limit: apply_override(call_gas, "callGasLimit", o.call_gas_limit.as_ref())?,
        verification_gas_limit: apply_override(
            U256::from(verification),
            "verificationGasLimit",
            o.verification_gas_limit.as_ref(),
        )?,
        pre_verification_gas: apply_override(
            U256::from(PRE_VERIFICATION_GAS),
            "preVerificationGas",
            o.pre_verification_gas.as_ref(),
        )?,
        max_fee_per_gas: apply_override(max_fee, "maxFeePerGas", o.max_fee_per_gas.as_ref())?,
        max_priority_fee_per_gas: apply_override(
            priority,
            "maxPriorityFeePerGas",
            o.max_priority_fee_per_gas.as_ref(),
        )?,
        paymaster_verification_gas_limit: match pm_verification {
            Some(v) => {
                Some(apply_override(v, "paymasterVerificationGasLimit", o.paymaster_verification_gas_limit.as_ref())?)
            }
            None => None,
        },
        paymaster_post_op_gas_limit: match pm_post_op {
            Some(v) => Some(apply_override(v, "paymasterPostOpGasLimit", o.paymaster_post_op_gas_limit.as_ref())?),
            None => None,
        },
        paymaster,
        paymaster_data,
        signature: None,
    })
}

struct NonceFlags {
    deferred: bool,
}

impl NonceFlags {
    fn of(nonce: U256) -> Self {
        Self { deferred: warden_core::mav2::nonce::NonceParts::from_nonce(nonce).is_deferred() }
    }
}

/// 65 bytes `r‖s‖v` from any accepted wire form.
pub fn signature_bytes(sig: &EcdsaSigData) -> Result<Vec<u8>, MethodError> {
    let bad = |reason: String| MethodError::BadSignature { what: "user operation", reason };
    match sig {
        EcdsaSigData::Hex(b) if b.len() == 65 => Ok(b.to_vec()),
        EcdsaSigData::Hex(b) => Err(bad(format!("expected 65 bytes r‖s‖v, got {}", b.len()))),
        EcdsaSigData::YParity { r, s, y_parity: v } | EcdsaSigData::V { r, s, v } => {
            let v: u8 = match u8::try_from(*v) {
                Ok(v @ (0 | 1)) => v + 27,
                Ok(v @ (27 | 28)) => v,
                _ => return Err(bad(format!("v/yParity {v} is not 0, 1, 27 or 28"))),
            };
            let mut out = r.to_vec();
            out.extend_from_slice(s.as_slice());
            out.push(v);
            Ok(out)
        }
    }
}

/// The call id: uint256 chainId ‖ userOpHash.
pub fn call_id(chain_id: u32, hash: B256) -> Bytes {
    let mut v = U256::from(chain_id).to_be_bytes::<32>().to_vec();
    v.extend_from_slice(hash.as_slice());
    v.into()
}

pub fn send_result(sent: &SentOp) -> Result<Value, MethodError> {
    let r = SendPreparedCallsResult {
        id: sent.id.clone(),
        prepared_call_ids: vec![sent.id.clone()],
        details: SendDetails::UserOperation {
            data: SentUserOperation { hash: sent.hash, calls: Some(sent.calls.clone()) },
        },
    };
    SendPreparedCalls::result_json(&r).map_err(MethodError::from)
}

/// `wallet_sendPreparedCalls`.
pub async fn send_prepared_calls(emu: &Emulator, params: Value) -> Result<Value, MethodError> {
    let p = SendPreparedCalls::parse_params(params)?;
    let signed = match p.call {
        SignedPreparedCall::UserOperationV070(s) => s,
        SignedPreparedCall::Array(a) => return super::eip7702::send_array(emu, a, p.capabilities).await,
        SignedPreparedCall::Authorization(_) => {
            return Err(MethodError::Invalid(
                "a standalone authorization (undelegating a 7702 account) is not supported by the devnet".into(),
            ));
        }
        SignedPreparedCall::UserOperationV060(_) => {
            return Err(MethodError::Invalid(
                "user-operation-v060: the devnet serves Modular Account v2 (EntryPoint v0.7) only".into(),
            ));
        }
    };
    emu.check_chain(signed.chain_id)?;
    let hash = hash_v07(&signed.data, ENTRY_POINT_V07, u64::from(emu.chain_id))?;
    let permissions = p.capabilities.and_then(|c| c.permissions);
    let mut state = emu.state.lock().await;
    if let Some(sent) = state.sent.get(&hash) {
        return send_result(sent);
    }
    let sent = send_user_op(emu, &mut state, hash, &signed.signature.data, permissions.as_ref()).await?;
    let out = send_result(&sent);
    state.sent.insert(hash, sent);
    out
}

/// Verifies and runs one prepared operation; the state is locked by the caller.
pub async fn send_user_op(
    emu: &Emulator,
    state: &mut State,
    hash: B256,
    signature: &EcdsaSigData,
    permissions: Option<&PermissionsCapability>,
) -> Result<SentOp, MethodError> {
    let prepared = state.prepared.get(&hash).cloned().ok_or(MethodError::NotPrepared { hash })?;
    let op = &prepared.op;
    let account = state.accounts.get(&op.sender).cloned().ok_or(MethodError::UnknownAccount { address: op.sender })?;
    let sig = signature_bytes(signature)?;
    let recovered = recover(&eip191_hash_message(hash), &sig)
        .map_err(|e| MethodError::BadSignature { what: "user operation", reason: e.to_string() })?;
    let now = emu.node.next_block_timestamp().await?;
    let cost = max_gas_cost(op);
    let mut spend = Spend::default();
    let mut session_id = None;
    match prepared.signer {
        OpSigner::Owner => {
            if recovered != account.owner {
                return Err(MethodError::WrongSigner {
                    what: "user operation",
                    recovered,
                    expected_role: "the account owner",
                    expected: account.owner,
                });
            }
        }
        OpSigner::Session { id, .. } => {
            let cap = permissions.ok_or_else(|| {
                MethodError::Invalid(
                    "capabilities.permissions: an operation prepared for a session must repeat the permissions capability on send".into(),
                )
            })?;
            let session = resolve_session(state, cap, &account)?;
            if session.id != id {
                return Err(MethodError::Invalid(format!(
                    "capabilities.permissions names session {}, but the operation was prepared for session {}",
                    Bytes::copy_from_slice(session.id.as_slice()),
                    Bytes::copy_from_slice(id.as_slice())
                )));
            }
            if recovered != session.key {
                return Err(MethodError::WrongSigner {
                    what: "user operation",
                    recovered,
                    expected_role: "the session key",
                    expected: session.key,
                });
            }
            check_live(session, now)?;
            spend = check_calls(session, account.address, &prepared.calls, (!prepared.sponsored).then_some(cost))?;
            session_id = Some(id);
        }
    }
    let current = entry_point::get_nonce(&emu.node, account.address, prepared.nonce_key).await?;
    if current != op.nonce {
        if let (OpSigner::Session { first_use: true, .. }, Some(s)) =
            (prepared.signer, session_id.and_then(|id| state.sessions.get(&id)))
            && !s.installed
        {
            return Err(Violation::DeferredNonceConsumed { signed: s.deferred_nonce, current }.into());
        }
        return Err(MethodError::StaleNonce { op: op.nonce, current });
    }
    let value = prepared.calls.iter().fold(U256::ZERO, |a, c| a.saturating_add(c.value.unwrap_or_default()));
    if !prepared.sponsored {
        let balance = emu.node.balance(account.address).await?;
        let needed = value.saturating_add(cost);
        if balance < needed {
            return Err(MethodError::InsufficientFunds(Box::new(Shortfall {
                account: account.address,
                balance,
                needed,
                value,
                gas: cost,
            })));
        }
    }

    let outcome = execute(emu, account.address, &prepared.calls, prepared.nonce_key, prepared.sponsored).await?;
    if let Some(a) = state.accounts.get_mut(&account.address) {
        a.deployed = true;
    }
    if let Some(s) = session_id.and_then(|id| state.sessions.get_mut(&id)) {
        s.installed = true;
        if outcome.revert_reason.is_none() {
            s.usage.charge(&spend);
        }
    }
    if outcome.revert_reason.is_none() && prepared.signer == OpSigner::Owner {
        revoke_uninstalled(state, account.address, &prepared.calls);
    }
    Ok(SentOp {
        id: call_id(emu.chain_id, hash),
        hash,
        calls: prepared.calls.clone(),
        status: if outcome.revert_reason.is_none() { CallStatus::CONFIRMED.0 } else { CallStatus::ONCHAIN_FAILURE.0 },
        receipts: outcome.receipts,
        revert_reason: outcome.revert_reason,
    })
}

/// Marks sessions revoked whose validation an owner call uninstalled.
fn revoke_uninstalled(state: &mut State, account: Address, calls: &[Call]) {
    for c in calls.iter().filter(|c| c.to == account) {
        let data = c.data.as_ref().map_or(&[][..], |b| &b[..]);
        if data.get(..4) != Some(&SELECTOR_UNINSTALL_VALIDATION[..]) {
            continue;
        }
        let Ok(decoded) = uninstallValidationCall::abi_decode(data) else { continue };
        let f = decoded.validationFunction;
        if f[..20] != SINGLE_SIGNER_VALIDATION_MODULE[..] {
            continue;
        }
        let entity = u32::from_be_bytes([f[20], f[21], f[22], f[23]]);
        for s in state.sessions.values_mut().filter(|s| s.account == account && s.entity_id == entity) {
            s.revoked = true;
        }
    }
}

struct Outcome {
    receipts: Vec<CallReceipt>,
    revert_reason: Option<String>,
}

fn call_receipt(raw: &Value) -> Result<CallReceipt, MethodError> {
    serde_json::from_value(raw.clone())
        .map_err(|e| MethodError::Invalid(format!("the node's receipt does not have the expected shape: {e}")))
}

fn tx(from: Address, to: Address, value: U256, data: Bytes, sponsored: bool) -> Value {
    let mut tx = json!({"from": from, "to": to, "value": value, "data": data});
    if sponsored {
        tx["maxFeePerGas"] = json!("0x0");
        tx["maxPriorityFeePerGas"] = json!("0x0");
    }
    tx
}

/// Runs `calls` from `account` atomically, then consumes the operation's nonce.
async fn execute(
    emu: &Emulator,
    account: Address,
    calls: &[Call],
    key: U256,
    sponsored: bool,
) -> Result<Outcome, MethodError> {
    let node = &emu.node;
    node.impersonate(account).await?;
    let snapshot = node.snapshot().await?;
    let mut raw = Vec::new();
    let mut revert_reason = None;
    for (i, c) in calls.iter().enumerate() {
        if sponsored {
            node.zero_next_base_fee().await?;
        }
        let t = tx(account, c.to, c.value.unwrap_or_default(), c.data.clone().unwrap_or_default(), sponsored);
        match node.transact(t.clone()).await {
            Ok(r) if r.success => raw.push(r.raw),
            Ok(r) => {
                // The reverted transaction changed nothing: replaying it as a call gives the reason.
                let why = match node.call(t).await {
                    Err(NodeError::Rpc { message, .. }) => message,
                    _ => "reverted".into(),
                };
                revert_reason = Some(format!("calls[{i}] to {}: {why} (transaction {})", c.to, r.transaction_hash));
                break;
            }
            Err(NodeError::Rpc { message, .. }) if message.contains("revert") => {
                revert_reason = Some(format!("calls[{i}] to {}: {message}", c.to));
                break;
            }
            Err(e) => {
                node.revert(snapshot).await?;
                return Err(e.into());
            }
        }
    }
    if revert_reason.is_some() {
        node.revert(snapshot).await?;
        raw.clear();
    }
    if sponsored {
        node.zero_next_base_fee().await?;
    }
    let nonce_tx = tx(account, ENTRY_POINT_V07, U256::ZERO, entry_point::increment_nonce_data(key), sponsored);
    let r = node.transact(nonce_tx).await?;
    raw.push(r.raw);
    let receipts = raw.iter().map(call_receipt).collect::<Result<Vec<_>, _>>()?;
    Ok(Outcome { receipts, revert_reason })
}

/// `wallet_getCallsStatus`.
pub async fn get_calls_status(emu: &Emulator, params: Value) -> Result<Value, MethodError> {
    let id = GetCallsStatus::parse_params(params)?;
    let unknown = || MethodError::UnknownCallId { id: id.clone() };
    if id.len() != 64 || id[..32] != U256::from(emu.chain_id).to_be_bytes::<32>()[..] {
        return Err(unknown());
    }
    let hash = B256::from_slice(&id[32..]);
    let state = emu.state.lock().await;
    let sent = state.sent.get(&hash).ok_or_else(unknown)?;
    let result = GetCallsStatusResult {
        id: sent.id.clone(),
        chain_id: emu.chain_id,
        atomic: true,
        status: CallStatus(sent.status),
        receipts: Some(sent.receipts.clone()),
        details: StatusDetails::UserOperation {
            data: UserOperationStatus { hash: sent.hash, calls: Some(sent.calls.clone()), pending_bundle: None },
        },
    };
    let mut v = GetCallsStatus::result_json(&result)?;
    if let Some(reason) = &sent.revert_reason {
        // A devnet extension (the schema tolerates extra keys): why the calls reverted.
        v["revertReason"] = json!(reason);
    }
    Ok(v)
}
