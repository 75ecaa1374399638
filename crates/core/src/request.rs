//! Permission requests: a server asks for a session, the owner approves (possibly lowering
//! what was asked), and the credentials go back to the server.
//!
//! Two documents, both JSON:
//!
//! * [`SessionRequest`] (`warden.request.v1`, schema in `docs/warden.request.v1.schema.json`):
//!   who asks and why (their words), the chain, the permissions in wire form, how long the
//!   session should last, whether the owner may adjust (lower amounts, shorten the expiry,
//!   drop a permission), the session key (the server's own address, or "generate" with an
//!   age recipient the generated key is encrypted to), and where the answer goes (https, or
//!   http to this computer; nothing else). Shaped after ERC-7715's permission requests
//!   (`signer`, `permissions`, `expiry`, `justification`, `isAdjustmentAllowed`); where it
//!   differs, docs/servers.md says why.
//! * [`SessionAnswer`] (`warden.answer.v1`): the request id, the decision, and when approved
//!   the `warden.session.v1` credentials plus the adjustments made.
//!
//! Everything a request says is untrusted: [`SessionRequest::check`] bounds every field before
//! anything is shown, and the owner's side refuses a request id it answered before
//! ([`AnsweredRequests`]). The server's side trusts nothing in an answer either:
//! [`SessionRequest::accept_answer`] checks the credentials (the owner signature over the
//! DeferredAction included), that the session key is the one asked for (decrypting a
//! generated one with the server's age identity), and that every difference from the request
//! is an adjustment the request allowed — never more than was asked.
//!
//! [`deliver_answer`] POSTs an answer to the request's destination (no redirects, retried
//! while the server cannot be reached), for the CLI and the app alike.
//!
//! Left out: receiving (the CLI's `request wait` listens), and requests for several chains
//! at once.

use std::path::{Path, PathBuf};
use std::time::Duration;

use alloy_primitives::{Address, U256};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use crate::api::UuidV4;
use crate::atomic_file::{Existing, write_atomic};
use crate::credentials::{CredentialsError, Secret, SessionCredentials, Unlock};
use crate::error::{Coded, ErrorCode};
use crate::export::{ExportError, ExportReceipt, PostConfig, PostTarget, post_json};
use crate::permissions::{self, Permission};
use crate::wire;

/// The request document's `format`.
pub const REQUEST_FORMAT: &str = "warden.request.v1";
/// The answer document's `format`.
pub const ANSWER_FORMAT: &str = "warden.answer.v1";
/// The scheme and path of a request link: `warden://request?d=<base64url of the JSON>`.
pub const LINK_PREFIX: &str = "warden://request?d=";
/// Largest request document accepted, in bytes (as JSON, before any decoding).
pub const MAX_REQUEST_BYTES: usize = 16 * 1024;
/// Largest answer document accepted, in bytes.
pub const MAX_ANSWER_BYTES: usize = 64 * 1024;
/// Longest justification, in characters.
pub const MAX_JUSTIFICATION_CHARS: usize = 500;
/// Longest requester name, in characters.
pub const MAX_NAME_CHARS: usize = 64;
/// Longest a request may stay open (`validUntil - createdAt`).
pub const MAX_REQUEST_VALIDITY_SECS: u64 = 7 * 24 * 3600;
/// Longest session a request may ask for.
pub const MAX_SESSION_SECS: u64 = 365 * 24 * 3600;
/// Clock difference tolerated between the server, the owner and the chain.
pub const CLOCK_SLACK_SECS: u64 = 300;
/// The most permissions one request may ask for.
pub const MAX_PERMISSIONS: usize = 32;

/// Who asks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Requester {
    /// A short name shown to the owner (their words).
    pub name: String,
    /// The host that receives the answer (`answerTo`'s host, with its port when it has one).
    pub origin: String,
}

/// The session key a request asks for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
pub enum RequestedSigner {
    /// The server holds its own key: this address.
    Address {
        #[serde(with = "wire::checksum")]
        address: Address,
    },
    /// Warden generates the key and encrypts it to this age recipient (`age1…`).
    Generate {
        #[serde(rename = "ageRecipient")]
        age_recipient: String,
    },
}

