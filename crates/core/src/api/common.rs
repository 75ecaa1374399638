//! Shared wire types (protocol.md §3): calls, typed data, signature requests and signatures,
//! key signers, user operations, the permissions capability and UUID v4 ids.

use std::fmt;
use std::str::FromStr;

use alloy_primitives::{Address, B256, Bytes, U256};
use serde::{Deserialize, Deserializer, Serialize, de::Error as _};
use serde_json::Value;
use uuid::Uuid;

use super::ApiError;
use crate::wire;

/// A call the account makes (protocol.md §3.1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Call {
    #[serde(with = "wire::checksum")]
    pub to: Address,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Bytes>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "wire::quantity_opt")]
    pub value: Option<U256>,
}

/// EIP-712 domain as the API writes it (protocol.md §3.2): `chainId` is a JSON integer.
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

/// Typed data as sent by the API (`eth_signTypedData_v4` payload, protocol.md §3.2). The
/// `message` stays JSON: integers in it may be numbers, decimal or hex strings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TypedDataDefinition {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<TypedDataDomain>,
    pub types: serde_json::Map<String, Value>,
    pub primary_type: String,
    pub message: serde_json::Map<String, Value>,
}

/// A message for `personal_sign` (protocol.md §3.3): UTF-8 text, or raw bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum SignableMessage {
    /// `{ "raw": "0x…" }`, signed as those bytes.
    Raw { raw: Bytes },
    /// A non-empty string, signed as its UTF-8 bytes (never hex-decoded).
    Text(String),
}

impl<'de> Deserialize<'de> for SignableMessage {
    /// A non-empty string or `{raw}`; anything else is refused with what was expected.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct RawMessage {
            raw: Bytes,
        }
        match Value::deserialize(d)? {
            Value::String(s) if s.is_empty() => Err(D::Error::custom("personal_sign message must not be empty")),
            Value::String(s) => Ok(Self::Text(s)),
            v @ Value::Object(_) => {
                serde_json::from_value::<RawMessage>(v).map(|m| Self::Raw { raw: m.raw }).map_err(D::Error::custom)
            }
            other => Err(D::Error::custom(format!(
                "personal_sign message must be a string or {{\"raw\": hex}}, got {}",
                json_kind(&other)
            ))),
        }
    }
}

/// What the server asks a key to sign (protocol.md §3.4). `rawPayload` is informational only:
/// Warden always signs the digest it recomputes from `data`.
// The typed-data variant is a few hundred bytes; these are short-lived wire values, and
// boxing would make every construction and match in the signing code noisier.
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

impl SignatureRequest {
    /// The wire `type` string.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::PersonalSign { .. } => "personal_sign",
            Self::TypedData { .. } => "eth_signTypedData_v4",
            Self::Eip7702Auth { .. } => "eip7702Auth",
        }
    }

    /// The server's precomputed digest, if it sent one (informational only).
    pub fn raw_payload(&self) -> Option<&Bytes> {
        match self {
            Self::PersonalSign { raw_payload, .. } | Self::TypedData { raw_payload, .. } => raw_payload.as_ref(),
            Self::Eip7702Auth { raw_payload } => Some(raw_payload),
        }
    }
}

/// Deserializers for a `signatureRequest` in one particular place. The shared
/// [`SignatureRequest`] type admits all three kinds; each place on the wire admits only some
/// (a user operation is never signed as an EIP-7702 authorization), and server-sent requests
/// always carry `rawPayload`. A request of the wrong kind is refused with both named.
pub(crate) mod signature_request_in {
    use super::*;

    fn check<E: serde::de::Error>(
        req: SignatureRequest,
        place: &str,
        allowed: &[&str],
        needs_raw_payload: bool,
    ) -> Result<SignatureRequest, E> {
        if !allowed.contains(&req.kind()) {
            return Err(E::custom(format!(
                "{place} signatureRequest must be {}, got `{}`",
                allowed.join(" or "),
                req.kind()
            )));
        }
        if needs_raw_payload && req.raw_payload().is_none() {
            return Err(E::custom(format!("{place} signatureRequest `{}` is missing `rawPayload`", req.kind())));
        }
        Ok(req)
    }

