//! `wallet_prepareCalls` (protocol.md §4.4, §3.5–3.7, §3.12): the calls to make and the
//! capabilities that shape them, and the prepared call the server answers with — a user
//! operation, an EIP-7702 authorization, an array of those, or a paymaster permit to sign
//! first.
//!
//! Left open on purpose: the paymaster `erc20` settings and `stateOverride` stay JSON maps
//! (Warden never builds them; the server checks them strictly), and the Solana variant of
//! the method is not modelled.

use alloy_primitives::{Address, B256, Bytes, U256};
use serde::{Deserialize, Deserializer, Serialize, Serializer, de::Error as _, ser::SerializeMap};
use serde_json::{Map, Value};

use super::{
    Call, PermissionsCapability, SignatureObject, SignatureRequest, TypedDataDefinition, UserOperationV06,
    UserOperationV07, UuidV4, json_kind, signature_request_in,
};
use crate::mav2::constants::SMA_7702_IMPLEMENTATION;
use crate::wire;

/// `wallet_prepareCalls` params (EVM).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrepareCallsParams {
    /// The calls; may be empty or absent (e.g. to only delegate or undelegate a 7702 EOA).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calls: Option<Vec<Call>>,
    /// The account that makes the calls.
    #[serde(with = "wire::checksum")]
    pub from: Address,
    #[serde(with = "wire::hex_u32")]
    pub chain_id: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capabilities: Option<PrepareCallsCapabilities>,
    /// Second round of the paymaster-permit flow: the signature over the permit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paymaster_permit_signature: Option<SignatureObject>,
}

/// Capabilities of `wallet_prepareCalls` (all optional).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrepareCallsCapabilities {
    /// Act as a session key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<PermissionsCapability>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paymaster_service: Option<PaymasterService>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gas_params_override: Option<GasParamsOverride>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eip7702_auth: Option<Eip7702Auth>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce_override: Option<NonceOverride>,
    /// Address → strict `{balance?, nonce?, code?, state | stateDiff}`; checked by the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_override: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "experimental_dataSuffix")]
    pub experimental_data_suffix: Option<DataSuffix>,
}

/// Gas sponsorship by one or more gas-manager policies.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymasterService {
    #[serde(flatten)]
    pub policy: GasPolicy,
    /// Only estimate: the prepared call then carries no `signatureRequest`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub only_estimation: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_data: Option<String>,
    /// ERC-20 gas payment settings (one of four strict shapes; checked by the server).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub erc20: Option<Map<String, Value>>,
}

/// `{policyId}` or `{policyIds}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GasPolicy {
    Single(UuidV4),
    Several(Vec<UuidV4>),
}

impl std::fmt::Display for GasPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Single(id) => write!(f, "{id}"),
            Self::Several(ids) => {
                let ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
                write!(f, "{}", ids.join(", "))
            }
        }
    }
}

impl Serialize for GasPolicy {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(1))?;
        match self {
            Self::Single(id) => m.serialize_entry("policyId", id)?,
            Self::Several(ids) => m.serialize_entry("policyIds", ids)?,
        }
        m.end()
    }
}

impl<'de> Deserialize<'de> for GasPolicy {
    /// `policyId` wins when both keys are present, as it does on the server (first
    /// matching `anyOf` branch).
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut map = Map::<String, Value>::deserialize(d)?;
        if let Some(v) = map.remove("policyId") {
            serde_json::from_value(v).map(Self::Single).map_err(|e| D::Error::custom(format!("policyId: {e}")))
        } else if let Some(v) = map.remove("policyIds") {
            serde_json::from_value(v).map(Self::Several).map_err(|e| D::Error::custom(format!("policyIds: {e}")))
        } else {
            Err(D::Error::custom("paymasterService needs `policyId` or `policyIds`"))
        }
    }
}

/// Gas fields the server should not estimate on its own.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GasParamsOverride {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pre_verification_gas: Option<GasOverride>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification_gas_limit: Option<GasOverride>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_gas_limit: Option<GasOverride>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paymaster_verification_gas_limit: Option<GasOverride>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paymaster_post_op_gas_limit: Option<GasOverride>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_fee_per_gas: Option<GasOverride>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_priority_fee_per_gas: Option<GasOverride>,
}

/// One gas override: an absolute quantity (hex) or `{multiplier}` of the estimate.
///
/// The multiplier is a JSON number (JavaScript's `number`); an integral one such as `2`
/// is written back as `2.0`, the same number to the server.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum GasOverride {
    Absolute(U256),
    Multiplier(f64),
}

