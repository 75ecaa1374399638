//! `warden_core::rpc` against a real HTTP server on 127.0.0.1 (axum), one per test, whose
//! handlers produce each answer and failure the client must classify. Handlers count the
//! requests they get, so retries (and their absence for sends) are observed server-side.

#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Json;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde::Deserialize;
use serde_json::{Value, json};
use warden_core::api::{GetCallsStatus, SendPreparedCalls, SendPreparedCallsParams};
use warden_core::rpc::{ApiKey, CallKind, Endpoint, RetryPolicy, RpcClient, RpcConfig, RpcError};

fn fixture(name: &str) -> Value {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/spec/examples").join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A real pending `wallet_getCallsStatus` result from the examples.
fn pending_status() -> Value {
    fixture("wallet_getCallsStatus.1-pending.json")["response"]["result"].clone()
}

fn call_id() -> alloy_primitives::Bytes {
    fixture("wallet_getCallsStatus.1-pending.json")["request"]["params"][0].as_str().unwrap().parse().unwrap()
}
use warden_core::{Coded, ErrorCode};

const KEY: &str = "alcht_TopSecretKey123";

/// What a handler sees and what the test asserts on afterwards.
#[derive(Default)]
struct Seen {
    requests: AtomicUsize,
    bodies: Mutex<Vec<Value>>,
    headers: Mutex<Vec<HeaderMap>>,
}

impl Seen {
    fn count(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    /// Records a request and returns its 1-based number.
    fn record(&self, headers: &HeaderMap, body: &Value) -> usize {
        self.bodies.lock().unwrap().push(body.clone());
        self.headers.lock().unwrap().push(headers.clone());
        self.requests.fetch_add(1, Ordering::SeqCst) + 1
    }
}

type Shared = Arc<Seen>;

/// Serves `router` at the root path on a fresh loopback port.
async fn serve(router: Router<Shared>) -> (SocketAddr, Shared) {
    let seen = Shared::default();
    let app = router.with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (addr, seen)
}

/// Fast limits so the whole file runs in well under a second or two.
fn config() -> RpcConfig {
    RpcConfig {
        timeout: Duration::from_millis(300),
        connect_timeout: Duration::from_millis(300),
        max_response_bytes: 1024,
        retry: RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(20),
            max_retry_after: Duration::from_secs(2),
            budget: Duration::from_secs(3),
        },
    }
}

fn client_at(url: &str) -> RpcClient {
    let endpoint = Endpoint::new(url).unwrap().with_api_key(ApiKey::new(KEY).unwrap());
    RpcClient::new(endpoint, config()).unwrap()
}

fn client(addr: SocketAddr) -> RpcClient {
    client_at(&format!("http://{addr}/"))
}

fn result(request: &Value, result: Value) -> Json<Value> {
    Json(json!({"jsonrpc": "2.0", "id": request["id"], "result": result}))
}

fn rpc_error(request: &Value, code: i64, message: &str) -> Json<Value> {
    Json(json!({"jsonrpc": "2.0", "id": request["id"], "error": {"code": code, "message": message}}))
}

/// Asserts that nothing a user or a log could see contains the key.
fn assert_no_secret(err: &RpcError, client: &RpcClient) {
    for text in [err.to_string(), format!("{err:?}"), format!("{client:?}")] {
        assert!(!text.contains(KEY), "key leaked: {text}");
        assert!(!text.contains("TopSecret"), "key leaked: {text}");
    }
}

#[derive(Debug, Deserialize, PartialEq)]
struct Status {
    status: u32,
}

#[tokio::test]
async fn result_is_decoded_and_the_request_is_well_formed() {
    let (addr, seen) = serve(Router::new().route(
        "/",
        post(|State(seen): State<Shared>, headers: HeaderMap, Json(req): Json<Value>| async move {
            seen.record(&headers, &req);
            result(&req, json!({"status": 200, "extra": "ignored"}))
        }),
    ))
    .await;
    let client = client(addr);

    let first: Status = client.request("wallet_getCallsStatus", ["0x01"], CallKind::Read).await.unwrap();
    assert_eq!(first, Status { status: 200 });
    // A clone shares the id counter.
    let _: Status = client.clone().request("wallet_getCallsStatus", ["0x02"], CallKind::Read).await.unwrap();

    let bodies = seen.bodies.lock().unwrap().clone();
    assert_eq!(bodies[0]["jsonrpc"], "2.0");
    assert_eq!(bodies[0]["method"], "wallet_getCallsStatus");
    assert_eq!(bodies[0]["params"], json!(["0x01"]));
    let (id0, id1) = (bodies[0]["id"].as_u64().unwrap(), bodies[1]["id"].as_u64().unwrap());
    assert!(id1 > id0, "ids must increase: {id0} then {id1}");

    let headers = &seen.headers.lock().unwrap()[0];
    assert_eq!(headers[header::AUTHORIZATION], format!("Bearer {KEY}").as_str());
    assert_eq!(headers[header::CONTENT_TYPE], "application/json");
    assert_eq!(headers[header::USER_AGENT], concat!("warden/", env!("CARGO_PKG_VERSION")));
}

#[tokio::test]
async fn typed_methods_use_their_name_and_declared_kind() {
    // Fails once with a transient code: the read is retried, the send is not.
    let (addr, seen) = serve(Router::new().route(
        "/",
        post(|State(seen): State<Shared>, headers: HeaderMap, Json(req): Json<Value>| async move {
            if seen.record(&headers, &req) == 1 {
                rpc_error(&req, -32603, "internal error")
            } else if req["method"] == "wallet_getCallsStatus" {
                result(&req, pending_status())
            } else {
                rpc_error(&req, -32603, "internal error")
            }
        }),
    ))
    .await;
    let client = client(addr);
    let status = client.call::<GetCallsStatus>(&call_id()).await.unwrap();
    assert!(status.status.is_pending());
    assert_eq!(seen.count(), 2);

    let send: SendPreparedCallsParams = serde_json::from_value(
        fixture("wallet_sendPreparedCalls.1-session-first-use-sma.json")["request"]["params"][0].clone(),
    )
    .unwrap();
    let err = client.call::<SendPreparedCalls>(&send).await.unwrap_err();
    assert!(matches!(err, RpcError::Rpc { code: -32603, .. }), "{err:?}");
    assert_eq!(seen.count(), 3, "a send must not be retried");
    assert_eq!(seen.bodies.lock().unwrap()[2]["method"], "wallet_sendPreparedCalls");
}

#[tokio::test]
async fn jsonrpc_errors_carry_code_and_message_but_never_the_key() {
    let (addr, seen) = serve(Router::new().route(
        "/",
        post(|State(seen): State<Shared>, headers: HeaderMap, Json(req): Json<Value>| async move {
            seen.record(&headers, &req);
            // A careless server echoing the credential must not leak it through us.
            let auth = headers[header::AUTHORIZATION].to_str().unwrap().to_owned();
            Json(json!({"jsonrpc": "2.0", "id": req["id"], "error": {
                "code": -32602,
                "message": format!("invalid params (you sent {auth})"),
                "data": {"field": "params[0].chainId", "auth": auth},
            }}))
        }),
    ))
    .await;
    let client = client(addr);
    let err = client.request::<_, Value>("wallet_prepareCalls", [json!({})], CallKind::Read).await.unwrap_err();
    let RpcError::Rpc { method, host, code, message, data } = &err else {
        panic!("expected an Rpc error, got {err:?}");
    };
    assert_eq!((method.as_str(), *code), ("wallet_prepareCalls", -32602));
    assert_eq!(host, &addr.to_string());
    assert!(message.starts_with("invalid params"), "{message}");
    assert!(data.as_deref().unwrap().contains("params[0].chainId"), "{data:?}");
    assert!(!data.as_deref().unwrap().contains(KEY), "{data:?}");
    assert_eq!(err.code(), ErrorCode::RpcError);
    let display = err.to_string();
    assert!(display.contains("wallet_prepareCalls") && display.contains(&addr.to_string()));
    assert!(display.contains("-32602"), "{display}");
    assert_no_secret(&err, &client);
    assert_eq!(seen.count(), 1, "-32602 is not transient");
}

/// 429 on the first request, then answers.
fn rate_limited_once(retry_after: &'static str) -> Router<Shared> {
    Router::new().route(
        "/",
        post(move |State(seen): State<Shared>, headers: HeaderMap, Json(req): Json<Value>| async move {
            if seen.record(&headers, &req) == 1 {
                (StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, retry_after)], "slow down").into_response()
            } else {
                result(&req, json!("0x1")).into_response()
            }
        }),
    )
}

