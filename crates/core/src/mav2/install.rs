//! The session's `installValidation` call (protocol.md §6.2) and its strict inverse.
//!
//! [`encode_install_call`] builds exactly what the server puts in the DeferredAction
//! `call`: a SingleSignerValidationModule validation for the session key, the account
//! functions it may call, and the hooks in their fixed order (time range, native limit,
//! ERC-20 spend limits, gas limit, allow-list; protocol.md §6.2).
//!
//! [`decode_install_call`] reads such a call back into a [`SessionGrant`]. It only accepts
//! what the encoder can produce: an unknown module, hook, flag or entity id, an ERC-20
//! spend limit without its allow-list entry, or any byte the re-encoded grant does not
//! reproduce is an error. What the call cannot tell is reported as such: the key type
//! (`secp256k1` vs `contract`) and how account-function selectors were split between
//! permissions (they decode as one `account-functions` permission).
//!
//! Decoded permissions come in hook order: native limit, then the allow-list entries in
//! their order (ERC-20 tokens among them), then gas limit, then account functions.

use alloy_primitives::{Address, Bytes, FixedBytes, U256, aliases::U48};
use alloy_sol_types::{SolCall, SolValue};

use super::Mav2Error;
use super::abi::{AllowlistInit, AllowlistInput, SignerInstall, SpendLimitInit, TimeRangeInit, installValidationCall};
use super::constants::*;
use crate::permissions::{Permission, ValidatedPermission};

/// What a session install grants, as encoded in (or decoded from) the install call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionGrant {
    /// Validation entity id of the session (≥ 1; 0 is the owner).
    pub entity_id: u32,
    /// Address of the session key.
    pub session_key: Address,
    /// `validUntil` of the time-range hook, or 0 when there is none.
    pub expiry_sec: u64,
    /// The permissions, in the decoder's canonical order.
    pub permissions: Vec<ValidatedPermission>,
}

impl SessionGrant {
    /// True for a root (global) session.
    pub fn is_root(&self) -> bool {
        matches!(self.permissions.as_slice(), [ValidatedPermission::Root])
    }

    /// True when ops of this session must be wrapped in `executeUserOp` (native or ERC-20
    /// limit hooks are execution hooks).
    pub fn has_exec_hooks(&self) -> bool {
        has_exec_hooks(&self.permissions)
    }

    /// The permissions in wire form.
    pub fn wire_permissions(&self) -> Vec<Permission> {
        self.permissions.iter().map(ValidatedPermission::to_wire).collect()
    }
}

/// True when a permission list installs execution hooks.
pub fn has_exec_hooks(permissions: &[ValidatedPermission]) -> bool {
    permissions.iter().any(|p| {
        matches!(p, ValidatedPermission::NativeTokenTransfer { .. } | ValidatedPermission::Erc20TokenTransfer { .. })
    })
}

fn config25(module: Address, entity: u32, flags: u8) -> FixedBytes<25> {
    let mut out = [0u8; 25];
    out[..20].copy_from_slice(module.as_slice());
    out[20..24].copy_from_slice(&entity.to_be_bytes());
    out[24] = flags;
    FixedBytes(out)
}

