//! [`Keychain`]: every key-custody operation Warden offers, over the keychain entries
//! ([`crate::store`]) and the owner-key index ([`crate::index`]).
//!
//! * Owner keys: create (OS CSPRNG), import (hex or BIP-39 mnemonic + path), list, select,
//!   rename, delete (only with [`Confirmation::Confirmed`]), sign through a
//!   [`KeySigner`]. There is no way to read an owner key back out.
//! * Session keys Warden generates for a grant: create, sign, reveal for a credentials
//!   export (the one secret this crate hands out, because a server needs it), delete.
//! * The Alchemy API key: set, replace (never without a working key in between), get,
//!   delete.
//!
//! Invariants: a key is written to the keychain once, only after the keychain answered
//! "no entry", and never overwritten (the activity log's anchor, which is not a key, is
//! the one entry replaced in place: [`crate::anchor`]); the index records a key only once its entry is
//! confirmed stored (a failed index write removes the entry this very call created);
//! every error is a [`KeychainError`] with a stable [`ErrorCode`].
//!
//! Reading secrets from a terminal or stdin is the CLI's job; this crate takes them as
//! [`SecretString`]s.

use std::path::Path;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use alloy_primitives::Address;
use keyring_core::CredentialStore;
use tracing::{debug, info, warn};

use warden_core::error::{Coded, ErrorCode};

use crate::index::{IndexError, IndexFile, OwnerKeyInfo, OwnerKeyRecord};
use crate::namespace::{Namespace, NamespaceError, Slot};
use crate::secret::{KeyMaterialError, SecretKey, SecretString};
use crate::signer::KeySigner;
use crate::store::{EntryStore, StoreError};

const MAX_LABEL_CHARS: usize = 64;

/// Any failure of a keychain operation.
#[derive(Debug, thiserror::Error)]
pub enum KeychainError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error(transparent)]
    KeyMaterial(#[from] KeyMaterialError),
    #[error(transparent)]
    Namespace(#[from] NamespaceError),
    #[error("owner key {address} is not in Warden's list of owner keys (see `warden key list`)")]
    UnknownOwnerKey { address: Address },
    #[error("owner key {address} is already in Warden's list as {label:?}; Warden never overwrites a key")]
    OwnerKeyExists { address: Address, label: String },
    #[error(
        "deleting owner key {address} needs explicit confirmation: it cannot be undone and the key cannot be exported first"
    )]
    NotConfirmed { address: Address },
    #[error(
        "erasing every Warden entry in the keychain needs explicit confirmation: owner keys cannot be exported first"
    )]
    NotConfirmedErase,
    #[error("the keychain entries were erased but the owner-key list {path} could not be removed: {reason}")]
    EraseIndex { path: std::path::PathBuf, reason: String },
    #[error("the label is invalid: {reason}")]
    InvalidLabel { reason: &'static str },
    #[error("the API key is invalid: {reason}")]
    InvalidApiKey { reason: &'static str },
    #[error("signing with {address} failed: {detail}")]
    Sign { address: Address, detail: String },
}

impl Coded for KeychainError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::Store(e) => e.code(),
            Self::Index(e) => e.code(),
            Self::KeyMaterial(e) => e.code(),
            Self::Namespace(e) => e.code(),
            Self::UnknownOwnerKey { .. } => ErrorCode::KeyNotFound,
            Self::OwnerKeyExists { .. } => ErrorCode::AlreadyExists,
            Self::NotConfirmed { .. }
            | Self::NotConfirmedErase
            | Self::InvalidLabel { .. }
            | Self::InvalidApiKey { .. } => ErrorCode::InvalidInput,
            Self::Sign { .. } => ErrorCode::Internal,
            Self::EraseIndex { .. } => ErrorCode::StorageFailed,
        }
    }
}

/// Where an imported owner key comes from.
#[derive(Debug)]
pub enum OwnerKeySource<'a> {
    /// 64 hex digits, optionally `0x`-prefixed.
    PrivateKeyHex(&'a SecretString),
    /// A BIP-39 English mnemonic and a derivation path (default
    /// [`crate::DEFAULT_DERIVATION_PATH`]).
    Mnemonic { phrase: &'a SecretString, derivation_path: Option<&'a str> },
}

