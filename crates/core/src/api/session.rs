//! `wallet_createSession` (protocol.md §4.3): ask the server for the DeferredAction typed data that,
//! once signed by the owner, lets a session key act within a set of permissions.
//!
//! Only the wire shape lives here. Whether a permission set is acceptable (including the
//! `expirySec` cap) is decided by [`crate::permissions`], and whether the returned typed
//! data really grants what was asked by `crate::signing`.

use alloy_primitives::{Address, Bytes};
use serde::{Deserialize, Serialize};

use super::{KeyDescriptor, SignatureRequest, signature_request_in};
use crate::permissions::Permission;
use crate::wire;

/// `wallet_createSession` params.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateSessionParams {
    /// The smart account (or 7702 EOA) the session acts for.
    #[serde(with = "wire::checksum")]
    pub account: Address,
    #[serde(with = "wire::hex_u32")]
    pub chain_id: u32,
    /// The session key (its address).
    pub key: KeyDescriptor,
    pub permissions: Vec<Permission>,
    /// Unix seconds after which the session is invalid; absent or 0 = no expiry.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "wire::expiry_sec")]
    pub expiry_sec: Option<u64>,
}

/// `wallet_createSession` result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateSessionResult {
    /// Server-side session id (16 bytes; checked where the context is built).
    pub session_id: Bytes,
    #[serde(with = "wire::hex_u32")]
    pub chain_id: u32,
    /// The DeferredAction typed data for the owner (`eth_signTypedData_v4` with
    /// `rawPayload`; any other kind is refused).
    #[serde(deserialize_with = "signature_request_in::typed_data")]
    pub signature_request: SignatureRequest,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn params(expiry: serde_json::Value) -> serde_json::Value {
        json!({
            "account": "0x65b5DE0251f553B2208762a4724303E750294D96",
            "chainId": "0x14a34",
            "key": {"type": "secp256k1", "publicKey": "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"},
            "permissions": [{"type": "root"}],
            "expirySec": expiry
        })
    }

    #[test]
    fn expiry_is_a_non_negative_json_integer() {
        let p: CreateSessionParams = serde_json::from_value(params(json!(1893456000))).unwrap();
        assert_eq!(p.expiry_sec, Some(1_893_456_000));
        assert_eq!(p.chain_id, 84532);
        for bad in [json!(-1), json!("1893456000"), json!(1.5)] {
            assert!(serde_json::from_value::<CreateSessionParams>(params(bad.clone())).is_err(), "{bad}");
        }
    }

    #[test]
    fn result_must_carry_typed_data_with_its_digest() {
        let typed = json!({"types": {}, "primaryType": "DeferredAction", "message": {}});
        let ok = json!({
            "sessionId": "0x5e55107a1d0000000000000000000001",
            "chainId": "0x14a34",
            "signatureRequest": {"type": "eth_signTypedData_v4", "data": typed, "rawPayload": "0x01"}
        });
        assert!(serde_json::from_value::<CreateSessionResult>(ok).is_ok());
        let personal = json!({
            "sessionId": "0x5e55107a1d0000000000000000000001",
            "chainId": "0x14a34",
            "signatureRequest": {"type": "personal_sign", "data": {"raw": "0x01"}, "rawPayload": "0x01"}
        });
        let err = serde_json::from_value::<CreateSessionResult>(personal).unwrap_err();
        assert!(err.to_string().contains("must be eth_signTypedData_v4, got `personal_sign`"), "{err}");
        let no_payload = json!({
            "sessionId": "0x5e55107a1d0000000000000000000001",
            "chainId": "0x14a34",
            "signatureRequest": {"type": "eth_signTypedData_v4", "data": typed}
        });
        let err = serde_json::from_value::<CreateSessionResult>(no_payload).unwrap_err();
        assert!(err.to_string().contains("missing `rawPayload`"), "{err}");
    }
}
