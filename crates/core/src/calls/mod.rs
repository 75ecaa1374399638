//! The one pipeline every signed call goes through, for owner and session signers alike
//! (protocol.md §5.2):
//!
//! 1. `wallet_prepareCalls` with the params the caller built (for a session: the
//!    `permissions` capability from its credentials);
//! 2. [`verify_prepared`] against what was asked — calls, account, chain — plus the nonce's
//!    validation locator (the owner signs only owner-validated operations, a session key
//!    only operations of its own entity) and the `executeUserOp` prefix a session with
//!    execution hooks needs;
//! 3. signing of the recomputed digests with any [`DigestSigner`] ([`sign_request`]);
//! 4. `wallet_sendPreparedCalls`, exactly once: a send that fails in transit is reported
//!    as [`CallsError::OutcomeUnknown`], never repeated;
//! 5. optionally, `wallet_getCallsStatus` polled with backoff ([`WaitPolicy`]) until a final
//!    status: 2xx is success, every other final status a [`CallsError::Failed`] carrying the
//!    receipts and the revert reason.
//!
//! Each step is reported to a [`ProgressSink`]. Endpoint refusals are classified
//! ([`CallsError`]): permission (with the limit named), expiry, revocation, unknown session,
//! refused signature, nonce conflict, bad input.
//!
//! Left out: `paymaster-permit` prepared calls (ERC-20 gas payment needs its own approval),
//! and nonce coordination between concurrent senders, which is `crate::session`'s job.

mod error;
mod outcome;
mod progress;

use std::time::Instant;

use alloy_primitives::{Address, B256, Bytes, U256};
use serde_json::Value;

pub use error::{CallsError, Stage};
pub use outcome::CallOutcome;
pub use progress::{NoProgress, Progress, ProgressSink, WaitPolicy};

use crate::api::{
    Call, CallKind, CallStatus, EcdsaSigData, GasPolicy, GetCallsStatus, PaymasterService, PermissionsCapability,
    PrepareCalls, PrepareCallsCapabilities, PrepareCallsParams, PreparedCall, PreparedCallElement, RpcMethod,
    SendDetails, SendPaymasterService, SendPreparedCalls, SendPreparedCallsCapabilities, SendPreparedCallsParams,
    SignatureObject, SignatureRequest, SignatureType, SignedPreparedCall, UuidV4,
};
use crate::mav2::nonce::NonceParts;
use crate::rpc::{RpcClient, RpcError};
use crate::signing::{
    DigestSigner, FeeBounds, Mismatch, PreparedExpectation, ToSign, VerifiedPrepared, VerifyPreparedError,
    request_digest, sign_request, verify_prepared,
};

/// Whose validation the prepared operation must use: checked in its nonce (protocol.md §6.1)
/// before anything is signed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Validation {
    /// The account owner: entity 0, global validation.
    Owner,
    /// A session key.
    Session {
        /// The session's entity id, when the credentials carry the grant data.
        entity_id: Option<u32>,
        /// A root session validates globally.
        root: bool,
        /// The session has execution hooks: the call data must go through `executeUserOp`.
        execute_user_op: bool,
    },
}

/// Calls to prepare, sign and send: the `wallet_prepareCalls` params and whose key signs.
#[derive(Clone, Debug, PartialEq)]
pub struct CallRequest {
    pub params: PrepareCallsParams,
    pub validation: Validation,
    /// When the params ask a gas policy to sponsor the calls: whether the person agreed to
    /// pay from the account if the policy declines. Without it, an unsponsored answer is
    /// refused before anything is signed ([`CallsError::NotSponsored`]).
    pub allow_unsponsored: bool,
    /// The most the prepared operation may cost in gas, in wei (default
    /// [`crate::signing::fees::DEFAULT_MAX_COST_WEI`]); never taken from the endpoint.
    pub max_fee: Option<U256>,
}

