//! The HTTP side: one `POST /` endpoint speaking JSON-RPC 2.0 (single requests and batches).
//!
//! `eth_*`, `net_*` and `web3_*` requests are forwarded to the node untouched, so one URL
//! serves the whole chain; `wallet_*` and `devnet_*` are answered by [`crate::methods`];
//! anything else is -32601. A body that is not JSON is -32700, and no input can panic the
//! server: every failure is an error object.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::Value;

use crate::methods::{self, Emulator};
use crate::rpc::{self, NODE_FAILED, PARSE_ERROR, RpcFailure};

/// Prefixes of the methods forwarded to the node.
const PROXIED_PREFIXES: [&str; 3] = ["eth_", "net_", "web3_"];

/// The router serving `devnet`.
pub fn router(devnet: Arc<Emulator>) -> Router {
    Router::new().route("/", post(handle)).with_state(devnet)
}

fn json_response(v: &Value) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], v.to_string()).into_response()
}

async fn handle(State(devnet): State<Arc<Emulator>>, body: Bytes) -> Response {
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
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in &items {
                if let Some(r) = answer(&devnet, item).await {
                    out.push(r);
                }
            }
            if out.is_empty() { StatusCode::NO_CONTENT.into_response() } else { json_response(&Value::Array(out)) }
        }
        single => match answer(&devnet, &single).await {
            Some(r) => json_response(&r),
            None => StatusCode::NO_CONTENT.into_response(),
        },
    }
}

/// Answers one request object; `None` for a notification.
async fn answer(devnet: &Emulator, raw: &Value) -> Option<Value> {
    let req = match rpc::parse_request(raw) {
        Ok(r) => r,
        Err((id, f)) => return Some(rpc::failure(id, &f)),
    };
    if PROXIED_PREFIXES.iter().any(|p| req.method.starts_with(p)) {
        let resp = devnet.node().forward(raw).await;
        let id = req.id?;
        return Some(match resp {
            Ok(v) => v,
            Err(e) => rpc::failure(id, &RpcFailure::new(NODE_FAILED, e.to_string())),
        });
    }
    let outcome = methods::dispatch(devnet, &req.method, req.params).await;
    let id = req.id?;
    Some(match outcome {
        Ok(result) => rpc::success(id, result),
        Err(f) => {
            tracing::debug!(method = %req.method, code = f.code, "refused: {}", f.message);
            rpc::failure(id, &f)
        }
    })
}
