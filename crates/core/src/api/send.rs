//! `wallet_sendPreparedCalls` (protocol.md §4.5, §3.8): a prepared call with the signature in
//! place of its `signatureRequest` and `feePayment`, plus the capabilities to repeat (a
//! session key must repeat `permissions`).
//!
//! The `into_signed` conversions are the only sanctioned way from a prepared call to a
//! signed one: they drop exactly what the server does not want back (`signatureRequest`,
//! `feePayment`, `details`) and keep the rest untouched, so the server finds the operation
//! again by its hash. A paymaster permit is not sendable and has no conversion.

use alloy_primitives::{B256, Bytes};
use serde::{Deserialize, Serialize};

use super::{
    AuthorizationData, Call, GasPolicy, PermissionsCapability, PreparedAuthorization, PreparedCallArray,
    PreparedCallElement, PreparedUserOperation, SignatureObject, UserOperationV06, UserOperationV07,
};
use crate::wire;

/// `wallet_sendPreparedCalls` params: the signed call, merged with capabilities and an
/// optional call id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendPreparedCallsParams {
    #[serde(flatten)]
    pub call: SignedPreparedCall,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capabilities: Option<SendPreparedCallsCapabilities>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_id: Option<Bytes>,
}

/// A signed prepared call, discriminated on `type`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum SignedPreparedCall {
    #[serde(rename = "user-operation-v070")]
    UserOperationV070(SignedUserOperation<UserOperationV07>),
    #[serde(rename = "user-operation-v060")]
    UserOperationV060(SignedUserOperation<UserOperationV06>),
    #[serde(rename = "authorization")]
    Authorization(SignedAuthorization),
    #[serde(rename = "array")]
    Array(SignedCallArray),
}

/// A signed element of an `array`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum SignedCallElement {
    #[serde(rename = "user-operation-v070")]
    UserOperationV070(SignedUserOperation<UserOperationV07>),
    #[serde(rename = "user-operation-v060")]
    UserOperationV060(SignedUserOperation<UserOperationV06>),
    #[serde(rename = "authorization")]
    Authorization(SignedAuthorization),
}

/// A user operation with the signer's signature (the server assembles the on-chain one).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignedUserOperation<U> {
    pub data: U,
    #[serde(with = "wire::hex_u32")]
    pub chain_id: u32,
    pub signature: SignatureObject,
}

/// A signed EIP-7702 authorization.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignedAuthorization {
    pub data: AuthorizationData,
    #[serde(with = "wire::hex_u32")]
    pub chain_id: u32,
    pub signature: SignatureObject,
}

/// A signed `array`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedCallArray {
    pub data: Vec<SignedCallElement>,
}

impl<U> PreparedUserOperation<U> {
    /// The signed form: `signatureRequest`, `feePayment` and `details` dropped.
    pub fn into_signed(self, signature: SignatureObject) -> SignedUserOperation<U> {
        SignedUserOperation { data: self.data, chain_id: self.chain_id, signature }
    }
}

impl PreparedAuthorization {
    /// The signed form: `signatureRequest` and `details` dropped.
    pub fn into_signed(self, signature: SignatureObject) -> SignedAuthorization {
        SignedAuthorization { data: self.data, chain_id: self.chain_id, signature }
    }
}

impl PreparedCallElement {
    /// The signed form of this element.
    pub fn into_signed(self, signature: SignatureObject) -> SignedCallElement {
        match self {
            Self::UserOperationV070(op) => SignedCallElement::UserOperationV070(op.into_signed(signature)),
            Self::UserOperationV060(op) => SignedCallElement::UserOperationV060(op.into_signed(signature)),
            Self::Authorization(a) => SignedCallElement::Authorization(a.into_signed(signature)),
        }
    }
}

impl PreparedCallArray {
    /// Signs every element in order with `sign`, stopping at the first error.
    pub fn into_signed<E>(
        self,
        mut sign: impl FnMut(&PreparedCallElement) -> Result<SignatureObject, E>,
    ) -> Result<SignedCallArray, E> {
        let data = self
            .data
            .into_iter()
            .map(|element| {
                let signature = sign(&element)?;
                Ok(element.into_signed(signature))
            })
            .collect::<Result<_, E>>()?;
        Ok(SignedCallArray { data })
    }
}

/// Capabilities of `wallet_sendPreparedCalls`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendPreparedCallsCapabilities {
    /// Must repeat the prepare step's `permissions` when a session key signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<PermissionsCapability>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paymaster_service: Option<SendPaymasterService>,
}

/// The gas policy again, as on prepare.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendPaymasterService {
    #[serde(flatten)]
    pub policy: GasPolicy,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_data: Option<String>,
}

/// `wallet_sendPreparedCalls` result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendPreparedCallsResult {
    /// Call id for `wallet_getCallsStatus` (opaque).
    pub id: Bytes,
    /// Deprecated by the API; equal to `[id]` in practice.
    pub prepared_call_ids: Vec<Bytes>,
    pub details: SendDetails,
}

/// What was sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum SendDetails {
    #[serde(rename = "user-operation")]
    UserOperation { data: SentUserOperation },
    /// Only a 7702 authorization was sent.
    #[serde(rename = "delegation")]
    Delegation,
}

/// userOpHash and, when the server includes them, the calls.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentUserOperation {
    pub hash: B256,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calls: Option<Vec<Call>>,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_paymaster_permit_cannot_be_sent() {
        let v = json!({"type": "paymaster-permit", "chainId": "0x1"});
        let err = serde_json::from_value::<SendPreparedCallsParams>(v).unwrap_err();
        assert!(err.to_string().contains("unknown variant `paymaster-permit`"), "{err}");
    }

    #[test]
    fn signature_must_be_secp256k1_or_ecdsa() {
        let v = json!({
            "type": "authorization",
            "data": {"address": "0x69007702764179f14F51cdce752f4f775d74E139", "nonce": "0x0"},
            "chainId": "0x14a34",
            "signature": {"type": "ed25519", "data": "0x00"}
        });
        let err = serde_json::from_value::<SendPreparedCallsParams>(v).unwrap_err();
        assert!(err.to_string().contains("unknown variant `ed25519`"), "{err}");
    }

    /// The v4 client sends the prepared call with `feePayment` (and may leave more) in
    /// place; the extra keys are dropped, as the server does.
    #[test]
    fn leftover_prepare_fields_are_tolerated() {
        let v = json!({
            "type": "authorization",
            "data": {"address": "0x69007702764179f14F51cdce752f4f775d74E139", "nonce": "0x0"},
            "chainId": "0x14a34",
            "signature": {"type": "secp256k1", "data": "0x00"},
            "signatureRequest": {"type": "eip7702Auth", "rawPayload": "0x00"},
            "feePayment": {"sponsored": true},
            "details": {"type": "user-operation"}
        });
        let parsed: SendPreparedCallsParams = serde_json::from_value(v).unwrap();
        assert!(matches!(parsed.call, SignedPreparedCall::Authorization(_)));
        let written = serde_json::to_value(&parsed).unwrap();
        let keys: Vec<_> = written.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["type", "data", "chainId", "signature"]);
    }

    #[test]
    fn delegation_details_are_a_bare_type() {
        let r: SendPreparedCallsResult = serde_json::from_value(
            json!({"id": "0x01", "preparedCallIds": ["0x01"], "details": {"type": "delegation"}}),
        )
        .unwrap();
        assert_eq!(r.details, SendDetails::Delegation);
        assert_eq!(serde_json::to_value(&r).unwrap()["details"], json!({"type": "delegation"}));
    }
}