#[tokio::test]
async fn a_read_is_retried_after_429_and_succeeds() {
    let (addr, seen) = serve(rate_limited_once("0")).await;
    let answer: String = client(addr).request("wallet_getCallsStatus", ["0x01"], CallKind::Read).await.unwrap();
    assert_eq!(answer, "0x1");
    assert_eq!(seen.count(), 2);
}

#[tokio::test]
async fn a_send_gets_the_429_without_a_retry() {
    let (addr, seen) = serve(rate_limited_once("0")).await;
    let client = client(addr);
    let err = client.request::<_, Value>("wallet_sendPreparedCalls", [json!({})], CallKind::Send).await.unwrap_err();
    assert!(matches!(err, RpcError::Http { status: 429, .. }), "{err:?}");
    assert_eq!(err.code(), ErrorCode::RateLimited);
    assert!(err.to_string().contains("rate limited"), "{err}");
    assert_no_secret(&err, &client);
    assert_eq!(seen.count(), 1);
}

#[tokio::test]
async fn retry_after_is_waited_for() {
    let (addr, seen) = serve(rate_limited_once("1")).await;
    let started = Instant::now();
    let _: String = client(addr).request("wallet_getCallsStatus", ["0x01"], CallKind::Read).await.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1), "{:?}", started.elapsed());
    assert_eq!(seen.count(), 2);
}

