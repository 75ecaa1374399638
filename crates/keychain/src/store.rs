//! Keychain entries: read, create-only-if-absent and delete, over `keyring-core`, with
//! every failure classified into a typed [`StoreError`].
//!
//! # Why keyring-core and the platform stores, not the `keyring` facade
//! `keyring` 4 is a thin facade over exactly these crates (`keyring-core` plus one store per
//! platform: the zbus Secret Service store on Linux and the BSDs, Keychain Services on
//! macOS, Credential Manager on Windows). Its `Entry` always goes through a process-wide
//! default store that is initialised once: if the Secret Service is not running at the
//! first call, it stays unavailable for the life of the process, and tests cannot give
//! each keychain its own (mock) store. Its own documentation tells applications that
//! need that control to link `keyring-core` and the stores directly, which is what this
//! module does: [`Keychain::open`](crate::Keychain::open) connects afresh each time, and
//! [`Keychain::with_store`](crate::Keychain::with_store) takes any store (keyring-core's
//! mock in the fault tests).
//!
//! # Classification
//! `keyring-core` reports `NoEntry`, `NoStorageAccess` (locked, or a prompt dismissed),
//! `PlatformFailure` and a few format errors. On the Secret Service the platform error is
//! a `secret_service::Error` (wrapping zbus errors), which is inspected to tell apart "no
//! Secret Service / no session bus" (unavailable), "locked", and "prompt dismissed /
//! access denied". Elsewhere, `NoStorageAccess` reads as locked and other platform
//! failures as a failed operation. Raw secret bytes that some errors carry
//! (`BadEncoding`, `BadDataFormat`) are wiped, never formatted.
//!
//! # Never overwrite
//! Every store's `set` replaces an existing item, so `EntryStore::create` reads first
//! and writes only on `NoEntry`; any other answer (locked, denied, corrupt…) refuses to
//! write. Between two Warden processes the check and the write are serialised by the
//! caller's index lock; a third-party program writing the same item in that window is not
//! something the keychain APIs let us exclude.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use keyring_core::{CredentialStore, Entry, Error as KeyringError};
use zeroize::{Zeroize, Zeroizing};

use warden_core::error::{Coded, ErrorCode};

use crate::namespace::{Namespace, Slot};

/// What a keychain call was doing when it failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    /// Connecting to the platform keychain.
    Open,
    /// Reading an entry.
    Read,
    /// Creating an entry.
    Create,
    /// Deleting an entry.
    Delete,
    /// Listing the entries of the namespace.
    Search,
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Open => "open",
            Self::Read => "read",
            Self::Create => "create",
            Self::Delete => "delete",
            Self::Search => "list",
        })
    }
}

#[cfg(all(unix, not(any(target_os = "macos", target_os = "ios", target_os = "android"))))]
const UNAVAILABLE_HINT: &str = "no Secret Service is running: start gnome-keyring or KWallet in this desktop session (it needs a D-Bus session bus)";
#[cfg(target_os = "macos")]
const UNAVAILABLE_HINT: &str = "the macOS keychain could not be reached";
#[cfg(target_os = "windows")]
const UNAVAILABLE_HINT: &str = "the Windows Credential Manager could not be reached";
#[cfg(not(any(
    all(unix, not(any(target_os = "macos", target_os = "ios", target_os = "android"))),
    target_os = "macos",
    target_os = "windows"
)))]
const UNAVAILABLE_HINT: &str = "Warden has no keychain for this platform";

