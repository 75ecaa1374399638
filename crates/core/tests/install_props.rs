//! Properties of the MAv2 install-call codec: encode → decode is the identity for any
//! valid permission set, and no single-byte change to a valid call decodes silently to the
//! same grant.

#![allow(clippy::unwrap_used)]

use alloy_primitives::{Address, Bytes, U256};
use proptest::prelude::*;
use warden_core::mav2::install::{decode_install_call, encode_install_call};
use warden_core::permissions::{self, Permission, ValidatedPermission};

const ACCOUNT: Address = Address::repeat_byte(0xAC);

fn target() -> impl Strategy<Value = Address> {
    // A small pool so duplicates happen and are filtered by validation.
    (1u8..=40).prop_map(Address::repeat_byte)
}

fn selectors() -> impl Strategy<Value = Vec<Bytes>> {
    prop::collection::vec(any::<[u8; 4]>(), 1..4)
        .prop_map(|v| v.into_iter().map(|s| Bytes::copy_from_slice(&s)).collect())
}

fn amount() -> impl Strategy<Value = U256> {
    prop_oneof![any::<u64>().prop_map(U256::from), any::<[u8; 32]>().prop_map(U256::from_be_bytes)]
}

fn permission() -> impl Strategy<Value = Permission> {
    prop_oneof![
        amount().prop_map(|allowance| Permission::NativeTokenTransfer { allowance }),
        (amount(), target()).prop_map(|(allowance, address)| Permission::Erc20TokenTransfer { allowance, address }),
        amount().prop_map(|limit| Permission::GasLimit { limit }),
        target().prop_map(|address| Permission::ContractAccess { address }),
        selectors().prop_map(|functions| Permission::AccountFunctions { functions }),
        selectors().prop_map(|functions| Permission::FunctionsOnAllContracts { functions }),
        (target(), selectors()).prop_map(|(address, functions)| Permission::FunctionsOnContract { address, functions }),
    ]
}

fn permission_list() -> impl Strategy<Value = Vec<Permission>> {
    prop_oneof![1 => Just(vec![Permission::Root]), 9 => prop::collection::vec(permission(), 1..7)]
}

fn expiry() -> impl Strategy<Value = u64> {
    prop_oneof![Just(0u64), 1u64..=9_999_999_999]
}

/// Account-function selectors merge into one list on decode; everything else keeps its
/// identity. Compare in that normal form.
fn normal_form(p: &[ValidatedPermission]) -> (Vec<String>, Vec<[u8; 4]>) {
    let mut others = Vec::new();
    let mut account_fns = Vec::new();
    for x in p {
        match x {
            ValidatedPermission::AccountFunctions { functions } => account_fns.extend(functions.iter().map(|f| f.0)),
            other => others.push(format!("{other:?}")),
        }
    }
    others.sort();
    (others, account_fns)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn encode_then_decode_is_the_identity(
        list in permission_list(),
        entity in 1u32..=0x7FFF_FFFE,
        key in any::<[u8; 20]>(),
        expiry in expiry(),
    ) {
        let Ok(set) = permissions::validate(&list, ACCOUNT) else { return Ok(()) };
        let key = Address::from(key);
        let call = encode_install_call(entity, key, expiry, set.permissions());
        let grant = decode_install_call(&call).unwrap();
        prop_assert_eq!(grant.entity_id, entity);
        prop_assert_eq!(grant.session_key, key);
        prop_assert_eq!(grant.expiry_sec, expiry);
        prop_assert_eq!(grant.is_root(), set.is_root());
        prop_assert_eq!(grant.has_exec_hooks(), set.has_execution_hooks());
        prop_assert_eq!(normal_form(&grant.permissions), normal_form(set.permissions()));
        prop_assert_eq!(encode_install_call(entity, key, expiry, &grant.permissions), call);
    }

    #[test]
    fn a_single_byte_change_never_decodes_to_the_same_grant(
        list in permission_list(),
        entity in 1u32..=1000,
        expiry in expiry(),
        position in any::<prop::sample::Index>(),
        delta in 1u8..=255,
    ) {
        let Ok(set) = permissions::validate(&list, ACCOUNT) else { return Ok(()) };
        let key = Address::repeat_byte(0x5E);
        let call = encode_install_call(entity, key, expiry, set.permissions());
        let original = decode_install_call(&call).unwrap();
        let mut changed = call.to_vec();
        let i = position.index(changed.len());
        changed[i] = changed[i].wrapping_add(delta);
        if let Ok(other) = decode_install_call(&changed) {
            prop_assert_ne!(other, original, "byte {} changed and the grant stayed the same", i);
        }
    }
}

#[test]
fn generated_sets_are_mostly_valid() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strategy = permission_list();
    let valid = (0..500)
        .filter(|_| permissions::validate(&strategy.new_tree(&mut runner).unwrap().current(), ACCOUNT).is_ok())
        .count();
    // The properties above only mean something when most generated sets are valid.
    assert!(valid > 250, "only {valid}/500 generated permission sets were valid");
}
