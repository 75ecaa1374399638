//! `wallet_requestAccount` and `wallet_listAccounts` (protocol.md §4.1–4.2): finding or creating
//! the smart account of a signer, and paging through a signer's accounts.
//!
//! The unions here are decided by a key, not by `type`: `signerAddress` vs `accountAddress`
//! for the request, and `creationHint.accountType` for the hint. They are parsed by looking
//! at that key first, so a bad request is reported against the variant it meant, not as
//! "matched no variant". Like the server (zod `anyOf`), the first variant that fits wins
//! and keys it does not know are dropped.

use alloy_primitives::{Address, Bytes, U256};
use serde::{Deserialize, Deserializer, Serialize, Serializer, de::Error as _, ser::SerializeMap};
use serde_json::{Map, Value};

use super::{ApiError, UuidV4, json_kind};
use crate::wire;

/// `wallet_requestAccount` params: by signer, or by account address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum RequestAccountParams {
    /// Find (or create) the account of a signer.
    BySigner(RequestAccountBySigner),
    /// Look up a known account.
    ByAccount(RequestAccountByAddress),
}

impl<'de> Deserialize<'de> for RequestAccountParams {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let map = Map::<String, Value>::deserialize(d)?;
        if map.contains_key("signerAddress") {
            serde_json::from_value(Value::Object(map)).map(Self::BySigner).map_err(D::Error::custom)
        } else if map.contains_key("accountAddress") {
            serde_json::from_value(Value::Object(map)).map(Self::ByAccount).map_err(D::Error::custom)
        } else {
            Err(D::Error::custom("wallet_requestAccount params need `signerAddress` or `accountAddress`"))
        }
    }
}

/// Request by signer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestAccountBySigner {
    #[serde(with = "wire::checksum")]
    pub signer_address: Address,
    /// A new id creates an additional account for the same signer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<UuidV4>,
    /// Ignored by the server when the signer already has an account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_hint: Option<CreationHint>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_counterfactual_info: Option<bool>,
}

/// Request by account address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestAccountByAddress {
    #[serde(with = "wire::checksum")]
    pub account_address: Address,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_counterfactual_info: Option<bool>,
}

/// What kind of account to create when the signer has none (protocol.md §4.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CreationHint {
    /// A single-owner smart contract account (`accountType` absent means `sma-b`).
    SingleOwner(SingleOwnerHint),
    /// A multi-owner smart contract account.
    MultiOwner(MultiOwnerHint),
    /// The signer EOA itself, delegated with EIP-7702 (`{"accountType": "7702"}`).
    Eip7702,
}

const SINGLE_OWNER_TYPES: [&str; 5] = ["sma-b", "la-v2", "la-v1.0.1", "la-v1.0.2", "la-v1.1.0"];
const MULTI_OWNER_TYPES: [&str; 2] = ["la-v2-multi-owner", "ma-v1-multi-owner"];
const EIP7702_TYPE: &str = "7702";

impl Serialize for CreationHint {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::SingleOwner(h) => h.serialize(s),
            Self::MultiOwner(h) => h.serialize(s),
            Self::Eip7702 => {
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry("accountType", EIP7702_TYPE)?;
                m.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for CreationHint {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let map = Map::<String, Value>::deserialize(d)?;
        let variant = match map.get("accountType") {
            None => "single",
            Some(Value::String(t)) if SINGLE_OWNER_TYPES.contains(&t.as_str()) => "single",
            Some(Value::String(t)) if MULTI_OWNER_TYPES.contains(&t.as_str()) => "multi",
            Some(Value::String(t)) if t == EIP7702_TYPE => return Ok(Self::Eip7702),
            Some(Value::String(t)) => {
                return Err(D::Error::custom(format!(
                    "unknown creationHint.accountType `{t}`; expected one of {}, {} or {EIP7702_TYPE}",
                    SINGLE_OWNER_TYPES.join(", "),
                    MULTI_OWNER_TYPES.join(", ")
                )));
            }
            Some(other) => {
                return Err(D::Error::custom(format!(
                    "creationHint.accountType must be a string, got {}",
                    json_kind(other)
                )));
            }
        };
        let value = Value::Object(map);
        if variant == "single" {
            serde_json::from_value(value).map(Self::SingleOwner).map_err(D::Error::custom)
        } else {
            serde_json::from_value(value).map(Self::MultiOwner).map_err(D::Error::custom)
        }
    }
}

/// Single-owner account types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SingleOwnerAccountType {
    /// Modular Account v2, single signer (the server's default).
    #[serde(rename = "sma-b")]
    SmaB,
    #[serde(rename = "la-v2")]
    LightAccountV2,
    #[serde(rename = "la-v1.0.1")]
    LightAccountV1_0_1,
    #[serde(rename = "la-v1.0.2")]
    LightAccountV1_0_2,
    #[serde(rename = "la-v1.1.0")]
    LightAccountV1_1_0,
}