/// A `warden.request.v1` document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SessionRequest {
    pub format: String,
    /// UUID v4, single use.
    pub request_id: UuidV4,
    /// Unix seconds.
    pub created_at: u64,
    /// Unix seconds after which the request may not be answered.
    pub valid_until: u64,
    pub requester: Requester,
    /// Why they ask, in their words (plain text; shown as text, never as markup).
    pub justification: String,
    #[serde(with = "wire::hex_u32")]
    pub chain_id: u32,
    /// The permissions asked for, in wire form.
    pub permissions: Vec<Permission>,
    /// How long the session should last after approval, in seconds.
    pub expiry: u64,
    /// Whether the owner may lower amounts, shorten the expiry, or drop permissions.
    pub is_adjustment_allowed: bool,
    pub signer: RequestedSigner,
    /// Where the answer is POSTed: an https URL, or an http URL on this computer.
    pub answer_to: String,
}

/// How the owner decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    Approved,
    Declined,
}

/// One difference between what was asked and what was granted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum Adjustment {
    /// A limit of `permissions[index]` was lowered.
    Lowered {
        index: usize,
        #[serde(with = "wire::quantity")]
        from: U256,
        #[serde(with = "wire::quantity")]
        to: U256,
    },
    /// `permissions[index]` was not granted.
    Dropped { index: usize },
    /// The session lasts `to` seconds instead of the `from` asked.
    Expiry { from: u64, to: u64 },
}

/// A `warden.answer.v1` document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SessionAnswer {
    pub format: String,
    pub request_id: UuidV4,
    pub decision: Decision,
    /// The credentials, when approved (no secret when the server holds its key; the
    /// generated key age-encrypted to the server otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials: Option<SessionCredentials>,
    /// What the owner changed (empty when the request was granted as asked).
    #[serde(default)]
    pub adjustments: Vec<Adjustment>,
    /// The owner's reason for declining, if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Why a request or an answer was refused.
#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    #[error("the request is {size} bytes; at most {MAX_REQUEST_BYTES} are accepted")]
    TooLarge { size: usize },
    #[error("the request is not a warden.request.v1 document: {0}")]
    Malformed(String),
    #[error("request.{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error("request {id} expired at {valid_until} (now {now}); ask the server for a new one")]
    Expired { id: UuidV4, valid_until: u64, now: u64 },
    #[error("request {id} was already answered (at {at}); a request is single use")]
    Replayed { id: UuidV4, at: u64 },
    #[error("the answer is not a warden.answer.v1 document: {0}")]
    MalformedAnswer(String),
    #[error("answer.{field}: {reason}")]
    AnswerRefused { field: &'static str, reason: String },
    #[error("answer.credentials: {0}")]
    Credentials(#[from] CredentialsError),
    #[error("{path}: {reason}")]
    Store { path: PathBuf, reason: String },
}

impl Coded for RequestError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::TooLarge { .. } | Self::Malformed(_) | Self::Invalid { .. } | Self::MalformedAnswer(_) => {
                ErrorCode::InvalidInput
            }
            Self::Expired { .. } | Self::Replayed { .. } | Self::AnswerRefused { .. } => ErrorCode::VerificationFailed,
            Self::Credentials(e) => e.code(),
            Self::Store { .. } => ErrorCode::StorageFailed,
        }
    }
}

fn invalid(field: &'static str, reason: impl Into<String>) -> RequestError {
    RequestError::Invalid { field, reason: reason.into() }
}

fn refused(field: &'static str, reason: impl Into<String>) -> RequestError {
    RequestError::AnswerRefused { field, reason: reason.into() }
}

/// What a server wants, before it becomes a request document.
#[derive(Clone, Debug)]
pub struct NewRequest {
    pub name: String,
    pub justification: String,
    pub chain_id: u32,
    pub permissions: Vec<Permission>,
    pub expiry: u64,
    pub is_adjustment_allowed: bool,
    pub signer: RequestedSigner,
    pub answer_to: String,
    /// How long the request stays open, in seconds.
    pub valid_for: u64,
}

