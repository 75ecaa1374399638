//! Rules a permission set must satisfy before it is encoded or signed.
//!
//! At least as strict as the official SDK's PermissionBuilder (protocol.md §6.2, §5.4),
//! without its quirks: addresses are compared as addresses (never as
//! strings), ERC-20 tokens take part in the duplicate-target check, and privileged account
//! selectors are screened in every list that can reach the account (`account-functions`
//! and `functions-on-all-contracts`). Where the SDK leaves room, the rules of the protocol
//! core issue apply so that two correct implementations agree: a target equal to the
//! account is refused in every permission, duplicate selectors within one list are refused,
//! and `expirySec` is capped at the wire limit 9999999999.
//!
//! Every violation is its own [`PermissionError`] variant naming the permission (by index
//! and type) and the field.

use alloy_primitives::{Address, Bytes, FixedBytes, U256};

use super::Permission;
use crate::error::{Coded, ErrorCode};
use crate::wire::MAX_EXPIRY_SEC;

/// Account functions a session may never be granted (protocol.md §6.2), with their names.
pub const PRIVILEGED_SELECTORS: [([u8; 4], &str); 9] = [
    ([0xb6, 0x1d, 0x27, 0xf6], "execute"),
    ([0x34, 0xfc, 0xd5, 0xbe], "executeBatch"),
    ([0x59, 0x98, 0xdb, 0x5c], "performCreate"),
    ([0xf2, 0x68, 0x0c, 0x0f], "executeWithRuntimeValidation"),
    ([0x1b, 0xbf, 0x56, 0x4c], "installValidation"),
    ([0xb6, 0xb1, 0xcc, 0xfe], "uninstallValidation"),
    ([0x1d, 0x37, 0xe7, 0xd6], "installExecution"),
    ([0x0b, 0x7c, 0xad, 0x71], "uninstallExecution"),
    ([0x4f, 0x1e, 0xf2, 0x86], "upgradeToAndCall"),
];

/// Name of a privileged account selector, if it is one.
pub fn privileged_selector_name(selector: [u8; 4]) -> Option<&'static str> {
    PRIVILEGED_SELECTORS.iter().find(|(s, _)| *s == selector).map(|(_, n)| *n)
}

/// Largest session entity id: hook entity ids add 0x7FFFFFFF and must stay below 2^32−1.
pub const MAX_ENTITY_ID: u32 = 0x7FFF_FFFE;

/// A violated permission rule. Messages start with the offending location, e.g.
/// `permissions[1] (functions-on-contract).functions[0]: …`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PermissionError {
    #[error("permissions: at least one permission is required")]
    Empty,
    #[error("permissions[{index}] (root): root must be the only permission, but {count} permissions were given")]
    RootNotAlone { index: usize, count: usize },
    #[error("permissions[{index}] ({kind}): only one {kind} permission is allowed (first at permissions[{first}])")]
    DuplicateKind { index: usize, first: usize, kind: &'static str },
    #[error("permissions[{index}] ({kind}).address: the zero address is not a valid target")]
    ZeroAddress { index: usize, kind: &'static str },
    #[error("permissions[{index}] ({kind}).address: {address} is the account itself; grant account-functions instead")]
    TargetIsAccount { index: usize, kind: &'static str, address: Address },
    #[error(
        "permissions[{index}] ({kind}).address: {address} is already a target of permissions[{first}] ({first_kind}); one address may appear in only one permission"
    )]
    DuplicateTarget { index: usize, kind: &'static str, address: Address, first: usize, first_kind: &'static str },
    #[error("permissions[{index}] ({kind}).functions: the list is empty; give at least one function selector")]
    EmptyFunctions { index: usize, kind: &'static str },
    #[error("permissions[{index}] ({kind}).functions[{position}]: {value} is not a 4-byte function selector")]
    BadSelector { index: usize, kind: &'static str, position: usize, value: Bytes },
    #[error("permissions[{index}] ({kind}).functions[{position}]: {selector} appears twice in the list")]
    DuplicateSelector { index: usize, kind: &'static str, position: usize, selector: FixedBytes<4> },
    #[error(
        "permissions[{index}] ({kind}).functions[{position}]: {selector} ({name}) is a privileged account function and can never be granted to a session"
    )]
    PrivilegedSelector {
        index: usize,
        kind: &'static str,
        position: usize,
        selector: FixedBytes<4>,
        name: &'static str,
    },
    #[error(
        "permissions: this set grants no callable function (native-token-transfer and gas-limit only limit spending); add contract-access, functions-on-contract, functions-on-all-contracts, account-functions, erc20-token-transfer or root"
    )]
    NoCallableFunction,
    #[error("expirySec: {expiry} exceeds the wire limit {MAX_EXPIRY_SEC}")]
    ExpiryTooLarge { expiry: u64 },
    #[error("expirySec: {expiry} is not after the current time {now}; choose a future expiry, or 0 for none")]
    ExpiryNotInFuture { expiry: u64, now: u64 },
    #[error("entityId: {entity_id} is out of range; session entity ids run from 1 to {MAX_ENTITY_ID} (0 is the owner)")]
    EntityIdOutOfRange { entity_id: u64 },
    #[error("parallelNonceKey: {key:#x} must be below 2^152")]
    ParallelNonceKeyTooLarge { key: U256 },
}

