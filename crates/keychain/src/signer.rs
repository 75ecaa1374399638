//! [`KeySigner`]: a handle that signs digests with a key that stays in the keychain.
//!
//! It holds the key's address, never the key: each signature reads the key from the
//! keychain into wiped-on-drop memory, signs, and drops it (k256 wipes its signing key on
//! drop too). It implements [`warden_core::signing::DigestSigner`], so every signing path
//! of the core takes it like any other signer.
//!
//! `DigestSigner` reports failures as `SigningError::Signer { code, message }` with the
//! keychain's classified code (locked, denied, unavailable, corrupt…); [`KeySigner::sign`]
//! is the same operation returning the typed [`KeychainError`] itself.

use alloy_primitives::{Address, B256, Signature};
use alloy_signer::SignerSync;
use tracing::debug;

use warden_core::Coded;
use warden_core::signing::{DigestSigner, SigningError};

use crate::keychain::{Keychain, KeychainError};
use crate::namespace::Slot;

/// Signs 32-byte digests with an owner or session key held in the keychain.
#[derive(Clone, Debug)]
pub struct KeySigner {
    keychain: Keychain,
    slot: Slot,
    address: Address,
}

impl KeySigner {
    pub(crate) fn new(keychain: Keychain, slot: Slot, address: Address) -> Self {
        Self { keychain, slot, address }
    }

    /// The key's address.
    pub fn address(&self) -> Address {
        self.address
    }

    /// Signs `digest` exactly as given (no prefix, no hashing): 65 bytes `r‖s‖v` with
    /// `v` = 27/28 from `Signature::as_bytes`.
    pub fn sign(&self, digest: &B256) -> Result<Signature, KeychainError> {
        let key = self.keychain.load_key(self.slot)?;
        let signer = key.signer()?;
        let signature = signer
            .sign_hash_sync(digest)
            .map_err(|e| KeychainError::Sign { address: self.address, detail: e.to_string() })?;
        debug!(address = %self.address, "signed a digest");
        Ok(signature)
    }
}

impl DigestSigner for KeySigner {
    fn address(&self) -> Address {
        self.address
    }

    fn sign_digest(&self, digest: &B256) -> Result<Signature, SigningError> {
        self.sign(digest).map_err(|e| SigningError::Signer { code: e.code(), message: e.to_string() })
    }
}
