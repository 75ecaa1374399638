//! Against a real Secret Service (GNOME Keyring): run through `scripts/with-keyring.sh`.
//! Each test uses its own namespace and config directory.
#![cfg(all(unix, not(any(target_os = "macos", target_os = "ios", target_os = "android"))))]
#![allow(clippy::unwrap_used)]

mod common;

use alloy_primitives::Address;
use common::*;
use warden_core::error::{Coded, ErrorCode};
use warden_core::signing::{DigestSigner, LocalSigner, recover};
use warden_keychain::keyring_core::Error as KeyringError;
use warden_keychain::{Confirmation, KeychainError, OwnerKeySource, SecretString, Slot};

fn secret(s: &str) -> SecretString {
    SecretString::new(s.to_owned())
}

#[test]
fn owner_key_lifecycle() {
    let dir = tempfile::tempdir().unwrap();
    let ns = unique_namespace("lifecycle");
    let Some(kc) = real_keychain(ns.clone(), dir.path()) else { return };

    let first = kc.create_owner_key(Some("  main  ")).unwrap();
    assert_eq!(first.label, "main");
    assert!(first.selected, "the first key is selected");
    let second = kc.create_owner_key(None).unwrap();
    assert_eq!(second.label, "Owner key 2");
    assert!(!second.selected);
    assert_ne!(first.address, second.address);

    let listed = kc.list_owner_keys().unwrap();
    assert_eq!(listed, vec![first.clone(), second.clone()]);

    let selected = kc.select_owner_key(second.address).unwrap();
    assert!(selected.selected);
    assert_eq!(kc.selected_owner_key().unwrap().unwrap().address, second.address);
    let renamed = kc.rename_owner_key(first.address, "cold storage").unwrap();
    assert_eq!(renamed.label, "cold storage");
    assert!(!renamed.selected);
    let err = kc.rename_owner_key(first.address, " \t").unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    let unknown = Address::repeat_byte(0x11);
    assert_eq!(kc.rename_owner_key(unknown, "x").unwrap_err().code(), ErrorCode::KeyNotFound);
    assert_eq!(kc.select_owner_key(unknown).unwrap_err().code(), ErrorCode::KeyNotFound);

    // The keychain shows people what each entry is.
    assert_eq!(
        raw_label(&ns, &Slot::OwnerKey(first.address).account()),
        format!("Warden owner key {} ({ns})", first.address)
    );

    // Deleting needs confirmation; without it nothing changes.
    let err = kc.delete_owner_key(second.address, Confirmation::NotConfirmed).unwrap_err();
    assert!(matches!(err, KeychainError::NotConfirmed { .. }));
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    assert_eq!(kc.list_owner_keys().unwrap().len(), 2);
    kc.owner_signer(second.address).unwrap();

    kc.delete_owner_key(second.address, Confirmation::Confirmed).unwrap();
    let listed = kc.list_owner_keys().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].address, first.address);
    assert!(kc.selected_owner_key().unwrap().is_none(), "deleting the selected key selects nothing");
    assert_eq!(kc.owner_signer(second.address).unwrap_err().code(), ErrorCode::KeyNotFound);
    let raw = raw_entry(&ns, &Slot::OwnerKey(second.address).account());
    assert!(matches!(raw.get_password(), Err(KeyringError::NoEntry)), "the keychain entry is gone");
    let err = kc.delete_owner_key(second.address, Confirmation::Confirmed).unwrap_err();
    assert_eq!(err.code(), ErrorCode::KeyNotFound);

    kc.delete_owner_key(first.address, Confirmation::Confirmed).unwrap();
    assert!(kc.list_owner_keys().unwrap().is_empty());
}

