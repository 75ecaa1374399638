//! Warden core: everything Warden knows about the Alchemy Wallets API session-key
//! protocol, with no UI and no Tauri.
//!
//! The desktop app's own records are not here: its list of sessions and the usage lines it
//! shows for each are `warden_desk::store` and `warden_desk::usage`. The activity log and
//! export stay, because other crates than the app need them: the keychain's anchor of the
//! log's newest entry uses [`activity`], and the CLI's permission requests deliver their
//! answers with [`export`] (through [`request`]).
//!
//! * [`wire`] — scalar wire encodings (minimal hex quantities, 32-bit chain ids).
//! * [`api`] — typed requests and results of the `wallet_*` methods, exactly on the wire.
//! * [`permissions`] — the eight permission types, validation and descriptions.
//! * [`mav2`] — the Modular Account v2 session codec (install call, nonces, hashes).
//! * [`chains`] — the chain registry: every chain Alchemy serves, with name, currency and node URL.
//! * [`funding`] — the EIP-681 request (`ethereum:<address>@<chainId>`) behind the funding QR code.
//! * [`calls`] — the prepare → verify → sign → send → wait pipeline of every signed call.
//! * [`rpc`] — the JSON-RPC 2.0 client for a Wallets API endpoint (timeouts, size cap,
//!   typed errors, reads retried, sends never).
//! * [`session`] — `SessionClient`: a server sends calls within one session grant.
//! * [`signing`] — digests recomputed from data, signers, `verify_grant`, `verify_prepared`.
//! * [`credentials`] — the `warden.session.v1` document a grant hands to a server.
//! * [`activity`] — the append-only, hash-chained activity log.
//! * [`keystore`] — keystore v3 for a session key: geth's scrypt cost, bounded reading, passphrase strength.
//! * [`export`] — delivering a credentials document to a new file or an HTTPS server.
//! * [`usage`] — the devnet's accounting of a session's limits (`devnet_sessionUsage`), as
//!   the devnet writes it and every reader reads it.
//! * [`atomic_file`] — whole-file writes a crash cannot leave half done.
//! * [`node`] — chain reads from the chain's node (chain id, balance, code, EntryPoint nonces).
//! * [`backend`] — the wallet endpoint, the node endpoint, the chain and the gas policy, together.
//! * [`doctor`] — read-only checks that a backend is set up right.
//! * [`account`] — the owner's account: requested, checked, with balance and delegation.
//! * [`grant`] — headless grant: request, verify, show, approve into credentials.
//! * [`request`] — permission requests: a server asks, the owner answers.
//! * [`revoke`] — which owner call ends a session (uninstall, or cancel an unused grant).
//! * [`secret_buffer`] — text holding a secret, serialized without leaving copies behind.
//! * [`error`] — the closed error-code set shared by every module.

pub mod account;
pub mod activity;
pub mod api;
pub mod atomic_file;
pub mod backend;
pub mod calls;
pub mod chains;
pub mod credentials;
pub mod doctor;
pub mod error;
pub mod export;
pub mod funding;
pub mod grant;
pub mod keystore;
pub mod mav2;
pub mod node;
pub mod permissions;
pub mod request;
pub mod revoke;
pub mod rpc;
pub mod secret_buffer;
pub mod session;
pub mod signing;
pub mod usage;
pub mod wire;

pub use backend::{Backend, BackendError};
pub use error::{Coded, ErrorCode};
