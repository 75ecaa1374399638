//! JSON-RPC 2.0 framing: request parsing, response objects, and the devnet's error codes.
//!
//! The official clients retry errors -32603, -32005, -32007, -1 and 429 (protocol.md §1), so a
//! refusal never uses them: a retried refusal would only fail again, and a retried send
//! could run twice. The codes the devnet answers with:
//!
//! | code | meaning |
//! |---|---|
//! | -32700 | the body is not JSON |
//! | -32600 | not a JSON-RPC 2.0 request object |
//! | -32601 | unknown method |
//! | -32602 | params of the wrong shape, or values the method cannot take (wrong chain, unknown account, invalid permission set, op not prepared here) |
//! | -32010 | a session permission forbids the operation (allowance, allow-list, expiry, revocation); the message names the permission and the numbers |
//! | -32011 | a signature does not recover to the key that must have signed |
//! | -32012 | unknown session id (or a session of another account) |
//! | -32013 | the operation's nonce is not the EntryPoint's current nonce for its key (stale or replayed) |
//! | -32014 | the account cannot pay for the operation (value plus maximum gas cost) |
//! | -32015 | the node underneath failed; nothing was executed |
//! | 5730 | unknown call id (`wallet_getCallsStatus`, EIP-5792) |

use serde_json::{Value, json};

pub const PARSE_ERROR: i64 = -32700;
pub const INVALID_REQUEST: i64 = -32600;
pub const METHOD_NOT_FOUND: i64 = -32601;
pub const INVALID_PARAMS: i64 = -32602;
pub const PERMISSION_DENIED: i64 = -32010;
pub const BAD_SIGNATURE: i64 = -32011;
pub const UNKNOWN_SESSION: i64 = -32012;
pub const NONCE_MISMATCH: i64 = -32013;
pub const INSUFFICIENT_FUNDS: i64 = -32014;
pub const NODE_FAILED: i64 = -32015;
pub const UNKNOWN_CALL_ID: i64 = 5730;

/// An error answer: code and message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RpcFailure {
    pub code: i64,
    pub message: String,
}

impl RpcFailure {
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }
}

/// Implemented by every error that can answer a JSON-RPC request.
pub trait RpcCode: std::fmt::Display {
    /// The JSON-RPC error code (see the module table).
    fn rpc_code(&self) -> i64;

    /// Code and message.
    fn to_failure(&self) -> RpcFailure {
        RpcFailure::new(self.rpc_code(), self.to_string())
    }
}

/// A request after the envelope was checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    /// `id`; `None` for a notification.
    pub id: Option<Value>,
    pub method: String,
    /// `params`, `[]` when absent.
    pub params: Value,
}

/// Checks the envelope of one request object. On failure returns the id to answer with
/// (null when it cannot be read) and the error.
pub fn parse_request(v: &Value) -> Result<Request, (Value, RpcFailure)> {
    let Value::Object(m) = v else {
        return Err((Value::Null, RpcFailure::new(INVALID_REQUEST, "a JSON-RPC request must be an object")));
    };
    let id = match m.get("id") {
        None => None,
        Some(id @ (Value::Null | Value::Number(_) | Value::String(_))) => Some(id.clone()),
        Some(_) => {
            return Err((Value::Null, RpcFailure::new(INVALID_REQUEST, "`id` must be a string, a number or null")));
        }
    };
    let answer_id = id.clone().unwrap_or(Value::Null);
    if m.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return Err((answer_id, RpcFailure::new(INVALID_REQUEST, "`jsonrpc` must be \"2.0\"")));
    }
    let Some(method) = m.get("method").and_then(Value::as_str) else {
        return Err((answer_id, RpcFailure::new(INVALID_REQUEST, "`method` must be a string")));
    };
    let params = match m.get("params") {
        None => Value::Array(Vec::new()),
        Some(p @ (Value::Array(_) | Value::Object(_))) => p.clone(),
        Some(_) => {
            return Err((answer_id, RpcFailure::new(INVALID_REQUEST, "`params` must be an array or an object")));
        }
    };
    Ok(Request { id, method: method.to_owned(), params })
}

/// A success response.
pub fn success(id: Value, result: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "result": result})
}

/// An error response.
pub fn failure(id: Value, f: &RpcFailure) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": f.code, "message": f.message}})
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn envelope_errors_name_the_field_and_keep_the_id() {
        let (id, f) = parse_request(&json!({"jsonrpc": "1.0", "id": 7, "method": "x"})).unwrap_err();
        assert_eq!((id, f.code), (json!(7), INVALID_REQUEST));
        assert!(f.message.contains("jsonrpc"));
        let (_, f) = parse_request(&json!({"jsonrpc": "2.0", "id": 1, "method": 5})).unwrap_err();
        assert!(f.message.contains("method"));
        let (_, f) = parse_request(&json!({"jsonrpc": "2.0", "id": 1, "method": "m", "params": 3})).unwrap_err();
        assert!(f.message.contains("params"));
        let (_, f) = parse_request(&json!({"jsonrpc": "2.0", "id": [1], "method": "m"})).unwrap_err();
        assert!(f.message.contains("id"));
        let r = parse_request(&json!({"jsonrpc": "2.0", "id": "a", "method": "m"})).unwrap();
        assert_eq!((r.id, r.method, r.params), (Some(json!("a")), "m".into(), json!([])));
    }

    #[test]
    fn refusal_codes_avoid_the_ones_clients_retry() {
        let retried = [-32603, -32005, -32007, -1, 429];
        for code in [
            PARSE_ERROR,
            INVALID_REQUEST,
            METHOD_NOT_FOUND,
            INVALID_PARAMS,
            PERMISSION_DENIED,
            BAD_SIGNATURE,
            UNKNOWN_SESSION,
            NONCE_MISMATCH,
            INSUFFICIENT_FUNDS,
            NODE_FAILED,
            UNKNOWN_CALL_ID,
        ] {
            assert!(!retried.contains(&code), "{code}");
        }
    }
}