impl CallRequest {
    /// Owner-signed calls from `account` on `chain_id`, with optional gas sponsorship.
    pub fn owner(account: Address, chain_id: u32, calls: Vec<Call>, policy: Option<UuidV4>) -> Self {
        let capabilities = policy.map(|id| PrepareCallsCapabilities {
            paymaster_service: Some(sponsorship(id)),
            ..PrepareCallsCapabilities::default()
        });
        Self {
            params: PrepareCallsParams {
                calls: Some(calls),
                from: account,
                chain_id,
                capabilities,
                paymaster_permit_signature: None,
            },
            validation: Validation::Owner,
            allow_unsponsored: false,
            max_fee: None,
        }
    }

    /// The same request with another fee ceiling (`None`: the default).
    pub fn with_max_fee(mut self, max_fee: Option<U256>) -> Self {
        self.max_fee = max_fee;
        self
    }

    /// The fee bounds the prepared operation is checked against.
    pub fn fee_bounds(&self) -> FeeBounds {
        let bounds = FeeBounds { sponsorship_asked: self.policy().is_some(), ..FeeBounds::default() };
        match self.max_fee {
            Some(max) => bounds.with_max_cost(max),
            None => bounds,
        }
    }

    /// The same request, paying from the account if the gas policy declines.
    pub fn allowing_unsponsored(mut self, allow: bool) -> Self {
        self.allow_unsponsored = allow;
        self
    }

    /// The gas policy the calls ask to be sponsored by, if any.
    pub fn policy(&self) -> Option<&GasPolicy> {
        self.params.capabilities.as_ref()?.paymaster_service.as_ref().map(|p| &p.policy)
    }

    /// The calls asked for (none when absent).
    pub fn calls(&self) -> &[Call] {
        self.params.calls.as_deref().unwrap_or_default()
    }

    fn expectation(&self) -> PreparedExpectation<'_> {
        PreparedExpectation {
            chain_id: self.params.chain_id,
            sender: self.params.from,
            calls: self.calls(),
            execute_user_op: match self.validation {
                Validation::Owner => None,
                Validation::Session { execute_user_op, .. } => Some(execute_user_op),
            },
            fees: self.fee_bounds(),
        }
    }

    /// The capabilities the send step repeats: `permissions` and the gas policy.
    fn send_capabilities(&self) -> Option<SendPreparedCallsCapabilities> {
        let caps = self.params.capabilities.as_ref()?;
        let permissions: Option<PermissionsCapability> = caps.permissions.clone();
        let paymaster_service = caps
            .paymaster_service
            .as_ref()
            .map(|p| SendPaymasterService { policy: p.policy.clone(), webhook_data: p.webhook_data.clone() });
        (permissions.is_some() || paymaster_service.is_some())
            .then_some(SendPreparedCallsCapabilities { permissions, paymaster_service })
    }
}

/// The `paymasterService` capability for one gas-manager policy.
pub fn sponsorship(policy_id: UuidV4) -> PaymasterService {
    PaymasterService { policy: GasPolicy::Single(policy_id), only_estimation: None, webhook_data: None, erc20: None }
}

/// A signed operation the endpoint accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sent {
    /// The id for `wallet_getCallsStatus`.
    pub call_id: Bytes,
    /// The user operation's hash, when the endpoint reports it.
    pub user_op_hash: Option<B256>,
}

impl Sent {
    /// The outcome as far as known without asking: accepted, pending.
    pub fn pending_outcome(&self) -> CallOutcome {
        CallOutcome {
            call_id: self.call_id.clone(),
            status: CallStatus::PENDING,
            user_op_hash: self.user_op_hash,
            transaction_hashes: Vec::new(),
            receipts: Vec::new(),
            revert_reason: None,
        }
    }
}

/// Prepares, verifies, signs and sends `request`, then (with `wait`) waits for a final
/// status. `Ok` only for a successful call (status 2xx), or for an accepted one when not
/// waiting (status 100).
pub async fn send_calls(
    rpc: &RpcClient,
    signer: &(dyn DigestSigner + Sync),
    request: &CallRequest,
    wait: Option<&WaitPolicy>,
    progress: &dyn ProgressSink,
) -> Result<CallOutcome, CallsError> {
    let sent = prepare_and_send(rpc, signer, request, progress).await?;
    match wait {
        Some(policy) => wait_for(rpc, &sent.call_id, policy, progress).await,
        None => Ok(sent.pending_outcome()),
    }
}

