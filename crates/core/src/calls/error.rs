//! Why a call did not go through, with endpoint refusals told apart.
//!
//! A Wallets API endpoint refuses calls the way the bundler behind it does (ERC-7769):
//!
//! | code | meaning | classified as |
//! |---|---|---|
//! | -32500 `AA2x …` | the EntryPoint's validation failed: AA21 prefund, AA23 the account reverted, AA25 nonce | by the AA code and the revert data |
//! | -32501 | the paymaster (gas policy) refused | endpoint refusal |
//! | -32503 | out of the validity time range (AA22: the session expired) | expired |
//! | -32507 | a signature check failed (AA24) | refused signature |
//! | -32521 | the calls would revert; `data` carries the revert data | by the revert data |
//! | -32602 | invalid params (unknown session, wrong chain, unknown policy, …) | unknown session or bad input |
//! | 5730 | unknown call id (EIP-5792) | unknown call id |
//!
//! The revert data (a hex string in `error.data`, or under `revertData`/`data` in an
//! object, as bundlers differ) is decoded with [`crate::mav2::reverts`]: which MAv2 module
//! refused names the limit (`ExceededNativeTokenLimit` from an execution hook is the native
//! allowance, from a validation hook the gas limit; `ExceededTokenLimit` an ERC-20 limit;
//! `AddressNotAllowed`/`SelectorNotAllowed` the allow-list; `ValidationFunctionMissing` an
//! account function, or for the execution functions a validation that was uninstalled).
//! Where code and data say nothing the message's words decide ("expired", "allowance",
//! "not allowed", …). A refusal keeps the endpoint's message; a permission refusal also
//! names the limit it hit (and the token, when the message names one).
//!
//! AA25 at send means another operation took the nonce (prepare again). At prepare the
//! endpoint chose the nonce itself, so for a session AA25 means the nonce its grant signed
//! was consumed: the owner cancelled the grant (`crate::calls::prepare` says so).
//!
//! Left out: retrying. A refusal is final for the call that was asked for; an operation
//! whose send failed in transit has an unknown outcome ([`CallsError::OutcomeUnknown`]) and
//! must be looked up with `wallet_getCallsStatus`, never sent again blindly.

use std::time::Duration;

use alloy_primitives::{Address, Bytes};

use crate::api::CallStatus;
use crate::error::{Coded, ErrorCode};
use crate::mav2::reverts::{AccountRevert, Limit};
use crate::rpc::RpcError;
use crate::signing::{SigningError, VerifyPreparedError};

use super::CallOutcome;

/// ERC-7769 bundler error codes, JSON-RPC's invalid params and EIP-5792's unknown call id.
mod rpc_codes {
    pub const METHOD_NOT_FOUND: i64 = -32601;
    pub const INVALID_PARAMS: i64 = -32602;
    pub const PAYMASTER_REJECTED: i64 = -32501;
    pub const OUT_OF_TIME_RANGE: i64 = -32503;
    pub const SIGNATURE_FAILED: i64 = -32507;
    pub const UNKNOWN_CALL_ID: i64 = 5730;
}

/// The step of the pipeline an endpoint error answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Stage {
    /// `wallet_prepareCalls`.
    Prepare,
    /// `wallet_sendPreparedCalls`.
    Send,
    /// `wallet_getCallsStatus`.
    Status,
}

impl std::fmt::Display for Stage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Prepare => "wallet_prepareCalls",
            Self::Send => "wallet_sendPreparedCalls",
            Self::Status => "wallet_getCallsStatus",
        })
    }
}

