//! `warden_core::export`: files created new and 0600, never replacing; POSTs to a real HTTP
//! server on loopback (axum) carry the document, its content type and the bearer token;
//! refusals, redirects, timeouts and large replies are handled as documented.

#![allow(clippy::unwrap_used)]

mod common;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use common::*;
use warden_core::credentials::{Secret, SecretForm, SessionCredentials};
use warden_core::export::{
    BearerToken, ExportError, MAX_REPLY_CHARS, PlainHttp, PostConfig, PostTarget, export_to_file, post_document,
};
use warden_core::{Coded, ErrorCode};

#[derive(Default)]
struct Seen {
    requests: Mutex<Vec<(String, HeaderMap, Bytes)>>,
}

type Shared = Arc<Seen>;

async fn serve(router: Router<Shared>) -> (SocketAddr, Shared) {
    let seen = Shared::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = router.with_state(seen.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (addr, seen)
}

fn record(seen: &Seen, path: &str, headers: HeaderMap, body: Bytes) {
    seen.requests.lock().unwrap().push((path.to_owned(), headers, body));
}

async fn accept(State(seen): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    record(&seen, "/hook", headers, body);
    (StatusCode::CREATED, "stored session 42").into_response()
}

fn fast() -> PostConfig {
    PostConfig { timeout: Duration::from_millis(1500), ..PostConfig::default() }
}

#[test]
fn files_are_created_new_0600_and_never_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bot.session.json");
    let doc = real_credentials(None);
    let receipt = export_to_file(&doc, &path).unwrap();
    assert_eq!((receipt.destination, receipt.path.as_deref()), ("file", Some(path.as_path())));
    assert_eq!(SessionCredentials::read_file(&path).unwrap(), doc);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let before = std::fs::read(&path).unwrap();
    let other = real_credentials(Some(Secret::seal(SESSION_KEY, SecretForm::Plaintext).unwrap()));
    let e = export_to_file(&other, &path).unwrap_err();
    assert!(matches!(e, ExportError::FileExists { .. }), "{e}");
    assert_eq!(e.code(), ErrorCode::AlreadyExists);
    assert_eq!(std::fs::read(&path).unwrap(), before, "the existing file is untouched");

    let e = export_to_file(&doc, &dir.path().join("missing/dir/x.json")).unwrap_err();
    assert!(matches!(e, ExportError::File { .. }), "{e}");
    assert_eq!(e.code(), ErrorCode::ExportFailed);
    assert!(e.to_string().contains("missing/dir/x.json"), "{e}");
}

#[tokio::test]
async fn a_post_carries_the_document_its_type_and_the_bearer_token() {
    let (addr, seen) = serve(Router::new().route("/hook", post(accept))).await;
    let doc = real_credentials(Some(Secret::seal(SESSION_KEY, SecretForm::Plaintext).unwrap()));
    let token = BearerToken::new("tok-123").unwrap();
    let target = PostTarget::new(&format!("http://127.0.0.1:{}/hook", addr.port()), Some(token)).unwrap();
    let receipt = post_document(&doc, &target, &fast()).await.unwrap();
    assert_eq!(receipt.destination, "post");
    assert_eq!(receipt.http_status, Some(201));
    assert_eq!(receipt.server_reply.as_deref(), Some("stored session 42"));

    let requests = seen.requests.lock().unwrap();
    let (_, headers, body) = &requests[0];
    assert_eq!(headers[header::CONTENT_TYPE], "application/json");
    assert_eq!(headers[header::AUTHORIZATION], "Bearer tok-123");
    let got = SessionCredentials::parse(std::str::from_utf8(body).unwrap()).unwrap();
    assert_eq!(got, doc, "the server received the document, secret included as chosen");
}

#[tokio::test]
async fn without_a_token_no_authorization_is_sent_and_localhost_works() {
    let (addr, seen) = serve(Router::new().route("/hook", post(accept))).await;
    let doc = real_credentials(None);
    let target = PostTarget::new(&format!("http://localhost:{}/hook", addr.port()), None).unwrap();
    post_document(&doc, &target, &fast()).await.unwrap();
    let requests = seen.requests.lock().unwrap();
    assert!(requests[0].1.get(header::AUTHORIZATION).is_none());
    assert!(!String::from_utf8_lossy(&requests[0].2).contains("\"secret\""));
}