    /// Optional request of a prepared user operation: `personal_sign` or typed data, with
    /// `rawPayload` (absent altogether when only an estimate was asked for).
    pub fn user_operation<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SignatureRequest>, D::Error> {
        Option::<SignatureRequest>::deserialize(d)?
            .map(|r| check(r, "user operation", &["personal_sign", "eth_signTypedData_v4"], true))
            .transpose()
    }

    /// Request of a prepared EIP-7702 authorization: `eip7702Auth` only.
    pub fn authorization<'de, D: Deserializer<'de>>(d: D) -> Result<SignatureRequest, D::Error> {
        check(SignatureRequest::deserialize(d)?, "authorization", &["eip7702Auth"], true)
    }

    /// Server-sent typed data with its digest (`wallet_createSession`, paymaster permits).
    pub fn typed_data<'de, D: Deserializer<'de>>(d: D) -> Result<SignatureRequest, D::Error> {
        check(SignatureRequest::deserialize(d)?, "typed-data", &["eth_signTypedData_v4"], true)
    }

    /// A message to sign (`wallet_prepareSign`): `personal_sign` or typed data, no digest.
    pub fn message<'de, D: Deserializer<'de>>(d: D) -> Result<SignatureRequest, D::Error> {
        check(SignatureRequest::deserialize(d)?, "prepareSign", &["personal_sign", "eth_signTypedData_v4"], false)
    }
}

/// An ECDSA signature in any of the three accepted wire shapes (protocol.md §2 `EcdsaSigData`).
/// Lengths are not checked here (the schema does not); whoever recovers the signer does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
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

impl<'de> Deserialize<'de> for EcdsaSigData {
    /// Decided by shape, in the schema's order: hex text, then an object with `yParity`,
    /// then one with `v`.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct WithYParity {
            r: B256,
            s: B256,
            #[serde(with = "wire::quantity")]
            y_parity: U256,
        }
        #[derive(Deserialize)]
        struct WithV {
            r: B256,
            s: B256,
            #[serde(with = "wire::quantity")]
            v: U256,
        }
        let err = |e: serde_json::Error| D::Error::custom(format!("signature: {e}"));
        match Value::deserialize(d)? {
            v @ Value::String(_) => serde_json::from_value(v).map(Self::Hex).map_err(err),
            Value::Object(m) if m.contains_key("yParity") => serde_json::from_value::<WithYParity>(Value::Object(m))
                .map(|w| Self::YParity { r: w.r, s: w.s, y_parity: w.y_parity })
                .map_err(err),
            Value::Object(m) if m.contains_key("v") => serde_json::from_value::<WithV>(Value::Object(m))
                .map(|w| Self::V { r: w.r, s: w.s, v: w.v })
                .map_err(err),
            Value::Object(_) => Err(D::Error::custom("signature object needs `r`, `s` and `yParity` or `v`")),
            other => Err(D::Error::custom(format!(
                "signature must be hex or {{r, s, yParity|v}}, got {}",
                json_kind(&other)
            ))),
        }
    }
}

/// Signature type tag; `ecdsa` is an alias of `secp256k1` (protocol.md §3.4).
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

/// Kind of session key (protocol.md §3.9). `ecdsa` is an alias of `secp256k1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyType {
    Secp256k1,
    Ecdsa,
    Contract,
}

/// Which key a session is for (the `key` of `wallet_createSession`): its type, and `publicKey`,
/// the key's 20-byte **address**. Not a signer: `warden_keychain::KeySigner` signs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyDescriptor {
    #[serde(rename = "type")]
    pub ty: KeyType,
    #[serde(with = "wire::checksum")]
    pub public_key: Address,
}

