//! The session credentials document `warden.session.v1`: what a grant hands to a server.
//!
//! One JSON document per session (schema: `docs/warden.session.v1.schema.json`), written by
//! the app's export and by `warden grant`, read by `warden call`, `SessionClient` and any
//! server. It carries everything needed to act within the grant — account, chain, endpoint
//! (never with an API key), the permissions capability (`sessionId`, owner `signature`,
//! `context`), the session key's address, the permissions and expiry — and, only when
//! Warden generated the session key and the user opted in, that key as `secret`: in plain
//! text, as an Ethereum keystore v3 (scrypt at geth's standard cost, a passphrase that
//! passes [`crate::keystore::check_passphrase`]; see [`crate::keystore`]), or age-encrypted to an X25519
//! recipient (`age1…`, decryptable with the standard `age` tool).
//!
//! [`SessionCredentials::parse`] refuses unknown format versions and inconsistent
//! documents with the field named: a context that is not `0x00 ‖ sessionId ‖ signature`,
//! an owner signature that does not recover to `owner` over the grant digest (when the
//! grant data is present), a grant call that installs another key or other permissions, a
//! secret that belongs to another address.
//!
//! Left out: the owner's key (never exported) and any API key.

use std::path::Path;

use alloy_primitives::{Address, Bytes, U256};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::api::{KeyDescriptor, KeyType, UuidV4};
use crate::atomic_file::{AtomicWriteError, Existing, write_atomic};
use crate::error::{Coded, ErrorCode};
use crate::keystore::{self, Keystore, KeystoreError};
use crate::mav2::context::Context;
use crate::mav2::deferred::DeferredAction;
use crate::mav2::install::{decode_install_call, encode_install_call};
use crate::permissions::{self, Permission};
use crate::signing::{DigestSigner, LocalSigner, recover};
use crate::wire;

/// The only format this version reads and writes.
pub const FORMAT_V1: &str = "warden.session.v1";

/// The kind of smart account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum AccountType {
    /// Modular Account v2, semi-modular (the default).
    #[serde(rename = "sma-b")]
    SmaB,
    /// The owner's own address as a smart account through EIP-7702.
    #[serde(rename = "7702")]
    Eip7702,
}

impl AccountType {
    /// The account request for this type (SMA-B at the default salt).
    pub fn kind(self) -> crate::account::AccountKind {
        match self {
            Self::SmaB => crate::account::AccountKind::SmaB { salt: None },
            Self::Eip7702 => crate::account::AccountKind::Eip7702,
        }
    }

    /// The wire name: `sma-b` or `7702`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SmaB => "sma-b",
            Self::Eip7702 => "7702",
        }
    }
}

impl std::fmt::Display for AccountType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Gas sponsorship to request with every call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymasterRef {
    pub policy_id: UuidV4,
}

/// The grant as the owner signed it: enough to recompute the DeferredAction digest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GrantData {
    pub entity_id: u32,
    #[serde(with = "wire::quantity")]
    pub nonce: U256,
    pub call: Bytes,
}

/// The session private key in one of the export forms. `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub enum Secret {
    /// `0x` hex private key, readable by anyone who can read the file.
    Plaintext(Zeroizing<String>),
    /// An Ethereum keystore v3 JSON document (scrypt).
    Keystore(serde_json::Value),
    /// An ASCII-armored age file encrypting the `0x` hex private key.
    Age(String),
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Plaintext(_) => "Secret::Plaintext(<redacted>)",
            Self::Keystore(_) => "Secret::Keystore(<encrypted>)",
            Self::Age(_) => "Secret::Age(<encrypted>)",
        })
    }
}

/// The wire form of [`Secret`] as read; only the credentials document serializes a
/// secret, so the conversion lives here and nowhere else.
#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
enum SecretWire {
    #[serde(rename = "plaintext", rename_all = "camelCase")]
    Plaintext { private_key: String },
    #[serde(rename = "keystore")]
    Keystore { keystore: serde_json::Value },
    #[serde(rename = "age")]
    Age { armored: String },
}

