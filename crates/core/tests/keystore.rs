//! Keystore v3: Warden writes geth's standard scrypt cost, reads the Web3 Secret Storage
//! test vectors, refuses weak passphrases saying why, and refuses every parameter outside
//! its bounds with a typed error naming it — before deriving anything.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use serde_json::{Value, json};
use warden_core::credentials::{CredentialsError, Secret, SecretForm, SessionCredentials, Unlock};
use warden_core::keystore::{Keystore, KeystoreError};
use warden_core::signing::{DigestSigner, LocalSigner};
use warden_core::{Coded, ErrorCode};

const PASSPHRASE: &str = "correct horse battery staple";

fn sealed() -> (SessionCredentials, Value) {
    let secret = Secret::seal(SESSION_KEY, SecretForm::Keystore { passphrase: PASSPHRASE }).unwrap();
    let Secret::Keystore(document) = &secret else { panic!("not a keystore") };
    let document = document.clone();
    (real_credentials(Some(secret)), document)
}

#[test]
fn warden_writes_geths_standard_scrypt_cost() {
    let (credentials, document) = sealed();
    let params = &document["crypto"]["kdfparams"];
    assert_eq!(document["crypto"]["kdf"], "scrypt");
    assert_eq!(params["n"], 1u64 << 18, "geth's StandardScryptN");
    assert_eq!((params["r"].as_u64(), params["p"].as_u64(), params["dklen"].as_u64()), (Some(8), Some(1), Some(32)));
    assert_eq!(params["salt"].as_str().unwrap().len(), 64, "a 32-byte salt");
    assert_eq!(document["crypto"]["cipher"], "aes-128-ctr");
    assert_eq!(document["version"], 3);
    let keystore = Keystore::parse(&document).unwrap();
    assert!(keystore.is_standard_scrypt());
    assert_eq!(keystore.address(), Some(credentials.key.public_key));

    // It unlocks with the passphrase (through a file, as a server reads it) and only with it.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keystore.json");
    credentials.write_file(&path, false).unwrap();
    let read = SessionCredentials::read_file(&path).unwrap();
    let signer = read.session_signer(Unlock::Passphrase(PASSPHRASE)).unwrap();
    assert_eq!(signer.address(), credentials.key.public_key);
    let err = read.session_signer(Unlock::Passphrase("correct horse battery stapler")).unwrap_err();
    assert!(matches!(err, CredentialsError::Locked(_)), "{err}");
    assert!(err.to_string().contains("wrong passphrase"), "{err}");
}

/// The PBKDF2 test vector of the Web3 Secret Storage definition (password
/// "testpassword") unlocks; its scrypt vector asks for N = 2^18 with r = 1, which scrypt
/// itself does not allow (N must be below 2^(16·r)), and is refused saying so.
#[test]
fn the_web3_secret_storage_vectors() {
    let pbkdf2 = json!({
        "crypto": {
            "cipher": "aes-128-ctr",
            "cipherparams": {"iv": "6087dab2f9fdbbfaddc31a909735c1e6"},
            "ciphertext": "5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46",
            "kdf": "pbkdf2",
            "kdfparams": {
                "c": 262144, "dklen": 32, "prf": "hmac-sha256",
                "salt": "ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd"
            },
            "mac": "517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2"
        },
        "id": "3198bc9c-6672-5ab3-d995-4942343ae5b6",
        "version": 3
    });
    let keystore = Keystore::parse(&pbkdf2).unwrap();
    let key = keystore.decrypt("testpassword").unwrap();
    assert_eq!(
        alloy_primitives::hex::encode(key.as_slice()),
        "7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d"
    );
    assert!(matches!(keystore.decrypt("testpassworD"), Err(KeystoreError::WrongPassphrase)));

    let mut scrypt = pbkdf2.clone();
    scrypt["crypto"]["kdf"] = json!("scrypt");
    scrypt["crypto"]["kdfparams"] = json!({
        "dklen": 32, "n": 262144, "p": 8, "r": 1,
        "salt": "ab0c7876052600dd703518d6fc3fe8984592145b591fc8fb5c6d43190334ba19"
    });
    let err = Keystore::parse(&scrypt).unwrap_err();
    assert!(err.to_string().contains("as scrypt requires"), "{err}");
}

#[test]
fn weak_passphrases_are_refused_saying_what_is_weak() {
    for (weak, needle) in [
        ("p", "1 characters; use at least 12"),
        ("abcabcabcabc1", "4 different ones"),
        ("alllowercase", "only lowercase letters"),
    ] {
        let err = Secret::seal(SESSION_KEY, SecretForm::Keystore { passphrase: weak }).unwrap_err();
        assert!(matches!(err, CredentialsError::Keystore(KeystoreError::WeakPassphrase { .. })), "{weak}: {err}");
        assert_eq!(err.code(), ErrorCode::InvalidInput, "{weak}");
        assert!(err.to_string().contains(needle), "{weak}: {err}");
    }
}

