//! The JSON-RPC 2.0 envelope: the request body, and checking that a response body is a
//! well-formed answer to that request (version, id, exactly one of `result`/`error`).
//!
//! Batches are left out: Warden sends single requests, as the official client does.

use serde::Serialize;
use serde_json::{Map, Value};

/// Longest JSON-RPC error `message` kept, in characters.
const MAX_MESSAGE_CHARS: usize = 512;
/// Longest JSON-RPC error `data` kept (as compact JSON), in characters: room for the
/// revert data a bundler's refusal carries (a module's error wrapped by the account, with
/// its own reason string), which the refusal classifier decodes.
const MAX_DATA_CHARS: usize = 4096;

#[derive(Serialize)]
struct Request<'a> {
    jsonrpc: &'static str,
    id: u64,
    method: &'a str,
    params: &'a Value,
}

/// The body of one request. `params` must already be a JSON array.
pub(super) fn request_body(id: u64, method: &str, params: &Value) -> Result<Vec<u8>, String> {
    serde_json::to_vec(&Request { jsonrpc: "2.0", id, method, params }).map_err(|e| e.to_string())
}

/// A JSON-RPC error object, with `message` and `data` already truncated.
#[derive(Debug, PartialEq)]
pub(super) struct ErrorObject {
    pub code: i64,
    pub message: String,
    pub data: Option<String>,
}

/// A well-formed answer: the `result` value or the `error` object.
#[derive(Debug, PartialEq)]
pub(super) enum Answer {
    Result(Value),
    Error(ErrorObject),
}

/// Checks `body` as the response to request `id`. The `Err` is a short reason that never
/// quotes the body.
///
/// An error answer may carry `"id": null`: JSON-RPC 2.0 requires that when the server
/// could not read the request's id (parse error, invalid request).
pub(super) fn parse_response(body: &[u8], id: u64) -> Result<Answer, String> {
    let value: Value = serde_json::from_slice(body).map_err(|e| format!("not JSON ({e})"))?;
    let Value::Object(mut object) = value else {
        return Err(format!("expected a JSON object, got {}", kind(&value)));
    };
    if object.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return Err("\"jsonrpc\" is missing or not \"2.0\"".into());
    }
    let result = object.remove("result");
    let error = object.remove("error");
    match object.get("id") {
        Some(Value::Number(n)) if n.as_u64() == Some(id) => {}
        Some(Value::Null) if error.is_some() => {}
        Some(Value::Number(n)) => return Err(format!("id mismatch: sent {id}, got {n}")),
        Some(other) => return Err(format!("id mismatch: sent {id}, got {}", kind(other))),
        None => return Err("\"id\" is missing".into()),
    }
    match (result, error) {
        (Some(result), None) => Ok(Answer::Result(result)),
        (None, Some(Value::Object(error))) => error_object(error).map(Answer::Error),
        (None, Some(other)) => Err(format!("\"error\" is {}, not an object", kind(&other))),
        (Some(_), Some(_)) => Err("both \"result\" and \"error\" are present".into()),
        (None, None) => Err("neither \"result\" nor \"error\" is present".into()),
    }
}

fn error_object(mut error: Map<String, Value>) -> Result<ErrorObject, String> {
    let code = error.get("code").and_then(Value::as_i64).ok_or("the error object has no integer \"code\"")?;
    let message = match error.get("message") {
        Some(Value::String(m)) => truncate(m, MAX_MESSAGE_CHARS),
        _ => return Err("the error object has no string \"message\"".into()),
    };
    let data = error.remove("data").map(|d| truncate(&d.to_string(), MAX_DATA_CHARS));
    Ok(ErrorObject { code, message, data })
}

/// The name of a JSON value's type, for reasons that must not quote the value.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// `text` cut to at most `max` characters, marked with `…` when cut.
pub(super) fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    fn parse(v: Value, id: u64) -> Result<Answer, String> {
        parse_response(v.to_string().as_bytes(), id)
    }

    #[test]
    fn request_body_is_a_jsonrpc_2_request() {
        let body = request_body(7, "wallet_getCallsStatus", &json!(["0x01"])).unwrap();
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v, json!({"jsonrpc": "2.0", "id": 7, "method": "wallet_getCallsStatus", "params": ["0x01"]}));
    }

    #[test]
    fn result_and_null_result_are_answers() {
        assert_eq!(
            parse(json!({"jsonrpc": "2.0", "id": 3, "result": {"a": 1}}), 3).unwrap(),
            Answer::Result(json!({"a": 1}))
        );
        assert_eq!(parse(json!({"jsonrpc": "2.0", "id": 3, "result": null}), 3).unwrap(), Answer::Result(Value::Null));
    }

    #[test]
    fn error_objects_keep_code_message_and_truncated_data() {
        let long = "x".repeat(5000);
        let answer = parse(
            json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32700, "message": long, "data": {"d": long}}}),
            1,
        )
        .unwrap();
        let Answer::Error(e) = answer else { panic!("not an error") };
        assert_eq!(e.code, -32700);
        assert_eq!(e.message.chars().count(), MAX_MESSAGE_CHARS + 1);
        assert_eq!(e.data.unwrap().chars().count(), MAX_DATA_CHARS + 1);
    }

    #[test]
    fn malformed_envelopes_are_refused_with_a_reason() {
        let cases = [
            (json!([]), "expected a JSON object"),
            (json!({"id": 1, "result": 1}), "jsonrpc"),
            (json!({"jsonrpc": "1.0", "id": 1, "result": 1}), "jsonrpc"),
            (json!({"jsonrpc": "2.0", "id": 2, "result": 1}), "id mismatch: sent 1, got 2"),
            (json!({"jsonrpc": "2.0", "id": "1", "result": 1}), "id mismatch"),
            (json!({"jsonrpc": "2.0", "id": null, "result": 1}), "id mismatch"),
            (json!({"jsonrpc": "2.0", "result": 1}), "\"id\" is missing"),
            (json!({"jsonrpc": "2.0", "id": 1}), "neither"),
            (json!({"jsonrpc": "2.0", "id": 1, "result": 1, "error": {"code": 1, "message": "m"}}), "both"),
            (json!({"jsonrpc": "2.0", "id": 1, "error": "boom"}), "not an object"),
            (json!({"jsonrpc": "2.0", "id": 1, "error": {"message": "m"}}), "code"),
            (json!({"jsonrpc": "2.0", "id": 1, "error": {"code": 1}}), "message"),
        ];
        for (body, needle) in cases {
            let reason = parse(body.clone(), 1).unwrap_err();
            assert!(reason.contains(needle), "{body}: {reason}");
        }
        let reason = parse_response(b"<html>secret page</html>", 1).unwrap_err();
        assert!(reason.starts_with("not JSON"), "{reason}");
        assert!(!reason.contains("secret"), "{reason}");
    }

    #[test]
    fn truncate_respects_char_boundaries() {
        assert_eq!(truncate("héllo", 2), "hé…");
        assert_eq!(truncate("hé", 2), "hé");
    }
}
