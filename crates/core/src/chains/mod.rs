//! The chains Warden knows by name: every chain Alchemy serves, with its name, a short
//! network name (`base-sepolia`), whether it is a testnet, its native currency and its
//! Alchemy node URL.
//!
//! [`REGISTRY`] is generated (`registry.rs`, by `scripts/gen-chain-registry.mjs`) from the
//! official `@alchemy/common` chain registry and viem's chain definitions, pinned in
//! `tests/conformance`; a test compares the two whenever those packages are installed. The
//! registry is what a picker offers and how a chain id gets a name and a currency, not a
//! limit: any 32-bit chain id is a valid custom choice (chain ids on the Wallets API fit in
//! uint32), shown as "Chain N" with ether as its currency. The node URLs carry no API key:
//! the key travels in an `Authorization: Bearer` header.
//!
//! Left out: RPC URLs other than Alchemy's, block explorers, icons.

mod registry;

pub use registry::REGISTRY;

use crate::error::{Coded, ErrorCode};

/// The native currency of a chain: what gas and native transfers are paid in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NativeCurrency {
    /// The currency's name, e.g. "Ether", "POL".
    pub name: &'static str,
    /// The symbol amounts are shown with, e.g. "ETH", "POL", "BNB".
    pub symbol: &'static str,
    /// Digits after the decimal point: one unit is `10^decimals` wei.
    pub decimals: u8,
}

/// Ether: the currency of the local devnet and of chains outside the registry.
pub const ETHER: NativeCurrency = NativeCurrency { name: "Ether", symbol: "ETH", decimals: 18 };

/// A chain of the registry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChainInfo {
    /// The EIP-155 chain id.
    pub id: u32,
    /// The chain's name, e.g. "Base Sepolia".
    pub name: &'static str,
    /// Alchemy's network name, the host label of its node URL, e.g. `base-sepolia`.
    pub slug: &'static str,
    /// Whether it is a test network (no real money).
    pub testnet: bool,
    /// What gas and native transfers are paid in.
    pub currency: NativeCurrency,
    /// Alchemy's node URL for chain reads, `https://<slug>.g.alchemy.com/v2`, without a key.
    pub node_url: &'static str,
}

/// The chain id of a local anvil node (and of Warden's local devnet by default).
pub const LOCAL_CHAIN_ID: u32 = 31337;

/// Why a chain named by a person was not found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainLookupError {
    #[error("no chain given: enter a chain id (e.g. 84532) or a network name (e.g. base-sepolia)")]
    Empty,
    #[error("{text:?} is not a chain id: chain ids are whole numbers from 1 to 4294967295")]
    BadId { text: String },
    #[error("chain {id} is not in Warden's chain registry (the chains Alchemy serves)")]
    NotInRegistry { id: u32 },
    #[error("no chain in Warden's registry is named {text:?}{}", suggestions(close))]
    UnknownName {
        text: String,
        /// The closest names, as `slug (Name, id)`.
        close: Vec<String>,
    },
}

fn suggestions(close: &[String]) -> String {
    if close.is_empty() {
        "; give its chain id, or a network name such as base-sepolia".to_owned()
    } else {
        format!("; did you mean {}?", close.join(", or "))
    }
}

impl Coded for ChainLookupError {
    fn code(&self) -> ErrorCode {
        ErrorCode::InvalidInput
    }
}

/// The registry's chain with `id`.
pub fn by_id(id: u32) -> Option<&'static ChainInfo> {
    REGISTRY.iter().find(|c| c.id == id)
}

/// The registry's chain named by `text`: its id (decimal or `0x` hex), its network name
/// (`base-sepolia`), or its name (`Base Sepolia`, also with dashes for spaces), ignoring
/// case. When none matches, the error names the closest chains.
pub fn find(text: &str) -> Result<&'static ChainInfo, ChainLookupError> {
    let wanted = text.trim();
    if wanted.is_empty() {
        return Err(ChainLookupError::Empty);
    }
    if let Some(id) = parse_id(wanted)? {
        return by_id(id).ok_or(ChainLookupError::NotInRegistry { id });
    }
    let wanted = wanted.to_lowercase();
    REGISTRY
        .iter()
        .find(|c| {
            let name = c.name.to_lowercase();
            c.slug == wanted || name == wanted || name.replace(' ', "-") == wanted
        })
        .ok_or_else(|| ChainLookupError::UnknownName { text: text.trim().to_owned(), close: close_matches(&wanted) })
}

