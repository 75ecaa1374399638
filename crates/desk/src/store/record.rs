//! One session in the app's list: what was granted, to whom, where, and what happened to it
//! since (first use, calls Warden sent, revocation), plus the status derived from that and
//! a clock.
//!
//! A record is made from the approved credentials document ([`SessionRecord::new`]), so the
//! facts it repeats for display (account, chain, session id, key, permissions, expiry,
//! signature, context) cannot differ from the document; [`SessionRecord::check`] enforces
//! that again for records read back from disk. The document is kept without its secret:
//! the session private key stays in the keychain and is only sealed into an export.

use alloy_primitives::{Address, Bytes, U256};
use serde::{Deserialize, Serialize};
use warden_core::api::{Call, UuidV4};
use warden_core::credentials::{AccountType, SessionCredentials};
use warden_core::permissions::Permission;
use warden_core::wire;

/// Longest label, in characters: core's, so the activity log's summaries cut a label where
/// the list bounds it.
pub use warden_core::activity::MAX_LABEL_CHARS;

/// Which kind of Wallets API endpoint the session lives on (decides where usage comes from).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EndpointKind {
    /// Warden's local devnet: usage comes from `devnet_sessionUsage`.
    Devnet,
    /// Alchemy's hosted Wallets API.
    Alchemy,
    /// Any other Wallets API endpoint.
    Custom,
}

/// Where the session lives: the endpoint's kind and `host[:port]` (never a URL path or key).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EndpointRef {
    pub kind: EndpointKind,
    pub host: String,
}

/// A session's lifecycle state; waiting = granted but not used yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum SessionStatus {
    /// Granted and signed, not used yet (the grant is installed by its first operation).
    Waiting,
    /// Used at least once, not expired, not revoked.
    Active,
    /// The expiry has passed.
    Expired,
    /// The owner revoked it.
    Revoked,
}

/// What became of calls Warden sent with the session key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SentCallState {
    /// Sent; no final status yet.
    Pending,
    /// Included and successful: counts towards observed usage.
    Confirmed,
    /// Reverted, dropped or refused: spends nothing but gas.
    Failed,
}

/// One `wallet_sendPreparedCalls` Warden made with this session's key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SentCall {
    /// The call id the endpoint returned.
    pub call_id: Bytes,
    /// Unix seconds when it was sent.
    pub sent_at: u64,
    /// The calls, as sent.
    pub calls: Vec<Call>,
    pub outcome: SentCallState,
    /// What the operation paid for gas, in wei, when the receipts said.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "wire::quantity_opt")]
    pub gas_cost_wei: Option<U256>,
}

/// A session in the app's list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SessionRecord {
    /// The app's own id of this record (the on-chain id is `session_id`).
    pub id: UuidV4,
    pub label: String,
    #[serde(with = "wire::checksum")]
    pub account: Address,
    pub account_type: AccountType,
    pub chain_id: u32,
    pub endpoint: EndpointRef,
    /// The 16-byte session id the endpoint assigned.
    pub session_id: Bytes,
    #[serde(with = "wire::checksum")]
    pub owner: Address,
    /// The owner's signature over the grant.
    pub signature: Bytes,
    /// `0x00 ‖ sessionId ‖ signature`.
    pub context: Bytes,
    #[serde(with = "wire::checksum")]
    pub session_key: Address,
    /// Whether Warden generated the session key and keeps it in the keychain, where its
    /// entry is found by `session_key` (`Keychain::session_signer(address)`).
    pub key_held_by_warden: bool,
    pub permissions: Vec<Permission>,
    /// Unix seconds after which the session is no longer valid; `None` = never.
    pub expiry_sec: Option<u64>,
    /// Unix seconds.
    pub created_at: u64,
    pub first_used_at: Option<u64>,
    pub revoked_at: Option<u64>,
    /// The credentials document, never with its secret.
    pub credentials: SessionCredentials,
    /// Calls Warden itself sent with the session key (the source of observed usage).
    #[serde(default)]
    pub sent_calls: Vec<SentCall>,
}

/// Why a record is not acceptable: the field and the reason.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct RecordProblem {
    pub field: &'static str,
    pub reason: String,
}

