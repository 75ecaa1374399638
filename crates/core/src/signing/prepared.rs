//! `verify_prepared`: check what `wallet_prepareCalls` returned before a key signs it
//! (protocol.md §5.2 step 2).
//!
//! For each user operation: recompute the userOpHash from the op itself and refuse unless
//! it is exactly the hash the server asks to be signed (`signatureRequest.data.raw`, and
//! `details.data.hash` when present); decode `callData` (execute / executeBatch, with or
//! without the executeUserOp prefix) and refuse unless it is exactly the calls that were
//! asked for, in order; check chain, sender and, when known, the executeUserOp prefix a
//! session with execution hooks needs; check its gas and fee fields against
//! [`FeeBounds`] that do not come from the endpoint. For each EIP-7702 authorization: check chain and
//! delegate and compute its digest. What comes out is the list of digests to sign, in the
//! order the server expects the signatures.
//!
//! Not handled here: `paymaster-permit` (an ERC-20 permit the gas policy needs first; it is
//! typed data unrelated to the calls and has its own approval).

use alloy_primitives::{Address, B256, Bytes, U256, eip191_hash_message};

use super::digest::{Authorization, auth_digest};
use super::fees::FeeBounds;
use super::grant::Mismatch;
use crate::api::{
    Call, PreparedAuthorization, PreparedCall, PreparedCallElement, PreparedUserOperation, SignableMessage,
    SignatureRequest, UserOperationV06, UserOperationV07,
};
use crate::error::{Coded, ErrorCode};
use crate::mav2::calls::{DecodedCalls, decode_calls};
use crate::mav2::constants::{ENTRY_POINT_V06, ENTRY_POINT_V07, SMA_7702_IMPLEMENTATION};
use crate::mav2::user_op;

/// What the prepared call must match.
#[derive(Clone, Debug)]
pub struct PreparedExpectation<'a> {
    /// The chain the calls were prepared for.
    pub chain_id: u32,
    /// The account (`from`) — the op's sender.
    pub sender: Address,
    /// The calls that were asked for, in order.
    pub calls: &'a [Call],
    /// `Some(true)` when the signing session has execution hooks (ops must go through
    /// `executeUserOp`), `Some(false)` when it has none, `None` when unknown (owner ops).
    pub execute_user_op: Option<bool>,
    /// What the endpoint may charge (`super::fees`).
    pub fees: FeeBounds,
}

/// One digest to sign, with what it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ToSign {
    /// A user operation: sign `digest` = EIP-191 of `user_op_hash`.
    UserOperation { user_op_hash: B256, digest: B256, entry_point: Address, calls: DecodedCalls },
    /// An EIP-7702 authorization: sign `digest` raw.
    Authorization { authorization: Authorization, digest: B256 },
}

impl ToSign {
    /// The digest to sign.
    pub fn digest(&self) -> B256 {
        match self {
            Self::UserOperation { digest, .. } | Self::Authorization { digest, .. } => *digest,
        }
    }
}

/// A prepared call that matches what was asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedPrepared {
    /// What to sign, in the server's order (for `array`: per element).
    pub to_sign: Vec<ToSign>,
    /// Non-fatal observations (e.g. a `rawPayload` that is not the digest).
    pub warnings: Vec<String>,
}

/// Why a prepared call must not be signed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum VerifyPreparedError {
    #[error("the prepared call does not match the request: {}", .0.iter().map(|m| format!("{} (expected {}, got {})", m.field, m.expected, m.got)).collect::<Vec<_>>().join("; "))]
    Mismatches(Vec<Mismatch>),
    #[error("a {0} prepared call cannot be verified against calls; it needs its own approval")]
    Unsupported(&'static str),
}

impl Coded for VerifyPreparedError {
    fn code(&self) -> ErrorCode {
        ErrorCode::VerificationFailed
    }
}

fn mismatch(field: impl Into<String>, expected: impl ToString, got: impl ToString) -> Mismatch {
    Mismatch { field: field.into(), expected: expected.to_string(), got: got.to_string() }
}