/// Steps 1–4: prepare, verify, sign, send (once).
pub async fn prepare_and_send(
    rpc: &RpcClient,
    signer: &(dyn DigestSigner + Sync),
    request: &CallRequest,
    progress: &dyn ProgressSink,
) -> Result<Sent, CallsError> {
    let verified = prepare(rpc, request, progress).await?;
    sign_and_send(rpc, signer, request, verified, progress).await
}

/// A prepared call that passed verification: safe to sign.
#[derive(Clone, Debug)]
pub struct Verified {
    prepared: PreparedCall,
    verified: VerifiedPrepared,
}

impl Verified {
    /// The user operation's hash.
    pub fn user_op_hash(&self) -> Option<B256> {
        self.verified.to_sign.iter().find_map(|t| match t {
            ToSign::UserOperation { user_op_hash, .. } => Some(*user_op_hash),
            ToSign::Authorization { .. } => None,
        })
    }

    /// The EntryPoint nonce of the (v0.7) user operation the endpoint chose.
    pub fn nonce(&self) -> Option<U256> {
        v07_nonces(&self.prepared).first().map(|(_, n)| *n)
    }

    /// The most the prepared operations can cost in gas, in wei, and whether the answer
    /// says a gas policy pays for all of them.
    pub fn fee(&self) -> (U256, bool) {
        let ops = user_operations(&self.prepared);
        let cost = ops.iter().map(|(_, c)| *c).fold(U256::ZERO, U256::saturating_add);
        (cost, !ops.is_empty() && ops.iter().all(|(s, _)| *s))
    }

    /// What will be signed, each item with the digest recomputed from the prepared data.
    pub fn to_sign(&self) -> &[ToSign] {
        &self.verified.to_sign
    }

    /// Non-fatal observations from verification (e.g. a `rawPayload` that is not the digest).
    pub fn warnings(&self) -> &[String] {
        &self.verified.warnings
    }
}

/// Steps 1–2: `wallet_prepareCalls`, then verification against `request`.
pub async fn prepare(
    rpc: &RpcClient,
    request: &CallRequest,
    progress: &dyn ProgressSink,
) -> Result<Verified, CallsError> {
    progress.report(Progress::Preparing);
    let prepared = rpc.call::<PrepareCalls>(&request.params).await.map_err(|e| prepare_error(request, e))?;
    progress.report(Progress::Verifying);
    let verified = verify_prepared(&prepared, &request.expectation())?;
    check_validation(&prepared, &request.validation)?;
    check_sponsorship(&prepared, request)?;
    Ok(Verified { prepared, verified })
}

/// Classifies a refused `wallet_prepareCalls`. The endpoint chose the nonce itself, so a
/// nonce the EntryPoint refuses (AA25) is no race with another sender: for a session it is
/// the nonce its grant signed, consumed because the owner cancelled the grant.
fn prepare_error(request: &CallRequest, e: RpcError) -> CallsError {
    match CallsError::from_endpoint(Stage::Prepare, e) {
        CallsError::NonceConflict { stage, message } if matches!(request.validation, Validation::Session { .. }) => {
            CallsError::SessionRevoked {
                stage,
                message: format!(
                    "{message} (the nonce the session's grant signed was consumed: the owner cancelled it)"
                ),
            }
        }
        other => other,
    }
}

/// Refuses an operation a gas policy was asked to sponsor and did not (its `feePayment`
/// says so), unless the request allows paying from the account.
fn check_sponsorship(prepared: &PreparedCall, request: &CallRequest) -> Result<(), CallsError> {
    let Some(policy) = request.policy() else { return Ok(()) };
    if request.allow_unsponsored {
        return Ok(());
    }
    let unsponsored_cost = user_operations(prepared)
        .into_iter()
        .filter(|(sponsored, _)| !sponsored)
        .map(|(_, cost)| cost)
        .reduce(U256::saturating_add);
    match unsponsored_cost {
        None => Ok(()),
        Some(max_cost) => Err(CallsError::NotSponsored { policy: policy.to_string(), max_cost }),
    }
}