/// The explicit answer to "delete this owner key for good?".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Confirmation {
    /// The user confirmed (e.g. `--yes`, or a confirmation dialog).
    Confirmed,
    /// Not confirmed: the deletion is refused.
    NotConfirmed,
}

/// Warden's keys in the OS keychain, for one namespace and config directory. Cheap to
/// clone; safe to share between threads.
#[derive(Clone, Debug)]
pub struct Keychain {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    entries: EntryStore,
    index: IndexFile,
}

impl Keychain {
    /// Connects to the platform keychain (the Secret Service on Linux) and uses
    /// `config_dir` for the owner-key index. Fails with a `keychain_unavailable` error
    /// when there is no keychain to connect to; there is no fallback.
    pub fn open(namespace: Namespace, config_dir: &Path) -> Result<Self, KeychainError> {
        let entries = EntryStore::open_platform(namespace.clone())?;
        Ok(Self::from_parts(entries, config_dir, &namespace))
    }

    /// Uses `store` instead of the platform keychain: any `keyring-core` store, such as
    /// its mock store for fault-injection tests.
    pub fn with_store(store: Arc<CredentialStore>, namespace: Namespace, config_dir: &Path) -> Self {
        let entries = EntryStore::with_store(store, namespace.clone());
        Self::from_parts(entries, config_dir, &namespace)
    }

    fn from_parts(entries: EntryStore, config_dir: &Path, namespace: &Namespace) -> Self {
        let index = IndexFile::new(config_dir, namespace);
        Self { inner: Arc::new(Inner { entries, index }) }
    }

    /// The keychain service all entries are stored under.
    pub fn namespace(&self) -> &Namespace {
        self.inner.entries.namespace()
    }

    /// The owner-key index file.
    pub fn index_path(&self) -> &Path {
        self.inner.index.path()
    }

    pub(crate) fn entries(&self) -> &EntryStore {
        &self.inner.entries
    }

    pub(crate) fn index(&self) -> &IndexFile {
        &self.inner.index
    }

    // ----- owner keys -------------------------------------------------------------------

    /// Creates a new owner key from the OS CSPRNG. The first owner key becomes the
    /// selected one. `label` defaults to "Owner key N".
    pub fn create_owner_key(&self, label: Option<&str>) -> Result<OwnerKeyInfo, KeychainError> {
        let label = label.map(checked_label).transpose()?;
        let key = SecretKey::generate()?;
        self.add_owner_key(&key, label, false)
    }

    /// Imports an owner key. Refused with `already_exists` when the key is already listed
    /// or its keychain entry holds something else; the existing entry is left untouched.
    pub fn import_owner_key(
        &self,
        source: OwnerKeySource<'_>,
        label: Option<&str>,
    ) -> Result<OwnerKeyInfo, KeychainError> {
        let label = label.map(checked_label).transpose()?;
        let key = match source {
            OwnerKeySource::PrivateKeyHex(hex) => SecretKey::from_hex(hex.expose())?,
            OwnerKeySource::Mnemonic { phrase, derivation_path } => {
                SecretKey::from_mnemonic(phrase.expose(), derivation_path)?
            }
        };
        self.add_owner_key(&key, label, true)
    }

    fn add_owner_key(
        &self,
        key: &SecretKey,
        label: Option<String>,
        adopt_identical_entry: bool,
    ) -> Result<OwnerKeyInfo, KeychainError> {
        let Inner { entries, index } = &*self.inner;
        let address = key.address();
        let slot = Slot::OwnerKey(address);
        index.locked(|| {
            let mut doc = index.load()?;
            if let Some(existing) = doc.find(address) {
                return Err(KeychainError::OwnerKeyExists { address, label: existing.label.clone() });
            }
            let created = match entries.create(slot, &key.to_stored()) {
                Ok(()) => true,
                // An entry an earlier run stored but could not record (crash between the
                // two writes): recorded as is when it holds this very key, never rewritten.
                Err(exists @ StoreError::AlreadyExists { .. }) if adopt_identical_entry => {
                    match self.load_key(slot) {
                        Ok(_) => {}
                        // Anything but this key: refuse, leaving the entry as it is.
                        Err(KeychainError::Store(StoreError::Corrupt { .. })) => return Err(exists.into()),
                        Err(e) => return Err(e),
                    }
                    warn!(%address, namespace = %entries.namespace(), "recording an existing keychain entry for an imported owner key");
                    false
                }
                Err(e) => return Err(e.into()),
            };
            let label = label.unwrap_or_else(|| format!("Owner key {}", doc.owner_keys.len() + 1));
            doc.owner_keys.push(OwnerKeyRecord { address, label, created_at: unix_now() });
            if doc.selected.is_none() {
                doc.selected = Some(address);
            }
            if let Err(e) = index.save(&doc) {
                if created && let Err(cleanup) = entries.delete(slot) {
                    warn!(%address, error = %cleanup, "could not remove the keychain entry of an owner key the index failed to record");
                }
                return Err(e.into());
            }
            info!(%address, namespace = %entries.namespace(), "added owner key");
            let record = doc.find(address).ok_or(KeychainError::UnknownOwnerKey { address })?;
            Ok(doc.info(record))
        })
    }

