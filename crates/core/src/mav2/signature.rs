//! The on-chain `userOp.signature` layouts a server assembles for MAv2 (protocol.md §6.6, §6.9).
//!
//! Clients never send these (the server packs them on send); Warden builds them for the
//! devnet and to check what an endpoint did.

use alloy_primitives::{Bytes, U256};

/// Validation-data segment marker.
const SEGMENT_MARKER: u8 = 0xFF;
/// Signature type byte of an EOA (secp256k1) signer.
pub const SIG_TYPE_EOA: u8 = 0x00;
/// Signature type byte of a contract (ERC-1271) signer.
pub const SIG_TYPE_CONTRACT: u8 = 0x01;

/// `0xFF ‖ sigType ‖ signature`: an op of an installed validation (owner or session).
pub fn installed(sig_type: u8, signature: &[u8]) -> Bytes {
    let mut v = Vec::with_capacity(2 + signature.len());
    v.push(SEGMENT_MARKER);
    v.push(sig_type);
    v.extend_from_slice(signature);
    v.into()
}

/// encodedData = owner validation locator (20 zero bytes ‖ 0x01) ‖ uint48 deadline ‖ call.
pub fn deferred_encoded_data(deadline: u64, call: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(27 + call.len());
    v.extend_from_slice(&[0u8; 20]);
    v.push(0x01);
    v.extend_from_slice(&deadline.to_be_bytes()[2..]);
    v.extend_from_slice(call);
    v
}

fn len32(n: usize) -> [u8; 4] {
    u32::try_from(n).unwrap_or(u32::MAX).to_be_bytes()
}

/// The first op of a session: it carries the deferred install and the owner's grant
/// signature before the session's own signature.
pub fn first_use(deadline: u64, call: &[u8], owner_signature: &[u8], session_signature: &[u8]) -> Bytes {
    let encoded = deferred_encoded_data(deadline, call);
    let mut v = Vec::new();
    v.extend_from_slice(&len32(encoded.len()));
    v.extend_from_slice(&encoded);
    v.extend_from_slice(&len32(owner_signature.len() + 1));
    v.push(SIG_TYPE_EOA);
    v.extend_from_slice(owner_signature);
    v.extend_from_slice(&installed(SIG_TYPE_EOA, session_signature));
    v.into()
}

/// The SDK's local-mode deferred-action blob (protocol.md §6.9): flag (0x01 when the session has
/// execution hooks) ‖ 32-byte nonce ‖ uint32 len ‖ encodedData ‖ uint32 len ‖ 0x00 ‖ sig.
pub fn local_mode_deferred_action(
    has_exec_hooks: bool,
    nonce: U256,
    deadline: u64,
    call: &[u8],
    owner_signature: &[u8],
) -> Bytes {
    let encoded = deferred_encoded_data(deadline, call);
    let mut v = vec![u8::from(has_exec_hooks)];
    v.extend_from_slice(&nonce.to_be_bytes::<32>());
    v.extend_from_slice(&len32(encoded.len()));
    v.extend_from_slice(&encoded);
    v.extend_from_slice(&len32(owner_signature.len() + 1));
    v.push(SIG_TYPE_EOA);
    v.extend_from_slice(owner_signature);
    v.into()
}
