//! Rebuilding the owner-key index from a real Secret Service (run through
//! `scripts/with-keyring.sh`) after the index file was deleted or damaged: keys come back,
//! labels that can still be read are kept, lost ones are named as such, a damaged file is
//! kept aside, and no keychain entry is ever written or deleted.
#![cfg(all(unix, not(any(target_os = "macos", target_os = "ios", target_os = "android"))))]
#![allow(clippy::unwrap_used)]

mod common;

use alloy_primitives::Address;
use common::*;
use warden_core::error::{Coded, ErrorCode};
use warden_core::signing::recover;
use warden_keychain::{OwnerKeySource, RepairedState, SecretString, Slot};

fn hex(key: &str) -> SecretString {
    SecretString::new(key.to_owned())
}

/// What the Secret Service holds for an owner key, read without Warden.
fn stored(ns: &warden_keychain::Namespace, address: Address) -> String {
    raw_entry(ns, &Slot::OwnerKey(address).account()).get_password().unwrap()
}

#[test]
fn a_deleted_index_is_rebuilt_from_the_keychain_entries() {
    let dir = tempfile::tempdir().unwrap();
    let ns = unique_namespace("repair-deleted");
    let Some(kc) = real_keychain(ns.clone(), dir.path()) else { return };
    kc.import_owner_key(OwnerKeySource::PrivateKeyHex(&hex(ANVIL_0_KEY)), Some("main")).unwrap();
    let spare = kc.create_owner_key(Some("spare")).unwrap();
    // Entries of other kinds are not owner keys.
    let session = kc.create_session_key().unwrap();
    kc.set_alchemy_api_key(&hex("api-key")).unwrap();
    let spare_key = stored(&ns, spare.address);

    std::fs::remove_file(kc.index_path()).unwrap();
    assert!(kc.list_owner_keys().unwrap().is_empty(), "the list is gone");

    let repair = kc.repair_owner_key_index().unwrap();
    assert!(repair.written && repair.damage.is_none() && repair.set_aside.is_none(), "{repair:?}");
    assert!(repair.skipped.is_empty(), "{repair:?}");
    let mut found: Vec<_> = repair.keys.iter().map(|k| (k.key.address, k.key.label.clone(), k.state.clone())).collect();
    found.sort_by_key(|(a, ..)| *a);
    let mut expected = vec![
        (ANVIL_0, format!("Recovered key {ANVIL_0}"), RepairedState::Recovered),
        (spare.address, format!("Recovered key {}", spare.address), RepairedState::Recovered),
    ];
    expected.sort_by_key(|(a, ..)| *a);
    assert_eq!(found, expected);
    assert!(!found.iter().any(|(a, ..)| *a == session), "a session key is not an owner key");
    // Two keys: which one was selected is not guessed.
    assert!(kc.selected_owner_key().unwrap().is_none());
    assert_eq!(kc.list_owner_keys().unwrap().len(), 2);

    // The keys work and their entries are untouched.
    let sig = kc.owner_signer(ANVIL_0).unwrap().sign(&DIGEST).unwrap();
    assert_eq!(recover(&DIGEST, &sig.as_bytes()).unwrap(), ANVIL_0);
    assert_eq!(stored(&ns, ANVIL_0), ANVIL_0_KEY);
    assert_eq!(stored(&ns, spare.address), spare_key);
    assert_eq!(kc.alchemy_api_key().unwrap().unwrap().expose(), "api-key");

    // Once repaired there is nothing left to do: the file is not rewritten.
    let again = kc.repair_owner_key_index().unwrap();
    assert!(!again.written, "{again:?}");
    assert!(again.keys.iter().all(|k| k.state == RepairedState::Kept), "{again:?}");
}

