//! The HTTP side: two endpoints, each one `POST /` speaking JSON-RPC 2.0 (single requests
//! and batches), split as Alchemy splits them.
//!
//! * The wallet URL ([`wallet_router`]) answers `wallet_*` and `devnet_*` ([`crate::methods`]).
//!   Like Alchemy's wallet-only endpoint it serves no chain methods: `eth_*`, `net_*` and
//!   `web3_*` are -32601, and each one is counted by method ([`Misrouted`]), so a test can
//!   fail when a client sent a chain read to the wallet URL (`devnet_misroutedRequests`,
//!   `DevnetHandle::misrouted_requests`).
//! * The node URL ([`node_router`]) serves the chain: `eth_*`, `net_*` and `web3_*` are
//!   forwarded to the node untouched; anything else (`wallet_*`, `anvil_*`, `evm_*`) is
//!   -32601, as on a hosted node. Tests that need anvil's own methods use the raw anvil URL.
//!
//! Before a body is read, each request must pass what a hosted endpoint and a local
//! server reached from a browser need, each refusal a JSON-RPC error object (id null,
//! -32600) with its HTTP status:
//!
//! * `Host` must name a loopback address (`127.0.0.0/8`, `localhost`, `[::1]`, with any
//!   port): a web page that rebinds its own DNS name to 127.0.0.1 sends its own name, and
//!   gets 403 ([`host_is_loopback`]);
//! * `Content-Type` must be `application/json` (parameters such as `charset` allowed): 415
//!   otherwise, which also keeps a page's "simple" cross-origin POST (`text/plain`, form
//!   types) from reaching a method;
//! * the body is at most [`MAX_BODY_BYTES`] (413) and a batch at most [`MAX_BATCH`]
//!   requests (the whole batch is refused, 400).
//!
//! A body that is not JSON is -32700, and no input can panic the server: every failure is
//! an error object.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde::Serialize;
use serde_json::{Value, json};

use crate::methods::{self, Emulator};
use crate::rpc::{self, INTERNAL_ERROR, METHOD_NOT_FOUND, PARSE_ERROR, Request, RpcFailure};

/// The largest request body either URL reads, in bytes (2 MiB: far above any wallet
/// request or signed transaction the devnet serves).
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// The most requests one batch may hold (geth's default cap is 1000; Warden and the
/// official clients send small batches or none, so a larger one is a client bug here).
pub const MAX_BATCH: usize = 100;

/// Prefixes of the chain methods the node URL forwards to the node.
const CHAIN_PREFIXES: [&str; 3] = ["eth_", "net_", "web3_"];

fn is_chain_method(method: &str) -> bool {
    CHAIN_PREFIXES.iter().any(|p| method.starts_with(p))
}

/// Chain requests that reached the wallet URL, by method.
#[derive(Debug, Default)]
pub struct Misrouted {
    by_method: Mutex<BTreeMap<String, u64>>,
}

/// What [`Misrouted`] counted: `{"total": n, "byMethod": {"eth_getBalance": 2}}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MisroutedRequests {
    pub total: u64,
    pub by_method: BTreeMap<String, u64>,
}

impl Misrouted {
    fn record(&self, method: &str) {
        if let Ok(mut m) = self.by_method.lock() {
            *m.entry(method.to_owned()).or_default() += 1;
        }
    }

    /// The counts so far.
    pub fn counts(&self) -> MisroutedRequests {
        let by_method = self.by_method.lock().map(|m| m.clone()).unwrap_or_default();
        MisroutedRequests { total: by_method.values().sum(), by_method }
    }
}

/// What the wallet URL's handler needs.
#[derive(Clone, Debug)]
struct Wallet {
    emulator: Arc<Emulator>,
    misrouted: Arc<Misrouted>,
}

/// The router of the wallet URL.
pub fn wallet_router(emulator: Arc<Emulator>, misrouted: Arc<Misrouted>) -> Router {
    Router::new().route("/", post(wallet)).with_state(Wallet { emulator, misrouted })
}

/// The router of the node URL.
pub fn node_router(emulator: Arc<Emulator>) -> Router {
    Router::new().route("/", post(node)).with_state(emulator)
}

fn json_response(v: &Value) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], v.to_string()).into_response()
}

async fn wallet(State(w): State<Wallet>, headers: HeaderMap, body: Body) -> Response {
    match admit(&headers, body).await {
        Ok(body) => handle(body, |raw| answer_wallet(w.clone(), raw)).await,
        Err(refused) => refused,
    }
}

async fn node(State(emulator): State<Arc<Emulator>>, headers: HeaderMap, body: Body) -> Response {
    match admit(&headers, body).await {
        Ok(body) => handle(body, |raw| answer_node(emulator.clone(), raw)).await,
        Err(refused) => refused,
    }
}

/// An HTTP refusal with a JSON-RPC error body.
fn refuse(status: StatusCode, message: String) -> Response {
    let body = rpc::failure(Value::Null, &RpcFailure::new(rpc::INVALID_REQUEST, message));
    (status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

/// Whether a `Host` header value names a loopback address: `127.0.0.0/8`, `localhost` or
/// `[::1]`, with or without a port.
pub fn host_is_loopback(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        match rest.split_once(']') {
            Some((inside, port)) if port.is_empty() || port.starts_with(':') => return inside == "::1",
            _ => return false,
        }
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => name,
            Some(_) => return false,
            None => host,
        }
    };
    name.eq_ignore_ascii_case("localhost") || name.parse::<std::net::Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
}

