//! What a session's modules would allow (protocol.md §6.2, §6.7), checked before an operation is
//! prepared and again before it runs.
//!
//! * TimeRangeModule: the time of the block the operation would be mined in (the node's
//!   next block, not its latest) must not be past `expirySec`.
//! * AllowlistModule (validation): with any allow-list permission, every call must target
//!   an allowed contract — `contract-access` (any function), `functions-on-contract` (those
//!   selectors), `erc20-token-transfer` (`transfer`/`approve`), or any target with a
//!   `functions-on-all-contracts` selector. Calls to the account itself need an
//!   `account-functions` selector. Without an allow-list only account functions are callable.
//! * NativeTokenLimitModule: the native value of all calls counts against the allowance;
//!   as the gas-limit hook, the operation's maximum gas cost counts unless a paymaster pays.
//! * AllowlistModule (ERC-20 spend limit): `transfer` and `approve` amounts count against
//!   the token's allowance.
//!
//! A permission type the session lacks imposes no limit, as on chain (no hook, no check);
//! root allows everything but expiry. Limits are charged by the caller only after the
//! calls succeeded.

use std::collections::BTreeMap;

use alloy_primitives::{Address, FixedBytes, U256};
use alloy_sol_types::{SolCall, sol};
use warden_core::api::Call;
use warden_core::mav2::constants::{SELECTOR_ERC20_APPROVE, SELECTOR_ERC20_TRANSFER};
use warden_core::permissions::ValidatedPermission;

use super::state::{Session, Usage};

sol! {
    function transfer(address to, uint256 amount);
    function approve(address spender, uint256 amount);
}

/// A session permission forbids the operation.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Violation {
    #[error("session expired: expirySec {expiry} is before the time of the next block {now}")]
    Expired { expiry: u64, now: u64 },
    #[error("session revoked: the owner uninstalled its validation (entity {entity_id})")]
    Uninstalled { entity_id: u32 },
    #[error(
        "session revoked: its deferred install nonce was consumed (the grant signed nonce {signed:#x}, the EntryPoint's next nonce for that key is {current:#x})"
    )]
    DeferredNonceConsumed { signed: U256, current: U256 },
    #[error("native-token-transfer allowance exceeded: requested {requested} wei, remaining {remaining} wei")]
    NativeAllowance { requested: U256, remaining: U256 },
    #[error("erc20-token-transfer allowance of token {token} exceeded: requested {requested}, remaining {remaining}")]
    Erc20Allowance { token: Address, requested: U256, remaining: U256 },
    #[error("gas-limit exceeded: the operation may cost up to {requested} wei in gas, remaining {remaining} wei")]
    GasLimit { requested: U256, remaining: U256 },
    #[error(
        "calls[{index}]: target {to} is not allowed for this session (no contract-access, functions-on-contract, erc20-token-transfer or functions-on-all-contracts permission covers it)"
    )]
    TargetNotAllowed { index: usize, to: Address },
    #[error("calls[{index}]: function {selector} on {to} is not allowed for this session")]
    FunctionNotAllowed { index: usize, to: Address, selector: String },
    #[error("calls[{index}]: account function {selector} is not granted (account-functions)")]
    AccountFunctionNotAllowed { index: usize, selector: String },
    #[error("calls[{index}]: erc20-token-transfer: the {function} call to token {token} does not decode: {reason}")]
    MalformedErc20Call { index: usize, token: Address, function: &'static str, reason: String },
}

/// What an operation would charge against a session's limits.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Spend {
    pub native: U256,
    pub erc20: BTreeMap<Address, U256>,
    pub gas: U256,
}

impl Usage {
    /// Adds a successful operation's spending.
    pub fn charge(&mut self, spend: &Spend) {
        self.native = self.native.saturating_add(spend.native);
        for (token, amount) in &spend.erc20 {
            let e = self.erc20.entry(*token).or_default();
            *e = e.saturating_add(*amount);
        }
        self.gas = self.gas.saturating_add(spend.gas);
    }
}

