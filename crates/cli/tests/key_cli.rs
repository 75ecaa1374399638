//! `warden key …` against a real Secret Service (run inside `scripts/with-keyring.sh`, as
//! `scripts/test.sh` does): import by hex and mnemonic give the known addresses, nothing is
//! overwritten, deletion needs --yes, errors are one classified line, and no secret is
//! ever printed.

#![allow(clippy::unwrap_used)]

use assert_cmd::Command;
use serde_json::Value;

const ANVIL_0_KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const ANVIL_0: &str = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
const ANVIL_1: &str = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const MNEMONIC: &str = "test test test test test test test test test test test junk";

struct Env {
    _dir: tempfile::TempDir,
    config: String,
    namespace: String,
}

fn env() -> Env {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        assert!(
            std::env::var_os("WARDEN_SKIP_KEYCHAIN_TESTS").is_some(),
            "these tests need a Secret Service: run them through scripts/with-keyring.sh (scripts/test.sh does)"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let namespace = format!("dev.warden.test.cli{}", std::process::id());
    Env { config: dir.path().to_str().unwrap().to_owned(), _dir: dir, namespace }
}

fn skip() -> bool {
    std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none()
}

fn warden(e: &Env, args: &[&str], stdin: &str) -> (i32, String, String) {
    let out = Command::cargo_bin("warden")
        .unwrap()
        .args(args)
        .env("WARDEN_CONFIG_DIR", &e.config)
        .env("WARDEN_KEYCHAIN_NAMESPACE", &e.namespace)
        .write_stdin(stdin)
        .output()
        .unwrap();
    let (o, err) = (String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap());
    for text in [&o, &err] {
        assert!(!text.contains(&ANVIL_0_KEY[2..]), "a private key was printed");
        assert!(!text.contains("test test test"), "the mnemonic was printed");
    }
    (out.status.code().unwrap(), o, err)
}

#[test]
fn import_list_rename_delete_through_the_cli() {
    let e = env();
    if skip() {
        return;
    }
    let (code, out, err) = warden(&e, &["key", "import", "--label", "anvil zero"], ANVIL_0_KEY);
    assert_eq!(code, 0, "{err}");
    let info: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(info["address"], ANVIL_0);

    // The same key again is refused, and the original stays.
    let (code, _, err) = warden(&e, &["key", "import", "--label", "again"], ANVIL_0_KEY);
    assert_eq!(code, 1);
    assert!(err.starts_with("error: already_exists:") && err.lines().count() == 1, "{err}");

    let (code, out, err) = warden(&e, &["key", "import", "--mnemonic", "--path", "m/44'/60'/0'/0/1"], MNEMONIC);
    assert_eq!(code, 0, "{err}");
    assert_eq!(serde_json::from_str::<Value>(&out).unwrap()["address"], ANVIL_1);

    let (code, out, _) = warden(&e, &["key", "list", "--json"], "");
    assert_eq!(code, 0);
    let list: Vec<Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["label"], "anvil zero");
    assert_eq!(list[0]["selected"], true);

    let (code, _, _) = warden(&e, &["key", "rename", ANVIL_1, "second"], "");
    assert_eq!(code, 0);
    let (_, out, _) = warden(&e, &["key", "list"], "");
    assert!(out.contains(ANVIL_1) && out.contains("second"), "{out}");

    let (code, _, err) = warden(&e, &["key", "delete", ANVIL_1], "");
    assert_eq!(code, 2);
    assert!(err.contains("--yes"), "{err}");
    let (code, _, err) = warden(&e, &["key", "delete", ANVIL_1, "--yes"], "");
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = warden(&e, &["key", "delete", ANVIL_1, "--yes"], "");
    assert_eq!(code, 1);
    assert!(err.starts_with("error: key_not_found:"), "{err}");
    let (_, _, _) = warden(&e, &["key", "delete", ANVIL_0, "--yes"], "");
}

#[test]
fn new_key_and_bad_secrets() {
    let e = env();
    if skip() {
        return;
    }
    let (code, out, err) = warden(&e, &["key", "new", "--label", "fresh"], "");
    assert_eq!(code, 0, "{err}");
    let info: Value = serde_json::from_str(&out).unwrap();
    let address = info["address"].as_str().unwrap().to_owned();
    assert_eq!(info["label"], "fresh");

    let (code, _, err) = warden(&e, &["key", "import"], "0x1234");
    assert_eq!(code, 2, "{err}");
    assert!(!err.contains("1234"), "the secret was echoed: {err}");
    let (code, _, err) = warden(&e, &["key", "import"], "");
    assert_eq!(code, 2);
    assert!(err.contains("no secret given"), "{err}");
    warden(&e, &["key", "delete", &address, "--yes"], "");
}

#[test]
fn no_secret_service_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::cargo_bin("warden")
        .unwrap()
        .args(["key", "list"])
        .env("WARDEN_CONFIG_DIR", dir.path())
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/warden-test-bus")
        .env_remove("DISPLAY")
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.starts_with("error: keychain_unavailable:"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

/// `warden key list --repair` after the list was deleted, then after it was cut in half:
/// the keys come back (labels lost are named as such) and the damaged file is kept.
#[test]
fn a_lost_or_damaged_list_is_rebuilt_with_repair() {
    let mut e = env();
    if skip() {
        return;
    }
    // Its own namespace: the other tests of this file share theirs.
    e.namespace.push_str(".repair");
    let (code, _, err) = warden(&e, &["key", "import", "--label", "anvil zero"], ANVIL_0_KEY);
    assert_eq!(code, 0, "{err}");
    let index = std::path::Path::new(&e.config).join(format!("{}.owner-keys.json", e.namespace));

    std::fs::remove_file(&index).unwrap();
    let (code, out, _) = warden(&e, &["key", "list", "--json"], "");
    assert_eq!((code, out.trim()), (0, "[]"));
    let (code, out, err) = warden(&e, &["key", "list", "--repair"], "");
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("rebuilt the list"), "{out}");
    assert!(
        out.contains(&format!(
            "* {ANVIL_0}  Recovered key {ANVIL_0}  (recovered from the keychain (its label was lost))"
        )),
        "{out}"
    );

    let whole = std::fs::read_to_string(&index).unwrap();
    std::fs::write(&index, &whole[..whole.len() / 2]).unwrap();
    let (code, _, err) = warden(&e, &["key", "list"], "");
    assert_eq!(code, 1, "{err}");
    assert!(err.starts_with("error: decode_failed:") && err.contains("warden key list --repair"), "{err}");
    let (code, out, err) = warden(&e, &["key", "list", "--repair", "--json"], "");
    assert_eq!(code, 0, "{err}");
    let repair: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(repair["keys"][0]["address"], ANVIL_0);
    assert_eq!(repair["keys"][0]["state"], "recovered", "nothing could be read from half a file");
    assert!(repair["damage"].is_string(), "{repair}");
    let aside = repair["set_aside"].as_str().unwrap();
    assert_eq!(std::fs::read_to_string(aside).unwrap(), whole[..whole.len() / 2]);

    // Nothing left to repair.
    let (code, out, _) = warden(&e, &["key", "list", "--repair"], "");
    assert_eq!(code, 0);
    assert!(out.contains("nothing to repair"), "{out}");
    let (code, _, err) = warden(&e, &["key", "delete", ANVIL_0, "--yes"], "");
    assert_eq!(code, 0, "{err}");
}