/// Multi-owner account types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MultiOwnerAccountType {
    #[serde(rename = "la-v2-multi-owner")]
    LightAccountV2MultiOwner,
    #[serde(rename = "ma-v1-multi-owner")]
    ModularAccountV1MultiOwner,
}

/// Creation hint for a single-owner account.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SingleOwnerHint {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_type: Option<SingleOwnerAccountType>,
    /// Create another account even if the signer has one (`true` is the only wire value).
    #[serde(default, skip_serializing_if = "std::ops::Not::not", with = "true_only")]
    pub create_additional: bool,
    /// CREATE2 salt of the account (protocol.md §8).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "wire::quantity_opt")]
    pub salt: Option<U256>,
}

/// Creation hint for a multi-owner account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MultiOwnerHint {
    pub account_type: MultiOwnerAccountType,
    /// Further owners; the signer is always an owner.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "checksum_vec_opt")]
    pub initial_owners: Option<Vec<Address>>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not", with = "true_only")]
    pub create_additional: bool,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "wire::quantity_opt")]
    pub salt: Option<U256>,
}

/// `wallet_requestAccount` result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestAccountResult {
    /// The account; for a 7702 account, the signer EOA itself.
    #[serde(with = "wire::checksum")]
    pub account_address: Address,
    /// The server's id of the account.
    pub id: UuidV4,
    /// How the account would be deployed (only when asked for, and only for contract accounts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counterfactual_info: Option<CounterfactualInfo>,
    /// The 7702 delegate of a 7702 account.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "wire::checksum_opt")]
    pub delegation: Option<Address>,
}

/// Factory call that deploys a counterfactual account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CounterfactualInfo {
    pub factory_type: FactoryType,
    #[serde(with = "wire::checksum")]
    pub factory_address: Address,
    pub factory_data: Bytes,
}

/// The factory kinds the API names (a closed list; `unknown` is one of its values).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FactoryType {
    #[serde(rename = "LightAccountV1.0.1")]
    LightAccountV1_0_1,
    #[serde(rename = "LightAccountV1.0.2")]
    LightAccountV1_0_2,
    #[serde(rename = "LightAccountV1.1.0")]
    LightAccountV1_1_0,
    #[serde(rename = "LightAccountV2.0.0")]
    LightAccountV2_0_0,
    #[serde(rename = "LightAccountV2.0.0-MultiOwner")]
    LightAccountV2_0_0MultiOwner,
    #[serde(rename = "MAv1.0.0-MultiOwner")]
    ModularAccountV1MultiOwner,
    #[serde(rename = "MAv1.0.0-MultiSig")]
    ModularAccountV1MultiSig,
    #[serde(rename = "MAv2.0.0-sma-b")]
    ModularAccountV2SmaB,
    #[serde(rename = "MAv2.0.0-ma-ssv")]
    ModularAccountV2MaSsv,
    #[serde(rename = "unknown")]
    Unknown,
}

/// `wallet_listAccounts` params.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListAccountsParams {
    #[serde(with = "wire::checksum")]
    pub signer_address: Address,
    /// Page size, 1–100 (server default 100).
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "page_limit")]
    pub limit: Option<u32>,
    /// Cursor from the previous page's `meta.after`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<Cursor>,
}

/// Largest `limit` the API accepts.
pub const MAX_PAGE_LIMIT: u32 = 100;

fn page_limit<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    match Option::<u32>::deserialize(d)? {
        Some(n) if !(1..=MAX_PAGE_LIMIT).contains(&n) => {
            Err(D::Error::custom(format!("limit {n} is outside 1..={MAX_PAGE_LIMIT}")))
        }
        other => Ok(other),
    }
}

/// `wallet_listAccounts` result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListAccountsResult {
    pub accounts: Vec<AccountSummary>,
    pub meta: ListAccountsMeta,
}

/// One account of a signer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountSummary {
    #[serde(with = "wire::checksum")]
    pub account_address: Address,
    pub id: UuidV4,
}

/// Paging information.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListAccountsMeta {
    pub total_count: u64,
    /// Cursor of the next page; `null` on the last page (always written).
    pub after: Option<Cursor>,
}

/// An opaque paging cursor: unpadded base64url text.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Cursor(String);

