//! Ties each `wallet_*` method name to its params and result types, and to how its params
//! sit in the JSON-RPC `params` array (protocol.md §1).
//!
//! Every method takes `[params]` except `wallet_getCapabilities`, whose params type is the
//! whole positional array. A client uses [`RpcMethod::params_json`] and
//! [`RpcMethod::parse_result`]; a server the inverse pair.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{
    ApiError, CallId, CreateSessionParams, CreateSessionResult, FormatSignParams, FormatSignResult,
    GetCallsStatusResult, GetCapabilitiesParams, GetCapabilitiesResult, ListAccountsParams, ListAccountsResult,
    PrepareCallsParams, PrepareCallsResult, PrepareSignParams, PrepareSignResult, RequestAccountParams,
    RequestAccountResult, SendPreparedCallsParams, SendPreparedCallsResult, json_kind,
};

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

/// A Wallets API method: its name, whether it may be retried, and the types of its params
/// and result. Declaring the kind once per method keeps call sites from choosing it wrongly.
pub trait RpcMethod {
    /// The JSON-RPC `method` string.
    const NAME: &'static str;
    /// Whether the call may be repeated automatically.
    const KIND: CallKind;
    /// The params (for all methods but `wallet_getCapabilities`, the single element of the
    /// `params` array).
    type Params: Serialize + DeserializeOwned + std::fmt::Debug;
    /// The `result`.
    type Result: Serialize + DeserializeOwned + std::fmt::Debug;

    /// The JSON-RPC `params` array.
    fn params_json(params: &Self::Params) -> Result<Value, ApiError> {
        Ok(Value::Array(vec![to_json(Self::NAME, params)?]))
    }

    /// Parses a JSON-RPC `params` array.
    fn parse_params(params: Value) -> Result<Self::Params, ApiError> {
        let method = Self::NAME;
        let element = match params {
            Value::Array(items) => match <[Value; 1]>::try_from(items) {
                Ok([element]) => element,
                Err(items) => return Err(ApiError::ParamsLength { method, expected: "1", got: items.len() }),
            },
            other => return Err(ApiError::ParamsNotArray { method, got: json_kind(&other) }),
        };
        from_json(element).map_err(|(path, source)| ApiError::InvalidParams { method, path, source })
    }

    /// The JSON-RPC `result`.
    fn result_json(result: &Self::Result) -> Result<Value, ApiError> {
        to_json(Self::NAME, result)
    }

    /// Parses a JSON-RPC `result`.
    fn parse_result(result: Value) -> Result<Self::Result, ApiError> {
        from_json(result).map_err(|(path, source)| ApiError::InvalidResult { method: Self::NAME, path, source })
    }
}

/// Deserializes, keeping the path to the value that failed. The path stops where a union
/// is decided (serde buffers the value there); below that, serde's message alone says what
/// is wrong (the missing or unknown field, or the bad value).
fn from_json<T: DeserializeOwned>(v: Value) -> Result<T, (String, serde_json::Error)> {
    serde_path_to_error::deserialize(v).map_err(|e| {
        let path = e.path().to_string();
        (if path == "." { String::new() } else { path }, e.into_inner())
    })
}

fn to_json(method: &'static str, v: &impl Serialize) -> Result<Value, ApiError> {
    serde_json::to_value(v).map_err(|source| ApiError::Serialize { method, source })
}

/// `wallet_requestAccount`.
#[derive(Clone, Copy, Debug)]
pub struct RequestAccount;
impl RpcMethod for RequestAccount {
    const NAME: &'static str = "wallet_requestAccount";
    const KIND: CallKind = CallKind::Read;
    type Params = RequestAccountParams;
    type Result = RequestAccountResult;
}

/// `wallet_listAccounts`.
#[derive(Clone, Copy, Debug)]
pub struct ListAccounts;
impl RpcMethod for ListAccounts {
    const NAME: &'static str = "wallet_listAccounts";
    const KIND: CallKind = CallKind::Read;
    type Params = ListAccountsParams;
    type Result = ListAccountsResult;
}

/// `wallet_createSession`.
#[derive(Clone, Copy, Debug)]
pub struct CreateSession;
impl RpcMethod for CreateSession {
    const NAME: &'static str = "wallet_createSession";
    // A repeated createSession only leaves an unused session behind, but it is not a read.
    const KIND: CallKind = CallKind::Send;
    type Params = CreateSessionParams;
    type Result = CreateSessionResult;
}