    /// The owner keys, oldest first: addresses and labels only. Reads the index, so it
    /// works while the keychain is locked.
    pub fn list_owner_keys(&self) -> Result<Vec<OwnerKeyInfo>, KeychainError> {
        Ok(self.inner.index.load()?.list())
    }

    /// The selected owner key, if any.
    pub fn selected_owner_key(&self) -> Result<Option<OwnerKeyInfo>, KeychainError> {
        Ok(self.list_owner_keys()?.into_iter().find(|k| k.selected))
    }

    /// Makes `address` the selected owner key.
    pub fn select_owner_key(&self, address: Address) -> Result<OwnerKeyInfo, KeychainError> {
        let index = &self.inner.index;
        index.locked(|| {
            let mut doc = index.load()?;
            if doc.find(address).is_none() {
                return Err(KeychainError::UnknownOwnerKey { address });
            }
            doc.selected = Some(address);
            index.save(&doc)?;
            info!(%address, "selected owner key");
            let record = doc.find(address).ok_or(KeychainError::UnknownOwnerKey { address })?;
            Ok(doc.info(record))
        })
    }

    /// Gives owner key `address` a new label (the keychain entry is not touched).
    pub fn rename_owner_key(&self, address: Address, label: &str) -> Result<OwnerKeyInfo, KeychainError> {
        let label = checked_label(label)?;
        let index = &self.inner.index;
        index.locked(|| {
            let mut doc = index.load()?;
            let record = doc.find_mut(address).ok_or(KeychainError::UnknownOwnerKey { address })?;
            record.label = label;
            index.save(&doc)?;
            info!(%address, "renamed owner key");
            let record = doc.find(address).ok_or(KeychainError::UnknownOwnerKey { address })?;
            Ok(doc.info(record))
        })
    }

    /// Deletes owner key `address` from the keychain and the list. Refused unless
    /// `confirmation` is [`Confirmation::Confirmed`]. If the key was selected, no key is
    /// selected afterwards (Warden never switches accounts on its own).
    pub fn delete_owner_key(&self, address: Address, confirmation: Confirmation) -> Result<(), KeychainError> {
        if confirmation != Confirmation::Confirmed {
            return Err(KeychainError::NotConfirmed { address });
        }
        let Inner { entries, index } = &*self.inner;
        index.locked(|| {
            let mut doc = index.load()?;
            if doc.find(address).is_none() {
                return Err(KeychainError::UnknownOwnerKey { address });
            }
            match entries.delete(Slot::OwnerKey(address)) {
                Ok(()) => {}
                Err(StoreError::NotFound { .. }) => {
                    warn!(%address, "the owner key's keychain entry was already gone; removing it from the list");
                }
                Err(e) => return Err(e.into()),
            }
            doc.owner_keys.retain(|k| k.address != address);
            if doc.selected == Some(address) {
                doc.selected = None;
            }
            index.save(&doc)?;
            info!(%address, namespace = %entries.namespace(), "deleted owner key");
            Ok(())
        })
    }

    /// A signer for owner key `address`. The key is read once now (so a locked or
    /// corrupt entry is reported before anything is shown to the user) and again for
    /// each signature, never kept.
    pub fn owner_signer(&self, address: Address) -> Result<KeySigner, KeychainError> {
        if self.inner.index.load()?.find(address).is_none() {
            return Err(KeychainError::UnknownOwnerKey { address });
        }
        self.signer(Slot::OwnerKey(address))
    }

