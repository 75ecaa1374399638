//! `wallet_prepareCalls`, `wallet_sendPreparedCalls` and `wallet_getCallsStatus` for owner
//! and session operations (protocol.md §4.4–4.6, §6.1, §6.4–6.8).
//!
//! Prepare builds a v0.7 user operation with `mav2`: nonce = the EntryPoint's real nonce
//! for the key (owner `0x01`, a session's deferred-action key on first use, its installed
//! key after), factory data while an SMA-B account is undeployed, `executeBatch` call data
//! (behind `executeUserOp` when the session has execution hooks), fees from the node, and
//! paymaster fields when a gas policy the devnet knows sponsors it (an unknown policy is
//! refused, see [`super::policies`]). The chain reads it needs go to the node in one batch,
//! outside the devnet's lock. A session operation is checked as gas estimation would check
//! it: any violation is refused, an execution-phase one as `execution reverted` with the
//! hook's revert data. The operation is remembered by its hash.
//!
//! Send finds the operation again by its hash, checks the send repeats its gas policy, and
//! then checks it in the order the EntryPoint does: the account's validation (the grant's
//! signature, a revoked validation, the allow-list, account functions, the gas-limit hook:
//! AA23), the prefund (AA21), the nonce (AA25), the signature (AA24), the time range
//! (AA22). What passes validation runs: as the account, in one transaction through the
//! account executor ([`crate::executor`]), all calls or none, consuming the nonce. An
//! execution-phase violation (native or ERC-20 limit exceeded since prepare) or a reverting
//! call ends the operation in status 500 with the nonce consumed, as on chain; the gas
//! limit is charged once validation passed, value and ERC-20 limits only on success. A
//! session is installed by its first operation, on chain: its grant's `installValidation`
//! runs as the account before the calls (and stays if they revert), so the account's
//! `getValidationData` shows it until an owner `uninstallValidation` clears it. Sending the same operation twice returns
//! the same call id and runs it once.
//!
//! Left out: the EntryPoint's own events in receipts (the operation runs as one plain
//! transaction from the account), v0.6 operations, local-mode (`0x01`) contexts,
//! `stateOverride`, `experimental_dataSuffix` and ERC-20 gas payment.

use alloy_primitives::{Address, B256, Bytes, FixedBytes, U256, eip191_hash_message};
use alloy_sol_types::{SolCall, sol};
use serde_json::{Value, json};
use warden_core::api::{
    Call, CallReceipt, CallStatus, EcdsaSigData, FeePayment, GasOverride, GasParamsOverride, GetCallsStatus,
    GetCallsStatusResult, PermissionsCapability, PrepareCalls, PreparedCall, PreparedCallArray, PreparedCallDetails,
    PreparedCallElement, PreparedUserOperation, RpcMethod, SendDetails, SendPaymasterService, SendPreparedCalls,
    SendPreparedCallsResult, SentUserOperation, SignableMessage, SignatureRequest, SignedAuthorization,
    SignedPreparedCall, StatusDetails, UserOperationStatus, UserOperationSummary, UserOperationV07,
};
use warden_core::mav2::account::sma_b_factory_data;
use warden_core::mav2::calls::encode_execute_batch;
use warden_core::mav2::constants::ACCOUNT_FACTORY;
use warden_core::mav2::constants::{ENTRY_POINT_V07, SELECTOR_UNINSTALL_VALIDATION, SINGLE_SIGNER_VALIDATION_MODULE};
use warden_core::mav2::context::Context;
use warden_core::mav2::nonce::{FLAG_GLOBAL, nonce_key, session_first_use_key, session_installed_key};
use warden_core::mav2::user_op::hash_v07;
use warden_core::signing::recover;

use super::enforce::{Phase, Spend, Violation, check_calls, check_execution, check_live, check_validation};
use super::error::{Shortfall, Signed};
use super::state::{Account, AccountOrigin, OpSigner, PreparedOp, SentOp, Session, State};
use super::{Emulator, MethodError, entry_point, policies};
use crate::executor;
use crate::node::NodeError;