impl Serialize for GasOverride {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Absolute(v) => wire::quantity::serialize(v, s),
            Self::Multiplier(m) => {
                let mut map = s.serialize_map(Some(1))?;
                map.serialize_entry("multiplier", m)?;
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for GasOverride {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::String(s) => wire::parse_hex_u256(&s).map(Self::Absolute).map_err(D::Error::custom),
            Value::Object(m) => match m.get("multiplier") {
                Some(Value::Number(n)) => n
                    .as_f64()
                    .map(Self::Multiplier)
                    .ok_or_else(|| D::Error::custom(format!("gas multiplier {n} is not a finite number"))),
                Some(other) => {
                    Err(D::Error::custom(format!("gas `multiplier` must be a number, got {}", json_kind(other))))
                }
                None => Err(D::Error::custom("gas override object needs `multiplier`")),
            },
            other => Err(D::Error::custom(format!(
                "gas override must be a hex quantity or {{\"multiplier\": n}}, got {}",
                json_kind(&other)
            ))),
        }
    }
}

/// The `eip7702Auth` capability: `true` (delegate to the default as needed) or an explicit
/// delegation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Eip7702Auth {
    /// `true`.
    Default,
    /// `{account?, delegation}`.
    Explicit { account: Option<Address>, delegation: Eip7702Delegation },
}

/// The delegations the server accepts in `eip7702Auth`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Eip7702Delegation {
    /// `"ModularAccountV2"`: the server's name for the MAv2 7702 implementation.
    ModularAccountV2,
    /// The MAv2 7702 implementation by address ([`SMA_7702_IMPLEMENTATION`]).
    Mav2Implementation,
    /// The zero address: remove the delegation.
    Undelegate,
}

const MAV2_DELEGATION_NAME: &str = "ModularAccountV2";

impl Serialize for Eip7702Auth {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Default => s.serialize_bool(true),
            Self::Explicit { account, delegation } => {
                let mut m = s.serialize_map(None)?;
                if let Some(a) = account {
                    m.serialize_entry("account", &a.to_checksum(None))?;
                }
                match delegation {
                    Eip7702Delegation::ModularAccountV2 => m.serialize_entry("delegation", MAV2_DELEGATION_NAME)?,
                    Eip7702Delegation::Mav2Implementation => {
                        m.serialize_entry("delegation", &SMA_7702_IMPLEMENTATION.to_checksum(None))?
                    }
                    Eip7702Delegation::Undelegate => {
                        m.serialize_entry("delegation", &Address::ZERO.to_checksum(None))?
                    }
                }
                m.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for Eip7702Auth {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Explicit {
            #[serde(default)]
            account: Option<Address>,
            delegation: String,
        }
        match Value::deserialize(d)? {
            Value::Bool(true) => Ok(Self::Default),
            v @ Value::Object(_) => {
                let e: Explicit =
                    serde_json::from_value(v).map_err(|e| D::Error::custom(format!("eip7702Auth: {e}")))?;
                let delegation = if e.delegation == MAV2_DELEGATION_NAME {
                    Eip7702Delegation::ModularAccountV2
                } else {
                    match e.delegation.parse::<Address>() {
                        Ok(a) if a == SMA_7702_IMPLEMENTATION => Eip7702Delegation::Mav2Implementation,
                        Ok(a) if a == Address::ZERO => Eip7702Delegation::Undelegate,
                        _ => {
                            return Err(D::Error::custom(format!(
                                "eip7702Auth.delegation `{}` is not {MAV2_DELEGATION_NAME}, {SMA_7702_IMPLEMENTATION} or the zero address",
                                e.delegation
                            )));
                        }
                    }
                };
                Ok(Self::Explicit { account: e.account, delegation })
            }
            other => Err(D::Error::custom(format!(
                "eip7702Auth must be `true` or {{account?, delegation}}, got {}",
                match other {
                    Value::Bool(false) => "`false`",
                    ref v => json_kind(v),
                }
            ))),
        }
    }
}

/// Use this 2D-nonce key instead of the server's choice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NonceOverride {
    #[serde(with = "wire::quantity")]
    pub nonce_key: U256,
}

/// Bytes appended to the call data (ERC-8021 attribution).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataSuffix {
    pub value: Bytes,
}