impl Coded for PermissionError {
    fn code(&self) -> ErrorCode {
        ErrorCode::InvalidPermissions
    }
}

impl PermissionError {
    /// Where the rule is broken: the permission's index (`None` for the whole set or the
    /// expiry) and the field, as a form shows it next to the input (`allowance`,
    /// `address`, `functions[2]`, `expirySec`, …).
    pub fn location(&self) -> (Option<usize>, String) {
        match self {
            Self::Empty | Self::NoCallableFunction => (None, "permissions".into()),
            Self::RootNotAlone { index, .. } | Self::DuplicateKind { index, .. } => (Some(*index), "type".into()),
            Self::ZeroAddress { index, .. }
            | Self::TargetIsAccount { index, .. }
            | Self::DuplicateTarget { index, .. } => (Some(*index), "address".into()),
            Self::EmptyFunctions { index, .. } => (Some(*index), "functions".into()),
            Self::BadSelector { index, position, .. }
            | Self::DuplicateSelector { index, position, .. }
            | Self::PrivilegedSelector { index, position, .. } => (Some(*index), format!("functions[{position}]")),
            Self::ExpiryTooLarge { .. } | Self::ExpiryNotInFuture { .. } => (None, "expirySec".into()),
            Self::EntityIdOutOfRange { .. } => (None, "entityId".into()),
            Self::ParallelNonceKeyTooLarge { .. } => (None, "parallelNonceKey".into()),
        }
    }
}

/// One permission after validation, with typed selectors.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ValidatedPermission {
    NativeTokenTransfer { allowance: U256 },
    Erc20TokenTransfer { token: Address, allowance: U256 },
    GasLimit { limit: U256 },
    ContractAccess { address: Address },
    AccountFunctions { functions: Vec<FixedBytes<4>> },
    FunctionsOnAllContracts { functions: Vec<FixedBytes<4>> },
    FunctionsOnContract { address: Address, functions: Vec<FixedBytes<4>> },
    Root,
}

impl ValidatedPermission {
    /// Back to the wire form (selectors as 4-byte hex, quantities untouched).
    pub fn to_wire(&self) -> Permission {
        let hex = |f: &[FixedBytes<4>]| f.iter().map(|s| Bytes::copy_from_slice(s.as_slice())).collect();
        match self {
            Self::NativeTokenTransfer { allowance } => Permission::NativeTokenTransfer { allowance: *allowance },
            Self::Erc20TokenTransfer { token, allowance } => {
                Permission::Erc20TokenTransfer { allowance: *allowance, address: *token }
            }
            Self::GasLimit { limit } => Permission::GasLimit { limit: *limit },
            Self::ContractAccess { address } => Permission::ContractAccess { address: *address },
            Self::AccountFunctions { functions } => Permission::AccountFunctions { functions: hex(functions) },
            Self::FunctionsOnAllContracts { functions } => {
                Permission::FunctionsOnAllContracts { functions: hex(functions) }
            }
            Self::FunctionsOnContract { address, functions } => {
                Permission::FunctionsOnContract { address: *address, functions: hex(functions) }
            }
            Self::Root => Permission::Root,
        }
    }
}

/// A permission list that satisfies every rule, in the order it was given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PermissionSet {
    permissions: Vec<ValidatedPermission>,
}

impl PermissionSet {
    /// The validated permissions in request order.
    pub fn permissions(&self) -> &[ValidatedPermission] {
        &self.permissions
    }

    /// True for a root grant.
    pub fn is_root(&self) -> bool {
        matches!(self.permissions.as_slice(), [ValidatedPermission::Root])
    }

    /// True when the session's ops must go through `executeUserOp` (protocol.md §6.2: a native or
    /// ERC-20 limit installs execution hooks).
    pub fn has_execution_hooks(&self) -> bool {
        self.permissions.iter().any(|p| {
            matches!(
                p,
                ValidatedPermission::NativeTokenTransfer { .. } | ValidatedPermission::Erc20TokenTransfer { .. }
            )
        })
    }

