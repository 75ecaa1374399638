//! What a session's modules would allow (protocol.md §6.2, §6.7), checked before an operation is
//! prepared and again before it runs, and how each refusal looks on chain.
//!
//! * TimeRangeModule: the time of the block the operation would be mined in (the node's
//!   next block, not its latest) must not be past `expirySec`.
//! * AllowlistModule (validation hook): with any allow-list permission, every call must
//!   target an allowed contract — `contract-access` (any function), `functions-on-contract`
//!   (those selectors), `erc20-token-transfer` (`transfer`/`approve`), or any target with a
//!   `functions-on-all-contracts` selector. Calls to the account itself need an
//!   `account-functions` selector (the account checks that itself). Without an allow-list
//!   only account functions are callable.
//! * NativeTokenLimitModule: as an execution hook the native value of all calls counts
//!   against the allowance; as the gas-limit validation hook (on the session's hook
//!   entity), the operation's maximum gas cost counts unless a paymaster pays.
//! * AllowlistModule (execution hook, hook entity): `transfer` and `approve` amounts count
//!   against the token's ERC-20 allowance.
//!
//! Each [`Violation`] knows its phase — validation (the bundler refuses: AA23, AA22, AA25)
//! or execution (the calls revert) — and the revert data real MAv2 raises for it
//! (`warden_core::mav2::reverts`): a hook's error wrapped by the account in
//! `PreUserOpValidationHookReverted` / `PreExecHookReverted` with the module and entity,
//! or the account's own `ValidationFunctionMissing`.
//!
//! A permission type the session lacks imposes no limit, as on chain (no hook, no check);
//! root allows everything but expiry. Limits are charged by the caller: the gas limit once
//! validation passed (the hook counts it then), value and ERC-20 amounts only when the calls
//! succeeded (their hooks run inside the execution that reverts).

use std::collections::BTreeMap;

use alloy_primitives::{Address, FixedBytes, U256};
use alloy_sol_types::{SolCall, sol};
use warden_core::api::Call;
use warden_core::mav2::constants::{
    ALLOWLIST_MODULE, HOOK_ENTITY_OFFSET, NATIVE_TOKEN_LIMIT_MODULE, SELECTOR_ERC20_APPROVE, SELECTOR_ERC20_TRANSFER,
};
use warden_core::mav2::reverts::{AccountRevert, ModuleEntity, ModuleRevert};
use warden_core::permissions::ValidatedPermission;

use super::state::{Session, Usage};

sol! {
    function transfer(address to, uint256 amount);
    function approve(address spender, uint256 amount);
}

/// Where in the EntryPoint's handling a violation stops an operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// The account's `validateUserOp` reverts: the bundler refuses (AA23).
    Validation,
    /// The validation data's time range is over: the bundler refuses (AA22).
    TimeRange,
    /// The EntryPoint's nonce check fails: the bundler refuses (AA25).
    Nonce,
    /// The calls' execution reverts: refused while estimating, a failed operation once sent.
    Execution,
}

