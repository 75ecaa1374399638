//! Modular Account v2 session codec (protocol.md §6–8): everything the Wallets API server builds
//! for a session, rebuilt here so that Warden never signs bytes it cannot explain.
//!
//! * [`install`] — permissions → `installValidation` call, and the strict inverse.
//! * [`nonce`] — the validation locator inside the EntryPoint nonce key.
//! * [`deferred`] — the DeferredAction typed data and digest the owner signs.
//! * [`user_op`] — userOpHash for EntryPoint v0.7 and v0.6.
//! * [`account`] — SMA-B counterfactual address and factory data; 7702 address.
//! * [`calls`] — `execute`/`executeBatch` call data, with or without `executeUserOp`.
//! * [`signature`] — the on-chain `userOp.signature` layouts the server assembles.
//! * [`context`] — the permissions context (versions 0x00, 0x01, 0x02).
//! * [`revocation`] — the owner's calls that end a session (uninstall, nonce bump).
//! * [`reverts`] — the account's and modules' revert errors a refusal carries in its data.
//!
//! Nothing here does I/O. Decoders refuse what they cannot explain completely: every
//! decoded value is re-encoded and must reproduce the input byte for byte.

mod abi;
pub mod account;
pub mod calls;
pub mod constants;
pub mod context;
pub mod deferred;
mod error;
pub mod install;
pub mod nonce;
pub mod reverts;
pub mod revocation;
pub mod signature;
pub mod user_op;

pub use error::Mav2Error;
