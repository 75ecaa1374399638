//! `warden.session.v1`: round trips in every secret form, files created 0600 and never
//! overwritten silently, and every inconsistency refused with its field named.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::PathBuf;

use alloy_primitives::Address;
use serde_json::Value;
use warden_core::credentials::{CredentialsError, Secret, SecretForm, SessionCredentials, Unlock};
use warden_core::mav2::context::Context;
use warden_core::signing::{DigestSigner, LocalSigner};

use common::{OWNER_KEY, SESSION_KEY, real_credentials as credentials};

fn refused_field(json: &str) -> String {
    match SessionCredentials::parse(json).unwrap_err() {
        CredentialsError::Inconsistent { field, .. } => field.to_owned(),
        other => panic!("unexpected error {other}"),
    }
}

#[test]
fn session_key_of_the_vector_is_anvil_key_7() {
    let c = credentials(None);
    assert_eq!(c.key.public_key, LocalSigner::from_hex(SESSION_KEY).unwrap().address());
}

#[test]
fn every_secret_form_round_trips_through_a_0600_file() {
    let age_identity = age::x25519::Identity::generate();
    let recipient = age_identity.to_public().to_string();
    let identity_file = {
        use age::secrecy::ExposeSecret;
        format!("# created for a test\n{}\n", age_identity.to_string().expose_secret())
    };
    let forms: [(SecretForm<'_>, Unlock<'_>); 3] = [
        (SecretForm::Plaintext, Unlock::None),
        (SecretForm::Keystore { passphrase: "correct horse" }, Unlock::Passphrase("correct horse")),
        (SecretForm::Age { recipient: &recipient }, Unlock::AgeIdentity(&identity_file)),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (i, (form, unlock)) in forms.into_iter().enumerate() {
        let c = credentials(Some(Secret::seal(SESSION_KEY, form).unwrap()));
        let path = dir.path().join(format!("session-{i}.json"));
        c.write_file(&path, false).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let text = std::fs::read_to_string(&path).unwrap();
        if !matches!(form, SecretForm::Plaintext) {
            assert!(!text.contains(&SESSION_KEY[2..]), "{form:?}: the key is in the file in clear");
        }
        let back = SessionCredentials::read_file(&path).unwrap();
        assert_eq!(back, c);
        let signer = back.session_signer(unlock).unwrap();
        assert_eq!(signer.address(), c.key.public_key);
        // The Debug of a document never shows a plaintext key.
        assert!(!format!("{back:?}").contains(&SESSION_KEY[2..]));
    }
}

#[test]
fn documents_in_every_form_validate_against_the_published_schema() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/warden.session.v1.schema.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    let id = age::x25519::Identity::generate().to_public().to_string();
    for secret in [
        None,
        Some(Secret::seal(SESSION_KEY, SecretForm::Plaintext).unwrap()),
        Some(Secret::seal(SESSION_KEY, SecretForm::Keystore { passphrase: "pass phrase 42" }).unwrap()),
        Some(Secret::seal(SESSION_KEY, SecretForm::Age { recipient: &id }).unwrap()),
    ] {
        let doc: Value = serde_json::from_str(&credentials(secret).to_json()).unwrap();
        let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{errors:?}");
    }
    let mut bad: Value = serde_json::from_str(&credentials(None).to_json()).unwrap();
    bad["endpoint"] = "https://user:pw@example.com/v2".into();
    assert!(!validator.is_valid(&bad));
}

#[test]
fn wrong_passphrase_and_wrong_identity_are_refused() {
    let c =
        credentials(Some(Secret::seal(SESSION_KEY, SecretForm::Keystore { passphrase: "right pass phrase" }).unwrap()));
    assert!(matches!(c.session_signer(Unlock::Passphrase("wrong")), Err(CredentialsError::Locked(_))));
    assert!(matches!(c.session_signer(Unlock::None), Err(CredentialsError::Locked(_))));

    let id = age::x25519::Identity::generate();
    let recipient = id.to_public().to_string();
    let c = credentials(Some(Secret::seal(SESSION_KEY, SecretForm::Age { recipient: &recipient }).unwrap()));
    let other = {
        use age::secrecy::ExposeSecret;
        age::x25519::Identity::generate().to_string().expose_secret().to_owned()
    };
    assert!(matches!(c.session_signer(Unlock::AgeIdentity(&other)), Err(CredentialsError::Locked(_))));
    assert!(matches!(credentials(None).session_signer(Unlock::None), Err(CredentialsError::Locked(_))));
}

#[test]
fn an_existing_file_is_not_overwritten_unless_asked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.json");
    std::fs::write(&path, "keep me").unwrap();
    let c = credentials(None);
    let err = c.write_file(&path, false).unwrap_err();
    assert!(err.to_string().contains("already exists"), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "keep me");
    c.write_file(&path, true).unwrap();
    assert_eq!(SessionCredentials::read_file(&path).unwrap(), c);
}

#[test]
fn inconsistent_documents_are_refused_with_the_field_named() {
    let good = credentials(Some(Secret::seal(SESSION_KEY, SecretForm::Plaintext).unwrap()));
    let json: Value = serde_json::from_str(&good.to_json()).unwrap();
    SessionCredentials::parse(&good.to_json()).unwrap();

    let mut v = json.clone();
    v["format"] = "warden.session.v2".into();
    assert!(matches!(SessionCredentials::parse(&v.to_string()), Err(CredentialsError::UnknownFormat { .. })));

    // One byte of the owner signature changed (and the context made to agree with it).
    let mut c = good.clone();
    let mut sig = c.signature.to_vec();
    sig[10] ^= 1;
    c.signature = sig.into();
    let sid = alloy_primitives::FixedBytes::<16>::from_slice(&c.session_id);
    c.context = Context::Remote { session_id: sid, signature: c.signature.clone() }.encode();
    assert_eq!(refused_field(&c.to_json()), "signature");

    // Context that does not match sessionId ‖ signature.
    let mut c = good.clone();
    let mut ctx = c.context.to_vec();
    ctx[1] ^= 1;
    c.context = ctx.into();
    assert_eq!(refused_field(&c.to_json()), "context");

    // Key swapped: the grant installs another key.
    let mut c = good.without_secret();
    c.key.public_key = Address::repeat_byte(0x42);
    assert_eq!(refused_field(&c.to_json()), "grant.call");

    // A secret that belongs to another address.
    let c = credentials(Some(Secret::seal(OWNER_KEY, SecretForm::Plaintext).unwrap()));
    assert_eq!(refused_field(&c.to_json()), "secret");

    // Permissions changed after signing.
    let mut c = good.clone();
    c.permissions.pop();
    assert_eq!(refused_field(&c.to_json()), "grant.call");

    // An endpoint that carries an API key.
    let mut c = good.clone();
    c.endpoint = "https://api.g.alchemy.com/v2/abcdef0123456789".into();
    assert_eq!(refused_field(&c.to_json()), "endpoint");
    let mut c = good;
    c.endpoint = "https://api.g.alchemy.com/v2?key=abc".into();
    assert_eq!(refused_field(&c.to_json()), "endpoint");
}
