//! Secret values in memory: what a caller hands in (a hex key, a mnemonic, the API key)
//! and the private keys this crate loads from the keychain.
//!
//! Every buffer that holds secret bytes is a [`Zeroizing`] one, wiped when dropped. Secret
//! types print as `<redacted>`, implement no `Serialize` (the trybuild tests in
//! `tests/ui` fail to compile if they ever do) and errors about them never quote them.
//!
//! Left out, because it is outside this crate's reach: copies the platform keychain
//! library, the D-Bus transport or `coins-bip39` make internally are not wiped by us
//! (k256's signing key and alloy's mnemonic builder do wipe themselves).

use std::fmt;

use alloy_primitives::Address;
use alloy_signer_local::coins_bip39::{English, Wordlist};
use alloy_signer_local::{LocalSignerError, MnemonicBuilder, PrivateKeySigner};
use rand::TryRngCore;
use rand::rngs::OsRng;
use zeroize::{Zeroize, Zeroizing};

use warden_core::error::{Coded, ErrorCode};

/// The derivation path used when an import does not name one (first account of the
/// standard Ethereum BIP-44 path).
pub const DEFAULT_DERIVATION_PATH: &str = "m/44'/60'/0'/0/0";

const KEY_LEN: usize = 32;
const MNEMONIC_WORD_COUNTS: [usize; 5] = [12, 15, 18, 21, 24];

/// Key material that could not be used. No variant carries the secret or a part of it.
#[derive(Debug, thiserror::Error)]
pub enum KeyMaterialError {
    #[error("a private key is 64 hex digits (optionally prefixed with 0x); the input has {found} characters")]
    PrivateKeyLength { found: usize },
    #[error("the private key contains a character that is not a hex digit")]
    PrivateKeyNotHex,
    #[error("the private key is not a valid secp256k1 key (it is zero or not below the curve order)")]
    PrivateKeyOutOfRange,
    #[error("a BIP-39 mnemonic has 12, 15, 18, 21 or 24 words; the input has {found}")]
    MnemonicWordCount { found: usize },
    #[error("word {position} of the mnemonic is not in the BIP-39 English word list")]
    MnemonicUnknownWord { position: usize },
    #[error("the mnemonic's checksum does not match: a word is wrong or out of order")]
    MnemonicChecksum,
    #[error("derivation path {path:?} is invalid: {reason}")]
    DerivationPath { path: String, reason: String },
    #[error("the operating system's random number generator failed: {0}")]
    Rng(String),
}

impl Coded for KeyMaterialError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::Rng(_) => ErrorCode::Internal,
            _ => ErrorCode::InvalidInput,
        }
    }
}

/// A secret string handed to or returned by the keychain: a hex private key or mnemonic
/// to import, or the Alchemy API key. Wiped on drop; `Debug` prints `<redacted>`; it has
/// no `Display` and no `Serialize`, so it only leaves through [`SecretString::expose`].
pub struct SecretString(Zeroizing<String>);

impl SecretString {
    /// Takes ownership of `value` (its buffer is wiped when this is dropped).
    pub fn new(value: String) -> Self {
        Self(Zeroizing::new(value))
    }

    /// The secret itself, for the one place that must use it (an HTTP header, a parser).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for SecretString {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretString(<redacted>)")
    }
}

/// A secp256k1 private key in a wiped-on-drop buffer, with the address it belongs to.
/// Crate-private: keys never leave this crate.
pub(crate) struct SecretKey {
    bytes: Zeroizing<[u8; KEY_LEN]>,
    address: Address,
}

impl SecretKey {
    /// A fresh key from the OS CSPRNG.
    pub(crate) fn generate() -> Result<Self, KeyMaterialError> {
        loop {
            let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
            OsRng.try_fill_bytes(bytes.as_mut()).map_err(|e| KeyMaterialError::Rng(e.to_string()))?;
            // A draw of zero or ≥ n (probability ~2^-128) is simply drawn again.
            if let Ok(key) = Self::from_bytes(bytes) {
                return Ok(key);
            }
        }
    }

    /// Parses 64 hex digits, optionally `0x`-prefixed and surrounded by whitespace.
    pub(crate) fn from_hex(input: &str) -> Result<Self, KeyMaterialError> {
        let trimmed = input.trim();
        let digits = trimmed.strip_prefix("0x").or_else(|| trimmed.strip_prefix("0X")).unwrap_or(trimmed);
        if digits.len() != 2 * KEY_LEN {
            return Err(KeyMaterialError::PrivateKeyLength { found: trimmed.chars().count() });
        }
        let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
        alloy_primitives::hex::decode_to_slice(digits, bytes.as_mut())
            .map_err(|_| KeyMaterialError::PrivateKeyNotHex)?;
        Self::from_bytes(bytes)
    }

