//! Tests that need a second process: keys persist across processes (against the real
//! Secret Service); a missing session bus is a typed `keychain_unavailable` error with no
//! fallback (no Secret Service needed); and a real, locked GNOME Keyring (a private bus of
//! its own where the keyring is activated but never unlocked) is `keychain_locked`.
//!
//! This binary has no libtest harness: run normally it is the parent and runs the tests
//! below; with `WARDEN_KEYCHAIN_PROBE` set it is a child running one probe, in an
//! environment the parent chose (changing the environment inside a threaded test binary
//! is unsound, so a child process is the only honest way to lose the session bus).
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

mod common;

use std::fs::File;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use alloy_primitives::Address;
use common::*;
use warden_core::error::{Coded, ErrorCode};
use warden_core::signing::recover;
use warden_keychain::{Keychain, KeychainError, Namespace, OwnerKeySource, SecretString, StoreError};

const PROBE_ENV: &str = "WARDEN_KEYCHAIN_PROBE";
const NS_ENV: &str = "WARDEN_PROBE_NAMESPACE";
const DIR_ENV: &str = "WARDEN_PROBE_CONFIG_DIR";
const SESSION_ENV: &str = "WARDEN_PROBE_SESSION_KEY";

fn main() -> ExitCode {
    if let Ok(probe) = std::env::var(PROBE_ENV) {
        match probe.as_str() {
            "unavailable" => probe_unavailable(),
            "persisted" => probe_persisted(),
            "locked" => probe_locked(),
            other => panic!("unknown probe {other:?}"),
        }
        println!("probe {probe} ok");
        return ExitCode::SUCCESS;
    }
    let tests: [(&str, fn()); 4] = [
        ("no_session_bus_is_a_typed_unavailable_error", no_session_bus_is_a_typed_unavailable_error),
        ("unset_session_bus_is_a_typed_unavailable_error", unset_session_bus_is_a_typed_unavailable_error),
        ("keys_persist_across_processes", keys_persist_across_processes),
        ("locked_gnome_keyring_is_a_typed_locked_error", locked_gnome_keyring_is_a_typed_locked_error),
    ];
    let mut failed = 0;
    for (name, test) in tests {
        let ok = catch_unwind(AssertUnwindSafe(test)).is_ok();
        println!("test {name} ... {}", if ok { "ok" } else { "FAILED" });
        failed += usize::from(!ok);
    }
    println!("test result: {} passed; {failed} failed", tests.len() - failed);
    if failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

/// Runs `probe` in a child of this binary (under `wrapper`, if given) with `configure`
/// applied to its command; fails if it fails or takes longer than a minute.
fn run_probe(probe: &str, wrapper: Option<&str>, configure: impl FnOnce(&mut Command)) -> String {
    let exe = std::env::current_exe().unwrap();
    let mut cmd = match wrapper {
        Some(wrapper) => {
            let mut cmd = Command::new(wrapper);
            cmd.arg("--").arg(exe);
            cmd
        }
        None => Command::new(exe),
    };
    let logs = tempfile::tempdir().unwrap();
    let (out_path, err_path) = (logs.path().join("stdout"), logs.path().join("stderr"));
    cmd.env(PROBE_ENV, probe)
        .stdin(Stdio::null())
        .stdout(File::create(&out_path).unwrap())
        .stderr(File::create(&err_path).unwrap());
    configure(&mut cmd);
    let mut child = cmd.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("probe {probe} hung for a minute and was killed");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = std::fs::read_to_string(out_path).unwrap();
    let stderr = std::fs::read_to_string(err_path).unwrap();
    assert!(status.success(), "probe {probe} failed ({status}):\n{stdout}\n{stderr}");
    assert!(stdout.contains(&format!("probe {probe} ok")), "{stdout}");
    stdout
}

fn assert_empty(dir: &Path) {
    let left: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    assert!(left.is_empty(), "nothing may be written when there is no keychain: {left:?}");
}

/// A child with no usable session bus: the address names a socket that does not exist,
/// and there is no display to autolaunch a bus for.
fn no_session_bus_is_a_typed_unavailable_error() {
    let scratch = tempfile::tempdir().unwrap();
    let (home, run, data, config) = scratch_dirs(scratch.path());
    let bus = format!("unix:path={}", scratch.path().join("no-such-bus").display());
    let stdout = run_probe("unavailable", None, |cmd| {
        isolate(cmd, &home, &run, &data, &config);
        cmd.env("DBUS_SESSION_BUS_ADDRESS", bus);
    });
    assert!(stdout.contains("keychain_unavailable"), "{stdout}");
    for dir in [&home, &run, &data, &config] {
        assert_empty(dir);
    }
}

/// Same, with no bus address at all (the fallback `$XDG_RUNTIME_DIR/bus` is absent too).
fn unset_session_bus_is_a_typed_unavailable_error() {
    let scratch = tempfile::tempdir().unwrap();
    let (home, run, data, config) = scratch_dirs(scratch.path());
    run_probe("unavailable", None, |cmd| {
        isolate(cmd, &home, &run, &data, &config);
        cmd.env_remove("DBUS_SESSION_BUS_ADDRESS");
    });
    for dir in [&home, &run, &data, &config] {
        assert_empty(dir);
    }
}

fn scratch_dirs(root: &Path) -> (std::path::PathBuf, std::path::PathBuf, std::path::PathBuf, std::path::PathBuf) {
    let dirs = ["home", "run", "data", "config"].map(|d| {
        let p = root.join(d);
        std::fs::create_dir(&p).unwrap();
        p
    });
    let [home, run, data, config] = dirs;
    (home, run, data, config)
}

fn isolate(cmd: &mut Command, home: &Path, run: &Path, data: &Path, config: &Path) {
    cmd.env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env("HOME", home)
        .env("XDG_RUNTIME_DIR", run)
        .env("XDG_DATA_HOME", data)
        .env("XDG_CONFIG_HOME", config)
        .env(NS_ENV, "warden-test-unavailable")
        .env(DIR_ENV, config);
}

fn probe_unavailable() {
    let ns = Namespace::new(std::env::var(NS_ENV).unwrap()).unwrap();
    let dir = std::env::var(DIR_ENV).unwrap();
    let err = Keychain::open(ns, Path::new(&dir)).unwrap_err();
    assert!(matches!(err, KeychainError::Store(StoreError::Unavailable { .. })), "{err:?}");
    assert_eq!(err.code(), ErrorCode::KeychainUnavailable);
    assert!(err.to_string().contains("no Secret Service is running"), "{err}");
    println!("{}: {err}", err.code());
}

/// The parent stores keys, a child (a new process, a new connection) finds and uses them
/// and changes them, and the parent, reopening from scratch, sees the child's changes.
fn keys_persist_across_processes() {
    let dir = tempfile::tempdir().unwrap();
    let ns = unique_namespace("persist");
    let Some(kc) = real_keychain(ns.clone(), dir.path()) else { return };
    let hex = SecretString::new(ANVIL_0_KEY.to_owned());
    kc.import_owner_key(OwnerKeySource::PrivateKeyHex(&hex), Some("persisted")).unwrap();
    let session = kc.create_session_key().unwrap();
    kc.set_alchemy_api_key(&SecretString::new("persisted-api-key".to_owned())).unwrap();
    drop(kc);

    run_probe("persisted", None, |cmd| {
        cmd.env(NS_ENV, ns.as_str()).env(DIR_ENV, dir.path()).env(SESSION_ENV, session.to_string());
    });

    let kc = Keychain::open(ns, dir.path()).unwrap();
    assert_eq!(kc.session_signer(session).unwrap_err().code(), ErrorCode::KeyNotFound);
    let listed: Vec<_> = kc.list_owner_keys().unwrap().into_iter().map(|k| (k.address, k.label, k.selected)).collect();
    assert_eq!(listed, vec![(ANVIL_0, "persisted".to_owned(), true), (ANVIL_1, "from the child".to_owned(), false)]);
    let sig = kc.owner_signer(ANVIL_1).unwrap().sign(&DIGEST).unwrap();
    assert_eq!(recover(&DIGEST, &sig.as_bytes()).unwrap(), ANVIL_1);
}

fn probe_persisted() {
    let ns = Namespace::new(std::env::var(NS_ENV).unwrap()).unwrap();
    let dir = std::env::var(DIR_ENV).unwrap();
    let session: Address = std::env::var(SESSION_ENV).unwrap().parse().unwrap();
    let kc = Keychain::open(ns, Path::new(&dir)).unwrap();

    let selected = kc.selected_owner_key().unwrap().unwrap();
    assert_eq!((selected.address, selected.label.as_str()), (ANVIL_0, "persisted"));
    let sig = kc.owner_signer(ANVIL_0).unwrap().sign(&DIGEST).unwrap();
    assert_eq!(recover(&DIGEST, &sig.as_bytes()).unwrap(), ANVIL_0);
    let sig = kc.session_signer(session).unwrap().sign(&DIGEST).unwrap();
    assert_eq!(recover(&DIGEST, &sig.as_bytes()).unwrap(), session);
    assert_eq!(kc.alchemy_api_key().unwrap().unwrap().expose(), "persisted-api-key");

    kc.delete_session_key(session).unwrap();
    let hex = SecretString::new(ANVIL_1_KEY.to_owned());
    kc.import_owner_key(OwnerKeySource::PrivateKeyHex(&hex), Some("from the child")).unwrap();
}

/// A private session bus where nothing unlocked the keyring: the bus activates
/// gnome-keyring on the first Secret Service call, and its login collection is locked.
fn locked_gnome_keyring_is_a_typed_locked_error() {
    let tools = ["dbus-run-session", "gnome-keyring-daemon"];
    let missing: Vec<_> = tools
        .iter()
        .filter(|tool| !Command::new("which").arg(tool).output().is_ok_and(|o| o.status.success()))
        .collect();
    if !missing.is_empty() {
        if std::env::var(SKIP_ENV).as_deref() == Ok("1") {
            eprintln!("skipped: {missing:?} not installed and {SKIP_ENV}=1");
            return;
        }
        panic!("this test needs {missing:?} (apt-get install dbus gnome-keyring), or {SKIP_ENV}=1 to skip it");
    }
    let scratch = tempfile::tempdir().unwrap();
    let (home, run, data, config) = scratch_dirs(scratch.path());
    let stdout = run_probe("locked", Some("dbus-run-session"), |cmd| {
        isolate(cmd, &home, &run, &data, &config);
        cmd.env(NS_ENV, "warden-test-locked");
    });
    assert!(stdout.contains("keychain_locked"), "{stdout}");
}

fn probe_locked() {
    let ns = Namespace::new(std::env::var(NS_ENV).unwrap()).unwrap();
    let dir = std::env::var(DIR_ENV).unwrap();
    let kc = Keychain::open(ns, Path::new(&dir)).unwrap();
    let hex = SecretString::new(ANVIL_0_KEY.to_owned());
    let err = kc.import_owner_key(OwnerKeySource::PrivateKeyHex(&hex), None).unwrap_err();
    assert_eq!(err.code(), ErrorCode::KeychainLocked, "{err:?}");
    assert!(err.to_string().contains("unlock"), "{err}");
    assert!(kc.list_owner_keys().unwrap().is_empty());
    assert!(!kc.index_path().exists(), "no index is written for a key that was not stored");
    assert_eq!(kc.create_session_key().unwrap_err().code(), ErrorCode::KeychainLocked);
    println!("{}: {err}", err.code());
}