/// The wire form of [`Secret`] as written: borrowed, so serializing makes no unwiped copy
/// of the key.
#[derive(Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
enum SecretWireRef<'a> {
    #[serde(rename = "plaintext", rename_all = "camelCase")]
    Plaintext { private_key: &'a str },
    #[serde(rename = "keystore")]
    Keystore { keystore: &'a serde_json::Value },
    #[serde(rename = "age")]
    Age { armored: &'a str },
}

impl Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Plaintext(k) => SecretWireRef::Plaintext { private_key: k.as_str() }.serialize(s),
            Self::Keystore(v) => SecretWireRef::Keystore { keystore: v }.serialize(s),
            Self::Age(a) => SecretWireRef::Age { armored: a }.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match SecretWire::deserialize(d)? {
            SecretWire::Plaintext { private_key } => Self::Plaintext(Zeroizing::new(private_key)),
            SecretWire::Keystore { keystore } => Self::Keystore(keystore),
            SecretWire::Age { armored } => Self::Age(armored),
        })
    }
}

/// How to seal a session key into a [`Secret`].
#[derive(Clone, Copy)]
pub enum SecretForm<'a> {
    /// Plain text (the caller has confirmed this explicitly).
    Plaintext,
    /// Keystore v3 under this passphrase.
    Keystore { passphrase: &'a str },
    /// age, to this `age1…` recipient.
    Age { recipient: &'a str },
}

impl std::fmt::Debug for SecretForm<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Plaintext => f.write_str("Plaintext"),
            Self::Keystore { .. } => f.write_str("Keystore { passphrase: <redacted> }"),
            Self::Age { recipient } => f.debug_struct("Age").field("recipient", recipient).finish(),
        }
    }
}

/// What unlocks a sealed secret.
#[derive(Clone, Copy)]
pub enum Unlock<'a> {
    /// Nothing (plaintext secrets).
    None,
    /// A keystore passphrase.
    Passphrase(&'a str),
    /// The contents of an age identity file (`AGE-SECRET-KEY-1…`, comments allowed).
    AgeIdentity(&'a str),
}

impl std::fmt::Debug for Unlock<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::None => "Unlock::None",
            Self::Passphrase(_) => "Unlock::Passphrase(<redacted>)",
            Self::AgeIdentity(_) => "Unlock::AgeIdentity(<redacted>)",
        })
    }
}

/// Why a credentials document was refused or could not be used. `field` names the JSON
/// field at fault.
#[derive(Debug, thiserror::Error)]
pub enum CredentialsError {
    #[error("credentials are not valid JSON of the warden.session.v1 shape: {0}")]
    Parse(String),
    #[error("format: {found:?} is not a format this Warden reads (expected {FORMAT_V1:?})")]
    UnknownFormat { found: String },
    #[error("{field}: {reason}")]
    Inconsistent { field: &'static str, reason: String },
    #[error("secret: {0}")]
    Locked(String),
    #[error("secret: cannot seal the session key: {0}")]
    Seal(String),
    #[error("secret: {0}")]
    Keystore(#[from] KeystoreError),
    #[error("{path}: {reason}")]
    File { path: String, reason: String },
}

impl Coded for CredentialsError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::Parse(_) | Self::UnknownFormat { .. } => ErrorCode::InvalidInput,
            Self::Inconsistent { .. } => ErrorCode::VerificationFailed,
            Self::Locked(_) => ErrorCode::BadSignature,
            Self::Seal(_) => ErrorCode::Internal,
            Self::Keystore(e) => e.code(),
            Self::File { reason, .. } if reason.contains("exists") => ErrorCode::AlreadyExists,
            Self::File { .. } => ErrorCode::InvalidInput,
        }
    }
}

fn inconsistent(field: &'static str, reason: impl Into<String>) -> CredentialsError {
    CredentialsError::Inconsistent { field, reason: reason.into() }
}