impl SessionRequest {
    /// A new request with a fresh id, created at `now`, checked.
    pub fn new(new: NewRequest, now: u64) -> Result<Self, RequestError> {
        let origin = answer_origin(&new.answer_to)?;
        let request = Self {
            format: REQUEST_FORMAT.to_owned(),
            request_id: UuidV4::new_random(),
            created_at: now,
            valid_until: now.saturating_add(new.valid_for),
            requester: Requester { name: new.name, origin },
            justification: new.justification,
            chain_id: new.chain_id,
            permissions: new.permissions,
            expiry: new.expiry,
            is_adjustment_allowed: new.is_adjustment_allowed,
            signer: new.signer,
            answer_to: new.answer_to,
        };
        request.check(now)?;
        Ok(request)
    }

    /// Parses a request document (JSON) and checks it at `now`.
    pub fn parse(json: &str, now: u64) -> Result<Self, RequestError> {
        if json.len() > MAX_REQUEST_BYTES {
            return Err(RequestError::TooLarge { size: json.len() });
        }
        let value: serde_json::Value =
            serde_json::from_str(json).map_err(|e| RequestError::Malformed(e.to_string()))?;
        if let Some(found) = value.get("format").and_then(serde_json::Value::as_str)
            && found != REQUEST_FORMAT
        {
            return Err(RequestError::Malformed(format!("format is {found:?}, not {REQUEST_FORMAT:?}")));
        }
        let request: Self = serde_path_to_error::deserialize(value)
            .map_err(|e| RequestError::Malformed(format!("{}: {}", e.path(), e.inner())))?;
        request.check(now)?;
        Ok(request)
    }

    /// Parses the server's own request document, checked as of its creation (a server keeps
    /// waiting for an answer to it even while it nears its end of validity).
    pub fn parse_own(json: &str) -> Result<Self, RequestError> {
        let created_at = serde_json::from_str::<serde_json::Value>(json)
            .ok()
            .and_then(|v| v.get("createdAt").and_then(serde_json::Value::as_u64))
            .unwrap_or(0);
        Self::parse(json, created_at)
    }

    /// Parses a `warden://request?d=…` link, a request document, or either with
    /// surrounding whitespace.
    pub fn parse_link_or_document(text: &str, now: u64) -> Result<Self, RequestError> {
        let text = text.trim();
        match text.strip_prefix(LINK_PREFIX) {
            Some(encoded) => {
                if encoded.len() > MAX_REQUEST_BYTES * 4 / 3 + 4 {
                    return Err(RequestError::TooLarge { size: encoded.len() * 3 / 4 });
                }
                let bytes = URL_SAFE_NO_PAD
                    .decode(encoded.trim_end_matches('='))
                    .map_err(|e| RequestError::Malformed(format!("the link's d= is not base64url: {e}")))?;
                let json = String::from_utf8(bytes)
                    .map_err(|_| RequestError::Malformed("the link's document is not UTF-8".into()))?;
                Self::parse(&json, now)
            }
            None if text.starts_with("warden://") => {
                Err(RequestError::Malformed(format!("a Warden link starts with {LINK_PREFIX}")))
            }
            None => Self::parse(text, now),
        }
    }

    /// The document as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The `warden://request?d=…` link of the document.
    pub fn link(&self) -> String {
        let compact = serde_json::to_string(self).unwrap_or_default();
        format!("{LINK_PREFIX}{}", URL_SAFE_NO_PAD.encode(compact.as_bytes()))
    }

