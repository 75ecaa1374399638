//! Function signatures as people write them (`transfer(address,uint256)`) turned into the
//! 4-byte selectors permission lists carry, so the grant wizard and the CLI show both side
//! by side and never ask a person to compute a hash.
//!
//! The parameter list is parsed by alloy's Solidity type parser and re-printed in its
//! canonical form (`uint` → `uint256`, spaces dropped), because the selector is the hash of
//! that canonical text. Left out: named parameters and `function` keywords (paste the
//! signature alone).

use alloy_dyn_abi::DynSolType;
use alloy_primitives::{FixedBytes, keccak256};

use crate::error::{Coded, ErrorCode};

/// A signature in canonical form and its selector.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunctionSelector {
    /// E.g. `transfer(address,uint256)`.
    pub signature: String,
    pub selector: FixedBytes<4>,
}

/// Why a text is not a function signature.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{text:?} is not a function signature such as transfer(address,uint256): {reason}")]
pub struct SignatureError {
    pub text: String,
    pub reason: String,
}

impl Coded for SignatureError {
    fn code(&self) -> ErrorCode {
        ErrorCode::InvalidInput
    }
}

/// The canonical signature and selector of `text`.
pub fn function_selector(text: &str) -> Result<FunctionSelector, SignatureError> {
    let trimmed = text.trim();
    let fail = |reason: &str| SignatureError { text: trimmed.to_owned(), reason: reason.to_owned() };
    let open = trimmed.find('(').ok_or_else(|| fail("no parameter list in parentheses"))?;
    let name = trimmed[..open].trim();
    let starts_well = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$');
    if !starts_well || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$') {
        return Err(fail("the function name must be letters, digits, _ or $, not starting with a digit"));
    }
    // Types never contain spaces; people often type them after commas.
    let list: String = trimmed[open..].chars().filter(|c| !c.is_whitespace()).collect();
    let params = DynSolType::parse(&list).map_err(|e| fail(&e.to_string()))?;
    if !matches!(params, DynSolType::Tuple(_)) {
        return Err(fail("the parameters are not a list of types"));
    }
    let signature = format!("{name}{}", params.sol_type_name());
    let selector = FixedBytes::from_slice(&keccak256(signature.as_bytes())[..4]);
    Ok(FunctionSelector { signature, selector })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn well_known_selectors() {
        let t = function_selector("transfer(address,uint256)").unwrap();
        assert_eq!(t.selector.to_string(), "0xa9059cbb");
        assert_eq!(function_selector("approve(address,uint256)").unwrap().selector.to_string(), "0x095ea7b3");
        assert_eq!(function_selector("totalSupply()").unwrap().selector.to_string(), "0x18160ddd");
    }

    #[test]
    fn canonical_form_is_what_is_hashed() {
        let loose = function_selector("  transfer( address , uint )").unwrap();
        assert_eq!(loose.signature, "transfer(address,uint256)");
        assert_eq!(loose.selector.to_string(), "0xa9059cbb");
        let tuple = function_selector("f((uint8,bytes32)[],address)").unwrap();
        assert_eq!(tuple.signature, "f((uint8,bytes32)[],address)");
    }

    #[test]
    fn nonsense_is_refused_with_the_reason() {
        for bad in ["", "transfer", "(address)", "1x(uint256)", "transfer(adress,uint256)", "tr ansfer(uint256)"] {
            let e = function_selector(bad).unwrap_err();
            assert_eq!(e.code(), ErrorCode::InvalidInput, "{bad}");
            assert!(!e.reason.is_empty());
        }
    }
}
