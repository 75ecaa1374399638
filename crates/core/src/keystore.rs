//! Ethereum keystore v3 (Web3 Secret Storage) for a session key, written and read by
//! Warden itself so that both the cost it writes and the cost it accepts are its own.
//!
//! * Writing ([`encrypt`]): scrypt at geth's standard cost (N = 2^18, r = 8, p = 1, a
//!   32-byte key; about 256 MiB and a second or so), a random 32-byte salt and 16-byte IV,
//!   AES-128-CTR, and the Keccak-256 MAC. The passphrase must pass
//!   [`check_passphrase`] first.
//! * Reading ([`Keystore::parse`], then [`Keystore::decrypt`]): scrypt or
//!   PBKDF2-HMAC-SHA256 keystores, every parameter checked against fixed bounds *before*
//!   any key derivation, so a document cannot make Warden allocate gigabytes or spin for
//!   minutes: scrypt N a power of two from 2^10 with 128·r·N at most 256 MiB and N·r·p at
//!   most 4× geth's standard work; PBKDF2 from 1 000 to 10 000 000 rounds; a 32-byte
//!   derived key; a 16–64-byte salt; a 16-byte IV; a 32-byte ciphertext (a secp256k1 key)
//!   and MAC. Each refusal is a [`KeystoreError`] naming the field and the bound.
//!
//! Every buffer holding the passphrase-derived key or the private key is wiped on drop.
//! Left out: keystore versions 1 and 2, ciphers other than AES-128-CTR, and the
//! "presale" wallet format.

use std::ops::RangeInclusive;

use aes::cipher::{KeyIvInit, StreamCipher};
use alloy_primitives::{Address, hex, keccak256};
use rand::TryRngCore;
use rand::rngs::OsRng;
use serde_json::{Value, json};
use zeroize::Zeroizing;

use crate::error::{Coded, ErrorCode};

/// log2 of the scrypt cost N Warden writes: geth's `StandardScryptN` (2^18).
pub const SCRYPT_LOG_N: u8 = 18;
/// The scrypt block size r Warden writes (geth's).
pub const SCRYPT_R: u32 = 8;
/// The scrypt parallelism p Warden writes (geth's).
pub const SCRYPT_P: u32 = 1;

/// Smallest scrypt N read (2^10): anything cheaper is not a keystore meant to protect a key.
pub const MIN_SCRYPT_LOG_N: u32 = 10;
/// Most memory scrypt may need to read a keystore (128·r·N bytes): geth's standard cost.
pub const MAX_SCRYPT_MEMORY: u64 = 128 * (1 << 18) * 8;
/// Most scrypt work read (N·r·p): four times geth's standard.
pub const MAX_SCRYPT_WORK: u64 = 4 * (1 << 18) * 8;
/// The PBKDF2 round counts read.
pub const PBKDF2_ROUNDS: RangeInclusive<u64> = 1_000..=10_000_000;
/// The salt lengths read, in bytes.
pub const SALT_BYTES: RangeInclusive<usize> = 16..=64;
/// Fewest characters a keystore passphrase may have.
pub const MIN_PASSPHRASE_CHARS: usize = 12;
/// From this length on, a passphrase of one kind of character (say, lowercase words) is
/// long enough to be accepted.
pub const LONG_PASSPHRASE_CHARS: usize = 16;
/// Fewest different characters a passphrase may use.
pub const MIN_DISTINCT_CHARS: usize = 6;

const DKLEN: usize = 32;
const KEY_BYTES: usize = 32;
const IV_BYTES: usize = 16;
const MAC_BYTES: usize = 32;
const WRITTEN_SALT_BYTES: usize = 32;

type Aes128Ctr = ctr::Ctr128BE<aes::Aes128>;