fn selector_text(data: &[u8]) -> String {
    match data.get(..4) {
        Some(s) => format!("0x{}", s.iter().map(|b| format!("{b:02x}")).collect::<String>()),
        None => "(none: empty call data)".into(),
    }
}

fn selector_of(call: &Call) -> Option<FixedBytes<4>> {
    call.data.as_ref().and_then(|d| d.get(..4)).map(FixedBytes::from_slice)
}

/// Checks expiry (against the next block's time, `now`) and revocation by uninstall.
pub fn check_live(session: &Session, now: u64) -> Result<(), Violation> {
    if session.revoked {
        return Err(Violation::Uninstalled { entity_id: session.entity_id });
    }
    if session.expiry_sec != 0 && now > session.expiry_sec {
        return Err(Violation::Expired { expiry: session.expiry_sec, now });
    }
    Ok(())
}

fn is_allowlisted(p: &ValidatedPermission) -> bool {
    matches!(
        p,
        ValidatedPermission::Erc20TokenTransfer { .. }
            | ValidatedPermission::ContractAccess { .. }
            | ValidatedPermission::FunctionsOnAllContracts { .. }
            | ValidatedPermission::FunctionsOnContract { .. }
    )
}

/// ERC-20 amount of a `transfer`/`approve` call.
fn erc20_amount(index: usize, token: Address, call: &Call) -> Result<U256, Violation> {
    let data = call.data.as_ref().map_or(&[][..], |b| &b[..]);
    let malformed = |function, e: alloy_sol_types::Error| Violation::MalformedErc20Call {
        index,
        token,
        function,
        reason: e.to_string(),
    };
    match data.get(..4) {
        Some(s) if s == SELECTOR_ERC20_TRANSFER => {
            transferCall::abi_decode(data).map(|c| c.amount).map_err(|e| malformed("transfer", e))
        }
        Some(s) if s == SELECTOR_ERC20_APPROVE => {
            approveCall::abi_decode(data).map(|c| c.amount).map_err(|e| malformed("approve", e))
        }
        _ => Ok(U256::ZERO),
    }
}

