//! The eight session permission types (protocol.md §3.10): their wire form, the rules a set of
//! them must satisfy before anything is encoded or signed, and how they read to a person.
//!
//! Wire types stay close to the JSON (function lists are raw hex, so a three-byte
//! "selector" is reported by [`validate`] with the permission and field named, rather than
//! failing somewhere inside serde). [`validate`] turns a wire list into a
//! [`PermissionSet`], the only input the MAv2 encoder accepts. The kinds and the wire enum
//! are declared together, once, in `kind.rs`.

mod describe;
mod kind;
mod selector;
mod validate;

pub use describe::{
    Description, RiskFlag, Severity, TokenInfo, decimals_changed, describe, format_native, format_units,
};
pub use kind::{Permission, PermissionKind};
pub use selector::{FunctionSelector, SignatureError, function_selector};
pub use validate::{
    GrantLimits, MAX_ENTITY_ID, PRIVILEGED_SELECTORS, PermissionError, PermissionSet, ValidatedPermission,
    privileged_selector_name, validate, validate_grant,
};

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
