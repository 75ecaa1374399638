//! Typed requests and results of the Wallets API methods Warden speaks (protocol.md §3–4),
//! exactly as they appear on the wire.
//!
//! Quantities are minimal hex, chain ids are 32-bit `HexNumber`s, addresses are written
//! EIP-55 checksummed (lower case inside receipt logs), unions are discriminated on `type`
//! (or, where the API has no `type`, on the key that tells the variants apart), and unknown
//! fields are tolerated on input (they are dropped, as zod's strip mode does). Everything
//! here is plain data: hashing and signing live in [`crate::mav2`] and `crate::signing`.
//!
//! * shared types: calls, typed data, signature requests and signatures, user operations,
//!   the permissions capability, UUID v4 ids.
//! * [`RequestAccount`], [`ListAccounts`] — accounts of a signer.
//! * [`CreateSession`] — the owner's grant to a session key.
//! * [`PrepareCalls`], [`SendPreparedCalls`], [`GetCallsStatus`] — making calls.
//! * [`PrepareSign`], [`FormatSign`] — ERC-1271 signatures of the account.
//! * [`GetCapabilities`] — what the server supports.
//!
//! Known leniency: hex fields (`Bytes`, `B256`, addresses) use alloy's parsers, which also
//! take hex without the `0x` prefix that the schema requires; quantities and chain ids
//! (the `wire` adapters) insist on it.
//!
//! [`RpcMethod`] ties each method name to its types. Left out: the Solana variants,
//! `wallet_requestQuote_v0` and `wallet_getCrossChainStatus_v0`.

mod account;
mod capabilities;
mod common;
mod error;
mod method;
mod prepare;
mod send;
mod session;
mod sign;
mod status;

pub use account::*;
pub use capabilities::*;
pub use common::*;
pub use error::ApiError;
pub use method::*;
pub use prepare::*;
pub use send::*;
pub use session::*;
pub use sign::*;
pub use status::*;