/// A session permission forbids the operation.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Violation {
    #[error("session expired: expirySec {expiry} is before the time of the next block {now}")]
    Expired { expiry: u64, now: u64 },
    /// After `uninstallValidation` the validation applies to no selector: the account
    /// refuses `executeBatch` with `ValidationFunctionMissing` (AA23).
    #[error("session revoked: the owner uninstalled its validation (entity {entity_id})")]
    Uninstalled { entity_id: u32 },
    /// The session's first operation carries the deferred action with the userOp nonce the
    /// grant signed. The owner cancels an unused grant with `EntryPoint.incrementNonce` on
    /// that key, so the account's validation still passes (its own deferred-action nonce
    /// bitmap is untouched) and the EntryPoint's nonce check after it fails: AA25, not AA23.
    #[error(
        "session revoked: its grant was cancelled before first use: its deferred install nonce was consumed (the grant signed nonce {signed:#x}, the EntryPoint's next nonce for that key is {current:#x})"
    )]
    DeferredNonceConsumed { signed: U256, current: U256 },
    #[error("native-token-transfer allowance exceeded: requested {requested} wei, remaining {remaining} wei")]
    NativeAllowance { entity_id: u32, requested: U256, remaining: U256 },
    #[error("erc20-token-transfer allowance of token {token} exceeded: requested {requested}, remaining {remaining}")]
    Erc20Allowance { hook_entity: u32, token: Address, requested: U256, remaining: U256 },
    #[error("gas-limit exceeded: the operation may cost up to {requested} wei in gas, remaining {remaining} wei")]
    GasLimit { hook_entity: u32, requested: U256, remaining: U256 },
    #[error(
        "calls[{index}]: target {to} is not allowed for this session (no contract-access, functions-on-contract, erc20-token-transfer or functions-on-all-contracts permission covers it)"
    )]
    TargetNotAllowed { entity_id: u32, index: usize, to: Address },
    #[error("calls[{index}]: function {selector} on {to} is not allowed for this session")]
    FunctionNotAllowed { entity_id: u32, index: usize, to: Address, selector: FixedBytes<4> },
    #[error("calls[{index}]: account function {selector} is not granted (account-functions)")]
    AccountFunctionNotAllowed { index: usize, selector: FixedBytes<4> },
    #[error("calls[{index}]: erc20-token-transfer: the {function} call to token {token} does not decode: {reason}")]
    MalformedErc20Call { hook_entity: u32, index: usize, token: Address, function: &'static str, reason: String },
}

impl Violation {
    /// Where the EntryPoint stops the operation.
    pub fn phase(&self) -> Phase {
        match self {
            Self::Expired { .. } => Phase::TimeRange,
            Self::DeferredNonceConsumed { .. } => Phase::Nonce,
            Self::NativeAllowance { .. } | Self::Erc20Allowance { .. } | Self::MalformedErc20Call { .. } => {
                Phase::Execution
            }
            Self::Uninstalled { .. }
            | Self::GasLimit { .. }
            | Self::TargetNotAllowed { .. }
            | Self::FunctionNotAllowed { .. }
            | Self::AccountFunctionNotAllowed { .. } => Phase::Validation,
        }
    }

