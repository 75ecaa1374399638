//! Where Warden's entries live in the keychain, and what a person browsing it sees.
//!
//! Every entry is addressed by a *service* (the namespace) and an *account* (what the
//! entry holds, see [`Slot`]). The namespace is the application id, with `.dev` appended
//! in debug builds, so a development build never reads, lists or deletes a release
//! build's keys (and vice versa). Tests and side-by-side installs pick their own
//! namespace through [`NAMESPACE_ENV`] or [`Namespace::new`].
//!
//! Labels are what keychain browsers (Seahorse, Keychain Access) show; they name the
//! kind of secret and its address, and the namespace when it is not the release one.
//! The user's own label for an owner key is not part of it: it lives in the key index and
//! can be renamed without touching the keychain.

use std::fmt;

use alloy_primitives::Address;

use warden_core::error::{Coded, ErrorCode};

/// Warden's application id: the keychain service of release builds.
pub const APP_ID: &str = "dev.warden.app";

/// Environment variable that overrides the namespace (tests, side-by-side installs).
pub const NAMESPACE_ENV: &str = "WARDEN_KEYCHAIN_NAMESPACE";

const MAX_LEN: usize = 128;

/// A namespace that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum NamespaceError {
    #[error("keychain namespace {value:?} is invalid: {reason}")]
    Invalid { value: String, reason: &'static str },
    #[error("{NAMESPACE_ENV} is not valid UTF-8")]
    NotUnicode,
}

impl Coded for NamespaceError {
    fn code(&self) -> ErrorCode {
        ErrorCode::InvalidInput
    }
}

/// The keychain service under which all of one Warden build's entries are stored.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Namespace(String);

impl Namespace {
    /// The namespace of this build: [`APP_ID`] for release builds, `APP_ID.dev` for builds
    /// with debug assertions.
    pub fn for_this_build() -> Self {
        if cfg!(debug_assertions) { Self(format!("{APP_ID}.dev")) } else { Self(APP_ID.to_owned()) }
    }

    /// [`NAMESPACE_ENV`] when it is set, otherwise [`Namespace::for_this_build`].
    pub fn from_env() -> Result<Self, NamespaceError> {
        match std::env::var(NAMESPACE_ENV) {
            Ok(value) => Self::new(value),
            Err(std::env::VarError::NotPresent) => Ok(Self::for_this_build()),
            Err(std::env::VarError::NotUnicode(_)) => Err(NamespaceError::NotUnicode),
        }
    }

    /// A namespace of ASCII letters, digits, `.`, `-` and `_` (it is also part of the key
    /// index's file name), at most 128 characters.
    pub fn new(value: impl Into<String>) -> Result<Self, NamespaceError> {
        let value = value.into();
        let reason = if value.is_empty() {
            Some("it is empty")
        } else if value.len() > MAX_LEN {
            Some("it is longer than 128 characters")
        } else if !value.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_')) {
            Some("only ASCII letters, digits, '.', '-' and '_' are allowed")
        } else if value.starts_with('.') {
            Some("it must not start with '.'")
        } else {
            None
        };
        match reason {
            Some(reason) => Err(NamespaceError::Invalid { value, reason }),
            None => Ok(Self(value)),
        }
    }

    /// The keychain service name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is the namespace of release builds.
    pub fn is_release(&self) -> bool {
        self.0 == APP_ID
    }
}

impl fmt::Display for Namespace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Namespace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Namespace({})", self.0)
    }
}

/// What a keychain entry holds. Each slot is one entry: `(namespace, slot.account())`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Slot {
    /// An owner key, by its address.
    OwnerKey(Address),
    /// A session key Warden generated for a grant, by its address.
    SessionKey(Address),
    /// The Alchemy API key.
    AlchemyApiKey,
    /// A new Alchemy API key on its way in: written and read back here before the old key
    /// is removed, so a failure halfway through a replacement never leaves no key.
    AlchemyApiKeyStaged,
    /// The activity log's newest entry (`{version, seq, hash}`, not a secret), kept here so
    /// that rewriting or deleting the log files is noticed (`warden_core::activity`).
    ActivityAnchor,
}

impl Slot {
    /// The entry's account name (the keychain "user"): `owner-key:0x…`,
    /// `session-key:0x…` (EIP-55 checksummed), `alchemy-api-key`,
    /// `alchemy-api-key:staged` or `activity-anchor`.
    pub fn account(&self) -> String {
        match self {
            Self::OwnerKey(address) => format!("owner-key:{address}"),
            Self::SessionKey(address) => format!("session-key:{address}"),
            Self::AlchemyApiKey => "alchemy-api-key".to_owned(),
            Self::AlchemyApiKeyStaged => "alchemy-api-key:staged".to_owned(),
            Self::ActivityAnchor => "activity-anchor".to_owned(),
        }
    }

    /// The human-readable label of the entry, e.g. `Warden owner key 0xf39F…`.
    pub fn label(&self, namespace: &Namespace) -> String {
        let what = match self {
            Self::OwnerKey(address) => format!("Warden owner key {address}"),
            Self::SessionKey(address) => format!("Warden session key {address}"),
            Self::AlchemyApiKey => "Warden Alchemy API key".to_owned(),
            Self::AlchemyApiKeyStaged => "Warden Alchemy API key (being replaced)".to_owned(),
            Self::ActivityAnchor => "Warden activity log anchor".to_owned(),
        };
        if namespace.is_release() { what } else { format!("{what} ({namespace})") }
    }

    /// The address of a key slot.
    pub fn address(&self) -> Option<Address> {
        match self {
            Self::OwnerKey(address) | Self::SessionKey(address) => Some(*address),
            Self::AlchemyApiKey | Self::AlchemyApiKeyStaged | Self::ActivityAnchor => None,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use alloy_primitives::address;

    #[test]
    fn debug_builds_get_their_own_namespace() {
        let ns = Namespace::for_this_build();
        assert_eq!(ns.is_release(), !cfg!(debug_assertions));
        if cfg!(debug_assertions) {
            assert_eq!(ns.as_str(), "dev.warden.app.dev");
        }
    }

    #[test]
    fn rejects_names_that_cannot_be_a_file_name_part() {
        for bad in ["", "a/b", "..", ".hidden", "a b", "ü", &"x".repeat(129)] {
            let err = Namespace::new(bad).unwrap_err();
            assert_eq!(err.code(), ErrorCode::InvalidInput, "{bad:?}");
        }
        assert_eq!(Namespace::new("warden-test_1.x").unwrap().as_str(), "warden-test_1.x");
    }

    #[test]
    fn accounts_and_labels_name_the_key() {
        let a = address!("f39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
        let release = Namespace::new(APP_ID).unwrap();
        let dev = Namespace::new("dev.warden.app.dev").unwrap();
        assert_eq!(Slot::OwnerKey(a).account(), "owner-key:0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
        assert_eq!(Slot::SessionKey(a).account(), "session-key:0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
        assert_eq!(Slot::AlchemyApiKey.account(), "alchemy-api-key");
        assert_eq!(Slot::OwnerKey(a).label(&release), "Warden owner key 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
        assert_eq!(
            Slot::OwnerKey(a).label(&dev),
            "Warden owner key 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266 (dev.warden.app.dev)"
        );
        assert_eq!(Slot::AlchemyApiKey.label(&release), "Warden Alchemy API key");
    }
}
