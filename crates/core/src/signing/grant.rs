//! `verify_grant`: check a `wallet_createSession` result against the request before the
//! owner signs anything (protocol.md §5.1 step 2, §5.4).
//!
//! The server returns DeferredAction typed data whose `call` installs the session. Warden
//! checks every field it can against what was asked — domain, primary type, type layout,
//! deadline, nonce flags, account, chain, session key, entity, each permission — and
//! computes the digest itself. The result is either a [`VerifiedGrant`] (the decoded grant,
//! its digest and risk flags) or the list of field-level [`Mismatch`]es; a grant with any
//! mismatch must not be signed. `rawPayload` is not trusted: a difference is a warning.
//!
//! Accepted freely: any parallel nonce key and sequence (the server picks them). Required:
//! the nonce's entity id, deferred flag and global flag match the install call.

use std::collections::HashMap;

use alloy_primitives::{Address, B256, Bytes, U256};
use serde::Serialize;
use serde_json::Value;

use crate::api::{CreateSessionParams, CreateSessionResult, KeyType, SignatureRequest, TypedDataDefinition};
use crate::error::{Coded, ErrorCode};
use crate::mav2::deferred::DeferredAction;
use crate::mav2::install::{SessionGrant, decode_install_call};
use crate::mav2::nonce::NonceParts;
use crate::permissions::{self, Description, GrantLimits, Permission, PermissionError};
use crate::wire;

/// One field where the server's answer differs from the request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Mismatch {
    /// Dotted path of the field, e.g. `domain.verifyingContract`, `permissions[1]`.
    pub field: String,
    pub expected: String,
    pub got: String,
}

impl Mismatch {
    fn new(field: impl Into<String>, expected: impl ToString, got: impl ToString) -> Self {
        Self { field: field.into(), expected: expected.to_string(), got: got.to_string() }
    }
}

/// Why a grant cannot be signed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum VerifyGrantError {
    /// The request itself breaks a permission rule.
    #[error("the request is invalid: {0}")]
    InvalidRequest(#[from] PermissionError),
    /// The server's answer differs from the request.
    #[error("the grant does not match the request: {}", summary(.0))]
    Mismatches(Vec<Mismatch>),
}

fn summary(m: &[Mismatch]) -> String {
    m.iter().map(|m| format!("{} (expected {}, got {})", m.field, m.expected, m.got)).collect::<Vec<_>>().join("; ")
}

impl Coded for VerifyGrantError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::InvalidRequest(_) => ErrorCode::InvalidPermissions,
            Self::Mismatches(_) => ErrorCode::VerificationFailed,
        }
    }
}

/// A grant that matches its request, ready to show and sign.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedGrant {
    pub account: Address,
    pub chain_id: u32,
    pub session_id: Bytes,
    pub session_key: Address,
    pub key_type: KeyType,
    pub entity_id: u32,
    pub expiry_sec: u64,
    /// The full 256-bit nonce of the session's first op.
    pub nonce: U256,
    /// The `installValidation` call.
    pub call: Bytes,
    /// The request's permissions (wire form, request order).
    pub permissions: Vec<Permission>,
    pub has_exec_hooks: bool,
    pub is_root: bool,
    /// The EIP-712 digest the owner signs, recomputed here.
    pub digest: B256,
    /// The typed data, as received.
    pub typed_data: TypedDataDefinition,
    /// The grant in words, with risk flags.
    pub description: Description,
    /// Non-fatal observations (e.g. a `rawPayload` that is not the digest).
    pub warnings: Vec<String>,
}

impl VerifiedGrant {
    /// The DeferredAction the digest covers.
    pub fn deferred_action(&self) -> DeferredAction {
        DeferredAction {
            chain_id: u64::from(self.chain_id),
            account: self.account,
            nonce: self.nonce,
            deadline: self.expiry_sec,
            call: self.call.clone(),
        }
    }
}

/// Reads an integer typed-data field given as a JSON number, decimal or hex string.
fn json_uint(v: &Value) -> Option<U256> {
    match v {
        Value::Number(n) => n.as_u64().map(U256::from),
        Value::String(s) => wire::parse_dec_or_hex_u256(s).ok(),
        _ => None,
    }
}