#[test]
fn imports_hex_and_mnemonic_keys_to_their_known_addresses() {
    let dir = tempfile::tempdir().unwrap();
    let Some(kc) = real_keychain(unique_namespace("import"), dir.path()) else { return };

    let hex = secret(&format!("0x{ANVIL_0_KEY}\n"));
    let from_hex = kc.import_owner_key(OwnerKeySource::PrivateKeyHex(&hex), Some("hex")).unwrap();
    assert_eq!(from_hex.address, ANVIL_0);

    let phrase = secret(TEST_MNEMONIC);
    let path = Some("m/44'/60'/0'/0/1");
    let from_mnemonic =
        kc.import_owner_key(OwnerKeySource::Mnemonic { phrase: &phrase, derivation_path: path }, None).unwrap();
    assert_eq!(from_mnemonic.address, ANVIL_1);

    // The default path gives account 0, which is already there: refused.
    let err = kc
        .import_owner_key(OwnerKeySource::Mnemonic { phrase: &phrase, derivation_path: None }, Some("again"))
        .unwrap_err();
    assert!(matches!(&err, KeychainError::OwnerKeyExists { address, label } if *address == ANVIL_0 && label == "hex"));
    assert_eq!(err.code(), ErrorCode::AlreadyExists);

    // Bad input is refused before the keychain is touched, without quoting it.
    let bad = secret(&ANVIL_0_KEY[..60]);
    let err = kc.import_owner_key(OwnerKeySource::PrivateKeyHex(&bad), None).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    assert!(!err.to_string().contains(&ANVIL_0_KEY[..60]));
    let labels: Vec<_> = kc.list_owner_keys().unwrap().into_iter().map(|k| (k.address, k.label)).collect();
    assert_eq!(labels, vec![(ANVIL_0, "hex".to_owned()), (ANVIL_1, "Owner key 2".to_owned())]);
}

#[test]
fn signatures_recover_to_the_key_and_match_alloy() {
    let dir = tempfile::tempdir().unwrap();
    let Some(kc) = real_keychain(unique_namespace("sign"), dir.path()) else { return };
    let hex = secret(ANVIL_0_KEY);
    kc.import_owner_key(OwnerKeySource::PrivateKeyHex(&hex), None).unwrap();

    let signer = kc.owner_signer(ANVIL_0).unwrap();
    assert_eq!(DigestSigner::address(&signer), ANVIL_0);
    let signature = signer.sign(&DIGEST).unwrap();
    let bytes = signature.as_bytes();
    assert!(matches!(bytes[64], 27 | 28), "v = {}", bytes[64]);
    assert_eq!(recover(&DIGEST, &bytes).unwrap(), ANVIL_0);
    // RFC 6979 signatures are deterministic: same bytes as an in-memory alloy signer.
    let expected = LocalSigner::from_hex(ANVIL_0_KEY).unwrap().sign_digest(&DIGEST).unwrap();
    assert_eq!(bytes, expected.as_bytes());
    // Through the core's trait.
    let via_trait = signer.sign_digest(&DIGEST).unwrap();
    assert_eq!(via_trait.as_bytes(), bytes);

    let created = kc.create_owner_key(None).unwrap();
    let signature = kc.owner_signer(created.address).unwrap().sign(&DIGEST).unwrap();
    assert_eq!(recover(&DIGEST, &signature.as_bytes()).unwrap(), created.address);
}

