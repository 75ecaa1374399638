//! The grant wizard's helpers: check a permission list by the core's rules with the
//! offending permission and field named, describe it in words, read a token's symbol and
//! decimals, and turn a function signature into its selector. Nothing here changes state.
//!
//! The bodies of `permissions_check`, `token_info` and `selector_of`;
//! `src-tauri/src/commands/permissions.rs` calls in here.

use warden_core::grant::{GrantError, validate_permissions};
use warden_core::permissions::function_selector;

use crate::args::{parse_address, parse_expiry, parse_permissions};
use crate::error::AppError;
use crate::payloads::sessions::{FieldError, PermissionCheck, SelectorInfo, TokenInfo, permission_views};
use crate::state::DeskState;

fn field_error(e: &GrantError) -> FieldError {
    match e {
        GrantError::Permissions(p) => {
            let (index, field) = p.location();
            FieldError { index: index.map(|i| u32::try_from(i).unwrap_or(u32::MAX)), field, message: p.to_string() }
        }
        other => FieldError { index: None, field: "request".into(), message: other.to_string() },
    }
}

/// Checks `permissions` and the expiry with the rules a grant must pass, and describes
/// them. The account is not known here (the grant checks targets against it again).
pub async fn permissions_check(
    state: &impl DeskState,
    permissions: Vec<serde_json::Value>,
    expiry_sec: Option<serde_json::Value>,
) -> Result<PermissionCheck, AppError> {
    let now = state.now();
    let expiry = match parse_expiry(expiry_sec.as_ref()) {
        Ok(e) => e,
        Err(e) => {
            let error = FieldError { index: None, field: "expirySec".into(), message: e.message };
            return Ok(PermissionCheck { ok: false, errors: vec![error], views: vec![], risks: vec![] });
        }
    };
    let parsed = match parse_permissions(&permissions) {
        Ok(p) => p,
        Err(errors) => return Ok(PermissionCheck { ok: false, errors, views: vec![], risks: vec![] }),
    };
    let errors = match validate_permissions(&parsed, alloy_primitives::Address::ZERO, expiry, now) {
        Ok(_) => vec![],
        Err(e) => vec![field_error(&e)],
    };
    // Token symbols only make amounts readable; without a backend they read as raw units.
    let active = state.active_backend().await.ok();
    let tokens = state
        .records()
        .tokens_of(active.as_ref().map(|b| b.backend.node()), active.as_ref().map_or(0, |b| b.chain_id()), &parsed)
        .await;
    // Native amounts read in the active chain's currency (ether when no backend answers).
    let chain_id = active.as_ref().map_or(0, |b| b.chain_id());
    let (views, risks) = permission_views(&parsed, expiry, now, chain_id, &tokens);
    Ok(PermissionCheck { ok: errors.is_empty(), errors, views, risks })
}

/// The symbol and decimals of the ERC-20 token at `address` on the active backend (null
/// when it does not answer).
pub async fn token_info(state: &impl DeskState, address: &str) -> Result<TokenInfo, AppError> {
    let token = parse_address("address", address)?;
    let active = state.active_backend().await?;
    let info = state.records().token(active.backend.node(), active.chain_id(), token).await;
    Ok(TokenInfo {
        address: token.to_checksum(None),
        symbol: info.as_ref().map(|i| i.symbol.clone()),
        decimals: info.map(|i| i.decimals),
    })
}

/// `transfer(address,uint256)` → `0xa9059cbb`, with the signature in canonical form.
pub fn selector_of(signature: &str) -> Result<SelectorInfo, AppError> {
    let f = function_selector(signature)?;
    Ok(SelectorInfo { signature: f.signature, selector: f.selector.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use warden_core::permissions::Permission;

    #[test]
    fn malformed_permissions_are_named_by_index() {
        let values = vec![
            serde_json::json!({"type": "contract-access", "data": {"address": "0x1111111111111111111111111111111111111111"}}),
            serde_json::json!({"type": "native-token-transfer", "data": {"allowance": "ten"}}),
            serde_json::json!({"type": "teleport"}),
        ];
        let errors = parse_permissions(&values).unwrap_err();
        assert_eq!(errors.iter().map(|e| e.index).collect::<Vec<_>>(), vec![Some(1), Some(2)]);
        assert!(errors[0].message.starts_with("permissions[1]"));
    }

    #[test]
    fn rule_breaks_point_at_the_field() {
        let p = vec![Permission::ContractAccess { address: alloy_primitives::Address::ZERO }];
        let e = validate_permissions(&p, alloy_primitives::Address::repeat_byte(9), 0, 1).unwrap_err();
        let f = field_error(&e);
        assert_eq!((f.index, f.field.as_str()), (Some(0), "address"));
        assert_eq!(parse_expiry(Some(&serde_json::json!(1.5))).unwrap_err().code, ErrorCode::InvalidPermissions);
        assert_eq!(parse_expiry(Some(&serde_json::json!(0))).unwrap_err().code, ErrorCode::InvalidPermissions);
        assert_eq!(parse_expiry(None).unwrap(), 0);
        assert_eq!(parse_expiry(Some(&serde_json::json!(1_900_000_000u64))).unwrap(), 1_900_000_000);
    }

    #[test]
    fn selectors_from_signatures() {
        let s = selector_of("transfer(address, uint)").unwrap();
        assert_eq!((s.signature.as_str(), s.selector.as_str()), ("transfer(address,uint256)", "0xa9059cbb"));
        assert_eq!(selector_of("transfer").unwrap_err().code, ErrorCode::InvalidInput);
    }
}
