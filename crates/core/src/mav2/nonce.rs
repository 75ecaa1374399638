//! MAv2 validation locator in the EntryPoint nonce (protocol.md §6.1).
//!
//! nonce = key (192 bits) ‖ sequence (64 bits); key = parallel key (152 bits) ‖ entity id
//! (32 bits) ‖ flags (8 bits). The owner uses entity 0 with the global flag (key `0x01`).
//! A session's first op carries the deferred-action flag (and global for root); after
//! installation it uses the same entity without that flag, a different key whose sequence
//! starts again at 0.

use alloy_primitives::U256;

/// Flag: global validation (root sessions, the owner).
pub const FLAG_GLOBAL: u8 = 0x01;
/// Flag: the op carries a deferred action (a session's first use).
pub const FLAG_DEFERRED: u8 = 0x02;
/// Flag: direct-call validation.
pub const FLAG_DIRECT_CALL: u8 = 0x04;

/// A nonce split into its parts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NonceParts {
    /// The 152-bit parallel nonce key.
    pub parallel_key: U256,
    /// Validation entity id.
    pub entity_id: u32,
    /// Option flags (`FLAG_*`).
    pub flags: u8,
    /// The 64-bit sequence.
    pub sequence: u64,
}

impl NonceParts {
    /// Splits a full 256-bit nonce.
    pub fn from_nonce(nonce: U256) -> Self {
        let sequence: u64 = (nonce & U256::from(u64::MAX)).to();
        let key: U256 = nonce >> 64;
        let entity: U256 = (key >> 8) & U256::from(u32::MAX);
        let flags: U256 = key & U256::from(0xffu8);
        Self { parallel_key: key >> 40, entity_id: entity.to(), flags: flags.to(), sequence }
    }

    /// The 192-bit nonce key.
    pub fn key(&self) -> U256 {
        nonce_key(self.parallel_key, self.entity_id, self.flags)
    }

    /// The full 256-bit nonce.
    pub fn nonce(&self) -> U256 {
        (self.key() << 64) | U256::from(self.sequence)
    }

    pub fn is_global(&self) -> bool {
        self.flags & FLAG_GLOBAL != 0
    }

    pub fn is_deferred(&self) -> bool {
        self.flags & FLAG_DEFERRED != 0
    }
}

/// key = (parallel << 40) | (entity << 8) | flags. The parallel key must be below 2^152
/// (callers validate that; higher bits are cut off here).
pub fn nonce_key(parallel_key: U256, entity_id: u32, flags: u8) -> U256 {
    let parallel = parallel_key & ((U256::from(1) << 152) - U256::from(1));
    (parallel << 40) | (U256::from(entity_id) << 8) | U256::from(flags)
}

/// The owner's nonce key: entity 0, global (`0x01`).
pub fn owner_key() -> U256 {
    nonce_key(U256::ZERO, 0, FLAG_GLOBAL)
}

/// Key of a session's first op, which installs it through the deferred action.
pub fn session_first_use_key(parallel_key: U256, entity_id: u32, root: bool) -> U256 {
    nonce_key(parallel_key, entity_id, FLAG_DEFERRED | if root { FLAG_GLOBAL } else { 0 })
}

/// Key of a session's ops once it is installed.
pub fn session_installed_key(parallel_key: U256, entity_id: u32, root: bool) -> U256 {
    nonce_key(parallel_key, entity_id, if root { FLAG_GLOBAL } else { 0 })
}

/// nonce = key << 64 | sequence.
pub fn nonce_from_key(key: U256, sequence: u64) -> U256 {
    (key << 64) | U256::from(sequence)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn spec_examples() {
        assert_eq!(nonce_from_key(owner_key(), 0), U256::from(1) << 64);
        assert_eq!(session_first_use_key(U256::ZERO, 1, true), U256::from(0x103));
        assert_eq!(session_first_use_key(U256::ZERO, 1, false), U256::from(0x102));
        assert_eq!(session_installed_key(U256::ZERO, 7, false), U256::from(0x700));
        let n = nonce_from_key(session_first_use_key(U256::from(0x1234), 1, false), 5);
        let parts = NonceParts::from_nonce(n);
        assert_eq!(parts.parallel_key, U256::from(0x1234));
        assert_eq!((parts.entity_id, parts.flags, parts.sequence), (1, 2, 5));
        assert_eq!(parts.nonce(), n);
        assert!(parts.is_deferred() && !parts.is_global());
    }
}