fn hook(module: Address, entity: u32, flags: u8, init: Vec<u8>) -> Bytes {
    let mut out = config25(module, entity, flags).to_vec();
    out.extend_from_slice(&init);
    out.into()
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

/// The `installValidation` call for a session. `permissions` should come from a validated
/// [`crate::permissions::PermissionSet`]; the encoder itself does not judge them.
pub fn encode_install_call(
    entity_id: u32,
    session_key: Address,
    expiry_sec: u64,
    permissions: &[ValidatedPermission],
) -> Bytes {
    let root = matches!(permissions, [ValidatedPermission::Root]);
    let hook_entity = entity_id.wrapping_add(HOOK_ENTITY_OFFSET);
    let flags = VALIDATION_FLAG_USER_OP | if root { VALIDATION_FLAG_GLOBAL } else { 0 };

    let mut selectors: Vec<FixedBytes<4>> = Vec::new();
    for p in permissions {
        if let ValidatedPermission::AccountFunctions { functions } = p {
            selectors.extend(functions.iter().copied());
        }
    }
    let has_allowlist = permissions.iter().any(is_allowlisted);
    if has_allowlist {
        for s in [SELECTOR_EXECUTE, SELECTOR_EXECUTE_BATCH] {
            if !selectors.iter().any(|x| x.0 == s) {
                selectors.push(FixedBytes(s));
            }
        }
    }

    let mut hooks = Vec::new();
    if expiry_sec != 0 {
        let init = TimeRangeInit { entityId: entity_id, validUntil: U48::from(expiry_sec), validAfter: U48::ZERO };
        hooks.push(hook(TIME_RANGE_MODULE, entity_id, HOOK_FLAG_VALIDATION, init.abi_encode_params()));
    }
    for p in permissions {
        if let ValidatedPermission::NativeTokenTransfer { allowance } = p {
            let init = SpendLimitInit { entityId: entity_id, limit: *allowance };
            hooks.push(hook(NATIVE_TOKEN_LIMIT_MODULE, entity_id, HOOK_FLAG_PRE, init.abi_encode_params()));
        }
    }
    let spend: Vec<AllowlistInput> = permissions
        .iter()
        .filter_map(|p| match p {
            ValidatedPermission::Erc20TokenTransfer { token, allowance } => Some(AllowlistInput {
                target: *token,
                hasSelectorAllowlist: false,
                hasERC20SpendLimit: true,
                erc20SpendLimit: *allowance,
                selectors: vec![],
            }),
            _ => None,
        })
        .collect();
    if !spend.is_empty() {
        let init = AllowlistInit { entityId: hook_entity, inputs: spend };
        hooks.push(hook(ALLOWLIST_MODULE, hook_entity, HOOK_FLAG_PRE, init.abi_encode_params()));
    }
    for p in permissions {
        if let ValidatedPermission::GasLimit { limit } = p {
            let init = SpendLimitInit { entityId: hook_entity, limit: *limit };
            hooks.push(hook(
                NATIVE_TOKEN_LIMIT_MODULE,
                hook_entity,
                HOOK_FLAG_VALIDATION | HOOK_FLAG_PRE,
                init.abi_encode_params(),
            ));
        }
    }
    if has_allowlist {
        let inputs = permissions.iter().filter_map(allowlist_input).collect();
        let init = AllowlistInit { entityId: entity_id, inputs };
        hooks.push(hook(ALLOWLIST_MODULE, entity_id, HOOK_FLAG_VALIDATION | HOOK_FLAG_PRE, init.abi_encode_params()));
    }

    let install = SignerInstall { entityId: entity_id, signer: session_key }.abi_encode_params();
    installValidationCall {
        validationConfig: config25(SINGLE_SIGNER_VALIDATION_MODULE, entity_id, flags),
        selectors,
        installData: install.into(),
        hooks,
    }
    .abi_encode()
    .into()
}

fn allowlist_input(p: &ValidatedPermission) -> Option<AllowlistInput> {
    let entry = |target, has_sel, selectors: Vec<FixedBytes<4>>| AllowlistInput {
        target,
        hasSelectorAllowlist: has_sel,
        hasERC20SpendLimit: false,
        erc20SpendLimit: U256::ZERO,
        selectors,
    };
    Some(match p {
        ValidatedPermission::Erc20TokenTransfer { token, .. } => {
            entry(*token, true, vec![FixedBytes(SELECTOR_ERC20_APPROVE), FixedBytes(SELECTOR_ERC20_TRANSFER)])
        }
        ValidatedPermission::ContractAccess { address } => entry(*address, false, vec![]),
        ValidatedPermission::FunctionsOnAllContracts { functions } => entry(Address::ZERO, false, functions.clone()),
        ValidatedPermission::FunctionsOnContract { address, functions } => entry(*address, true, functions.clone()),
        _ => return None,
    })
}

fn unexplained(what: impl Into<String>, reason: impl Into<String>) -> Mav2Error {
    Mav2Error::Unexplained { what: what.into(), reason: reason.into() }
}

fn split25(b: &[u8]) -> (Address, u32, u8) {
    let module = Address::from_slice(&b[..20]);
    let entity = u32::from_be_bytes([b[20], b[21], b[22], b[23]]);
    (module, entity, b[24])
}

/// Reads an `installValidation` call back into the grant it installs (see module docs).
pub fn decode_install_call(call: &[u8]) -> Result<SessionGrant, Mav2Error> {
    const WHAT: &str = "installValidation call";
    if call.len() < 4 || call[..4] != SELECTOR_INSTALL_VALIDATION {
        let sel = call.get(..4).map(|s| format!("0x{}", hex_str(s))).unwrap_or_else(|| "nothing".into());
        return Err(Mav2Error::Malformed {
            what: WHAT,
            reason: format!("starts with {sel}, not the installValidation selector 0x1bbf564c"),
        });
    }
    let decoded = installValidationCall::abi_decode(call)
        .map_err(|e| Mav2Error::Malformed { what: WHAT, reason: e.to_string() })?;

    let (module, entity_id, flags) = split25(decoded.validationConfig.as_slice());
    if module != SINGLE_SIGNER_VALIDATION_MODULE {
        return Err(unexplained(
            "validationConfig",
            format!("validation module {module} is not the SingleSignerValidationModule"),
        ));
    }
    if entity_id == 0 {
        return Err(unexplained("validationConfig", "entity id 0 is the owner's, not a session's"));
    }
    let root = match flags {
        f if f == VALIDATION_FLAG_USER_OP => false,
        f if f == VALIDATION_FLAG_USER_OP | VALIDATION_FLAG_GLOBAL => true,
        f => {
            return Err(unexplained(
                "validationConfig",
                format!("validation flags {f:#04x} are neither user-op (0x01) nor user-op + global (0x05)"),
            ));
        }
    };

    let signer = SignerInstall::abi_decode_params(&decoded.installData)
        .map_err(|e| unexplained("installData", format!("not (uint32 entityId, address signer): {e}")))?;
    if signer.entityId != entity_id {
        return Err(unexplained(
            "installData",
            format!("entity id {} differs from the validation's {entity_id}", signer.entityId),
        ));
    }
    let hook_entity = entity_id.checked_add(HOOK_ENTITY_OFFSET).ok_or_else(|| {
        unexplained("validationConfig", format!("entity id {entity_id} leaves no room for hook entity ids"))
    })?;

    let mut expiry_sec = 0u64;
    let mut native: Option<U256> = None;
    let mut gas: Option<U256> = None;
    let mut spend: Vec<(Address, U256)> = Vec::new();
    let mut allowlist: Option<Vec<AllowlistInput>> = None;

    for (i, h) in decoded.hooks.iter().enumerate() {
        let what = format!("hooks[{i}]");
        if h.len() < 25 {
            return Err(unexplained(what, format!("{} bytes is shorter than a hook config", h.len())));
        }
        let (module, entity, flags) = split25(&h[..25]);
        let init = &h[25..];
        let bad_init = |e: alloy_sol_types::Error| unexplained(format!("hooks[{i}].initData"), e.to_string());
        match (module, flags) {
            (TIME_RANGE_MODULE, HOOK_FLAG_VALIDATION) if entity == entity_id => {
                let t = TimeRangeInit::abi_decode_params(init).map_err(bad_init)?;
                if t.entityId != entity_id || t.validAfter != U48::ZERO || t.validUntil == U48::ZERO {
                    return Err(unexplained(
                        what,
                        format!(
                            "time range (entity {}, validUntil {}, validAfter {}) is not (entity {entity_id}, expiry, 0)",
                            t.entityId, t.validUntil, t.validAfter
                        ),
                    ));
                }
                expiry_sec = t.validUntil.to::<u64>();
            }
            (NATIVE_TOKEN_LIMIT_MODULE, HOOK_FLAG_PRE) if entity == entity_id => {
                let s = SpendLimitInit::abi_decode_params(init).map_err(bad_init)?;
                check_entity(&what, s.entityId, entity_id)?;
                native = Some(s.limit);
            }
            (NATIVE_TOKEN_LIMIT_MODULE, f) if f == HOOK_FLAG_VALIDATION | HOOK_FLAG_PRE && entity == hook_entity => {
                let s = SpendLimitInit::abi_decode_params(init).map_err(bad_init)?;
                check_entity(&what, s.entityId, hook_entity)?;
                gas = Some(s.limit);
            }
            (ALLOWLIST_MODULE, HOOK_FLAG_PRE) if entity == hook_entity => {
                let a = AllowlistInit::abi_decode_params(init).map_err(bad_init)?;
                check_entity(&what, a.entityId, hook_entity)?;
                for (j, input) in a.inputs.into_iter().enumerate() {
                    if input.hasSelectorAllowlist || !input.hasERC20SpendLimit || !input.selectors.is_empty() {
                        return Err(unexplained(
                            format!("hooks[{i}].inputs[{j}]"),
                            "an ERC-20 spend-limit entry must have only a spend limit",
                        ));
                    }
                    spend.push((input.target, input.erc20SpendLimit));
                }
            }
            (ALLOWLIST_MODULE, f) if f == HOOK_FLAG_VALIDATION | HOOK_FLAG_PRE && entity == entity_id => {
                let a = AllowlistInit::abi_decode_params(init).map_err(bad_init)?;
                check_entity(&what, a.entityId, entity_id)?;
                allowlist = Some(a.inputs);
            }
            _ => {
                return Err(unexplained(
                    what,
                    format!(
                        "hook module {module} with entity {entity} and flags {flags:#04x} is not one a session permission installs"
                    ),
                ));
            }
        }
    }

    let mut permissions = Vec::new();
    if root {
        permissions.push(ValidatedPermission::Root);
    } else {
        if let Some(allowance) = native {
            permissions.push(ValidatedPermission::NativeTokenTransfer { allowance });
        }
        let mut spend_used = vec![false; spend.len()];
        for (j, input) in allowlist.iter().flatten().enumerate() {
            let what = || format!("allow-list hook inputs[{j}]");
            let p = if input.hasERC20SpendLimit || !input.erc20SpendLimit.is_zero() {
                return Err(unexplained(what(), "the validation allow-list carries an ERC-20 spend limit"));
            } else if input.target == Address::ZERO {
                if input.hasSelectorAllowlist {
                    return Err(unexplained(what(), "a selector allow-list on the zero address"));
                }
                ValidatedPermission::FunctionsOnAllContracts { functions: input.selectors.clone() }
            } else if !input.hasSelectorAllowlist {
                if !input.selectors.is_empty() {
                    return Err(unexplained(what(), "selectors given without a selector allow-list"));
                }
                ValidatedPermission::ContractAccess { address: input.target }
            } else if let Some(k) = spend.iter().position(|(t, _)| *t == input.target) {
                let erc20_selectors = [FixedBytes(SELECTOR_ERC20_APPROVE), FixedBytes(SELECTOR_ERC20_TRANSFER)];
                if input.selectors != erc20_selectors || spend_used[k] {
                    return Err(unexplained(
                        what(),
                        format!(
                            "token {} has a spend limit but its allow-list entry is not [approve, transfer]",
                            input.target
                        ),
                    ));
                }
                spend_used[k] = true;
                ValidatedPermission::Erc20TokenTransfer { token: input.target, allowance: spend[k].1 }
            } else {
                ValidatedPermission::FunctionsOnContract { address: input.target, functions: input.selectors.clone() }
            };
            permissions.push(p);
        }
        if let Some(k) = spend_used.iter().position(|used| !used) {
            return Err(unexplained(
                "ERC-20 spend-limit hook",
                format!("token {} has a spend limit but no allow-list entry", spend[k].0),
            ));
        }
        if let Some(limit) = gas {
            permissions.push(ValidatedPermission::GasLimit { limit });
        }
        let mut account_functions: Vec<FixedBytes<4>> = decoded.selectors.clone();
        if allowlist.is_some() {
            let tail = [FixedBytes(SELECTOR_EXECUTE), FixedBytes(SELECTOR_EXECUTE_BATCH)];
            if !account_functions.ends_with(&tail) {
                return Err(unexplained(
                    "selectors",
                    "an allow-list is installed but the selectors do not end with execute, executeBatch",
                ));
            }
            account_functions.truncate(account_functions.len() - 2);
        }
        if !account_functions.is_empty() {
            permissions.push(ValidatedPermission::AccountFunctions { functions: account_functions });
        }
    }

    let grant = SessionGrant { entity_id, session_key: signer.signer, expiry_sec, permissions };
    let again = encode_install_call(grant.entity_id, grant.session_key, grant.expiry_sec, &grant.permissions);
    if again.as_ref() != call {
        return Err(Mav2Error::NonCanonical { what: WHAT });
    }
    Ok(grant)
}

fn check_entity(what: &str, got: u32, expected: u32) -> Result<(), Mav2Error> {
    if got == expected {
        Ok(())
    } else {
        Err(unexplained(what, format!("init data names entity {got}, the hook config {expected}")))
    }
}

fn hex_str(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use alloy_primitives::address;

    const KEY: Address = address!("70997970C51812dc3A010C7d01b50e0d17dc79C8");

    #[test]
    fn root_session_round_trips() {
        let call = encode_install_call(1, KEY, 1_747_969_653, &[ValidatedPermission::Root]);
        let g = decode_install_call(&call).unwrap();
        assert!(g.is_root());
        assert_eq!((g.entity_id, g.session_key, g.expiry_sec), (1, KEY, 1_747_969_653));
    }

    #[test]
    fn trailing_byte_and_foreign_selector_are_refused() {
        let call = encode_install_call(1, KEY, 0, &[ValidatedPermission::Root]);
        let mut longer = call.to_vec();
        longer.push(0);
        assert!(decode_install_call(&longer).is_err());
        let mut other = call.to_vec();
        other[0] ^= 1;
        assert!(matches!(decode_install_call(&other), Err(Mav2Error::Malformed { .. })));
    }
}
