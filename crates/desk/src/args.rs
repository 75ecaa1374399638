//! Command arguments, checked by the core's rules: addresses (EIP-55 when mixed case),
//! wire permissions (each malformed one named by its index), expiries, session ids and
//! labels.
//!
//! Commands take their arguments in their loosest JSON shape and check them here, because
//! a value the shell itself fails to deserialize would reject with a bare string instead of
//! a `{code, message}`.

use alloy_primitives::Address;
use warden_core::api::UuidV4;
use warden_core::permissions::Permission;

use crate::error::{AppError, ErrorCode};
use crate::payloads::sessions::FieldError;

/// Parses an address argument: 0x and 40 hex digits; mixed case must be a valid EIP-55
/// checksum (a typo in a mixed-case address is caught, as wallets do).
pub fn parse_address(field: &str, value: &str) -> Result<Address, AppError> {
    let value = value.trim();
    let digits = value.strip_prefix("0x").unwrap_or("");
    if digits.len() != 40 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::invalid_input(format!("{field} must be 0x followed by 40 hex digits")));
    }
    let mixed = digits.bytes().any(|b| b.is_ascii_uppercase()) && digits.bytes().any(|b| b.is_ascii_lowercase());
    if mixed {
        Address::parse_checksummed(value, None)
            .map_err(|_| AppError::invalid_input(format!("{field} has a wrong EIP-55 checksum (a mistyped letter?)")))
    } else {
        value.parse().map_err(|_| AppError::invalid_input(format!("{field} is not a valid address")))
    }
}

/// Reads wire permissions one by one, so a malformed one is named by its index.
pub fn parse_permissions(values: &[serde_json::Value]) -> Result<Vec<Permission>, Vec<FieldError>> {
    let mut out = Vec::with_capacity(values.len());
    let mut errors = Vec::new();
    for (i, v) in values.iter().enumerate() {
        match serde_json::from_value::<Permission>(v.clone()) {
            Ok(p) => out.push(p),
            Err(e) => errors.push(FieldError {
                index: Some(u32::try_from(i).unwrap_or(u32::MAX)),
                field: "data".into(),
                message: format!("permissions[{i}]: {e}"),
            }),
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

/// A unix-seconds expiry argument: null = never; otherwise a positive whole number.
pub fn parse_expiry(value: Option<&serde_json::Value>) -> Result<u64, AppError> {
    match value {
        None | Some(serde_json::Value::Null) => Ok(0),
        Some(v) => v.as_u64().filter(|n| *n > 0).ok_or_else(|| {
            AppError::new(
                ErrorCode::InvalidPermissions,
                format!("expirySec: {v} is not a unix time in whole seconds (null for no expiry)"),
            )
        }),
    }
}

/// The app's id of a listed session (`session_unknown` when it is not one).
pub fn parse_session_id(id: &str) -> Result<UuidV4, AppError> {
    id.trim().parse().map_err(|_| AppError::new(ErrorCode::SessionUnknown, format!("{id:?} is not a session id")))
}

/// A user's label argument: blank means "let Warden name it".
pub fn optional_label(label: Option<String>) -> Option<String> {
    label.filter(|l| !l.trim().is_empty())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn addresses_lower_or_checksummed() {
        let good = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
        assert_eq!(parse_address("id", good).unwrap().to_checksum(None), good);
        assert_eq!(parse_address("id", &good.to_lowercase()).unwrap().to_checksum(None), good);
        let typo = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92267";
        assert!(parse_address("id", typo).unwrap_err().message.contains("checksum"));
        for bad in ["", "0x", "f39fd6e51aad88f6f4ce6ab8827279cfffb92266", "0xzz9fd6e51aad88f6f4ce6ab8827279cfffb92266"]
        {
            assert_eq!(parse_address("address", bad).unwrap_err().code, ErrorCode::InvalidInput);
        }
    }
}