/// EntryPoint v0.7 user operation as on the wire (protocol.md §3.5), without `signature` unless
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

impl UserOperationV07 {
    /// The most the operation can cost in gas, in wei: every gas limit it carries (the
    /// paymaster's included) times `maxFeePerGas`, as the EntryPoint reserves it and as
    /// MAv2's gas-limit hook counts it. Saturates instead of overflowing.
    pub fn max_gas_cost(&self) -> U256 {
        let gas = [
            self.call_gas_limit,
            self.verification_gas_limit,
            self.pre_verification_gas,
            self.paymaster_verification_gas_limit.unwrap_or_default(),
            self.paymaster_post_op_gas_limit.unwrap_or_default(),
        ]
        .into_iter()
        .fold(U256::ZERO, U256::saturating_add);
        gas.saturating_mul(self.max_fee_per_gas)
    }
}

/// EntryPoint v0.6 user operation (legacy Light Account v1.x, protocol.md §3.5).
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

/// The `permissions` capability (protocol.md §3.11): the remote-permission object or a context.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
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

impl<'de> Deserialize<'de> for PermissionsCapability {
    /// `{context}` is tried first, as the schema lists it first: an object with both forms
    /// is read as its context (the server strips the rest).
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Remote {
            session_id: Bytes,
            signature: Bytes,
        }
        let mut map = serde_json::Map::<String, Value>::deserialize(d)?;
        if let Some(context) = map.remove("context") {
            let context =
                serde_json::from_value(context).map_err(|e| D::Error::custom(format!("permissions.context: {e}")))?;
            Ok(Self::Context { context })
        } else if map.contains_key("sessionId") {
            let r: Remote = serde_json::from_value(Value::Object(map))
                .map_err(|e| D::Error::custom(format!("permissions: {e}")))?;
            Ok(Self::Remote { session_id: r.session_id, signature: r.signature })
        } else {
            Err(D::Error::custom("permissions capability needs `context`, or `sessionId` and `signature`"))
        }
    }
}

/// A version-4 UUID in its hyphenated form (protocol.md §2): account ids and gas-policy ids.
/// Other versions and the simple, braced and URN spellings are refused, as the schema's
/// pattern does; upper-case hex digits are accepted and written back in lower case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UuidV4(Uuid);

impl UuidV4 {
    /// A fresh random id.
    pub fn new_random() -> Self {
        Self(Uuid::new_v4())
    }

    /// The id as a [`Uuid`].
    pub fn as_uuid(&self) -> Uuid {
        self.0
    }
}

impl TryFrom<Uuid> for UuidV4 {
    type Error = ApiError;

    fn try_from(u: Uuid) -> Result<Self, ApiError> {
        if u.get_version() == Some(uuid::Version::Random) && u.get_variant() == uuid::Variant::RFC4122 {
            Ok(Self(u))
        } else {
            Err(ApiError::InvalidUuid { value: u.to_string() })
        }
    }
}

impl FromStr for UuidV4 {
    type Err = ApiError;

    fn from_str(s: &str) -> Result<Self, ApiError> {
        let invalid = || ApiError::InvalidUuid { value: s.to_owned() };
        // 36 characters = the hyphenated spelling; `Uuid::parse_str` also takes the others.
        if s.len() != 36 {
            return Err(invalid());
        }
        Uuid::parse_str(s).map_err(|_| invalid()).and_then(|u| Self::try_from(u).map_err(|_| invalid()))
    }
}

impl fmt::Display for UuidV4 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0.hyphenated(), f)
    }
}

impl Serialize for UuidV4 {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for UuidV4 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(D::Error::custom)
    }
}