sol! {
    function uninstallValidation(bytes24 validationFunction, bytes uninstallData, bytes[] hookUninstallData);
    function getNonce(address sender, uint192 key) external view returns (uint256 nonce);
}

/// The paymaster sponsored operations name (Alchemy's Gas Manager for EntryPoint v0.7, as in
/// the official examples). On the devnet no contract runs there: a sponsored operation's
/// transaction is sent with zero fees, so the account pays no gas.
pub const DEVNET_PAYMASTER: Address = alloy_primitives::address!("2cc0c7981D846b9F2a16276556f6e8cb52BfB633");

const PRE_VERIFICATION_GAS: u64 = 60_000;
const VERIFICATION_GAS: u64 = 150_000;
const VERIFICATION_GAS_DEFERRED: u64 = 400_000;
const VERIFICATION_GAS_DEPLOY: u64 = 650_000;
const PAYMASTER_VERIFICATION_GAS: u64 = 75_000;
const CALL_GAS_OVERHEAD: u64 = 30_000;
const CALL_GAS_FALLBACK: u64 = 100_000;
/// Gas the executor's transaction needs beyond the calls' own (intrinsic gas, call data,
/// the loop and `incrementNonce`).
const EXECUTOR_GAS_OVERHEAD: u64 = 80_000;
/// The most gas one transaction may use (anvil's default block gas limit).
const MAX_TX_GAS: u64 = 30_000_000;
/// Gas for writing a validation's flags, hooks and selectors into the account's storage.
const INSTALL_GAS: u64 = 600_000;