/// Checks `calls` (and the operation's maximum gas cost, `None` when sponsored) against the
/// session's permissions and usage; returns what success would charge.
pub fn check_calls(
    session: &Session,
    account: Address,
    calls: &[Call],
    max_gas_cost: Option<U256>,
) -> Result<Spend, Violation> {
    let mut spend = Spend {
        native: calls.iter().fold(U256::ZERO, |acc, c| acc.saturating_add(c.value.unwrap_or_default())),
        ..Spend::default()
    };
    let perms = &session.permissions;
    if session.is_root() {
        return Ok(spend);
    }
    let has_allowlist = perms.iter().any(is_allowlisted);
    let account_functions: Vec<FixedBytes<4>> = perms
        .iter()
        .filter_map(|p| match p {
            ValidatedPermission::AccountFunctions { functions } => Some(functions.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    let wildcard: Vec<FixedBytes<4>> = perms
        .iter()
        .filter_map(|p| match p {
            ValidatedPermission::FunctionsOnAllContracts { functions } => Some(functions.clone()),
            _ => None,
        })
        .flatten()
        .collect();

    for (index, call) in calls.iter().enumerate() {
        let selector = selector_of(call);
        let data = call.data.as_ref().map_or(&[][..], |b| &b[..]);
        if call.to == account {
            if !selector.is_some_and(|s| account_functions.contains(&s)) {
                return Err(Violation::AccountFunctionNotAllowed { index, selector: selector_text(data) });
            }
            continue;
        }
        if !has_allowlist {
            return Err(Violation::TargetNotAllowed { index, to: call.to });
        }
        let by_wildcard = selector.is_some_and(|s| wildcard.contains(&s));
        let target_rule = perms.iter().find_map(|p| match p {
            ValidatedPermission::ContractAccess { address } if *address == call.to => Some(true),
            ValidatedPermission::FunctionsOnContract { address, functions } if *address == call.to => {
                Some(selector.is_some_and(|s| functions.contains(&s)))
            }
            ValidatedPermission::Erc20TokenTransfer { token, .. } if *token == call.to => {
                Some(selector.is_some_and(|s| s.0 == SELECTOR_ERC20_TRANSFER || s.0 == SELECTOR_ERC20_APPROVE))
            }
            _ => None,
        });
        match (target_rule, by_wildcard) {
            (Some(true), _) | (_, true) => {}
            (Some(false), false) => {
                return Err(Violation::FunctionNotAllowed { index, to: call.to, selector: selector_text(data) });
            }
            (None, false) if !wildcard.is_empty() => {
                return Err(Violation::FunctionNotAllowed { index, to: call.to, selector: selector_text(data) });
            }
            (None, false) => return Err(Violation::TargetNotAllowed { index, to: call.to }),
        }
        if perms.iter().any(|p| matches!(p, ValidatedPermission::Erc20TokenTransfer { token, .. } if *token == call.to))
        {
            let amount = erc20_amount(index, call.to, call)?;
            let e = spend.erc20.entry(call.to).or_default();
            *e = e.saturating_add(amount);
        }
    }

    for p in perms {
        match p {
            ValidatedPermission::NativeTokenTransfer { allowance } => {
                let remaining = allowance.saturating_sub(session.usage.native);
                if spend.native > remaining {
                    return Err(Violation::NativeAllowance { requested: spend.native, remaining });
                }
            }
            ValidatedPermission::Erc20TokenTransfer { token, allowance } => {
                let requested = spend.erc20.get(token).copied().unwrap_or_default();
                let used = session.usage.erc20.get(token).copied().unwrap_or_default();
                let remaining = allowance.saturating_sub(used);
                if requested > remaining {
                    return Err(Violation::Erc20Allowance { token: *token, requested, remaining });
                }
            }
            ValidatedPermission::GasLimit { limit } => {
                if let Some(cost) = max_gas_cost {
                    let remaining = limit.saturating_sub(session.usage.gas);
                    if cost > remaining {
                        return Err(Violation::GasLimit { requested: cost, remaining });
                    }
                    spend.gas = cost;
                }
            }
            _ => {}
        }
    }
    Ok(spend)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use alloy_primitives::{B256, Bytes, address};

    const ACCOUNT: Address = address!("65b5DE0251f553B2208762a4724303E750294D96");
    const TOKEN: Address = address!("036CbD53842c5426634e7929541eC2318f3dCF7e");
    const DEX: Address = address!("1234567890123456789012345678901234567890");

    fn session(permissions: Vec<ValidatedPermission>) -> Session {
        Session {
            id: FixedBytes::ZERO,
            account: ACCOUNT,
            key: Address::ZERO,
            entity_id: 1,
            permissions,
            expiry_sec: 0,
            install_call: Bytes::new(),
            deferred_nonce: U256::ZERO,
            digest: B256::ZERO,
            installed: false,
            revoked: false,
            usage: Usage::default(),
        }
    }

    fn call(to: Address, value: u64, data: Vec<u8>) -> Call {
        Call { to, value: Some(U256::from(value)), data: Some(data.into()) }
    }

    #[test]
    fn native_allowance_counts_what_was_spent() {
        let mut s = session(vec![
            ValidatedPermission::NativeTokenTransfer { allowance: U256::from(3_000_000_000_000_000u64) },
            ValidatedPermission::ContractAccess { address: DEX },
        ]);
        s.usage.native = U256::from(2_000_000_000_000_000u64);
        let err = check_calls(&s, ACCOUNT, &[call(DEX, 2_000_000_000_000_000, vec![])], None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "native-token-transfer allowance exceeded: requested 2000000000000000 wei, remaining 1000000000000000 wei"
        );
        let ok = check_calls(&s, ACCOUNT, &[call(DEX, 1_000_000_000_000_000, vec![])], None).unwrap();
        assert_eq!(ok.native, U256::from(1_000_000_000_000_000u64));
    }

    #[test]
    fn erc20_transfer_and_approve_both_count() {
        let s = session(vec![ValidatedPermission::Erc20TokenTransfer { token: TOKEN, allowance: U256::from(100) }]);
        let t = transferCall { to: DEX, amount: U256::from(60) }.abi_encode();
        let a = approveCall { spender: DEX, amount: U256::from(50) }.abi_encode();
        let err = check_calls(&s, ACCOUNT, &[call(TOKEN, 0, t.clone()), call(TOKEN, 0, a)], None).unwrap_err();
        assert_eq!(
            err,
            Violation::Erc20Allowance { token: TOKEN, requested: U256::from(110), remaining: U256::from(100) }
        );
        let spend = check_calls(&s, ACCOUNT, &[call(TOKEN, 0, t)], None).unwrap();
        assert_eq!(spend.erc20[&TOKEN], U256::from(60));
        let other = check_calls(&s, ACCOUNT, &[call(TOKEN, 0, vec![0x23, 0xb8, 0x72, 0xdd])], None).unwrap_err();
        assert!(matches!(other, Violation::FunctionNotAllowed { index: 0, .. }), "{other}");
    }

    #[test]
    fn allow_lists_and_account_functions() {
        let s = session(vec![
            ValidatedPermission::FunctionsOnContract { address: DEX, functions: vec![FixedBytes([1, 2, 3, 4])] },
            ValidatedPermission::FunctionsOnAllContracts { functions: vec![FixedBytes([9, 9, 9, 9])] },
            ValidatedPermission::AccountFunctions { functions: vec![FixedBytes([7, 7, 7, 7])] },
        ]);
        assert!(check_calls(&s, ACCOUNT, &[call(DEX, 0, vec![1, 2, 3, 4])], None).is_ok());
        assert!(check_calls(&s, ACCOUNT, &[call(TOKEN, 0, vec![9, 9, 9, 9, 0])], None).is_ok());
        assert!(check_calls(&s, ACCOUNT, &[call(ACCOUNT, 0, vec![7, 7, 7, 7])], None).is_ok());
        let e = check_calls(&s, ACCOUNT, &[call(DEX, 0, vec![1, 2, 3, 5])], None).unwrap_err();
        assert_eq!(e.to_string(), format!("calls[0]: function 0x01020305 on {DEX} is not allowed for this session"));
        let e = check_calls(&s, ACCOUNT, &[call(ACCOUNT, 0, vec![8, 8, 8, 8])], None).unwrap_err();
        assert!(matches!(e, Violation::AccountFunctionNotAllowed { index: 0, .. }), "{e}");
        let only_access = session(vec![ValidatedPermission::ContractAccess { address: DEX }]);
        let e = check_calls(&only_access, ACCOUNT, &[call(DEX, 0, vec![]), call(TOKEN, 1, vec![])], None).unwrap_err();
        assert_eq!(e, Violation::TargetNotAllowed { index: 1, to: TOKEN });
    }

    #[test]
    fn gas_limit_counts_unless_sponsored_and_root_is_unlimited() {
        let mut s = session(vec![
            ValidatedPermission::GasLimit { limit: U256::from(1000) },
            ValidatedPermission::ContractAccess { address: DEX },
        ]);
        s.usage.gas = U256::from(900);
        let e = check_calls(&s, ACCOUNT, &[call(DEX, 0, vec![])], Some(U256::from(200))).unwrap_err();
        assert_eq!(e, Violation::GasLimit { requested: U256::from(200), remaining: U256::from(100) });
        assert_eq!(check_calls(&s, ACCOUNT, &[call(DEX, 0, vec![])], None).unwrap().gas, U256::ZERO);
        let root = session(vec![ValidatedPermission::Root]);
        assert!(check_calls(&root, ACCOUNT, &[call(TOKEN, u64::MAX, vec![1])], Some(U256::MAX)).is_ok());
    }

    #[test]
    fn expiry_and_uninstall() {
        let mut s = session(vec![ValidatedPermission::Root]);
        s.expiry_sec = 100;
        assert!(check_live(&s, 100).is_ok());
        assert_eq!(check_live(&s, 101).unwrap_err(), Violation::Expired { expiry: 100, now: 101 });
        s.revoked = true;
        assert_eq!(check_live(&s, 0).unwrap_err(), Violation::Uninstalled { entity_id: 1 });
    }
}
