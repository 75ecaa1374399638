//! The IPC types of the grant wizard, the approval window, the sessions dashboard, export
//! and the activity log, with the conversions from the core's types.
//!
//! Like the rest of [`crate::payloads`] these are views: addresses, amounts in words,
//! statuses, hashes. The two inputs that may carry a secret (an export's passphrase and a
//! server's bearer token) arrive as [`Sensitive`] values and are never serialized back.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use warden_core::activity as core_activity;
use warden_core::permissions as core_permissions;

use crate::payloads::{AccountType, Currency};
use crate::sensitive::Sensitive;

/// How much a risk matters, as the UI colours it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Danger,
}

impl From<core_permissions::Severity> for Severity {
    fn from(s: core_permissions::Severity) -> Self {
        match s {
            core_permissions::Severity::Low => Self::Info,
            core_permissions::Severity::Medium => Self::Warning,
            core_permissions::Severity::High | core_permissions::Severity::Critical => Self::Danger,
        }
    }
}

/// A risk of a grant. `permissionIndex` null: the flag is about the whole set (the expiry).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RiskFlag {
    pub severity: Severity,
    pub message: String,
    pub permission_index: Option<u32>,
}

/// One permission in words: `kind` is the wire type, `detail` carries amounts with units.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct PermissionView {
    pub index: u32,
    pub kind: core_permissions::PermissionKind,
    pub title: String,
    pub detail: String,
    pub risks: Vec<RiskFlag>,
}

/// A rule a permission (by index; null for the whole request) or its field breaks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct FieldError {
    pub index: Option<u32>,
    pub field: String,
    pub message: String,
}

/// Result of `permissions_check`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct PermissionCheck {
    pub ok: bool,
    pub errors: Vec<FieldError>,
    pub views: Vec<PermissionView>,
    pub risks: Vec<RiskFlag>,
}

/// An ERC-20 token's symbol and decimals; null when the token contract did not answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct TokenInfo {
    pub address: String,
    pub symbol: Option<String>,
    pub decimals: Option<u8>,
}

/// A function signature in canonical form and its selector.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct SelectorInfo {
    pub signature: String,
    pub selector: String,
}

/// Where the session key comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum SessionKeyChoice {
    /// Warden generates it and keeps it in the keychain.
    Generate,
    /// The server holds its key; this is its address.
    External { address: String },
}

/// What the grant wizard asks for. `accountType`: which of the owner's accounts the
/// session is for; `expirySec`: unix seconds, null for never; `tokenDecimals`: for each
/// ERC-20 token whose amount was entered in token units, the decimals the wizard read
/// (token address → decimals), read again from the node before approval.
// Named `GrantForm` in Rust so it is not taken for core's `grant::GrantRequest`, which the
// app builds from it once the values are checked; the UI knows it as `GrantRequest`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "GrantRequest")]
pub struct GrantForm {
    pub label: String,
    pub account_type: AccountType,
    pub key: SessionKeyChoice,
    #[ts(type = "number | null")]
    pub expiry_sec: Option<u64>,
    #[ts(as = "Vec<core_permissions::Permission>")]
    pub permissions: Vec<serde_json::Value>,
    #[serde(default)]
    pub token_decimals: std::collections::BTreeMap<String, u8>,
}

/// A field where the endpoint's grant differs from the request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct Mismatch {
    pub field: String,
    pub expected: String,
    pub actual: String,
}

/// The pending approval the approval window shows; `validUntil` is unix seconds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalView {
    pub approval_id: String,
    pub account: String,
    pub account_type: AccountType,
    pub chain_id: u32,
    pub chain_name: String,
    /// What the native amounts of the permissions are in.
    pub currency: Currency,
    pub session_key: String,
    pub key_held_by_warden: bool,
    /// Who asked for this session when it answers a server's permission request: their
    /// name (their words) and the host the answer goes to.
    pub requested_by: Option<String>,
    #[ts(type = "number | null")]
    pub expiry_sec: Option<u64>,
    pub permissions: Vec<PermissionView>,
    pub risks: Vec<RiskFlag>,
    /// The validation entity id the endpoint chose for the session (checked free on the
    /// account and among Warden's sessions), when the answer could be read.
    pub entity_id: Option<u32>,
    /// Whether `verify_grant` accepted the endpoint's answer; only then can it be approved.
    pub verified: bool,
    pub mismatches: Vec<Mismatch>,
    /// The EIP-712 digest the owner's signature will cover (empty when not verified:
    /// nothing will be signed).
    pub digest: String,
    #[ts(type = "number")]
    pub valid_until: u64,
}

/// How an approval ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum ApprovalOutcome {
    Approved,
    Rejected,
    Expired,
}

/// Payload of the `approval-finished` event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalFinished {
    pub approval_id: String,
    pub outcome: ApprovalOutcome,
}

/// A session's lifecycle state, as the session list computes it ([`crate::store`]).
pub use crate::store::SessionStatus;