    /// Derives the key at `path` (default [`DEFAULT_DERIVATION_PATH`]) from a BIP-39
    /// English mnemonic. Words may be separated by any whitespace and in any case.
    pub(crate) fn from_mnemonic(phrase: &str, path: Option<&str>) -> Result<Self, KeyMaterialError> {
        // Built in place (capacity reserved up front, so no unwiped reallocation is left behind).
        let mut normalized = Zeroizing::new(String::with_capacity(2 * phrase.len()));
        let mut count = 0;
        let mut unknown = None;
        for (i, word) in phrase.split_whitespace().enumerate() {
            count += 1;
            if i > 0 {
                normalized.push(' ');
            }
            let start = normalized.len();
            normalized.extend(word.chars().flat_map(char::to_lowercase));
            if unknown.is_none() && English::get_index(&normalized[start..]).is_err() {
                unknown = Some(i + 1);
            }
        }
        if !MNEMONIC_WORD_COUNTS.contains(&count) {
            return Err(KeyMaterialError::MnemonicWordCount { found: count });
        }
        if let Some(position) = unknown {
            return Err(KeyMaterialError::MnemonicUnknownWord { position });
        }
        let path = path.unwrap_or(DEFAULT_DERIVATION_PATH);
        let builder = MnemonicBuilder::<English>::default()
            .derivation_path(path)
            .map_err(|e| KeyMaterialError::DerivationPath { path: path.to_owned(), reason: e.to_string() })?
            .phrase(normalized.as_str());
        // The builder wipes its copy of the phrase on drop. Its errors may quote the phrase
        // (coins-bip39's InvalidPhrase does), so they are mapped without their text.
        let signer = builder.build().map_err(|e| match e {
            LocalSignerError::Bip39Error(_) => KeyMaterialError::MnemonicChecksum,
            LocalSignerError::Bip32Error(e) => {
                KeyMaterialError::DerivationPath { path: path.to_owned(), reason: e.to_string() }
            }
            _ => KeyMaterialError::MnemonicChecksum,
        })?;
        Self::from_signer(&signer)
    }

    /// Parses the keychain's stored form (see [`SecretKey::to_stored`]).
    pub(crate) fn from_stored(stored: &str) -> Result<Self, KeyMaterialError> {
        Self::from_hex(stored)
    }

    /// The form kept in the keychain: 64 lowercase hex digits, no prefix. Text rather than
    /// raw bytes because some Secret Service providers (KWallet) only store UTF-8.
    pub(crate) fn to_stored(&self) -> Zeroizing<String> {
        // Encoded straight into the wiped buffer (a library encoder would return an
        // unwiped `String` or a fallible slice API for what cannot fail).
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut out = Zeroizing::new(String::with_capacity(2 * KEY_LEN));
        for byte in self.bytes.iter() {
            out.push(char::from(DIGITS[usize::from(byte >> 4)]));
            out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
        }
        out
    }

    /// The key's Ethereum address.
    pub(crate) fn address(&self) -> Address {
        self.address
    }

    /// A signer for this key, to be dropped (and wiped by k256) right after use.
    pub(crate) fn signer(&self) -> Result<PrivateKeySigner, KeyMaterialError> {
        PrivateKeySigner::from_slice(self.bytes.as_ref()).map_err(|_| KeyMaterialError::PrivateKeyOutOfRange)
    }

    fn from_bytes(bytes: Zeroizing<[u8; KEY_LEN]>) -> Result<Self, KeyMaterialError> {
        let signer =
            PrivateKeySigner::from_slice(bytes.as_ref()).map_err(|_| KeyMaterialError::PrivateKeyOutOfRange)?;
        Ok(Self { address: signer.address(), bytes })
    }