/// Why a call was not made, or did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum CallsError {
    /// The request cannot be made as given (nothing was sent that could spend).
    #[error("bad input: {reason}")]
    BadInput {
        /// What is wrong, as Warden or the endpoint put it.
        reason: String,
    },
    /// A session permission forbids the calls; nothing was executed.
    #[error(
        "refused by the endpoint at {stage}: the session's {limit} permission{} does not allow this: {message}",
        token.map(|t| format!(" (token {t})")).unwrap_or_default()
    )]
    PermissionDenied {
        stage: Stage,
        /// The limit hit, as a permission type (`native-token-transfer`, `erc20-token-transfer`,
        /// `gas-limit`, `account-functions`), `allow-list` for a target or function outside
        /// the contract permissions, or `unknown` when the endpoint does not say.
        limit: &'static str,
        /// For an ERC-20 limit, the token, when the endpoint's message names it.
        token: Option<Address>,
        /// The endpoint's message.
        message: String,
    },
    /// The session's expiry has passed (by the chain's clock).
    #[error("refused by the endpoint at {stage}: the session has expired: {message}")]
    SessionExpired { stage: Stage, message: String },
    /// The owner revoked the session (uninstalled it, or consumed its grant's nonce).
    #[error("refused by the endpoint at {stage}: the session was revoked: {message}")]
    SessionRevoked { stage: Stage, message: String },
    /// The endpoint does not know the session (or it belongs to another account).
    #[error("refused by the endpoint at {stage}: unknown session: {message}")]
    UnknownSession { stage: Stage, message: String },
    /// The endpoint refused a signature: the grant's or the operation's.
    #[error("refused by the endpoint at {stage}: bad signature: {message}")]
    SignatureRefused { stage: Stage, message: String },
    /// The operation's nonce was already used (another operation went first); preparing
    /// again gives a fresh one. Nothing was executed.
    #[error("refused by the endpoint at {stage}: nonce already used: {message}")]
    NonceConflict { stage: Stage, message: String },
    /// The account cannot pay for the operation.
    #[error("refused by the endpoint at {stage}: insufficient funds: {message}")]
    InsufficientFunds { stage: Stage, message: String },
    /// The endpoint refused, failed or could not be reached, for another reason.
    #[error("{source}")]
    Endpoint {
        stage: Stage,
        #[source]
        source: Box<RpcError>,
    },
    /// The prepared call is not what was asked for; nothing was signed.
    #[error(transparent)]
    Verification(#[from] VerifyPreparedError),
    /// The key could not sign.
    #[error("signing: {0}")]
    Signing(#[from] SigningError),
    /// The send failed in transit: the endpoint may or may not have the operation. Look it
    /// up before sending anything again.
    #[error(
        "wallet_sendPreparedCalls: the outcome is unknown (user operation {user_op_hash}): {source}; check with wallet_getCallsStatus before sending again"
    )]
    OutcomeUnknown {
        /// The hash of the signed operation (the devnet's and Alchemy's call id end with it).
        user_op_hash: String,
        #[source]
        source: Box<RpcError>,
    },
    /// The calls were included but reverted, or were dropped (status 400, 500, 600, …).
    #[error("call {} failed: status {}{}", outcome.call_id, outcome.status, outcome.revert_reason.as_ref().map(|r| format!(": {r}")).unwrap_or_default())]
    Failed {
        /// What the endpoint reported, receipts and revert reason included.
        outcome: Box<CallOutcome>,
    },
    /// The call did not reach a final status in time; it may still land.
    #[error("call {call_id} is still {last_status} after {} s; check again with wallet_getCallsStatus", waited.as_secs())]
    Timeout { call_id: Bytes, last_status: CallStatus, waited: Duration },
    /// The endpoint does not know this call id.
    #[error("unknown call id {call_id}: {message}")]
    UnknownCallId { call_id: Bytes, message: String },
    /// A gas policy was asked to sponsor the calls and the prepared answer says it does
    /// not: the account would pay. Nothing was signed.
    #[error(
        "the gas policy {policy} does not sponsor these calls (the prepared answer's feePayment.sponsored is false): the account would pay up to {max_cost} wei in gas; nothing was signed — check the policy, or agree to pay from the account"
    )]
    NotSponsored {
        /// The policy asked for.
        policy: String,
        /// The most the account would pay in gas, in wei.
        max_cost: alloy_primitives::U256,
    },
}

impl Coded for CallsError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::BadInput { .. } => ErrorCode::InvalidInput,
            Self::PermissionDenied { .. } | Self::InsufficientFunds { .. } => ErrorCode::PermissionDenied,
            Self::SessionExpired { .. } => ErrorCode::SessionExpired,
            Self::SessionRevoked { .. } => ErrorCode::SessionRevoked,
            Self::UnknownSession { .. } => ErrorCode::UnknownSession,
            Self::SignatureRefused { .. } => ErrorCode::BadSignature,
            Self::NonceConflict { .. } => ErrorCode::RpcError,
            Self::Endpoint { source, .. } => source.code(),
            Self::Verification(e) => e.code(),
            Self::Signing(e) => e.code(),
            Self::OutcomeUnknown { .. } => ErrorCode::OutcomeUnknown,
            Self::Failed { .. } => ErrorCode::CallFailed,
            Self::Timeout { .. } => ErrorCode::CallTimeout,
            Self::UnknownCallId { .. } => ErrorCode::InvalidInput,
            Self::NotSponsored { .. } => ErrorCode::NotSponsored,
        }
    }
}

