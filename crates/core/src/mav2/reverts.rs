//! The revert data Modular Account v2 and its permission modules raise, as a bundler hands
//! it back in a refusal's `error.data`: one `sol!` definition of each error, used both to
//! encode it (the devnet, which answers as a bundler in front of real MAv2 modules would)
//! and to decode it (Warden's refusal classifier, `crate::calls`).
//!
//! How a session refusal looks on chain (`alchemyplatform/modular-account`):
//!
//! * a hook that reverts is wrapped by the account's `ExecutionLib` in
//!   `PreUserOpValidationHookReverted(ModuleEntity, bytes)` (validation phase: the bundler
//!   refuses with AA23) or `PreExecHookReverted(ModuleEntity, bytes)` (execution phase: the
//!   operation's execution reverts), where `ModuleEntity` is `bytes24` = module address ‖
//!   uint32 entity id and the bytes are the module's own revert data;
//! * NativeTokenLimitModule raises `ExceededNativeTokenLimit()`, as an execution hook (the
//!   native allowance) and as a validation hook (the gas limit, on the session's hook entity);
//! * AllowlistModule raises `AddressNotAllowed()` / `SelectorNotAllowed()` as a validation
//!   hook and `ExceededTokenLimit()` as an execution hook (ERC-20 spend limits);
//! * the account itself raises `ValidationFunctionMissing(bytes4)` when the validation does
//!   not apply to a selector: an account function the session was not granted, or — for
//!   `execute`/`executeBatch` — a validation that is no longer installed (revoked).
//!
//! Left out: the account's errors Warden never provokes (upgrades, module installation).

#![allow(missing_docs, missing_debug_implementations)]

use alloy_primitives::{Address, Bytes, FixedBytes};
use alloy_sol_types::{SolError, sol};

use crate::permissions::PermissionKind;

use super::constants::{
    ALLOWLIST_MODULE, NATIVE_TOKEN_LIMIT_MODULE, SELECTOR_EXECUTE, SELECTOR_EXECUTE_BATCH, SELECTOR_EXECUTE_USER_OP,
    SINGLE_SIGNER_VALIDATION_MODULE, TIME_RANGE_MODULE,
};

sol! {
    // ExecutionLib (the account): a module function reverted.
    error PreExecHookReverted(bytes24 moduleFunction, bytes revertReason);
    error PreUserOpValidationHookReverted(bytes24 moduleFunction, bytes revertReason);
    error UserOpValidationFunctionReverted(bytes24 moduleFunction, bytes revertReason);
    // ModularAccountBase.
    error ValidationFunctionMissing(bytes4 selector);
    error DeferredActionSignatureInvalid();
    error DeferredActionNonceInvalid();
    // NativeTokenLimitModule.
    error ExceededNativeTokenLimit();
    // AllowlistModule.
    error AddressNotAllowed();
    error SelectorNotAllowed();
    error ExceededTokenLimit();
    error ERC20NotAllowed(address token);
    error SpendingRequestNotAllowed(bytes4 selector);
}

/// A module function of the account: module address and entity id (`ModuleEntity`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ModuleEntity {
    pub module: Address,
    pub entity_id: u32,
}

impl ModuleEntity {
    pub const fn new(module: Address, entity_id: u32) -> Self {
        Self { module, entity_id }
    }

    /// The packed `bytes24`: address ‖ big-endian entity id.
    pub fn pack(&self) -> FixedBytes<24> {
        let mut out = [0u8; 24];
        out[..20].copy_from_slice(self.module.as_slice());
        out[20..].copy_from_slice(&self.entity_id.to_be_bytes());
        FixedBytes(out)
    }

    pub fn unpack(packed: FixedBytes<24>) -> Self {
        let entity_id = u32::from_be_bytes([packed[20], packed[21], packed[22], packed[23]]);
        Self { module: Address::from_slice(&packed[..20]), entity_id }
    }

    /// The module's name when it is one of the MAv2 modules Warden installs.
    pub fn module_name(&self) -> Option<&'static str> {
        Some(match self.module {
            m if m == NATIVE_TOKEN_LIMIT_MODULE => "NativeTokenLimitModule",
            m if m == ALLOWLIST_MODULE => "AllowlistModule",
            m if m == TIME_RANGE_MODULE => "TimeRangeModule",
            m if m == SINGLE_SIGNER_VALIDATION_MODULE => "SingleSignerValidationModule",
            _ => return None,
        })
    }
}

impl std::fmt::Display for ModuleEntity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.module_name() {
            Some(name) => write!(f, "{name} entity {}", self.entity_id),
            None => write!(f, "module {} entity {}", self.module, self.entity_id),
        }
    }
}