fn install_gas(install: &[Call]) -> u64 {
    if install.is_empty() { 0 } else { INSTALL_GAS }
}

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
/// the account owner (as the account checks the deferred action's signature: a wrong one is
/// `DeferredActionSignatureInvalid`, AA23).
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
        .map_err(|e| MethodError::BadSignature { what: Signed::Grant, reason: e.to_string() })?;
    if recovered != account.owner {
        return Err(MethodError::WrongSigner {
            what: Signed::Grant,
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

/// The most gas an operation can cost: all its gas limits times `maxFeePerGas`.
pub fn max_gas_cost(op: &UserOperationV07) -> U256 {
    let gas = op.pre_verification_gas
        + op.verification_gas_limit
        + op.call_gas_limit
        + op.paymaster_verification_gas_limit.unwrap_or_default()
        + op.paymaster_post_op_gas_limit.unwrap_or_default();
    gas.saturating_mul(op.max_fee_per_gas)
}

fn bad_node_answer(emu: &Emulator, method: &str, reason: String) -> MethodError {
    MethodError::Node(NodeError::BadResponse { url: emu.node.url().to_owned(), method: method.to_owned(), reason })
}

fn quantity(emu: &Emulator, method: &str, v: Result<Value, NodeError>) -> Result<U256, MethodError> {
    let v = v?;
    serde_json::from_value(v.clone()).map_err(|e| bad_node_answer(emu, method, format!("{v}: {e}")))
}

/// The time of the block the next transaction lands in (see `Node::next_block_timestamp`),
/// from the latest and pending blocks.
fn next_block_time(
    emu: &Emulator,
    latest: Result<Value, NodeError>,
    pending: Result<Value, NodeError>,
) -> Result<u64, MethodError> {
    let time = |block: &Value| -> Option<u64> {
        let ts = block.get("timestamp").filter(|t| !t.is_null())?;
        serde_json::from_value::<U256>(ts.clone()).ok().map(|t| t.saturating_to())
    };
    let latest =
        time(&latest?).ok_or_else(|| bad_node_answer(emu, "eth_getBlockByNumber", "no latest block time".into()))?;
    Ok(match pending.ok().as_ref().and_then(time) {
        Some(pending) => pending.max(latest),
        None => latest.saturating_add(1),
    })
}

fn get_nonce_request(account: Address, key: U256) -> (&'static str, Value) {
    let data = Bytes::from(getNonceCall { sender: account, key: key.saturating_to() }.abi_encode());
    ("eth_call", json!([{"to": ENTRY_POINT_V07, "data": data}, "latest"]))
}

fn decode_nonce(emu: &Emulator, out: Result<Value, NodeError>) -> Result<U256, MethodError> {
    let out: Bytes = serde_json::from_value(out?).map_err(|e| bad_node_answer(emu, "eth_call", e.to_string()))?;
    getNonceCall::abi_decode_returns(&out).map_err(|e| bad_node_answer(emu, "eth_call", format!("getNonce: {e}")))
}

/// What preparing an operation reads from the node, in one batch.
struct PrepareReads {
    now: u64,
    nonce: U256,
    /// The account's code (7702 accounts only).
    code: Option<Bytes>,
    /// The EOA's transaction count (7702 owner operations only: the authorization nonce).
    tx_count: Option<u64>,
    call_gas: U256,
    priority: U256,
    gas_price: U256,
}

async fn read_for_prepare(
    emu: &Emulator,
    account: &Account,
    key: U256,
    calls: &[Call],
) -> Result<PrepareReads, MethodError> {
    let is_7702 = account.kind == AccountOrigin::Eip7702;
    let mut reqs = vec![
        ("eth_getBlockByNumber", json!(["latest", false])),
        ("eth_getBlockByNumber", json!(["pending", false])),
        get_nonce_request(account.address, key),
        ("eth_maxPriorityFeePerGas", json!([])),
        ("eth_gasPrice", json!([])),
    ];
    if is_7702 {
        reqs.push(("eth_getCode", json!([account.address, "latest"])));
        reqs.push(("eth_getTransactionCount", json!([account.address, "latest"])));
    }
    let first_estimate = reqs.len();
    for c in calls {
        let tx = json!({"from": account.address, "to": c.to, "value": c.value.unwrap_or_default(), "data": c.data.clone().unwrap_or_default()});
        reqs.push(("eth_estimateGas", json!([tx])));
    }
    let mut out = emu.node.batch(&reqs).await?.into_iter();
    let mut next = || {
        out.next().unwrap_or_else(|| {
            Err(NodeError::BadResponse { url: String::new(), method: "batch".into(), reason: "short answer".into() })
        })
    };
    let (latest, pending) = (next(), next());
    let now = next_block_time(emu, latest, pending)?;
    let nonce = decode_nonce(emu, next())?;
    let priority = quantity(emu, "eth_maxPriorityFeePerGas", next())?;
    let gas_price = quantity(emu, "eth_gasPrice", next())?;
    let (code, tx_count) = if is_7702 {
        let code: Bytes =
            serde_json::from_value(next()?).map_err(|e| bad_node_answer(emu, "eth_getCode", e.to_string()))?;
        (Some(code), Some(quantity(emu, "eth_getTransactionCount", next())?.saturating_to()))
    } else {
        (None, None)
    };
    debug_assert!(first_estimate <= reqs.len());
    let mut call_gas = U256::from(CALL_GAS_OVERHEAD);
    for _ in calls {
        // A call the node cannot estimate (it would revert) gets a fixed allowance.
        call_gas += quantity(emu, "eth_estimateGas", next()).unwrap_or(U256::from(CALL_GAS_FALLBACK));
    }
    Ok(PrepareReads { now, nonce, code, tx_count, call_gas, priority, gas_price })
}

/// The session's nonce key and whether this is its first use.
fn session_nonce_key(session: &Session, parallel: U256) -> Result<(U256, bool), MethodError> {
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
    Ok((session_first_use_key(U256::ZERO, session.entity_id, root), true))
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

    // What the devnet knows, read under the lock (once, for a known account); the chain is
    // read after, without it.
    let (known, policy, session) = {
        let state = emu.state.lock().await;
        let policy = caps.paymaster_service.as_ref().map(|s| policies::sponsor(&state, &s.policy)).transpose()?;
        let known = state.accounts.get(&p.from).cloned();
        let session = match (&known, &caps.permissions) {
            (Some(account), Some(cap)) => Some(resolve_session(&state, cap, account)?.clone()),
            _ => None,
        };
        (known, policy, session)
    };
    let (account, new_account) = match known {
        Some(a) => (a, false),
        None => super::accounts::account_for_calls(emu, p.from).await?,
    };
    let session = match (session, &caps.permissions) {
        (Some(s), _) => Some(s),
        (None, None) => None,
        (None, Some(cap)) => Some(resolve_session(&*emu.state.lock().await, cap, &account)?.clone()),
    };
    let (signer, key, exec_hooks) = match &session {
        None => (OpSigner::Owner, nonce_key(parallel, 0, FLAG_GLOBAL), false),
        Some(session) => {
            let (key, first_use) = session_nonce_key(session, parallel)?;
            let hooks = warden_core::mav2::install::has_exec_hooks(&session.permissions);
            (OpSigner::Session { id: session.id, first_use }, key, hooks)
        }
    };
    let reads = read_for_prepare(emu, &account, key, &calls).await?;
    let delegated = reads.code.as_ref().is_none_or(|c| *c == Emulator::delegation_code());
    if let Some(session) = &session {
        if !delegated {
            return Err(not_delegated(&account));
        }
        check_live(session, reads.now)?;
        if let OpSigner::Session { first_use: true, .. } = signer
            && reads.nonce != session.deferred_nonce
        {
            return Err(
                Violation::DeferredNonceConsumed { signed: session.deferred_nonce, current: reads.nonce }.into()
            );
        }
    }
    let needs_delegation = signer == OpSigner::Owner && !delegated;
    let (factory, factory_data) = match account.kind {
        AccountOrigin::SmaB { salt } if !account.deployed => {
            (Some(ACCOUNT_FACTORY), Some(sma_b_factory_data(account.owner, salt)))
        }
        _ => (None, None),
    };
    let overrides = caps.gas_params_override.clone().unwrap_or_default();
    let op = build_op(
        &account,
        &calls,
        reads.nonce,
        exec_hooks,
        factory,
        factory_data,
        policy.is_some(),
        &reads,
        &overrides,
    )?;
    let cost = max_gas_cost(&op);
    if let Some(session) = &session {
        check_calls(session, account.address, &calls, policy.is_none().then_some(cost))?;
    }
    let hash = hash_v07(&op, ENTRY_POINT_V07, u64::from(emu.chain_id))?;
    let only_estimation = caps.paymaster_service.as_ref().and_then(|s| s.only_estimation).unwrap_or(false);
    {
        let mut state = emu.state.lock().await;
        if new_account {
            super::accounts::insert(&mut state, account.clone());
        }
        if !only_estimation {
            state
                .prepared
                .insert(hash, PreparedOp { op: op.clone(), signer, calls: calls.clone(), policy, nonce_key: key });
        }
    }
    let user_op = PreparedUserOperation {
        data: op,
        chain_id: emu.chain_id,
        signature_request: (!only_estimation).then(|| SignatureRequest::PersonalSign {
            data: SignableMessage::Raw { raw: Bytes::copy_from_slice(hash.as_slice()) },
            raw_payload: Some(Bytes::copy_from_slice(eip191_hash_message(hash).as_slice())),
        }),
        fee_payment: FeePayment { sponsored: policy.is_some(), token_address: Address::ZERO, max_amount: cost },
        details: Some(PreparedCallDetails::UserOperation { data: UserOperationSummary { hash, calls } }),
    };
    let prepared = match (needs_delegation, reads.tx_count) {
        (true, Some(tx_count)) => {
            let auth = super::eip7702::authorization_for(emu, account.address, tx_count)?;
            PreparedCall::Array(PreparedCallArray {
                data: vec![auth, PreparedCallElement::UserOperationV070(user_op)],
                details: None,
            })
        }
        _ => PreparedCall::UserOperationV070(user_op),
    };
    PrepareCalls::result_json(&prepared).map_err(MethodError::from)
}

/// A session or operation of a 7702 account that is not delegated.
fn not_delegated(account: &Account) -> MethodError {
    MethodError::Invalid(format!(
        "7702 account {} is not delegated to the MAv2 7702 implementation {}",
        account.address,
        warden_core::mav2::constants::SMA_7702_IMPLEMENTATION
    ))
}

#[allow(clippy::too_many_arguments)]
fn build_op(
    account: &Account,
    calls: &[Call],
    nonce: U256,
    exec_hooks: bool,
    factory: Option<Address>,
    factory_data: Option<Bytes>,
    sponsored: bool,
    reads: &PrepareReads,
    o: &GasParamsOverride,
) -> Result<UserOperationV07, MethodError> {
    let verification = match (&factory, NonceFlags::of(nonce).deferred) {
        (Some(_), _) => VERIFICATION_GAS_DEPLOY,
        (None, true) => VERIFICATION_GAS_DEFERRED,
        (None, false) => VERIFICATION_GAS,
    };
    let priority = reads.priority;
    let max_fee = reads.gas_price.saturating_mul(U256::from(2)).max(priority);
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
        call_gas_limit: apply_override(reads.call_gas, "callGasLimit", o.call_gas_limit.as_ref())?,
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
pub fn signature_bytes(sig: &EcdsaSigData, what: Signed) -> Result<Vec<u8>, MethodError> {
    let bad = |reason: String| MethodError::BadSignature { what, reason };
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
    let caps = p.capabilities.unwrap_or_default();
    let mut state = emu.state.lock().await;
    if let Some(sent) = state.sent.get(&hash) {
        return send_result(&sent);
    }
    emu.lies.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(&hash);
    let send = SignedOp {
        hash,
        signature: &signed.signature.data,
        permissions: caps.permissions.as_ref(),
        paymaster: caps.paymaster_service.as_ref(),
        authorization: None,
    };
    let sent = send_user_op(emu, &mut state, send).await?;
    let out = send_result(&sent);
    if emu.lies.lock().unwrap_or_else(std::sync::PoisonError::into_inner).contains_key(&hash) {
        return out;
    }
    state.sent.insert(hash, sent);
    if let Some(prepared) = state.prepared.get(&hash)
        && matches!(prepared.signer, OpSigner::Session { .. })
        && super::tamper::take_send_mode(emu, super::tamper::TamperMode::ConflictAfterSend)
    {
        // Test hook: it ran, but the answer says another operation took its nonce.
        let nonce = prepared.op.nonce;
        return Err(MethodError::StaleNonce { op: nonce, current: nonce + U256::from(1) });
    }
    out
}

/// One signed operation to send, with what the send request repeated.
#[derive(Debug)]
pub struct SignedOp<'a> {
    pub hash: B256,
    pub signature: &'a EcdsaSigData,
    pub permissions: Option<&'a PermissionsCapability>,
    pub paymaster: Option<&'a SendPaymasterService>,
    /// A checked 7702 authorization to apply before the operation runs.
    pub authorization: Option<(&'a SignedAuthorization, Vec<u8>)>,
}

/// What sending an operation reads from the node, in one batch.
struct SendReads {
    now: u64,
    nonce: U256,
    balance: U256,
    code: Bytes,
}

async fn read_for_send(emu: &Emulator, account: Address, key: U256) -> Result<SendReads, MethodError> {
    let reqs = [
        ("eth_getBlockByNumber", json!(["latest", false])),
        ("eth_getBlockByNumber", json!(["pending", false])),
        get_nonce_request(account, key),
        ("eth_getBalance", json!([account, "latest"])),
        ("eth_getCode", json!([account, "latest"])),
    ];
    let [latest, pending, nonce, balance, code]: [Result<Value, NodeError>; 5] =
        emu.node.batch(&reqs).await?.try_into().map_err(|_| bad_node_answer(emu, "batch", "short answer".into()))?;
    Ok(SendReads {
        now: next_block_time(emu, latest, pending)?,
        nonce: decode_nonce(emu, nonce)?,
        balance: quantity(emu, "eth_getBalance", balance)?,
        code: serde_json::from_value(code?).map_err(|e| bad_node_answer(emu, "eth_getCode", e.to_string()))?,
    })
}

/// Verifies and runs one prepared operation; the state is locked by the caller. The
/// checks come in the EntryPoint's order (see the module docs).
pub async fn send_user_op(emu: &Emulator, state: &mut State, send: SignedOp<'_>) -> Result<SentOp, MethodError> {
    let hash = send.hash;
    let prepared = state.prepared.get(&hash).cloned().ok_or(MethodError::NotPrepared { hash })?;
    policies::check_send(prepared.policy, send.paymaster)?;
    let op = &prepared.op;
    let account = state.accounts.get(&op.sender).cloned().ok_or(MethodError::UnknownAccount { address: op.sender })?;
    let sig = signature_bytes(send.signature, Signed::UserOperation)?;
    let recovered = recover(&eip191_hash_message(hash), &sig)
        .map_err(|e| MethodError::BadSignature { what: Signed::UserOperation, reason: e.to_string() })?;
    let session = match prepared.signer {
        OpSigner::Owner => None,
        OpSigner::Session { id, .. } => {
            let cap = send.permissions.ok_or_else(|| {
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
            Some(session.clone())
        }
    };
    let reads = read_for_send(emu, account.address, prepared.nonce_key).await?;
    let cost = max_gas_cost(op);
    let sponsored = prepared.sponsored();

    // The account's validation (AA23), for a 7702 account once it is delegated (AA20).
    let delegated = account.kind != AccountOrigin::Eip7702
        || reads.code == Emulator::delegation_code()
        || send.authorization.is_some();
    if !delegated {
        return Err(MethodError::Invalid(format!(
            "AA20 account not deployed: 7702 account {} is not delegated; send the authorization wallet_prepareCalls returned with the operation",
            account.address
        )));
    }
    let mut gas_charge = U256::ZERO;
    if let Some(session) = &session {
        if session.revoked {
            return Err(Violation::Uninstalled { entity_id: session.entity_id }.into());
        }
        gas_charge = check_validation(session, account.address, &prepared.calls, (!sponsored).then_some(cost))?;
    }
    // The prefund (AA21): without a paymaster the account pays the most the gas can cost.
    if !sponsored && reads.balance < cost {
        return Err(MethodError::InsufficientFunds(Box::new(Shortfall {
            account: account.address,
            balance: reads.balance,
            gas: cost,
        })));
    }
    // The nonce (AA25).
    if reads.nonce != op.nonce {
        if let (OpSigner::Session { first_use: true, .. }, Some(s)) = (prepared.signer, &session)
            && !s.installed
        {
            return Err(Violation::DeferredNonceConsumed { signed: s.deferred_nonce, current: reads.nonce }.into());
        }
        return Err(MethodError::StaleNonce { op: op.nonce, current: reads.nonce });
    }
    // The signature (AA24).
    let (expected, expected_role) = match &session {
        None => (account.owner, "the account owner"),
        Some(s) => (s.key, "the session key"),
    };
    if recovered != expected {
        return Err(MethodError::WrongSigner { what: Signed::UserOperation, recovered, expected_role, expected });
    }
    // The time range (AA22).
    if let Some(session) = &session {
        check_live(session, reads.now)?;
    }

    if prepared.signer == OpSigner::Owner
        && super::tamper::take_send_mode(emu, super::tamper::TamperMode::LieRevocation)
    {
        // Test hook: reported done, never run (nor remembered as sent, so a resend runs it).
        let lie = SentOp {
            id: call_id(emu.chain_id, hash),
            hash,
            calls: prepared.calls.clone(),
            status: CallStatus::CONFIRMED.0,
            receipts: Vec::new(),
            revert_reason: None,
        };
        emu.lies.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(hash, lie.clone());
        return Ok(lie);
    }
    // Validation passed: the operation runs (for a first 7702 operation, after the
    // authorization delegates the account).
    if let Some((auth, sig)) = &send.authorization {
        super::eip7702::delegate(emu, account.address, auth, sig).await?;
    }
    let execution = match &session {
        Some(s) => check_execution(s, &prepared.calls),
        None => Ok(Spend::default()),
    };
    if let AccountOrigin::SmaB { .. } = account.kind
        && !account.deployed
    {
        // The factory deploys the account in the operation's validation.
        emu.node.set_code(account.address, &executor::sma_b_proxy_code()).await?;
    }
    // A session's first operation installs its validation (the deferred action's call),
    // on chain, before its calls run; it stays installed if they revert.
    let install: Vec<Call> = session
        .as_ref()
        .filter(|s| !s.installed)
        .map(|s| Call { to: account.address, data: Some(s.install_call.clone()), value: None })
        .into_iter()
        .collect();
    let outcome = match &execution {
        Ok(_) => execute(emu, &account, &prepared, sponsored, &install).await?,
        Err(violation) => {
            debug_assert_eq!(violation.phase(), Phase::Execution);
            let reason = match violation.revert() {
                Some(r) => format!("{r}: {violation}"),
                None => violation.to_string(),
            };
            consume_nonce(emu, &account, &prepared, sponsored, &install, reason).await?
        }
    };
    if let Some(a) = state.accounts.get_mut(&account.address) {
        a.deployed = true;
    }
    if let Some(s) = session.as_ref().and_then(|s| state.sessions.get_mut(&s.id)) {
        s.installed = true;
        let spend = match (&execution, &outcome.revert_reason) {
            (Ok(spend), None) => Spend { gas: gas_charge, ..spend.clone() },
            _ => Spend { gas: gas_charge, ..Spend::default() },
        };
        s.usage.charge(&spend);
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

/// A transaction from the account: with the operation's fees, or with none when a gas
/// policy sponsors it (the next block's base fee is made zero first).
async fn account_tx(
    emu: &Emulator,
    account: Address,
    to: Address,
    data: Bytes,
    gas: u64,
    prepared: &PreparedOp,
    sponsored: bool,
) -> Result<Value, MethodError> {
    let mut tx = json!({"from": account, "to": to, "value": "0x0", "data": data, "gas": format!("{gas:#x}")});
    if sponsored {
        emu.node.zero_next_base_fee().await?;
        tx["maxFeePerGas"] = json!("0x0");
        tx["maxPriorityFeePerGas"] = json!("0x0");
    } else {
        tx["maxFeePerGas"] = json!(prepared.op.max_fee_per_gas);
        tx["maxPriorityFeePerGas"] = json!(prepared.op.max_priority_fee_per_gas.min(prepared.op.max_fee_per_gas));
    }
    Ok(tx)
}

/// Runs the operation's calls as the account, all or none, consuming its nonce: one
/// transaction through the account executor, after `install` (a session's first operation
/// installs its validation). If a call reverts, the transaction reverts with its index and
/// reason, and the nonce is consumed (and the validation installed) by a second transaction.
async fn execute(
    emu: &Emulator,
    account: &Account,
    prepared: &PreparedOp,
    sponsored: bool,
    install: &[Call],
) -> Result<Outcome, MethodError> {
    let node = &emu.node;
    node.impersonate(account.address).await?;
    let gas = prepared
        .op
        .call_gas_limit
        .saturating_to::<u64>()
        .saturating_add(EXECUTOR_GAS_OVERHEAD)
        .saturating_add(install_gas(install))
        .min(MAX_TX_GAS);
    let all: Vec<Call> = install.iter().chain(&prepared.calls).cloned().collect();
    let data = executor::execute_data(&all, prepared.nonce_key);
    let tx = account_tx(emu, account.address, account.address, data, gas, prepared, sponsored).await?;
    let r = node.transact(tx.clone()).await?;
    if r.success {
        return Ok(Outcome { receipts: vec![call_receipt(&r.raw)?], revert_reason: None });
    }
    // The reverted transaction changed nothing but the account's gas: replaying it as a call
    // gives the reason.
    let why = match node.call(tx).await {
        Err(e) => match e.revert_data().and_then(|d| executor::reverted_call(&d)) {
            Some((i, reason)) if i >= install.len() => {
                let i = i - install.len();
                let to = prepared.calls.get(i).map(|c| c.to.to_string()).unwrap_or_default();
                format!("calls[{i}] to {to} reverted: {}", revert_text(&reason))
            }
            Some((_, reason)) => format!("installing the session's validation reverted: {}", revert_text(&reason)),
            None => format!("the operation reverted: {e}"),
        },
        Ok(_) => format!("the operation reverted (out of gas? callGasLimit {})", prepared.op.call_gas_limit),
    };
    let mut outcome = consume_nonce(
        emu,
        account,
        prepared,
        sponsored,
        install,
        format!("{why} (transaction {})", r.transaction_hash),
    )
    .await?;
    outcome.receipts.insert(0, call_receipt(&r.raw)?);
    Ok(outcome)
}

/// A call's revert data as text: `Error(string)`, a panic, or the raw bytes.
fn revert_text(data: &[u8]) -> String {
    match alloy_sol_types::decode_revert_reason(data) {
        Some(reason) if !reason.is_empty() => reason,
        _ if data.is_empty() => "no revert data".into(),
        _ => format!("revert data {}", Bytes::copy_from_slice(data)),
    }
}

/// Ends an operation whose execution reverted: consumes its nonce (the EntryPoint does, as
/// validation passed), installs the session's validation on its first operation (that
/// happens in validation too), and reports `reason`.
async fn consume_nonce(
    emu: &Emulator,
    account: &Account,
    prepared: &PreparedOp,
    sponsored: bool,
    install: &[Call],
    reason: String,
) -> Result<Outcome, MethodError> {
    emu.node.impersonate(account.address).await?;
    let (to, data) = if install.is_empty() {
        (ENTRY_POINT_V07, entry_point::increment_nonce_data(prepared.nonce_key))
    } else {
        (account.address, executor::execute_data(install, prepared.nonce_key))
    };
    let gas = 100_000 + install_gas(install);
    let tx = account_tx(emu, account.address, to, data, gas, prepared, sponsored).await?;
    let r = emu.node.transact(tx).await?;
    Ok(Outcome { receipts: vec![call_receipt(&r.raw)?], revert_reason: Some(reason) })
}

/// `wallet_getCallsStatus`. An id the devnet never issued answers EIP-5792's 5730 ("unknown
/// bundle id"); clients (and Warden) take it as "not known yet" for a while after a send.
pub async fn get_calls_status(emu: &Emulator, params: Value) -> Result<Value, MethodError> {
    let id = GetCallsStatus::parse_params(params)?;
    let unknown = || MethodError::UnknownCallId { id: id.clone() };
    if id.len() != 64 || id[..32] != U256::from(emu.chain_id).to_be_bytes::<32>()[..] {
        return Err(unknown());
    }
    let hash = B256::from_slice(&id[32..]);
    // Without the state lock (see `SentOps`): an operation being sent is not sent yet.
    let sent = match emu.sent.get(&hash) {
        Some(sent) => sent,
        None => emu
            .lies
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&hash)
            .cloned()
            .ok_or_else(unknown)?,
    };
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
