//! The owner-key index: which owner keys exist, their labels, when they were added and
//! which one is selected. Non-secret, so it lives in a small JSON file rather than the
//! keychain.
//!
//! # Why a file and not a keychain entry
//! * Listing keys and showing which one is selected must not need the keychain unlocked
//!   (nor trigger an unlock prompt): only secrets belong behind the keychain.
//! * Keychains differ in how (and whether) they can enumerate entries; a file reads the
//!   same everywhere and can be inspected by a person.
//! * Renaming or selecting a key rewrites only this file; the keychain entry of a key is
//!   written once, when the key is created, and never again.
//!
//! The file is `<config dir>/<namespace>.owner-keys.json`, so development and release
//! builds keep separate lists just as they keep separate keychain entries. It is replaced
//! atomically (temp file in the same directory, fsync, rename, fsync of the directory):
//! a reader sees the old or the new list, never half of one. Writers (CLI and app may run
//! at once) serialise on an advisory lock of `<namespace>.owner-keys.lock`, held across
//! read-modify-write and, by the caller, across the keychain write it records.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use alloy_primitives::Address;
use serde::{Deserialize, Serialize};

use warden_core::error::{Coded, ErrorCode};

use crate::namespace::Namespace;

const FORMAT_VERSION: u32 = 1;

/// The index file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("could not {action} the owner-key index {path}: {source}")]
    Io { action: &'static str, path: PathBuf, source: io::Error },
    #[error(
        "the owner-key index {path} is malformed: {reason} (`warden key list --repair` rebuilds it from the keychain)"
    )]
    Malformed { path: PathBuf, reason: String },
}

impl Coded for IndexError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::Io { .. } => ErrorCode::Internal,
            Self::Malformed { .. } => ErrorCode::DecodeFailed,
        }
    }
}

/// A damaged index file, as a repair finds it.
#[derive(Debug)]
pub(crate) struct Damaged {
    /// Why it could not be read.
    pub(crate) reason: String,
    /// The records that could still be read from it.
    pub(crate) salvaged: IndexDoc,
}

/// One owner key as listed: never more than its address and what the user called it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OwnerKeyInfo {
    /// The key's address (EIP-55 checksummed in JSON).
    #[serde(with = "checksummed")]
    pub address: Address,
    /// The user's label.
    pub label: String,
    /// When the key was created or imported, in Unix seconds.
    pub created_at: u64,
    /// Whether this is the selected owner key.
    pub selected: bool,
}

/// A key's record in the file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct OwnerKeyRecord {
    #[serde(with = "checksummed")]
    pub(crate) address: Address,
    pub(crate) label: String,
    pub(crate) created_at: u64,
}

/// The whole file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct IndexDoc {
    version: u32,
    namespace: String,
    #[serde(with = "checksummed::option")]
    pub(crate) selected: Option<Address>,
    pub(crate) owner_keys: Vec<OwnerKeyRecord>,
}

impl IndexDoc {
    fn empty(namespace: &Namespace) -> Self {
        Self { version: FORMAT_VERSION, namespace: namespace.to_string(), selected: None, owner_keys: Vec::new() }
    }

    pub(crate) fn find(&self, address: Address) -> Option<&OwnerKeyRecord> {
        self.owner_keys.iter().find(|k| k.address == address)
    }

    pub(crate) fn find_mut(&mut self, address: Address) -> Option<&mut OwnerKeyRecord> {
        self.owner_keys.iter_mut().find(|k| k.address == address)
    }

    pub(crate) fn info(&self, record: &OwnerKeyRecord) -> OwnerKeyInfo {
        OwnerKeyInfo {
            address: record.address,
            label: record.label.clone(),
            created_at: record.created_at,
            selected: self.selected == Some(record.address),
        }
    }

    pub(crate) fn list(&self) -> Vec<OwnerKeyInfo> {
        self.owner_keys.iter().map(|k| self.info(k)).collect()
    }

    fn check(&self, namespace: &Namespace) -> Result<(), String> {
        if self.version != FORMAT_VERSION {
            return Err(format!("format version {} is not supported (expected {FORMAT_VERSION})", self.version));
        }
        if self.namespace != namespace.as_str() {
            return Err(format!("it belongs to namespace {:?}, not {namespace}", self.namespace));
        }
        for (i, key) in self.owner_keys.iter().enumerate() {
            if self.owner_keys[..i].iter().any(|k| k.address == key.address) {
                return Err(format!("owner key {} is listed twice", key.address));
            }
        }
        if let Some(selected) = self.selected
            && self.find(selected).is_none()
        {
            return Err(format!("the selected key {selected} is not listed"));
        }
        Ok(())
    }
}

/// Environment variable naming the folder that holds the owner-key index (and other
/// non-secret Warden files), for tests and portable installs.
pub const CONFIG_DIR_ENV: &str = "WARDEN_CONFIG_DIR";