/// A permission module's own revert.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModuleRevert {
    ExceededNativeTokenLimit,
    AddressNotAllowed,
    SelectorNotAllowed,
    ExceededTokenLimit,
    Erc20NotAllowed(Address),
    SpendingRequestNotAllowed(FixedBytes<4>),
    /// Revert data of no error listed here.
    Other(Bytes),
}

impl ModuleRevert {
    pub fn encode(&self) -> Bytes {
        match self {
            Self::ExceededNativeTokenLimit => ExceededNativeTokenLimit {}.abi_encode(),
            Self::AddressNotAllowed => AddressNotAllowed {}.abi_encode(),
            Self::SelectorNotAllowed => SelectorNotAllowed {}.abi_encode(),
            Self::ExceededTokenLimit => ExceededTokenLimit {}.abi_encode(),
            Self::Erc20NotAllowed(token) => ERC20NotAllowed { token: *token }.abi_encode(),
            Self::SpendingRequestNotAllowed(selector) => SpendingRequestNotAllowed { selector: *selector }.abi_encode(),
            Self::Other(data) => return data.clone(),
        }
        .into()
    }

    pub fn decode(data: &[u8]) -> Self {
        let selector = data.get(..4).unwrap_or_default();
        if selector == ExceededNativeTokenLimit::SELECTOR && ExceededNativeTokenLimit::abi_decode(data).is_ok() {
            Self::ExceededNativeTokenLimit
        } else if selector == AddressNotAllowed::SELECTOR && AddressNotAllowed::abi_decode(data).is_ok() {
            Self::AddressNotAllowed
        } else if selector == SelectorNotAllowed::SELECTOR && SelectorNotAllowed::abi_decode(data).is_ok() {
            Self::SelectorNotAllowed
        } else if selector == ExceededTokenLimit::SELECTOR && ExceededTokenLimit::abi_decode(data).is_ok() {
            Self::ExceededTokenLimit
        } else if let Ok(e) = ERC20NotAllowed::abi_decode(data) {
            Self::Erc20NotAllowed(e.token)
        } else if let Ok(e) = SpendingRequestNotAllowed::abi_decode(data) {
            Self::SpendingRequestNotAllowed(e.selector)
        } else {
            Self::Other(Bytes::copy_from_slice(data))
        }
    }

    fn name(&self) -> String {
        match self {
            Self::ExceededNativeTokenLimit => "ExceededNativeTokenLimit()".into(),
            Self::AddressNotAllowed => "AddressNotAllowed()".into(),
            Self::SelectorNotAllowed => "SelectorNotAllowed()".into(),
            Self::ExceededTokenLimit => "ExceededTokenLimit()".into(),
            Self::Erc20NotAllowed(token) => format!("ERC20NotAllowed({token})"),
            Self::SpendingRequestNotAllowed(s) => format!("SpendingRequestNotAllowed({s})"),
            Self::Other(data) if data.is_empty() => "(no revert data)".into(),
            Self::Other(data) => format!("revert data {data}"),
        }
    }
}

/// The session permission a refusal is about, named as its permission type (`allow-list`
/// for a target or function outside the contract permissions).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Limit {
    NativeTokenTransfer,
    Erc20TokenTransfer,
    GasLimit,
    AllowList,
    AccountFunctions,
}

impl Limit {
    /// The permission type's wire name ([`PermissionKind::wire_name`]); `allow-list` for the
    /// contract permissions' list, which is not one permission type.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NativeTokenTransfer => PermissionKind::NativeTokenTransfer.wire_name(),
            Self::Erc20TokenTransfer => PermissionKind::Erc20TokenTransfer.wire_name(),
            Self::GasLimit => PermissionKind::GasLimit.wire_name(),
            Self::AllowList => "allow-list",
            Self::AccountFunctions => PermissionKind::AccountFunctions.wire_name(),
        }
    }
}

/// What the account reverted with, decoded as far as Warden knows the errors.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AccountRevert {
    /// An execution hook reverted (the operation's execution fails).
    PreExecHook { hook: ModuleEntity, reason: ModuleRevert },
    /// A validation hook reverted (the bundler refuses the operation: AA23).
    PreUserOpValidationHook { hook: ModuleEntity, reason: ModuleRevert },
    /// The validation function itself reverted.
    UserOpValidationFunction { validation: ModuleEntity, reason: Bytes },
    /// The validation does not apply to `selector`.
    ValidationFunctionMissing { selector: FixedBytes<4> },
    /// The owner's signature over a deferred action (a session grant) does not verify.
    DeferredActionSignatureInvalid,
    /// The deferred action's nonce was invalidated.
    DeferredActionNonceInvalid,
    /// Revert data of no error listed here.
    Other(Bytes),
}