/// Why a keystore could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum KeystoreError {
    #[error("keystore {field}: {reason}")]
    Malformed { field: &'static str, reason: String },
    #[error("keystore {field}: {value:?} is not supported (Warden reads {supported})")]
    Unsupported { field: &'static str, value: String, supported: &'static str },
    #[error("keystore {parameter} = {value} is outside the bounds Warden reads ({allowed})")]
    OutOfBounds { parameter: &'static str, value: String, allowed: String },
    #[error("wrong passphrase, or the keystore is damaged (its MAC does not match)")]
    WrongPassphrase,
    #[error("the keystore passphrase is weak: {problems}")]
    WeakPassphrase { problems: String },
    #[error("the operating system's random number generator failed: {0}")]
    Rng(String),
}

impl Coded for KeystoreError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::Malformed { .. }
            | Self::Unsupported { .. }
            | Self::OutOfBounds { .. }
            | Self::WeakPassphrase { .. } => ErrorCode::InvalidInput,
            // As any other secret that does not unlock.
            Self::WrongPassphrase => ErrorCode::BadSignature,
            Self::Rng(_) => ErrorCode::Internal,
        }
    }
}

/// Refuses a passphrase that is too weak to protect a key at rest, saying what is weak:
/// fewer than [`MIN_PASSPHRASE_CHARS`] characters; one kind of character only (lowercase,
/// uppercase, digits, other) unless it has at least [`LONG_PASSPHRASE_CHARS`]; fewer than
/// [`MIN_DISTINCT_CHARS`] different characters. The message never quotes the passphrase.
pub fn check_passphrase(passphrase: &str) -> Result<(), KeystoreError> {
    let chars = passphrase.chars().count();
    let mut problems = Vec::new();
    if chars < MIN_PASSPHRASE_CHARS {
        problems.push(format!("it has {chars} characters; use at least {MIN_PASSPHRASE_CHARS}"));
    }
    type Kind = (&'static str, fn(char) -> bool);
    let kinds: [Kind; 4] = [
        ("lowercase letters", char::is_lowercase),
        ("uppercase letters", char::is_uppercase),
        ("digits", |c| c.is_ascii_digit()),
        ("symbols or spaces", |c| !c.is_alphanumeric()),
    ];
    let used: Vec<&str> = kinds.iter().filter(|(_, is)| passphrase.chars().any(is)).map(|(name, _)| *name).collect();
    if used.len() == 1 && chars < LONG_PASSPHRASE_CHARS {
        problems.push(format!(
            "it uses only {}; mix in other kinds of characters, or make it at least {LONG_PASSPHRASE_CHARS} characters long",
            used[0]
        ));
    }
    let mut distinct: Vec<char> = passphrase.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    let distinct_count = distinct.len();
    zeroize::Zeroize::zeroize(&mut distinct);
    if chars > 0 && distinct_count < MIN_DISTINCT_CHARS {
        problems.push(format!(
            "it repeats a few characters ({distinct_count} different ones; use at least {MIN_DISTINCT_CHARS})"
        ));
    }
    if problems.is_empty() { Ok(()) } else { Err(KeystoreError::WeakPassphrase { problems: problems.join("; ") }) }
}

/// Encrypts `private_key` (of `address`) under `passphrase` as a keystore v3 document at
/// geth's standard scrypt cost. The passphrase must pass [`check_passphrase`].
pub fn encrypt(private_key: &[u8; KEY_BYTES], address: Address, passphrase: &str) -> Result<Value, KeystoreError> {
    check_passphrase(passphrase)?;
    let mut salt = [0u8; WRITTEN_SALT_BYTES];
    let mut iv = [0u8; IV_BYTES];
    OsRng.try_fill_bytes(&mut salt).map_err(|e| KeystoreError::Rng(e.to_string()))?;
    OsRng.try_fill_bytes(&mut iv).map_err(|e| KeystoreError::Rng(e.to_string()))?;
    let kdf = Kdf::Scrypt { log_n: SCRYPT_LOG_N, r: SCRYPT_R, p: SCRYPT_P };
    let derived = kdf.derive(passphrase, &salt)?;
    let mut ciphertext = Zeroizing::new(*private_key);
    apply_aes_ctr(&derived, &iv, ciphertext.as_mut_slice());
    let mac = mac(&derived, ciphertext.as_slice());
    Ok(json!({
        "version": 3,
        "id": uuid::Uuid::new_v4().to_string(),
        "address": format!("{address:x}").trim_start_matches("0x"),
        "crypto": {
            "cipher": "aes-128-ctr",
            "cipherparams": { "iv": hex::encode(iv) },
            "ciphertext": hex::encode(ciphertext.as_slice()),
            "kdf": "scrypt",
            "kdfparams": {
                "dklen": DKLEN,
                "n": 1u64 << SCRYPT_LOG_N,
                "p": SCRYPT_P,
                "r": SCRYPT_R,
                "salt": hex::encode(salt),
            },
            "mac": hex::encode(mac),
        },
    }))
}

/// The key-derivation function of a keystore, with checked parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kdf {
    Scrypt { log_n: u8, r: u32, p: u32 },
    Pbkdf2 { rounds: u32 },
}

