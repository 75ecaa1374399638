//! `SessionClient` against a real devnet: built from credentials, it sends within the
//! grant and is refused beyond it; shared by 8 tasks sending at once, every call confirms
//! with its own nonce and none is lost or doubled; a send the endpoint refuses as a nonce
//! conflict after running it is not sent again.

#![allow(clippy::unwrap_used)]

mod support;

use std::sync::Arc;

use alloy_primitives::{Address, U256};
use support::*;
use warden_core::api::{Call, CallStatus};
use warden_core::calls::CallsError;
use warden_core::credentials::{Secret, SecretForm, Unlock};
use warden_core::mav2::nonce::{session_first_use_key, session_installed_key};
use warden_core::permissions::Permission;
use warden_core::session::SessionClient;
use warden_core::signing::{DigestSigner, LocalSigner};
use warden_core::{Coded, ErrorCode};

fn pay(to: Address, wei: u128) -> Call {
    Call { to, data: None, value: Some(U256::from(wei)) }
}

fn limits(allowance: u128) -> Vec<Permission> {
    vec![
        Permission::NativeTokenTransfer { allowance: U256::from(allowance) },
        Permission::ContractAccess { address: BOB },
    ]
}

#[tokio::test]
async fn sends_within_the_grant_and_is_refused_beyond_it() {
    let d = devnet().await;
    let url = d.url();
    let rpc = rpc(&url);
    let owner = signer(OWNER_KEY);
    let account = funded_account(&rpc, owner.address(), ETHER).await;
    let key = signer(SESSION_KEY);
    let mut creds = grant(&rpc, &url, &owner, account, key.address(), limits(5 * MILLI), None).await;
    creds.secret = Some(Secret::seal(SESSION_KEY, SecretForm::Plaintext).unwrap());
    let client = SessionClient::from_credentials(&creds, Unlock::None, rpc.clone()).unwrap();
    assert_eq!((client.account(), client.session_key()), (account, key.address()));

    let before = balance(&rpc, BOB).await;
    let outcome = client.send_calls(&[pay(BOB, 3 * MILLI)]).await.unwrap();
    assert_eq!(outcome.status, CallStatus::CONFIRMED);
    assert_eq!(client.status(&outcome.call_id).await.unwrap().status, CallStatus::CONFIRMED);
    assert_eq!(balance(&rpc, BOB).await - before, U256::from(3 * MILLI));

    // 3 of 5 spent: 3 more is beyond the native limit, which the error names.
    let err = client.send_calls(&[pay(BOB, 3 * MILLI)]).await.unwrap_err();
    assert!(matches!(err, CallsError::PermissionDenied { limit: "native-token-transfer", .. }), "{err:?}");
    assert_eq!(err.code(), ErrorCode::PermissionDenied);
    // A target outside the allow-list.
    let err = client.send_calls(&[pay(ALICE, 1)]).await.unwrap_err();
    assert!(matches!(err, CallsError::PermissionDenied { limit: "allow-list", .. }), "{err:?}");
    assert_eq!(balance(&rpc, BOB).await - before, U256::from(3 * MILLI));
    assert_eq!(balance(&rpc, ALICE).await, U256::ZERO);

    // A signer that is not the session key is refused when the client is built.
    let err = SessionClient::with_signer(&creds, Arc::new(LocalSigner::random()), rpc.clone()).unwrap_err();
    assert!(err.to_string().contains("key.publicKey"), "{err}");
    // A document without its key cannot make a client from itself.
    assert!(SessionClient::from_credentials(&creds.without_secret(), Unlock::None, rpc).is_err());
}

#[tokio::test]
async fn eight_concurrent_tasks_all_confirm_with_distinct_nonces() {
    const TASKS: u128 = 8;
    let d = devnet().await;
    let url = d.url();
    let rpc = rpc(&url);
    let owner = signer(OWNER_KEY);
    let account = funded_account(&rpc, owner.address(), ETHER).await;
    let key = LocalSigner::random();
    let creds = grant(&rpc, &url, &owner, account, key.address(), limits(ETHER), None).await;
    let entity = creds.grant.as_ref().unwrap().entity_id;
    // The server keeps its own key: the document carries none.
    let client = SessionClient::with_signer(&creds, Arc::new(key), rpc.clone()).unwrap();
    let before = balance(&rpc, BOB).await;

    // Every task starts at once, the session's first (installing) operation included.
    let tasks: Vec<_> = (1..=TASKS)
        .map(|i| {
            let client = client.clone();
            tokio::spawn(async move { client.send_calls(&[pay(BOB, i * MILLI)]).await })
        })
        .collect();
    let mut ids = Vec::new();
    for t in tasks {
        let outcome = t.await.unwrap().unwrap();
        assert_eq!(outcome.status, CallStatus::CONFIRMED);
        ids.push(outcome.call_id);
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), TASKS as usize, "call ids must be distinct");
    let total: u128 = (1..=TASKS).map(|i| i * MILLI).sum();
    assert_eq!(balance(&rpc, BOB).await - before, U256::from(total), "each call moved its value exactly once");
    // One operation installed the session through its deferred nonce; the other seven used
    // the installed key, sequence 0..6.
    assert_eq!(entry_point_sequence(&rpc, account, session_first_use_key(U256::ZERO, entity, false)).await, 1);
    assert_eq!(
        entry_point_sequence(&rpc, account, session_installed_key(U256::ZERO, entity, false)).await,
        TASKS as u64 - 1
    );
}

#[tokio::test]
async fn a_nonce_conflict_answered_for_an_operation_that_ran_does_not_run_it_twice() {
    let d = devnet_with_hooks().await;
    let url = d.url();
    let rpc = rpc(&url);
    let owner = signer(OWNER_KEY);
    let account = funded_account(&rpc, owner.address(), ETHER).await;
    let key = signer(SESSION_KEY);
    let mut creds = grant(&rpc, &url, &owner, account, key.address(), limits(5 * MILLI), None).await;
    creds.secret = Some(Secret::seal(SESSION_KEY, SecretForm::Plaintext).unwrap());
    let client = SessionClient::from_credentials(&creds, Unlock::None, rpc.clone()).unwrap();
    let first = client.send_calls(&[pay(BOB, 1)]).await.unwrap();
    assert_eq!(first.status, CallStatus::CONFIRMED);

    // The endpoint runs the next operation but answers "nonce already used".
    raw(&rpc, "devnet_setTamper", serde_json::json!(["conflict-after-send"])).await;
    let before = balance(&rpc, BOB).await;
    let outcome = client.send_calls(&[pay(BOB, 2)]).await.unwrap();
    assert_eq!(outcome.status, CallStatus::CONFIRMED);
    assert_eq!(balance(&rpc, BOB).await - before, U256::from(2), "the calls ran once");
    let entity = creds.grant.as_ref().unwrap().entity_id;
    let key = session_installed_key(U256::ZERO, entity, false);
    assert_eq!(entry_point_sequence(&rpc, account, key).await, 1, "one operation after the first use");
}