/// A keychain failure, classified. Messages name the entry and say what to do; they
/// never contain secret material.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("keychain entry {account} does not exist in {service}")]
    NotFound { service: String, account: String },
    #[error(
        "keychain entry {account} already exists in {service}; Warden never overwrites a key (delete the existing entry first if it really should be replaced)"
    )]
    AlreadyExists { service: String, account: String },
    #[error("the keychain is locked: unlock it (for example the login keyring) and try again ({detail})")]
    Locked { detail: String },
    #[error(
        "access to keychain entry {account} was denied: allow Warden when the keychain asks, then try again ({detail})"
    )]
    Denied { account: String, detail: String },
    #[error("{hint} ({detail})", hint = UNAVAILABLE_HINT)]
    Unavailable { detail: String },
    #[error("keychain entry {account} in {service} is corrupt: {reason}")]
    Corrupt { service: String, account: String, reason: String },
    #[error("the keychain failed to {operation} entry {account}: {detail}")]
    Failed { operation: Operation, account: String, detail: String },
    #[error("the keychain rejected the request to {operation} entry {account}: {detail}")]
    Rejected { operation: Operation, account: String, detail: String },
}

impl Coded for StoreError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::NotFound { .. } => ErrorCode::KeyNotFound,
            Self::AlreadyExists { .. } => ErrorCode::AlreadyExists,
            Self::Locked { .. } => ErrorCode::KeychainLocked,
            Self::Denied { .. } => ErrorCode::KeychainDenied,
            // A platform failure mid-operation: the keychain service did not do what was
            // asked; the remedy is the same as for an unreachable one.
            Self::Unavailable { .. } | Self::Failed { .. } => ErrorCode::KeychainUnavailable,
            Self::Corrupt { .. } => ErrorCode::KeychainCorrupt,
            // The store refused a service/account/label Warden built: a Warden bug.
            Self::Rejected { .. } => ErrorCode::Internal,
        }
    }
}

/// The keychain entries of one namespace.
pub(crate) struct EntryStore {
    store: Arc<CredentialStore>,
    namespace: Namespace,
    /// Whether the store accepts a `label` modifier (the Secret Service does; the others
    /// label entries themselves and reject unknown modifiers).
    labels: bool,
}

impl fmt::Debug for EntryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EntryStore").field("store", &self.store).field("namespace", &self.namespace).finish()
    }
}

impl EntryStore {
    /// Connects to the platform keychain.
    pub(crate) fn open_platform(namespace: Namespace) -> Result<Self, StoreError> {
        let store = platform_store().map_err(|e| classify(e, Operation::Open, &namespace, "(none)"))?;
        Ok(Self::with_store(store, namespace))
    }

    /// Uses `store` (any keyring-core store) for the entries of `namespace`.
    pub(crate) fn with_store(store: Arc<CredentialStore>, namespace: Namespace) -> Self {
        let labels = accepts_label_modifier(&store);
        Self { store, namespace, labels }
    }

    pub(crate) fn namespace(&self) -> &Namespace {
        &self.namespace
    }

    /// The secret of `slot`; [`StoreError::NotFound`] when there is none.
    pub(crate) fn read(&self, slot: Slot) -> Result<Zeroizing<String>, StoreError> {
        let entry = self.entry(slot, Operation::Read)?;
        entry.get_password().map(Zeroizing::new).map_err(|e| self.classify(e, Operation::Read, slot))
    }

    /// Stores `secret` in `slot` if and only if the keychain reports that the slot has no
    /// entry, then reads it back to confirm it was stored.
    pub(crate) fn create(&self, slot: Slot, secret: &str) -> Result<(), StoreError> {
        let entry = self.entry(slot, Operation::Create)?;
        match entry.get_password() {
            Ok(existing) => {
                drop(Zeroizing::new(existing));
                return Err(StoreError::AlreadyExists { service: self.namespace.to_string(), account: slot.account() });
            }
            Err(KeyringError::NoEntry) => {}
            Err(e) => return Err(self.classify(e, Operation::Create, slot)),
        }
        entry.set_password(secret).map_err(|e| self.classify(e, Operation::Create, slot))?;
        let stored = entry.get_password().map(Zeroizing::new).map_err(|e| self.classify(e, Operation::Create, slot))?;
        if stored.as_str() != secret {
            return Err(StoreError::Failed {
                operation: Operation::Create,
                account: slot.account(),
                detail: "the value read back differs from the value written".to_owned(),
            });
        }
        Ok(())
    }