#[test]
fn never_overwrites_an_existing_entry() {
    let dir = tempfile::tempdir().unwrap();
    let ns = unique_namespace("overwrite");
    let Some(kc) = real_keychain(ns.clone(), dir.path()) else { return };

    // An entry under account 0's name that holds account 1's key (planted behind Warden's
    // back): importing account 0 is refused and the entry keeps its value.
    let planted = raw_entry(&ns, &Slot::OwnerKey(ANVIL_0).account());
    planted.set_password(ANVIL_1_KEY).unwrap();
    let hex = secret(ANVIL_0_KEY);
    let err = kc.import_owner_key(OwnerKeySource::PrivateKeyHex(&hex), None).unwrap_err();
    assert_eq!(err.code(), ErrorCode::AlreadyExists, "{err}");
    assert!(err.to_string().contains("never overwrites"), "{err}");
    assert_eq!(planted.get_password().unwrap(), ANVIL_1_KEY);
    assert!(kc.list_owner_keys().unwrap().is_empty());

    // An entry that holds exactly the imported key (left by an interrupted import) is
    // recorded as is.
    let planted = raw_entry(&ns, &Slot::OwnerKey(ANVIL_1).account());
    planted.set_password(ANVIL_1_KEY).unwrap();
    let hex = secret(ANVIL_1_KEY);
    assert_eq!(kc.import_owner_key(OwnerKeySource::PrivateKeyHex(&hex), None).unwrap().address, ANVIL_1);
    assert_eq!(planted.get_password().unwrap(), ANVIL_1_KEY);

    // Importing a listed key again: refused, the key still signs as before.
    let err = kc.import_owner_key(OwnerKeySource::PrivateKeyHex(&hex), None).unwrap_err();
    assert_eq!(err.code(), ErrorCode::AlreadyExists);
    let sig = kc.owner_signer(ANVIL_1).unwrap().sign(&DIGEST).unwrap();
    assert_eq!(recover(&DIGEST, &sig.as_bytes()).unwrap(), ANVIL_1);

    // The API key: a second set is refused and the first value stays.
    kc.set_alchemy_api_key(&secret("first-key")).unwrap();
    let err = kc.set_alchemy_api_key(&secret("second-key")).unwrap_err();
    assert_eq!(err.code(), ErrorCode::AlreadyExists);
    assert_eq!(kc.alchemy_api_key().unwrap().unwrap().expose(), "first-key");
    kc.delete_alchemy_api_key().unwrap();
    assert!(kc.alchemy_api_key().unwrap().is_none());
    assert_eq!(kc.delete_alchemy_api_key().unwrap_err().code(), ErrorCode::KeyNotFound);
    kc.set_alchemy_api_key(&secret("second-key")).unwrap();
    assert_eq!(kc.alchemy_api_key().unwrap().unwrap().expose(), "second-key");
    assert_eq!(raw_label(&ns, &Slot::AlchemyApiKey.account()), format!("Warden Alchemy API key ({ns})"));
    for bad in ["", "has space", "tab\t"] {
        assert_eq!(kc.set_alchemy_api_key(&secret(bad)).unwrap_err().code(), ErrorCode::InvalidInput);
    }
}

#[test]
fn session_keys_are_created_used_revealed_and_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let Some(kc) = real_keychain(unique_namespace("session"), dir.path()) else { return };

    let address = kc.create_session_key().unwrap();
    let signer = kc.session_signer(address).unwrap();
    let sig = signer.sign(&DIGEST).unwrap();
    assert_eq!(recover(&DIGEST, &sig.as_bytes()).unwrap(), address);

    let revealed = kc.reveal_session_key(address).unwrap();
    assert!(revealed.expose().starts_with("0x") && revealed.expose().len() == 66);
    assert_eq!(LocalSigner::from_hex(revealed.expose()).unwrap().address(), address);

    // Session keys are not owner keys.
    assert!(kc.list_owner_keys().unwrap().is_empty());
    assert_eq!(kc.owner_signer(address).unwrap_err().code(), ErrorCode::KeyNotFound);

    kc.delete_session_key(address).unwrap();
    assert_eq!(kc.session_signer(address).unwrap_err().code(), ErrorCode::KeyNotFound);
    assert_eq!(signer.sign(&DIGEST).unwrap_err().code(), ErrorCode::KeyNotFound, "the handle holds no key");
    assert_eq!(kc.delete_session_key(address).unwrap_err().code(), ErrorCode::KeyNotFound);
    assert_eq!(kc.reveal_session_key(address).unwrap_err().code(), ErrorCode::KeyNotFound);
}

