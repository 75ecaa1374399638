//! The owner's calls that end a session (protocol.md §6.3).
//!
//! * A session that was used is installed on the account: the owner calls
//!   `uninstallValidation` on the account. The validation function is the install call's
//!   module and entity; `uninstallData` is what SingleSignerValidationModule's
//!   `onUninstall` reads (the entity id); each hook gets back its own init data (the time
//!   range and spend-limit modules read the leading entity id, the allow-list module the
//!   entries to clear), validation hooks first, then execution hooks, each list in reverse
//!   install order — the order the account stores (prepends) them and hands them back.
//! * A grant never used is not on chain; the owner's signature over its DeferredAction
//!   stays valid until the nonce it signed is consumed, so the owner consumes it:
//!   `EntryPoint.incrementNonce(key)` sent from the account, with the session's
//!   first-use key.
//!
//! Left out: deciding which of the two applies (that needs the chain: `crate::revoke`).

use alloy_primitives::{Bytes, FixedBytes, U256};
use alloy_sol_types::{SolCall, SolValue, sol};

use super::Mav2Error;
use super::abi::{installValidationCall, uninstallValidationCall};
use super::constants::HOOK_FLAG_VALIDATION;
use super::install::decode_install_call;

sol! {
    function incrementNonce(uint192 key);
}

/// Length of a hook config (module ‖ entity id ‖ flags) at the start of each hook.
const HOOK_CONFIG_LEN: usize = 25;

/// `uninstallValidation` undoing the session that `install_call` installs. Refuses an
/// install call Warden cannot explain.
pub fn uninstall_call(install_call: &[u8]) -> Result<Bytes, Mav2Error> {
    let grant = decode_install_call(install_call)?;
    let install = installValidationCall::abi_decode(install_call)
        .map_err(|e| Mav2Error::Malformed { what: "installValidation call", reason: e.to_string() })?;
    let mut validation_function = [0u8; 24];
    validation_function.copy_from_slice(&install.validationConfig[..24]);
    let mut validation_hooks = Vec::new();
    let mut execution_hooks = Vec::new();
    for hook in &install.hooks {
        // decode_install_call accepted every hook, so each has its config.
        let (config, init) = hook.split_at(HOOK_CONFIG_LEN.min(hook.len()));
        let data = Bytes::copy_from_slice(init);
        if config.get(HOOK_CONFIG_LEN - 1).is_some_and(|flags| flags & HOOK_FLAG_VALIDATION != 0) {
            validation_hooks.push(data);
        } else {
            execution_hooks.push(data);
        }
    }
    validation_hooks.reverse();
    execution_hooks.reverse();
    validation_hooks.extend(execution_hooks);
    Ok(uninstallValidationCall {
        validationFunction: validation_function.into(),
        uninstallData: grant.entity_id.abi_encode().into(),
        hookUninstallData: validation_hooks,
    }
    .abi_encode()
    .into())
}

/// The validation function (module ‖ entity id) `install_call` installs: what
/// `uninstallValidation` names and the account's `getValidationData` reads. Refuses an
/// install call Warden cannot explain.
pub fn validation_function(install_call: &[u8]) -> Result<FixedBytes<24>, Mav2Error> {
    decode_install_call(install_call)?;
    let install = installValidationCall::abi_decode(install_call)
        .map_err(|e| Mav2Error::Malformed { what: "installValidation call", reason: e.to_string() })?;
    Ok(FixedBytes::from_slice(&install.validationConfig[..24]))
}

/// `EntryPoint.incrementNonce(key)`: consumes the next nonce of a 192-bit key.
pub fn increment_nonce_call(key: U256) -> Bytes {
    incrementNonceCall { key: key.saturating_to() }.abi_encode().into()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::mav2::constants::{SELECTOR_UNINSTALL_VALIDATION, SINGLE_SIGNER_VALIDATION_MODULE};
    use crate::mav2::install::encode_install_call;
    use crate::permissions::{Permission, validate};
    use alloy_primitives::{Address, address, keccak256};

    #[test]
    fn uninstall_names_the_session_validation_and_returns_each_hook_its_data() {
        let account = address!("65b5DE0251f553B2208762a4724303E750294D96");
        let token = Address::repeat_byte(0x44);
        let perms = [
            Permission::NativeTokenTransfer { allowance: U256::from(5) },
            Permission::Erc20TokenTransfer { allowance: U256::from(7), address: token },
            Permission::ContractAccess { address: Address::repeat_byte(0x33) },
        ];
        let set = validate(&perms, account).unwrap();
        let key = Address::repeat_byte(0x70);
        let install = encode_install_call(9, key, 1_900_000_000, set.permissions());
        let call = uninstall_call(&install).unwrap();
        assert_eq!(call[..4], SELECTOR_UNINSTALL_VALIDATION);
        let decoded = uninstallValidationCall::abi_decode(&call).unwrap();
        assert_eq!(decoded.validationFunction[..20], SINGLE_SIGNER_VALIDATION_MODULE[..]);
        assert_eq!(decoded.validationFunction[20..], 9u32.to_be_bytes());
        assert_eq!(u32::abi_decode(&decoded.uninstallData).unwrap(), 9);
        assert_eq!(validation_function(&install).unwrap(), decoded.validationFunction);

        let hooks = installValidationCall::abi_decode(&install).unwrap().hooks;
        let init = |h: &Bytes| Bytes::copy_from_slice(&h[HOOK_CONFIG_LEN..]);
        let is_validation = |h: &Bytes| h[HOOK_CONFIG_LEN - 1] & HOOK_FLAG_VALIDATION != 0;
        let mut expected: Vec<Bytes> = hooks.iter().filter(|h| is_validation(h)).map(init).rev().collect();
        expected.extend(hooks.iter().filter(|h| !is_validation(h)).map(init).rev());
        // time range + allow-list (validation), native limit + ERC-20 limit (execution).
        assert_eq!(hooks.len(), 4);
        assert_eq!(decoded.hookUninstallData, expected);
        assert_eq!(
            keccak256(&decoded.hookUninstallData[0]),
            keccak256(init(&hooks[3])),
            "allow-list is last installed"
        );
    }

    #[test]
    fn uninstall_refuses_what_it_cannot_explain() {
        assert!(uninstall_call(&[0x1b, 0xbf, 0x56, 0x4c, 0x00]).is_err());
        assert!(uninstall_call(&[]).is_err());
    }

    #[test]
    fn increment_nonce_encodes_the_key() {
        let data = increment_nonce_call(U256::from(0x102));
        assert_eq!(data[..4], keccak256("incrementNonce(uint192)")[..4]);
        assert_eq!(U256::from_be_slice(&data[4..]), U256::from(0x102));
    }
}