/// Whether a `Content-Type` value is `application/json` (any parameters).
fn is_json(content_type: &str) -> bool {
    let media = content_type.split(';').next().unwrap_or_default().trim();
    media.eq_ignore_ascii_case("application/json")
}

/// The checks before a body is read (see the module docs), then the body, read up to
/// [`MAX_BODY_BYTES`].
async fn admit(headers: &HeaderMap, body: Body) -> Result<Bytes, Response> {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
    if !host_is_loopback(host) {
        tracing::warn!(host, "refused a request whose Host is not loopback (DNS rebinding?)");
        return Err(refuse(
            StatusCode::FORBIDDEN,
            format!("the devnet answers only requests addressed to a loopback host, not Host {host:?}"),
        ));
    }
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|h| h.to_str().ok()).unwrap_or_default();
    if !is_json(content_type) {
        return Err(refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("Content-Type must be application/json, not {content_type:?}"),
        ));
    }
    axum::body::to_bytes(body, MAX_BODY_BYTES).await.map_err(|_| {
        refuse(StatusCode::PAYLOAD_TOO_LARGE, format!("the request body is larger than {MAX_BODY_BYTES} bytes"))
    })
}

/// Parses the body and answers each request object with `answer` (`None`: a notification).
async fn handle<F, Fut>(body: Bytes, answer: F) -> Response
where
    F: Fn(Value) -> Fut,
    Fut: Future<Output = Option<Value>>,
{
    let parsed: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => {
            let f = RpcFailure::new(PARSE_ERROR, format!("the request body is not valid JSON: {e}"));
            return json_response(&rpc::failure(Value::Null, &f));
        }
    };
    match parsed {
        Value::Array(items) if items.is_empty() => json_response(&rpc::failure(
            Value::Null,
            &RpcFailure::new(rpc::INVALID_REQUEST, "an empty batch is not a request"),
        )),
        Value::Array(items) if items.len() > MAX_BATCH => refuse(
            StatusCode::BAD_REQUEST,
            format!("a batch of {} requests is larger than the devnet's limit of {MAX_BATCH}", items.len()),
        ),
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                if let Some(r) = answer(item).await {
                    out.push(r);
                }
            }
            if out.is_empty() { StatusCode::NO_CONTENT.into_response() } else { json_response(&Value::Array(out)) }
        }
        single => match answer(single).await {
            Some(r) => json_response(&r),
            None => StatusCode::NO_CONTENT.into_response(),
        },
    }
}

/// The checked request, or the answer to a malformed one.
fn parse(raw: &Value) -> Result<Request, Value> {
    rpc::parse_request(raw).map_err(|(id, f)| rpc::failure(id, &f))
}

async fn answer_wallet(w: Wallet, raw: Value) -> Option<Value> {
    let req = match parse(&raw) {
        Ok(r) => r,
        Err(answer) => return Some(answer),
    };
    let outcome = if is_chain_method(&req.method) {
        w.misrouted.record(&req.method);
        tracing::warn!(method = %req.method, "a chain method reached the wallet URL");
        Err(RpcFailure::new(
            METHOD_NOT_FOUND,
            format!(
                "Unsupported method: {}. This endpoint serves the Wallets API (wallet_*) only; send chain methods to the chain's node URL",
                req.method
            ),
        ))
    } else if req.method == "devnet_misroutedRequests" {
        Ok(json!(w.misrouted.counts()))
    } else {
        methods::dispatch(&w.emulator, &req.method, req.params).await
    };
    let id = req.id?;
    Some(match outcome {
        Ok(result) => rpc::success(id, result),
        Err(f) => {
            tracing::debug!(method = %req.method, code = f.code, "refused: {}", f.message);
            rpc::failure(id, &f)
        }
    })
}

async fn answer_node(emulator: Arc<Emulator>, raw: Value) -> Option<Value> {
    let req = match parse(&raw) {
        Ok(r) => r,
        Err(answer) => return Some(answer),
    };
    if !is_chain_method(&req.method) {
        let f = RpcFailure::new(
            METHOD_NOT_FOUND,
            format!("the method {} does not exist/is not available on this node URL", req.method),
        );
        return req.id.map(|id| rpc::failure(id, &f));
    }
    let resp = emulator.node().forward(&raw).await;
    let id = req.id?;
    Some(match resp {
        Ok(v) => v,
        Err(e) => rpc::failure(id, &RpcFailure::new(INTERNAL_ERROR, format!("internal error: {e}"))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_hosts_are_served() {
        for ok in ["127.0.0.1", "127.0.0.1:8545", "127.1.2.3:1", "localhost", "LOCALHOST:80", "[::1]", "[::1]:8545"] {
            assert!(host_is_loopback(ok), "{ok}");
        }
        for bad in [
            "",
            "evil.example",
            "evil.example:8545",
            "127.0.0.1.evil.example",
            "localhost.evil.example:1",
            "10.0.0.1:8545",
            "0.0.0.0:8545",
            "[::2]:1",
            "[::1]x",
            "127.0.0.1:",
            "127.0.0.1:x",
        ] {
            assert!(!host_is_loopback(bad), "{bad}");
        }
    }

    #[test]
    fn json_content_types() {
        assert!(is_json("application/json"));
        assert!(is_json("application/json; charset=utf-8"));
        assert!(is_json("Application/JSON"));
        assert!(!is_json("text/plain"));
        assert!(!is_json("application/x-www-form-urlencoded"));
        assert!(!is_json(""));
    }
}
