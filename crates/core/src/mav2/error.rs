//! Errors of the MAv2 codec.

use crate::error::{Coded, ErrorCode};

/// Why MAv2 data could not be encoded or decoded. `what` names the structure being read
/// (e.g. `installValidation call`, `hooks[2]`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Mav2Error {
    #[error("{what}: {reason}")]
    Malformed { what: &'static str, reason: String },
    #[error("{what}: {reason}; Warden will not sign what it cannot explain")]
    Unexplained { what: String, reason: String },
    #[error("{what}: the encoding is not canonical (re-encoding the decoded value gives different bytes)")]
    NonCanonical { what: &'static str },
    #[error("user operation: {field} = {value:#x} does not fit in 128 bits and cannot be packed")]
    GasFieldTooLarge { field: &'static str, value: alloy_primitives::U256 },
}

impl Coded for Mav2Error {
    fn code(&self) -> ErrorCode {
        match self {
            Self::GasFieldTooLarge { .. } => ErrorCode::InvalidInput,
            _ => ErrorCode::DecodeFailed,
        }
    }
}