/// A session record that did not load and was set aside beside the list
/// (`sessions.quarantine.json`): what the dashboard shows of it. Never the record itself,
/// which may hold what it should not (a secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct QuarantinedView {
    pub label: Option<String>,
    pub reason: String,
    #[ts(type = "number")]
    pub quarantined_at: u64,
    /// The side file that keeps it.
    pub kept_in: String,
}

/// A session in the dashboard.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SessionView {
    /// The app's id of the session (commands take it back as `id`).
    pub id: String,
    pub label: String,
    pub account: String,
    pub chain_id: u32,
    /// What the session's native amounts (limits, usage, test calls) are in.
    pub currency: Currency,
    /// The on-chain 16-byte session id.
    pub session_id: String,
    pub session_key: String,
    pub key_held_by_warden: bool,
    #[ts(type = "number | null")]
    pub expiry_sec: Option<u64>,
    #[ts(type = "number")]
    pub created_at: u64,
    pub status: SessionStatus,
    pub permissions: Vec<PermissionView>,
}

/// Usage of one limited permission, and where its numbers come from ([`crate::usage`]).
pub use crate::usage::{UsageLine, UsageSource};

/// How the session key goes into an export. The passphrase arrives once and is never
/// sent back.
#[derive(Debug, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum SecretChoice {
    /// No secret: the server holds its own key.
    None,
    /// The private key in plain text; `confirmed` must be true.
    Plaintext { confirmed: bool },
    /// An Ethereum keystore v3 under this passphrase.
    Keystore {
        #[ts(type = "string")]
        passphrase: Sensitive,
    },
    /// age-encrypted to this `age1…` recipient.
    Age { recipient: String },
}

/// Where an export goes. "file": Rust opens the save dialog itself.
#[derive(Debug, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum ExportDestination {
    File,
    Clipboard,
    Post {
        url: String,
        #[ts(type = "string | null")]
        bearer: Option<Sensitive>,
        /// Plain http to a host other than this computer, asked for explicitly (never with
        /// a bearer token); absent or false: https, or plain http to this computer only.
        #[serde(default, rename = "allowPlainHttp")]
        #[ts(optional)]
        allow_plain_http: Option<bool>,
    },
}

/// `document` never carries a secret; the UI draws its QR code (and says when it is too
/// large for one).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExportPreview {
    pub document: String,
}

/// What an export did; `serverReply` is cut to the core's limit. `clipboardClearsAfterSecs`:
/// the document on the clipboard carries a secret and is cleared after this many seconds
/// if the clipboard still holds it (null otherwise).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExportResult {
    pub destination: String,
    pub path: Option<String>,
    pub http_status: Option<u16>,
    pub server_reply: Option<String>,
    pub clipboard_clears_after_secs: Option<u32>,
}

/// What an activity entry records: core's kind, as the log stores it.
pub use core_activity::ActivityKind;

/// One activity entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ActivityEntry {
    #[ts(type = "number")]
    pub seq: u64,
    #[ts(type = "number")]
    pub at: u64,
    pub kind: ActivityKind,
    pub summary: String,
    pub session_id: Option<String>,
    pub hash: String,
}

impl From<core_activity::ActivityEntry> for ActivityEntry {
    fn from(e: core_activity::ActivityEntry) -> Self {
        Self {
            seq: e.seq,
            at: e.at,
            kind: e.kind,
            summary: e.summary,
            session_id: e.session_id.map(|s| s.to_string()),
            hash: e.hash.to_string(),
        }
    }
}

/// The log as the activity screen shows it. `brokenAt`: the seq of the first entry whose
/// link fails; `problem` says how. `keychainCheck`: how far the comparison with the log's
/// record in the keychain went, `keychainNote` says it in words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ActivityLog {
    pub entries: Vec<ActivityEntry>,
    pub intact: bool,
    #[ts(type = "number | null")]
    pub broken_at: Option<u64>,
    pub problem: Option<String>,
    pub keychain_check: KeychainCheck,
    pub keychain_note: String,
}

/// How far the activity log was checked against its record in the keychain
/// (`warden_core::activity::OutsideCheck`): `agrees` with the newest entry; `behind` (agrees
/// with an earlier one, the newer ones are added with the next entry); `disagrees` (the log
/// was cut, deleted or rewritten: see `problem`); `not_anchored` (a new log, or one from an
/// earlier Warden); `unavailable` (the keychain could not be read, so this check was not
/// done); `not_used`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum KeychainCheck {
    Agrees,
    Behind,
    Disagrees,
    NotAnchored,
    Unavailable,
    NotUsed,
}

impl From<&core_activity::OutsideCheck> for KeychainCheck {
    fn from(c: &core_activity::OutsideCheck) -> Self {
        use core_activity::OutsideCheck as O;
        match c {
            O::Agrees { .. } => Self::Agrees,
            O::Behind { .. } => Self::Behind,
            O::Disagrees { .. } => Self::Disagrees,
            O::NotAnchored => Self::NotAnchored,
            O::Unavailable { .. } => Self::Unavailable,
            O::NotConfigured => Self::NotUsed,
        }
    }
}