#[tokio::test]
async fn a_refusal_returns_the_status_and_the_reply() {
    async fn refuse(State(seen): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
        record(&seen, "/hook", headers, body);
        (StatusCode::FORBIDDEN, "bad token").into_response()
    }
    let (addr, _) = serve(Router::new().route("/hook", post(refuse))).await;
    let target = PostTarget::new(&format!("http://127.0.0.1:{}/hook", addr.port()), None).unwrap();
    let e = post_document(&real_credentials(None), &target, &fast()).await.unwrap_err();
    assert!(matches!(&e, ExportError::Refused { status: 403, reply, .. } if reply == "bad token"), "{e}");
    assert_eq!(e.code(), ErrorCode::ExportFailed);
    assert!(e.to_string().contains("HTTP 403") && e.to_string().contains("bad token"), "{e}");
}

#[tokio::test]
async fn a_large_reply_is_read_up_to_the_cap_and_cut() {
    async fn chatty() -> Response {
        (StatusCode::OK, "x".repeat(1 << 20)).into_response()
    }
    let (addr, _) = serve(Router::new().route("/hook", post(chatty))).await;
    let target = PostTarget::new(&format!("http://127.0.0.1:{}/hook", addr.port()), None).unwrap();
    let receipt = post_document(&real_credentials(None), &target, &fast()).await.unwrap();
    let reply = receipt.server_reply.unwrap();
    assert_eq!(reply.chars().count(), MAX_REPLY_CHARS + 1);
    assert!(reply.ends_with('…'));
}

#[tokio::test]
async fn redirects_elsewhere_are_refused_and_nothing_reaches_the_other_host() {
    let (other, other_seen) = serve(Router::new().route("/steal", post(accept))).await;
    let to_other = format!("http://127.0.0.1:{}/steal", other.port());
    let redirect = move |status: StatusCode| {
        let to = to_other.clone();
        move || {
            let to = to.clone();
            async move { (status, [(header::LOCATION, to)]).into_response() }
        }
    };
    for status in [StatusCode::TEMPORARY_REDIRECT, StatusCode::PERMANENT_REDIRECT, StatusCode::FOUND] {
        let (addr, _) = serve(Router::new().route("/hook", post(redirect(status)))).await;
        let token = BearerToken::new("tok").unwrap();
        let target = PostTarget::new(&format!("http://127.0.0.1:{}/hook", addr.port()), Some(token)).unwrap();
        let e = post_document(&real_credentials(None), &target, &fast()).await.unwrap_err();
        match &e {
            ExportError::Redirected { status: s, to, .. } => {
                assert_eq!(*s, status.as_u16());
                assert_eq!(to, &format!("127.0.0.1:{}", other.port()));
            }
            other => panic!("{status}: {other}"),
        }
        assert_eq!(e.code(), ErrorCode::ExportFailed);
    }
    assert!(other_seen.requests.lock().unwrap().is_empty(), "the other host received a request");
}

