//! [`Sensitive`]: how a secret arrives from the UI (the import commands' private key and
//! recovery phrase, and the Alchemy API key).
//!
//! It can only be deserialized, never serialized (no `Serialize`, so it cannot end up in a
//! command result, event or store file), prints as `Sensitive(<redacted>)`, and wipes its
//! buffer when dropped. The secret leaves it only through [`Sensitive::into_secret`], as
//! the keychain crate's [`SecretString`] (also wiped on drop).
//!
//! Left out, because it is outside the app's reach: the IPC request body Tauri received
//! and the webview's own copies of what the user typed are not wiped by us.

use std::fmt;

use serde::{Deserialize, Deserializer};
use warden_keychain::SecretString;
use zeroize::Zeroize;

/// A secret string from the UI. Deserialize-only, redacted `Debug`, zeroized on drop.
pub struct Sensitive(String);

impl Sensitive {
    /// The secret without surrounding whitespace, as a wiped-on-drop [`SecretString`].
    /// The copy is made into a buffer of exactly the right capacity (so it never
    /// reallocates); this value's own buffer is wiped when it drops.
    pub fn into_secret(self) -> SecretString {
        let trimmed = self.0.trim();
        let mut out = String::with_capacity(trimmed.len());
        out.push_str(trimmed);
        SecretString::new(out)
    }

    /// Whether the secret is empty or only whitespace.
    /// The text, trimmed, to hand straight to the core (never to log, store or return).
    pub fn expose(&self) -> &str {
        self.0.trim()
    }

    pub fn is_blank(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl<'de> Deserialize<'de> for Sensitive {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self)
    }
}

impl fmt::Debug for Sensitive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sensitive(<redacted>)")
    }
}

impl Drop for Sensitive {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// Compile-time proof that [`Sensitive`] cannot be serialized: if it ever implemented
/// `Serialize`, both impls below would apply and `_NOT_SERIALIZE` would be ambiguous.
#[allow(dead_code)]
trait AmbiguousIfSerialize<A> {
    fn check() {}
}
impl<T: ?Sized> AmbiguousIfSerialize<()> for T {}
impl<T: ?Sized + serde::Serialize> AmbiguousIfSerialize<u8> for T {}
const _NOT_SERIALIZE: fn() = <Sensitive as AmbiguousIfSerialize<_>>::check;

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

    #[test]
    fn deserializes_trims_and_never_prints_the_secret() {
        let s: Sensitive = serde_json::from_value(serde_json::json!(format!("  {KEY}\n"))).unwrap();
        let debug = format!("{s:?}");
        assert_eq!(debug, "Sensitive(<redacted>)");
        assert!(!debug.contains("ac0974"));
        assert!(!s.is_blank());
        assert_eq!(s.into_secret().expose(), KEY);
    }

    #[test]
    fn blank_is_blank() {
        let s: Sensitive = serde_json::from_value(serde_json::json!(" \t ")).unwrap();
        assert!(s.is_blank());
        assert_eq!(s.into_secret().expose(), "");
    }

    #[test]
    fn a_command_argument_struct_holding_it_prints_redacted() {
        #[derive(Debug, Deserialize)]
        #[serde(rename_all = "camelCase")]
        #[allow(dead_code)]
        struct ImportArgs {
            label: String,
            private_key: Sensitive,
        }
        let args: ImportArgs = serde_json::from_value(serde_json::json!({"label": "test", "privateKey": KEY})).unwrap();
        assert!(!format!("{args:?}").contains(&KEY[2..]));
    }
}