impl Cursor {
    /// Checks the base64url alphabet and that the length is one a base64 text can have.
    pub fn new(s: impl Into<String>) -> Result<Self, ApiError> {
        let s = s.into();
        let alphabet_ok = s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if alphabet_ok && s.len() % 4 != 1 { Ok(Self(s)) } else { Err(ApiError::InvalidCursor { value: s }) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Cursor {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Self::new(String::deserialize(d)?).map_err(D::Error::custom)
    }
}

/// `createAdditional`: the schema admits only the literal `true`.
mod true_only {
    use serde::{Deserialize, Deserializer, Serializer, de::Error as _};

    pub fn serialize<S: Serializer>(v: &bool, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bool(*v)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
        if bool::deserialize(d)? {
            Ok(true)
        } else {
            Err(D::Error::custom("createAdditional may only be `true` (omit it otherwise)"))
        }
    }
}

/// An optional list of checksummed addresses.
mod checksum_vec_opt {
    use alloy_primitives::Address;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(v: &Option<Vec<Address>>, s: S) -> Result<S::Ok, S::Error> {
        v.as_ref().map(|v| v.iter().map(|a| a.to_checksum(None)).collect::<Vec<_>>()).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<Address>>, D::Error> {
        Option::<Vec<Address>>::deserialize(d)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn creation_hints_parse_to_the_variant_their_account_type_names() {
        let h: CreationHint = serde_json::from_value(json!({"accountType": "7702"})).unwrap();
        assert_eq!(h, CreationHint::Eip7702);
        let h: CreationHint = serde_json::from_value(json!({"salt": "0x01"})).unwrap();
        assert_eq!(h, CreationHint::SingleOwner(SingleOwnerHint { salt: Some(U256::from(1)), ..Default::default() }));
        let h: CreationHint = serde_json::from_value(json!({
            "accountType": "ma-v1-multi-owner",
            "initialOwners": ["0x70997970c51812dc3a010c7d01b50e0d17dc79c8"],
            "createAdditional": true
        }))
        .unwrap();
        let CreationHint::MultiOwner(m) = &h else { panic!("{h:?}") };
        assert!(m.create_additional);
        assert_eq!(
            serde_json::to_value(&h).unwrap(),
            json!({
                "accountType": "ma-v1-multi-owner",
                "initialOwners": ["0x70997970C51812dc3A010C7d01b50e0d17dc79C8"],
                "createAdditional": true
            })
        );
    }

    #[test]
    fn bad_creation_hints_are_refused_with_the_reason() {
        let err = serde_json::from_value::<CreationHint>(json!({"accountType": "la-v3"})).unwrap_err();
        assert!(err.to_string().contains("unknown creationHint.accountType `la-v3`"), "{err}");
        let err = serde_json::from_value::<CreationHint>(json!({"createAdditional": false})).unwrap_err();
        assert!(err.to_string().contains("createAdditional may only be `true`"), "{err}");
        let err = serde_json::from_value::<CreationHint>(json!({"accountType": 7702})).unwrap_err();
        assert!(err.to_string().contains("must be a string"), "{err}");
    }

    #[test]
    fn request_without_signer_or_account_is_refused() {
        let err = serde_json::from_value::<RequestAccountParams>(json!({"id": "x"})).unwrap_err();
        assert!(err.to_string().contains("`signerAddress` or `accountAddress`"), "{err}");
    }

    #[test]
    fn ids_must_be_uuid_v4() {
        let ok = json!({"accountAddress": "0x65b5DE0251f553B2208762a4724303E750294D96", "id": "0b6e5a8e-7c1d-4f2a-9e3b-5d4c3b2a1f00"});
        assert!(serde_json::from_value::<RequestAccountResult>(ok).is_ok());
        for bad in [
            "0b6e5a8e-7c1d-1f2a-9e3b-5d4c3b2a1f00", // version 1
            "0b6e5a8e-7c1d-4f2a-7e3b-5d4c3b2a1f00", // not the RFC 4122 variant
            "0b6e5a8e7c1d4f2a9e3b5d4c3b2a1f00",     // simple spelling
        ] {
            let v = json!({"accountAddress": "0x65b5DE0251f553B2208762a4724303E750294D96", "id": bad});
            let err = serde_json::from_value::<RequestAccountResult>(v).unwrap_err();
            assert!(err.to_string().contains("version-4 UUID"), "{bad}: {err}");
        }
    }

    #[test]
    fn list_limits_and_cursors_are_checked() {
        let signer = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
        for limit in [0, 101] {
            let err = serde_json::from_value::<ListAccountsParams>(json!({"signerAddress": signer, "limit": limit}))
                .unwrap_err();
            assert!(err.to_string().contains("outside 1..=100"), "{err}");
        }
        let err = serde_json::from_value::<ListAccountsParams>(json!({"signerAddress": signer, "after": "a+b/"}))
            .unwrap_err();
        assert!(err.to_string().contains("base64url"), "{err}");
        assert!(Cursor::new("abcde").is_err(), "a base64 text never has length 4n+1");
        assert!(Cursor::new("eyJvZmZzZXQiOjF9").is_ok());
    }

    #[test]
    fn last_page_writes_after_as_null() {
        let meta = ListAccountsMeta { total_count: 2, after: None };
        assert_eq!(serde_json::to_value(meta).unwrap(), json!({"totalCount": 2, "after": null}));
    }
}