impl CallsError {
    /// Classifies an endpoint error answering `stage` (see the module docs).
    pub fn from_endpoint(stage: Stage, source: RpcError) -> Self {
        let RpcError::Rpc { code, message, data, .. } = &source else {
            return match source {
                RpcError::Params { .. } | RpcError::InvalidEndpoint { .. } | RpcError::InvalidApiKey { .. } => {
                    Self::BadInput { reason: source.to_string() }
                }
                source => Self::Endpoint { stage, source: Box::new(source) },
            };
        };
        let code = *code;
        let message = message.clone();
        let lower = message.to_ascii_lowercase();
        let revert = data.as_deref().and_then(revert_data).map(|d| AccountRevert::decode(&d));
        if let Some(refusal) = revert.as_ref().and_then(|r| refusal_of_revert(stage, r, &message)) {
            return refusal;
        }
        let aa = aa_code(&lower);
        match (code, aa) {
            (rpc_codes::OUT_OF_TIME_RANGE, _) | (_, Some(22)) => Self::SessionExpired { stage, message },
            (rpc_codes::SIGNATURE_FAILED, _) | (_, Some(24)) => Self::SignatureRefused { stage, message },
            (_, Some(21)) => Self::InsufficientFunds { stage, message },
            (_, Some(25)) if lower.contains("revoked") => Self::SessionRevoked { stage, message },
            (_, Some(25)) => Self::NonceConflict { stage, message },
            (rpc_codes::INVALID_PARAMS, _) if names_unknown_session(&lower) => Self::UnknownSession { stage, message },
            (rpc_codes::INVALID_PARAMS, _) => Self::BadInput { reason: format!("{stage}: {message}") },
            (rpc_codes::PAYMASTER_REJECTED | rpc_codes::METHOD_NOT_FOUND, _) => {
                Self::Endpoint { stage, source: Box::new(source) }
            }
            _ => by_words(stage, message, &lower).unwrap_or_else(|| Self::Endpoint { stage, source: Box::new(source) }),
        }
    }

    /// Whether preparing the same calls again may succeed (another operation took the nonce).
    pub fn is_nonce_conflict(&self) -> bool {
        matches!(self, Self::NonceConflict { .. })
    }

    /// Whether the endpoint refused the calls because of the session (permission, expiry,
    /// revocation, unknown session, refused signature).
    pub fn is_session_refusal(&self) -> bool {
        matches!(
            self,
            Self::PermissionDenied { .. }
                | Self::SessionExpired { .. }
                | Self::SessionRevoked { .. }
                | Self::UnknownSession { .. }
                | Self::SignatureRefused { .. }
        )
    }
}

/// The refusal a decoded revert names, if it names one.
fn refusal_of_revert(stage: Stage, revert: &AccountRevert, message: &str) -> Option<CallsError> {
    let message = message.to_owned();
    if let Some(limit) = revert.limit() {
        let token = (limit == Limit::Erc20TokenTransfer).then(|| token_named(&message)).flatten();
        return Some(CallsError::PermissionDenied { stage, limit: limit.as_str(), token, message });
    }
    match revert {
        r if r.is_validation_gone() => Some(CallsError::SessionRevoked { stage, message }),
        AccountRevert::DeferredActionNonceInvalid => Some(CallsError::SessionRevoked { stage, message }),
        AccountRevert::DeferredActionSignatureInvalid => Some(CallsError::SignatureRefused { stage, message }),
        _ => None,
    }
}

/// Revert bytes in an error's `data`: a hex string, or an object carrying one under
/// `revertData`, `revert_data` or `data` (bundlers differ).
fn revert_data(data: &str) -> Option<Bytes> {
    let value: serde_json::Value = serde_json::from_str(data).ok()?;
    let hex = match &value {
        serde_json::Value::String(s) => s.as_str(),
        serde_json::Value::Object(m) => {
            ["revertData", "revert_data", "data"].iter().find_map(|k| m.get(*k).and_then(serde_json::Value::as_str))?
        }
        _ => return None,
    };
    hex.parse::<Bytes>().ok().filter(|b| b.len() >= 4)
}