    /// The revert data the account raises, for the violations that revert.
    pub fn revert(&self) -> Option<AccountRevert> {
        let ntl = |entity| ModuleEntity::new(NATIVE_TOKEN_LIMIT_MODULE, entity);
        let allow = |entity| ModuleEntity::new(ALLOWLIST_MODULE, entity);
        Some(match self {
            Self::Expired { .. } | Self::DeferredNonceConsumed { .. } => return None,
            Self::Uninstalled { .. } => AccountRevert::ValidationFunctionMissing {
                selector: FixedBytes(warden_core::mav2::constants::SELECTOR_EXECUTE_BATCH),
            },
            Self::NativeAllowance { entity_id, .. } => {
                AccountRevert::PreExecHook { hook: ntl(*entity_id), reason: ModuleRevert::ExceededNativeTokenLimit }
            }
            Self::Erc20Allowance { hook_entity, .. } => {
                AccountRevert::PreExecHook { hook: allow(*hook_entity), reason: ModuleRevert::ExceededTokenLimit }
            }
            Self::MalformedErc20Call { hook_entity, .. } => AccountRevert::PreExecHook {
                hook: allow(*hook_entity),
                reason: ModuleRevert::Other(Default::default()),
            },
            Self::GasLimit { hook_entity, .. } => AccountRevert::PreUserOpValidationHook {
                hook: ntl(*hook_entity),
                reason: ModuleRevert::ExceededNativeTokenLimit,
            },
            Self::TargetNotAllowed { entity_id, .. } => AccountRevert::PreUserOpValidationHook {
                hook: allow(*entity_id),
                reason: ModuleRevert::AddressNotAllowed,
            },
            Self::FunctionNotAllowed { entity_id, .. } => AccountRevert::PreUserOpValidationHook {
                hook: allow(*entity_id),
                reason: ModuleRevert::SelectorNotAllowed,
            },
            Self::AccountFunctionNotAllowed { selector, .. } => {
                AccountRevert::ValidationFunctionMissing { selector: *selector }
            }
        })
    }
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

/// The call's selector; short call data reads as zero-padded, as the account reads it.
fn selector_or_zero(data: &[u8]) -> FixedBytes<4> {
    let mut s = [0u8; 4];
    for (d, b) in s.iter_mut().zip(data) {
        *d = *b;
    }
    FixedBytes(s)
}

fn selector_of(call: &Call) -> Option<FixedBytes<4>> {
    call.data.as_ref().and_then(|d| d.get(..4)).map(FixedBytes::from_slice)
}

/// The entity id of the session's second hook of one module (gas limit, ERC-20 limits).
fn hook_entity(session: &Session) -> u32 {
    session.entity_id.wrapping_add(HOOK_ENTITY_OFFSET)
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
fn erc20_amount(hook_entity: u32, index: usize, token: Address, call: &Call) -> Result<U256, Violation> {
    let data = call.data.as_ref().map_or(&[][..], |b| &b[..]);
    let malformed = |function, e: alloy_sol_types::Error| Violation::MalformedErc20Call {
        hook_entity,
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

/// Checks `calls` against the session in the order the EntryPoint meets its modules:
/// validation first ([`check_validation`]), then execution ([`check_execution`]); returns
/// what success would charge. What preparing an operation checks.
pub fn check_calls(
    session: &Session,
    account: Address,
    calls: &[Call],
    max_gas_cost: Option<U256>,
) -> Result<Spend, Violation> {
    let gas = check_validation(session, account, calls, max_gas_cost)?;
    let mut spend = check_execution(session, calls)?;
    spend.gas = gas;
    Ok(spend)
}

/// The validation phase: the allow-list hook, the account's own selector check for calls
/// to itself, and the gas-limit hook against the operation's maximum gas cost (`None` when a
/// paymaster pays). Returns the gas the hook charges.
pub fn check_validation(
    session: &Session,
    account: Address,
    calls: &[Call],
    max_gas_cost: Option<U256>,
) -> Result<U256, Violation> {
    let perms = &session.permissions;
    if session.is_root() {
        return Ok(U256::ZERO);
    }
    let entity_id = session.entity_id;
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
                return Err(Violation::AccountFunctionNotAllowed { index, selector: selector_or_zero(data) });
            }
            continue;
        }
        if !has_allowlist {
            return Err(Violation::TargetNotAllowed { entity_id, index, to: call.to });
        }
        let by_wildcard = selector.is_some_and(|s| wildcard.contains(&s));
        let function_not_allowed =
            || Violation::FunctionNotAllowed { entity_id, index, to: call.to, selector: selector_or_zero(data) };
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
            (Some(false), false) => return Err(function_not_allowed()),
            (None, false) if !wildcard.is_empty() => return Err(function_not_allowed()),
            (None, false) => return Err(Violation::TargetNotAllowed { entity_id, index, to: call.to }),
        }
    }

    let mut gas = U256::ZERO;
    for p in perms {
        if let (ValidatedPermission::GasLimit { limit }, Some(cost)) = (p, max_gas_cost) {
            let remaining = limit.saturating_sub(session.usage.gas);
            if cost > remaining {
                return Err(Violation::GasLimit { hook_entity: hook_entity(session), requested: cost, remaining });
            }
            gas = cost;
        }
    }
    Ok(gas)
}

