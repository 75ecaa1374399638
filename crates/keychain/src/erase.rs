//! Erasing everything Warden keeps in the keychain, for a reset: what is there
//! ([`Keychain::inventory`], so a person sees what will go before anything does) and the
//! erasure itself ([`Keychain::erase_all`]).
//!
//! The inventory is built from the keychain's own list of entries under the namespace, not
//! from the owner-key index alone, so keys the index lost and entries of kinds this build
//! does not know are counted too. Erasing deletes each listed entry and then the index
//! file (and its lock file); an entry that vanished in between is not an error. It stops at the first entry
//! the keychain refuses to delete (locked, denied) and reports how far it got, so a second
//! attempt finishes the job.
//!
//! Left out: keychains that cannot list their entries (the refusal says so; nothing is
//! deleted) and other namespaces (a development build's entries stay with that build).

use std::io::ErrorKind;

use alloy_primitives::Address;
use serde::Serialize;
use tracing::info;

use crate::index::OwnerKeyInfo;
use crate::keychain::{Confirmation, Keychain, KeychainError};
use crate::namespace::Slot;
use crate::store::StoreError;

/// What Warden keeps in the keychain under its namespace.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeychainInventory {
    /// The owner keys the index lists (with their labels).
    pub owner_keys: Vec<OwnerKeyInfo>,
    /// Owner-key entries the index does not list (their labels were lost with it).
    pub unlisted_owner_keys: Vec<Address>,
    /// Session keys Warden generated and still holds.
    pub session_keys: usize,
    /// Whether an Alchemy API key is stored.
    pub api_key: bool,
    /// Entries of any other kind (kept by other parts of Warden, or by other versions).
    pub other_entries: usize,
}

impl KeychainInventory {
    /// Whether there is nothing to erase in the keychain.
    pub fn is_empty(&self) -> bool {
        self.owner_keys.is_empty()
            && self.unlisted_owner_keys.is_empty()
            && self.session_keys == 0
            && !self.api_key
            && self.other_entries == 0
    }
}

/// What [`Keychain::erase_all`] removed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Erased {
    /// Keychain entries deleted.
    pub entries: usize,
    /// Whether the owner-key index file was there and removed.
    pub index_file: bool,
}

/// The entry-name prefixes of the two key kinds ([`Slot::account`]).
const OWNER_KEY_PREFIX: &str = "owner-key:";
const SESSION_KEY_PREFIX: &str = "session-key:";

/// The address in an entry name `prefix0x…`, when it is one.
fn address_in(account: &str, prefix: &str) -> Option<Address> {
    account.strip_prefix(prefix)?.parse().ok()
}

impl Keychain {
    /// What Warden keeps in the keychain (see the module docs). Reads entry names and the
    /// index only, never a secret.
    pub fn inventory(&self) -> Result<KeychainInventory, KeychainError> {
        let accounts = self.entries().accounts()?;
        // A damaged or missing index lists nothing; the entries are still counted.
        let owner_keys = self.list_owner_keys().unwrap_or_default();
        let mut inventory = KeychainInventory { owner_keys, ..KeychainInventory::default() };
        for account in &accounts {
            if let Some(address) = address_in(account, OWNER_KEY_PREFIX) {
                if !inventory.owner_keys.iter().any(|k| k.address == address) {
                    inventory.unlisted_owner_keys.push(address);
                }
            } else if address_in(account, SESSION_KEY_PREFIX).is_some() {
                inventory.session_keys += 1;
            } else if *account == Slot::AlchemyApiKey.account() {
                inventory.api_key = true;
            } else {
                inventory.other_entries += 1;
            }
        }
        Ok(inventory)
    }

    /// Deletes every entry under the namespace and the owner-key index file. Refused unless
    /// `confirmation` is [`Confirmation::Confirmed`]: owner keys cannot be exported first.
    pub fn erase_all(&self, confirmation: Confirmation) -> Result<Erased, KeychainError> {
        if confirmation != Confirmation::Confirmed {
            return Err(KeychainError::NotConfirmedErase);
        }
        let erased = self.index().locked(|| {
            let mut deleted = 0;
            for account in self.entries().accounts()? {
                match self.entries().delete_account(&account) {
                    Ok(()) => deleted += 1,
                    Err(StoreError::NotFound { .. }) => {}
                    Err(e) => return Err(e.into()),
                }
            }
            let index_file = match std::fs::remove_file(self.index_path()) {
                Ok(()) => true,
                Err(e) if e.kind() == ErrorKind::NotFound => false,
                Err(e) => {
                    return Err(KeychainError::EraseIndex {
                        path: self.index_path().to_owned(),
                        reason: e.to_string(),
                    });
                }
            };
            info!(entries = deleted, namespace = %self.namespace(), "erased every keychain entry");
            Ok(Erased { entries: deleted, index_file })
        })?;
        self.index().remove_lock_file();
        Ok(erased)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_names_are_read_by_kind() {
        let a: Address = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8".parse().unwrap_or_default();
        assert_eq!(address_in(&Slot::OwnerKey(a).account(), OWNER_KEY_PREFIX), Some(a));
        assert_eq!(address_in(&Slot::SessionKey(a).account(), OWNER_KEY_PREFIX), None);
        assert_eq!(address_in("owner-key:nonsense", OWNER_KEY_PREFIX), None);
    }

    #[test]
    fn an_empty_inventory_is_empty_and_any_entry_is_not() {
        assert!(KeychainInventory::default().is_empty());
        assert!(!KeychainInventory { other_entries: 1, ..Default::default() }.is_empty());
        assert!(!KeychainInventory { api_key: true, ..Default::default() }.is_empty());
    }
}
