//! What became of a call: [`CallOutcome`], read from a `wallet_getCallsStatus` answer.

use alloy_primitives::{B256, Bytes};
use serde::Serialize;
use serde_json::Value;

use crate::api::{CallReceipt, CallStatus, GetCallsStatus, GetCallsStatusResult, RpcMethod, StatusDetails};

/// A sent call and where it is: its id, status, transaction hashes and receipts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CallOutcome {
    /// The id `wallet_getCallsStatus` takes.
    pub call_id: Bytes,
    /// The status code (protocol.md §4.6); ≥ 200 is final.
    pub status: CallStatus,
    /// The user operation's hash, when the endpoint reports it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_op_hash: Option<B256>,
    /// Hashes of the transactions that carried the call (from the receipts, or the pending
    /// bundle while not yet final), in order, without repeats.
    pub transaction_hashes: Vec<B256>,
    /// The receipts, once the endpoint has them.
    pub receipts: Vec<CallReceipt>,
    /// Why the calls reverted, when the endpoint says (the devnet's `revertReason`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revert_reason: Option<String>,
}

impl CallOutcome {
    /// An outcome from a status answer; `raw` is the JSON it was parsed from (for the
    /// fields the official schema does not have, such as the devnet's `revertReason`).
    pub fn from_status(status: GetCallsStatusResult, raw: &Value) -> Self {
        let receipts = status.receipts.unwrap_or_default();
        let mut transaction_hashes: Vec<B256> = Vec::new();
        let mut push = |h: B256| {
            if !transaction_hashes.contains(&h) {
                transaction_hashes.push(h);
            }
        };
        receipts.iter().for_each(|r| push(r.transaction_hash));
        let user_op_hash = match &status.details {
            StatusDetails::UserOperation { data } => {
                if let Some(bundle) = &data.pending_bundle {
                    push(bundle.tx_hash);
                }
                Some(data.hash)
            }
            StatusDetails::Delegation { tx_hash } => {
                tx_hash.iter().copied().for_each(&mut push);
                None
            }
        };
        let revert_reason = raw.get("revertReason").and_then(Value::as_str).map(str::to_owned);
        Self { call_id: status.id, status: status.status, user_op_hash, transaction_hashes, receipts, revert_reason }
    }

    /// Parses a raw `wallet_getCallsStatus` result.
    pub fn parse(raw: Value) -> Result<Self, crate::api::ApiError> {
        let status = GetCallsStatus::parse_result(raw.clone())?;
        Ok(Self::from_status(status, &raw))
    }

    /// The first transaction hash, if any.
    pub fn transaction_hash(&self) -> Option<B256> {
        self.transaction_hashes.first().copied()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn hashes_and_revert_reason_come_from_the_answer() {
        let tx = "0x1111111111111111111111111111111111111111111111111111111111111111";
        let op = "0x2222222222222222222222222222222222222222222222222222222222222222";
        let receipt = json!({"logs": [], "status": "0x1", "blockHash": op, "blockNumber": "0x5", "gasUsed": "0x5208", "transactionHash": tx});
        let raw = json!({
            "id": "0x01", "chainId": "0x7a69", "atomic": true, "status": 500,
            "receipts": [receipt.clone(), receipt],
            "details": {"type": "user-operation", "data": {"hash": op}},
            "revertReason": "calls[0]: execution reverted"
        });
        let o = CallOutcome::parse(raw).unwrap();
        assert_eq!(o.status, CallStatus::ONCHAIN_FAILURE);
        assert_eq!(o.transaction_hashes, vec![tx.parse::<B256>().unwrap()]);
        assert_eq!(o.user_op_hash, Some(op.parse().unwrap()));
        assert_eq!(o.revert_reason.as_deref(), Some("calls[0]: execution reverted"));
        assert_eq!(serde_json::to_value(&o).unwrap()["status"], json!(500));
    }

    #[test]
    fn a_pending_bundle_gives_its_transaction() {
        let tx = "0x3333333333333333333333333333333333333333333333333333333333333333";
        let raw = json!({
            "id": "0x01", "chainId": "0x1", "atomic": true, "status": 100,
            "details": {"type": "user-operation", "data": {"hash": tx, "pendingBundle": {"txHash": tx, "sentAtBlock": "0x1"}}}
        });
        let o = CallOutcome::parse(raw).unwrap();
        assert_eq!(o.transaction_hash(), Some(tx.parse().unwrap()));
        assert!(o.receipts.is_empty() && o.revert_reason.is_none());
    }
}