    /// Stores `value` in `slot`, replacing what it holds, and reads it back. Only for
    /// entries that are not keys (the activity anchor): keys are never overwritten
    /// ([`Self::create`]).
    pub(crate) fn replace_record(&self, slot: Slot, value: &str) -> Result<(), StoreError> {
        debug_assert!(matches!(slot, Slot::ActivityAnchor), "only records are replaced in place, never keys");
        let entry = self.entry(slot, Operation::Create)?;
        entry.set_password(value).map_err(|e| self.classify(e, Operation::Create, slot))?;
        let stored = entry.get_password().map(Zeroizing::new).map_err(|e| self.classify(e, Operation::Read, slot))?;
        if stored.as_str() != value {
            return Err(StoreError::Failed {
                operation: Operation::Create,
                account: slot.account(),
                detail: "the value read back differs from the value written".to_owned(),
            });
        }
        Ok(())
    }

    /// Deletes the entry of `slot`; [`StoreError::NotFound`] when there is none.
    pub(crate) fn delete(&self, slot: Slot) -> Result<(), StoreError> {
        let entry = self.entry(slot, Operation::Delete)?;
        entry.delete_credential().map_err(|e| self.classify(e, Operation::Delete, slot))
    }

    /// Deletes the entry named `account` in this namespace, whatever it holds (for erasing
    /// every entry, including kinds this build does not know); [`StoreError::NotFound`]
    /// when there is none.
    pub(crate) fn delete_account(&self, account: &str) -> Result<(), StoreError> {
        let entry = self
            .store
            .build(self.namespace.as_str(), account, None)
            .map_err(|e| classify(e, Operation::Delete, &self.namespace, account))?;
        entry.delete_credential().map_err(|e| classify(e, Operation::Delete, &self.namespace, account))
    }

    /// The account names of every entry in this namespace, as the keychain lists them
    /// (nothing is read or changed). Stores that cannot list their entries answer
    /// [`StoreError::Rejected`].
    pub(crate) fn accounts(&self) -> Result<Vec<String>, StoreError> {
        let spec = HashMap::from([("service", self.namespace.as_str())]);
        let found =
            self.store.search(&spec).map_err(|e| classify(e, Operation::Search, &self.namespace, "(all entries)"))?;
        let mut accounts: Vec<String> = found
            .iter()
            .filter_map(Entry::get_specifiers)
            // Some stores match the service as a substring: keep this namespace's only.
            .filter(|(service, _)| service == self.namespace.as_str())
            .map(|(_, account)| account)
            .collect();
        accounts.sort();
        accounts.dedup();
        Ok(accounts)
    }

    fn entry(&self, slot: Slot, operation: Operation) -> Result<Entry, StoreError> {
        let account = slot.account();
        let label = slot.label(&self.namespace);
        let modifiers = HashMap::from([("label", label.as_str())]);
        let modifiers = self.labels.then_some(&modifiers);
        self.store.build(self.namespace.as_str(), &account, modifiers).map_err(|e| self.classify(e, operation, slot))
    }

    fn classify(&self, err: KeyringError, operation: Operation, slot: Slot) -> StoreError {
        classify(err, operation, &self.namespace, &slot.account())
    }
}

