//! `wallet_prepareSign` and `wallet_formatSign` (protocol.md §4.7–4.8): signing a message or typed
//! data as the smart account (ERC-1271), in two steps — the server rewraps the message for
//! the account (e.g. MAv2's `ReplaySafeHash`), the signer signs that, and the server packs
//! the signature into the account's format.

use alloy_primitives::{Address, Bytes};
use serde::{Deserialize, Serialize};

use super::{PermissionsCapability, SignatureObject, SignatureRequest, signature_request_in};
use crate::wire;

/// `wallet_prepareSign` params.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrepareSignParams {
    /// The account that signs.
    #[serde(with = "wire::checksum")]
    pub from: Address,
    #[serde(with = "wire::hex_u32")]
    pub chain_id: u32,
    /// `personal_sign` or `eth_signTypedData_v4`, without `rawPayload`.
    #[serde(deserialize_with = "signature_request_in::message")]
    pub signature_request: SignatureRequest,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capabilities: Option<SignCapabilities>,
}

/// Capabilities of the sign methods: only `permissions`, required when present.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignCapabilities {
    pub permissions: PermissionsCapability,
}

/// `wallet_prepareSign` result: what the signer actually signs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrepareSignResult {
    #[serde(with = "wire::hex_u32")]
    pub chain_id: u32,
    #[serde(deserialize_with = "signature_request_in::message")]
    pub signature_request: SignatureRequest,
}

/// `wallet_formatSign` params.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FormatSignParams {
    #[serde(with = "wire::checksum")]
    pub from: Address,
    #[serde(with = "wire::hex_u32")]
    pub chain_id: u32,
    /// The signer's signature over the prepared request.
    pub signature: SignatureObject,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capabilities: Option<SignCapabilities>,
}

/// `wallet_formatSign` result: the signature in the account's format.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormatSignResult {
    pub signature: Bytes,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn prepare_sign_refuses_an_authorization_request_and_empty_text() {
        let base = |req: serde_json::Value| json!({"from": "0x65b5DE0251f553B2208762a4724303E750294D96", "chainId": "0x1", "signatureRequest": req});
        let err =
            serde_json::from_value::<PrepareSignParams>(base(json!({"type": "eip7702Auth", "rawPayload": "0x00"})))
                .unwrap_err();
        assert!(err.to_string().contains("must be personal_sign or eth_signTypedData_v4"), "{err}");
        let err = serde_json::from_value::<PrepareSignParams>(base(json!({"type": "personal_sign", "data": ""})))
            .unwrap_err();
        assert!(err.to_string().contains("must not be empty"), "{err}");
        let ok = serde_json::from_value::<PrepareSignParams>(base(json!({"type": "personal_sign", "data": "0xab"})))
            .unwrap();
        assert!(matches!(
            ok.signature_request,
            SignatureRequest::PersonalSign { data: crate::api::SignableMessage::Text(ref t), .. } if t == "0xab"
        ));
    }

    #[test]
    fn sign_capabilities_require_permissions() {
        let v = json!({
            "from": "0x65b5DE0251f553B2208762a4724303E750294D96",
            "chainId": "0x1",
            "signature": {"type": "ecdsa", "data": "0x00"},
            "capabilities": {}
        });
        let err = serde_json::from_value::<FormatSignParams>(v).unwrap_err();
        assert!(err.to_string().contains("missing field `permissions`"), "{err}");
    }
}