/// The folder the CLI and the app both keep the owner-key index in, so they list the same
/// keys: [`CONFIG_DIR_ENV`], else `$XDG_CONFIG_HOME/warden`, else `~/.config/warden`.
/// `None` when none of these variables is set.
pub fn default_config_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os(CONFIG_DIR_ENV).filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    if let Some(dir) = std::env::var_os("XDG_CONFIG_HOME").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir).join("warden"));
    }
    std::env::var_os("HOME").filter(|d| !d.is_empty()).map(|h| PathBuf::from(h).join(".config/warden"))
}

/// The index file of one namespace in one config directory.
#[derive(Clone, Debug)]
pub(crate) struct IndexFile {
    dir: PathBuf,
    path: PathBuf,
    lock_path: PathBuf,
    namespace: Namespace,
}

impl IndexFile {
    pub(crate) fn new(config_dir: &Path, namespace: &Namespace) -> Self {
        Self {
            dir: config_dir.to_path_buf(),
            path: config_dir.join(format!("{namespace}.owner-keys.json")),
            lock_path: config_dir.join(format!("{namespace}.owner-keys.lock")),
            namespace: namespace.clone(),
        }
    }

    /// Removes the lock file (a reset, after the index itself is gone); never an error.
    pub(crate) fn remove_lock_file(&self) {
        let _ = fs::remove_file(&self.lock_path);
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The current list; an empty one when the file does not exist yet.
    pub(crate) fn load(&self) -> Result<IndexDoc, IndexError> {
        let text = match fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(IndexDoc::empty(&self.namespace)),
            Err(source) => return Err(IndexError::Io { action: "read", path: self.path.clone(), source }),
        };
        let doc: IndexDoc = serde_json::from_str(&text)
            .map_err(|e| IndexError::Malformed { path: self.path.clone(), reason: e.to_string() })?;
        doc.check(&self.namespace).map_err(|reason| IndexError::Malformed { path: self.path.clone(), reason })?;
        Ok(doc)
    }

    /// For a repair: the list as it is, or — when the file is damaged — why, and whatever
    /// records can still be read from it (address and label; a selection that names one
    /// of them). A missing file is an empty list.
    pub(crate) fn load_for_repair(&self) -> Result<Result<IndexDoc, Damaged>, IndexError> {
        match self.load() {
            Ok(doc) => Ok(Ok(doc)),
            Err(IndexError::Malformed { reason, .. }) => Ok(Err(self.salvage(reason))),
            Err(e) => Err(e),
        }
    }

    fn salvage(&self, reason: String) -> Damaged {
        let mut doc = IndexDoc::empty(&self.namespace);
        let value = fs::read_to_string(&self.path)
            .ok()
            .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
            .unwrap_or_default();
        let records = value.get("owner_keys").and_then(serde_json::Value::as_array).cloned().unwrap_or_default();
        for record in records {
            let Some(address) = record.get("address").and_then(|a| a.as_str()).and_then(|a| a.parse().ok()) else {
                continue;
            };
            let Some(label) = record.get("label").and_then(|l| l.as_str()) else { continue };
            if doc.find(address).is_none() {
                let created_at = record.get("created_at").and_then(serde_json::Value::as_u64).unwrap_or(0);
                doc.owner_keys.push(OwnerKeyRecord { address, label: label.to_owned(), created_at });
            }
        }
        doc.selected = value
            .get("selected")
            .and_then(|s| s.as_str())
            .and_then(|s| s.parse().ok())
            .filter(|s| doc.find(*s).is_some());
        Damaged { reason, salvaged: doc }
    }