    /// Checks every field at `now` (see the module docs): nothing in a request is trusted.
    pub fn check(&self, now: u64) -> Result<(), RequestError> {
        if self.format != REQUEST_FORMAT {
            return Err(invalid("format", format!("must be {REQUEST_FORMAT:?}")));
        }
        if self.created_at > now.saturating_add(CLOCK_SLACK_SECS) {
            return Err(invalid("createdAt", format!("{} is in the future (now {now})", self.created_at)));
        }
        if self.valid_until <= self.created_at {
            return Err(invalid("validUntil", "must be after createdAt"));
        }
        if self.valid_until - self.created_at > MAX_REQUEST_VALIDITY_SECS {
            return Err(invalid("validUntil", format!("a request stays open at most {MAX_REQUEST_VALIDITY_SECS} s")));
        }
        if self.valid_until < now {
            return Err(RequestError::Expired { id: self.request_id, valid_until: self.valid_until, now });
        }
        check_text("requester.name", &self.requester.name, MAX_NAME_CHARS, false)?;
        if self.requester.name.trim().is_empty() {
            return Err(invalid("requester.name", "is empty"));
        }
        check_text("justification", &self.justification, MAX_JUSTIFICATION_CHARS, true)?;
        if self.chain_id == 0 {
            return Err(invalid("chainId", "must not be 0"));
        }
        if self.permissions.len() > MAX_PERMISSIONS {
            return Err(invalid("permissions", format!("at most {MAX_PERMISSIONS} permissions")));
        }
        // The account is not known yet: rules that need it are checked again at grant time.
        permissions::validate(&self.permissions, Address::ZERO).map_err(|e| invalid("permissions", e.to_string()))?;
        if self.expiry == 0 || self.expiry > MAX_SESSION_SECS {
            return Err(invalid("expiry", format!("must be from 1 to {MAX_SESSION_SECS} seconds")));
        }
        match &self.signer {
            RequestedSigner::Address { address } if address.is_zero() => {
                return Err(invalid("signer.address", "is the zero address"));
            }
            RequestedSigner::Address { .. } => {}
            RequestedSigner::Generate { age_recipient } => {
                age_recipient
                    .parse::<age::x25519::Recipient>()
                    .map_err(|e| invalid("signer.ageRecipient", format!("is not an age recipient: {e}")))?;
            }
        }
        let origin = answer_origin(&self.answer_to)?;
        if !origin.eq_ignore_ascii_case(&self.requester.origin) {
            return Err(invalid(
                "requester.origin",
                format!("{:?} is not the host the answer goes to ({origin})", self.requester.origin),
            ));
        }
        Ok(())
    }

    /// The session's expiry (unix seconds) when approved at `now` as asked.
    pub fn expiry_sec_at(&self, now: u64) -> u64 {
        now.saturating_add(self.expiry)
    }

    /// The adjustments that turn this request into a grant of `granted` lasting `duration`
    /// seconds, or why that grant is not within what was asked (and allowed).
    pub fn adjustments(&self, granted: &[Permission], duration: u64) -> Result<Vec<Adjustment>, RequestError> {
        let mut out = Vec::new();
        let mut next = granted.iter().peekable();
        for (index, asked) in self.permissions.iter().enumerate() {
            match next.peek() {
                Some(g) if same_permission(asked, g) => {
                    let (from, to) = (limit_of(asked), limit_of(g));
                    if from != to {
                        match (from, to) {
                            (Some(from), Some(to)) if to < from => out.push(Adjustment::Lowered { index, from, to }),
                            _ => {
                                return Err(refused(
                                    "credentials.permissions",
                                    format!("permissions[{index}] grants more than was asked"),
                                ));
                            }
                        }
                    }
                    next.next();
                }
                _ => out.push(Adjustment::Dropped { index }),
            }
        }
        if let Some(extra) = next.next() {
            return Err(refused(
                "credentials.permissions",
                format!("grants {} permission that was not asked for", permission_name(extra)),
            ));
        }
        if granted.is_empty() {
            return Err(refused("credentials.permissions", "grants nothing"));
        }
        if duration > self.expiry.saturating_add(CLOCK_SLACK_SECS) {
            return Err(refused(
                "credentials.expirySec",
                format!("the session lasts {duration} s, longer than the {} s asked", self.expiry),
            ));
        }
        if duration + CLOCK_SLACK_SECS < self.expiry {
            out.push(Adjustment::Expiry { from: self.expiry, to: duration });
        }
        if !out.is_empty() && !self.is_adjustment_allowed {
            return Err(refused(
                "adjustments",
                "the request does not allow adjustments, but the grant differs from it",
            ));
        }
        Ok(out)
    }

