//! How a person is asked to fund an account: an EIP-681 payment request,
//! `ethereum:<address>@<chainId>`, the text a wallet reads from the funding QR code.
//!
//! The chain id is always given (decimal, as EIP-681 writes it), so a wallet that honours it
//! sends on the account's chain and not on whichever chain it happens to be on; the address
//! keeps its EIP-55 checksum, which wallets verify. The `pay-` prefix is left out: EIP-681
//! makes it optional when the target starts with `0x`.
//!
//! Left out: the amount (`value`), gas parameters and token transfers — the person chooses
//! what to send.

use alloy_primitives::Address;

/// The EIP-681 URI that asks a wallet to send the native currency of `chain_id` to
/// `address`, amount left to the sender.
pub fn funding_uri(address: Address, chain_id: u32) -> String {
    format!("ethereum:{}@{chain_id}", address.to_checksum(None))
}

#[cfg(test)]
mod tests {
    use alloy_primitives::address;

    use super::*;

    const ACCOUNT: Address = address!("70997970c51812dc3a010c7d01b50e0d17dc79c8");

    #[test]
    fn names_the_checksummed_address_and_the_chain() {
        assert_eq!(funding_uri(ACCOUNT, 137), "ethereum:0x70997970C51812dc3A010C7d01b50e0d17dc79C8@137");
        assert_eq!(funding_uri(ACCOUNT, 31337), "ethereum:0x70997970C51812dc3A010C7d01b50e0d17dc79C8@31337");
        assert_eq!(funding_uri(ACCOUNT, u32::MAX), "ethereum:0x70997970C51812dc3A010C7d01b50e0d17dc79C8@4294967295");
    }

    /// The text follows EIP-681's grammar: `"ethereum:" target_address "@" chain_id`, with
    /// `target_address = "0x" 40*HEXDIG` and `chain_id = 1*DIGIT`, and no function or
    /// parameters (so no amount).
    #[test]
    fn follows_the_eip_681_grammar() {
        for chain_id in [1, 56, 137, 84532, 11155111] {
            let uri = funding_uri(ACCOUNT, chain_id);
            let rest = uri.strip_prefix("ethereum:").unwrap_or_else(|| panic!("{uri}"));
            let (target, chain) = rest.split_once('@').unwrap_or_else(|| panic!("{uri}"));
            assert!(target.len() == 42 && target.starts_with("0x"), "{uri}");
            assert!(target[2..].chars().all(|c| c.is_ascii_hexdigit()), "{uri}");
            assert_eq!(target.parse::<Address>().ok(), Some(ACCOUNT), "{uri}");
            assert!(!chain.is_empty() && chain.chars().all(|c| c.is_ascii_digit()), "{uri}");
            assert_eq!(chain.parse::<u32>().ok(), Some(chain_id), "{uri}");
        }
    }
}