#[tokio::test]
async fn retry_after_beyond_the_cap_is_returned_not_waited_for() {
    let (addr, seen) = serve(rate_limited_once("120")).await;
    let started = Instant::now();
    let err = client(addr).request::<_, Value>("wallet_getCallsStatus", ["0x01"], CallKind::Read).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(err.retry_after(), Some(Duration::from_secs(120)));
    assert!(err.to_string().contains("retry after 120 s"), "{err}");
    assert_eq!(seen.count(), 1);
}

#[tokio::test]
async fn server_errors_exhaust_the_attempts_then_report_unavailable() {
    let (addr, seen) = serve(Router::new().route(
        "/",
        post(|State(seen): State<Shared>, headers: HeaderMap, Json(req): Json<Value>| async move {
            seen.record(&headers, &req);
            // Even with a JSON-RPC body, a 5xx is classified by its status.
            (StatusCode::INTERNAL_SERVER_ERROR, rpc_error(&req, -32000, "boom"))
        }),
    ))
    .await;
    let client = client(addr);
    let err = client.request::<_, Value>("wallet_getCallsStatus", ["0x01"], CallKind::Read).await.unwrap_err();
    assert!(matches!(err, RpcError::Http { status: 500, .. }), "{err:?}");
    assert_eq!(err.code(), ErrorCode::Unavailable);
    assert_eq!(seen.count(), 4, "bounded by max_attempts");

    let err = client.request::<_, Value>("wallet_sendPreparedCalls", [json!({})], CallKind::Send).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::Unavailable);
    assert_eq!(seen.count(), 5, "a send is made once");
}

#[tokio::test]
async fn a_slow_answer_times_out() {
    let (addr, seen) = serve(Router::new().route(
        "/",
        post(|State(seen): State<Shared>, headers: HeaderMap, Json(req): Json<Value>| async move {
            seen.record(&headers, &req);
            tokio::time::sleep(Duration::from_secs(10)).await;
            result(&req, json!(null))
        }),
    ))
    .await;
    let mut config = config();
    config.timeout = Duration::from_millis(150);
    config.retry.max_attempts = 2;
    let endpoint = Endpoint::new(&format!("http://{addr}")).unwrap();
    let client = RpcClient::new(endpoint, config).unwrap();

    let started = Instant::now();
    let err = client.request::<_, Value>("wallet_getCallsStatus", ["0x01"], CallKind::Read).await.unwrap_err();
    assert!(matches!(err, RpcError::Timeout { .. }), "{err:?}");
    assert_eq!(err.code(), ErrorCode::Unavailable);
    assert!(err.to_string().contains("150 ms"), "{err}");
    assert_eq!(seen.count(), 2);
    assert!(started.elapsed() < Duration::from_secs(1), "{:?}", started.elapsed());

    let err = client.request::<_, Value>("wallet_sendPreparedCalls", [json!({})], CallKind::Send).await.unwrap_err();
    assert!(matches!(err, RpcError::Timeout { .. }), "{err:?}");
    assert_eq!(seen.count(), 3, "a send that timed out is not repeated");
}

#[tokio::test]
async fn a_body_over_the_cap_is_refused_with_content_length() {
    let (addr, seen) = serve(Router::new().route(
        "/",
        post(|State(seen): State<Shared>, headers: HeaderMap, Json(req): Json<Value>| async move {
            seen.record(&headers, &req);
            // Announces 1 MB, sends a few bytes, then stalls: only a check of the announced
            // length refuses this at once (reading on would end in a timeout instead).
            use futures_util::StreamExt;
            let body =
                futures_util::stream::once(async { Ok::<_, std::io::Error>(Bytes::from_static(b"{\"jsonrpc\"")) })
                    .chain(futures_util::stream::pending());
            ([(header::CONTENT_LENGTH, "1000000")], Body::from_stream(body))
        }),
    ))
    .await;
    let err = client(addr).request::<_, Value>("wallet_getCallsStatus", ["0x01"], CallKind::Read).await.unwrap_err();
    assert!(matches!(err, RpcError::TooLarge { limit: 1024, .. }), "{err:?}");
    assert_eq!(err.code(), ErrorCode::BadResponse);
    assert_eq!(seen.count(), 1, "too large is not transient");
}

