//! Chains by name: the common chains the Alchemy Wallets API serves, so a person can pick
//! "Base Sepolia" instead of typing 84532, and so a chain id can be shown with its name.
//!
//! The list is what a chain picker offers, not a limit: any 32-bit chain id is a valid
//! custom choice (protocol.md §2: chain ids on this API fit in uint32). Left out: RPC URLs,
//! explorers and native-currency metadata (every chain here uses ETH-like 18-decimal gas
//! tokens except Polygon's POL, named in [`Network::currency`]).

/// A chain a person can pick by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Network {
    /// The EIP-155 chain id.
    pub chain_id: u32,
    /// The chain's common name.
    pub name: &'static str,
    /// Whether it is a test network (no real money).
    pub testnet: bool,
    /// The symbol of the native currency.
    pub currency: &'static str,
}

const fn net(chain_id: u32, name: &'static str, testnet: bool, currency: &'static str) -> Network {
    Network { chain_id, name, testnet, currency }
}

/// The chain id of a local anvil node (and of Warden's local devnet by default).
pub const LOCAL_CHAIN_ID: u32 = 31337;

/// Common chains served by the Alchemy Wallets API, mainnets first, each followed by its
/// test network.
pub const ALCHEMY_NETWORKS: &[Network] = &[
    net(1, "Ethereum", false, "ETH"),
    net(11155111, "Ethereum Sepolia", true, "ETH"),
    net(8453, "Base", false, "ETH"),
    net(84532, "Base Sepolia", true, "ETH"),
    net(42161, "Arbitrum One", false, "ETH"),
    net(421614, "Arbitrum Sepolia", true, "ETH"),
    net(10, "OP Mainnet", false, "ETH"),
    net(11155420, "OP Sepolia", true, "ETH"),
    net(137, "Polygon", false, "POL"),
    net(80002, "Polygon Amoy", true, "POL"),
];

/// Alchemy's node URL for `chain_id`, without a key (the key travels as a Bearer header).
pub fn alchemy_node_url(chain_id: u32) -> Option<&'static str> {
    Some(match chain_id {
        1 => "https://eth-mainnet.g.alchemy.com/v2",
        11155111 => "https://eth-sepolia.g.alchemy.com/v2",
        8453 => "https://base-mainnet.g.alchemy.com/v2",
        84532 => "https://base-sepolia.g.alchemy.com/v2",
        42161 => "https://arb-mainnet.g.alchemy.com/v2",
        421614 => "https://arb-sepolia.g.alchemy.com/v2",
        10 => "https://opt-mainnet.g.alchemy.com/v2",
        11155420 => "https://opt-sepolia.g.alchemy.com/v2",
        137 => "https://polygon-mainnet.g.alchemy.com/v2",
        80002 => "https://polygon-amoy.g.alchemy.com/v2",
        _ => return None,
    })
}

/// The network with `chain_id`, if it is one of [`ALCHEMY_NETWORKS`].
pub fn by_chain_id(chain_id: u32) -> Option<&'static Network> {
    ALCHEMY_NETWORKS.iter().find(|n| n.chain_id == chain_id)
}

/// The network named `text`: its name or its Alchemy host label (`base-sepolia`),
/// case-insensitive.
pub fn find(text: &str) -> Option<&'static Network> {
    let wanted = text.trim().to_ascii_lowercase();
    ALCHEMY_NETWORKS.iter().find(|n| {
        n.name.to_ascii_lowercase() == wanted
            || alchemy_node_url(n.chain_id)
                .is_some_and(|u| u.strip_prefix("https://").and_then(|h| h.split('.').next()) == Some(wanted.as_str()))
            || n.name.to_ascii_lowercase().replace(' ', "-") == wanted
    })
}

/// A name for any chain id: the known name, "Local devnet" for [`LOCAL_CHAIN_ID`], else
/// "Chain <id>".
pub fn display_name(chain_id: u32) -> String {
    match by_chain_id(chain_id) {
        Some(n) => n.name.to_owned(),
        None if chain_id == LOCAL_CHAIN_ID => "Local devnet".to_owned(),
        None => format!("Chain {chain_id}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_ids_are_unique_and_nonzero() {
        let mut ids: Vec<u32> = ALCHEMY_NETWORKS.iter().map(|n| n.chain_id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), ALCHEMY_NETWORKS.len());
        assert!(!ids.contains(&0));
        assert!(!ids.contains(&LOCAL_CHAIN_ID), "the local chain id is not an Alchemy network");
    }

    #[test]
    fn names_known_and_unknown_chains() {
        assert_eq!(display_name(84532), "Base Sepolia");
        assert_eq!(display_name(LOCAL_CHAIN_ID), "Local devnet");
        assert_eq!(display_name(999_999), "Chain 999999");
        assert!(by_chain_id(11155111).is_some_and(|n| n.testnet));
        assert!(by_chain_id(1).is_some_and(|n| !n.testnet));
    }
}