/// A `warden.session.v1` document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionCredentials {
    pub format: String,
    /// Unix seconds when the grant was made.
    pub created_at: u64,
    /// The Wallets API endpoint, without any API key.
    pub endpoint: String,
    #[serde(with = "wire::hex_u32")]
    pub chain_id: u32,
    #[serde(with = "wire::checksum")]
    pub account: Address,
    pub account_type: AccountType,
    #[serde(with = "wire::checksum")]
    pub owner: Address,
    pub session_id: Bytes,
    pub signature: Bytes,
    pub context: Bytes,
    pub key: KeyDescriptor,
    pub permissions: Vec<Permission>,
    pub expiry_sec: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paymaster: Option<PaymasterRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant: Option<GrantData>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<Secret>,
}

impl SessionCredentials {
    /// Parses and checks a document (see [`Self::check`]).
    pub fn parse(json: &str) -> Result<Self, CredentialsError> {
        let value: serde_json::Value =
            serde_json::from_str(json).map_err(|e| CredentialsError::Parse(e.to_string()))?;
        if let Some(found) = value.get("format").and_then(serde_json::Value::as_str)
            && found != FORMAT_V1
        {
            return Err(CredentialsError::UnknownFormat { found: found.to_owned() });
        }
        let creds: Self = serde_json::from_value(value).map_err(|e| CredentialsError::Parse(e.to_string()))?;
        creds.check()?;
        Ok(creds)
    }

    /// The document as pretty JSON, in a buffer wiped when dropped (it may carry the
    /// session key), built without leaving copies behind ([`crate::secret_buffer`]).
    pub fn to_json(&self) -> Zeroizing<String> {
        // Serializing plain data with string keys cannot fail.
        crate::secret_buffer::to_json(self, true).unwrap_or_default()
    }

    /// The same document without its secret (the server holds its own key).
    pub fn without_secret(&self) -> Self {
        Self { secret: None, ..self.clone() }
    }

    /// Checks every internal consistency rule; see the module docs.
    pub fn check(&self) -> Result<(), CredentialsError> {
        if self.format != FORMAT_V1 {
            return Err(CredentialsError::UnknownFormat { found: self.format.clone() });
        }
        check_endpoint(&self.endpoint)?;
        if self.chain_id == 0 {
            return Err(inconsistent("chainId", "must not be 0"));
        }
        if self.session_id.len() != 16 {
            return Err(inconsistent("sessionId", format!("must be 16 bytes, got {}", self.session_id.len())));
        }
        if self.signature.len() != 65 {
            return Err(inconsistent("signature", format!("must be 65 bytes, got {}", self.signature.len())));
        }
        let session_id = alloy_primitives::FixedBytes::<16>::from_slice(&self.session_id);
        let expected = Context::Remote { session_id, signature: self.signature.clone() }.encode();
        if self.context != expected {
            return Err(inconsistent("context", "is not 0x00 ‖ sessionId ‖ signature"));
        }
        if self.account_type == AccountType::Eip7702 && self.account != self.owner {
            return Err(inconsistent("account", "a 7702 account is the owner's own address"));
        }
        let set = permissions::validate(&self.permissions, self.account)
            .map_err(|e| inconsistent("permissions", e.to_string()))?;
        if self.expiry_sec > wire::MAX_EXPIRY_SEC {
            return Err(inconsistent("expirySec", format!("{} exceeds {}", self.expiry_sec, wire::MAX_EXPIRY_SEC)));
        }
        if let Some(grant) = &self.grant {
            let decoded = decode_install_call(&grant.call).map_err(|e| inconsistent("grant.call", e.to_string()))?;
            if decoded.session_key != self.key.public_key {
                return Err(inconsistent(
                    "grant.call",
                    format!("installs session key {}, not key.publicKey {}", decoded.session_key, self.key.public_key),
                ));
            }
            let again = encode_install_call(decoded.entity_id, self.key.public_key, self.expiry_sec, set.permissions());
            if again != grant.call || decoded.entity_id != grant.entity_id {
                return Err(inconsistent(
                    "grant.call",
                    "does not install exactly these permissions, expiry and entity",
                ));
            }
            let digest = self.deferred_action().map(|a| a.digest()).unwrap_or_default();
            let signer = recover(&digest, &self.signature).map_err(|e| inconsistent("signature", e.to_string()))?;
            if signer != self.owner {
                return Err(inconsistent(
                    "signature",
                    format!("recovers to {signer} over the grant digest, not to the owner {}", self.owner),
                ));
            }
        }
        match &self.secret {
            Some(Secret::Plaintext(hex)) => {
                let signer = LocalSigner::from_hex(hex).map_err(|_| inconsistent("secret", "is not a private key"))?;
                self.check_key_address(signer.address())?;
            }
            Some(Secret::Keystore(ks)) => {
                // Every parameter bounded here, before anything could derive a key from it.
                if let Some(addr) = Keystore::parse(ks)?.address() {
                    self.check_key_address(addr)?;
                }
            }
            Some(Secret::Age(armored)) if !armored.contains("BEGIN AGE ENCRYPTED FILE") => {
                return Err(inconsistent("secret", "is not an armored age file"));
            }
            Some(Secret::Age(_)) | None => {}
        }
        if self.secret.is_some() && self.key.ty == KeyType::Contract {
            return Err(inconsistent("key.type", "a contract session key has no private key to carry"));
        }
        Ok(())
    }