    /// Wire form of the whole set.
    pub fn to_wire(&self) -> Vec<Permission> {
        self.permissions.iter().map(ValidatedPermission::to_wire).collect()
    }
}

/// The grant-level parameters checked together with the permissions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GrantLimits {
    /// `expirySec` (0 = none).
    pub expiry_sec: u64,
    /// The clock the deadline is checked against (unix seconds).
    pub now: u64,
    /// The session's entity id.
    pub entity_id: u64,
    /// The 152-bit parallel nonce key.
    pub parallel_nonce_key: U256,
}

/// Checks expiry, entity id and parallel nonce key, then the permissions.
pub fn validate_grant(
    permissions: &[Permission],
    account: Address,
    limits: GrantLimits,
) -> Result<PermissionSet, PermissionError> {
    let set = validate(permissions, account)?;
    check_expiry(limits.expiry_sec, limits.now)?;
    if limits.entity_id == 0 || limits.entity_id > u64::from(MAX_ENTITY_ID) {
        return Err(PermissionError::EntityIdOutOfRange { entity_id: limits.entity_id });
    }
    if limits.parallel_nonce_key >= (U256::from(1) << 152) {
        return Err(PermissionError::ParallelNonceKeyTooLarge { key: limits.parallel_nonce_key });
    }
    Ok(set)
}

fn check_expiry(expiry: u64, now: u64) -> Result<(), PermissionError> {
    if expiry > MAX_EXPIRY_SEC {
        return Err(PermissionError::ExpiryTooLarge { expiry });
    }
    if expiry != 0 && expiry <= now {
        return Err(PermissionError::ExpiryNotInFuture { expiry, now });
    }
    Ok(())
}

