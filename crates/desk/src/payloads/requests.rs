//! What the permission-request screens show (`commands::requests`): the request as checked,
//! and what became of its answer. The requester's name and justification are their words;
//! the UI shows them as text, marked as theirs.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use warden_core::permissions::Permission;

use super::sessions::{PermissionView, RiskFlag};
use super::{AccountType, Currency};

/// An opened `warden.request.v1`. `expirySecs`: how long the session should last, in
/// seconds; `validUntil`: unix seconds after which it can no longer be answered;
/// `permissionsWire`: each permission as asked (the adjustments start from these);
/// `serverKey`: the server's own key address, or null when Warden is to generate one and
/// seal it to the server; `onActiveChain`: whether the active backend is on its chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RequestView {
    pub request_id: String,
    pub requester_name: String,
    pub answer_host: String,
    pub answer_to: String,
    pub justification: String,
    pub chain_id: u32,
    pub chain_name: String,
    pub on_active_chain: bool,
    pub currency: Currency,
    pub permissions: Vec<PermissionView>,
    #[ts(as = "Vec<Permission>")]
    pub permissions_wire: Vec<serde_json::Value>,
    pub risks: Vec<RiskFlag>,
    #[ts(type = "number")]
    pub expiry_secs: u64,
    pub adjustable: bool,
    pub server_key: Option<String>,
    #[ts(type = "number")]
    pub valid_until: u64,
}

/// What the owner grants for a request: `permissions` are the ones asked, some dropped or
/// with a lower limit (when the request allows it); `durationSecs` at most what was asked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RequestGrant {
    pub request_id: String,
    pub label: String,
    pub account_type: AccountType,
    #[ts(as = "Vec<Permission>")]
    pub permissions: Vec<serde_json::Value>,
    #[ts(type = "number")]
    pub duration_secs: u64,
}

/// Payload of the `request-answered` event and result of `request_decline` /
/// `request_deliver`: whether the answer reached the server. When it did not, `detail`
/// says why and `request_deliver` sends it again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RequestDelivery {
    pub request_id: String,
    /// "approved" or "declined".
    pub decision: String,
    pub answer_host: String,
    pub delivered: bool,
    pub http_status: Option<u16>,
    pub detail: String,
}

/// Event: an answer to a request was sent (or could not be).
pub const REQUEST_ANSWERED_EVENT: &str = "request-answered";

/// The loopback intake (Settings): off, or listening at `url` for requests that present
/// `pairingCode`. `defaultPort`: where it listens unless asked otherwise.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct IntakeStatus {
    pub listening: bool,
    pub url: Option<String>,
    pub pairing_code: Option<String>,
    pub default_port: u16,
}