/// Checks `prepared` against `expect`. See the module docs.
pub fn verify_prepared(
    prepared: &PreparedCall,
    expect: &PreparedExpectation<'_>,
) -> Result<VerifiedPrepared, VerifyPreparedError> {
    let mut out = Checker { mm: Vec::new(), warnings: Vec::new(), to_sign: Vec::new(), ops: 0 };
    match prepared {
        PreparedCall::UserOperationV070(op) => out.user_op_v07("", op, expect),
        PreparedCall::UserOperationV060(op) => out.user_op_v06("", op, expect),
        PreparedCall::Authorization(a) => out.authorization("", a, expect),
        PreparedCall::Array(array) => {
            for (i, el) in array.data.iter().enumerate() {
                let at = format!("data[{i}].");
                match el {
                    PreparedCallElement::UserOperationV070(op) => out.user_op_v07(&at, op, expect),
                    PreparedCallElement::UserOperationV060(op) => out.user_op_v06(&at, op, expect),
                    PreparedCallElement::Authorization(a) => out.authorization(&at, a, expect),
                }
            }
            if let Some(crate::api::PreparedCallDetails::UserOperation { data }) = &array.details {
                let op_hash = out.to_sign.iter().find_map(|t| match t {
                    ToSign::UserOperation { user_op_hash, .. } => Some(*user_op_hash),
                    ToSign::Authorization { .. } => None,
                });
                if let Some(h) = op_hash
                    && h != data.hash
                {
                    out.mm.push(mismatch("details.data.hash", h, data.hash));
                }
            }
        }
        PreparedCall::PaymasterPermit(_) => return Err(VerifyPreparedError::Unsupported("paymaster-permit")),
    }
    // A standalone authorization (sponsored undelegation) carries no op; everything else
    // carries exactly one.
    let expected_ops = usize::from(!matches!(prepared, PreparedCall::Authorization(_)));
    if out.ops != expected_ops {
        out.mm.push(mismatch("user operations", expected_ops, out.ops));
    }
    if out.mm.is_empty() {
        Ok(VerifiedPrepared { to_sign: out.to_sign, warnings: out.warnings })
    } else {
        Err(VerifyPreparedError::Mismatches(out.mm))
    }
}

struct Checker {
    mm: Vec<Mismatch>,
    warnings: Vec<String>,
    to_sign: Vec<ToSign>,
    ops: usize,
}

impl Checker {
    fn chain(&mut self, at: &str, got: u32, expect: &PreparedExpectation<'_>) {
        if got != expect.chain_id {
            self.mm.push(mismatch(format!("{at}chainId"), expect.chain_id, got));
        }
    }

    fn user_op_v07(&mut self, at: &str, p: &PreparedUserOperation<UserOperationV07>, e: &PreparedExpectation<'_>) {
        for (field, expected, got) in e.fees.check_v07(&p.data, p.fee_payment.sponsored) {
            self.mm.push(mismatch(format!("{at}{field}"), expected, got));
        }
        match user_op::hash_v07(&p.data, ENTRY_POINT_V07, u64::from(p.chain_id)) {
            Ok(hash) => self.user_op(at, p, &p.data.sender, &p.data.call_data, hash, ENTRY_POINT_V07, e),
            Err(err) => self.mm.push(mismatch(format!("{at}data"), "a user operation that can be hashed", err)),
        }
    }

    fn user_op_v06(&mut self, at: &str, p: &PreparedUserOperation<UserOperationV06>, e: &PreparedExpectation<'_>) {
        for (field, expected, got) in e.fees.check_v06(&p.data, p.fee_payment.sponsored) {
            self.mm.push(mismatch(format!("{at}{field}"), expected, got));
        }
        let hash = user_op::hash_v06(&p.data, ENTRY_POINT_V06, u64::from(p.chain_id));
        self.user_op(at, p, &p.data.sender, &p.data.call_data, hash, ENTRY_POINT_V06, e);
    }

