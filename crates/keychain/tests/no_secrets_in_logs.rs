//! Every operation, against the real Secret Service, with all `tracing` output (and the
//! `log` output of keyring-core, bridged into tracing) captured at TRACE, plus the
//! `Debug` and `Display` of every value and error the API returns: no private key (hex,
//! any case, in any 16-digit window), API key or run of three mnemonic words may appear.
//!
//! Its own test binary, because it installs the process-wide subscriber.
#![cfg(all(unix, not(any(target_os = "macos", target_os = "ios", target_os = "android"))))]
#![allow(clippy::unwrap_used)]

mod common;

use std::io;
use std::sync::{Arc, Mutex};

use common::*;
use tracing::Level;
use warden_keychain::{Confirmation, OwnerKeySource, SecretString, Slot};

/// BIP-39 test vector (valid checksum); its words are not all alike, unlike "test … junk".
const MNEMONIC: &str = "legal winner thank year wave sausage worth useful legal winner thank yellow";
const API_KEY: &str = "alch-3f9a1c7e5b2d40868e1f";

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Records `value`'s `Debug` in the captured output.
fn show(what: &str, value: &dyn std::fmt::Debug) {
    tracing::info!("{what}: {value:?}");
}

fn show_err(what: &str, err: &warden_keychain::KeychainError) {
    tracing::info!("{what}: {err} / {err:?}");
}

#[test]
fn no_secret_reaches_the_logs_or_any_output() {
    let capture = Capture::default();
    let writer = capture.clone();
    tracing_subscriber::fmt()
        .with_max_level(Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .try_init()
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let ns = unique_namespace("logs");
    let Some(kc) = real_keychain(ns.clone(), dir.path()) else { return };
    show("keychain", &kc);

    // Owner keys: create, import (hex, mnemonic), list, select, rename, sign, delete.
    let created = kc.create_owner_key(Some("created")).unwrap();
    show("created", &created);
    let hex = SecretString::new(format!("0x{ANVIL_0_KEY}"));
    show("hex input", &hex);
    let imported = kc.import_owner_key(OwnerKeySource::PrivateKeyHex(&hex), Some("hex")).unwrap();
    show("imported", &imported);
    let phrase = SecretString::new(MNEMONIC.to_owned());
    let source = OwnerKeySource::Mnemonic { phrase: &phrase, derivation_path: None };
    show("mnemonic source", &source);
    let from_mnemonic = kc.import_owner_key(source, None).unwrap();
    show("from mnemonic", &from_mnemonic);
    let test_phrase = SecretString::new(TEST_MNEMONIC.to_owned());
    let source = OwnerKeySource::Mnemonic { phrase: &test_phrase, derivation_path: Some("m/44'/60'/0'/0/1") };
    show("imported", &kc.import_owner_key(source, None).unwrap());
    show("list", &kc.list_owner_keys().unwrap());
    show("select", &kc.select_owner_key(imported.address).unwrap());
    show("rename", &kc.rename_owner_key(created.address, "renamed").unwrap());
    show("selected", &kc.selected_owner_key().unwrap());
    for address in [created.address, imported.address, from_mnemonic.address] {
        let signer = kc.owner_signer(address).unwrap();
        show("signer", &signer);
        show("signature", &signer.sign(&DIGEST).unwrap());
    }

    // Failures: duplicates, bad hex and bad mnemonics that contain secret-looking text.
    show_err("duplicate", &kc.import_owner_key(OwnerKeySource::PrivateKeyHex(&hex), None).unwrap_err());
    let bad_hex = SecretString::new(format!("{}zz", &ANVIL_1_KEY[..62]));
    show_err("bad hex", &kc.import_owner_key(OwnerKeySource::PrivateKeyHex(&bad_hex), None).unwrap_err());
    let bad_phrase = SecretString::new(MNEMONIC.replace("yellow", "legal"));
    let source = OwnerKeySource::Mnemonic { phrase: &bad_phrase, derivation_path: None };
    show_err("bad checksum", &kc.import_owner_key(source, None).unwrap_err());
    let bad_word = SecretString::new(MNEMONIC.replace("sausage", "sausages"));
    let source = OwnerKeySource::Mnemonic { phrase: &bad_word, derivation_path: None };
    show_err("bad word", &kc.import_owner_key(source, None).unwrap_err());
    show_err("unconfirmed", &kc.delete_owner_key(created.address, Confirmation::NotConfirmed).unwrap_err());

    // Session keys: create, sign, reveal (the value itself is a needle, not logged).
    let session = kc.create_session_key().unwrap();
    let signer = kc.session_signer(session).unwrap();
    show("session signature", &signer.sign(&DIGEST).unwrap());
    let revealed = kc.reveal_session_key(session).unwrap();
    show("revealed", &revealed);

    // The API key.
    kc.set_alchemy_api_key(&SecretString::new(API_KEY.to_owned())).unwrap();
    show_err("api key again", &kc.set_alchemy_api_key(&SecretString::new(API_KEY.to_owned())).unwrap_err());
    let api_key = kc.alchemy_api_key().unwrap();
    show("api key", &api_key);
    assert_eq!(api_key.unwrap().expose(), API_KEY);

    // Every private key Warden stored, read behind its back, is a needle.
    let mut keys = vec![ANVIL_0_KEY.to_owned(), ANVIL_1_KEY.to_owned(), revealed.expose()[2..].to_owned()];
    for address in [created.address, from_mnemonic.address] {
        keys.push(raw_entry(&ns, &Slot::OwnerKey(address).account()).get_password().unwrap());
    }

    // Deletions.
    kc.delete_session_key(session).unwrap();
    kc.delete_alchemy_api_key().unwrap();
    for key in kc.list_owner_keys().unwrap() {
        kc.delete_owner_key(key.address, Confirmation::Confirmed).unwrap();
    }
    show_err("deleted signer", &kc.session_signer(session).unwrap_err());

    let output = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    // The capture really holds TRACE output of Warden, keyring-core and zbus.
    for marker in ["added owner key", "signed a digest", "deleted session key", "keyring_core", "zbus", "TRACE"] {
        assert!(output.contains(marker), "captured output lacks {marker:?}");
    }
    let haystack = output.to_lowercase();
    for key in &keys {
        assert_eq!(key.len(), 64);
        for window in 0..=(64 - 16) {
            let needle = &key[window..window + 16];
            assert!(!haystack.contains(needle), "16 digits of a private key appear in the output");
        }
    }
    assert!(!haystack.contains(&API_KEY.to_lowercase()), "the API key appears in the output");
    for phrase in [MNEMONIC, TEST_MNEMONIC, bad_phrase.expose(), bad_word.expose()] {
        let words: Vec<_> = phrase.split(' ').collect();
        for run in words.windows(3) {
            let needle = run.join(" ");
            assert!(!haystack.contains(&needle), "mnemonic words {needle:?} appear in the output");
        }
    }
}
