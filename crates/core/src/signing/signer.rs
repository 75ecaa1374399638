//! Keys that sign digests without handing themselves out.
//!
//! [`DigestSigner`] is what every signing path in Warden takes: the keychain implements it
//! for keys it holds, [`LocalSigner`] for a key already in memory (tests, `warden sign`,
//! a server's session key from a credentials file). Signatures are 65 bytes `r‖s‖v` with
//! `v` = 27/28, the form both official clients send.

use alloy_primitives::{Address, B256, Signature};
use alloy_signer::SignerSync;
use alloy_signer_local::PrivateKeySigner;

use super::SigningError;
use crate::error::ErrorCode;

/// Something that signs 32-byte digests with one secp256k1 key.
pub trait DigestSigner {
    /// The key's address.
    fn address(&self) -> Address;
    /// Signs `digest` exactly as given (no prefix, no hashing).
    fn sign_digest(&self, digest: &B256) -> Result<Signature, SigningError>;
}

/// A private key held in memory. Its `Debug` shows only the address; the key is wiped on
/// drop (k256 zeroizes its scalar).
#[derive(Clone)]
pub struct LocalSigner {
    inner: PrivateKeySigner,
}

impl LocalSigner {
    /// Parses a 32-byte private key from hex (with or without `0x`). The error never
    /// contains the input.
    pub fn from_hex(hex: &str) -> Result<Self, SigningError> {
        let trimmed = hex.trim();
        let trimmed = trimmed.strip_prefix("0x").unwrap_or(trimmed);
        let invalid = || SigningError::Signer {
            code: ErrorCode::InvalidInput,
            message: "the private key is not 32 bytes of hex".into(),
        };
        // Decoded straight into a wiped buffer: parsing through `FromStr` would leave an
        // unwiped decoded copy on the heap.
        let mut bytes = zeroize::Zeroizing::new([0u8; 32]);
        alloy_primitives::hex::decode_to_slice(trimmed, bytes.as_mut_slice()).map_err(|_| invalid())?;
        PrivateKeySigner::from_slice(bytes.as_slice()).map(|inner| Self { inner }).map_err(|_| invalid())
    }

    /// A fresh random key from the OS CSPRNG.
    pub fn random() -> Self {
        Self { inner: PrivateKeySigner::random() }
    }

    /// Wraps an alloy signer.
    pub fn from_alloy(inner: PrivateKeySigner) -> Self {
        Self { inner }
    }
}

impl std::fmt::Debug for LocalSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalSigner").field("address", &self.inner.address()).finish_non_exhaustive()
    }
}

impl DigestSigner for LocalSigner {
    fn address(&self) -> Address {
        self.inner.address()
    }

    fn sign_digest(&self, digest: &B256) -> Result<Signature, SigningError> {
        self.inner.sign_hash_sync(digest).map_err(|e| SigningError::signer(e.to_string()))
    }
}

/// `r‖s‖v` with `v` = 27/28.
pub fn signature_bytes(sig: &Signature) -> [u8; 65] {
    sig.as_bytes()
}

/// Recovers the signer of a 65-byte signature over `digest`. `v` may be 27/28 or 0/1.
pub fn recover(digest: &B256, signature: &[u8]) -> Result<Address, SigningError> {
    let sig = Signature::try_from(signature)
        .map_err(|e| SigningError::BadSignature(format!("not a 65-byte r‖s‖v signature: {e}")))?;
    sig.recover_address_from_prehash(digest)
        .map_err(|e| SigningError::BadSignature(format!("does not recover to any address: {e}")))
}