#[tokio::test]
async fn an_endless_chunked_body_is_cut_off_at_the_cap() {
    let (addr, seen) = serve(Router::new().route(
        "/",
        post(|State(seen): State<Shared>, headers: HeaderMap, Json(req): Json<Value>| async move {
            seen.record(&headers, &req);
            // No Content-Length and no end: only a streaming cap can stop this.
            let chunks =
                futures_util::stream::repeat_with(|| Ok::<_, std::io::Error>(Bytes::from_static(&[b' '; 256])));
            Response::new(Body::from_stream(chunks))
        }),
    ))
    .await;
    let err = client(addr).request::<_, Value>("wallet_getCallsStatus", ["0x01"], CallKind::Read).await.unwrap_err();
    assert!(matches!(err, RpcError::TooLarge { limit: 1024, .. }), "{err:?}");
    assert_eq!(seen.count(), 1);
}

/// Builds a response body from the request.
type BodyFor = fn(&Value) -> String;

/// Serves `body` (with status 200) whatever the request.
fn fixed_body(body: BodyFor) -> Router<Shared> {
    Router::new().route(
        "/",
        post(move |State(seen): State<Shared>, headers: HeaderMap, Json(req): Json<Value>| async move {
            seen.record(&headers, &req);
            ([(header::CONTENT_TYPE, "application/json")], body(&req))
        }),
    )
}

#[tokio::test]
async fn malformed_answers_are_bad_responses_that_do_not_quote_the_body() {
    let cases: [(BodyFor, &str); 4] = [
        (
            |req| json!({"jsonrpc": "2.0", "id": req["id"].as_u64().unwrap() + 100, "result": 1}).to_string(),
            "id mismatch",
        ),
        (|_| "<html>gateway secret page</html>".to_owned(), "not JSON"),
        (|req| json!({"jsonrpc": "1.0", "id": req["id"], "result": 1}).to_string(), "jsonrpc"),
        (|req| json!({"jsonrpc": "2.0", "id": req["id"]}).to_string(), "neither"),
    ];
    for (body, needle) in cases {
        let (addr, seen) = serve(fixed_body(body)).await;
        let client = client(addr);
        let err = client.request::<_, Value>("wallet_getCallsStatus", ["0x01"], CallKind::Read).await.unwrap_err();
        assert!(matches!(err, RpcError::BadResponse { .. }), "{err:?}");
        assert_eq!(err.code(), ErrorCode::BadResponse);
        let display = err.to_string();
        assert!(display.contains(needle), "{display}");
        assert!(!display.contains("secret page"), "{display}");
        assert_no_secret(&err, &client);
        assert_eq!(seen.count(), 1, "a malformed answer is not retried");
    }
}

#[tokio::test]
async fn a_result_of_the_wrong_type_is_a_decode_error() {
    let (addr, _) =
        serve(fixed_body(|req| json!({"jsonrpc": "2.0", "id": req["id"], "result": "0x1"}).to_string())).await;
    let err = client(addr).request::<_, u64>("wallet_getCallsStatus", ["0x01"], CallKind::Read).await.unwrap_err();
    let RpcError::Decode { method, reason, .. } = &err else {
        panic!("expected Decode, got {err:?}");
    };
    assert_eq!(method, "wallet_getCallsStatus");
    assert!(reason.contains("expected u64"), "{reason}");
    assert_eq!(err.code(), ErrorCode::BadResponse);
}

#[tokio::test]
async fn a_parse_error_with_null_id_is_a_jsonrpc_error() {
    let (addr, _) = serve(fixed_body(|_| {
        json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32700, "message": "parse error"}}).to_string()
    }))
    .await;
    let err = client(addr).request::<_, Value>("wallet_getCallsStatus", ["0x01"], CallKind::Read).await.unwrap_err();
    assert!(matches!(err, RpcError::Rpc { code: -32700, .. }), "{err:?}");
}