    #[allow(clippy::too_many_arguments)]
    fn user_op<U>(
        &mut self,
        at: &str,
        p: &PreparedUserOperation<U>,
        sender: &Address,
        call_data: &Bytes,
        hash: B256,
        entry_point: Address,
        e: &PreparedExpectation<'_>,
    ) {
        self.ops += 1;
        self.chain(at, p.chain_id, e);
        if *sender != e.sender {
            self.mm.push(mismatch(format!("{at}data.sender"), e.sender, sender));
        }
        match &p.signature_request {
            Some(SignatureRequest::PersonalSign { data: SignableMessage::Raw { raw }, raw_payload }) => {
                if raw.as_ref() != hash.as_slice() {
                    self.mm.push(mismatch(format!("{at}signatureRequest.data.raw"), hash, raw));
                }
                let digest = eip191_hash_message(hash);
                if let Some(rp) = raw_payload
                    && rp.as_ref() != digest.as_slice()
                {
                    tracing::warn!(%digest, raw_payload = %rp, "prepareCalls rawPayload is not the EIP-191 digest of the userOpHash");
                    self.warnings
                        .push(format!("rawPayload {rp} is not the EIP-191 digest {digest}; signing the digest"));
                }
                match decode_calls(call_data) {
                    Ok(decoded) => {
                        self.calls(at, &decoded, e);
                        self.to_sign.push(ToSign::UserOperation {
                            user_op_hash: hash,
                            digest,
                            entry_point,
                            calls: decoded,
                        });
                    }
                    Err(err) => {
                        self.mm.push(mismatch(format!("{at}data.callData"), "execute or executeBatch call data", err))
                    }
                }
            }
            Some(other) => {
                let got = match other {
                    SignatureRequest::PersonalSign { .. } => "personal_sign of a text message",
                    SignatureRequest::TypedData { .. } => "eth_signTypedData_v4",
                    SignatureRequest::Eip7702Auth { .. } => "eip7702Auth",
                };
                self.mm.push(mismatch(format!("{at}signatureRequest"), "personal_sign of {raw: userOpHash}", got));
            }
            None => self.mm.push(mismatch(
                format!("{at}signatureRequest"),
                "a signature request",
                "absent (an estimate-only preparation cannot be signed)",
            )),
        }
        if let Some(d) = &p.details {
            let crate::api::PreparedCallDetails::UserOperation { data } = d;
            if data.hash != hash {
                self.mm.push(mismatch(format!("{at}details.data.hash"), hash, data.hash));
            }
        }
    }

    fn calls(&mut self, at: &str, decoded: &DecodedCalls, e: &PreparedExpectation<'_>) {
        if let Some(want) = e.execute_user_op
            && want != decoded.execute_user_op
        {
            let name = |b: bool| if b { "executeUserOp-prefixed call data" } else { "plain call data" };
            self.mm.push(mismatch(format!("{at}data.callData"), name(want), name(decoded.execute_user_op)));
        }
        if decoded.calls.len() != e.calls.len() {
            self.mm.push(mismatch(
                format!("{at}calls"),
                format!("{} calls", e.calls.len()),
                format!("{} calls", decoded.calls.len()),
            ));
            return;
        }
        for (i, (want, got)) in e.calls.iter().zip(&decoded.calls).enumerate() {
            if want.to != got.to {
                self.mm.push(mismatch(format!("{at}calls[{i}].to"), want.to, got.to));
            }
            let (wv, gv) = (want.value.unwrap_or(U256::ZERO), got.value.unwrap_or(U256::ZERO));
            if wv != gv {
                self.mm.push(mismatch(format!("{at}calls[{i}].value"), wv, gv));
            }
            let (wd, gd) = (want.data.clone().unwrap_or_default(), got.data.clone().unwrap_or_default());
            if wd != gd {
                self.mm.push(mismatch(format!("{at}calls[{i}].data"), wd, gd));
            }
        }
    }

    fn authorization(&mut self, at: &str, a: &PreparedAuthorization, e: &PreparedExpectation<'_>) {
        self.chain(at, a.chain_id, e);
        // Only ever delegate to the MAv2 implementation. Warden asks for no undelegation, so
        // an authorization to the zero address (which would strip the account's code) is a
        // mismatch like any other address.
        if a.data.address != SMA_7702_IMPLEMENTATION {
            self.mm.push(mismatch(format!("{at}data.address"), SMA_7702_IMPLEMENTATION, a.data.address));
        }
        let authorization =
            Authorization { chain_id: u64::from(a.chain_id), address: a.data.address, nonce: u64::from(a.data.nonce) };
        let digest = auth_digest(&authorization);
        if let SignatureRequest::Eip7702Auth { raw_payload } = &a.signature_request
            && raw_payload.as_ref() != digest.as_slice()
        {
            tracing::warn!(%digest, raw_payload = %raw_payload, "eip7702Auth rawPayload is not the authorization digest");
            self.warnings
                .push(format!("rawPayload {raw_payload} is not the authorization digest {digest}; signing the digest"));
        }
        self.to_sign.push(ToSign::Authorization { authorization, digest });
    }
}