impl AccountRevert {
    /// The ABI-encoded revert data.
    pub fn encode(&self) -> Bytes {
        match self {
            Self::PreExecHook { hook, reason } => {
                PreExecHookReverted { moduleFunction: hook.pack(), revertReason: reason.encode() }.abi_encode()
            }
            Self::PreUserOpValidationHook { hook, reason } => {
                PreUserOpValidationHookReverted { moduleFunction: hook.pack(), revertReason: reason.encode() }
                    .abi_encode()
            }
            Self::UserOpValidationFunction { validation, reason } => {
                UserOpValidationFunctionReverted { moduleFunction: validation.pack(), revertReason: reason.clone() }
                    .abi_encode()
            }
            Self::ValidationFunctionMissing { selector } => {
                ValidationFunctionMissing { selector: *selector }.abi_encode()
            }
            Self::DeferredActionSignatureInvalid => DeferredActionSignatureInvalid {}.abi_encode(),
            Self::DeferredActionNonceInvalid => DeferredActionNonceInvalid {}.abi_encode(),
            Self::Other(data) => return data.clone(),
        }
        .into()
    }

    /// Decodes revert data; anything not listed here is [`AccountRevert::Other`].
    pub fn decode(data: &[u8]) -> Self {
        if let Ok(e) = PreExecHookReverted::abi_decode(data) {
            Self::PreExecHook {
                hook: ModuleEntity::unpack(e.moduleFunction),
                reason: ModuleRevert::decode(&e.revertReason),
            }
        } else if let Ok(e) = PreUserOpValidationHookReverted::abi_decode(data) {
            Self::PreUserOpValidationHook {
                hook: ModuleEntity::unpack(e.moduleFunction),
                reason: ModuleRevert::decode(&e.revertReason),
            }
        } else if let Ok(e) = UserOpValidationFunctionReverted::abi_decode(data) {
            Self::UserOpValidationFunction {
                validation: ModuleEntity::unpack(e.moduleFunction),
                reason: e.revertReason,
            }
        } else if let Ok(e) = ValidationFunctionMissing::abi_decode(data) {
            Self::ValidationFunctionMissing { selector: e.selector }
        } else if DeferredActionSignatureInvalid::abi_decode(data).is_ok() {
            Self::DeferredActionSignatureInvalid
        } else if DeferredActionNonceInvalid::abi_decode(data).is_ok() {
            Self::DeferredActionNonceInvalid
        } else {
            Self::Other(Bytes::copy_from_slice(data))
        }
    }

    /// The session permission that refused, when the revert says.
    pub fn limit(&self) -> Option<Limit> {
        match self {
            Self::PreExecHook { hook, reason } | Self::PreUserOpValidationHook { hook, reason } => {
                let validation_phase = matches!(self, Self::PreUserOpValidationHook { .. });
                match (hook.module, reason) {
                    (m, ModuleRevert::ExceededNativeTokenLimit) if m == NATIVE_TOKEN_LIMIT_MODULE => {
                        // As a validation hook the module counts gas; as an execution hook, value.
                        Some(if validation_phase { Limit::GasLimit } else { Limit::NativeTokenTransfer })
                    }
                    (m, ModuleRevert::ExceededTokenLimit) if m == ALLOWLIST_MODULE => Some(Limit::Erc20TokenTransfer),
                    (
                        m,
                        ModuleRevert::AddressNotAllowed
                        | ModuleRevert::SelectorNotAllowed
                        | ModuleRevert::Erc20NotAllowed(_)
                        | ModuleRevert::SpendingRequestNotAllowed(_),
                    ) if m == ALLOWLIST_MODULE => Some(Limit::AllowList),
                    _ => None,
                }
            }
            Self::ValidationFunctionMissing { .. } if !self.is_validation_gone() => Some(Limit::AccountFunctions),
            _ => None,
        }
    }

    /// Whether the account no longer applies the validation to its execution functions
    /// (`execute`, `executeBatch`, `executeUserOp`): every session operation goes through
    /// one of them, so the session's validation was uninstalled.
    pub fn is_validation_gone(&self) -> bool {
        matches!(self, Self::ValidationFunctionMissing { selector }
            if [SELECTOR_EXECUTE, SELECTOR_EXECUTE_BATCH, SELECTOR_EXECUTE_USER_OP].contains(&selector.0))
    }
}

