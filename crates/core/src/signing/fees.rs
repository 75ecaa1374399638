//! Bounds on what an endpoint may charge: the gas and fee fields of a prepared user
//! operation are the endpoint's choice, so they are checked against limits that do not
//! come from the endpoint before any key signs.
//!
//! An endpoint that inflates `maxFeePerGas` or the gas limits makes the account (or the
//! gas policy) pay up to (all gas limits) × `maxFeePerGas` to the bundler, and the owner or
//! session key would sign it if only the calls were checked. [`FeeBounds`] says what is
//! acceptable: a ceiling on that maximum cost (a default of 0.05 of the native currency, the
//! session's `gas-limit` when it has one, or what the person set), a ceiling on any single
//! gas limit, `maxPriorityFeePerGas` never above `maxFeePerGas`, and — when a gas policy was
//! asked and the answer claims sponsorship — a paymaster actually named in the operation.
//!
//! Left out: judging whether a fee is fair for the chain's current prices (that would need
//! a price source the endpoint does not control; the ceiling is the guard instead).

use alloy_primitives::U256;

use crate::api::{UserOperationV06, UserOperationV07};

/// 0.05 of a native currency with 18 decimals (every chain of the registry): a session call
/// or owner operation costs far less on any chain at ordinary prices.
pub const DEFAULT_MAX_COST_WEI: u128 = 50_000_000_000_000_000;

/// No single gas limit of a user operation is ever this high in practice (block gas limits
/// are 30–60 million; L2 `preVerificationGas` stays in the millions).
pub const MAX_SINGLE_GAS_LIMIT: u64 = 100_000_000;

/// What the fee fields of a prepared operation may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FeeBounds {
    /// The most one operation may cost in gas, in wei.
    pub max_cost: U256,
    /// The most any single gas limit may be.
    pub max_gas_limit: U256,
    /// A gas policy was asked for: an operation claiming sponsorship must name a paymaster.
    pub sponsorship_asked: bool,
}

impl Default for FeeBounds {
    fn default() -> Self {
        Self {
            max_cost: U256::from(DEFAULT_MAX_COST_WEI),
            max_gas_limit: U256::from(MAX_SINGLE_GAS_LIMIT),
            sponsorship_asked: false,
        }
    }
}

impl FeeBounds {
    /// The same bounds with a lower maximum cost when `cap` is lower (e.g. a session's
    /// `gas-limit` allowance).
    pub fn capped_at(mut self, cap: U256) -> Self {
        self.max_cost = self.max_cost.min(cap);
        self
    }

    /// The same bounds with this maximum cost.
    pub fn with_max_cost(mut self, max_cost: U256) -> Self {
        self.max_cost = max_cost;
        self
    }

    /// Problems of a v0.7 operation, as (field, expected, got).
    pub fn check_v07(&self, op: &UserOperationV07, claims_sponsored: bool) -> Vec<(String, String, String)> {
        let mut out = Vec::new();
        let limits = [
            ("callGasLimit", op.call_gas_limit),
            ("verificationGasLimit", op.verification_gas_limit),
            ("preVerificationGas", op.pre_verification_gas),
            ("paymasterVerificationGasLimit", op.paymaster_verification_gas_limit.unwrap_or_default()),
            ("paymasterPostOpGasLimit", op.paymaster_post_op_gas_limit.unwrap_or_default()),
        ];
        self.common(&mut out, &limits, op.max_fee_per_gas, op.max_priority_fee_per_gas, op.max_gas_cost());
        if self.sponsorship_asked && claims_sponsored && op.paymaster.is_none_or(|p| p.is_zero()) {
            out.push((
                "data.paymaster".into(),
                "the paymaster of the gas policy (the answer says the operation is sponsored)".into(),
                "none: the account would pay".into(),
            ));
        }
        out
    }