/// A chain id from `text`: any id from 1 to 2^32-1 (decimal or `0x` hex; a custom chain
/// need not be in the registry), or a registry chain by name as [`find`] reads it.
pub fn parse_chain_id(text: &str) -> Result<u32, ChainLookupError> {
    let wanted = text.trim();
    if wanted.is_empty() {
        return Err(ChainLookupError::Empty);
    }
    match parse_id(wanted)? {
        Some(id) => Ok(id),
        None => find(wanted).map(|c| c.id),
    }
}

/// `Some(id)` when `text` is a number; an error when it is a number but not a chain id.
fn parse_id(text: &str) -> Result<Option<u32>, ChainLookupError> {
    let parsed = if let Some(hex) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        u32::from_str_radix(hex, 16)
    } else if text.chars().all(|c| c.is_ascii_digit()) {
        text.parse::<u32>()
    } else {
        return Ok(None);
    };
    match parsed {
        Ok(id) if id != 0 => Ok(Some(id)),
        _ => Err(ChainLookupError::BadId { text: text.to_owned() }),
    }
}

/// Up to four chains whose network name or name is close to `wanted` (lower case): those
/// that contain it and those a few edits away, nearest first.
fn close_matches(wanted: &str) -> Vec<String> {
    let limit = (wanted.chars().count() / 3).max(2);
    let mut scored: Vec<(usize, &ChainInfo)> = REGISTRY
        .iter()
        .filter_map(|c| {
            let name = c.name.to_lowercase();
            let dashed = name.replace(' ', "-");
            let names = [c.slug, name.as_str(), dashed.as_str()];
            let contains = wanted.chars().count() >= 3 && names.iter().any(|n| n.contains(wanted));
            let distance = names.iter().map(|n| edit_distance(wanted, n)).min().unwrap_or(usize::MAX);
            (contains || distance <= limit).then_some((distance, c))
        })
        .collect();
    scored.sort_by_key(|(distance, c)| (*distance, c.testnet, c.id));
    scored.into_iter().take(4).map(|(_, c)| format!("{} ({}, {})", c.slug, c.name, c.id)).collect()
}

/// Levenshtein distance, by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != *cb)).min(above + 1).min(row[j] + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

/// A name for any chain id: the registry's name, "Local devnet" for [`LOCAL_CHAIN_ID`],
/// else "Chain <id>".
pub fn display_name(chain_id: u32) -> String {
    match by_id(chain_id) {
        Some(c) => c.name.to_owned(),
        None if chain_id == LOCAL_CHAIN_ID => "Local devnet".to_owned(),
        None => format!("Chain {chain_id}"),
    }
}

/// The native currency of `chain_id`: the registry's, else [`ETHER`] (the local devnet,
/// and chains Warden does not know).
pub fn native_currency(chain_id: u32) -> &'static NativeCurrency {
    by_id(chain_id).map_or(&ETHER, |c| &c.currency)
}

