//! Test helpers that the tests of several Warden crates need, written once here instead
//! of copied into each crate's `tests/` (core, devnet, cli, and the CLI's benchmark
//! example). Only ever a `[dev-dependencies]` entry: nothing shipped links it.
//!
//! * [`signed_credentials`] — the `warden.session.v1` document a verified grant and the
//!   owner's signature over its digest make, as `warden grant` writes it (the one place
//!   the tests spell out all of `SessionCredentials`' fields).
//! * [`signer`] — a local signer from a hex private key, panicking on a bad one.

#![allow(clippy::unwrap_used)]

use alloy_primitives::{Bytes, FixedBytes};
use warden_core::api::{KeyDescriptor, KeyType};
use warden_core::credentials::{AccountType, FORMAT_V1, GrantData, Secret, SessionCredentials};
use warden_core::mav2::context::Context;
use warden_core::signing::{DigestSigner, LocalSigner, VerifiedGrant, signature_bytes};

/// A local signer for `hex` (with or without `0x`); panics on a key that is not 32 bytes.
pub fn signer(hex: &str) -> LocalSigner {
    LocalSigner::from_hex(hex).unwrap()
}

/// The credentials of `grant` for a Semi-Modular Account: `owner` signs the grant's
/// recomputed digest, which becomes both the document's signature and, with the session
/// id, its remote context. `endpoint` and `created_at` are written as given; `secret` is
/// the sealed session key, if any. Not checked here: callers that rely on consistency call
/// [`SessionCredentials::check`].
pub fn signed_credentials(
    grant: &VerifiedGrant,
    owner: &LocalSigner,
    endpoint: &str,
    created_at: u64,
    secret: Option<Secret>,
) -> SessionCredentials {
    let signature = Bytes::copy_from_slice(&signature_bytes(&owner.sign_digest(&grant.digest).unwrap()));
    let session_id = FixedBytes::<16>::from_slice(&grant.session_id);
    SessionCredentials {
        format: FORMAT_V1.into(),
        created_at,
        endpoint: endpoint.to_owned(),
        chain_id: grant.chain_id,
        account: grant.account,
        account_type: AccountType::SmaB,
        owner: owner.address(),
        session_id: grant.session_id.clone(),
        context: Context::Remote { session_id, signature: signature.clone() }.encode(),
        signature,
        key: KeyDescriptor { ty: KeyType::Secp256k1, public_key: grant.session_key },
        permissions: grant.permissions.clone(),
        expiry_sec: grant.expiry_sec,
        paymaster: None,
        grant: Some(GrantData { entity_id: grant.entity_id, nonce: grant.nonce, call: grant.call.clone() }),
        secret,
    }
}