/// Each user operation's `feePayment.sponsored` and maximum gas cost (v0.7; a v0.6
/// operation counts as unsponsored with an unknown cost of zero).
fn user_operations(prepared: &PreparedCall) -> Vec<(bool, U256)> {
    match prepared {
        PreparedCall::UserOperationV070(op) => vec![(op.fee_payment.sponsored, op.data.max_gas_cost())],
        PreparedCall::UserOperationV060(op) => vec![(op.fee_payment.sponsored, U256::ZERO)],
        PreparedCall::Array(array) => array
            .data
            .iter()
            .filter_map(|el| match el {
                PreparedCallElement::UserOperationV070(op) => Some((op.fee_payment.sponsored, op.data.max_gas_cost())),
                PreparedCallElement::UserOperationV060(op) => Some((op.fee_payment.sponsored, U256::ZERO)),
                PreparedCallElement::Authorization(_) => None,
            })
            .collect(),
        PreparedCall::Authorization(_) | PreparedCall::PaymasterPermit(_) => Vec::new(),
    }
}

/// Steps 3–4: sign what was verified, and send it once with the capabilities of `request`.
pub async fn sign_and_send(
    rpc: &RpcClient,
    signer: &(dyn DigestSigner + Sync),
    request: &CallRequest,
    verified: Verified,
    progress: &dyn ProgressSink,
) -> Result<Sent, CallsError> {
    progress.report(Progress::Signing);
    let user_op_hash = verified.user_op_hash();
    let signed = sign_prepared(verified.prepared, &verified.verified, signer)?;

    progress.report(Progress::Sending);
    let params = SendPreparedCallsParams { call: signed, capabilities: request.send_capabilities(), call_id: None };
    let result = rpc.call::<SendPreparedCalls>(&params).await.map_err(|e| {
        if outcome_unknown(&e) {
            CallsError::OutcomeUnknown {
                user_op_hash: user_op_hash.map_or_else(|| "(none)".to_owned(), |h| h.to_string()),
                source: Box::new(e),
            }
        } else {
            CallsError::from_endpoint(Stage::Send, e)
        }
    })?;
    let reported = match &result.details {
        SendDetails::UserOperation { data } => Some(data.hash),
        SendDetails::Delegation => None,
    };
    if let (Some(ours), Some(theirs)) = (user_op_hash, reported)
        && ours != theirs
    {
        tracing::warn!(%ours, %theirs, "wallet_sendPreparedCalls reports another user operation hash than the one signed");
    }
    progress.report(Progress::Sent { call_id: result.id.clone() });
    Ok(Sent { call_id: result.id, user_op_hash: user_op_hash.or(reported) })
}

/// The call id of the user operation `user_op_hash` on `chain_id` in the form the official
/// examples build it: the chain id as 32 big-endian bytes, then the hash (protocol.md §6.8).
/// Endpoints may treat ids as opaque; this is for asking after an operation whose send
/// answer was lost or refused.
pub fn call_id_for(chain_id: u32, user_op_hash: B256) -> Bytes {
    let mut id = U256::from(chain_id).to_be_bytes::<32>().to_vec();
    id.extend_from_slice(user_op_hash.as_slice());
    id.into()
}

/// Whether a failed send may nonetheless have reached the endpoint.
fn outcome_unknown(e: &RpcError) -> bool {
    match e {
        RpcError::Timeout { .. }
        | RpcError::Transport { .. }
        | RpcError::TooLarge { .. }
        | RpcError::BadResponse { .. }
        | RpcError::Decode { .. } => true,
        RpcError::Http { status, .. } => matches!(status, 408 | 500..=599),
        _ => false,
    }
}

/// One `wallet_getCallsStatus` read, whatever the status.
pub async fn status(rpc: &RpcClient, call_id: &Bytes) -> Result<CallOutcome, CallsError> {
    let raw: Value = rpc
        .request(GetCallsStatus::NAME, [call_id], CallKind::Read)
        .await
        .map_err(|e| status_error(rpc, call_id, e))?;
    CallOutcome::parse(raw).map_err(|e| CallsError::Endpoint {
        stage: Stage::Status,
        source: Box::new(RpcError::Decode {
            method: GetCallsStatus::NAME.to_owned(),
            host: rpc.endpoint().host().to_owned(),
            reason: e.to_string(),
        }),
    })
}