    /// Checks an answer to this request at `now` (see the module docs). `identity` is the
    /// server's age identity file, needed when the request asked Warden to generate the key.
    pub fn accept_answer(&self, json: &str, identity: Option<&str>) -> Result<Accepted, RequestError> {
        if json.len() > MAX_ANSWER_BYTES {
            return Err(RequestError::MalformedAnswer(format!("{} bytes is too large", json.len())));
        }
        let answer: SessionAnswer =
            serde_json::from_str(json).map_err(|e| RequestError::MalformedAnswer(e.to_string()))?;
        if answer.format != ANSWER_FORMAT {
            return Err(refused("format", format!("must be {ANSWER_FORMAT:?}")));
        }
        if answer.request_id != self.request_id {
            return Err(refused(
                "requestId",
                format!("{} is not this request's id {}", answer.request_id, self.request_id),
            ));
        }
        let creds = match (answer.decision, answer.credentials) {
            (Decision::Declined, None) => return Ok(Accepted::Declined { reason: answer.reason }),
            (Decision::Declined, Some(_)) => return Err(refused("credentials", "a decline carries no credentials")),
            (Decision::Approved, None) => return Err(refused("credentials", "an approval needs credentials")),
            (Decision::Approved, Some(c)) => c,
        };
        creds.check()?;
        if creds.grant.is_none() {
            return Err(refused("credentials.grant", "is missing: the owner's signature could not be checked"));
        }
        if creds.chain_id != self.chain_id {
            return Err(refused(
                "credentials.chainId",
                format!("{} is not the chain asked for ({})", creds.chain_id, self.chain_id),
            ));
        }
        if creds.created_at + CLOCK_SLACK_SECS < self.created_at
            || creds.created_at > self.valid_until + CLOCK_SLACK_SECS
        {
            return Err(refused("credentials.createdAt", "is outside the request's lifetime"));
        }
        match &self.signer {
            RequestedSigner::Address { address } => {
                if creds.key.public_key != *address {
                    return Err(refused(
                        "credentials.key",
                        format!("is {}, not the key asked for {address}", creds.key.public_key),
                    ));
                }
                if creds.secret.is_some() {
                    return Err(refused("credentials.secret", "the server holds its own key: no secret may travel"));
                }
            }
            RequestedSigner::Generate { .. } => {
                let Some(Secret::Age(_)) = &creds.secret else {
                    return Err(refused("credentials.secret", "a generated key must come age-encrypted to the server"));
                };
                let identity =
                    identity.ok_or_else(|| refused("credentials.secret", "an age identity is needed to open it"))?;
                creds.session_signer(Unlock::AgeIdentity(identity))?;
            }
        }
        if creds.expiry_sec == 0 {
            return Err(refused("credentials.expirySec", "the session never expires, but an expiry was asked"));
        }
        let duration = creds.expiry_sec.saturating_sub(creds.created_at);
        let computed = self.adjustments(&creds.permissions, duration)?;
        if computed != answer.adjustments {
            return Err(refused("adjustments", "do not describe the difference between the request and the grant"));
        }
        Ok(Accepted::Approved { credentials: Box::new(creds), adjustments: computed })
    }

    /// A decline answer.
    pub fn decline(&self, reason: Option<String>) -> SessionAnswer {
        SessionAnswer {
            format: ANSWER_FORMAT.to_owned(),
            request_id: self.request_id,
            decision: Decision::Declined,
            credentials: None,
            adjustments: Vec::new(),
            reason,
        }
    }

    /// An approval answer carrying `credentials` (the adjustments are computed).
    pub fn approve(&self, credentials: SessionCredentials) -> Result<SessionAnswer, RequestError> {
        let duration = credentials.expiry_sec.saturating_sub(credentials.created_at);
        let adjustments = self.adjustments(&credentials.permissions, duration)?;
        Ok(SessionAnswer {
            format: ANSWER_FORMAT.to_owned(),
            request_id: self.request_id,
            decision: Decision::Approved,
            credentials: Some(credentials),
            adjustments,
            reason: None,
        })
    }
}