    fn check_key_address(&self, address: Address) -> Result<(), CredentialsError> {
        if address == self.key.public_key {
            Ok(())
        } else {
            Err(inconsistent("secret", format!("belongs to {address}, not to key.publicKey {}", self.key.public_key)))
        }
    }

    /// The DeferredAction the owner signed, when the grant data is present.
    pub fn deferred_action(&self) -> Option<DeferredAction> {
        self.grant.as_ref().map(|g| DeferredAction {
            chain_id: u64::from(self.chain_id),
            account: self.account,
            nonce: g.nonce,
            deadline: self.expiry_sec,
            call: g.call.clone(),
        })
    }

    /// The session key, unlocked. Refuses a key whose address is not `key.publicKey`.
    pub fn session_signer(&self, unlock: Unlock<'_>) -> Result<LocalSigner, CredentialsError> {
        let not_a_key = || CredentialsError::Locked("the unlocked secret is not a private key".into());
        let signer = match (&self.secret, unlock) {
            (None, _) => return Err(CredentialsError::Locked("the document carries no session key".into())),
            (Some(Secret::Plaintext(k)), _) => LocalSigner::from_hex(k).map_err(|_| not_a_key())?,
            (Some(Secret::Keystore(ks)), Unlock::Passphrase(p)) => {
                let key = Keystore::parse(ks)?.decrypt(p).map_err(|e| match e {
                    KeystoreError::WrongPassphrase => CredentialsError::Locked(e.to_string()),
                    other => other.into(),
                })?;
                alloy_signer_local::PrivateKeySigner::from_slice(key.as_slice())
                    .map(LocalSigner::from_alloy)
                    .map_err(|_| not_a_key())?
            }
            (Some(Secret::Keystore(_)), _) => {
                return Err(CredentialsError::Locked("the key is in a keystore: a passphrase is needed".into()));
            }
            (Some(Secret::Age(armored)), Unlock::AgeIdentity(identity)) => {
                LocalSigner::from_hex(&decrypt_age(armored, identity)?).map_err(|_| not_a_key())?
            }
            (Some(Secret::Age(_)), _) => {
                return Err(CredentialsError::Locked("the key is age-encrypted: an identity file is needed".into()));
            }
        };
        self.check_key_address(signer.address())?;
        Ok(signer)
    }

    /// Writes the document to `path`, created with mode 0600, atomically (see
    /// [`crate::atomic_file`]). An existing file is replaced only with `overwrite`.
    pub fn write_file(&self, path: &Path, overwrite: bool) -> Result<(), CredentialsError> {
        let mut json = crate::secret_buffer::WipingBuffer::with_capacity(0);
        json.extend_from_slice(self.to_json().as_bytes());
        json.extend_from_slice(b"\n");
        let existing = if overwrite { Existing::Replace } else { Existing::Refuse };
        write_atomic(path, json.as_bytes(), 0o600, existing).map_err(|e| {
            let reason = match e {
                AtomicWriteError::Exists { .. } => "already exists; refusing to overwrite it".to_owned(),
                AtomicWriteError::Io { action, source, .. } => format!("cannot {action}: {source}"),
            };
            CredentialsError::File { path: path.display().to_string(), reason }
        })
    }