/// Name of a JSON value's kind, for error messages that must not echo the value.
pub(crate) fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    const R: &str = "0x30d539cbf10998dbd51c7633251d2c1862681fe3ea7ce47c0caf8c59e57797a8";

    #[test]
    fn signature_shapes() {
        let hex: EcdsaSigData = serde_json::from_value(json!("0x1b")).unwrap();
        assert_eq!(hex, EcdsaSigData::Hex(Bytes::from(vec![0x1b])));
        let yp: EcdsaSigData = serde_json::from_value(json!({"r": R, "s": R, "yParity": "0x1", "v": "0x1c"})).unwrap();
        assert!(matches!(yp, EcdsaSigData::YParity { y_parity, .. } if y_parity == U256::from(1)), "yParity wins");
        let v: EcdsaSigData = serde_json::from_value(json!({"r": R, "s": R, "v": "0x1c"})).unwrap();
        assert_eq!(serde_json::to_value(&v).unwrap(), json!({"r": R, "s": R, "v": "0x1c"}));
        for (bad, needle) in [
            (json!({"r": R, "s": R}), "needs `r`, `s` and `yParity` or `v`"),
            (json!({"r": "0x01", "s": R, "v": "0x1b"}), "signature: "),
            (json!(27), "got a number"),
            (json!("0xzz"), "signature: "),
        ] {
            let err = serde_json::from_value::<EcdsaSigData>(bad.clone()).unwrap_err();
            assert!(err.to_string().contains(needle), "{bad}: {err}");
        }
    }

    #[test]
    fn permissions_capability_forms() {
        let both = json!({"context": "0x02", "sessionId": "0x01", "signature": "0x02"});
        let p: PermissionsCapability = serde_json::from_value(both).unwrap();
        assert_eq!(p, PermissionsCapability::Context { context: Bytes::from(vec![2]) });
        let remote: PermissionsCapability =
            serde_json::from_value(json!({"sessionId": "0x01", "signature": "0x02"})).unwrap();
        assert_eq!(serde_json::to_value(&remote).unwrap(), json!({"sessionId": "0x01", "signature": "0x02"}));
        let err = serde_json::from_value::<PermissionsCapability>(json!({"sessionId": "0x01"})).unwrap_err();
        assert!(err.to_string().contains("missing field `signature`"), "{err}");
        let err = serde_json::from_value::<PermissionsCapability>(json!({})).unwrap_err();
        assert!(err.to_string().contains("needs `context`, or `sessionId` and `signature`"), "{err}");
        let err = serde_json::from_value::<PermissionsCapability>(json!({"context": "zz"})).unwrap_err();
        assert!(err.to_string().contains("permissions.context"), "{err}");
    }

    #[test]
    fn personal_sign_messages() {
        let text: SignableMessage = serde_json::from_value(json!("0xab")).unwrap();
        assert_eq!(text, SignableMessage::Text("0xab".into()), "text is never hex-decoded");
        let raw: SignableMessage = serde_json::from_value(json!({"raw": "0xab"})).unwrap();
        assert_eq!(raw, SignableMessage::Raw { raw: Bytes::from(vec![0xab]) });
        assert!(serde_json::from_value::<SignableMessage>(json!("")).is_err());
        let err = serde_json::from_value::<SignableMessage>(json!(["a"])).unwrap_err();
        assert!(err.to_string().contains("got an array"), "{err}");
    }

    #[test]
    fn uuid_v4_round_trips_in_lower_case() {
        let id: UuidV4 = "0B6E5A8E-7C1D-4F2A-9E3B-5D4C3B2A1F00".parse().unwrap();
        assert_eq!(serde_json::to_value(id).unwrap(), json!("0b6e5a8e-7c1d-4f2a-9e3b-5d4c3b2a1f00"));
        assert!("{0b6e5a8e-7c1d-4f2a-9e3b-5d4c3b2a1f00}".parse::<UuidV4>().is_err());
        assert!(UuidV4::try_from(Uuid::nil()).is_err());
        let fresh = UuidV4::new_random();
        assert_eq!(fresh.to_string().parse::<UuidV4>().unwrap(), fresh);
    }
}
