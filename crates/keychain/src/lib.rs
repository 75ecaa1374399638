//! Warden key custody: owner keys, session keys and the Alchemy API key in the OS
//! keychain (Secret Service on Linux, Keychain Services on macOS, Credential Manager on
//! Windows), with no plaintext fallback.
//!
//! * [`keychain`] — [`Keychain`]: create, import, list, select, rename and delete owner
//!   keys; create, use and delete session keys; set, get and delete the API key.
//! * [`signer`] — [`KeySigner`]: signs digests for a key without handing the key out;
//!   implements `warden_core::signing::DigestSigner`.
//! * [`store`] — keychain entries over `keyring-core`, created only on "no entry", never
//!   overwritten, with every failure classified ([`StoreError`]).
//! * [`index`] — the non-secret owner-key list (addresses, labels, selection) in a JSON
//!   file written atomically.
//! * [`anchor`] — the activity log's anchor (its newest entry, not a secret) in the
//!   keychain, as `warden_core::activity::HeadAnchor`.
//! * [`erase`] — what Warden keeps in the keychain, and erasing all of it (a reset).
//! * [`repair`] — rebuilding a lost or damaged index from the keychain's own entries.
//! * [`namespace`] — entry naming: per-build namespaces and human-readable labels.
//! * [`secret`] — secret values in wiped-on-drop memory with redacted `Debug` and no
//!   `Serialize`; hex and BIP-39 key material.
//!
//! Every error implements [`Coded`](warden_core::error::Coded): `key_not_found`,
//! `keychain_locked`, `keychain_denied`, `keychain_unavailable`, `keychain_corrupt`,
//! `already_exists`, `invalid_input`, …
//!
//! Left out: the `warden key …` commands (they belong to the CLI crate, which also reads
//! secrets from stdin or a tty), and Windows/macOS-specific refinement of "locked" versus
//! "denied" (only the Secret Service's errors are inspected so far).

pub mod anchor;
pub mod erase;
pub mod index;
pub mod keychain;
pub mod namespace;
pub mod repair;
pub mod secret;
pub mod signer;
pub mod store;

pub use erase::{Erased, KeychainInventory};
pub use index::{CONFIG_DIR_ENV, IndexError, OwnerKeyInfo, default_config_dir};
pub use keychain::{Confirmation, Keychain, KeychainError, OwnerKeySource};
pub use namespace::{APP_ID, NAMESPACE_ENV, Namespace, NamespaceError, Slot};
pub use repair::{IndexRepair, RepairedKey, RepairedState, SkippedEntry};
pub use secret::{DEFAULT_DERIVATION_PATH, KeyMaterialError, SecretString};
pub use signer::KeySigner;
pub use store::{Operation, StoreError};

/// The `keyring-core` version this crate is built on, for callers that pass their own
/// store to [`Keychain::with_store`] (such as its mock store in tests).
pub use keyring_core;