/// `wallet_prepareCalls` result.
pub type PrepareCallsResult = PreparedCall;

/// A prepared call, discriminated on `type` (protocol.md §3.7).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum PreparedCall {
    #[serde(rename = "user-operation-v070")]
    UserOperationV070(PreparedUserOperation<UserOperationV07>),
    #[serde(rename = "user-operation-v060")]
    UserOperationV060(PreparedUserOperation<UserOperationV06>),
    /// A standalone 7702 authorization (sponsored undelegation).
    #[serde(rename = "authorization")]
    Authorization(PreparedAuthorization),
    /// Several things to sign: a 7702 EOA's authorization and then its user operation.
    #[serde(rename = "array")]
    Array(PreparedCallArray),
    /// Sign this ERC-20 permit first, then prepare `modifiedRequest` again.
    #[serde(rename = "paymaster-permit")]
    PaymasterPermit(Box<PaymasterPermit>),
}

impl PreparedCall {
    /// The wire `type` string.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::UserOperationV070(_) => "user-operation-v070",
            Self::UserOperationV060(_) => "user-operation-v060",
            Self::Authorization(_) => "authorization",
            Self::Array(_) => "array",
            Self::PaymasterPermit(_) => "paymaster-permit",
        }
    }
}

/// An element of a prepared `array`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum PreparedCallElement {
    #[serde(rename = "user-operation-v070")]
    UserOperationV070(PreparedUserOperation<UserOperationV07>),
    #[serde(rename = "user-operation-v060")]
    UserOperationV060(PreparedUserOperation<UserOperationV06>),
    #[serde(rename = "authorization")]
    Authorization(PreparedAuthorization),
}

/// A user operation to sign (EntryPoint v0.7 or v0.6), without its `signature`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreparedUserOperation<U> {
    pub data: U,
    #[serde(with = "wire::hex_u32")]
    pub chain_id: u32,
    /// `personal_sign` of the userOpHash (or typed data); absent for estimates only.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "signature_request_in::user_operation"
    )]
    pub signature_request: Option<SignatureRequest>,
    pub fee_payment: FeePayment,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<PreparedCallDetails>,
}

/// An EIP-7702 authorization to sign.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreparedAuthorization {
    pub data: AuthorizationData,
    #[serde(with = "wire::hex_u32")]
    pub chain_id: u32,
    /// Always `eip7702Auth`.
    #[serde(deserialize_with = "signature_request_in::authorization")]
    pub signature_request: SignatureRequest,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<PreparedCallDetails>,
}

/// The authorization tuple besides the chain id: delegate address and EOA nonce.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizationData {
    #[serde(with = "wire::checksum")]
    pub address: Address,
    #[serde(with = "wire::hex_u32")]
    pub nonce: u32,
}

/// A prepared `array`: each element is signed on its own.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreparedCallArray {
    pub data: Vec<PreparedCallElement>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<PreparedCallDetails>,
}

/// An ERC-20 permit the paymaster needs before it can prepare the calls.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymasterPermit {
    /// The request to send again, with the permit signature added.
    pub modified_request: PrepareCallsParams,
    /// The permit typed data.
    pub data: TypedDataDefinition,
    /// `eth_signTypedData_v4` of `data`.
    #[serde(deserialize_with = "signature_request_in::typed_data")]
    pub signature_request: SignatureRequest,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<PreparedCallDetails>,
}

/// Who pays for gas and up to how much.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FeePayment {
    pub sponsored: bool,
    #[serde(with = "wire::checksum")]
    pub token_address: Address,
    #[serde(with = "wire::quantity")]
    pub max_amount: U256,
}

/// What a prepared call will do, as the server reads it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum PreparedCallDetails {
    #[serde(rename = "user-operation")]
    UserOperation { data: UserOperationSummary },
}