/// `wallet_prepareCalls`.
#[derive(Clone, Copy, Debug)]
pub struct PrepareCalls;
impl RpcMethod for PrepareCalls {
    const NAME: &'static str = "wallet_prepareCalls";
    const KIND: CallKind = CallKind::Read;
    type Params = PrepareCallsParams;
    type Result = PrepareCallsResult;
}

/// `wallet_sendPreparedCalls`.
#[derive(Clone, Copy, Debug)]
pub struct SendPreparedCalls;
impl RpcMethod for SendPreparedCalls {
    const NAME: &'static str = "wallet_sendPreparedCalls";
    const KIND: CallKind = CallKind::Send;
    type Params = SendPreparedCallsParams;
    type Result = SendPreparedCallsResult;
}

/// `wallet_getCallsStatus` (`params` = `[callId]`).
#[derive(Clone, Copy, Debug)]
pub struct GetCallsStatus;
impl RpcMethod for GetCallsStatus {
    const NAME: &'static str = "wallet_getCallsStatus";
    const KIND: CallKind = CallKind::Read;
    type Params = CallId;
    type Result = GetCallsStatusResult;
}

/// `wallet_getCapabilities` (positional `params`).
#[derive(Clone, Copy, Debug)]
pub struct GetCapabilities;
impl RpcMethod for GetCapabilities {
    const NAME: &'static str = "wallet_getCapabilities";
    const KIND: CallKind = CallKind::Read;
    type Params = GetCapabilitiesParams;
    type Result = GetCapabilitiesResult;

    fn params_json(params: &Self::Params) -> Result<Value, ApiError> {
        to_json(Self::NAME, params)
    }

    fn parse_params(params: Value) -> Result<Self::Params, ApiError> {
        if !params.is_array() {
            return Err(ApiError::ParamsNotArray { method: Self::NAME, got: json_kind(&params) });
        }
        from_json(params).map_err(|(path, source)| ApiError::InvalidParams { method: Self::NAME, path, source })
    }
}

/// `wallet_prepareSign`.
#[derive(Clone, Copy, Debug)]
pub struct PrepareSign;
impl RpcMethod for PrepareSign {
    const NAME: &'static str = "wallet_prepareSign";
    const KIND: CallKind = CallKind::Read;
    type Params = PrepareSignParams;
    type Result = PrepareSignResult;
}

/// `wallet_formatSign`.
#[derive(Clone, Copy, Debug)]
pub struct FormatSign;
impl RpcMethod for FormatSign {
    const NAME: &'static str = "wallet_formatSign";
    const KIND: CallKind = CallKind::Read;
    type Params = FormatSignParams;
    type Result = FormatSignResult;
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::{Coded, ErrorCode};
    use serde_json::json;

    #[test]
    fn params_array_shape_is_checked() {
        let err = GetCallsStatus::parse_params(json!("0x01")).unwrap_err();
        assert!(matches!(err, ApiError::ParamsNotArray { got: "a string", .. }), "{err}");
        assert_eq!(err.code(), ErrorCode::InvalidInput);
        let err = GetCallsStatus::parse_params(json!(["0x01", "0x02"])).unwrap_err();
        assert!(matches!(err, ApiError::ParamsLength { got: 2, .. }), "{err}");
        let err = GetCallsStatus::parse_params(json!([])).unwrap_err();
        assert!(matches!(err, ApiError::ParamsLength { got: 0, .. }), "{err}");
        let id = GetCallsStatus::parse_params(json!(["0x0102"])).unwrap();
        assert_eq!(GetCallsStatus::params_json(&id).unwrap(), json!(["0x0102"]));
        let err = GetCapabilities::parse_params(json!({})).unwrap_err();
        assert!(matches!(err, ApiError::ParamsNotArray { got: "an object", .. }), "{err}");
    }

    #[test]
    fn bad_results_are_bad_responses_naming_the_method() {
        let err = GetCallsStatus::parse_result(json!({"id": "0x01"})).unwrap_err();
        assert_eq!(err.code(), ErrorCode::BadResponse);
        assert!(err.to_string().starts_with("wallet_getCallsStatus result: missing field"), "{err}");
    }
}