#[tokio::test]
async fn a_same_origin_307_is_followed_with_the_body_but_a_303_is_not() {
    async fn moved() -> Response {
        (StatusCode::TEMPORARY_REDIRECT, [(header::LOCATION, "/v2/hook")]).into_response()
    }
    async fn see_other() -> Response {
        (StatusCode::SEE_OTHER, [(header::LOCATION, "/v2/hook")]).into_response()
    }
    async fn v2(State(seen): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
        record(&seen, "/v2/hook", headers, body);
        (StatusCode::OK, "ok").into_response()
    }
    let router = Router::new().route("/hook", post(moved)).route("/old", post(see_other)).route("/v2/hook", post(v2));
    let (addr, seen) = serve(router).await;
    let doc = real_credentials(None);
    let target = PostTarget::new(&format!("http://127.0.0.1:{}/hook", addr.port()), None).unwrap();
    let receipt = post_document(&doc, &target, &fast()).await.unwrap();
    assert_eq!(receipt.http_status, Some(200));
    {
        let requests = seen.requests.lock().unwrap();
        assert_eq!(requests.len(), 1);
        assert_eq!(SessionCredentials::parse(std::str::from_utf8(&requests[0].2).unwrap()).unwrap(), doc);
    }
    let target = PostTarget::new(&format!("http://127.0.0.1:{}/old", addr.port()), None).unwrap();
    let e = post_document(&doc, &target, &fast()).await.unwrap_err();
    assert!(matches!(e, ExportError::Redirected { status: 303, .. }), "{e}");
    assert_eq!(seen.requests.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn plain_http_to_another_host_is_refused_before_anything_is_sent() {
    for url in ["http://192.0.2.10:8080/hook", "http://example.org/hook", "http://[2001:db8::1]/x"] {
        let e = PostTarget::new(url, None).unwrap_err();
        assert!(matches!(e, ExportError::PlainHttpNotLoopback { .. }), "{url}: {e}");
        assert_eq!(e.code(), ErrorCode::InvalidInput);
        assert!(e.to_string().contains("https://"), "{e}");
    }
}

/// Plain http off this computer only when asked for explicitly (and the refusal names the
/// setting); a bearer token never goes over it; https and loopback are unaffected.
#[tokio::test]
async fn plain_http_needs_the_explicit_allowance_and_never_carries_a_token() {
    let url = "http://192.0.2.10:8080/hook";
    let e = PostTarget::with_plain_http(url, None, PlainHttp::LoopbackOnly).unwrap_err();
    assert!(matches!(e, ExportError::PlainHttpNotLoopback { .. }), "{e}");
    assert!(e.to_string().contains("allowPlainHttp"), "the refusal names the setting: {e}");
    let allowed = PostTarget::with_plain_http(url, None, PlainHttp::Allowed).unwrap();
    assert_eq!(allowed.host(), "192.0.2.10:8080");

    let token = || Some(BearerToken::new("very-secret-token").unwrap());
    for plain_http in [PlainHttp::LoopbackOnly, PlainHttp::Allowed] {
        for url in ["http://192.0.2.10:8080/hook", "http://example.org/hook"] {
            let e = PostTarget::with_plain_http(url, token(), plain_http).unwrap_err();
            assert!(matches!(e, ExportError::BearerNeedsHttps { .. }), "{url} {plain_http:?}: {e}");
            assert_eq!(e.code(), ErrorCode::InvalidInput);
            assert!(e.to_string().contains("only over https://") && !e.to_string().contains("very-secret"), "{e}");
        }
        PostTarget::with_plain_http("https://example.org/hook", token(), plain_http).unwrap();
        PostTarget::with_plain_http("http://127.0.0.1:9/hook", token(), plain_http).unwrap();
    }

    // Allowed plain http still sends to a real server like any other target (loopback here).
    let (addr, seen) = serve(Router::new().route("/hook", post(accept))).await;
    let target =
        PostTarget::with_plain_http(&format!("http://127.0.0.1:{}/hook", addr.port()), None, PlainHttp::Allowed)
            .unwrap();
    post_document(&real_credentials(None), &target, &fast()).await.unwrap();
    assert_eq!(seen.requests.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_silent_server_times_out_and_a_closed_port_is_unreachable() {
    async fn silent() -> Response {
        tokio::time::sleep(Duration::from_secs(30)).await;
        StatusCode::OK.into_response()
    }
    let (addr, _) = serve(Router::new().route("/hook", post(silent))).await;
    let target = PostTarget::new(&format!("http://127.0.0.1:{}/hook", addr.port()), None).unwrap();
    let config = PostConfig { timeout: Duration::from_millis(300), ..PostConfig::default() };
    let e = post_document(&real_credentials(None), &target, &config).await.unwrap_err();
    assert!(matches!(e, ExportError::Timeout { .. }), "{e}");
    assert_eq!(e.code(), ErrorCode::ExportFailed);
    assert!(e.to_string().contains("may or may not"), "{e}");

    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let target = PostTarget::new(&format!("http://127.0.0.1:{closed}/hook"), None).unwrap();
    let e = post_document(&real_credentials(None), &target, &fast()).await.unwrap_err();
    assert!(matches!(e, ExportError::Unreachable { .. }), "{e}");
    assert!(e.to_string().contains(&format!("127.0.0.1:{closed}")), "{e}");
}

#[tokio::test]
async fn the_bearer_token_and_secret_never_appear_in_errors() {
    async fn refuse() -> Response {
        (StatusCode::UNAUTHORIZED, "no").into_response()
    }
    let (addr, _) = serve(Router::new().route("/hook", post(refuse))).await;
    let token = BearerToken::new("very-secret-token").unwrap();
    let target = PostTarget::new(&format!("http://127.0.0.1:{}/hook", addr.port()), Some(token)).unwrap();
    let doc = real_credentials(Some(Secret::seal(SESSION_KEY, SecretForm::Plaintext).unwrap()));
    let e = post_document(&doc, &target, &fast()).await.unwrap_err();
    let text = format!("{e} {e:?} {target:?}");
    assert!(!text.contains("very-secret-token"), "{text}");
    assert!(!text.contains(SESSION_KEY.trim_start_matches("0x")), "{text}");
}