/// The execution phase: the native-limit hook against the calls' value, and the ERC-20
/// spend-limit hook against `transfer`/`approve` amounts. Returns what success charges.
pub fn check_execution(session: &Session, calls: &[Call]) -> Result<Spend, Violation> {
    let mut spend = Spend {
        native: calls.iter().fold(U256::ZERO, |acc, c| acc.saturating_add(c.value.unwrap_or_default())),
        ..Spend::default()
    };
    let perms = &session.permissions;
    if session.is_root() {
        return Ok(spend);
    }
    let hook_entity = hook_entity(session);
    for (index, call) in calls.iter().enumerate() {
        if perms.iter().any(|p| matches!(p, ValidatedPermission::Erc20TokenTransfer { token, .. } if *token == call.to))
        {
            let amount = erc20_amount(hook_entity, index, call.to, call)?;
            let e = spend.erc20.entry(call.to).or_default();
            *e = e.saturating_add(amount);
        }
    }
    for p in perms {
        match p {
            ValidatedPermission::NativeTokenTransfer { allowance } => {
                let remaining = allowance.saturating_sub(session.usage.native);
                if spend.native > remaining {
                    return Err(Violation::NativeAllowance {
                        entity_id: session.entity_id,
                        requested: spend.native,
                        remaining,
                    });
                }
            }
            ValidatedPermission::Erc20TokenTransfer { token, allowance } => {
                let requested = spend.erc20.get(token).copied().unwrap_or_default();
                let used = session.usage.erc20.get(token).copied().unwrap_or_default();
                let remaining = allowance.saturating_sub(used);
                if requested > remaining {
                    return Err(Violation::Erc20Allowance { hook_entity, token: *token, requested, remaining });
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
            Violation::Erc20Allowance {
                hook_entity: 0x8000_0000,
                token: TOKEN,
                requested: U256::from(110),
                remaining: U256::from(100)
            }
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
        assert_eq!(e, Violation::TargetNotAllowed { entity_id: 1, index: 1, to: TOKEN });
    }

    #[test]
    fn gas_limit_counts_unless_sponsored_and_root_is_unlimited() {
        let mut s = session(vec![
            ValidatedPermission::GasLimit { limit: U256::from(1000) },
            ValidatedPermission::ContractAccess { address: DEX },
        ]);
        s.usage.gas = U256::from(900);
        let e = check_calls(&s, ACCOUNT, &[call(DEX, 0, vec![])], Some(U256::from(200))).unwrap_err();
        assert_eq!(
            e,
            Violation::GasLimit { hook_entity: 0x8000_0000, requested: U256::from(200), remaining: U256::from(100) }
        );
        assert_eq!(check_calls(&s, ACCOUNT, &[call(DEX, 0, vec![])], None).unwrap().gas, U256::ZERO);
        let root = session(vec![ValidatedPermission::Root]);
        assert!(check_calls(&root, ACCOUNT, &[call(TOKEN, u64::MAX, vec![1])], Some(U256::MAX)).is_ok());
    }

    /// Each violation carries the revert real MAv2 raises, with the module and entity.
    #[test]
    fn violations_carry_the_modules_revert_and_phase() {
        use warden_core::mav2::reverts::Limit;
        let s = session(vec![
            ValidatedPermission::NativeTokenTransfer { allowance: U256::from(1) },
            ValidatedPermission::GasLimit { limit: U256::from(1) },
            ValidatedPermission::ContractAccess { address: DEX },
        ]);
        let native = check_calls(&s, ACCOUNT, &[call(DEX, 2, vec![])], None).unwrap_err();
        assert_eq!(native.phase(), Phase::Execution);
        let revert = native.revert().unwrap();
        assert_eq!(revert.limit(), Some(Limit::NativeTokenTransfer));
        assert_eq!(
            revert.to_string(),
            "PreExecHookReverted(NativeTokenLimitModule entity 1, ExceededNativeTokenLimit())"
        );
        let gas = check_calls(&s, ACCOUNT, &[call(DEX, 0, vec![])], Some(U256::from(2))).unwrap_err();
        assert_eq!(gas.phase(), Phase::Validation);
        assert_eq!(
            gas.revert().unwrap().to_string(),
            "PreUserOpValidationHookReverted(NativeTokenLimitModule entity 2147483648, ExceededNativeTokenLimit())"
        );
        let target = check_calls(&s, ACCOUNT, &[call(TOKEN, 0, vec![])], None).unwrap_err();
        assert_eq!(target.revert().unwrap().limit(), Some(Limit::AllowList));
        let own = check_calls(&s, ACCOUNT, &[call(ACCOUNT, 0, vec![1, 2])], None).unwrap_err();
        assert_eq!(own.revert().unwrap().to_string(), "ValidationFunctionMissing(0x01020000)");
        assert!(Violation::Uninstalled { entity_id: 1 }.revert().unwrap().is_validation_gone());
        assert_eq!(Violation::Expired { expiry: 1, now: 2 }.phase(), Phase::TimeRange);
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
