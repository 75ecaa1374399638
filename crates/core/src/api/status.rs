//! `wallet_getCallsStatus` (protocol.md §4.6): where a sent call is, with its receipts once it
//! landed.
//!
//! The status is a JSON integer. Codes protocol.md §4.6 does not list are kept (not refused), and
//! classified by their hundred as viem does, so a poller still knows whether to go on.

use std::fmt;

use alloy_primitives::{Address, B256, Bytes, U256};
use serde::{Deserialize, Serialize};

use super::Call;
use crate::wire;

/// `wallet_getCallsStatus` params element: the call id from `wallet_sendPreparedCalls`.
pub type CallId = Bytes;

/// `wallet_getCallsStatus` result (EVM).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetCallsStatusResult {
    pub id: Bytes,
    #[serde(with = "wire::hex_u32")]
    pub chain_id: u32,
    pub atomic: bool,
    pub status: CallStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipts: Option<Vec<CallReceipt>>,
    pub details: StatusDetails,
}

/// A status code (protocol.md §4.6 table). Unknown codes are kept as they are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CallStatus(pub u32);

impl CallStatus {
    pub const PENDING: Self = Self(100);
    pub const PRECONFIRMED: Self = Self(110);
    pub const PRECONFIRMED_ONCHAIN_FAILURE: Self = Self(115);
    pub const PRECONFIRMED_PARTIAL_FAILURE: Self = Self(116);
    pub const CROSS_CHAIN_IN_PROGRESS: Self = Self(120);
    pub const CONFIRMED: Self = Self(200);
    pub const OFFCHAIN_FAILURE: Self = Self(400);
    pub const CROSS_CHAIN_REFUNDED: Self = Self(410);
    pub const ONCHAIN_FAILURE: Self = Self(500);
    pub const PARTIAL_ONCHAIN_FAILURE: Self = Self(600);

    /// The name protocol.md §4.6 gives a known code.
    pub fn name(self) -> Option<&'static str> {
        Some(match self {
            Self::PENDING => "pending",
            Self::PRECONFIRMED => "preconfirmed",
            Self::PRECONFIRMED_ONCHAIN_FAILURE => "preconfirmed onchain failure",
            Self::PRECONFIRMED_PARTIAL_FAILURE => "preconfirmed partial failure",
            Self::CROSS_CHAIN_IN_PROGRESS => "cross-chain in progress",
            Self::CONFIRMED => "confirmed",
            Self::OFFCHAIN_FAILURE => "offchain failure",
            Self::CROSS_CHAIN_REFUNDED => "cross-chain refunded",
            Self::ONCHAIN_FAILURE => "onchain failure",
            Self::PARTIAL_ONCHAIN_FAILURE => "partial onchain failure",
            _ => return None,
        })
    }

    /// 1xx: not settled yet; keep polling.
    pub fn is_pending(self) -> bool {
        self.0 < 200
    }

    /// ≥ 200: settled; polling can stop.
    pub fn is_terminal(self) -> bool {
        !self.is_pending()
    }

    /// 2xx: executed without reverts.
    pub fn is_success(self) -> bool {
        (200..300).contains(&self.0)
    }

    /// ≥ 300: not executed, reverted, or refunded.
    pub fn is_failure(self) -> bool {
        self.0 >= 300
    }
}

impl fmt::Display for CallStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "{} ({name})", self.0),
            None => write!(f, "{} (unknown)", self.0),
        }
    }
}

/// Receipt of the transaction that carried the call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallReceipt {
    pub logs: Vec<ReceiptLog>,
    /// `0x1` success, `0x0` reverted (of the bundle transaction, not of the call).
    #[serde(with = "wire::hex_u32")]
    pub status: u32,
    pub block_hash: B256,
    #[serde(with = "wire::hex_u32")]
    pub block_number: u32,
    #[serde(with = "wire::quantity")]
    pub gas_used: U256,
    pub transaction_hash: B256,
}

/// An event log; the API writes its address in lower case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptLog {
    #[serde(with = "wire::lower_address")]
    pub address: Address,
    pub data: Bytes,
    pub topics: Vec<B256>,
}

/// What was sent, and how far it got.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum StatusDetails {
    #[serde(rename = "user-operation")]
    UserOperation { data: UserOperationStatus },
    /// Only a 7702 authorization was sent.
    #[serde(rename = "delegation", rename_all = "camelCase")]
    Delegation {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tx_hash: Option<B256>,
    },
}

/// userOpHash, its calls, and the bundle it is in while pending.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserOperationStatus {
    pub hash: B256,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calls: Option<Vec<Call>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_bundle: Option<PendingBundle>,
}

/// The bundle transaction a pending operation was sent in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingBundle {
    pub tx_hash: B256,
    #[serde(with = "wire::hex_u32")]
    pub sent_at_block: u32,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn status_classes() {
        assert!(CallStatus::PENDING.is_pending() && !CallStatus::PENDING.is_terminal());
        assert!(CallStatus::CROSS_CHAIN_IN_PROGRESS.is_pending());
        assert!(CallStatus::CONFIRMED.is_terminal() && CallStatus::CONFIRMED.is_success());
        for failed in [CallStatus::OFFCHAIN_FAILURE, CallStatus::ONCHAIN_FAILURE, CallStatus::PARTIAL_ONCHAIN_FAILURE] {
            assert!(failed.is_terminal() && failed.is_failure() && !failed.is_success(), "{failed}");
        }
        assert_eq!(CallStatus(700).to_string(), "700 (unknown)");
        assert_eq!(CallStatus::CONFIRMED.to_string(), "200 (confirmed)");
    }

    #[test]
    fn status_is_a_json_integer_and_unknown_codes_are_kept() {
        let s: CallStatus = serde_json::from_value(json!(301)).unwrap();
        assert_eq!(s, CallStatus(301));
        assert!(s.is_failure() && s.name().is_none());
        assert_eq!(serde_json::to_value(s).unwrap(), json!(301));
        for bad in [json!("200"), json!(-1), json!(200.5)] {
            assert!(serde_json::from_value::<CallStatus>(bad.clone()).is_err(), "{bad}");
        }
    }

    #[test]
    fn delegation_details_may_carry_a_tx_hash() {
        let hash = "0xabababababababababababababababababababababababababababababababab";
        let d: StatusDetails = serde_json::from_value(json!({"type": "delegation", "txHash": hash})).unwrap();
        assert_eq!(d, StatusDetails::Delegation { tx_hash: Some(hash.parse().unwrap()) });
        let err = serde_json::from_value::<StatusDetails>(json!({"type": "bundle"})).unwrap_err();
        assert!(err.to_string().contains("unknown variant `bundle`"), "{err}");
    }
}
