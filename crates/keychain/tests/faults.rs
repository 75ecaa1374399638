//! Faults a real Secret Service cannot produce on demand (locked, denied, unavailable or
//! failing in the middle of a write), injected through keyring-core's mock store.
//!
//! The mock fails "the next call" on a credential; [`FaultStore`] wraps it so a fault can
//! be aimed at one operation (the existence check, the write, the read-back, a delete) by
//! arming the mock's error just before that call.
#![cfg(all(unix, not(any(target_os = "macos", target_os = "ios", target_os = "android"))))]
#![allow(clippy::unwrap_used)]

mod common;

use std::any::Any;
use std::collections::HashMap;
use std::io;
use std::sync::{Arc, Mutex};

use common::*;
use warden_core::error::{Coded, ErrorCode};
use warden_core::signing::DigestSigner;
use warden_keychain::keyring_core::api::{CredentialApi, CredentialStoreApi};
use warden_keychain::keyring_core::{self, Credential, Entry, Error as KeyringError, mock};
use warden_keychain::{
    Confirmation, Keychain, KeychainError, Namespace, Operation, OwnerKeySource, SecretString, Slot, StoreError,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Get,
    Set,
    Delete,
}

struct Fault {
    op: Op,
    /// Let this many matching calls through first.
    skip: usize,
    error: KeyringError,
}

/// keyring-core's mock store, with faults aimed at specific operations.
#[derive(Debug)]
struct FaultStore {
    mock: Arc<mock::Store>,
    faults: Arc<Mutex<Vec<Fault>>>,
}

impl std::fmt::Debug for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Fault({:?}, skip {})", self.op, self.skip)
    }
}

impl FaultStore {
    fn new() -> Arc<Self> {
        Arc::new(Self { mock: mock::Store::new().unwrap(), faults: Arc::default() })
    }

    fn fail(&self, op: Op, skip: usize, error: KeyringError) {
        self.faults.lock().unwrap().push(Fault { op, skip, error });
    }

    /// What the mock holds for `account`, read without going through any fault.
    fn value(&self, namespace: &Namespace, account: &str) -> Option<String> {
        let creds = self.mock.inner.lock().unwrap();
        let creds = creds.borrow();
        let cred = creds.iter().find(|c| c.specifiers == (namespace.to_string(), account.to_owned()))?;
        let data = cred.inner.lock().unwrap();
        let secret = data.borrow().secret.clone()?;
        Some(String::from_utf8(secret).unwrap())
    }

    fn cred(&self, service: &str, user: &str) -> Arc<mock::Cred> {
        let creds = self.mock.inner.lock().unwrap();
        let creds = creds.borrow();
        creds.iter().find(|c| c.specifiers == (service.to_owned(), user.to_owned())).unwrap().clone()
    }
}

impl CredentialStoreApi for FaultStore {
    fn vendor(&self) -> String {
        "fault-injecting wrapper of keyring-core's mock store".to_owned()
    }

    fn id(&self) -> String {
        self.mock.id()
    }

