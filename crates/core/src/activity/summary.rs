//! The one-line summary of an activity entry, built only from things that cannot be a
//! secret.
//!
//! [`Summary`] has no constructor from arbitrary text: it starts from a `&'static str`
//! (text written in Warden's source) and grows only by addresses, ids, amounts, counts,
//! chain ids, host names and a user's label — each rendered by Warden itself. A private key,
//! passphrase or API key has none of those types, so it cannot reach the log by mistake.
//! The two pieces that come from people (a label, a host) are cleaned: a label with a run
//! of 64 hex digits (the shape of a private key) is replaced, a host keeps only host
//! characters.
//!
//! ```
//! use warden_core::activity::Summary;
//! let key = alloy_primitives::Address::ZERO;
//! let line = Summary::new("Exported").text("to a file").address("key", key).into_text();
//! assert_eq!(line, "Exported · to a file · key 0x0000000000000000000000000000000000000000");
//! ```
//!
//! Text made at run time — a passphrase, a key in hex — does not compile as a summary or
//! as its fixed text:
//!
//! ```compile_fail,E0597
//! use warden_core::activity::Summary;
//! let passphrase = String::from("correct horse battery staple");
//! let _ = Summary::new(&passphrase);
//! ```
//!
//! ```compile_fail,E0597
//! use warden_core::activity::Summary;
//! let private_key = format!("0x{}", "ab".repeat(32));
//! let _ = Summary::new("Exported").text(private_key.as_str());
//! ```

use alloy_primitives::{Address, Bytes, FixedBytes, U256};

use crate::api::UuidV4;
use crate::chains::NativeCurrency;
use crate::permissions::{format_native, format_units};

/// Longest session label, in characters: the app's session list refuses longer ones and
/// a summary cuts a label to it.
pub const MAX_LABEL_CHARS: usize = 80;

/// Longest summary, in characters; longer ones are cut with `…`.
pub const MAX_SUMMARY_CHARS: usize = 400;

/// A summary line (see the module docs). `Display` gives the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary(String);

impl Summary {
    /// Starts a summary with fixed text, e.g. `"Approved session"`.
    pub fn new(text: &'static str) -> Self {
        Self(text.to_owned())
    }

    fn push(mut self, name: &'static str, value: impl std::fmt::Display) -> Self {
        use std::fmt::Write as _;
        if name.is_empty() {
            let _ = write!(self.0, " · {value}");
        } else {
            let _ = write!(self.0, " · {name} {value}");
        }
        self
    }

    /// Adds fixed text.
    pub fn text(self, text: &'static str) -> Self {
        self.push("", text)
    }

    /// Adds `name 0xChecksummedAddress`.
    pub fn address(self, name: &'static str, address: Address) -> Self {
        self.push(name, address.to_checksum(None))
    }

    /// Adds an on-chain session id.
    pub fn session_id(self, id: FixedBytes<16>) -> Self {
        self.push("session", id)
    }

    /// Adds a record or account id.
    pub fn uuid(self, name: &'static str, id: UuidV4) -> Self {
        self.push(name, id)
    }

    /// Adds a call id (as returned by `wallet_sendPreparedCalls`; public).
    pub fn call_id(self, id: &Bytes) -> Self {
        self.push("call", id)
    }

    /// Adds a native amount (in wei) in the chain's `currency`, with its unit.
    pub fn native(self, name: &'static str, wei: U256, currency: &NativeCurrency) -> Self {
        self.push(name, format_native(wei, currency))
    }

    /// Adds a token amount with its decimals and symbol (as the chain reported it; only
    /// letters and digits of it are kept, at most 12).
    pub fn token_amount(self, name: &'static str, amount: U256, decimals: u8, symbol: &str) -> Self {
        let symbol: String = symbol.chars().filter(char::is_ascii_alphanumeric).take(12).collect();
        self.push(name, format!("{} {symbol}", format_units(amount, decimals)))
    }

    /// Adds a token amount in raw units (decimals unknown).
    pub fn raw_amount(self, name: &'static str, amount: U256) -> Self {
        self.push(name, format!("{amount} raw units"))
    }

    /// Adds a count.
    pub fn count(self, name: &'static str, n: u64) -> Self {
        self.push(name, n)
    }

    /// Adds a chain id.
    pub fn chain(self, chain_id: u32) -> Self {
        self.push("chain", chain_id)
    }

    /// Adds a host name (e.g. where an export was sent), keeping only host characters.
    pub fn host(self, host: &str) -> Self {
        let clean: String = host
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
            .take(253)
            .collect();
        self.push("host", if clean.is_empty() { "(unnamed)".to_owned() } else { clean })
    }

    /// Adds a session label a person typed, quoted, cut to the label limit; a label that
    /// holds a private-key-shaped run of hex digits is replaced.
    pub fn label(self, label: &str) -> Self {
        let looks_like_key = label.split(|c: char| !c.is_ascii_hexdigit()).any(|run| run.len() >= 64);
        let shown: String = if looks_like_key {
            "(label hidden: it looks like a key)".to_owned()
        } else {
            label.chars().filter(|c| !c.is_control()).take(MAX_LABEL_CHARS).collect()
        };
        self.push("", format!("“{shown}”"))
    }

    /// The text, cut to [`MAX_SUMMARY_CHARS`].
    pub fn into_text(self) -> String {
        if self.0.chars().count() <= MAX_SUMMARY_CHARS {
            self.0
        } else {
            let mut s: String = self.0.chars().take(MAX_SUMMARY_CHARS - 1).collect();
            s.push('…');
            s
        }
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use alloy_primitives::address;

    #[test]
    fn pieces_render_with_units_and_checksums() {
        let s = Summary::new("Approved session")
            .label("  trading bot ")
            .address("key", address!("70997970c51812dc3a010c7d01b50e0d17dc79c8"))
            .native("allowance", U256::from(10u64).pow(U256::from(16u64)), &crate::chains::ETHER)
            .chain(31337)
            .host("api.example.org/../x?y");
        assert_eq!(
            s.to_string(),
            "Approved session · “  trading bot ” · key 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 · allowance 0.01 ETH · chain 31337 · host api.example.org..xy"
        );
    }

    #[test]
    fn native_amounts_carry_the_chains_currency() {
        let one = U256::from(10u64).pow(U256::from(18u64));
        let s = Summary::new("Test call").native("value", one, crate::chains::native_currency(137)).chain(137);
        assert_eq!(s.to_string(), "Test call · value 1 POL · chain 137");
        let s = Summary::new("Test call").native("value", one / U256::from(4u64), crate::chains::native_currency(56));
        assert_eq!(s.to_string(), "Test call · value 0.25 BNB");
    }

    #[test]
    fn a_key_shaped_label_is_not_logged() {
        let key = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
        for label in [key.to_owned(), format!("0x{key}"), format!("my key {key}!")] {
            let s = Summary::new("Granted").label(&label).into_text();
            assert!(!s.contains(key), "{s}");
            assert!(s.contains("label hidden"), "{s}");
        }
    }

    #[test]
    fn long_summaries_are_cut() {
        let mut s = Summary::new("x");
        for _ in 0..20 {
            s = s.label(&"y".repeat(80));
        }
        let text = s.into_text();
        assert_eq!(text.chars().count(), MAX_SUMMARY_CHARS);
        assert!(text.ends_with('…'));
    }
}
