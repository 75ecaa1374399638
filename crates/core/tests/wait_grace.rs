//! `calls::wait_for` against a real HTTP server on 127.0.0.1 that does not know a call id at
//! first: an "unknown call id" answer, in each form endpoints use, counts as pending for a
//! grace TIME after waiting starts (not for a number of polls), and is an error after it.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{Value, json};
use warden_core::calls::{CallsError, NoProgress, WaitPolicy, wait_for};
use warden_core::rpc::{Endpoint, RetryPolicy, RpcClient, RpcConfig};

fn confirmed() -> (alloy_primitives::Bytes, Value) {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/spec/examples/wallet_getCallsStatus.2-confirmed.json");
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    (v["request"]["params"][0].as_str().unwrap().parse().unwrap(), v["response"]["result"].clone())
}

/// A status endpoint that answers `unknown` (code, message) to the first `unknown_polls`
/// requests and the confirmed status after; returns its client and the request counter.
async fn endpoint(unknown_polls: usize, code: i64, message: &'static str) -> (RpcClient, Arc<AtomicUsize>) {
    let seen = Arc::new(AtomicUsize::new(0));
    let (_, status) = confirmed();
    let app = Router::new()
        .route(
            "/",
            post(move |State(seen): State<Arc<AtomicUsize>>, Json(req): Json<Value>| {
                let status = status.clone();
                async move {
                    let n = seen.fetch_add(1, Ordering::SeqCst) + 1;
                    Json(if n <= unknown_polls {
                        json!({"jsonrpc": "2.0", "id": req["id"], "error": {"code": code, "message": message}})
                    } else {
                        json!({"jsonrpc": "2.0", "id": req["id"], "result": status})
                    })
                }
            }),
        )
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let config = RpcConfig { retry: RetryPolicy { max_attempts: 1, ..RetryPolicy::default() }, ..RpcConfig::default() };
    (RpcClient::new(Endpoint::new(&format!("http://{addr}/")).unwrap(), config).unwrap(), seen)
}

fn policy(grace: Duration) -> WaitPolicy {
    WaitPolicy {
        first_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(5),
        factor: 1.0,
        timeout: Duration::from_secs(60),
        unknown_id_grace: grace,
    }
}

/// More unknown answers than any fixed count of polls would tolerate, well within the grace
/// time: still pending, then confirmed. Each form endpoints use is recognised.
#[tokio::test]
async fn unknown_call_ids_are_pending_within_the_grace_time_in_every_form() {
    let (id, _) = confirmed();
    for (code, message) in
        [(5730, "Unknown bundle id"), (-32602, "Invalid params: call id not found"), (-32000, "unknown call id")]
    {
        let (rpc, seen) = endpoint(12, code, message).await;
        let outcome = wait_for(&rpc, &id, &policy(Duration::from_secs(60)), &NoProgress).await;
        assert!(outcome.unwrap().status.is_success(), "{code} {message}");
        assert_eq!(seen.load(Ordering::SeqCst), 13, "{code} {message}");
    }
}

/// Once the grace time has passed, an unknown call id is an error.
#[tokio::test]
async fn after_the_grace_time_an_unknown_call_id_is_an_error() {
    let (id, _) = confirmed();
    let (rpc, seen) = endpoint(usize::MAX, -32602, "call id not found").await;
    let grace = Duration::from_millis(200);
    let started = Instant::now();
    let err = wait_for(&rpc, &id, &policy(grace), &NoProgress).await.unwrap_err();
    assert!(matches!(err, CallsError::UnknownCallId { .. }), "{err:?}");
    assert!(started.elapsed() >= grace);
    assert!(seen.load(Ordering::SeqCst) >= 2);

    // Without a grace the first unknown answer is final.
    let (rpc, seen) = endpoint(usize::MAX, 5730, "Unknown bundle id").await;
    let err = wait_for(&rpc, &id, &policy(Duration::ZERO), &NoProgress).await.unwrap_err();
    assert!(matches!(err, CallsError::UnknownCallId { .. }), "{err:?}");
    assert_eq!(seen.load(Ordering::SeqCst), 1);
}
