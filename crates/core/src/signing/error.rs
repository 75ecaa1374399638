//! Errors of digest computation and signing.

use crate::error::{Coded, ErrorCode};

/// Why a request could not be hashed or signed.
#[derive(Debug, thiserror::Error)]
pub enum SigningError {
    #[error("typed data: {0}")]
    TypedData(String),
    #[error("personal_sign: {0}")]
    Message(String),
    #[error(
        "eip7702Auth: the authorization tuple (chainId, address, nonce) is needed to compute the digest; it comes from the enclosing prepared call"
    )]
    MissingAuthorization,
    #[error("signature: {0}")]
    BadSignature(String),
    /// The signer itself failed; `code` keeps its classification (e.g. a keychain that is
    /// locked or unavailable) so callers can still branch on it.
    #[error("signer: {message}")]
    Signer { code: ErrorCode, message: String },
}

impl SigningError {
    /// A signer failure Warden cannot classify further.
    pub fn signer(message: impl Into<String>) -> Self {
        Self::Signer { code: ErrorCode::Internal, message: message.into() }
    }
}

impl Coded for SigningError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::TypedData(_) | Self::Message(_) | Self::MissingAuthorization => ErrorCode::InvalidInput,
            Self::BadSignature(_) => ErrorCode::BadSignature,
            Self::Signer { code, .. } => *code,
        }
    }
}
