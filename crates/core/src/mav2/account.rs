//! Account addresses (protocol.md §8): the SMA-B counterfactual address the factory will deploy
//! for an owner and salt, and the factory call that deploys it. A 7702 account is the
//! owner's EOA itself.

use alloy_primitives::{Address, B256, Bytes, U256, keccak256};
use alloy_sol_types::SolCall;

use super::Mav2Error;
use super::abi::createSemiModularAccountCall;
use super::constants::{ACCOUNT_FACTORY, SMA_B_IMPLEMENTATION};

const PROXY_PREFIX: [u8; 10] = [0x61, 0x00, 0x51, 0x3d, 0x81, 0x60, 0x23, 0x3d, 0x39, 0x73];
const PROXY_MIDDLE: &[u8] = &[
    0x60, 0x09, 0x51, 0x55, 0xf3, 0x36, 0x3d, 0x3d, 0x37, 0x3d, 0x3d, 0x36, 0x3d, 0x7f, 0x36, 0x08, 0x94, 0xa1, 0x3b,
    0xa1, 0xa3, 0x21, 0x06, 0x67, 0xc8, 0x28, 0x49, 0x2d, 0xb9, 0x8d, 0xca, 0x3e, 0x20, 0x76, 0xcc, 0x37, 0x35, 0xa9,
    0x20, 0xa3, 0xca, 0x50, 0x5d, 0x38, 0x2b, 0xbc, 0x54, 0x5a, 0xf4, 0x3d, 0x60, 0x00, 0x80, 0x3e, 0x60, 0x38, 0x57,
    0x3d, 0x60, 0x00, 0xfd, 0x5b, 0x3d, 0x60, 0x00, 0xf3,
];

/// Init code of the ERC-1967 proxy the factory deploys, with the owner as immutable.
pub fn proxy_init_code(owner: Address) -> Vec<u8> {
    let mut code = Vec::with_capacity(PROXY_PREFIX.len() + 20 + PROXY_MIDDLE.len() + 20);
    code.extend_from_slice(&PROXY_PREFIX);
    code.extend_from_slice(SMA_B_IMPLEMENTATION.as_slice());
    code.extend_from_slice(PROXY_MIDDLE);
    code.extend_from_slice(owner.as_slice());
    code
}

/// CREATE2 salt: keccak256(abi.encodePacked(owner, uint256 salt, uint32 0xFFFFFFFF)).
pub fn create2_salt(owner: Address, salt: U256) -> B256 {
    let mut buf = Vec::with_capacity(20 + 32 + 4);
    buf.extend_from_slice(owner.as_slice());
    buf.extend_from_slice(&salt.to_be_bytes::<32>());
    buf.extend_from_slice(&u32::MAX.to_be_bytes());
    keccak256(buf)
}

/// The SMA-B account address for `owner` and `salt`.
pub fn sma_b_address(owner: Address, salt: U256) -> Address {
    ACCOUNT_FACTORY.create2(create2_salt(owner, salt), keccak256(proxy_init_code(owner)))
}

/// `createSemiModularAccount(owner, salt)` — the factory data of the first op.
pub fn sma_b_factory_data(owner: Address, salt: U256) -> Bytes {
    createSemiModularAccountCall { owner, salt }.abi_encode().into()
}

/// Reads `createSemiModularAccount(owner, salt)` factory data back into (owner, salt).
pub fn decode_sma_b_factory_data(data: &[u8]) -> Result<(Address, U256), Mav2Error> {
    let call = createSemiModularAccountCall::abi_decode(data)
        .map_err(|e| Mav2Error::Malformed { what: "createSemiModularAccount factory data", reason: e.to_string() })?;
    if sma_b_factory_data(call.owner, call.salt).as_ref() != data {
        return Err(Mav2Error::NonCanonical { what: "createSemiModularAccount factory data" });
    }
    Ok((call.owner, call.salt))
}

/// A 7702 smart EOA is addressed as the owner itself.
pub fn eip7702_address(owner: Address) -> Address {
    owner
}