    fn from_signer(signer: &PrivateKeySigner) -> Result<Self, KeyMaterialError> {
        let mut raw = signer.to_bytes();
        let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
        bytes.copy_from_slice(raw.as_slice());
        raw.0.zeroize();
        Self::from_bytes(bytes)
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretKey").field("address", &self.address).field("key", &"<redacted>").finish()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use alloy_primitives::address;

    const ANVIL_0_KEY: &str = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    const ANVIL_0: Address = address!("f39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
    const TEST_MNEMONIC: &str = "test test test test test test test test test test test junk";

    #[test]
    fn hex_keys_parse_with_or_without_prefix_and_round_trip() {
        for input in
            [ANVIL_0_KEY.to_owned(), format!("0x{ANVIL_0_KEY}"), format!("  0X{}\n", ANVIL_0_KEY.to_uppercase())]
        {
            let key = SecretKey::from_hex(&input).unwrap();
            assert_eq!(key.address(), ANVIL_0);
            assert_eq!(key.to_stored().as_str(), ANVIL_0_KEY);
        }
    }

    #[test]
    fn bad_hex_keys_are_rejected_without_quoting_them() {
        let short = &ANVIL_0_KEY[..63];
        let err = SecretKey::from_hex(short).unwrap_err();
        assert!(matches!(err, KeyMaterialError::PrivateKeyLength { found: 63 }), "{err}");
        let not_hex = format!("{}zz", &ANVIL_0_KEY[..62]);
        let err = SecretKey::from_hex(&not_hex).unwrap_err();
        assert!(matches!(err, KeyMaterialError::PrivateKeyNotHex));
        assert!(!err.to_string().contains(&ANVIL_0_KEY[..62]));
        let zero = "0".repeat(64);
        assert!(matches!(SecretKey::from_hex(&zero).unwrap_err(), KeyMaterialError::PrivateKeyOutOfRange));
        let order = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";
        assert!(matches!(SecretKey::from_hex(order).unwrap_err(), KeyMaterialError::PrivateKeyOutOfRange));
    }

    #[test]
    fn mnemonic_derives_the_known_addresses() {
        let first = SecretKey::from_mnemonic(TEST_MNEMONIC, None).unwrap();
        assert_eq!(first.address(), ANVIL_0);
        assert_eq!(first.to_stored().as_str(), ANVIL_0_KEY);
        let second = SecretKey::from_mnemonic(TEST_MNEMONIC, Some("m/44'/60'/0'/0/1")).unwrap();
        assert_eq!(second.address(), address!("70997970C51812dc3A010C7d01b50e0d17dc79C8"));
        // Whitespace and case do not matter.
        let messy = format!("  {}\n", TEST_MNEMONIC.to_uppercase().replace(' ', "\t "));
        assert_eq!(SecretKey::from_mnemonic(&messy, None).unwrap().address(), ANVIL_0);
    }

    #[test]
    fn bad_mnemonics_are_rejected_without_quoting_them() {
        let eleven = TEST_MNEMONIC.rsplit_once(' ').unwrap().0;
        assert!(matches!(
            SecretKey::from_mnemonic(eleven, None).unwrap_err(),
            KeyMaterialError::MnemonicWordCount { found: 11 }
        ));
        let unknown = TEST_MNEMONIC.replacen("test", "tset", 3).replacen("tset", "test", 2);
        let err = SecretKey::from_mnemonic(&unknown, None).unwrap_err();
        assert!(matches!(err, KeyMaterialError::MnemonicUnknownWord { position: 3 }), "{err}");
        assert!(!err.to_string().contains("tset"));
        let bad_checksum = TEST_MNEMONIC.replace("junk", "test");
        let err = SecretKey::from_mnemonic(&bad_checksum, None).unwrap_err();
        assert!(matches!(err, KeyMaterialError::MnemonicChecksum));
        assert!(!err.to_string().contains("test test"));
        let err = SecretKey::from_mnemonic(TEST_MNEMONIC, Some("m/44'/x")).unwrap_err();
        assert!(matches!(err, KeyMaterialError::DerivationPath { .. }), "{err}");
    }

    #[test]
    fn generated_keys_differ_and_round_trip() {
        let a = SecretKey::generate().unwrap();
        let b = SecretKey::generate().unwrap();
        assert_ne!(a.address(), b.address());
        assert_eq!(SecretKey::from_stored(&a.to_stored()).unwrap().address(), a.address());
    }

    #[test]
    fn debug_output_is_redacted() {
        let key = SecretKey::from_hex(ANVIL_0_KEY).unwrap();
        let debug = format!("{key:?}");
        assert!(!debug.contains(ANVIL_0_KEY) && debug.contains("<redacted>"), "{debug}");
        let s = SecretString::new(ANVIL_0_KEY.to_owned());
        assert_eq!(format!("{s:?}"), "SecretString(<redacted>)");
        assert_eq!(s.expose(), ANVIL_0_KEY);
    }
}