/// Validates a wire permission list for `account`.
pub fn validate(permissions: &[Permission], account: Address) -> Result<PermissionSet, PermissionError> {
    if permissions.is_empty() {
        return Err(PermissionError::Empty);
    }
    if let Some(index) = permissions.iter().position(|p| matches!(p, Permission::Root)) {
        if permissions.len() > 1 {
            return Err(PermissionError::RootNotAlone { index, count: permissions.len() });
        }
        return Ok(PermissionSet { permissions: vec![ValidatedPermission::Root] });
    }

    let mut first_native = None;
    let mut first_gas = None;
    let mut targets: Vec<(Address, usize, &'static str)> = Vec::new();
    let mut out = Vec::with_capacity(permissions.len());

    for (index, p) in permissions.iter().enumerate() {
        let kind = p.kind().wire_name();
        let mut target = |address: Address| -> Result<Address, PermissionError> {
            if address == Address::ZERO {
                return Err(PermissionError::ZeroAddress { index, kind });
            }
            if address == account {
                return Err(PermissionError::TargetIsAccount { index, kind, address });
            }
            if let Some(&(_, first, first_kind)) = targets.iter().find(|(a, _, _)| *a == address) {
                return Err(PermissionError::DuplicateTarget { index, kind, address, first, first_kind });
            }
            targets.push((address, index, kind));
            Ok(address)
        };
        let v = match p {
            Permission::NativeTokenTransfer { allowance } => {
                if let Some(first) = first_native {
                    return Err(PermissionError::DuplicateKind { index, first, kind });
                }
                first_native = Some(index);
                ValidatedPermission::NativeTokenTransfer { allowance: *allowance }
            }
            Permission::GasLimit { limit } => {
                if let Some(first) = first_gas {
                    return Err(PermissionError::DuplicateKind { index, first, kind });
                }
                first_gas = Some(index);
                ValidatedPermission::GasLimit { limit: *limit }
            }
            Permission::Erc20TokenTransfer { allowance, address } => {
                ValidatedPermission::Erc20TokenTransfer { token: target(*address)?, allowance: *allowance }
            }
            Permission::ContractAccess { address } => {
                ValidatedPermission::ContractAccess { address: target(*address)? }
            }
            Permission::FunctionsOnContract { address, functions } => {
                let address = target(*address)?;
                ValidatedPermission::FunctionsOnContract {
                    address,
                    functions: selectors(index, kind, functions, false)?,
                }
            }
            Permission::AccountFunctions { functions } => {
                ValidatedPermission::AccountFunctions { functions: selectors(index, kind, functions, true)? }
            }
            Permission::FunctionsOnAllContracts { functions } => {
                ValidatedPermission::FunctionsOnAllContracts { functions: selectors(index, kind, functions, true)? }
            }
            Permission::Root => unreachable!("root handled above"),
        };
        out.push(v);
    }

    let callable = out
        .iter()
        .any(|p| !matches!(p, ValidatedPermission::NativeTokenTransfer { .. } | ValidatedPermission::GasLimit { .. }));
    if !callable {
        return Err(PermissionError::NoCallableFunction);
    }
    Ok(PermissionSet { permissions: out })
}

fn selectors(
    index: usize,
    kind: &'static str,
    functions: &[Bytes],
    screen_privileged: bool,
) -> Result<Vec<FixedBytes<4>>, PermissionError> {
    if functions.is_empty() {
        return Err(PermissionError::EmptyFunctions { index, kind });
    }
    let mut out: Vec<FixedBytes<4>> = Vec::with_capacity(functions.len());
    for (position, raw) in functions.iter().enumerate() {
        let selector: [u8; 4] = raw.as_ref().try_into().map_err(|_| PermissionError::BadSelector {
            index,
            kind,
            position,
            value: raw.clone(),
        })?;
        let selector = FixedBytes(selector);
        if out.contains(&selector) {
            return Err(PermissionError::DuplicateSelector { index, kind, position, selector });
        }
        if screen_privileged && let Some(name) = privileged_selector_name(selector.0) {
            return Err(PermissionError::PrivilegedSelector { index, kind, position, selector, name });
        }
        out.push(selector);
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use alloy_primitives::{address, bytes};

    const ACCOUNT: Address = address!("65b5DE0251f553B2208762a4724303E750294D96");
    const TOKEN: Address = address!("A0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48");
    const OTHER: Address = address!("C02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2");

    fn err(p: Vec<Permission>) -> PermissionError {
        validate(&p, ACCOUNT).unwrap_err()
    }

    #[test]
    fn errors_name_the_permission_and_field_a_form_marks() {
        assert_eq!(err(vec![]).location(), (None, "permissions".to_owned()));
        let zero = err(vec![Permission::ContractAccess { address: Address::ZERO }]);
        assert_eq!(zero.location(), (Some(0), "address".to_owned()));
        let bad = err(vec![
            Permission::ContractAccess { address: TOKEN },
            Permission::FunctionsOnContract { address: OTHER, functions: vec![bytes!("a9059cbb"), bytes!("a9059c")] },
        ]);
        assert_eq!(bad.location(), (Some(1), "functions[1]".to_owned()));
        assert_eq!(check_expiry(5, 10).unwrap_err().location(), (None, "expirySec".to_owned()));
    }

    #[test]
    fn root_alone_is_accepted_and_root_with_anything_is_not() {
        assert!(validate(&[Permission::Root], ACCOUNT).unwrap().is_root());
        assert_eq!(err(vec![Permission::Root, Permission::Root]), PermissionError::RootNotAlone { index: 0, count: 2 });
        let e = err(vec![Permission::ContractAccess { address: TOKEN }, Permission::Root]);
        assert_eq!(e, PermissionError::RootNotAlone { index: 1, count: 2 });
    }

    #[test]
    fn empty_and_spend_only_sets_are_refused() {
        assert_eq!(err(vec![]), PermissionError::Empty);
        let e = err(vec![
            Permission::NativeTokenTransfer { allowance: U256::from(1) },
            Permission::GasLimit { limit: U256::from(1) },
        ]);
        assert_eq!(e, PermissionError::NoCallableFunction);
    }

    #[test]
    fn one_native_and_one_gas_limit_at_most() {
        let e = err(vec![
            Permission::NativeTokenTransfer { allowance: U256::from(1) },
            Permission::ContractAccess { address: TOKEN },
            Permission::NativeTokenTransfer { allowance: U256::from(2) },
        ]);
        assert_eq!(e, PermissionError::DuplicateKind { index: 2, first: 0, kind: "native-token-transfer" });
        let e = err(vec![Permission::GasLimit { limit: U256::from(1) }, Permission::GasLimit { limit: U256::from(1) }]);
        assert!(matches!(e, PermissionError::DuplicateKind { index: 1, kind: "gas-limit", .. }));
    }

    #[test]
    fn targets_are_compared_as_addresses_across_kinds() {
        // Same address, different case on the wire: still one address.
        let lower: Permission = serde_json::from_str(
            r#"{"type":"contract-access","data":{"address":"0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48"}}"#,
        )
        .unwrap();
        let e = err(vec![Permission::Erc20TokenTransfer { allowance: U256::from(5), address: TOKEN }, lower]);
        assert_eq!(
            e,
            PermissionError::DuplicateTarget {
                index: 1,
                kind: "contract-access",
                address: TOKEN,
                first: 0,
                first_kind: "erc20-token-transfer"
            }
        );
    }

    #[test]
    fn zero_and_account_targets_are_refused_everywhere() {
        for p in [
            Permission::ContractAccess { address: Address::ZERO },
            Permission::Erc20TokenTransfer { allowance: U256::from(1), address: Address::ZERO },
            Permission::FunctionsOnContract { address: Address::ZERO, functions: vec![bytes!("a9059cbb")] },
        ] {
            assert!(matches!(err(vec![p]), PermissionError::ZeroAddress { index: 0, .. }));
        }
        for p in [
            Permission::ContractAccess { address: ACCOUNT },
            Permission::Erc20TokenTransfer { allowance: U256::from(1), address: ACCOUNT },
            Permission::FunctionsOnContract { address: ACCOUNT, functions: vec![bytes!("a9059cbb")] },
        ] {
            assert!(matches!(err(vec![p]), PermissionError::TargetIsAccount { index: 0, .. }));
        }
    }

    #[test]
    fn function_lists_are_checked() {
        let e = err(vec![Permission::FunctionsOnAllContracts { functions: vec![] }]);
        assert_eq!(e, PermissionError::EmptyFunctions { index: 0, kind: "functions-on-all-contracts" });
        let e = err(vec![Permission::FunctionsOnContract { address: OTHER, functions: vec![bytes!("a9059c")] }]);
        assert!(matches!(e, PermissionError::BadSelector { position: 0, .. }), "{e}");
        let e = err(vec![Permission::AccountFunctions { functions: vec![bytes!("12345678"), bytes!("12345678")] }]);
        assert!(matches!(e, PermissionError::DuplicateSelector { position: 1, .. }));
    }

    #[test]
    fn privileged_selectors_are_screened_where_they_can_reach_the_account() {
        for (sel, name) in PRIVILEGED_SELECTORS {
            let f = vec![Bytes::copy_from_slice(&sel)];
            let e = err(vec![Permission::AccountFunctions { functions: f.clone() }]);
            assert!(matches!(e, PermissionError::PrivilegedSelector { name: n, .. } if n == name), "{e}");
            let e = err(vec![Permission::FunctionsOnAllContracts { functions: f.clone() }]);
            assert!(matches!(e, PermissionError::PrivilegedSelector { .. }));
            // On another contract the same four bytes are that contract's business.
            validate(&[Permission::FunctionsOnContract { address: OTHER, functions: f }], ACCOUNT).unwrap();
        }
    }

    #[test]
    fn grant_limits() {
        let p = [Permission::ContractAccess { address: OTHER }];
        let ok = GrantLimits { expiry_sec: 0, now: 100, entity_id: 1, parallel_nonce_key: U256::ZERO };
        validate_grant(&p, ACCOUNT, ok).unwrap();
        let e = validate_grant(&p, ACCOUNT, GrantLimits { expiry_sec: 100, ..ok }).unwrap_err();
        assert_eq!(e, PermissionError::ExpiryNotInFuture { expiry: 100, now: 100 });
        validate_grant(&p, ACCOUNT, GrantLimits { expiry_sec: 101, ..ok }).unwrap();
        let e = validate_grant(&p, ACCOUNT, GrantLimits { expiry_sec: MAX_EXPIRY_SEC + 1, ..ok }).unwrap_err();
        assert!(matches!(e, PermissionError::ExpiryTooLarge { .. }));
        for bad in [0, u64::from(MAX_ENTITY_ID) + 1] {
            let e = validate_grant(&p, ACCOUNT, GrantLimits { entity_id: bad, ..ok }).unwrap_err();
            assert!(matches!(e, PermissionError::EntityIdOutOfRange { .. }));
        }
        validate_grant(&p, ACCOUNT, GrantLimits { entity_id: u64::from(MAX_ENTITY_ID), ..ok }).unwrap();
        let big = U256::from(1) << 152;
        let e = validate_grant(&p, ACCOUNT, GrantLimits { parallel_nonce_key: big, ..ok }).unwrap_err();
        assert!(matches!(e, PermissionError::ParallelNonceKeyTooLarge { .. }));
        validate_grant(&p, ACCOUNT, GrantLimits { parallel_nonce_key: big - U256::from(1), ..ok }).unwrap();
    }

    #[test]
    fn messages_name_permission_and_field() {
        let e = err(vec![
            Permission::ContractAccess { address: OTHER },
            Permission::FunctionsOnContract { address: TOKEN, functions: vec![bytes!("a9059cbb"), bytes!("00")] },
        ]);
        assert_eq!(
            e.to_string(),
            "permissions[1] (functions-on-contract).functions[1]: 0x00 is not a 4-byte function selector"
        );
    }
}