    // ----- session keys -----------------------------------------------------------------

    /// Generates a session key (OS CSPRNG), stores it and returns its address.
    pub fn create_session_key(&self) -> Result<Address, KeychainError> {
        let key = SecretKey::generate()?;
        let address = key.address();
        let Inner { entries, index } = &*self.inner;
        index.locked(|| entries.create(Slot::SessionKey(address), &key.to_stored()).map_err(KeychainError::from))?;
        info!(%address, namespace = %entries.namespace(), "created session key");
        Ok(address)
    }

    /// A signer for session key `address` (`key_not_found` when Warden holds no such key).
    pub fn session_signer(&self, address: Address) -> Result<KeySigner, KeychainError> {
        self.signer(Slot::SessionKey(address))
    }

    /// The private key of session key `address`, as 0x-prefixed hex, for a credentials
    /// export the user asked for. Owner keys have no such method.
    pub fn reveal_session_key(&self, address: Address) -> Result<SecretString, KeychainError> {
        let key = self.load_key(Slot::SessionKey(address))?;
        let stored = key.to_stored();
        let mut out = String::with_capacity(2 + stored.len());
        out.push_str("0x");
        out.push_str(&stored);
        info!(%address, "revealed session key for export");
        Ok(SecretString::new(out))
    }

    /// Deletes session key `address` (when its session is forgotten).
    pub fn delete_session_key(&self, address: Address) -> Result<(), KeychainError> {
        let Inner { entries, index } = &*self.inner;
        index.locked(|| entries.delete(Slot::SessionKey(address)).map_err(KeychainError::from))?;
        info!(%address, namespace = %entries.namespace(), "deleted session key");
        Ok(())
    }

    // ----- Alchemy API key --------------------------------------------------------------

    /// Stores the Alchemy API key. Refused with `already_exists` when one is stored (use
    /// [`Self::replace_alchemy_api_key`] to replace it).
    pub fn set_alchemy_api_key(&self, api_key: &SecretString) -> Result<(), KeychainError> {
        let value = checked_api_key(api_key)?;
        let Inner { entries, index } = &*self.inner;
        index.locked(|| entries.create(Slot::AlchemyApiKey, value).map_err(KeychainError::from))?;
        info!(namespace = %entries.namespace(), "stored the Alchemy API key");
        Ok(())
    }

    /// Stores `api_key` as the Alchemy API key, replacing the stored one if there is one.
    ///
    /// The old key is never removed before the new one is safely stored: the new key is
    /// written to a staging entry and read back, then the old entry is removed and the new
    /// key written in its place, then the staging entry is removed. Whatever step fails,
    /// [`Self::alchemy_api_key`] still returns a working key (the old one, or the new one
    /// from the staging entry), and calling this again finishes the job. Storing the key
    /// that is already stored writes nothing.
    pub fn replace_alchemy_api_key(&self, api_key: &SecretString) -> Result<(), KeychainError> {
        let value = checked_api_key(api_key)?;
        let Inner { entries, index } = &*self.inner;
        index.locked(|| {
            let mut current = read_optional(entries, Slot::AlchemyApiKey)?;
            let staged = read_optional(entries, Slot::AlchemyApiKeyStaged)?;
            match (&current, staged) {
                // An earlier replacement stopped after removing the old key: the staged key
                // is the working one. Put it in place first, exactly as that run would have.
                (None, Some(staged)) => {
                    entries.create(Slot::AlchemyApiKey, &staged)?;
                    entries.delete(Slot::AlchemyApiKeyStaged)?;
                    current = Some(staged);
                }
                // Left over from a replacement that stopped before removing the old key (or
                // after writing the new one): the current entry is the working key.
                (Some(_), Some(_)) => entries.delete(Slot::AlchemyApiKeyStaged)?,
                (_, None) => {}
            }
            match current {
                Some(current) if current.as_str() == value => {}
                None => entries.create(Slot::AlchemyApiKey, value)?,
                Some(_) => {
                    entries.create(Slot::AlchemyApiKeyStaged, value)?;
                    match entries.delete(Slot::AlchemyApiKey) {
                        Ok(()) | Err(StoreError::NotFound { .. }) => {}
                        Err(e) => return Err(e.into()),
                    }
                    entries.create(Slot::AlchemyApiKey, value)?;
                    if let Err(e) = entries.delete(Slot::AlchemyApiKeyStaged) {
                        // The new key is in place; the copy left behind is removed by the
                        // next replacement and never read while the main entry exists.
                        warn!(error = %e, "could not remove the staged copy of the new Alchemy API key");
                    }
                }
            }
            Ok::<(), KeychainError>(())
        })?;
        info!(namespace = %entries.namespace(), "stored the Alchemy API key");
        Ok(())
    }

