//! Shared wire types (SPEC §3): calls, typed data, signature requests and signatures,
//! key signers, user operations and the permissions capability.

use alloy_primitives::{Address, B256, Bytes, U256};
use serde::{Deserialize, Serialize};

use crate::wire;

/// A call the account makes (SPEC §3.1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Call {
    #[serde(with = "wire::checksum")]
    pub to: Address,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Bytes>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "wire::quantity_opt")]
    pub value: Option<U256>,
}

/// EIP-712 domain as the API writes it (SPEC §3.2): `chainId` is a JSON integer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TypedDataDomain {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "domain_chain_id")]
    pub chain_id: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "wire::checksum_opt")]
    pub verifying_contract: Option<Address>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salt: Option<B256>,
}

/// One `{name, type}` member of an EIP-712 struct type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypedDataField {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: String,
}

/// Typed data as sent by the API (`eth_signTypedData_v4` payload, SPEC §3.2). The
/// `message` stays JSON: integers in it may be numbers, decimal or hex strings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TypedDataDefinition {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<TypedDataDomain>,
    pub types: serde_json::Map<String, serde_json::Value>,
    pub primary_type: String,
    pub message: serde_json::Map<String, serde_json::Value>,
}

/// A message for `personal_sign` (SPEC §3.3): UTF-8 text, or raw bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SignableMessage {
    /// `{ "raw": "0x…" }`, signed as those bytes.
    Raw { raw: Bytes },
    /// A non-empty string, signed as its UTF-8 bytes (never hex-decoded).
    Text(String),
}

/// What the server asks a key to sign (SPEC §3.4). `rawPayload` is informational only:
/// Warden always signs the digest it recomputes from `data`.
// Wire data is parsed once and matched on; boxing the typed-data variant buys nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum SignatureRequest {
    #[serde(rename = "personal_sign", rename_all = "camelCase")]
    PersonalSign {
        data: SignableMessage,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        raw_payload: Option<Bytes>,
    },
    #[serde(rename = "eth_signTypedData_v4", rename_all = "camelCase")]
    TypedData {
        data: TypedDataDefinition,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        raw_payload: Option<Bytes>,
    },
    #[serde(rename = "eip7702Auth", rename_all = "camelCase")]
    Eip7702Auth { raw_payload: Bytes },
}

/// An ECDSA signature in any of the three accepted wire shapes (SPEC §2 `EcdsaSigData`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum EcdsaSigData {
    /// 65-byte `r‖s‖v` hex.
    Hex(Bytes),
    /// `{r, s, yParity}`.
    #[serde(rename_all = "camelCase")]
    YParity {
        r: B256,
        s: B256,
        #[serde(with = "wire::quantity")]
        y_parity: U256,
    },
    /// `{r, s, v}`.
    V {
        r: B256,
        s: B256,
        #[serde(with = "wire::quantity")]
        v: U256,
    },
}

/// Signature type tag; `ecdsa` is an alias of `secp256k1` (SPEC §3.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SignatureType {
    Secp256k1,
    Ecdsa,
}

/// `{type, data}` signature sent back to the server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureObject {
    #[serde(rename = "type")]
    pub ty: SignatureType,
    pub data: EcdsaSigData,
}

/// Kind of session key (SPEC §3.9). `ecdsa` is an alias of `secp256k1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyType {
    Secp256k1,
    Ecdsa,
    Contract,
}

/// Session key description: `publicKey` is the key's 20-byte **address**.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeySigner {
    #[serde(rename = "type")]
    pub ty: KeyType,
    #[serde(with = "wire::checksum")]
    pub public_key: Address,
}

/// EntryPoint v0.7 user operation as on the wire (SPEC §3.5), without `signature` unless
/// it is a full (signed) op.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserOperationV07 {
    #[serde(with = "wire::checksum")]
    pub sender: Address,
    #[serde(with = "wire::quantity")]
    pub nonce: U256,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "wire::checksum_opt")]
    pub factory: Option<Address>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factory_data: Option<Bytes>,
    pub call_data: Bytes,
    #[serde(with = "wire::quantity")]
    pub call_gas_limit: U256,
    #[serde(with = "wire::quantity")]
    pub verification_gas_limit: U256,
    #[serde(with = "wire::quantity")]
    pub pre_verification_gas: U256,
    #[serde(with = "wire::quantity")]
    pub max_fee_per_gas: U256,
    #[serde(with = "wire::quantity")]
    pub max_priority_fee_per_gas: U256,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "wire::quantity_opt")]
    pub paymaster_verification_gas_limit: Option<U256>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "wire::quantity_opt")]
    pub paymaster_post_op_gas_limit: Option<U256>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "wire::checksum_opt")]
    pub paymaster: Option<Address>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paymaster_data: Option<Bytes>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<Bytes>,
}

/// EntryPoint v0.6 user operation (legacy Light Account v1.x, SPEC §3.5).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserOperationV06 {
    #[serde(with = "wire::checksum")]
    pub sender: Address,
    #[serde(with = "wire::quantity")]
    pub nonce: U256,
    pub init_code: Bytes,
    pub call_data: Bytes,
    #[serde(with = "wire::quantity")]
    pub call_gas_limit: U256,
    #[serde(with = "wire::quantity")]
    pub verification_gas_limit: U256,
    #[serde(with = "wire::quantity")]
    pub pre_verification_gas: U256,
    #[serde(with = "wire::quantity")]
    pub max_fee_per_gas: U256,
    #[serde(with = "wire::quantity")]
    pub max_priority_fee_per_gas: U256,
    pub paymaster_and_data: Bytes,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<Bytes>,
}

/// The `permissions` capability (SPEC §3.11): the remote-permission object or a context.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum PermissionsCapability {
    #[serde(rename_all = "camelCase")]
    Remote {
        session_id: Bytes,
        signature: Bytes,
    },
    Context {
        context: Bytes,
    },
}

/// `domain.chainId` is a JSON integer on the wire; hex or decimal strings are accepted on
/// input because EIP-712 tooling emits them.
mod domain_chain_id {
    use serde::{Deserialize, Deserializer, Serializer, de::Error as _};

    pub fn serialize<S: Serializer>(v: &Option<u64>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => s.serialize_u64(*v),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
        match Option::<serde_json::Value>::deserialize(d)? {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(serde_json::Value::Number(n)) => n
                .as_u64()
                .map(Some)
                .ok_or_else(|| D::Error::custom(format!("domain.chainId {n} is not a positive integer"))),
            Some(serde_json::Value::String(s)) => {
                crate::wire::parse_dec_or_hex_u64(&s).map(Some).map_err(D::Error::custom)
            }
            Some(other) => Err(D::Error::custom(format!("domain.chainId {other} is not an integer"))),
        }
    }
}