/// The EntryPoint's `AAxx` code at the start of a word in the message, if any.
fn aa_code(lower: &str) -> Option<u8> {
    let bytes = lower.as_bytes();
    (0..bytes.len().saturating_sub(3)).find_map(|i| {
        let at_word_start = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        let digits = &bytes[i + 2..i + 4];
        let word_ends = bytes.get(i + 4).is_none_or(|b| !b.is_ascii_alphanumeric());
        (at_word_start && &bytes[i..i + 2] == b"aa" && digits.iter().all(u8::is_ascii_digit) && word_ends)
            .then(|| (digits[0] - b'0') * 10 + (digits[1] - b'0'))
    })
}

/// The first `token 0x…` address a message names.
fn token_named(message: &str) -> Option<Address> {
    let lower = message.to_ascii_lowercase();
    let at = lower.find("token 0x")? + "token ".len();
    message.get(at..at + 42)?.parse().ok()
}

fn names_unknown_session(lower: &str) -> bool {
    lower.contains("unknown session") || (lower.contains("session") && lower.contains("not found"))
}

/// The human-text fallback: a refusal the message's words describe.
fn by_words(stage: Stage, message: String, lower: &str) -> Option<CallsError> {
    Some(if lower.contains("expired") || lower.contains("expiry") && lower.contains("passed") {
        CallsError::SessionExpired { stage, message }
    } else if lower.contains("revoked") || lower.contains("uninstalled") {
        CallsError::SessionRevoked { stage, message }
    } else if mentions_permission(lower) {
        CallsError::PermissionDenied { stage, limit: limit_named(lower), token: token_named(&message), message }
    } else if names_unknown_session(lower) {
        CallsError::UnknownSession { stage, message }
    } else if lower.contains("nonce") && (lower.contains("stale") || lower.contains("too low")) {
        CallsError::NonceConflict { stage, message }
    } else if lower.contains("insufficient funds") || lower.contains("didn't pay prefund") {
        CallsError::InsufficientFunds { stage, message }
    } else {
        return None;
    })
}

/// Words that say a permission refused the calls.
fn mentions_permission(lower: &str) -> bool {
    ["allowance", "exceeded", "not allowed", "not granted", "permission", "spend limit", "allowlist", "allow-list"]
        .iter()
        .any(|w| lower.contains(w))
}

/// The permission a refusal message is about, by its [`Limit`] name; `unknown` when the
/// message names none.
fn limit_named(lower: &str) -> &'static str {
    limit_in_message(lower).map_or("unknown", Limit::as_str)
}

/// The limit a refusal message names: a permission type's wire name in it first, then
/// looser words.
fn limit_in_message(lower: &str) -> Option<Limit> {
    const LIMITS: [Limit; 3] = [Limit::NativeTokenTransfer, Limit::Erc20TokenTransfer, Limit::GasLimit];
    if let Some(limit) = LIMITS.into_iter().find(|limit| lower.contains(limit.as_str())) {
        return Some(limit);
    }
    Some(if lower.contains("account function") {
        Limit::AccountFunctions
    } else if lower.contains("not allowed") || lower.contains("allowlist") || lower.contains("allow-list") {
        Limit::AllowList
    } else if lower.contains("erc20") || lower.contains("erc-20") {
        Limit::Erc20TokenTransfer
    } else if lower.contains("native") {
        Limit::NativeTokenTransfer
    } else if lower.contains("gas") {
        Limit::GasLimit
    } else {
        return None;
    })
}