    fn build(&self, service: &str, user: &str, modifiers: Option<&HashMap<&str, &str>>) -> keyring_core::Result<Entry> {
        self.mock.build(service, user, modifiers)?;
        let cred = self.cred(service, user);
        Ok(Entry::new_with_credential(Arc::new(FaultCred { cred, faults: self.faults.clone() })))
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

#[derive(Debug)]
struct FaultCred {
    cred: Arc<mock::Cred>,
    faults: Arc<Mutex<Vec<Fault>>>,
}

impl FaultCred {
    fn arm(&self, op: Op) {
        let mut faults = self.faults.lock().unwrap();
        if let Some(i) = faults.iter().position(|f| f.op == op) {
            if faults[i].skip > 0 {
                faults[i].skip -= 1;
            } else {
                self.cred.set_error(faults.remove(i).error);
            }
        }
    }
}

impl CredentialApi for FaultCred {
    fn set_secret(&self, secret: &[u8]) -> keyring_core::Result<()> {
        self.arm(Op::Set);
        self.cred.set_secret(secret)
    }

    fn get_secret(&self) -> keyring_core::Result<Vec<u8>> {
        self.arm(Op::Get);
        self.cred.get_secret()
    }

    fn delete_credential(&self) -> keyring_core::Result<()> {
        self.arm(Op::Delete);
        self.cred.delete_credential()
    }

    fn get_credential(&self) -> keyring_core::Result<Option<Arc<Credential>>> {
        self.cred.get_credential()
    }

    fn get_specifiers(&self) -> Option<(String, String)> {
        self.cred.get_specifiers()
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

fn setup() -> (Arc<FaultStore>, Keychain, Namespace, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = FaultStore::new();
    let ns = unique_namespace("faults");
    let kc = Keychain::with_store(store.clone(), ns.clone(), dir.path());
    (store, kc, ns, dir)
}

fn ss(error: secret_service::Error) -> Box<dyn std::error::Error + Send + Sync> {
    Box::new(error)
}

/// An injectable fault: what it stands for, how to make it, the code it must come out as.
type FaultCase = (&'static str, fn() -> KeyringError, ErrorCode);

fn fault_table() -> Vec<FaultCase> {
    vec![
        (
            "locked collection",
            || KeyringError::NoStorageAccess(ss(secret_service::Error::Locked)),
            ErrorCode::KeychainLocked,
        ),
        (
            "locked, generic platform",
            || KeyringError::NoStorageAccess(Box::new(io::Error::other("locked"))),
            ErrorCode::KeychainLocked,
        ),
        (
            "unlock prompt dismissed",
            || KeyringError::NoStorageAccess(ss(secret_service::Error::Prompt)),
            ErrorCode::KeychainDenied,
        ),
        (
            "D-Bus access denied",
            || {
                KeyringError::PlatformFailure(ss(secret_service::Error::ZbusFdo(zbus::fdo::Error::AccessDenied(
                    "no".into(),
                ))))
            },
            ErrorCode::KeychainDenied,
        ),
        (
            "no Secret Service",
            || KeyringError::PlatformFailure(ss(secret_service::Error::Unavailable)),
            ErrorCode::KeychainUnavailable,
        ),
        (
            "Secret Service gone from the bus",
            || {
                KeyringError::PlatformFailure(ss(secret_service::Error::ZbusFdo(zbus::fdo::Error::ServiceUnknown(
                    "gone".into(),
                ))))
            },
            ErrorCode::KeychainUnavailable,
        ),
        (
            "session bus socket missing",
            || {
                let io = io::Error::new(io::ErrorKind::NotFound, "no socket");
                KeyringError::PlatformFailure(ss(secret_service::Error::Zbus(zbus::Error::InputOutput(Arc::new(io)))))
            },
            ErrorCode::KeychainUnavailable,
        ),
        (
            "item locked mid-call",
            || KeyringError::PlatformFailure(ss(secret_service::Error::Locked)),
            ErrorCode::KeychainLocked,
        ),
        (
            "platform failure",
            || KeyringError::PlatformFailure(Box::new(io::Error::other("disk on fire"))),
            ErrorCode::KeychainUnavailable,
        ),
        ("value not UTF-8", || KeyringError::BadEncoding(ANVIL_0_KEY.as_bytes().to_vec()), ErrorCode::KeychainCorrupt),
        (
            "value undecodable",
            || KeyringError::BadDataFormat(ANVIL_0_KEY.as_bytes().to_vec(), Box::new(io::Error::other("bad"))),
            ErrorCode::KeychainCorrupt,
        ),
        ("several matching items", || KeyringError::Ambiguous(Vec::new()), ErrorCode::KeychainCorrupt),
        ("store rejects the name", || KeyringError::Invalid("user".into(), "too odd".into()), ErrorCode::Internal),
    ]
}

#[test]
fn every_fault_is_classified_and_never_quotes_secret_bytes() {
    for (what, fault, code) in fault_table() {
        let (store, kc, _ns, _dir) = setup();
        store.fail(Op::Get, 0, fault());
        let err = kc.alchemy_api_key().unwrap_err();
        assert_eq!(err.code(), code, "{what}: {err}");
        let shown = format!("{err} {err:?}").to_lowercase();
        assert!(!shown.contains(ANVIL_0_KEY), "{what}: {shown}");
        // The bytes' Debug form (`[97, 99, 48, …]`) must not appear either.
        assert!(!shown.contains("97, 99, 48"), "{what}: {shown}");
    }
}

#[test]
fn classification_keeps_the_distinctions_that_matter() {
    let (store, kc, _ns, _dir) = setup();
    store.fail(Op::Get, 0, KeyringError::PlatformFailure(ss(secret_service::Error::Unavailable)));
    let err = kc.alchemy_api_key().unwrap_err();
    assert!(matches!(err, KeychainError::Store(StoreError::Unavailable { .. })), "{err:?}");
    assert!(err.to_string().contains("gnome-keyring or KWallet"), "{err}");

    store.fail(Op::Get, 0, KeyringError::PlatformFailure(Box::new(io::Error::other("disk on fire"))));
    let err = kc.alchemy_api_key().unwrap_err();
    assert!(
        matches!(&err, KeychainError::Store(StoreError::Failed { operation: Operation::Read, detail, .. }) if detail == "disk on fire"),
        "{err:?}"
    );

    store.fail(Op::Get, 0, KeyringError::NoStorageAccess(ss(secret_service::Error::Locked)));
    let err = kc.alchemy_api_key().unwrap_err();
    assert!(err.to_string().contains("unlock"), "{err}");
}

#[test]
fn a_fault_on_the_existence_check_never_leads_to_a_write() {
    for (what, fault, code) in fault_table() {
        // Nothing stored yet: the fault must not be taken for "no entry".
        let (store, kc, ns, _dir) = setup();
        store.fail(Op::Get, 0, fault());
        let hex = SecretString::new(ANVIL_0_KEY.to_owned());
        let err = kc.import_owner_key(OwnerKeySource::PrivateKeyHex(&hex), None).unwrap_err();
        assert_eq!(err.code(), code, "{what}: {err}");
        assert_eq!(store.value(&ns, &Slot::OwnerKey(ANVIL_0).account()), None, "{what}: nothing written");
        assert!(kc.list_owner_keys().unwrap().is_empty(), "{what}: nothing listed");

        // An API key is stored: a failing check must leave it exactly as it was.
        kc.set_alchemy_api_key(&SecretString::new("original".to_owned())).unwrap();
        store.fail(Op::Get, 0, fault());
        let err = kc.set_alchemy_api_key(&SecretString::new("replacement".to_owned())).unwrap_err();
        assert_eq!(err.code(), code, "{what}: {err}");
        assert_eq!(store.value(&ns, &Slot::AlchemyApiKey.account()).as_deref(), Some("original"), "{what}");
    }
}

#[test]
fn a_platform_failure_mid_write_leaves_nothing_recorded() {
    let (store, kc, ns, _dir) = setup();
    let account = Slot::OwnerKey(ANVIL_0).account();
    let hex = SecretString::new(ANVIL_0_KEY.to_owned());

    // The write itself fails: no entry, nothing listed, and a retry works.
    store.fail(Op::Set, 0, KeyringError::PlatformFailure(Box::new(io::Error::other("write failed"))));
    let err = kc.import_owner_key(OwnerKeySource::PrivateKeyHex(&hex), None).unwrap_err();
    assert!(matches!(err, KeychainError::Store(StoreError::Failed { operation: Operation::Create, .. })), "{err:?}");
    assert_eq!(err.code(), ErrorCode::KeychainUnavailable);
    assert_eq!(store.value(&ns, &account), None);
    assert!(kc.list_owner_keys().unwrap().is_empty());

    // The write lands but confirming it fails: the key is not listed (it was never
    // confirmed), and importing it again records the identical entry without rewriting it.
    store.fail(Op::Get, 1, KeyringError::PlatformFailure(ss(secret_service::Error::Unavailable)));
    let err = kc.import_owner_key(OwnerKeySource::PrivateKeyHex(&hex), Some("main")).unwrap_err();
    assert_eq!(err.code(), ErrorCode::KeychainUnavailable, "{err}");
    assert!(kc.list_owner_keys().unwrap().is_empty());
    assert_eq!(store.value(&ns, &account).as_deref(), Some(ANVIL_0_KEY));
    store.fail(Op::Set, 0, KeyringError::PlatformFailure(Box::new(io::Error::other("must not be written"))));
    let info = kc.import_owner_key(OwnerKeySource::PrivateKeyHex(&hex), Some("main")).unwrap();
    assert_eq!(info.address, ANVIL_0);
    assert_eq!(store.value(&ns, &account).as_deref(), Some(ANVIL_0_KEY));
    // The armed write fault is still pending: no write happened.
    assert_eq!(store.faults.lock().unwrap().len(), 1);
}

#[test]
fn a_failed_delete_keeps_the_key() {
    let (store, kc, ns, _dir) = setup();
    let account = Slot::OwnerKey(ANVIL_0).account();
    let hex = SecretString::new(ANVIL_0_KEY.to_owned());
    kc.import_owner_key(OwnerKeySource::PrivateKeyHex(&hex), None).unwrap();

    store.fail(Op::Delete, 0, KeyringError::NoStorageAccess(ss(secret_service::Error::Prompt)));
    let err = kc.delete_owner_key(ANVIL_0, Confirmation::Confirmed).unwrap_err();
    assert_eq!(err.code(), ErrorCode::KeychainDenied);
    assert_eq!(kc.list_owner_keys().unwrap().len(), 1);
    assert_eq!(store.value(&ns, &account).as_deref(), Some(ANVIL_0_KEY));

    // Gone from the keychain behind Warden's back: the list is cleaned up.
    store.fail(Op::Delete, 0, KeyringError::NoEntry);
    kc.delete_owner_key(ANVIL_0, Confirmation::Confirmed).unwrap();
    assert!(kc.list_owner_keys().unwrap().is_empty());
}

#[test]
fn signing_reports_a_locked_keychain_and_recovers_once_unlocked() {
    let (store, kc, _ns, _dir) = setup();
    let hex = SecretString::new(ANVIL_0_KEY.to_owned());
    kc.import_owner_key(OwnerKeySource::PrivateKeyHex(&hex), None).unwrap();
    let signer = kc.owner_signer(ANVIL_0).unwrap();

    store.fail(Op::Get, 0, KeyringError::NoStorageAccess(ss(secret_service::Error::Locked)));
    assert_eq!(signer.sign(&DIGEST).unwrap_err().code(), ErrorCode::KeychainLocked);
    store.fail(Op::Get, 0, KeyringError::NoStorageAccess(ss(secret_service::Error::Locked)));
    let err = signer.sign_digest(&DIGEST).unwrap_err();
    assert!(err.to_string().contains("locked"), "{err}");
    // Through the core's DigestSigner the classification survives.
    assert_eq!(err.code(), ErrorCode::KeychainLocked);

    let sig = signer.sign(&DIGEST).unwrap();
    assert_eq!(warden_core::signing::recover(&DIGEST, &sig.as_bytes()).unwrap(), ANVIL_0);
}

/// Every keychain call a replacement of the API key makes, in order, with the fault that
/// stops it there: whatever fails, a working key is left, and trying again finishes.
#[test]
fn replacing_the_api_key_never_leaves_none() {
    let failure = || KeyringError::PlatformFailure(Box::new(io::Error::other("disk on fire")));
    // (op, skip): the reads of both entries, the staging write and its read-back, the
    // removal of the old key, the write of the new one and its read-back, the removal of
    // the staged copy.
    let points: Vec<(Op, usize)> =
        (0..6).map(|n| (Op::Get, n)).chain([(Op::Set, 0), (Op::Set, 1), (Op::Delete, 0)]).collect();
    for (op, skip) in points {
        let what = format!("{op:?} #{}", skip + 1);
        let (store, kc, ns, _dir) = setup();
        kc.set_alchemy_api_key(&SecretString::new("original".to_owned())).unwrap();
        store.fail(op, skip, failure());
        let outcome = kc.replace_alchemy_api_key(&SecretString::new("replacement".to_owned()));
        let after = kc.alchemy_api_key().unwrap().map(|k| k.expose().to_owned());
        assert!(
            matches!(after.as_deref(), Some("original" | "replacement")),
            "{what}: a working key is left ({outcome:?}, {after:?})"
        );
        if outcome.is_err() {
            store.faults.lock().unwrap().clear();
            kc.replace_alchemy_api_key(&SecretString::new("replacement".to_owned())).unwrap();
        }
        assert_eq!(kc.alchemy_api_key().unwrap().unwrap().expose(), "replacement", "{what}");
        assert_eq!(store.value(&ns, &Slot::AlchemyApiKey.account()).as_deref(), Some("replacement"), "{what}");
        assert_eq!(store.value(&ns, &Slot::AlchemyApiKeyStaged.account()), None, "{what}: no copy left behind");
    }
}

#[test]
fn a_replacement_that_stopped_after_removing_the_old_key_is_finished() {
    let (store, kc, ns, _dir) = setup();
    kc.set_alchemy_api_key(&SecretString::new("original".to_owned())).unwrap();
    // The old key is removed, then writing the new one in its place fails.
    store.fail(Op::Set, 1, KeyringError::PlatformFailure(Box::new(io::Error::other("write failed"))));
    let err = kc.replace_alchemy_api_key(&SecretString::new("replacement".to_owned())).unwrap_err();
    assert_eq!(err.code(), ErrorCode::KeychainUnavailable, "{err}");
    assert_eq!(store.value(&ns, &Slot::AlchemyApiKey.account()), None);
    // The new key, read back from its staging entry, is the working one.
    assert_eq!(kc.alchemy_api_key().unwrap().unwrap().expose(), "replacement");

    // Replacing it by yet another key first finishes the interrupted replacement.
    kc.replace_alchemy_api_key(&SecretString::new("third".to_owned())).unwrap();
    assert_eq!(kc.alchemy_api_key().unwrap().unwrap().expose(), "third");
    assert_eq!(store.value(&ns, &Slot::AlchemyApiKeyStaged.account()), None);

    // Deleting removes every copy; the same key again writes nothing.
    kc.replace_alchemy_api_key(&SecretString::new("third".to_owned())).unwrap();
    store.fail(Op::Set, 0, KeyringError::PlatformFailure(Box::new(io::Error::other("must not be written"))));
    kc.replace_alchemy_api_key(&SecretString::new("third".to_owned())).unwrap();
    store.faults.lock().unwrap().clear();
    kc.delete_alchemy_api_key().unwrap();
    assert!(kc.alchemy_api_key().unwrap().is_none());
    assert_eq!(kc.delete_alchemy_api_key().unwrap_err().code(), ErrorCode::KeyNotFound);
    // A bad key never costs the stored one.
    kc.replace_alchemy_api_key(&SecretString::new("good".to_owned())).unwrap();
    let err = kc.replace_alchemy_api_key(&SecretString::new("bad key".to_owned())).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    assert_eq!(kc.alchemy_api_key().unwrap().unwrap().expose(), "good");
}