    /// The Alchemy API key, or `None` when none is stored (Warden then uses the local
    /// devnet). When a replacement stopped halfway, the key it was storing.
    pub fn alchemy_api_key(&self) -> Result<Option<SecretString>, KeychainError> {
        let entries = &self.inner.entries;
        let value = match read_optional(entries, Slot::AlchemyApiKey)? {
            Some(value) => Some(value),
            None => read_optional(entries, Slot::AlchemyApiKeyStaged)?,
        };
        Ok(value.map(|mut value| SecretString::new(std::mem::take(&mut *value))))
    }

    /// Deletes the Alchemy API key (`key_not_found` when none is stored), including the
    /// staged copy of an unfinished replacement.
    pub fn delete_alchemy_api_key(&self) -> Result<(), KeychainError> {
        let Inner { entries, index } = &*self.inner;
        index.locked(|| {
            let staged = match entries.delete(Slot::AlchemyApiKeyStaged) {
                Ok(()) => true,
                Err(StoreError::NotFound { .. }) => false,
                Err(e) => return Err(KeychainError::from(e)),
            };
            match entries.delete(Slot::AlchemyApiKey) {
                Err(StoreError::NotFound { .. }) if staged => Ok(()),
                other => other.map_err(KeychainError::from),
            }
        })?;
        info!(namespace = %entries.namespace(), "deleted the Alchemy API key");
        Ok(())
    }

    // ----- keys in use ------------------------------------------------------------------

    fn signer(&self, slot: Slot) -> Result<KeySigner, KeychainError> {
        let key = self.load_key(slot)?;
        Ok(KeySigner::new(self.clone(), slot, key.address()))
    }

    /// Reads the key of `slot` into wiped-on-drop memory, checking that the entry holds a
    /// valid key for the slot's address.
    pub(crate) fn load_key(&self, slot: Slot) -> Result<SecretKey, KeychainError> {
        let entries = &self.inner.entries;
        let stored = entries.read(slot)?;
        let corrupt = |reason: String| StoreError::Corrupt {
            service: entries.namespace().to_string(),
            account: slot.account(),
            reason,
        };
        let key =
            SecretKey::from_stored(&stored).map_err(|e| corrupt(format!("it does not hold a private key ({e})")))?;
        if let Some(expected) = slot.address()
            && key.address() != expected
        {
            return Err(corrupt(format!("it holds the key of {}, not of {expected}", key.address())).into());
        }
        debug!(account = %slot.account(), "loaded key");
        Ok(key)
    }
}

fn checked_api_key(api_key: &SecretString) -> Result<&str, KeychainError> {
    let value = api_key.expose();
    if value.is_empty() {
        return Err(KeychainError::InvalidApiKey { reason: "it is empty" });
    }
    if !value.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(KeychainError::InvalidApiKey { reason: "it contains whitespace, control or non-ASCII characters" });
    }
    Ok(value)
}

/// The secret of `slot`, or `None` when it has no entry.
fn read_optional(entries: &EntryStore, slot: Slot) -> Result<Option<zeroize::Zeroizing<String>>, StoreError> {
    match entries.read(slot) {
        Ok(value) => Ok(Some(value)),
        Err(StoreError::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

fn checked_label(label: &str) -> Result<String, KeychainError> {
    let label = label.trim();
    if label.is_empty() {
        return Err(KeychainError::InvalidLabel { reason: "it is empty" });
    }
    if label.chars().count() > MAX_LABEL_CHARS {
        return Err(KeychainError::InvalidLabel { reason: "it is longer than 64 characters" });
    }
    if label.chars().any(char::is_control) {
        return Err(KeychainError::InvalidLabel { reason: "it contains control characters" });
    }
    Ok(label.to_owned())
}

pub(crate) fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}
