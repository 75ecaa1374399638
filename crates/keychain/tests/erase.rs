//! Erasing everything Warden keeps in a real Secret Service (run through
//! `scripts/with-keyring.sh`), as the app's reset does: the inventory lists owner keys
//! (including ones the index lost), session keys, the API key and entries of other kinds,
//! without reading a secret; erasing removes every entry of the namespace and the index
//! file, and nothing of another namespace.
#![cfg(all(unix, not(any(target_os = "macos", target_os = "ios", target_os = "android"))))]
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use warden_core::error::{Coded, ErrorCode};
use warden_keychain::{Confirmation, OwnerKeySource, SecretString};

fn hex(key: &str) -> SecretString {
    SecretString::new(key.to_owned())
}

#[test]
fn the_inventory_names_what_is_there_and_erase_all_removes_it_all() {
    let dir = tempfile::tempdir().unwrap();
    let ns = unique_namespace("erase");
    let Some(kc) = real_keychain(ns.clone(), dir.path()) else { return };
    let other_dir = tempfile::tempdir().unwrap();
    let other_ns = unique_namespace("erase-other");
    let other = real_keychain(other_ns.clone(), other_dir.path()).unwrap();
    let bystander = other.create_owner_key(Some("other build")).unwrap();

    assert!(kc.inventory().unwrap().is_empty(), "a fresh namespace holds nothing");
    kc.import_owner_key(OwnerKeySource::PrivateKeyHex(&hex(ANVIL_0_KEY)), Some("main")).unwrap();
    let lost = kc.create_owner_key(Some("lost")).unwrap();
    kc.create_session_key().unwrap();
    kc.create_session_key().unwrap();
    kc.set_alchemy_api_key(&hex("api-key")).unwrap();
    // An entry of a kind this build does not know (e.g. written by a newer Warden).
    raw_entry(&ns, "something-new").set_password("x").unwrap();
    // The index forgets one key: the inventory still finds it.
    let mut index: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(kc.index_path()).unwrap()).unwrap();
    index["owner_keys"].as_array_mut().unwrap().retain(|k| k["label"] != "lost");
    std::fs::write(kc.index_path(), serde_json::to_string(&index).unwrap()).unwrap();

    let inventory = kc.inventory().unwrap();
    assert_eq!(
        inventory.owner_keys.iter().map(|k| k.label.as_str()).collect::<Vec<_>>(),
        vec!["main"],
        "{inventory:?}"
    );
    assert_eq!(inventory.unlisted_owner_keys, vec![lost.address], "{inventory:?}");
    assert_eq!(inventory.session_keys, 2);
    assert!(inventory.api_key);
    assert_eq!(inventory.other_entries, 1);

    let refused = kc.erase_all(Confirmation::NotConfirmed).unwrap_err();
    assert_eq!(refused.code(), ErrorCode::InvalidInput);
    assert_eq!(kc.inventory().unwrap(), inventory, "a refused erase changes nothing");

    let erased = kc.erase_all(Confirmation::Confirmed).unwrap();
    assert_eq!(erased.entries, 6, "{erased:?}");
    assert!(erased.index_file);
    assert!(!kc.index_path().exists());
    let config_left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(config_left.is_empty(), "nothing of the keychain crate is left in the config folder: {config_left:?}");
    assert!(kc.inventory().unwrap().is_empty(), "{:?}", kc.inventory());
    assert!(kc.list_owner_keys().unwrap().is_empty());
    assert!(kc.alchemy_api_key().unwrap().is_none());
    // Erasing again finds nothing to do and is not an error.
    assert_eq!(kc.erase_all(Confirmation::Confirmed).unwrap().entries, 0);
    // Another namespace is untouched.
    assert_eq!(other.list_owner_keys().unwrap().len(), 1);
    assert!(other.owner_signer(bystander.address).is_ok());
    other.erase_all(Confirmation::Confirmed).unwrap();
}