impl std::fmt::Display for AccountRevert {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::PreExecHook { hook, reason } => write!(f, "PreExecHookReverted({hook}, {})", reason.name()),
            Self::PreUserOpValidationHook { hook, reason } => {
                write!(f, "PreUserOpValidationHookReverted({hook}, {})", reason.name())
            }
            Self::UserOpValidationFunction { validation, reason } => {
                write!(f, "UserOpValidationFunctionReverted({validation}, {reason})")
            }
            Self::ValidationFunctionMissing { selector } => write!(f, "ValidationFunctionMissing({selector})"),
            Self::DeferredActionSignatureInvalid => f.write_str("DeferredActionSignatureInvalid()"),
            Self::DeferredActionNonceInvalid => f.write_str("DeferredActionNonceInvalid()"),
            Self::Other(data) => write!(f, "revert data {data}"),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use alloy_primitives::keccak256;

    fn selector(sig: &str) -> [u8; 4] {
        let h = keccak256(sig.as_bytes());
        [h[0], h[1], h[2], h[3]]
    }

    /// The selectors are those of the errors in the MAv2 sources (`ModuleEntity` is `bytes24`).
    #[test]
    fn selectors_match_the_solidity_signatures() {
        assert_eq!(PreExecHookReverted::SELECTOR, selector("PreExecHookReverted(bytes24,bytes)"));
        assert_eq!(
            PreUserOpValidationHookReverted::SELECTOR,
            selector("PreUserOpValidationHookReverted(bytes24,bytes)")
        );
        assert_eq!(ValidationFunctionMissing::SELECTOR, selector("ValidationFunctionMissing(bytes4)"));
        assert_eq!(ExceededNativeTokenLimit::SELECTOR, selector("ExceededNativeTokenLimit()"));
        assert_eq!(ExceededTokenLimit::SELECTOR, selector("ExceededTokenLimit()"));
        assert_eq!(AddressNotAllowed::SELECTOR, selector("AddressNotAllowed()"));
        assert_eq!(SelectorNotAllowed::SELECTOR, selector("SelectorNotAllowed()"));
        assert_eq!(DeferredActionSignatureInvalid::SELECTOR, selector("DeferredActionSignatureInvalid()"));
    }

    #[test]
    fn module_entity_packs_address_then_entity() {
        let e = ModuleEntity::new(NATIVE_TOKEN_LIMIT_MODULE, 0x0102_0304);
        let packed = e.pack();
        assert_eq!(&packed[..20], NATIVE_TOKEN_LIMIT_MODULE.as_slice());
        assert_eq!(&packed[20..], &[1, 2, 3, 4]);
        assert_eq!(ModuleEntity::unpack(packed), e);
        assert_eq!(e.to_string(), "NativeTokenLimitModule entity 16909060");
    }

    #[test]
    fn each_refusal_decodes_to_its_limit() {
        let ntl = |entity| ModuleEntity::new(NATIVE_TOKEN_LIMIT_MODULE, entity);
        let allow = |entity| ModuleEntity::new(ALLOWLIST_MODULE, entity);
        let cases = [
            (
                AccountRevert::PreExecHook { hook: ntl(1), reason: ModuleRevert::ExceededNativeTokenLimit },
                Some(Limit::NativeTokenTransfer),
            ),
            (
                AccountRevert::PreUserOpValidationHook {
                    hook: ntl(0x8000_0000),
                    reason: ModuleRevert::ExceededNativeTokenLimit,
                },
                Some(Limit::GasLimit),
            ),
            (
                AccountRevert::PreExecHook { hook: allow(0x8000_0000), reason: ModuleRevert::ExceededTokenLimit },
                Some(Limit::Erc20TokenTransfer),
            ),
            (
                AccountRevert::PreUserOpValidationHook { hook: allow(1), reason: ModuleRevert::AddressNotAllowed },
                Some(Limit::AllowList),
            ),
            (
                AccountRevert::PreUserOpValidationHook { hook: allow(1), reason: ModuleRevert::SelectorNotAllowed },
                Some(Limit::AllowList),
            ),
            (
                AccountRevert::ValidationFunctionMissing { selector: FixedBytes([0x12, 0x34, 0x56, 0x78]) },
                Some(Limit::AccountFunctions),
            ),
            (AccountRevert::ValidationFunctionMissing { selector: FixedBytes(SELECTOR_EXECUTE_BATCH) }, None),
            (AccountRevert::DeferredActionSignatureInvalid, None),
        ];
        for (revert, limit) in cases {
            let data = revert.encode();
            let decoded = AccountRevert::decode(&data);
            assert_eq!(decoded, revert, "{data}");
            assert_eq!(decoded.limit(), limit, "{decoded}");
        }
        assert!(
            AccountRevert::ValidationFunctionMissing { selector: FixedBytes(SELECTOR_EXECUTE_BATCH) }
                .is_validation_gone()
        );
        assert_eq!(AccountRevert::decode(&[1, 2, 3]), AccountRevert::Other(Bytes::from(vec![1, 2, 3])));
        assert_eq!(AccountRevert::decode(&[]).limit(), None);
    }
}