impl SessionAnswer {
    /// The document as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// The waits before the second and third attempt to deliver an answer.
pub const DELIVERY_RETRY_DELAYS: [Duration; 2] = [Duration::from_secs(2), Duration::from_secs(4)];

/// POSTs `answer` (its JSON) to `request`'s destination: never following a redirect, tried
/// again after each of `retry_delays` when the server could not be reached, but not when it
/// read the answer and refused it (sending it again would change nothing). The last
/// failure is returned; the caller keeps the answer for manual delivery.
pub async fn deliver_answer(
    request: &SessionRequest,
    answer_json: &str,
    retry_delays: &[Duration],
) -> Result<ExportReceipt, ExportError> {
    let target = PostTarget::new(&request.answer_to, None)?;
    let config = PostConfig { same_origin_redirects: false, ..PostConfig::default() };
    let mut waits = retry_delays.iter();
    loop {
        match post_json(answer_json, &target, &config).await {
            Ok(receipt) => return Ok(receipt),
            Err(e @ (ExportError::Refused { .. } | ExportError::Redirected { .. })) => return Err(e),
            Err(e) => match waits.next() {
                Some(wait) => {
                    tracing::info!(host = %target.host(), error = %e, "the answer was not delivered; trying again");
                    tokio::time::sleep(*wait).await;
                }
                None => return Err(e),
            },
        }
    }
}

/// What a checked answer says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Accepted {
    Approved { credentials: Box<SessionCredentials>, adjustments: Vec<Adjustment> },
    Declined { reason: Option<String> },
}

/// `host[:port]` of an answer URL, which must be https, or http to this computer.
pub fn answer_origin(url: &str) -> Result<String, RequestError> {
    let parsed = reqwest::Url::parse(url.trim()).map_err(|e| invalid("answerTo", e.to_string()))?;
    let host = parsed.host_str().ok_or_else(|| invalid("answerTo", "has no host"))?.to_owned();
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(invalid("answerTo", "must not carry a user name or password"));
    }
    if parsed.fragment().is_some() {
        return Err(invalid("answerTo", "must not carry a #fragment"));
    }
    match parsed.scheme() {
        "https" => {}
        "http" if crate::export::is_loopback(&host) => {}
        "http" => {
            return Err(invalid(
                "answerTo",
                format!("plain http is allowed only to this computer, not to {host}; use https"),
            ));
        }
        other => return Err(invalid("answerTo", format!("scheme {other:?} is not https"))),
    }
    Ok(match parsed.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    })
}

fn check_text(field: &'static str, text: &str, max: usize, multiline: bool) -> Result<(), RequestError> {
    let count = text.chars().count();
    if count > max {
        return Err(invalid(field, format!("is {count} characters; at most {max}")));
    }
    if let Some(c) = text.chars().find(|c| c.is_control() && !(multiline && *c == '\n')) {
        return Err(invalid(field, format!("contains the control character U+{:04X}", u32::from(c))));
    }
    if let Some(c) = text.chars().find(|c| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')) {
        return Err(invalid(field, format!("contains the text-direction override U+{:04X}", u32::from(c))));
    }
    Ok(())
}

fn permission_name(p: &Permission) -> &'static str {
    p.kind().wire_name()
}

/// The adjustable limit of a permission, if it has one.
fn limit_of(p: &Permission) -> Option<U256> {
    match p {
        Permission::NativeTokenTransfer { allowance } | Permission::Erc20TokenTransfer { allowance, .. } => {
            Some(*allowance)
        }
        Permission::GasLimit { limit } => Some(*limit),
        _ => None,
    }
}

