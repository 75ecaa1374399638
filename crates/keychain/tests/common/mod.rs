//! Helpers shared by the integration tests: unique namespaces, the real keychain (or a
//! clear failure when there is none), and the test vectors.
#![allow(dead_code, clippy::unwrap_used, clippy::print_stderr)]

use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use alloy_primitives::{Address, B256, address, b256};
use warden_keychain::keyring_core;
use warden_keychain::{Keychain, Namespace};

/// Set to `1` to skip (rather than fail) tests that need a running Secret Service.
pub const SKIP_ENV: &str = "WARDEN_SKIP_KEYCHAIN_TESTS";

/// anvil / hardhat account 0: the "test test … junk" mnemonic at m/44'/60'/0'/0/0.
pub const ANVIL_0_KEY: &str = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
pub const ANVIL_0: Address = address!("f39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
/// anvil account 1: m/44'/60'/0'/0/1 of the same mnemonic.
pub const ANVIL_1_KEY: &str = "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
pub const ANVIL_1: Address = address!("70997970C51812dc3A010C7d01b50e0d17dc79C8");
pub const TEST_MNEMONIC: &str = "test test test test test test test test test test test junk";

pub const DIGEST: B256 = b256!("1c8aff950685c2ed4bc3174f3472287b56d9517b9c948127319a09a7a36deac8");

/// A namespace no other test (or earlier run) uses.
pub fn unique_namespace(tag: &str) -> Namespace {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().subsec_nanos();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    Namespace::new(format!("warden-test-{tag}-{}-{nanos}-{n}", std::process::id())).unwrap()
}

/// The platform keychain, or `None` when it is missing and [`SKIP_ENV`] says to skip.
/// Without [`SKIP_ENV`], a missing keychain fails the test with instructions.
pub fn real_keychain(namespace: Namespace, config_dir: &Path) -> Option<Keychain> {
    match Keychain::open(namespace, config_dir) {
        Ok(keychain) => Some(keychain),
        Err(e) if std::env::var(SKIP_ENV).as_deref() == Ok("1") => {
            eprintln!("skipped: no Secret Service ({e}) and {SKIP_ENV}=1");
            None
        }
        Err(e) => panic!(
            "these tests need a running Secret Service, and opening it failed: {e}\n\
             run them through scripts/with-keyring.sh (a private D-Bus session with an unlocked \
             gnome-keyring), e.g. `scripts/with-keyring.sh cargo test -p warden-keychain`, \
             or set {SKIP_ENV}=1 to skip them"
        ),
    }
}

/// The Secret Service entry `(namespace, account)`, bypassing Warden: to plant entries a
/// Warden build could not write, and to check what is really stored.
pub fn raw_entry(namespace: &Namespace, account: &str) -> keyring_core::Entry {
    use keyring_core::api::CredentialStoreApi;
    let store = zbus_secret_service_keyring_store::Store::new().unwrap();
    store.build(namespace.as_str(), account, None).unwrap()
}

/// The label the Secret Service shows for the entry `(namespace, account)`.
pub fn raw_label(namespace: &Namespace, account: &str) -> String {
    use keyring_core::api::CredentialStoreApi;
    use std::collections::HashMap;
    let store = zbus_secret_service_keyring_store::Store::new().unwrap();
    let found = store.search(&HashMap::from([("service", namespace.as_str()), ("username", account)])).unwrap();
    assert_eq!(found.len(), 1, "exactly one item for {account}");
    let wrapper: &zbus_secret_service_keyring_store::cred::Wrapper = found[0].as_any().downcast_ref().unwrap();
    wrapper.get_label().unwrap()
}