/// The name of the event that tells the main window to read the session list again.
pub const SESSIONS_CHANGED_EVENT: &str = "sessions-changed";
/// The name of the event sent when an approval is answered or times out.
pub const APPROVAL_FINISHED_EVENT: &str = "approval-finished";

fn index_u32(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// The permissions in words with their risk flags, and every risk of the set (each
/// permission's, then the expiry's), most severe first — the core's description
/// (`warden_core::permissions::describe`), split per permission for the UI. Native
/// amounts are in the currency of `chain_id`.
pub fn permission_views(
    permissions: &[core_permissions::Permission],
    expiry_sec: u64,
    now: u64,
    chain_id: u32,
    tokens: &std::collections::HashMap<alloy_primitives::Address, core_permissions::TokenInfo>,
) -> (Vec<PermissionView>, Vec<RiskFlag>) {
    let currency = warden_core::chains::native_currency(chain_id);
    // Described alone with a short, valid expiry, a permission carries only its own risks.
    let neutral_expiry = now.saturating_add(60);
    let mut views = Vec::with_capacity(permissions.len());
    let mut all: Vec<(core_permissions::Severity, RiskFlag)> = Vec::new();
    for (i, p) in permissions.iter().enumerate() {
        let one = core_permissions::describe(std::slice::from_ref(p), neutral_expiry, now, currency, tokens);
        let risks: Vec<RiskFlag> = one
            .risks
            .iter()
            .map(|r| RiskFlag {
                severity: r.severity.into(),
                message: r.message.clone(),
                permission_index: Some(index_u32(i)),
            })
            .collect();
        all.extend(one.risks.iter().map(|r| r.severity).zip(risks.iter().cloned()));
        views.push(PermissionView {
            index: index_u32(i),
            kind: p.kind(),
            title: p.kind().title(currency.symbol),
            detail: one.permissions.into_iter().next().unwrap_or_default(),
            risks,
        });
    }
    let expiry = core_permissions::describe(&[], expiry_sec, now, currency, tokens);
    all.extend(
        expiry.risks.into_iter().map(|r| {
            (r.severity, RiskFlag { severity: r.severity.into(), message: r.message, permission_index: None })
        }),
    );
    all.sort_by_key(|(severity, _)| std::cmp::Reverse(*severity));
    (views, all.into_iter().map(|(_, r)| r).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{Address, U256};
    use std::collections::HashMap;

    const NOW: u64 = 1_800_000_000;

    #[test]
    fn views_carry_their_own_risks_and_the_set_carries_all() {
        let token = Address::repeat_byte(0x22);
        let permissions = vec![
            core_permissions::Permission::NativeTokenTransfer { allowance: U256::from(10u64).pow(U256::from(16u64)) },
            core_permissions::Permission::Erc20TokenTransfer { allowance: U256::MAX, address: token },
            core_permissions::Permission::ContractAccess { address: Address::repeat_byte(0x33) },
        ];
        let mut tokens = HashMap::new();
        tokens.insert(token, core_permissions::TokenInfo { symbol: "WDN".into(), decimals: 18 });
        let (views, risks) = permission_views(&permissions, 0, NOW, 31337, &tokens);
        assert_eq!(views.len(), 3);
        assert_eq!(views[0].title, "ETH spending limit");
        assert!(views[0].detail.contains("0.01 ETH"), "{}", views[0].detail);
        assert!(views[0].risks.is_empty());
        assert!(views[1].detail.contains("unlimited"), "{}", views[1].detail);
        assert!(!views[1].risks.is_empty(), "an unlimited allowance is flagged");
        assert!(views[1].risks.iter().all(|r| r.permission_index == Some(1)));
        // No expiry: a set-level flag, and the whole list is most severe first.
        assert!(risks.iter().any(|r| r.permission_index.is_none() && r.severity == Severity::Danger));
        let rank = |s: Severity| match s {
            Severity::Danger => 0,
            Severity::Warning => 1,
            Severity::Info => 2,
        };
        assert!(risks.windows(2).all(|w| rank(w[0].severity) <= rank(w[1].severity)));
    }

    #[test]
    fn native_amounts_are_in_the_chains_currency() {
        let tenth = U256::from(10u64).pow(U256::from(17u64));
        let permissions = vec![
            core_permissions::Permission::NativeTokenTransfer { allowance: tenth },
            core_permissions::Permission::GasLimit { limit: tenth },
        ];
        let (views, _) = permission_views(&permissions, NOW + 60, NOW, 137, &HashMap::new());
        assert_eq!(views[0].detail, "Send up to 0.1 POL in total");
        assert_eq!(views[1].detail, "Spend up to 0.1 POL on gas in total");
        let (views, _) = permission_views(&permissions, NOW + 60, NOW, 56, &HashMap::new());
        assert_eq!(views[0].detail, "Send up to 0.1 BNB in total");
    }
}