fn status_error(rpc: &RpcClient, call_id: &Bytes, e: RpcError) -> CallsError {
    if error::is_unknown_call_id(&e) {
        let message = match &e {
            RpcError::Rpc { message, .. } => message.clone(),
            _ => e.to_string(),
        };
        tracing::debug!(host = rpc.endpoint().host(), %call_id, "unknown call id");
        CallsError::UnknownCallId { call_id: call_id.clone(), message }
    } else {
        CallsError::from_endpoint(Stage::Status, e)
    }
}

/// Polls the status of `call_id` until it is final or `policy.timeout` passes. `Ok` for a
/// success (2xx), [`CallsError::Failed`] for any other final status.
///
/// An endpoint may not know a call id for a while after accepting it: an "unknown call id"
/// answer, in any form, is taken as pending until `policy.unknown_id_grace` has passed
/// since waiting started (right after the send, for a call this process sent).
pub async fn wait_for(
    rpc: &RpcClient,
    call_id: &Bytes,
    policy: &WaitPolicy,
    progress: &dyn ProgressSink,
) -> Result<CallOutcome, CallsError> {
    let started = Instant::now();
    let mut last = CallStatus::PENDING;
    let mut polls = 0u32;
    loop {
        polls += 1;
        match status(rpc, call_id).await {
            Ok(outcome) if outcome.status.is_terminal() => {
                progress.report(Progress::Done { status: outcome.status });
                return if outcome.status.is_success() {
                    Ok(outcome)
                } else {
                    Err(CallsError::Failed { outcome: Box::new(outcome) })
                };
            }
            Ok(outcome) => last = outcome.status,
            Err(CallsError::UnknownCallId { .. }) if started.elapsed() < policy.unknown_id_grace => {}
            Err(e) => return Err(e),
        }
        progress.report(Progress::Waiting { status: last, polls });
        let delay = policy.delay_after(polls);
        if started.elapsed() + delay > policy.timeout {
            return Err(CallsError::Timeout { call_id: call_id.clone(), last_status: last, waited: started.elapsed() });
        }
        tokio::time::sleep(delay).await;
    }
}