#[test]
fn corrupt_entries_are_reported_as_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let ns = unique_namespace("corrupt");
    let Some(kc) = real_keychain(ns.clone(), dir.path()) else { return };

    let garbage = Address::repeat_byte(0x22);
    raw_entry(&ns, &Slot::SessionKey(garbage).account()).set_password("not a key").unwrap();
    let err = kc.session_signer(garbage).unwrap_err();
    assert_eq!(err.code(), ErrorCode::KeychainCorrupt, "{err}");
    assert!(!err.to_string().contains("not a key"), "{err}");

    raw_entry(&ns, &Slot::SessionKey(ANVIL_0).account()).set_password(ANVIL_1_KEY).unwrap();
    let err = kc.session_signer(ANVIL_0).unwrap_err();
    assert_eq!(err.code(), ErrorCode::KeychainCorrupt);
    assert!(err.to_string().contains(&ANVIL_1.to_string()), "{err}");
    assert!(!err.to_string().to_lowercase().contains(ANVIL_1_KEY), "{err}");
}

#[test]
fn namespaces_do_not_see_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let Some(dev) = real_keychain(unique_namespace("dev"), dir.path()) else { return };
    let Some(release) = real_keychain(unique_namespace("release"), dir.path()) else { return };

    let owner = dev.create_owner_key(None).unwrap();
    let session = dev.create_session_key().unwrap();
    dev.set_alchemy_api_key(&secret("dev-key")).unwrap();

    assert!(release.list_owner_keys().unwrap().is_empty());
    assert_eq!(release.owner_signer(owner.address).unwrap_err().code(), ErrorCode::KeyNotFound);
    assert_eq!(release.session_signer(session).unwrap_err().code(), ErrorCode::KeyNotFound);
    assert!(release.alchemy_api_key().unwrap().is_none());
    assert_ne!(dev.index_path(), release.index_path());
}

/// The activity log anchored in the real keychain: each entry moves the anchor (replaced in
/// place, labelled for people), deleting both log files is reported with the entry the
/// keychain holds, and erasing the log removes the anchor too.
#[test]
fn the_activity_log_is_anchored_in_the_keychain() {
    use std::sync::Arc;
    use warden_core::activity::{ActivityKind, ActivityLog, AnchoredHead, LogProblem, OutsideCheck, Summary};

    let config = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let ns = unique_namespace("anchor");
    let Some(kc) = real_keychain(ns.clone(), config.path()) else { return };
    assert_eq!(kc.activity_anchor().unwrap(), None);
    let log = ActivityLog::open(data.path()).unwrap().with_outside_anchor(Arc::new(kc.clone()));
    assert_eq!(log.verify().unwrap().outside, OutsideCheck::NotAnchored);

    let mut last = None;
    for i in 0..3 {
        last = Some(log.append(ActivityKind::Signed, Summary::new("Signed"), None, 100 + i).unwrap());
    }
    let last = last.unwrap();
    let held = AnchoredHead { seq: 3, hash: last.hash };
    assert_eq!(kc.activity_anchor().unwrap(), Some(held));
    assert_eq!(raw_entry(&ns, "activity-anchor").get_password().unwrap(), held.to_text());
    assert_eq!(raw_label(&ns, "activity-anchor"), format!("Warden activity log anchor ({ns})"));
    let integrity = log.verify().unwrap();
    assert!(integrity.intact, "{integrity:?}");
    assert_eq!(integrity.outside, OutsideCheck::Agrees { seq: 3 });

    // Both files deleted: the keychain still says there were three entries.
    std::fs::remove_file(data.path().join(warden_core::activity::LOG_FILE)).unwrap();
    std::fs::remove_file(data.path().join(warden_core::activity::HEAD_FILE)).unwrap();
    let reopened = ActivityLog::open(data.path()).unwrap().with_outside_anchor(Arc::new(kc.clone()));
    let integrity = reopened.verify().unwrap();
    assert_eq!(integrity.problem, Some(LogProblem::LogDeleted { anchored: 3 }), "{integrity:?}");

    // An erase (app reset) takes the anchor with it: a fresh, intact log.
    reopened.erase().unwrap();
    assert!(matches!(raw_entry(&ns, "activity-anchor").get_password(), Err(KeyringError::NoEntry)));
    let fresh = reopened.verify().unwrap();
    assert!(fresh.intact && fresh.outside == OutsideCheck::NotAnchored, "{fresh:?}");
    kc.delete_activity_anchor().unwrap();
}