/// Maps a keyring error to a [`StoreError`], wiping any secret bytes it carries.
fn classify(err: KeyringError, operation: Operation, namespace: &Namespace, account: &str) -> StoreError {
    let service = namespace.to_string();
    let account = account.to_owned();
    let corrupt = |reason: &str| StoreError::Corrupt {
        service: service.clone(),
        account: account.clone(),
        reason: reason.to_owned(),
    };
    match err {
        KeyringError::NoEntry => StoreError::NotFound { service, account },
        KeyringError::NoStorageAccess(inner) => match platform_kind(inner.as_ref()) {
            Some(Kind::Denied) => StoreError::Denied { account, detail: inner.to_string() },
            Some(Kind::Unavailable) => StoreError::Unavailable { detail: inner.to_string() },
            _ => StoreError::Locked { detail: inner.to_string() },
        },
        KeyringError::PlatformFailure(inner) => match (operation, platform_kind(inner.as_ref())) {
            (Operation::Open, _) | (_, Some(Kind::Unavailable)) => {
                StoreError::Unavailable { detail: inner.to_string() }
            }
            (_, Some(Kind::Locked)) => StoreError::Locked { detail: inner.to_string() },
            (_, Some(Kind::Denied)) => StoreError::Denied { account, detail: inner.to_string() },
            (_, None) => StoreError::Failed { operation, account, detail: inner.to_string() },
        },
        KeyringError::BadEncoding(mut bytes) => {
            bytes.zeroize();
            corrupt("its value is not UTF-8 text")
        }
        KeyringError::BadDataFormat(mut bytes, _) => {
            bytes.zeroize();
            corrupt("the keychain could not decode its value")
        }
        KeyringError::BadStoreFormat(reason) => corrupt(&format!("the keychain's storage is malformed: {reason}")),
        KeyringError::Ambiguous(entries) => {
            corrupt(&format!("{} keychain items match it; remove the duplicates", entries.len()))
        }
        KeyringError::NoDefaultStore => {
            StoreError::Unavailable { detail: "no keychain store is configured".to_owned() }
        }
        KeyringError::Invalid(what, why) => {
            StoreError::Rejected { operation, account, detail: format!("{what} is invalid: {why}") }
        }
        KeyringError::TooLong(what, limit) => {
            StoreError::Rejected { operation, account, detail: format!("{what} is longer than {limit}") }
        }
        KeyringError::NotSupportedByStore(why) => StoreError::Rejected { operation, account, detail: why },
        other => StoreError::Failed { operation, account, detail: other.to_string() },
    }
}

/// What a platform error says about the keychain, when the platform tells us (only the
/// Secret Service's errors are inspected so far).
#[cfg_attr(not(all(unix, not(any(target_os = "macos", target_os = "ios", target_os = "android")))), allow(dead_code))]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Unavailable,
    Locked,
    Denied,
}

#[cfg(all(unix, not(any(target_os = "macos", target_os = "ios", target_os = "android"))))]
mod platform {
    use std::sync::Arc;

    use keyring_core::CredentialStore;
    use secret_service::Error as SsError;

    use super::Kind;

    pub(super) fn store() -> keyring_core::Result<Arc<CredentialStore>> {
        Ok(zbus_secret_service_keyring_store::Store::new()?)
    }

    pub(super) fn accepts_label_modifier(store: &Arc<CredentialStore>) -> bool {
        store.as_any().is::<zbus_secret_service_keyring_store::Store>()
    }

