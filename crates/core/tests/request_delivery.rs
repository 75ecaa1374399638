//! `warden_core::request::deliver_answer` against real loopback servers: an answer is POSTed
//! once when the server takes it or refuses it, a redirect is never followed (the answer
//! carries credentials), and a server that drops the connection is tried again after each
//! retry delay, then given up on with the last reason.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use alloy_primitives::Address;
use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::post;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use warden_core::export::ExportError;
use warden_core::permissions::Permission;
use warden_core::request::{NewRequest, RequestedSigner, SessionRequest, deliver_answer};

const NOW: u64 = 1_800_000_000;
const FAST: [Duration; 2] = [Duration::from_millis(10), Duration::from_millis(10)];

fn request_to(url: &str) -> SessionRequest {
    SessionRequest::new(
        NewRequest {
            name: "Feed".into(),
            justification: "prices".into(),
            chain_id: 31337,
            permissions: vec![Permission::ContractAccess { address: Address::repeat_byte(9) }],
            expiry: 3600,
            is_adjustment_allowed: false,
            signer: RequestedSigner::Address { address: Address::repeat_byte(7) },
            answer_to: url.into(),
            valid_for: 600,
        },
        NOW,
    )
    .unwrap()
}

/// A server counting the POSTs each path receives.
async fn serve() -> (u16, Arc<[AtomicUsize; 3]>) {
    let hits: Arc<[AtomicUsize; 3]> = Arc::new(Default::default());
    let (a, b, c) = (hits.clone(), hits.clone(), hits.clone());
    let app = Router::new()
        .route(
            "/ok",
            post(move |body: String| async move {
                a[0].fetch_add(1, Ordering::SeqCst);
                assert!(body.contains("warden.answer.v1"), "{body}");
                (StatusCode::OK, "stored")
            }),
        )
        .route(
            "/refuse",
            post(move || async move {
                b[1].fetch_add(1, Ordering::SeqCst);
                (StatusCode::UNPROCESSABLE_ENTITY, "answer does not check")
            }),
        )
        .route(
            "/redirect",
            post(move || async move {
                c[2].fetch_add(1, Ordering::SeqCst);
                (StatusCode::TEMPORARY_REDIRECT, [(header::LOCATION, "/ok")]).into_response()
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (port, hits)
}

fn answer_json(request: &SessionRequest) -> String {
    request.decline(Some("not now".into())).to_json()
}

#[tokio::test]
async fn taken_once_refused_once_and_a_redirect_is_not_followed() {
    let (port, hits) = serve().await;
    let ok = request_to(&format!("http://127.0.0.1:{port}/ok"));
    let receipt = deliver_answer(&ok, &answer_json(&ok), &FAST).await.unwrap();
    assert_eq!(receipt.http_status, Some(200));
    assert_eq!(hits[0].load(Ordering::SeqCst), 1);

    let refuse = request_to(&format!("http://127.0.0.1:{port}/refuse"));
    let e = deliver_answer(&refuse, &answer_json(&refuse), &FAST).await.unwrap_err();
    assert!(matches!(e, ExportError::Refused { status: 422, .. }), "{e}");
    assert!(e.to_string().contains("answer does not check"), "{e}");
    assert_eq!(hits[1].load(Ordering::SeqCst), 1, "a refusal is not sent again");

    let redirect = request_to(&format!("http://127.0.0.1:{port}/redirect"));
    let e = deliver_answer(&redirect, &answer_json(&redirect), &FAST).await.unwrap_err();
    assert!(matches!(e, ExportError::Redirected { status: 307, .. }), "{e}");
    assert_eq!(hits[2].load(Ordering::SeqCst), 1, "not sent again");
    assert_eq!(hits[0].load(Ordering::SeqCst), 1, "the redirect target never got the answer");
}

#[tokio::test]
async fn a_dropped_connection_is_tried_again_after_each_delay() {
    // Drops the first two connections without answering, answers the third.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let accepted = Arc::new(AtomicUsize::new(0));
    let seen = accepted.clone();
    tokio::spawn(async move {
        loop {
            let (mut conn, _) = listener.accept().await.unwrap();
            let n = seen.fetch_add(1, Ordering::SeqCst);
            if n < 2 {
                drop(conn);
                continue;
            }
            let mut buf = vec![0u8; 64 * 1024];
            let mut got = Vec::new();
            // Read the headers and the body (Content-Length) before answering.
            loop {
                let read = conn.read(&mut buf).await.unwrap();
                got.extend_from_slice(&buf[..read]);
                let text = String::from_utf8_lossy(&got).to_string();
                if let Some(end) = text.find("\r\n\r\n") {
                    let length = text
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_owned())
                        })
                        .and_then(|v| v.parse::<usize>().ok())
                        .unwrap_or(0);
                    if got.len() >= end + 4 + length {
                        break;
                    }
                }
                if read == 0 {
                    break;
                }
            }
            conn.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok").await.unwrap();
        }
    });
    let request = request_to(&format!("http://127.0.0.1:{port}/answer"));
    let receipt = deliver_answer(&request, &answer_json(&request), &FAST).await.unwrap();
    assert_eq!(receipt.http_status, Some(200));
    assert_eq!(accepted.load(Ordering::SeqCst), 3, "two failures, then delivered on the third try");

    // Nobody listening: tried 1 + 2 times, then the reason.
    let gone = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = gone.local_addr().unwrap().port();
    drop(gone);
    let request = request_to(&format!("http://127.0.0.1:{port}/answer"));
    let e = deliver_answer(&request, &answer_json(&request), &FAST).await.unwrap_err();
    assert!(matches!(e, ExportError::Unreachable { .. }), "{e}");
}
