//! Digests of the three signature request types (protocol.md §3.4, §5.3), always recomputed from
//! `data`, and signing of them.
//!
//! * `personal_sign`: EIP-191 over the UTF-8 text (never hex-decoded) or the raw bytes.
//! * `eth_signTypedData_v4`: the EIP-712 digest, through alloy's `TypedData` (integers in
//!   the message may be JSON numbers, decimal or hex strings; a missing `EIP712Domain`
//!   type is derived from the domain's fields).
//! * `eip7702Auth`: keccak256(0x05 ‖ rlp([chainId, address, nonce])), with the tuple from
//!   the enclosing prepared call.

use alloy_dyn_abi::TypedData;
use alloy_primitives::{Address, B256, Bytes, U256, eip191_hash_message, keccak256};
use alloy_rlp::{Encodable, Header};

use super::{DigestSigner, SigningError, signer::signature_bytes};
use crate::api::{SignableMessage, SignatureRequest, TypedDataDefinition};

/// The EIP-7702 authorization tuple an `eip7702Auth` request is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Authorization {
    pub chain_id: u64,
    pub address: Address,
    pub nonce: u64,
}

/// A digest and the signature over it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedDigest {
    pub digest: B256,
    pub signature: Bytes,
}

/// keccak256(0x05 ‖ rlp([chainId, address, nonce])).
pub fn auth_digest(auth: &Authorization) -> B256 {
    let chain = U256::from(auth.chain_id);
    let payload_length = chain.length() + auth.address.length() + auth.nonce.length();
    let mut out = Vec::with_capacity(1 + payload_length + 4);
    out.push(0x05);
    Header { list: true, payload_length }.encode(&mut out);
    chain.encode(&mut out);
    auth.address.encode(&mut out);
    auth.nonce.encode(&mut out);
    keccak256(out)
}

/// The EIP-712 digest of wire typed data.
pub fn typed_data_digest(data: &TypedDataDefinition) -> Result<B256, SigningError> {
    let value = serde_json::to_value(data).map_err(|e| SigningError::TypedData(e.to_string()))?;
    let typed: TypedData = serde_json::from_value(value).map_err(|e| SigningError::TypedData(e.to_string()))?;
    typed.eip712_signing_hash().map_err(|e| SigningError::TypedData(e.to_string()))
}

/// The EIP-191 digest of a `personal_sign` message.
pub fn message_digest(message: &SignableMessage) -> Result<B256, SigningError> {
    match message {
        SignableMessage::Raw { raw } => Ok(eip191_hash_message(raw)),
        SignableMessage::Text(text) if text.is_empty() => {
            Err(SigningError::Message("the message is empty; refusing to sign nothing".into()))
        }
        SignableMessage::Text(text) => Ok(eip191_hash_message(text.as_bytes())),
    }
}

/// The digest a request asks to be signed, recomputed from its data. `auth` is required
/// for `eip7702Auth` requests.
pub fn request_digest(request: &SignatureRequest, auth: Option<&Authorization>) -> Result<B256, SigningError> {
    match request {
        SignatureRequest::PersonalSign { data, .. } => message_digest(data),
        SignatureRequest::TypedData { data, .. } => typed_data_digest(data),
        SignatureRequest::Eip7702Auth { .. } => auth.map(auth_digest).ok_or(SigningError::MissingAuthorization),
    }
}

/// Recomputes the digest, warns when `rawPayload` differs, and signs the recomputed digest.
pub fn sign_request(
    signer: &dyn DigestSigner,
    request: &SignatureRequest,
    auth: Option<&Authorization>,
) -> Result<SignedDigest, SigningError> {
    let digest = request_digest(request, auth)?;
    let raw_payload = match request {
        SignatureRequest::PersonalSign { raw_payload, .. } | SignatureRequest::TypedData { raw_payload, .. } => {
            raw_payload.as_ref()
        }
        SignatureRequest::Eip7702Auth { raw_payload } => Some(raw_payload).filter(|r| !r.is_empty()),
    };
    if let Some(raw) = raw_payload
        && raw.as_ref() != digest.as_slice()
    {
        tracing::warn!(%digest, raw_payload = %raw, "rawPayload differs from the digest recomputed from data; signing the recomputed digest");
    }
    let sig = signer.sign_digest(&digest)?;
    Ok(SignedDigest { digest, signature: Bytes::copy_from_slice(&signature_bytes(&sig)) })
}