/// Whether `granted` is `asked`, up to its limit.
fn same_permission(asked: &Permission, granted: &Permission) -> bool {
    match (asked, granted) {
        (Permission::NativeTokenTransfer { .. }, Permission::NativeTokenTransfer { .. })
        | (Permission::GasLimit { .. }, Permission::GasLimit { .. }) => true,
        (Permission::Erc20TokenTransfer { address: a, .. }, Permission::Erc20TokenTransfer { address: b, .. }) => {
            a == b
        }
        _ => asked == granted,
    }
}

/// The request ids the owner answered, kept so that a request is answered once.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct AnsweredRequests {
    format: String,
    answered: Vec<AnsweredEntry>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct AnsweredEntry {
    id: UuidV4,
    at: u64,
    /// When the request stops being valid: the entry can go after that.
    until: u64,
}

const ANSWERED_FORMAT: &str = "warden.answered-requests.v1";

impl AnsweredRequests {
    /// Reads the list at `path` (empty when the file does not exist).
    pub fn load(path: &Path) -> Result<Self, RequestError> {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let list: Self = serde_json::from_str(&text)
                    .map_err(|e| RequestError::Store { path: path.to_owned(), reason: format!("damaged: {e}") })?;
                if list.format != ANSWERED_FORMAT {
                    return Err(RequestError::Store {
                        path: path.to_owned(),
                        reason: format!("format {:?} is not {ANSWERED_FORMAT:?}", list.format),
                    });
                }
                Ok(list)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Ok(Self { format: ANSWERED_FORMAT.into(), answered: Vec::new() })
            }
            Err(e) => Err(RequestError::Store { path: path.to_owned(), reason: e.to_string() }),
        }
    }

    /// Refuses a request already answered.
    pub fn check_new(&self, request: &SessionRequest) -> Result<(), RequestError> {
        match self.answered.iter().find(|e| e.id == request.request_id) {
            Some(e) => Err(RequestError::Replayed { id: e.id, at: e.at }),
            None => Ok(()),
        }
    }

    /// Records `request` as answered at `now` and saves the list atomically to `path`
    /// (entries whose request can no longer be answered are dropped).
    pub fn record(&mut self, request: &SessionRequest, now: u64, path: &Path) -> Result<(), RequestError> {
        self.check_new(request)?;
        self.answered.retain(|e| e.until + CLOCK_SLACK_SECS >= now);
        self.answered.push(AnsweredEntry { id: request.request_id, at: now, until: request.valid_until });
        self.format = ANSWERED_FORMAT.into();
        let json = serde_json::to_vec_pretty(self).unwrap_or_default();
        write_atomic(path, &json, 0o600, Existing::Replace)
            .map_err(|e| RequestError::Store { path: path.to_owned(), reason: e.to_string() })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const NOW: u64 = 1_800_000_000;

    fn perms() -> Vec<Permission> {
        vec![
            Permission::NativeTokenTransfer { allowance: U256::from(1000u64) },
            Permission::ContractAccess { address: Address::repeat_byte(0x11) },
        ]
    }

    fn new_request(adjust: bool) -> SessionRequest {
        SessionRequest::new(
            NewRequest {
                name: "bot".into(),
                justification: "Pays <b>invoices</b>\nweekly".into(),
                chain_id: 31337,
                permissions: perms(),
                expiry: 86_400,
                is_adjustment_allowed: adjust,
                signer: RequestedSigner::Address { address: Address::repeat_byte(0x22) },
                answer_to: "http://127.0.0.1:9999/answer".into(),
                valid_for: 3600,
            },
            NOW,
        )
        .unwrap()
    }

    #[test]
    fn a_request_round_trips_through_json_and_its_link() {
        let r = new_request(true);
        assert_eq!(r.requester.origin, "127.0.0.1:9999");
        assert_eq!(SessionRequest::parse(&r.to_json(), NOW).unwrap(), r);
        let link = r.link();
        assert!(link.starts_with(LINK_PREFIX));
        assert_eq!(SessionRequest::parse_link_or_document(&link, NOW).unwrap(), r);
    }

    #[test]
    fn hostile_requests_are_refused_with_the_field_named() {
        let r = new_request(false);
        let mut v: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
        let refuse = |v: &serde_json::Value, needle: &str| {
            let e = SessionRequest::parse(&v.to_string(), NOW).unwrap_err();
            assert!(e.to_string().contains(needle), "{needle}: {e}");
        };
        // Expired.
        assert!(matches!(SessionRequest::parse(&r.to_json(), NOW + 7200), Err(RequestError::Expired { .. })));
        // Unknown fields, in the document and inside the signer.
        let mut t = v.clone();
        t["extra"] = serde_json::json!(1);
        refuse(&t, "unknown field");
        let mut t = v.clone();
        t["signer"]["privateKey"] = serde_json::json!("0x01");
        refuse(&t, "unknown field");
        // Plain http to another host; a URL with credentials.
        let mut t = v.clone();
        t["answerTo"] = serde_json::json!("http://example.org/answer");
        refuse(&t, "plain http");
        let mut t = v.clone();
        t["answerTo"] = serde_json::json!("https://u:p@example.org/");
        refuse(&t, "user name");
        // The origin does not match the answer's host.
        let mut t = v.clone();
        t["requester"]["origin"] = serde_json::json!("trusted.example.org");
        refuse(&t, "requester.origin");
        // Control characters and direction overrides in their words.
        let mut t = v.clone();
        t["justification"] = serde_json::json!("ok\u{7}bell");
        refuse(&t, "control character U+0007");
        let mut t = v.clone();
        t["requester"]["name"] = serde_json::json!("gnp\u{202E}exe");
        refuse(&t, "U+202E");
        let mut t = v.clone();
        t["justification"] = serde_json::json!("x".repeat(MAX_JUSTIFICATION_CHARS + 1));
        refuse(&t, "at most 500");
        // Oversized.
        v["justification"] = serde_json::json!("y".repeat(MAX_REQUEST_BYTES));
        assert!(matches!(SessionRequest::parse(&v.to_string(), NOW), Err(RequestError::TooLarge { .. })));
        // Malformed.
        assert!(matches!(SessionRequest::parse("{", NOW), Err(RequestError::Malformed(_))));
    }

    #[test]
    fn adjustments_only_lower_and_only_when_allowed() {
        let r = new_request(true);
        let lowered = vec![
            Permission::NativeTokenTransfer { allowance: U256::from(400u64) },
            Permission::ContractAccess { address: Address::repeat_byte(0x11) },
        ];
        assert_eq!(
            r.adjustments(&lowered, 86_400).unwrap(),
            vec![Adjustment::Lowered { index: 0, from: U256::from(1000u64), to: U256::from(400u64) }]
        );
        assert_eq!(
            r.adjustments(&lowered[..1], 3600).unwrap(),
            vec![
                Adjustment::Lowered { index: 0, from: U256::from(1000u64), to: U256::from(400u64) },
                Adjustment::Dropped { index: 1 },
                Adjustment::Expiry { from: 86_400, to: 3600 },
            ]
        );
        // More than asked, something not asked, longer than asked: refused.
        let raised = vec![Permission::NativeTokenTransfer { allowance: U256::from(1001u64) }, perms()[1].clone()];
        assert!(r.adjustments(&raised, 86_400).is_err());
        let mut extra = perms();
        extra.push(Permission::ContractAccess { address: Address::repeat_byte(0x33) });
        assert!(r.adjustments(&extra, 86_400).is_err());
        assert!(r.adjustments(&perms(), 86_400 * 2).is_err());
        // Without permission to adjust, only the request as asked.
        let strict = new_request(false);
        assert!(strict.adjustments(&perms(), 86_400).unwrap().is_empty());
        assert!(strict.adjustments(&lowered, 86_400).is_err());
    }

    #[test]
    fn a_request_id_is_answered_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("answered.json");
        let r = new_request(false);
        let mut list = AnsweredRequests::load(&path).unwrap();
        list.check_new(&r).unwrap();
        list.record(&r, NOW, &path).unwrap();
        let again = AnsweredRequests::load(&path).unwrap();
        assert!(matches!(again.check_new(&r), Err(RequestError::Replayed { .. })));
    }
}