fn problem(field: &'static str, reason: impl Into<String>) -> RecordProblem {
    RecordProblem { field, reason: reason.into() }
}

/// Checks a label: 1 to [`MAX_LABEL_CHARS`] characters after trimming, no control characters.
pub fn check_label(label: &str) -> Result<String, RecordProblem> {
    let trimmed = label.trim();
    if trimmed.is_empty() {
        return Err(problem("label", "is empty"));
    }
    if trimmed.chars().count() > MAX_LABEL_CHARS {
        return Err(problem("label", format!("is longer than {MAX_LABEL_CHARS} characters")));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(problem("label", "contains control characters (line breaks, tabs, …)"));
    }
    Ok(trimmed.to_owned())
}

impl SessionRecord {
    /// A record of a freshly approved grant, not used yet. The document's secret, if any,
    /// is dropped; every repeated fact is taken from the document.
    pub fn new(
        label: &str,
        credentials: &SessionCredentials,
        endpoint: EndpointRef,
        key_held_by_warden: bool,
        created_at: u64,
    ) -> Result<Self, RecordProblem> {
        let credentials = credentials.without_secret();
        let record = Self {
            id: UuidV4::new_random(),
            label: check_label(label)?,
            account: credentials.account,
            account_type: credentials.account_type,
            chain_id: credentials.chain_id,
            endpoint,
            session_id: credentials.session_id.clone(),
            owner: credentials.owner,
            signature: credentials.signature.clone(),
            context: credentials.context.clone(),
            session_key: credentials.key.public_key,
            key_held_by_warden,
            permissions: credentials.permissions.clone(),
            expiry_sec: (credentials.expiry_sec != 0).then_some(credentials.expiry_sec),
            created_at,
            first_used_at: None,
            revoked_at: None,
            credentials,
            sent_calls: Vec::new(),
        };
        record.check()?;
        Ok(record)
    }

    /// The status at `now` (unix seconds): revoked, else expired (the devnet and MAv2 allow
    /// use up to and including the expiry second), else active once used, else waiting.
    pub fn status(&self, now: u64) -> SessionStatus {
        if self.revoked_at.is_some() {
            SessionStatus::Revoked
        } else if self.expiry_sec.is_some_and(|e| now > e) {
            SessionStatus::Expired
        } else if self.first_used_at.is_some() {
            SessionStatus::Active
        } else {
            SessionStatus::Waiting
        }
    }

    /// Checks the record: a valid label, a document without secret that passes its own
    /// checks, and every repeated fact equal to the document's.
    pub fn check(&self) -> Result<(), RecordProblem> {
        check_label(&self.label)?;
        let c = &self.credentials;
        if c.secret.is_some() {
            return Err(problem("credentials.secret", "a stored record must not carry the session key"));
        }
        c.check().map_err(|e| problem("credentials", e.to_string()))?;
        let same = [
            ("account", self.account == c.account),
            ("accountType", self.account_type == c.account_type),
            ("chainId", self.chain_id == c.chain_id),
            ("sessionId", self.session_id == c.session_id),
            ("owner", self.owner == c.owner),
            ("signature", self.signature == c.signature),
            ("context", self.context == c.context),
            ("sessionKey", self.session_key == c.key.public_key),
            ("permissions", self.permissions == c.permissions),
            ("expirySec", self.expiry_sec.unwrap_or(0) == c.expiry_sec && self.expiry_sec != Some(0)),
        ];
        if let Some((field, _)) = same.iter().find(|(_, ok)| !ok) {
            return Err(problem(field, "differs from the credentials document"));
        }
        if self.endpoint.host.is_empty() || self.endpoint.host.contains(['/', '?', '@']) {
            return Err(problem("endpoint.host", "must be host[:port] only"));
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_trimmed_and_bounded() {
        assert_eq!(check_label("  bot  ").unwrap(), "bot");
        assert_eq!(check_label(" ").unwrap_err().field, "label");
        assert!(check_label(&"x".repeat(MAX_LABEL_CHARS + 1)).unwrap_err().reason.contains("longer"));
        assert!(check_label("a\nb").unwrap_err().reason.contains("control"));
        assert!(check_label(&"é".repeat(MAX_LABEL_CHARS)).is_ok());
    }
}
