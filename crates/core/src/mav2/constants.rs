//! Addresses, selectors and type hashes of the MAv2 deployment (protocol.md §7). The module and
//! factory addresses are the same on every chain.

use alloy_primitives::{Address, B256, address, b256};

pub const ENTRY_POINT_V07: Address = address!("0000000071727De22E5E9d8BAf0edAc6f37da032");
pub const ENTRY_POINT_V06: Address = address!("5FF137D4b0FDCD49DcA30c7CF57E578a026d2789");
pub const ACCOUNT_FACTORY: Address = address!("00000000000017c61b5bEe81050EC8eFc9c6fecd");
pub const SMA_B_IMPLEMENTATION: Address = address!("000000000000c5A9089039570Dd36455b5C07383");
pub const SMA_7702_IMPLEMENTATION: Address = address!("69007702764179f14F51cdce752f4f775d74E139");
pub const SINGLE_SIGNER_VALIDATION_MODULE: Address = address!("00000000000099DE0BF6fA90dEB851E2A2df7d83");
pub const TIME_RANGE_MODULE: Address = address!("00000000000082B8e2012be914dFA4f62A0573eA");
pub const NATIVE_TOKEN_LIMIT_MODULE: Address = address!("00000000000001e541f0D090868FBe24b59Fbe06");
pub const ALLOWLIST_MODULE: Address = address!("00000000003e826473A313E600b5b9B791f5a59a");

pub const DOMAIN_TYPEHASH: B256 = b256!("47e79534a245952e8b16893a336b85a3d9ea9fa8c573f3d803afb92a79469218");
pub const DEFERRED_ACTION_TYPEHASH: B256 = b256!("9b23e06584efc6b65fc854cee55011d89f86485487b6db36aed7d23884711ea3");
pub const REPLAY_SAFE_HASH_TYPEHASH: B256 = b256!("294a8735843d4afb4f017c76faf3b7731def145ed0025fc9b1d5ce30adf113ff");

pub const SELECTOR_INSTALL_VALIDATION: [u8; 4] = [0x1b, 0xbf, 0x56, 0x4c];
pub const SELECTOR_UNINSTALL_VALIDATION: [u8; 4] = [0xb6, 0xb1, 0xcc, 0xfe];
pub const SELECTOR_EXECUTE: [u8; 4] = [0xb6, 0x1d, 0x27, 0xf6];
pub const SELECTOR_EXECUTE_BATCH: [u8; 4] = [0x34, 0xfc, 0xd5, 0xbe];
pub const SELECTOR_EXECUTE_USER_OP: [u8; 4] = [0x8d, 0xd7, 0x71, 0x2f];
pub const SELECTOR_ERC20_APPROVE: [u8; 4] = [0x09, 0x5e, 0xa7, 0xb3];
pub const SELECTOR_ERC20_TRANSFER: [u8; 4] = [0xa9, 0x05, 0x9c, 0xbb];

/// Hook entity offset ("HALF_UINT32") for the second hook of a module on one entity.
pub const HOOK_ENTITY_OFFSET: u32 = 0x7FFF_FFFF;

/// Validation flags in the 25-byte validation config.
pub const VALIDATION_FLAG_USER_OP: u8 = 0x01;
pub const VALIDATION_FLAG_SIGNATURE: u8 = 0x02;
pub const VALIDATION_FLAG_GLOBAL: u8 = 0x04;

/// Hook flags in the 25-byte hook config.
pub const HOOK_FLAG_VALIDATION: u8 = 0x01;
pub const HOOK_FLAG_POST: u8 = 0x02;
pub const HOOK_FLAG_PRE: u8 = 0x04;

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::keccak256;

    fn selector(sig: &str) -> [u8; 4] {
        let h = keccak256(sig.as_bytes());
        [h[0], h[1], h[2], h[3]]
    }

    #[test]
    fn selectors_and_typehashes_match_their_signatures() {
        assert_eq!(selector("installValidation(bytes25,bytes4[],bytes,bytes[])"), SELECTOR_INSTALL_VALIDATION);
        assert_eq!(selector("uninstallValidation(bytes24,bytes,bytes[])"), SELECTOR_UNINSTALL_VALIDATION);
        assert_eq!(selector("execute(address,uint256,bytes)"), SELECTOR_EXECUTE);
        assert_eq!(selector("executeBatch((address,uint256,bytes)[])"), SELECTOR_EXECUTE_BATCH);
        assert_eq!(
            selector("executeUserOp((address,uint256,bytes,bytes,bytes32,uint256,bytes32,bytes,bytes),bytes32)"),
            SELECTOR_EXECUTE_USER_OP
        );
        assert_eq!(selector("approve(address,uint256)"), SELECTOR_ERC20_APPROVE);
        assert_eq!(selector("transfer(address,uint256)"), SELECTOR_ERC20_TRANSFER);
        assert_eq!(keccak256("EIP712Domain(uint256 chainId,address verifyingContract)"), DOMAIN_TYPEHASH);
        assert_eq!(keccak256("DeferredAction(uint256 nonce,uint48 deadline,bytes call)"), DEFERRED_ACTION_TYPEHASH);
        assert_eq!(keccak256("ReplaySafeHash(bytes32 hash)"), REPLAY_SAFE_HASH_TYPEHASH);
    }
}
