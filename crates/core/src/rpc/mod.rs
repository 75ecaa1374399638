//! A JSON-RPC 2.0 client for a Wallets API endpoint (protocol.md §1): Alchemy's
//! `https://api.g.alchemy.com/v2` with `Authorization: Bearer <key>`, or any URL such as a
//! local devnet.
//!
//! It exists so that every caller gets the same guarantees on top of `reqwest`:
//!
//! * a per-request timeout and a response-size cap enforced while the body streams in;
//! * JSON-RPC error objects as typed errors with code and message (never the raw body),
//!   HTTP 429/5xx classified, every answer checked for version and id;
//! * reads retried with backoff on transient failures, sends **never** retried: whether a
//!   call may be repeated is part of each call ([`CallKind`], or [`RpcMethod::KIND`]), with
//!   no default;
//! * the API key (or a key in the URL path) kept out of `Debug`, logs and errors.
//!
//! Left out: batches, subscriptions, and the `Alchemy-AA-Sdk-Version` header (informational
//! only). The typed requests and results live in [`crate::api`]; this module moves JSON.

mod client;
mod endpoint;
mod envelope;
mod error;
mod retry;

pub use crate::api::{CallKind, RpcMethod};
pub use client::{RpcClient, RpcConfig};
pub use endpoint::{ALCHEMY_WALLET_URL, ApiKey, Endpoint};
pub use error::RpcError;
pub use retry::RetryPolicy;

/// A reason from elsewhere (a decoder, another library), cut to the length errors keep.
pub(crate) fn truncate_reason(text: &str) -> String {
    envelope::truncate(text, 300)
}
