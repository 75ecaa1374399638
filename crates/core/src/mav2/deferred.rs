//! The DeferredAction typed data the owner signs to grant a session (protocol.md §6.3).
//!
//! Domain `{chainId, verifyingContract: account}` with no name, version or salt; primary
//! type `DeferredAction(uint256 nonce,uint48 deadline,bytes call)`. The digest is computed
//! directly from these three fields (the generic EIP-712 path in [`crate::signing`] gives
//! the same result and is what any server-sent typed data is checked with).

use alloy_primitives::{Address, B256, Bytes, U256, keccak256};
use serde_json::{Map, Value, json};

use super::constants::{DEFERRED_ACTION_TYPEHASH, DOMAIN_TYPEHASH};
use crate::api::{TypedDataDefinition, TypedDataDomain};
use crate::wire;

/// The fields of a DeferredAction and where it runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeferredAction {
    pub chain_id: u64,
    pub account: Address,
    /// The full 256-bit nonce of the session's first user op.
    pub nonce: U256,
    /// `expirySec`, or 0.
    pub deadline: u64,
    /// The `installValidation` call.
    pub call: Bytes,
}

impl DeferredAction {
    /// keccak256(domainTypehash ‖ chainId ‖ account).
    pub fn domain_separator(&self) -> B256 {
        let mut buf = [0u8; 96];
        buf[..32].copy_from_slice(DOMAIN_TYPEHASH.as_slice());
        buf[32..64].copy_from_slice(&U256::from(self.chain_id).to_be_bytes::<32>());
        buf[76..96].copy_from_slice(self.account.as_slice());
        keccak256(buf)
    }

    /// keccak256(typehash ‖ nonce ‖ deadline ‖ keccak256(call)).
    pub fn struct_hash(&self) -> B256 {
        let mut buf = [0u8; 128];
        buf[..32].copy_from_slice(DEFERRED_ACTION_TYPEHASH.as_slice());
        buf[32..64].copy_from_slice(&self.nonce.to_be_bytes::<32>());
        buf[64..96].copy_from_slice(&U256::from(self.deadline).to_be_bytes::<32>());
        buf[96..128].copy_from_slice(keccak256(&self.call).as_slice());
        keccak256(buf)
    }

    /// The EIP-712 digest: keccak256(0x1901 ‖ domainSeparator ‖ structHash).
    pub fn digest(&self) -> B256 {
        let mut buf = [0u8; 66];
        buf[0] = 0x19;
        buf[1] = 0x01;
        buf[2..34].copy_from_slice(self.domain_separator().as_slice());
        buf[34..66].copy_from_slice(self.struct_hash().as_slice());
        keccak256(buf)
    }

    /// The typed data exactly as the server sends it in `wallet_createSession`.
    pub fn typed_data(&self) -> TypedDataDefinition {
        let mut types = Map::new();
        types.insert(
            "DeferredAction".into(),
            json!([
                {"name": "nonce", "type": "uint256"},
                {"name": "deadline", "type": "uint48"},
                {"name": "call", "type": "bytes"}
            ]),
        );
        let mut message = Map::new();
        message.insert("nonce".into(), Value::String(wire::to_hex(self.nonce)));
        message.insert("deadline".into(), Value::from(self.deadline));
        message.insert("call".into(), Value::String(self.call.to_string()));
        TypedDataDefinition {
            domain: Some(TypedDataDomain {
                chain_id: Some(self.chain_id),
                verifying_contract: Some(self.account),
                ..Default::default()
            }),
            types,
            primary_type: "DeferredAction".into(),
            message,
        }
    }
}
