//! `warden_core::calls` against a real devnet: an owner-signed call goes through prepare →
//! verify → sign → send → wait and moves the balance; a revert comes back as a failure with
//! its reason; a wrong key or a wrong validation is refused with nothing executed.

#![allow(clippy::unwrap_used)]

mod support;

use std::sync::Mutex;

use alloy_primitives::U256;
use support::*;
use warden_core::api::{Call, CallStatus};
use warden_core::calls::{CallRequest, CallsError, NoProgress, Progress, Validation, WaitPolicy, send_calls, status};
use warden_core::mav2::nonce::owner_key;
use warden_core::signing::DigestSigner;
use warden_core::{Coded, ErrorCode};

fn pay(to: alloy_primitives::Address, wei: u128) -> Call {
    Call { to, data: None, value: Some(U256::from(wei)) }
}

#[tokio::test]
async fn an_owner_call_is_prepared_verified_signed_sent_and_confirmed() {
    let d = devnet().await;
    let rpc = rpc(&d.url());
    let owner = signer(OWNER_KEY);
    let account = funded_account(&rpc, owner.address(), ETHER).await;
    let before = balance(&rpc, BOB).await;

    let steps = Mutex::new(Vec::new());
    let record = |p: Progress| steps.lock().unwrap().push(p);
    let request = CallRequest::owner(account, d.chain_id(), vec![pay(BOB, 3 * MILLI)], None);
    let outcome = send_calls(&rpc, &owner, &request, Some(&WaitPolicy::default()), &record).await.unwrap();

    assert_eq!(outcome.status, CallStatus::CONFIRMED);
    assert!(outcome.user_op_hash.is_some());
    assert!(!outcome.transaction_hashes.is_empty() && !outcome.receipts.is_empty());
    assert_eq!(balance(&rpc, BOB).await - before, U256::from(3 * MILLI));
    let steps = steps.into_inner().unwrap();
    assert_eq!(steps[..4], [Progress::Preparing, Progress::Verifying, Progress::Signing, Progress::Sending]);
    assert_eq!(steps[4], Progress::Sent { call_id: outcome.call_id.clone() });
    assert_eq!(steps.last(), Some(&Progress::Done { status: CallStatus::CONFIRMED }));

    // The status can be read again by id.
    let again = status(&rpc, &outcome.call_id).await.unwrap();
    assert_eq!(again, outcome);
}

#[tokio::test]
async fn a_reverting_call_fails_with_its_reason_and_no_wait_returns_pending() {
    let d = devnet().await;
    let rpc = rpc(&d.url());
    let owner = signer(OWNER_KEY);
    let account = funded_account(&rpc, owner.address(), ETHER).await;
    let token = token(&rpc, account, 10).await;

    // Transferring more tokens than the account holds reverts on chain.
    let request = CallRequest::owner(
        account,
        d.chain_id(),
        vec![Call { to: token, data: Some(transfer_data(BOB, 11)), value: None }],
        None,
    );
    let err = send_calls(&rpc, &owner, &request, Some(&WaitPolicy::default()), &NoProgress).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::CallFailed);
    let CallsError::Failed { outcome } = &err else { panic!("{err:?}") };
    assert_eq!(outcome.status, CallStatus::ONCHAIN_FAILURE);
    assert!(outcome.revert_reason.as_deref().is_some_and(|r| r.contains("calls[0]")), "{outcome:?}");
    assert!(err.to_string().contains("500"), "{err}");
    assert_eq!(token_balance(&rpc, token, BOB).await, U256::ZERO);

    // Without waiting, the call is reported as accepted (pending) with its id.
    let ok = CallRequest::owner(
        account,
        d.chain_id(),
        vec![Call { to: token, data: Some(transfer_data(BOB, 4)), value: None }],
        None,
    );
    let sent = send_calls(&rpc, &owner, &ok, None, &NoProgress).await.unwrap();
    assert_eq!(sent.status, CallStatus::PENDING);
    assert_eq!(status(&rpc, &sent.call_id).await.unwrap().status, CallStatus::CONFIRMED);
    assert_eq!(token_balance(&rpc, token, BOB).await, U256::from(4));
}

#[tokio::test]
async fn a_wrong_key_or_validation_is_refused_and_nothing_moves() {
    let d = devnet().await;
    let rpc = rpc(&d.url());
    let owner = signer(OWNER_KEY);
    let account = funded_account(&rpc, owner.address(), ETHER).await;
    let before = balance(&rpc, BOB).await;
    let request = CallRequest::owner(account, d.chain_id(), vec![pay(BOB, MILLI)], None);

    // Another key signs: the endpoint refuses the signature.
    let err =
        send_calls(&rpc, &signer(OTHER_KEY), &request, Some(&WaitPolicy::default()), &NoProgress).await.unwrap_err();
    assert!(matches!(err, CallsError::SignatureRefused { .. }), "{err:?}");
    assert_eq!(err.code(), ErrorCode::BadSignature);

    // A session key expecting its own validation refuses to sign an owner operation.
    let as_session = CallRequest {
        validation: Validation::Session { entity_id: Some(1), root: false, execute_user_op: false },
        ..request.clone()
    };
    let err = send_calls(&rpc, &owner, &as_session, None, &NoProgress).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::VerificationFailed, "{err}");
    assert!(err.to_string().contains("data.nonce"), "{err}");

    // Neither reached the chain: no value moved, the owner nonce is unused.
    assert_eq!(balance(&rpc, BOB).await, before);
    assert_eq!(entry_point_sequence(&rpc, account, owner_key()).await, 0);

    // A call id the endpoint never issued.
    let bogus = alloy_primitives::Bytes::from(vec![1u8; 64]);
    let err = status(&rpc, &bogus).await.unwrap_err();
    assert!(matches!(err, CallsError::UnknownCallId { .. }), "{err:?}");
}
