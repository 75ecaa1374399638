//! Signing and verification: Warden signs only digests it recomputed from data it could
//! check (protocol.md §3.4).
//!
//! * [`digest`] — the digest of each signature request type, recomputed from `data`.
//! * [`signer`] — the [`DigestSigner`] trait (a key that signs a digest and never leaves
//!   its holder) and an in-memory implementation for tests and `warden sign`.
//! * [`grant`] — [`verify_grant`]: a `wallet_createSession` result checked field by field
//!   against the request before the owner signs it.
//! * [`prepared`] — [`verify_prepared`]: a prepared user operation checked against the
//!   calls that were asked for before the session key signs it.
//!
//! A `rawPayload` that differs from the recomputed digest is logged as a warning and
//! never signed.

pub mod digest;
mod error;
pub mod fees;
pub mod grant;
pub mod prepared;
pub mod signer;

pub use digest::{SignedDigest, auth_digest, request_digest, sign_request};
pub use error::SigningError;
pub use fees::FeeBounds;
pub use grant::{Mismatch, VerifiedGrant, VerifyGrantError, verify_grant};
pub use prepared::{PreparedExpectation, ToSign, VerifiedPrepared, VerifyPreparedError, verify_prepared};
pub use signer::{DigestSigner, LocalSigner, recover, signature_bytes};