#[test]
fn a_damaged_index_is_kept_aside_and_rebuilt_with_every_label_it_still_has() {
    let dir = tempfile::tempdir().unwrap();
    let ns = unique_namespace("repair-damaged");
    let Some(kc) = real_keychain(ns.clone(), dir.path()) else { return };
    kc.import_owner_key(OwnerKeySource::PrivateKeyHex(&hex(ANVIL_0_KEY)), Some("main")).unwrap();
    kc.import_owner_key(OwnerKeySource::PrivateKeyHex(&hex(ANVIL_1_KEY)), Some("spare")).unwrap();
    kc.select_owner_key(ANVIL_1).unwrap();

    // Cut in half (a crash of something that is not Warden, a bad sync): nothing readable.
    let whole = std::fs::read_to_string(kc.index_path()).unwrap();
    let cut = &whole[..whole.len() / 2];
    std::fs::write(kc.index_path(), cut).unwrap();
    let err = kc.list_owner_keys().unwrap_err();
    assert_eq!(err.code(), ErrorCode::DecodeFailed);
    assert!(err.to_string().contains("warden key list --repair"), "the error says how to repair: {err}");

    let repair = kc.repair_owner_key_index().unwrap();
    assert!(repair.written && repair.damage.is_some(), "{repair:?}");
    let aside = repair.set_aside.clone().unwrap();
    assert_eq!(std::fs::read_to_string(&aside).unwrap(), cut, "the damaged file is kept as it was");
    assert!(aside.starts_with(dir.path()));
    let listed = kc.list_owner_keys().unwrap();
    assert_eq!(listed.len(), 2);
    assert!(listed.iter().all(|k| k.label == format!("Recovered key {}", k.address)), "{listed:?}");

    // Still JSON but not a list Warden reads (a newer format version, an added field):
    // the labels, dates and selection that can be read are kept. A record for a key with
    // no entry is kept and reported; an entry holding another address's key is reported
    // and not listed.
    let gone = Address::repeat_byte(0x33);
    let wrong = Address::repeat_byte(0x44);
    raw_entry(&ns, &Slot::OwnerKey(wrong).account()).set_password(ANVIL_0_KEY).unwrap();
    let damaged = format!(
        r#"{{"version":9,"namespace":"{ns}","selected":"{ANVIL_1}","extra":true,"owner_keys":[
            {{"address":"{ANVIL_0}","label":"main","created_at":11}},
            {{"address":"{ANVIL_1}","label":"spare","created_at":12}},
            {{"address":"{gone}","label":"old laptop","created_at":13}},
            {{"address":"not an address","label":"junk","created_at":14}}]}}"#
    );
    std::fs::write(kc.index_path(), &damaged).unwrap();
    let repair = kc.repair_owner_key_index().unwrap();
    assert!(repair.damage.as_deref().unwrap().contains("unknown field `extra`"), "{repair:?}");
    assert_eq!(std::fs::read_to_string(repair.set_aside.as_ref().unwrap()).unwrap(), damaged);
    assert_ne!(repair.set_aside.as_ref(), Some(&aside), "an earlier damaged copy is never replaced");
    assert!(aside.exists());
    let keys: Vec<_> =
        repair.keys.iter().map(|k| (k.key.address, k.key.label.as_str(), k.key.created_at, &k.state)).collect();
    assert_eq!(
        keys,
        vec![
            (ANVIL_0, "main", 11, &RepairedState::Kept),
            (ANVIL_1, "spare", 12, &RepairedState::Kept),
            (gone, "old laptop", 13, &RepairedState::MissingFromKeychain),
        ]
    );
    assert_eq!(kc.selected_owner_key().unwrap().unwrap().address, ANVIL_1);
    assert_eq!(repair.skipped.len(), 1, "{repair:?}");
    assert_eq!(repair.skipped[0].account, Slot::OwnerKey(wrong).account());
    assert!(repair.skipped[0].reason.contains(&ANVIL_0.to_string()), "{:?}", repair.skipped);
    assert!(!format!("{repair:?}").to_lowercase().contains(ANVIL_0_KEY), "no secret in the report");

    // Nothing in the keychain was written or deleted.
    assert_eq!(stored(&ns, ANVIL_0), ANVIL_0_KEY);
    assert_eq!(stored(&ns, ANVIL_1), ANVIL_1_KEY);
    assert_eq!(stored(&ns, wrong), ANVIL_0_KEY);
}