/// Alchemy's node URL for `chain_id` (no key in it), when the registry has the chain.
pub fn node_url(chain_id: u32) -> Option<&'static str> {
    by_id(chain_id).map(|c| c.node_url)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn registry_is_consistent() {
        assert!(REGISTRY.len() >= 60, "{} chains", REGISTRY.len());
        let mut ids = HashSet::new();
        let mut names = HashSet::new();
        let mut slugs = HashSet::new();
        for c in REGISTRY {
            assert!(c.id != 0 && c.id != LOCAL_CHAIN_ID, "{c:?}");
            assert!(ids.insert(c.id), "duplicate id {}", c.id);
            assert!(names.insert(c.name.to_lowercase()), "duplicate name {}", c.name);
            assert!(slugs.insert(c.slug), "duplicate slug {}", c.slug);
            assert_eq!(c.node_url, format!("https://{}.g.alchemy.com/v2", c.slug));
            assert_eq!(c.testnet, !c.slug.ends_with("-mainnet"), "{c:?}");
            assert!(!c.currency.symbol.is_empty() && !c.currency.name.is_empty(), "{c:?}");
        }
        // A name never reads as another chain's network name, so `find` is unambiguous.
        for c in REGISTRY {
            let dashed = c.name.to_lowercase().replace(' ', "-");
            assert!(REGISTRY.iter().all(|o| o.id == c.id || o.slug != dashed), "{} reads as another slug", c.name);
        }
    }

    #[test]
    fn finds_by_id_slug_and_name_in_any_case() {
        assert_eq!(find("84532").unwrap().slug, "base-sepolia");
        assert_eq!(find("0x14a34").unwrap().id, 84532);
        assert_eq!(find("base-sepolia").unwrap().id, 84532);
        assert_eq!(find("  Base Sepolia ").unwrap().id, 84532);
        assert_eq!(find("BASE-SEPOLIA").unwrap().id, 84532);
        assert_eq!(find("polygon").unwrap().id, 137);
        assert_eq!(find("bnb-mainnet").unwrap().currency.symbol, "BNB");
        assert_eq!(find("monad").unwrap().currency.symbol, "MON");
    }

    #[test]
    fn unknown_chains_name_what_is_wrong() {
        assert_eq!(find(" "), Err(ChainLookupError::Empty));
        assert_eq!(find("0"), Err(ChainLookupError::BadId { text: "0".into() }));
        assert_eq!(find("4294967296"), Err(ChainLookupError::BadId { text: "4294967296".into() }));
        assert_eq!(find("31337"), Err(ChainLookupError::NotInRegistry { id: 31337 }));
        let e = find("base-sepolai").unwrap_err();
        assert!(e.to_string().contains("did you mean base-sepolia (Base Sepolia, 84532)"), "{e}");
        let ChainLookupError::UnknownName { close, .. } = find("arbitrum").unwrap_err() else { panic!() };
        assert_eq!(close, ["arb-mainnet (Arbitrum One, 42161)", "arb-sepolia (Arbitrum Sepolia, 421614)"]);
        let e = find("no such chain at all").unwrap_err();
        assert!(e.to_string().ends_with("give its chain id, or a network name such as base-sepolia"), "{e}");
        assert_eq!(e.code(), ErrorCode::InvalidInput);
    }

    #[test]
    fn any_chain_id_parses_and_names_resolve() {
        assert_eq!(parse_chain_id("31337"), Ok(31337));
        assert_eq!(parse_chain_id("0x7a69"), Ok(31337));
        assert_eq!(parse_chain_id("4294967295"), Ok(u32::MAX));
        assert_eq!(parse_chain_id("polygon-amoy"), Ok(80002));
        assert!(matches!(parse_chain_id("-1"), Err(ChainLookupError::UnknownName { .. })));
        assert_eq!(parse_chain_id("0x"), Err(ChainLookupError::BadId { text: "0x".into() }));
    }

    #[test]
    fn names_and_currencies_of_known_and_unknown_chains() {
        assert_eq!(display_name(84532), "Base Sepolia");
        assert_eq!(display_name(LOCAL_CHAIN_ID), "Local devnet");
        assert_eq!(display_name(999_999), "Chain 999999");
        assert_eq!(native_currency(137).symbol, "POL");
        assert_eq!(native_currency(56).symbol, "BNB");
        assert_eq!(native_currency(143).symbol, "MON");
        assert_eq!(*native_currency(LOCAL_CHAIN_ID), ETHER);
        assert_eq!(*native_currency(999_999), ETHER);
        assert_eq!(node_url(8453), Some("https://base-mainnet.g.alchemy.com/v2"));
        assert_eq!(node_url(LOCAL_CHAIN_ID), None);
        assert!(by_id(11155111).is_some_and(|c| c.testnet));
        assert!(by_id(1).is_some_and(|c| !c.testnet));
    }
}