/// Each change to a valid keystore, the parameter the refusal must name, and the kind of
/// refusal. None of these may panic, allocate what they ask for or derive anything.
#[test]
fn parameters_outside_the_bounds_are_refused_before_any_work() {
    let (_, good) = sealed();
    type Edit = fn(&mut Value);
    let cases: Vec<(&str, Edit, &str)> = vec![
        ("N of 2^40 (128 TiB of memory)", |d| d["crypto"]["kdfparams"]["n"] = json!(1u64 << 40), "n and r"),
        ("N of 2^20 with r = 8 (1 GiB)", |d| d["crypto"]["kdfparams"]["n"] = json!(1u64 << 20), "n and r"),
        ("N beyond u64", |d| d["crypto"]["kdfparams"]["n"] = json!(1e30), "crypto.kdfparams.n"),
        ("N not a power of two", |d| d["crypto"]["kdfparams"]["n"] = json!(262_143), "crypto.kdfparams.n"),
        ("N too small", |d| d["crypto"]["kdfparams"]["n"] = json!(16), "crypto.kdfparams.n"),
        ("N as text", |d| d["crypto"]["kdfparams"]["n"] = json!("262144"), "crypto.kdfparams.n"),
        ("r of 0", |d| d["crypto"]["kdfparams"]["r"] = json!(0), "crypto.kdfparams.r"),
        ("r of 2^32", |d| d["crypto"]["kdfparams"]["r"] = json!(1u64 << 32), "n and r"),
        ("p of 0", |d| d["crypto"]["kdfparams"]["p"] = json!(0), "crypto.kdfparams.p"),
        ("p of a million", |d| d["crypto"]["kdfparams"]["p"] = json!(1_000_000), "n, r and p"),
        ("dklen of 16 (too short for key and MAC)", |d| d["crypto"]["kdfparams"]["dklen"] = json!(16), "dklen"),
        ("dklen of 2^40", |d| d["crypto"]["kdfparams"]["dklen"] = json!(1u64 << 40), "dklen"),
        ("salt of 4 bytes", |d| d["crypto"]["kdfparams"]["salt"] = json!("00112233"), "salt length"),
        ("salt of 1 MB", |d| d["crypto"]["kdfparams"]["salt"] = json!("00".repeat(1 << 20)), "salt length"),
        ("salt not hex", |d| d["crypto"]["kdfparams"]["salt"] = json!("zz".repeat(32)), "crypto.kdfparams.salt"),
        ("ciphertext of 31 bytes", |d| d["crypto"]["ciphertext"] = json!("00".repeat(31)), "crypto.ciphertext"),
        ("ciphertext of 1 MB", |d| d["crypto"]["ciphertext"] = json!("00".repeat(1 << 20)), "crypto.ciphertext"),
        ("IV of 8 bytes", |d| d["crypto"]["cipherparams"]["iv"] = json!("00".repeat(8)), "crypto.cipherparams.iv"),
        ("MAC of 20 bytes", |d| d["crypto"]["mac"] = json!("00".repeat(20)), "crypto.mac"),
        ("another cipher", |d| d["crypto"]["cipher"] = json!("aes-256-gcm"), "crypto.cipher"),
        ("another KDF", |d| d["crypto"]["kdf"] = json!("argon2id"), "crypto.kdf"),
        ("no kdfparams", |d| d["crypto"]["kdfparams"] = Value::Null, "crypto.kdfparams"),
        ("version 4", |d| d["version"] = json!(4), "version"),
        (
            "PBKDF2 with 10^9 rounds",
            |d| {
                d["crypto"]["kdf"] = json!("pbkdf2");
                d["crypto"]["kdfparams"] =
                    json!({"c": 1_000_000_000u64, "dklen": 32, "prf": "hmac-sha256", "salt": "00".repeat(32)});
            },
            "crypto.kdfparams.c",
        ),
        (
            "PBKDF2 with another PRF",
            |d| {
                d["crypto"]["kdf"] = json!("pbkdf2");
                d["crypto"]["kdfparams"] =
                    json!({"c": 262144, "dklen": 32, "prf": "hmac-sha512", "salt": "00".repeat(32)});
            },
            "crypto.kdfparams.prf",
        ),
    ];
    for (what, edit, parameter) in cases {
        let mut document = good.clone();
        edit(&mut document);
        let err = Keystore::parse(&document).unwrap_err();
        assert!(err.to_string().contains(parameter), "{what}: {err}");
        assert_eq!(err.code(), ErrorCode::InvalidInput, "{what}: {err}");
        assert!(
            matches!(
                err,
                KeystoreError::OutOfBounds { .. } | KeystoreError::Unsupported { .. } | KeystoreError::Malformed { .. }
            ),
            "{what}: {err:?}"
        );
        // Read as part of a credentials document, the same refusal, at parse time.
        let mut credentials: Value = serde_json::from_str(&real_credentials(None).to_json()).unwrap();
        credentials["secret"] = json!({"type": "keystore", "keystore": document});
        let err = SessionCredentials::parse(&credentials.to_string()).unwrap_err();
        assert!(matches!(err, CredentialsError::Keystore(_)), "{what}: {err}");
        assert!(err.to_string().starts_with("secret: keystore"), "{what}: {err}");
        assert_eq!(err.code(), ErrorCode::InvalidInput, "{what}");
    }
    // The untouched document still reads and unlocks.
    assert_eq!(
        Keystore::parse(&good).unwrap().decrypt(PASSPHRASE).unwrap().as_slice(),
        LocalSigner::from_hex(SESSION_KEY).map(|_| alloy_primitives::hex::decode(&SESSION_KEY[2..]).unwrap()).unwrap()
    );
}
