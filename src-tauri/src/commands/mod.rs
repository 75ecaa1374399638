//! The `#[tauri::command]`s the UI calls: the IPC contract (`docs/architecture.md`). Each is a
//! few lines: take plain arguments, call the core crates, map errors to
//! [`AppError`](crate::error::AppError). Secrets arrive only in the import and API-key
//! commands, as [`Sensitive`](crate::sensitive::Sensitive) values.
//!
//! Arguments are taken in their loosest JSON shape (strings, numbers) and checked here,
//! because a value Tauri itself fails to deserialize would reject with a bare string
//! instead of a `{code, message}`.
//!
//! [`COMMANDS`] lists every command: `build.rs` generates their permissions from the same
//! names, the capability grants them to the main window, and a test checks the three agree.

pub mod account;
pub mod activity;
pub mod app;
pub mod backend;
pub mod export;
pub mod grant;
pub mod keys;
pub mod permissions;
pub mod requests;
pub mod sessions;

use alloy_primitives::Address;

use crate::error::AppError;

include!("names.rs");

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

/// A user's label argument: blank means "let Warden name it".
pub fn optional_label(label: Option<String>) -> Option<String> {
    label.filter(|l| !l.trim().is_empty())
}

#[cfg(test)]
mod tests {
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
            assert_eq!(parse_address("address", bad).unwrap_err().code, crate::error::ErrorCode::InvalidInput);
        }
    }
}