    pub(super) fn kind(err: &(dyn std::error::Error + Send + Sync + 'static)) -> Option<Kind> {
        if let Some(err) = err.downcast_ref::<SsError>() {
            return match err {
                SsError::Unavailable | SsError::PromptDisconnected => Some(Kind::Unavailable),
                SsError::Locked | SsError::NoResult => Some(Kind::Locked),
                SsError::Prompt => Some(Kind::Denied),
                SsError::Zbus(err) => zbus_kind(err),
                SsError::ZbusFdo(err) => fdo_kind(err),
                _ => None,
            };
        }
        err.downcast_ref::<zbus::Error>().and_then(zbus_kind)
    }

    fn zbus_kind(err: &zbus::Error) -> Option<Kind> {
        match err {
            zbus::Error::Address(_)
            | zbus::Error::InputOutput(_)
            | zbus::Error::Connection(..)
            | zbus::Error::Handshake(_)
            | zbus::Error::InterfaceNotFound => Some(Kind::Unavailable),
            zbus::Error::MethodError(name, _, _) => error_name_kind(name.as_str()),
            zbus::Error::FDO(err) => fdo_kind(err),
            _ => None,
        }
    }

    fn fdo_kind(err: &zbus::fdo::Error) -> Option<Kind> {
        use zbus::fdo::Error as Fdo;
        match err {
            Fdo::ZBus(err) => zbus_kind(err),
            Fdo::ServiceUnknown(_)
            | Fdo::NameHasNoOwner(_)
            | Fdo::NoServer(_)
            | Fdo::NoReply(_)
            | Fdo::Disconnected(_)
            | Fdo::BadAddress(_)
            | Fdo::SpawnExecFailed(_)
            | Fdo::SpawnForkFailed(_)
            | Fdo::SpawnChildExited(_)
            | Fdo::SpawnChildSignaled(_)
            | Fdo::SpawnFailed(_)
            | Fdo::SpawnFailedToSetup(_)
            | Fdo::SpawnConfigInvalid(_)
            | Fdo::SpawnServiceNotValid(_) => Some(Kind::Unavailable),
            Fdo::AccessDenied(_) | Fdo::AuthFailed(_) => Some(Kind::Denied),
            _ => None,
        }
    }

    fn error_name_kind(name: &str) -> Option<Kind> {
        match name {
            "org.freedesktop.Secret.Error.IsLocked" => Some(Kind::Locked),
            "org.freedesktop.DBus.Error.AccessDenied" | "org.freedesktop.DBus.Error.AuthFailed" => Some(Kind::Denied),
            "org.freedesktop.DBus.Error.ServiceUnknown"
            | "org.freedesktop.DBus.Error.NameHasNoOwner"
            | "org.freedesktop.DBus.Error.NoServer"
            | "org.freedesktop.DBus.Error.NoReply"
            | "org.freedesktop.DBus.Error.Disconnected" => Some(Kind::Unavailable),
            name if name.starts_with("org.freedesktop.DBus.Error.Spawn.") => Some(Kind::Unavailable),
            _ => None,
        }
    }
}

#[cfg(target_os = "macos")]
mod platform {
    use std::sync::Arc;

    use keyring_core::CredentialStore;

    use super::Kind;

    pub(super) fn store() -> keyring_core::Result<Arc<CredentialStore>> {
        Ok(apple_native_keyring_store::keychain::Store::new()?)
    }

    pub(super) fn accepts_label_modifier(_: &Arc<CredentialStore>) -> bool {
        false
    }

    pub(super) fn kind(_: &(dyn std::error::Error + Send + Sync + 'static)) -> Option<Kind> {
        None
    }
}

#[cfg(target_os = "windows")]
mod platform {
    use std::sync::Arc;

    use keyring_core::CredentialStore;

    use super::Kind;

    pub(super) fn store() -> keyring_core::Result<Arc<CredentialStore>> {
        Ok(windows_native_keyring_store::Store::new()?)
    }

    pub(super) fn accepts_label_modifier(_: &Arc<CredentialStore>) -> bool {
        false
    }

    pub(super) fn kind(_: &(dyn std::error::Error + Send + Sync + 'static)) -> Option<Kind> {
        None
    }
}

#[cfg(not(any(
    all(unix, not(any(target_os = "macos", target_os = "ios", target_os = "android"))),
    target_os = "macos",
    target_os = "windows"
)))]
mod platform {
    use std::sync::Arc;

    use keyring_core::{CredentialStore, Error};

    use super::Kind;

    pub(super) fn store() -> keyring_core::Result<Arc<CredentialStore>> {
        Err(Error::NotSupportedByStore("no keychain store for this platform".to_owned()))
    }

    pub(super) fn accepts_label_modifier(_: &Arc<CredentialStore>) -> bool {
        false
    }

    pub(super) fn kind(_: &(dyn std::error::Error + Send + Sync + 'static)) -> Option<Kind> {
        None
    }
}

fn platform_store() -> keyring_core::Result<Arc<CredentialStore>> {
    platform::store()
}

fn accepts_label_modifier(store: &Arc<CredentialStore>) -> bool {
    platform::accepts_label_modifier(store)
}

fn platform_kind(err: &(dyn std::error::Error + Send + Sync + 'static)) -> Option<Kind> {
    platform::kind(err)
}
