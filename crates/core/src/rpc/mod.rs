//! A JSON-RPC 2.0 client for a Wallets API endpoint (SPEC §1): Alchemy's
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

use serde::Serialize;
use serde::de::DeserializeOwned;

pub use client::{RpcClient, RpcConfig};
pub use endpoint::{ALCHEMY_WALLET_URL, ApiKey, Endpoint};
pub use error::RpcError;
pub use retry::RetryPolicy;

/// Whether a call may be repeated automatically.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CallKind {
    /// Changes nothing on the server (`wallet_getCallsStatus`, `wallet_prepareCalls`, …):
    /// retried on transient failures.
    Read,
    /// May change state or spend (`wallet_sendPreparedCalls`, `wallet_createSession`, …):
    /// made exactly once. After a timeout or transport failure its outcome is unknown; find
    /// out (e.g. with `wallet_getCallsStatus`) before sending again.
    Send,
}

/// A JSON-RPC method with its params and result types and its [`CallKind`], for
/// [`RpcClient::call`]. Declaring the kind once per method keeps call sites from choosing
/// it wrongly.
pub trait RpcMethod {
    /// The JSON-RPC method name.
    const NAME: &'static str;
    /// Whether the call may be retried.
    const KIND: CallKind;
    /// The whole params array, e.g. `[Request; 1]` or `(Address, Vec<ChainId>)`.
    type Params: Serialize;
    /// The `result`.
    type Output: DeserializeOwned;
}
