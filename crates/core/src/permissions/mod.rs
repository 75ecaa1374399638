//! The eight session permission types (protocol.md §3.10): their wire form, the rules a set of
//! them must satisfy before anything is encoded or signed, and how they read to a person.
//!
//! Wire types stay close to the JSON (function lists are raw hex, so a three-byte
//! "selector" is reported by [`validate`] with the permission and field named, rather than
//! failing somewhere inside serde). [`validate`] turns a wire list into a
//! [`PermissionSet`], the only input the MAv2 encoder accepts.

mod describe;
mod kind;
mod selector;
mod validate;

pub use describe::{
    Description, RiskFlag, Severity, TokenInfo, decimals_changed, describe, format_native, format_units,
};
pub use kind::PermissionKind;
pub use selector::{FunctionSelector, SignatureError, function_selector};
pub use validate::{
    GrantLimits, MAX_ENTITY_ID, PRIVILEGED_SELECTORS, PermissionError, PermissionSet, ValidatedPermission,
    privileged_selector_name, validate, validate_grant,
};

use alloy_primitives::{Address, Bytes, U256};
use serde::{Deserialize, Serialize};

use crate::wire;

/// One element of `wallet_createSession.permissions`, exactly as on the wire.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum Permission {
    /// Cumulative native value the key may send.
    #[serde(rename = "native-token-transfer")]
    NativeTokenTransfer {
        #[serde(with = "wire::quantity")]
        allowance: U256,
    },
    /// Cumulative `transfer`/`approve` amount of one ERC-20 token.
    #[serde(rename = "erc20-token-transfer")]
    Erc20TokenTransfer {
        #[serde(with = "wire::quantity")]
        allowance: U256,
        #[serde(with = "wire::checksum")]
        address: Address,
    },
    /// Cumulative gas spend (wei) the key may incur.
    #[serde(rename = "gas-limit")]
    GasLimit {
        #[serde(with = "wire::quantity")]
        limit: U256,
    },
    /// Any function on one contract.
    #[serde(rename = "contract-access")]
    ContractAccess {
        #[serde(with = "wire::checksum")]
        address: Address,
    },
    /// These functions on the account itself.
    #[serde(rename = "account-functions")]
    AccountFunctions { functions: Vec<Bytes> },
    /// These selectors on any target.
    #[serde(rename = "functions-on-all-contracts")]
    FunctionsOnAllContracts { functions: Vec<Bytes> },
    /// These selectors on one contract.
    #[serde(rename = "functions-on-contract")]
    FunctionsOnContract {
        #[serde(with = "wire::checksum")]
        address: Address,
        functions: Vec<Bytes>,
    },
    /// Full access (global validation); must be the only permission.
    #[serde(rename = "root")]
    Root,
}

impl Permission {
    /// Its kind (the wire `type`), with the title a person sees.
    pub fn kind(&self) -> PermissionKind {
        match self {
            Self::NativeTokenTransfer { .. } => PermissionKind::NativeTokenTransfer,
            Self::Erc20TokenTransfer { .. } => PermissionKind::Erc20TokenTransfer,
            Self::GasLimit { .. } => PermissionKind::GasLimit,
            Self::ContractAccess { .. } => PermissionKind::ContractAccess,
            Self::AccountFunctions { .. } => PermissionKind::AccountFunctions,
            Self::FunctionsOnAllContracts { .. } => PermissionKind::FunctionsOnAllContracts,
            Self::FunctionsOnContract { .. } => PermissionKind::FunctionsOnContract,
            Self::Root => PermissionKind::Root,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_forms_round_trip() {
        let cases = [
            r#"{"type":"root"}"#,
            r#"{"type":"native-token-transfer","data":{"allowance":"0x38d7ea4c68000"}}"#,
            r#"{"type":"erc20-token-transfer","data":{"allowance":"0x0","address":"0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"}}"#,
            r#"{"type":"gas-limit","data":{"limit":"0x1"}}"#,
            r#"{"type":"contract-access","data":{"address":"0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"}}"#,
            r#"{"type":"account-functions","data":{"functions":["0x12345678"]}}"#,
            r#"{"type":"functions-on-all-contracts","data":{"functions":["0xa9059cbb"]}}"#,
            r#"{"type":"functions-on-contract","data":{"address":"0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48","functions":["0xa9059cbb","0x095ea7b3"]}}"#,
        ];
        for c in cases {
            let p: Permission = serde_json::from_str(c).unwrap();
            assert_eq!(serde_json::to_string(&p).unwrap(), c);
        }
    }

    #[test]
    fn unknown_type_is_an_error() {
        assert!(serde_json::from_str::<Permission>(r#"{"type":"call-limit","data":{}}"#).is_err());
    }
}