impl Kdf {
    fn derive(self, passphrase: &str, salt: &[u8]) -> Result<Zeroizing<[u8; DKLEN]>, KeystoreError> {
        let mut derived = Zeroizing::new([0u8; DKLEN]);
        match self {
            Self::Scrypt { log_n, r, p } => {
                let params = scrypt::Params::new(log_n, r, p, DKLEN).map_err(|e| KeystoreError::OutOfBounds {
                    parameter: "crypto.kdfparams",
                    value: format!("n = 2^{log_n}, r = {r}, p = {p}"),
                    allowed: e.to_string(),
                })?;
                scrypt::scrypt(passphrase.as_bytes(), salt, &params, derived.as_mut_slice())
                    .map_err(|e| KeystoreError::Malformed { field: "crypto.kdfparams.dklen", reason: e.to_string() })?;
            }
            Self::Pbkdf2 { rounds } => {
                pbkdf2::pbkdf2_hmac::<sha2::Sha256>(passphrase.as_bytes(), salt, rounds, derived.as_mut_slice());
            }
        }
        Ok(derived)
    }
}

/// A keystore v3 document whose every parameter is within Warden's bounds.
#[derive(Clone, PartialEq, Eq)]
pub struct Keystore {
    kdf: Kdf,
    salt: Vec<u8>,
    iv: [u8; IV_BYTES],
    ciphertext: [u8; KEY_BYTES],
    mac: [u8; MAC_BYTES],
    address: Option<Address>,
}

impl std::fmt::Debug for Keystore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keystore").field("kdf", &self.kdf).field("address", &self.address).finish_non_exhaustive()
    }
}

impl Keystore {
    /// Reads and bounds-checks a keystore v3 document (see the module docs). No key
    /// derivation happens here.
    pub fn parse(document: &Value) -> Result<Self, KeystoreError> {
        match document.get("version") {
            Some(v) if v.as_u64() == Some(3) => {}
            Some(v) => {
                return Err(KeystoreError::Unsupported { field: "version", value: v.to_string(), supported: "3" });
            }
            None => return Err(malformed("version", "is missing")),
        }
        let crypto = document
            .get("crypto")
            .or_else(|| document.get("Crypto"))
            .filter(|c| c.is_object())
            .ok_or_else(|| malformed("crypto", "is missing or not an object"))?;
        let cipher = text(crypto, "cipher", "crypto.cipher")?;
        if cipher != "aes-128-ctr" {
            return Err(KeystoreError::Unsupported {
                field: "crypto.cipher",
                value: cipher.to_owned(),
                supported: "aes-128-ctr",
            });
        }
        let iv =
            fixed_hex::<IV_BYTES>(crypto.get("cipherparams").unwrap_or(&Value::Null), "iv", "crypto.cipherparams.iv")?;
        let ciphertext = fixed_hex::<KEY_BYTES>(crypto, "ciphertext", "crypto.ciphertext")?;
        let mac = fixed_hex::<MAC_BYTES>(crypto, "mac", "crypto.mac")?;
        let params = crypto
            .get("kdfparams")
            .filter(|p| p.is_object())
            .ok_or_else(|| malformed("crypto.kdfparams", "is missing or not an object"))?;
        let dklen = number(params, "dklen", "crypto.kdfparams.dklen")?;
        if dklen != DKLEN as u64 {
            return Err(out_of_bounds("crypto.kdfparams.dklen", dklen, format!("exactly {DKLEN}")));
        }
        let salt = salt(params)?;
        let kdf = match text(crypto, "kdf", "crypto.kdf")? {
            "scrypt" => scrypt_params(params)?,
            "pbkdf2" => pbkdf2_params(params)?,
            other => {
                return Err(KeystoreError::Unsupported {
                    field: "crypto.kdf",
                    value: other.to_owned(),
                    supported: "scrypt or pbkdf2",
                });
            }
        };
        let address = match document.get("address").and_then(Value::as_str) {
            Some(a) => {
                let a = a.trim_start_matches("0x");
                Some(format!("0x{a}").parse().map_err(|_| malformed("address", "is not an address"))?)
            }
            None => None,
        };
        Ok(Self { kdf, salt, iv, ciphertext, mac, address })
    }