    /// Reads and checks a document from a file.
    pub fn read_file(path: &Path) -> Result<Self, CredentialsError> {
        let text = Zeroizing::new(
            std::fs::read_to_string(path)
                .map_err(|e| CredentialsError::File { path: path.display().to_string(), reason: e.to_string() })?,
        );
        Self::parse(&text)
    }
}

fn check_endpoint(endpoint: &str) -> Result<(), CredentialsError> {
    let rest = endpoint
        .strip_prefix("https://")
        .or_else(|| endpoint.strip_prefix("http://"))
        .ok_or_else(|| inconsistent("endpoint", "must be an http(s) URL"))?;
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    if authority.is_empty() || authority.contains('@') {
        return Err(inconsistent("endpoint", "must name a host and carry no user name or password"));
    }
    if endpoint.contains('?') {
        return Err(inconsistent("endpoint", "must not carry a query (API keys do not belong here)"));
    }
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if let Some(i) = segments.iter().position(|s| *s == "v2")
        && i + 1 < segments.len()
    {
        return Err(inconsistent("endpoint", "has a path segment after /v2/, which is where an API key goes"));
    }
    Ok(())
}

impl Secret {
    /// Seals a `0x` hex private key in `form`.
    pub fn seal(private_key_hex: &str, form: SecretForm<'_>) -> Result<Self, CredentialsError> {
        let signer = LocalSigner::from_hex(private_key_hex).map_err(|e| CredentialsError::Seal(e.to_string()))?;
        let trimmed = private_key_hex.trim();
        let normalized = Zeroizing::new(format!("0x{}", trimmed.strip_prefix("0x").unwrap_or(trimmed)));
        match form {
            SecretForm::Plaintext => Ok(Self::Plaintext(normalized)),
            SecretForm::Keystore { passphrase } => {
                let mut raw = Zeroizing::new([0u8; 32]);
                alloy_primitives::hex::decode_to_slice(&normalized[2..], raw.as_mut_slice())
                    .map_err(|e| CredentialsError::Seal(e.to_string()))?;
                Ok(Self::Keystore(keystore::encrypt(&raw, signer.address(), passphrase)?))
            }
            SecretForm::Age { recipient } => {
                let r: age::x25519::Recipient = recipient
                    .trim()
                    .parse()
                    .map_err(|e| CredentialsError::Seal(format!("{recipient:?} is not an age1… recipient: {e}")))?;
                let armored = age::encrypt_and_armor(&r, normalized.as_bytes())
                    .map_err(|e| CredentialsError::Seal(e.to_string()))?;
                Ok(Self::Age(armored))
            }
        }
    }
}

fn decrypt_age(armored: &str, identity_file: &str) -> Result<Zeroizing<String>, CredentialsError> {
    let not_identity = || CredentialsError::Locked("the identity file is not an age identity file".into());
    let identities = age::IdentityFile::from_buffer(identity_file.as_bytes())
        .map_err(|_| not_identity())?
        .into_identities()
        .map_err(|_| not_identity())?;
    let decryptor = age::Decryptor::new_buffered(age::armor::ArmoredReader::new(armored.as_bytes()))
        .map_err(|e| CredentialsError::Locked(format!("not an age file: {e}")))?;
    let mut reader = decryptor
        .decrypt(identities.iter().map(|i| i.as_ref() as &dyn age::Identity))
        .map_err(|_| CredentialsError::Locked("no identity in the file can decrypt this key".into()))?;
    // Copied through a stack buffer into one that wipes what it outgrows.
    let mut plain = crate::secret_buffer::WipingBuffer::with_capacity(128);
    std::io::copy(&mut reader, &mut plain).map_err(|e| CredentialsError::Locked(format!("decryption failed: {e}")))?;
    plain.into_string().ok_or_else(|| CredentialsError::Locked("the decrypted secret is not text".into()))
}