fn short(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Checks `result` against `request` at time `now` (unix seconds). See the module docs.
pub fn verify_grant(
    request: &CreateSessionParams,
    result: &CreateSessionResult,
    now: u64,
) -> Result<VerifiedGrant, VerifyGrantError> {
    let mut mm = Vec::new();
    let mut warnings = Vec::new();
    let expiry = request.expiry_sec.unwrap_or(0);
    let chain = u64::from(request.chain_id);

    if result.chain_id != request.chain_id {
        mm.push(Mismatch::new(
            "chainId",
            wire::to_hex(U256::from(request.chain_id)),
            wire::to_hex(U256::from(result.chain_id)),
        ));
    }
    if result.session_id.len() != 16 {
        mm.push(Mismatch::new("sessionId", "16 bytes", format!("{} bytes", result.session_id.len())));
    }
    let (data, raw_payload) = match &result.signature_request {
        SignatureRequest::TypedData { data, raw_payload } => (data, raw_payload.as_ref()),
        other => {
            let got = match other {
                SignatureRequest::PersonalSign { .. } => "personal_sign",
                _ => "eip7702Auth",
            };
            mm.push(Mismatch::new("signatureRequest.type", "eth_signTypedData_v4", got));
            return Err(VerifyGrantError::Mismatches(mm));
        }
    };

    // Typed data structure.
    if data.primary_type != "DeferredAction" {
        mm.push(Mismatch::new("primaryType", "DeferredAction", &data.primary_type));
    }
    let expected_fields = serde_json::json!([
        {"name": "nonce", "type": "uint256"},
        {"name": "deadline", "type": "uint48"},
        {"name": "call", "type": "bytes"}
    ]);
    let expected_domain_fields = serde_json::json!([
        {"name": "chainId", "type": "uint256"},
        {"name": "verifyingContract", "type": "address"}
    ]);
    for (name, fields) in &data.types {
        match name.as_str() {
            "DeferredAction" if *fields == expected_fields => {}
            "EIP712Domain" if *fields == expected_domain_fields => {}
            "DeferredAction" | "EIP712Domain" => {
                let exp = if name == "DeferredAction" { &expected_fields } else { &expected_domain_fields };
                mm.push(Mismatch::new(format!("types.{name}"), exp, fields));
            }
            other => mm.push(Mismatch::new(format!("types.{other}"), "absent", fields)),
        }
    }
    if !data.types.contains_key("DeferredAction") {
        mm.push(Mismatch::new("types.DeferredAction", &expected_fields, "absent"));
    }

    // Domain.
    let domain = data.domain.clone().unwrap_or_default();
    if domain.chain_id != Some(chain) {
        mm.push(Mismatch::new("domain.chainId", chain, domain.chain_id.map_or("absent".into(), |c| c.to_string())));
    }
    if domain.verifying_contract != Some(request.account) {
        mm.push(Mismatch::new(
            "domain.verifyingContract",
            request.account,
            domain.verifying_contract.map_or("absent".into(), |a| a.to_string()),
        ));
    }
    if let Some(n) = &domain.name {
        mm.push(Mismatch::new("domain.name", "absent", n));
    }
    if let Some(v) = &domain.version {
        mm.push(Mismatch::new("domain.version", "absent", v));
    }
    if let Some(s) = &domain.salt {
        mm.push(Mismatch::new("domain.salt", "absent", s));
    }

    // Message.
    for key in data.message.keys() {
        if !matches!(key.as_str(), "nonce" | "deadline" | "call") {
            mm.push(Mismatch::new(format!("message.{key}"), "absent", short(&data.message[key])));
        }
    }
    let nonce = data.message.get("nonce").and_then(json_uint);
    let deadline = data.message.get("deadline").and_then(json_uint);
    let call = data.message.get("call").and_then(Value::as_str).and_then(|s| s.parse::<Bytes>().ok());
    let present = [("nonce", nonce.is_some()), ("deadline", deadline.is_some()), ("call", call.is_some())];
    let (Some(nonce), Some(deadline), Some(call)) = (nonce, deadline, call) else {
        for (k, ok) in present {
            if !ok {
                let got = data.message.get(k).map_or("absent".into(), short);
                mm.push(Mismatch::new(format!("message.{k}"), "a value of the declared type", got));
            }
        }
        return Err(VerifyGrantError::Mismatches(mm));
    };
    if deadline != U256::from(expiry) {
        mm.push(Mismatch::new("message.deadline", expiry, deadline));
    } else if expiry != 0 && expiry <= now {
        mm.push(Mismatch::new("message.deadline", format!("after now ({now})"), expiry));
    }

    // The install call.
    let grant: SessionGrant = match decode_install_call(&call) {
        Ok(g) => g,
        Err(e) => {
            mm.push(Mismatch::new("message.call", "an installValidation call Warden can explain", e));
            return Err(VerifyGrantError::Mismatches(mm));
        }
    };
    if grant.session_key != request.key.public_key {
        mm.push(Mismatch::new("sessionKey", request.key.public_key, grant.session_key));
    }
    if grant.expiry_sec != expiry {
        mm.push(Mismatch::new("expirySec", expiry, grant.expiry_sec));
    }

    let parts = NonceParts::from_nonce(nonce);
    if parts.entity_id != grant.entity_id {
        mm.push(Mismatch::new("message.nonce.entityId", grant.entity_id, parts.entity_id));
    }
    if !parts.is_deferred() {
        mm.push(Mismatch::new("message.nonce.deferred", true, false));
    }
    if parts.is_global() != grant.is_root() {
        mm.push(Mismatch::new("message.nonce.global", grant.is_root(), parts.is_global()));
    }

    // The request's own rules, with the entity and parallel key the server chose.
    let limits = GrantLimits {
        expiry_sec: expiry,
        now: 0,
        entity_id: u64::from(grant.entity_id),
        parallel_nonce_key: parts.parallel_key,
    };
    let expected_set = permissions::validate_grant(&request.permissions, request.account, limits)?;

    // Permissions: compare canonical decoded forms so the mismatch names the permission.
    let expected_call = crate::mav2::install::encode_install_call(
        grant.entity_id,
        request.key.public_key,
        expiry,
        expected_set.permissions(),
    );
    if expected_call != call {
        let expected = decode_install_call(&expected_call).map(|g| g.wire_permissions()).unwrap_or_default();
        let got = grant.wire_permissions();
        let n = expected.len().max(got.len());
        let mut named = false;
        for i in 0..n {
            let e = expected.get(i).map(|p| serde_json::to_string(p).unwrap_or_default());
            let g = got.get(i).map(|p| serde_json::to_string(p).unwrap_or_default());
            if e != g {
                named = true;
                mm.push(Mismatch::new(
                    format!("permissions[{i}]"),
                    e.unwrap_or_else(|| "absent".into()),
                    g.unwrap_or_else(|| "absent".into()),
                ));
            }
        }
        if !named && mm.is_empty() {
            mm.push(Mismatch::new("message.call", expected_call, &call));
        }
    }

    if !mm.is_empty() {
        return Err(VerifyGrantError::Mismatches(mm));
    }

    let action = DeferredAction { chain_id: chain, account: request.account, nonce, deadline: expiry, call };
    let digest = action.digest();
    if let Some(raw) = raw_payload
        && raw.as_ref() != digest.as_slice()
    {
        tracing::warn!(%digest, raw_payload = %raw, "createSession rawPayload is not the EIP-712 digest of its data");
        warnings
            .push(format!("rawPayload {raw} is not the EIP-712 digest {digest} of the typed data; signing the digest"));
    }
    let description = permissions::describe(
        &request.permissions,
        expiry,
        now,
        crate::chains::native_currency(request.chain_id),
        &HashMap::new(),
    );
    Ok(VerifiedGrant {
        account: request.account,
        chain_id: request.chain_id,
        session_id: result.session_id.clone(),
        session_key: grant.session_key,
        key_type: request.key.ty,
        entity_id: grant.entity_id,
        expiry_sec: expiry,
        nonce,
        call: action.call,
        permissions: request.permissions.clone(),
        has_exec_hooks: grant.has_exec_hooks(),
        is_root: grant.is_root(),
        digest,
        typed_data: data.clone(),
        description,
        warnings,
    })
}