    /// The address the document says the key belongs to, if it says one.
    pub fn address(&self) -> Option<Address> {
        self.address
    }

    /// Whether unlocking costs exactly geth's standard scrypt (what Warden writes).
    pub fn is_standard_scrypt(&self) -> bool {
        self.kdf == Kdf::Scrypt { log_n: SCRYPT_LOG_N, r: SCRYPT_R, p: SCRYPT_P }
    }

    /// The private key, in a buffer wiped on drop. The MAC is checked (in constant time)
    /// before anything is decrypted.
    pub fn decrypt(&self, passphrase: &str) -> Result<Zeroizing<[u8; KEY_BYTES]>, KeystoreError> {
        let derived = self.kdf.derive(passphrase, &self.salt)?;
        let expected = mac(&derived, &self.ciphertext);
        let differs = expected.iter().zip(self.mac.iter()).fold(0u8, |acc, (a, b)| acc | (a ^ b));
        if differs != 0 {
            return Err(KeystoreError::WrongPassphrase);
        }
        let mut key = Zeroizing::new(self.ciphertext);
        apply_aes_ctr(&derived, &self.iv, key.as_mut_slice());
        Ok(key)
    }
}

fn scrypt_params(params: &Value) -> Result<Kdf, KeystoreError> {
    let n = number(params, "n", "crypto.kdfparams.n")?;
    let r = number(params, "r", "crypto.kdfparams.r")?;
    let p = number(params, "p", "crypto.kdfparams.p")?;
    if !n.is_power_of_two() || n < 1 << MIN_SCRYPT_LOG_N {
        return Err(out_of_bounds("crypto.kdfparams.n", n, format!("a power of two, at least 2^{MIN_SCRYPT_LOG_N}")));
    }
    if r == 0 || p == 0 {
        return Err(out_of_bounds(if r == 0 { "crypto.kdfparams.r" } else { "crypto.kdfparams.p" }, 0, "at least 1"));
    }
    // scrypt itself requires N < 2^(128·r/8).
    if u64::from(n.trailing_zeros()) >= 16 * r {
        return Err(out_of_bounds(
            "crypto.kdfparams n and r",
            format!("n = {n}, r = {r}"),
            "n below 2^(16·r), as scrypt requires",
        ));
    }
    let memory = 128u64.checked_mul(r).and_then(|m| m.checked_mul(n));
    if memory.is_none_or(|m| m > MAX_SCRYPT_MEMORY) {
        return Err(out_of_bounds(
            "crypto.kdfparams n and r",
            format!("n = {n}, r = {r}"),
            format!("128·r·n at most {} MiB", MAX_SCRYPT_MEMORY >> 20),
        ));
    }
    let work = n.checked_mul(r).and_then(|w| w.checked_mul(p));
    if work.is_none_or(|w| w > MAX_SCRYPT_WORK) {
        return Err(out_of_bounds(
            "crypto.kdfparams n, r and p",
            format!("n = {n}, r = {r}, p = {p}"),
            format!("n·r·p at most {MAX_SCRYPT_WORK}"),
        ));
    }
    // In range by the bounds above.
    let log_n = n.trailing_zeros() as u8;
    Ok(Kdf::Scrypt { log_n, r: r as u32, p: p as u32 })
}

fn pbkdf2_params(params: &Value) -> Result<Kdf, KeystoreError> {
    let prf = text(params, "prf", "crypto.kdfparams.prf")?;
    if prf != "hmac-sha256" {
        return Err(KeystoreError::Unsupported {
            field: "crypto.kdfparams.prf",
            value: prf.to_owned(),
            supported: "hmac-sha256",
        });
    }
    let rounds = number(params, "c", "crypto.kdfparams.c")?;
    if !PBKDF2_ROUNDS.contains(&rounds) {
        return Err(out_of_bounds(
            "crypto.kdfparams.c",
            rounds,
            format!("{} to {} rounds", PBKDF2_ROUNDS.start(), PBKDF2_ROUNDS.end()),
        ));
    }
    Ok(Kdf::Pbkdf2 { rounds: rounds as u32 })
}