/// The nonces of the prepared user operations (v0.7 only: the MAv2 layout).
fn v07_nonces(prepared: &PreparedCall) -> Vec<(String, U256)> {
    match prepared {
        PreparedCall::UserOperationV070(op) => vec![("data.nonce".to_owned(), op.data.nonce)],
        PreparedCall::Array(array) => array
            .data
            .iter()
            .enumerate()
            .filter_map(|(i, el)| match el {
                PreparedCallElement::UserOperationV070(op) => Some((format!("data[{i}].data.nonce"), op.data.nonce)),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Checks each operation's validation locator against whose key will sign it.
fn check_validation(prepared: &PreparedCall, validation: &Validation) -> Result<(), VerifyPreparedError> {
    let mut mismatches = Vec::new();
    for (field, nonce) in v07_nonces(prepared) {
        let parts = NonceParts::from_nonce(nonce);
        let got = format!("entity {}{}", parts.entity_id, if parts.is_global() { ", global" } else { "" });
        let (ok, expected) = match *validation {
            Validation::Owner => (parts.entity_id == 0 && parts.is_global(), "entity 0, global (the owner)".to_owned()),
            Validation::Session { entity_id: Some(e), root, .. } => (
                parts.entity_id == e && parts.is_global() == root,
                format!("entity {e}{} (the session)", if root { ", global" } else { "" }),
            ),
            Validation::Session { entity_id: None, root, .. } => (
                parts.entity_id != 0 && parts.is_global() == root,
                format!("a session entity (not 0){}", if root { ", global" } else { "" }),
            ),
        };
        if !ok {
            mismatches.push(Mismatch { field, expected, got });
        }
    }
    if mismatches.is_empty() { Ok(()) } else { Err(VerifyPreparedError::Mismatches(mismatches)) }
}

/// Signs each verified digest through its signature request and returns the signed call.
fn sign_prepared(
    prepared: PreparedCall,
    verified: &VerifiedPrepared,
    signer: &(dyn DigestSigner + Sync),
) -> Result<SignedPreparedCall, CallsError> {
    let mut to_sign = verified.to_sign.iter();
    let mut sign_next = |request: Option<&SignatureRequest>| -> Result<SignatureObject, CallsError> {
        let item = to_sign.next().ok_or(VerifyPreparedError::Unsupported("prepared call with unverified parts"))?;
        let request = request.ok_or(VerifyPreparedError::Unsupported("prepared call without a signature request"))?;
        let auth = match item {
            ToSign::Authorization { authorization, .. } => Some(authorization),
            ToSign::UserOperation { .. } => None,
        };
        // The request's digest must be the verified one before the key is asked to sign.
        let digest = request_digest(request, auth)?;
        if digest != item.digest() {
            return Err(VerifyPreparedError::Mismatches(vec![Mismatch {
                field: "signatureRequest".into(),
                expected: item.digest().to_string(),
                got: digest.to_string(),
            }])
            .into());
        }
        let signed = sign_request(signer, request, auth)?;
        Ok(SignatureObject { ty: SignatureType::Secp256k1, data: EcdsaSigData::Hex(signed.signature) })
    };
    Ok(match prepared {
        PreparedCall::UserOperationV070(op) => {
            let sig = sign_next(op.signature_request.as_ref())?;
            SignedPreparedCall::UserOperationV070(op.into_signed(sig))
        }
        PreparedCall::UserOperationV060(op) => {
            let sig = sign_next(op.signature_request.as_ref())?;
            SignedPreparedCall::UserOperationV060(op.into_signed(sig))
        }
        PreparedCall::Authorization(a) => {
            let sig = sign_next(Some(&a.signature_request))?;
            SignedPreparedCall::Authorization(a.into_signed(sig))
        }
        PreparedCall::Array(array) => SignedPreparedCall::Array(array.into_signed(|el| match el {
            PreparedCallElement::UserOperationV070(op) => sign_next(op.signature_request.as_ref()),
            PreparedCallElement::UserOperationV060(op) => sign_next(op.signature_request.as_ref()),
            PreparedCallElement::Authorization(a) => sign_next(Some(&a.signature_request)),
        })?),
        PreparedCall::PaymasterPermit(_) => return Err(VerifyPreparedError::Unsupported("paymaster-permit").into()),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::mav2::nonce::{nonce_from_key, owner_key, session_first_use_key, session_installed_key};

    fn op_with_nonce(nonce: U256) -> PreparedCall {
        let v = serde_json::json!({
            "type": "user-operation-v070",
            "data": {
                "sender": "0x0000000000000000000000000000000000000001", "nonce": format!("{nonce:#x}"),
                "callData": "0x", "callGasLimit": "0x1", "verificationGasLimit": "0x1",
                "preVerificationGas": "0x1", "maxFeePerGas": "0x1", "maxPriorityFeePerGas": "0x1"
            },
            "chainId": "0x1",
            "feePayment": {"sponsored": false, "tokenAddress": "0x0000000000000000000000000000000000000000", "maxAmount": "0x0"}
        });
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn the_nonce_must_name_the_signing_validation() {
        let owner = op_with_nonce(nonce_from_key(owner_key(), 3));
        let first = op_with_nonce(nonce_from_key(session_first_use_key(U256::ZERO, 7, false), 0));
        let later = op_with_nonce(nonce_from_key(session_installed_key(U256::from(5), 7, false), 2));
        let session = |entity_id| Validation::Session { entity_id, root: false, execute_user_op: true };
        assert!(check_validation(&owner, &Validation::Owner).is_ok());
        assert!(check_validation(&first, &session(Some(7))).is_ok());
        assert!(check_validation(&later, &session(Some(7))).is_ok());
        assert!(check_validation(&later, &session(None)).is_ok());
        // A session key must not sign an owner-validated operation, nor another entity's.
        let e = check_validation(&owner, &session(None)).unwrap_err();
        assert!(e.to_string().contains("data.nonce"), "{e}");
        assert!(check_validation(&first, &session(Some(8))).is_err());
        assert!(check_validation(&first, &Validation::Owner).is_err());
        let root = Validation::Session { entity_id: Some(7), root: true, execute_user_op: false };
        assert!(check_validation(&first, &root).is_err());
    }
}