/// Whether an error is the endpoint saying it does not know a call id, in any of the
/// forms endpoints use: EIP-5792's 5730, or any error (but "method not found") whose
/// message says the id is unknown or not found.
pub(super) fn is_unknown_call_id(error: &RpcError) -> bool {
    match error {
        RpcError::Rpc { code, message, .. } => {
            let lower = message.to_ascii_lowercase();
            *code == rpc_codes::UNKNOWN_CALL_ID
                || (*code != rpc_codes::METHOD_NOT_FOUND
                    && ["unknown call id", "unknown bundle", "not found", "unknown id"]
                        .iter()
                        .any(|w| lower.contains(w)))
        }
        _ => false,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::mav2::constants::{ALLOWLIST_MODULE, NATIVE_TOKEN_LIMIT_MODULE, SELECTOR_EXECUTE_BATCH};
    use crate::mav2::reverts::{ModuleEntity, ModuleRevert};
    use alloy_primitives::FixedBytes;

    fn rpc(code: i64, message: &str, data: Option<serde_json::Value>) -> RpcError {
        RpcError::Rpc {
            method: "m".into(),
            host: "h".into(),
            code,
            message: message.into(),
            data: data.map(|d| d.to_string()),
        }
    }

    fn classify(code: i64, message: &str) -> CallsError {
        CallsError::from_endpoint(Stage::Send, rpc(code, message, None))
    }

    fn with_revert(code: i64, message: &str, revert: &AccountRevert) -> CallsError {
        CallsError::from_endpoint(Stage::Prepare, rpc(code, message, Some(serde_json::json!(revert.encode()))))
    }

    /// The shapes a bundler in front of MAv2 answers with (and the devnet with them): the
    /// code and the revert data decide, whatever the message says.
    #[test]
    fn live_refusals_are_classified_by_code_and_revert_data() {
        let ntl = |entity| ModuleEntity::new(NATIVE_TOKEN_LIMIT_MODULE, entity);
        let allow = |entity| ModuleEntity::new(ALLOWLIST_MODULE, entity);
        let token: Address = "0x00000000000000000000000000000000000000aa".parse().unwrap();
        let cases = [
            (
                -32521,
                AccountRevert::PreExecHook { hook: ntl(1), reason: ModuleRevert::ExceededNativeTokenLimit },
                "native-token-transfer",
            ),
            (
                -32500,
                AccountRevert::PreUserOpValidationHook {
                    hook: ntl(0x8000_0000),
                    reason: ModuleRevert::ExceededNativeTokenLimit,
                },
                "gas-limit",
            ),
            (
                -32521,
                AccountRevert::PreExecHook { hook: allow(0x8000_0000), reason: ModuleRevert::ExceededTokenLimit },
                "erc20-token-transfer",
            ),
            (
                -32500,
                AccountRevert::PreUserOpValidationHook { hook: allow(1), reason: ModuleRevert::AddressNotAllowed },
                "allow-list",
            ),
            (
                -32500,
                AccountRevert::PreUserOpValidationHook { hook: allow(1), reason: ModuleRevert::SelectorNotAllowed },
                "allow-list",
            ),
            (
                -32500,
                AccountRevert::ValidationFunctionMissing { selector: FixedBytes([0x12, 0x34, 0x56, 0x78]) },
                "account-functions",
            ),
        ];
        for (code, revert, limit) in cases {
            // A bare message: only the data tells which limit.
            let e = with_revert(code, if code == -32500 { "AA23 reverted" } else { "execution reverted" }, &revert);
            assert!(matches!(e, CallsError::PermissionDenied { limit: l, .. } if l == limit), "{revert}: {e:?}");
            assert_eq!(e.code(), ErrorCode::PermissionDenied);
            assert!(e.to_string().contains(limit), "{e}");
        }
        // The token of an ERC-20 limit comes from the message when it names one.
        let e = with_revert(
            -32521,
            &format!(
                "execution reverted: erc20-token-transfer allowance of token {token} exceeded: requested 2, remaining 1"
            ),
            &AccountRevert::PreExecHook { hook: allow(0x8000_0000), reason: ModuleRevert::ExceededTokenLimit },
        );
        assert!(matches!(e, CallsError::PermissionDenied { token: Some(t), .. } if t == token), "{e:?}");
        assert!(e.to_string().contains(&format!("(token {token})")), "{e}");
        // The revert data may also sit in an object (Rundler's shape).
        let nested = rpc(
            -32521,
            "execution reverted",
            Some(
                serde_json::json!({"revertData": AccountRevert::PreExecHook { hook: ntl(1), reason: ModuleRevert::ExceededNativeTokenLimit }.encode()}),
            ),
        );
        let e = CallsError::from_endpoint(Stage::Prepare, nested);
        assert!(matches!(e, CallsError::PermissionDenied { limit: "native-token-transfer", .. }), "{e:?}");

        // An uninstalled validation no longer applies to executeBatch: revoked.
        let gone = AccountRevert::ValidationFunctionMissing { selector: FixedBytes(SELECTOR_EXECUTE_BATCH) };
        assert_eq!(with_revert(-32500, "AA23 reverted", &gone).code(), ErrorCode::SessionRevoked);
        let e = with_revert(-32500, "AA23 reverted", &AccountRevert::DeferredActionSignatureInvalid);
        assert_eq!(e.code(), ErrorCode::BadSignature);

        // The EntryPoint's AA codes and the ERC-7769 codes.
        let e = CallsError::from_endpoint(
            Stage::Prepare,
            rpc(
                -32503,
                "AA22 expired or not due",
                Some(serde_json::json!({"validUntil": "0x64", "validAfter": "0x0"})),
            ),
        );
        assert_eq!(e.code(), ErrorCode::SessionExpired);
        assert_eq!(classify(-32507, "AA24 signature error").code(), ErrorCode::BadSignature);
        assert_eq!(classify(-32500, "AA21 didn't pay prefund").code(), ErrorCode::PermissionDenied);
        assert!(matches!(classify(-32500, "AA21 didn't pay prefund"), CallsError::InsufficientFunds { .. }));
        assert!(classify(-32500, "AA25 invalid account nonce").is_nonce_conflict());
        assert_eq!(
            classify(-32500, "AA25 invalid account nonce: the grant's nonce was consumed (the session was revoked)")
                .code(),
            ErrorCode::SessionRevoked
        );
        assert_eq!(classify(-32602, "unknown session 0x01").code(), ErrorCode::UnknownSession);
        assert_eq!(classify(-32602, "chainId 0x1 is not this devnet's chain").code(), ErrorCode::InvalidInput);
        let e = classify(
            -32602,
            "Invalid Policy ID. Please ensure you're sending requests with the api key associated with the policy's app, and that the policy is active.",
        );
        assert_eq!(e.code(), ErrorCode::InvalidInput);
        // AA23 with revert data Warden does not know, and nothing in the words: the endpoint's refusal.
        let e = with_revert(-32500, "AA23 reverted", &AccountRevert::Other(Bytes::from(vec![0xde, 0xad, 0xbe, 0xef])));
        assert!(matches!(e, CallsError::Endpoint { .. }), "{e:?}");
        // A code that is not an AA code is not read as one.
        assert!(matches!(classify(-32500, "baa250 something"), CallsError::Endpoint { .. }));
    }

    /// Without codes or data Warden knows, the message's words decide (other endpoints,
    /// older servers).
    #[test]
    fn the_human_text_is_the_fallback() {
        let cases = [
            ("native-token-transfer allowance exceeded: requested 2 wei, remaining 1 wei", "native-token-transfer"),
            ("gas-limit exceeded: the operation may cost up to 5 wei in gas, remaining 1 wei", "gas-limit"),
            (
                "calls[0]: target 0x00000000000000000000000000000000000000aa is not allowed for this session",
                "allow-list",
            ),
            ("calls[0]: account function 0x12345678 is not granted (account-functions)", "account-functions"),
            ("spend limit exceeded for native token", "native-token-transfer"),
        ];
        for (message, limit) in cases {
            let e = classify(-32000, message);
            assert!(matches!(e, CallsError::PermissionDenied { limit: l, .. } if l == limit), "{message}: {e:?}");
            assert!(e.to_string().contains(message), "{e}");
        }
        assert_eq!(classify(-32000, "Session has expired").code(), ErrorCode::SessionExpired);
        assert_eq!(classify(-32000, "session revoked by the owner").code(), ErrorCode::SessionRevoked);
        assert_eq!(classify(-32000, "session not found").code(), ErrorCode::UnknownSession);
        assert!(classify(-32000, "nonce too low").is_nonce_conflict());
        assert_eq!(classify(-32000, "insufficient funds for gas").code(), ErrorCode::PermissionDenied);
        let e = classify(-32001, "something else entirely");
        assert!(matches!(e, CallsError::Endpoint { .. }), "{e:?}");
        assert_eq!(e.code(), ErrorCode::RpcError);
        // Transport failures keep the client's classification.
        let e = CallsError::from_endpoint(
            Stage::Prepare,
            RpcError::Connect { method: "m".into(), host: "h".into(), reason: "refused".into() },
        );
        assert_eq!(e.code(), ErrorCode::Unavailable);
    }

    #[test]
    fn unknown_call_ids_are_recognised_in_every_form() {
        for (code, message) in [
            (5730, "Unknown bundle id"),
            (-32602, "unknown call id 0x01"),
            (-32602, "Call id not found"),
            (-32000, "bundle not found"),
        ] {
            assert!(is_unknown_call_id(&rpc(code, message, None)), "{code} {message}");
        }
        assert!(!is_unknown_call_id(&rpc(-32601, "method not found", None)));
        assert!(!is_unknown_call_id(&rpc(-32602, "params[0] is not hex", None)));
    }
}