/// userOpHash and the calls the operation makes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserOperationSummary {
    pub hash: B256,
    pub calls: Vec<Call>,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    const FROM: &str = "0x65b5DE0251f553B2208762a4724303E750294D96";

    #[test]
    fn capability_shapes_round_trip() {
        let caps = json!({
            "paymasterService": {"policyIds": ["6f8e2c1a-3b4d-4e5f-8a9b-0c1d2e3f4a5b"], "onlyEstimation": true, "webhookData": "w"},
            "gasParamsOverride": {"callGasLimit": "0x1d4c8", "maxFeePerGas": {"multiplier": 1.5}},
            "eip7702Auth": {"account": FROM, "delegation": "0x69007702764179f14F51cdce752f4f775d74E139"},
            "nonceOverride": {"nonceKey": "0x1"},
            "experimental_dataSuffix": {"value": "0xdd"}
        });
        let parsed: PrepareCallsCapabilities = serde_json::from_value(caps.clone()).unwrap();
        assert_eq!(parsed.gas_params_override.as_ref().unwrap().max_fee_per_gas, Some(GasOverride::Multiplier(1.5)));
        assert_eq!(
            parsed.eip7702_auth,
            Some(Eip7702Auth::Explicit {
                account: Some(FROM.parse().unwrap()),
                delegation: Eip7702Delegation::Mav2Implementation
            })
        );
        assert_eq!(serde_json::to_value(&parsed).unwrap(), caps);

        for (wire, expected) in [
            (json!(true), Eip7702Auth::Default),
            (
                json!({"delegation": "ModularAccountV2"}),
                Eip7702Auth::Explicit { account: None, delegation: Eip7702Delegation::ModularAccountV2 },
            ),
            (
                json!({"delegation": "0x0000000000000000000000000000000000000000"}),
                Eip7702Auth::Explicit { account: None, delegation: Eip7702Delegation::Undelegate },
            ),
        ] {
            let got: Eip7702Auth = serde_json::from_value(wire.clone()).unwrap();
            assert_eq!(got, expected);
            assert_eq!(serde_json::to_value(got).unwrap(), wire);
        }
    }

    #[test]
    fn bad_capabilities_name_the_problem() {
        let cases = [
            (json!({"eip7702Auth": false}), "got `false`"),
            (
                json!({"eip7702Auth": {"delegation": "0x1234567890123456789012345678901234567890"}}),
                "is not ModularAccountV2",
            ),
            (json!({"paymasterService": {"onlyEstimation": true}}), "needs `policyId` or `policyIds`"),
            (json!({"paymasterService": {"policyId": "not-a-uuid"}}), "policyId: `not-a-uuid` is not"),
            (json!({"gasParamsOverride": {"callGasLimit": 5}}), "got a number"),
            (json!({"gasParamsOverride": {"callGasLimit": {"factor": 2}}}), "needs `multiplier`"),
            (json!({"nonceOverride": {"nonceKey": "0x-1"}}), "non-hex digit"),
        ];
        for (caps, needle) in cases {
            let err = serde_json::from_value::<PrepareCallsCapabilities>(caps.clone()).unwrap_err();
            assert!(err.to_string().contains(needle), "{caps}: {err}");
        }
    }

    fn authorization(signature_request: Value) -> Value {
        json!({
            "type": "authorization",
            "data": {"address": "0x69007702764179f14F51cdce752f4f775d74E139", "nonce": "0x0"},
            "chainId": "0x14a34",
            "signatureRequest": signature_request
        })
    }

    #[test]
    fn prepared_call_variants_are_closed_and_checked() {
        let ok = authorization(json!({"type": "eip7702Auth", "rawPayload": "0x00"}));
        let parsed: PreparedCall = serde_json::from_value(ok).unwrap();
        assert_eq!(parsed.kind(), "authorization");

        let mut unknown = authorization(json!({"type": "eip7702Auth", "rawPayload": "0x00"}));
        unknown["type"] = json!("user-operation-v080");
        let err = serde_json::from_value::<PreparedCall>(unknown).unwrap_err();
        assert!(err.to_string().contains("unknown variant `user-operation-v080`"), "{err}");

        let wrong_kind = authorization(json!({"type": "personal_sign", "data": "hi", "rawPayload": "0x00"}));
        let err = serde_json::from_value::<PreparedCall>(wrong_kind).unwrap_err();
        assert!(err.to_string().contains("authorization signatureRequest must be eip7702Auth"), "{err}");

        let mut wide_chain = authorization(json!({"type": "eip7702Auth", "rawPayload": "0x00"}));
        wide_chain["chainId"] = json!("0x100000000");
        let err = serde_json::from_value::<PreparedCall>(wide_chain).unwrap_err();
        assert!(err.to_string().contains("does not fit in 32 bits"), "{err}");

        let mut nested = authorization(json!({"type": "eip7702Auth", "rawPayload": "0x00"}));
        nested = json!({"type": "array", "data": [{"type": "array", "data": [nested]}]});
        assert!(serde_json::from_value::<PreparedCall>(nested).is_err(), "arrays do not nest");
    }
}