#[tokio::test]
async fn unauthorized_says_check_the_api_key_without_showing_it() {
    let (addr, seen) = serve(Router::new().route(
        "/",
        post(|State(seen): State<Shared>, headers: HeaderMap, Json(req): Json<Value>| async move {
            seen.record(&headers, &req);
            (StatusCode::UNAUTHORIZED, rpc_error(&req, -32600, "Must be authenticated!"))
        }),
    ))
    .await;
    let client = client(addr);
    let err = client.request::<_, Value>("wallet_getCallsStatus", ["0x01"], CallKind::Read).await.unwrap_err();
    assert!(matches!(err, RpcError::Http { status: 401, .. }), "{err:?}");
    assert!(err.to_string().contains("check the API key"), "{err}");
    assert_no_secret(&err, &client);
    assert_eq!(seen.count(), 1);
}

#[tokio::test]
async fn a_4xx_with_a_jsonrpc_error_reports_that_error() {
    let (addr, _) = serve(Router::new().route(
        "/",
        post(|Json(req): Json<Value>| async move {
            (StatusCode::BAD_REQUEST, rpc_error(&req, -32602, "chainId is required"))
        }),
    ))
    .await;
    let err = client(addr).request::<_, Value>("wallet_prepareCalls", [json!({})], CallKind::Read).await.unwrap_err();
    assert!(matches!(err, RpcError::Rpc { code: -32602, .. }), "{err:?}");
    assert!(err.to_string().contains("chainId is required"), "{err}");
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let (addr, seen) = serve(
        Router::new()
            .route("/", post(|| async { (StatusCode::TEMPORARY_REDIRECT, [(header::LOCATION, "/elsewhere")]) }))
            .route(
                "/elsewhere",
                post(|State(seen): State<Shared>, headers: HeaderMap, Json(req): Json<Value>| async move {
                    seen.record(&headers, &req);
                    result(&req, json!(1))
                }),
            ),
    )
    .await;
    let err =
        client(addr).request::<_, Value>("wallet_sendPreparedCalls", [json!({})], CallKind::Send).await.unwrap_err();
    assert!(matches!(err, RpcError::Http { status: 307, .. }), "{err:?}");
    assert_eq!(seen.count(), 0, "the request (and key) must not reach the redirect target");
}

#[tokio::test]
async fn a_key_in_the_url_path_is_used_but_never_shown() {
    let (addr, seen) = serve(Router::new().route(
        "/v2/{key}",
        post(
            |State(seen): State<Shared>,
             headers: HeaderMap,
             axum::extract::Path(key): axum::extract::Path<String>,
             Json(req): Json<Value>| async move {
                seen.record(&headers, &req);
                rpc_error(&req, -32602, &format!("no such method for key {key}"))
            },
        ),
    ))
    .await;
    let url = format!("http://{addr}/v2/{KEY}");
    let client = RpcClient::new(Endpoint::new(&url).unwrap(), config()).unwrap();
    let err = client.request::<_, Value>("wallet_getCallsStatus", ["0x01"], CallKind::Read).await.unwrap_err();
    assert!(matches!(err, RpcError::Rpc { code: -32602, .. }), "{err:?}");
    assert_eq!(seen.count(), 1, "the request reached the keyed path");
    assert_no_secret(&err, &client);
    assert!(format!("{client:?}").contains("/v2/***"), "{client:?}");
}

#[tokio::test]
async fn an_unreachable_endpoint_is_a_connect_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let client = client(addr);
    let started = Instant::now();
    let err = client.request::<_, Value>("wallet_getCallsStatus", ["0x01"], CallKind::Read).await.unwrap_err();
    assert!(matches!(err, RpcError::Connect { .. }), "{err:?}");
    assert_eq!(err.code(), ErrorCode::Unavailable);
    assert!(err.to_string().contains(&addr.to_string()), "{err}");
    assert_no_secret(&err, &client);
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn params_that_are_not_an_array_are_refused_before_sending() {
    let (addr, seen) =
        serve(fixed_body(|req| json!({"jsonrpc": "2.0", "id": req["id"], "result": 1}).to_string())).await;
    let err = client(addr)
        .request::<_, Value>("wallet_prepareCalls", json!({"chainId": "0x1"}), CallKind::Read)
        .await
        .unwrap_err();
    assert!(matches!(err, RpcError::Params { .. }), "{err:?}");
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    assert!(err.to_string().contains("JSON array"), "{err}");
    assert_eq!(seen.count(), 0);
}

#[test]
fn the_client_is_cheap_to_share_across_tasks() {
    fn shareable<T: Clone + Send + Sync + 'static>() {}
    fn send<T: Send>(_: &T) {}
    shareable::<RpcClient>();
    let client = client_at("http://127.0.0.1:1");
    send(&client.request::<_, Value>("m", [1], CallKind::Read));
    send(&client.call::<GetCallsStatus>(&call_id()));
}
