//! JSON-RPC 2.0 framing: request parsing, response objects, and the devnet's error codes.
//!
//! Refusals use the codes a Wallets API endpoint answers with: JSON-RPC's own, and for an
//! operation the ERC-7769 codes of the bundler behind it, with the EntryPoint's `AAxx`
//! reason first in the message (then the numbers a person needs) and the account's revert
//! data in `data` (see `methods::error` for which refusal answers what):
//!
//! | code | meaning |
//! |---|---|
//! | -32700 | the body is not JSON |
//! | -32600 | not a JSON-RPC 2.0 request object |
//! | -32601 | unknown method, or a method the URL does not serve (chain methods on the wallet URL, wallet methods on the node URL) |
//! | -32602 | params of the wrong shape, or values the method cannot take (wrong chain, unknown account or session, unknown gas policy, invalid permission set, op not prepared here) |
//! | -32500 | the EntryPoint's validation refused the operation: `AA21 didn't pay prefund`, `AA23 reverted` (data: the account's revert), `AA25 invalid account nonce` |
//! | -32501 | the paymaster refused (data: `{paymaster}`) |
//! | -32503 | `AA22 expired or not due`: the session's time range (data: `{validUntil, validAfter, paymaster}`) |
//! | -32507 | `AA24 signature error`: the operation's signature |
//! | -32521 | `execution reverted`: the calls would revert (data: the account's revert) |
//! | -32603 | the node underneath failed; nothing was executed |
//! | 5730 | unknown call id (`wallet_getCallsStatus`, EIP-5792) |
//!
//! -32603 is the one code the official clients retry (-32603, -32005, -32007, -1, 429): it
//! is answered only when nothing ran, so a retry is safe; no refusal uses it.

use serde_json::{Value, json};

pub const PARSE_ERROR: i64 = -32700;
pub const INVALID_REQUEST: i64 = -32600;
pub const METHOD_NOT_FOUND: i64 = -32601;
pub const INVALID_PARAMS: i64 = -32602;
pub const VALIDATION_REJECTED: i64 = -32500;
pub const PAYMASTER_REJECTED: i64 = -32501;
pub const OUT_OF_TIME_RANGE: i64 = -32503;
pub const SIGNATURE_FAILED: i64 = -32507;
pub const EXECUTION_REVERTED: i64 = -32521;
pub const INTERNAL_ERROR: i64 = -32603;
pub const UNKNOWN_CALL_ID: i64 = 5730;

/// An error answer: code, message and optional data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RpcFailure {
    pub code: i64,
    pub message: String,
    pub data: Option<Box<Value>>,
}

impl RpcFailure {
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), data: None }
    }

    /// The same failure with `data`.
    pub fn with_data(mut self, data: Value) -> Self {
        self.data = Some(Box::new(data));
        self
    }
}

/// Implemented by every error that can answer a JSON-RPC request.
pub trait RpcCode: std::fmt::Display {
    /// The JSON-RPC error code (see the module table).
    fn rpc_code(&self) -> i64;

    /// The error's `data`, if it has any.
    fn rpc_data(&self) -> Option<Value> {
        None
    }

    /// Code, message and data.
    fn to_failure(&self) -> RpcFailure {
        RpcFailure { code: self.rpc_code(), message: self.to_string(), data: self.rpc_data().map(Box::new) }
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
    let mut error = json!({"code": f.code, "message": f.message});
    if let Some(data) = &f.data {
        error["data"] = (**data).clone();
    }
    json!({"jsonrpc": "2.0", "id": id, "error": error})
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
            VALIDATION_REJECTED,
            PAYMASTER_REJECTED,
            OUT_OF_TIME_RANGE,
            SIGNATURE_FAILED,
            EXECUTION_REVERTED,
            UNKNOWN_CALL_ID,
        ] {
            assert!(!retried.contains(&code), "{code}");
        }
    }

    #[test]
    fn data_is_answered_only_when_present() {
        let plain = failure(json!(1), &RpcFailure::new(INVALID_PARAMS, "x"));
        assert!(plain["error"].get("data").is_none(), "{plain}");
        let with =
            failure(json!(1), &RpcFailure::new(EXECUTION_REVERTED, "execution reverted").with_data(json!("0x12")));
        assert_eq!(with["error"], json!({"code": -32521, "message": "execution reverted", "data": "0x12"}));
    }
}