    /// Moves a damaged file aside (`<file>.damaged-<unix seconds>`, never replacing
    /// anything) so a repair keeps it for a person to look at. Call only inside
    /// [`IndexFile::locked`].
    pub(crate) fn set_aside(&self, now: u64) -> Result<PathBuf, IndexError> {
        let name = self.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        for n in 0..1000u32 {
            let suffix = if n == 0 { String::new() } else { format!("-{n}") };
            let aside = self.dir.join(format!("{name}.damaged-{now}{suffix}"));
            // A hard link fails when the target exists, so nothing is ever replaced.
            match fs::hard_link(&self.path, &aside) {
                Ok(()) => {
                    fs::remove_file(&self.path).map_err(|source| IndexError::Io {
                        action: "move aside",
                        path: self.path.clone(),
                        source,
                    })?;
                    sync_dir(&self.dir).map_err(|source| IndexError::Io {
                        action: "flush the directory of",
                        path: self.path.clone(),
                        source,
                    })?;
                    return Ok(aside);
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(source) => return Err(IndexError::Io { action: "move aside", path: self.path.clone(), source }),
            }
        }
        Err(IndexError::Io {
            action: "move aside",
            path: self.path.clone(),
            source: io::Error::new(io::ErrorKind::AlreadyExists, "too many damaged copies are already kept"),
        })
    }

    /// Runs `f` holding the index's write lock (blocking until other writers finish).
    pub(crate) fn locked<T, E: From<IndexError>>(&self, f: impl FnOnce() -> Result<T, E>) -> Result<T, E> {
        fs::create_dir_all(&self.dir).map_err(|source| IndexError::Io {
            action: "create the directory of",
            path: self.path.clone(),
            source,
        })?;
        let file = OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(false)
            .open(&self.lock_path)
            .map_err(|source| IndexError::Io { action: "open the lock of", path: self.path.clone(), source })?;
        let mut lock = fd_lock::RwLock::new(file);
        let _guard =
            lock.write().map_err(|source| IndexError::Io { action: "lock", path: self.path.clone(), source })?;
        f()
    }

    /// Atomically replaces the file with `doc`. Call only inside [`IndexFile::locked`].
    pub(crate) fn save(&self, doc: &IndexDoc) -> Result<(), IndexError> {
        let io_err = |action: &'static str| move |source| IndexError::Io { action, path: self.path.clone(), source };
        let mut json = serde_json::to_vec_pretty(doc)
            .map_err(|e| IndexError::Malformed { path: self.path.clone(), reason: e.to_string() })?;
        json.push(b'\n');
        // NamedTempFile is created 0600 in the same directory, so the rename is atomic.
        let mut tmp = tempfile::NamedTempFile::new_in(&self.dir).map_err(io_err("create a temporary file for"))?;
        tmp.write_all(&json).map_err(io_err("write"))?;
        tmp.as_file().sync_all().map_err(io_err("flush"))?;
        tmp.persist(&self.path).map_err(|e| IndexError::Io {
            action: "replace",
            path: self.path.clone(),
            source: e.error,
        })?;
        sync_dir(&self.dir).map_err(io_err("flush the directory of"))?;
        Ok(())
    }
}

/// Addresses in EIP-55 checksum form (serde's default is lowercase), so a person reading
/// the file sees the same form as everywhere else. Any case is accepted when reading.
mod checksummed {
    use alloy_primitives::Address;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(address: &Address, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&address.to_checksum(None))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Address, D::Error> {
        Address::deserialize(deserializer)
    }

    pub(super) mod option {
        use alloy_primitives::Address;
        use serde::{Deserialize, Deserializer, Serializer};

        pub(in super::super) fn serialize<S: Serializer>(
            address: &Option<Address>,
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            match address {
                Some(address) => super::serialize(address, serializer),
                None => serializer.serialize_none(),
            }
        }

        pub(in super::super) fn deserialize<'de, D: Deserializer<'de>>(
            deserializer: D,
        ) -> Result<Option<Address>, D::Error> {
            Option::<Address>::deserialize(deserializer)
        }
    }
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_: &Path) -> io::Result<()> {
    // Windows has no directory handle to flush; ReplaceFile/MoveFileEx is already durable.
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use alloy_primitives::address;

    fn ns() -> Namespace {
        Namespace::new("warden-index-test").unwrap()
    }

    #[test]
    fn missing_file_is_an_empty_list_and_saves_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let file = IndexFile::new(dir.path(), &ns());
        let mut doc = file.load().unwrap();
        assert!(doc.owner_keys.is_empty() && doc.selected.is_none());
        let a = address!("f39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
        doc.owner_keys.push(OwnerKeyRecord { address: a, label: "main".into(), created_at: 7 });
        doc.selected = Some(a);
        file.locked(|| file.save(&doc)).unwrap();
        assert_eq!(file.load().unwrap(), doc);
        let text = fs::read_to_string(file.path()).unwrap();
        assert_eq!(text.matches("\"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266\"").count(), 2, "{text}");
        // Only the index and its lock are left behind: no temporary files.
        let mut names: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        names.sort();
        assert_eq!(names, ["warden-index-test.owner-keys.json", "warden-index-test.owner-keys.lock"]);
    }

    #[test]
    fn malformed_files_are_reported_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let file = IndexFile::new(dir.path(), &ns());
        let a = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
        let cases = [
            ("{not json".to_owned(), "key must be a string"),
            (
                r#"{"version":2,"namespace":"warden-index-test","selected":null,"owner_keys":[]}"#.to_owned(),
                "version 2",
            ),
            (r#"{"version":1,"namespace":"other","selected":null,"owner_keys":[]}"#.to_owned(), "namespace"),
            (
                format!(
                    r#"{{"version":1,"namespace":"warden-index-test","selected":null,"owner_keys":[{{"address":"{a}","label":"x","created_at":1}},{{"address":"{a}","label":"y","created_at":2}}]}}"#
                ),
                "listed twice",
            ),
            (
                format!(r#"{{"version":1,"namespace":"warden-index-test","selected":"{a}","owner_keys":[]}}"#),
                "not listed",
            ),
        ];
        for (text, needle) in cases {
            fs::write(file.path(), &text).unwrap();
            let err = file.load().unwrap_err();
            assert_eq!(err.code(), ErrorCode::DecodeFailed);
            assert!(err.to_string().contains(needle), "{err} should mention {needle}");
            assert_eq!(fs::read_to_string(file.path()).unwrap(), text);
        }
    }

    #[cfg(unix)]
    #[test]
    fn index_file_is_private_to_the_user() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let file = IndexFile::new(dir.path(), &ns());
        file.locked(|| file.save(&IndexDoc::empty(&ns()))).unwrap();
        let mode = fs::metadata(file.path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