    /// Problems of a v0.6 operation, as (field, expected, got).
    pub fn check_v06(&self, op: &UserOperationV06, claims_sponsored: bool) -> Vec<(String, String, String)> {
        let mut out = Vec::new();
        let limits = [
            ("callGasLimit", op.call_gas_limit),
            ("verificationGasLimit", op.verification_gas_limit),
            ("preVerificationGas", op.pre_verification_gas),
        ];
        let gas = limits.iter().fold(U256::ZERO, |a, (_, g)| a.saturating_add(*g));
        // v0.6 reserves three times the verification gas when a paymaster is used.
        let gas = if op.paymaster_and_data.is_empty() {
            gas
        } else {
            gas.saturating_add(op.verification_gas_limit.saturating_mul(U256::from(2)))
        };
        let cost = gas.saturating_mul(op.max_fee_per_gas);
        self.common(&mut out, &limits, op.max_fee_per_gas, op.max_priority_fee_per_gas, cost);
        if self.sponsorship_asked && claims_sponsored && op.paymaster_and_data.len() < 20 {
            out.push((
                "data.paymasterAndData".into(),
                "the paymaster of the gas policy (the answer says the operation is sponsored)".into(),
                "none: the account would pay".into(),
            ));
        }
        out
    }

    fn common(
        &self,
        out: &mut Vec<(String, String, String)>,
        limits: &[(&str, U256)],
        max_fee: U256,
        max_priority_fee: U256,
        cost: U256,
    ) {
        for (name, value) in limits {
            if *value > self.max_gas_limit {
                out.push((format!("data.{name}"), format!("at most {}", self.max_gas_limit), value.to_string()));
            }
        }
        if max_priority_fee > max_fee {
            out.push((
                "data.maxPriorityFeePerGas".into(),
                format!("at most maxFeePerGas ({max_fee})"),
                max_priority_fee.to_string(),
            ));
        }
        if cost > self.max_cost {
            out.push((
                "maximum gas cost".into(),
                format!("at most {} wei (the fee ceiling)", self.max_cost),
                format!("{cost} wei"),
            ));
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use alloy_primitives::Address;

    fn op(gas: u64, max_fee: u64, priority: u64) -> UserOperationV07 {
        serde_json::from_value(serde_json::json!({
            "sender": Address::ZERO, "nonce": "0x0", "callData": "0x",
            "callGasLimit": format!("{gas:#x}"), "verificationGasLimit": format!("{gas:#x}"),
            "preVerificationGas": format!("{gas:#x}"), "maxFeePerGas": format!("{max_fee:#x}"),
            "maxPriorityFeePerGas": format!("{priority:#x}")
        }))
        .unwrap()
    }

    #[test]
    fn ordinary_fees_pass() {
        // 3 × 200k gas at 30 gwei: 0.018 ETH.
        assert!(FeeBounds::default().check_v07(&op(200_000, 30_000_000_000, 1_000_000_000), false).is_empty());
    }

    #[test]
    fn inflated_fees_are_named() {
        let b = FeeBounds::default();
        let found = b.check_v07(&op(200_000, 1_000_000_000_000, 1), false);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "maximum gas cost");
        assert!(found[0].2.starts_with("600000000000000000 "), "{found:?}");
        let found = b.check_v07(&op(200_000_000, 1, 1), false);
        assert!(found.iter().any(|f| f.0 == "data.callGasLimit"), "{found:?}");
        let found = b.check_v07(&op(100_000, 10, 11), false);
        assert_eq!(found[0].0, "data.maxPriorityFeePerGas");
        // A lower cap (a session's gas-limit) wins over the default.
        let capped = b.capped_at(U256::from(1_000u64));
        assert!(capped.check_v07(&op(100_000, 1, 1), false).iter().any(|f| f.0 == "maximum gas cost"));
    }

    #[test]
    fn claimed_sponsorship_needs_a_paymaster() {
        let b = FeeBounds { sponsorship_asked: true, ..FeeBounds::default() };
        let found = b.check_v07(&op(100_000, 1, 1), true);
        assert_eq!(found[0].0, "data.paymaster");
        assert!(b.check_v07(&op(100_000, 1, 1), false).is_empty());
        let mut sponsored = op(100_000, 1, 1);
        sponsored.paymaster = Some(Address::repeat_byte(0x22));
        assert!(b.check_v07(&sponsored, true).is_empty());
    }
}
