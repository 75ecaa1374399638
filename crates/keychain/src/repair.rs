//! Rebuilding a lost or damaged owner-key index from the keychain's own entries.
//!
//! The index ([`crate::index`]) is the only list of owner keys; the keys themselves live in
//! keychain entries named `owner-key:0x…` under the namespace. When the file is deleted or
//! damaged, [`Keychain::repair_owner_key_index`] lists the namespace's entries (names
//! only, through the keychain's search), checks that each holds the key of its address,
//! and writes a new index:
//!
//! * every record of the old index that can still be read is kept as it was (label,
//!   creation time, selection), including keys whose entry is gone or unusable — they are
//!   reported, never dropped, so a person decides;
//! * every usable entry the index did not list is added as "Recovered key 0x…" (its label
//!   was lost with the index), created now;
//! * an entry that does not hold the key of its address is reported and not listed;
//! * a damaged file is moved aside (`<file>.damaged-<unix seconds>`), never overwritten;
//! * when no key is selected and exactly one is listed, that one is selected.
//!
//! Nothing in the keychain is written or deleted. Left out: session-key entries (they
//! belong to the app's session records, not to this list) and keychains that cannot list
//! their entries (the refusal says so).

use std::path::PathBuf;

use alloy_primitives::Address;
use serde::Serialize;
use tracing::{info, warn};

use crate::index::{OwnerKeyInfo, OwnerKeyRecord};
use crate::keychain::{Keychain, KeychainError, unix_now};
use crate::namespace::Slot;
use crate::store::StoreError;

const OWNER_KEY_PREFIX: &str = "owner-key:";

/// What became of one owner key in a repair.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "state")]
pub enum RepairedState {
    /// Listed before, and its entry holds its key.
    Kept,
    /// Found in the keychain but not in the index: listed again under a new label.
    Recovered,
    /// Listed, but the keychain has no entry for it (it cannot sign).
    MissingFromKeychain,
    /// Listed, but its entry does not hold its key (it cannot sign).
    Unusable { reason: String },
}

/// One owner key of the repaired list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RepairedKey {
    #[serde(flatten)]
    pub key: OwnerKeyInfo,
    #[serde(flatten)]
    pub state: RepairedState,
}

/// A keychain entry that was found but not listed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SkippedEntry {
    /// The entry's account name, e.g. `owner-key:0x…`.
    pub account: String,
    pub reason: String,
}

/// What [`Keychain::repair_owner_key_index`] found and did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IndexRepair {
    /// The owner keys as now listed, oldest first.
    pub keys: Vec<RepairedKey>,
    /// Entries found but not listed.
    pub skipped: Vec<SkippedEntry>,
    /// Why the old index could not be read, when it could not.
    pub damage: Option<String>,
    /// Where the damaged file was moved.
    pub set_aside: Option<PathBuf>,
    /// Whether the index file was written (nothing to repair: not written).
    pub written: bool,
}

impl Keychain {
    /// Rebuilds the owner-key index from the keychain's entries (see the module docs).
    /// Never writes or deletes a keychain entry. Fails without changing anything when the
    /// keychain cannot be listed or read (locked, denied, unavailable).
    pub fn repair_owner_key_index(&self) -> Result<IndexRepair, KeychainError> {
        let (entries, index) = (self.entries(), self.index());
        index.locked(|| {
            let (mut doc, damage) = match index.load_for_repair()? {
                Ok(doc) => (doc, None),
                Err(damaged) => (damaged.salvaged, Some(damaged.reason)),
            };
            let missing_file = !index.path().exists();

            // Every owner-key entry of the namespace, checked before anything is written.
            let mut usable = Vec::new();
            let mut unusable = Vec::new();
            let mut skipped = Vec::new();
            for account in entries.accounts()? {
                let Some(address) = account.strip_prefix(OWNER_KEY_PREFIX) else { continue };
                let Ok(address) = address.parse::<Address>() else {
                    skipped.push(SkippedEntry { account, reason: "its name does not end in an address".into() });
                    continue;
                };
                match self.load_key(Slot::OwnerKey(address)) {
                    Ok(_) => usable.push(address),
                    Err(KeychainError::Store(StoreError::Corrupt { reason, .. })) => {
                        unusable.push((address, reason.clone()));
                        if doc.find(address).is_none() {
                            skipped.push(SkippedEntry { account, reason });
                        }
                    }
                    // Gone between the listing and the read: treated as not found.
                    Err(KeychainError::Store(StoreError::NotFound { .. })) => {}
                    Err(e) => return Err(e),
                }
            }

            let now = unix_now();
            let mut recovered = Vec::new();
            for &address in &usable {
                if doc.find(address).is_none() {
                    doc.owner_keys.push(OwnerKeyRecord {
                        address,
                        label: format!("Recovered key {address}"),
                        created_at: now,
                    });
                    recovered.push(address);
                }
            }
            let selected_before = doc.selected;
            if doc.selected.is_none() && doc.owner_keys.len() == 1 {
                doc.selected = Some(doc.owner_keys[0].address);
            }

            let written = damage.is_some()
                || !recovered.is_empty()
                || doc.selected != selected_before
                || (missing_file && !doc.owner_keys.is_empty());
            let set_aside = if damage.is_some() && index.path().exists() { Some(index.set_aside(now)?) } else { None };
            if written {
                index.save(&doc)?;
            }
            let keys = doc
                .owner_keys
                .iter()
                .map(|record| {
                    let address = record.address;
                    let state = if recovered.contains(&address) {
                        RepairedState::Recovered
                    } else if usable.contains(&address) {
                        RepairedState::Kept
                    } else if let Some((_, reason)) = unusable.iter().find(|(a, _)| *a == address) {
                        RepairedState::Unusable { reason: reason.clone() }
                    } else {
                        RepairedState::MissingFromKeychain
                    };
                    RepairedKey { key: doc.info(record), state }
                })
                .collect::<Vec<_>>();
            for key in &keys {
                if !matches!(key.state, RepairedState::Kept | RepairedState::Recovered) {
                    warn!(address = %key.key.address, state = ?key.state, "owner key listed but not usable");
                }
            }
            info!(
                namespace = %entries.namespace(),
                recovered = recovered.len(),
                damaged = damage.is_some(),
                written,
                "repaired the owner-key index"
            );
            Ok(IndexRepair { keys, skipped, damage, set_aside, written })
        })
    }
}