fn apply_aes_ctr(derived: &[u8; DKLEN], iv: &[u8; IV_BYTES], data: &mut [u8]) {
    let mut cipher = Aes128Ctr::new(derived[..16].into(), iv.into());
    cipher.apply_keystream(data);
}

/// keccak256(derived[16..32] ‖ ciphertext), the v3 MAC.
fn mac(derived: &[u8; DKLEN], ciphertext: &[u8]) -> [u8; MAC_BYTES] {
    let mut input = Zeroizing::new([0u8; 16 + KEY_BYTES]);
    input[..16].copy_from_slice(&derived[16..]);
    input[16..16 + ciphertext.len()].copy_from_slice(ciphertext);
    keccak256(&input[..16 + ciphertext.len()]).0
}

fn malformed(field: &'static str, reason: &str) -> KeystoreError {
    KeystoreError::Malformed { field, reason: reason.to_owned() }
}

fn out_of_bounds(parameter: &'static str, value: impl ToString, allowed: impl Into<String>) -> KeystoreError {
    KeystoreError::OutOfBounds { parameter, value: value.to_string(), allowed: allowed.into() }
}

fn text<'a>(object: &'a Value, key: &str, field: &'static str) -> Result<&'a str, KeystoreError> {
    object.get(key).and_then(Value::as_str).ok_or_else(|| malformed(field, "is missing or not a string"))
}

/// A non-negative integer parameter; anything else (a float, a string, a number beyond
/// u64) is refused with what was found.
fn number(object: &Value, key: &str, field: &'static str) -> Result<u64, KeystoreError> {
    match object.get(key) {
        Some(v) => v.as_u64().ok_or_else(|| out_of_bounds(field, v, "a whole number")),
        None => Err(malformed(field, "is missing")),
    }
}

fn salt(params: &Value) -> Result<Vec<u8>, KeystoreError> {
    const FIELD: &str = "crypto.kdfparams.salt";
    let s = text(params, "salt", FIELD)?;
    let digits = s.strip_prefix("0x").unwrap_or(s);
    let allowed = || format!("{} to {} bytes", SALT_BYTES.start(), SALT_BYTES.end());
    // The length is checked before decoding, so a huge value is never copied.
    if !SALT_BYTES.contains(&(digits.len() / 2)) {
        return Err(out_of_bounds("crypto.kdfparams.salt length", format!("{} hex digits", digits.len()), allowed()));
    }
    hex::decode(digits).map_err(|e| malformed(FIELD, &format!("is not hex ({e})")))
}

fn fixed_hex<const N: usize>(object: &Value, key: &str, field: &'static str) -> Result<[u8; N], KeystoreError> {
    let s = text(object, key, field)?;
    let digits = s.strip_prefix("0x").unwrap_or(s);
    if digits.len() != 2 * N {
        return Err(out_of_bounds(
            field,
            format!("{} hex digits", digits.len()),
            format!("exactly {N} bytes ({} hex digits)", 2 * N),
        ));
    }
    let mut out = [0u8; N];
    hex::decode_to_slice(digits, &mut out).map_err(|e| malformed(field, &format!("is not hex ({e})")))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn weak_passphrases_are_refused_with_the_reason() {
        for (weak, needle) in [
            ("", "0 characters"),
            ("Tr0ub4dor&3", "11 characters"),
            ("onlylowercase", "only lowercase letters"),
            ("123456789012345", "only digits"),
            ("abababababababababab", "2 different ones"),
        ] {
            let err = check_passphrase(weak).unwrap_err();
            assert_eq!(err.code(), ErrorCode::InvalidInput);
            let text = err.to_string();
            assert!(text.contains(needle), "{weak:?}: {text}");
            if !weak.is_empty() {
                assert!(!text.contains(weak), "the message never quotes the passphrase: {text}");
            }
        }
        for strong in ["correct horse", "Tr0ub4dor&3x", "correcthorsebattery", "ünïcödé wörds 42"] {
            check_passphrase(strong).unwrap();
        }
    }
}
