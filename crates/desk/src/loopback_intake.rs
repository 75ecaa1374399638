//! The loopback intake: a server on this computer hands a permission request to the running
//! app over HTTP instead of a link. Off by default; the person turns it on in Settings, for
//! as long as Warden runs. It then listens on 127.0.0.1 only and shows a pairing code the
//! server must present (`Authorization: Bearer <code>`, compared in constant time); a new
//! code is made each time it is turned on.
//!
//! `POST /v1/requests` with a `warden.request.v1` document. Refused, with the reason in a
//! JSON `{"error": …}`: a `Host` other than this listener's loopback address (DNS
//! rebinding), any `Origin` (a web page, not a server), a wrong or missing code (401), a
//! body that is not `application/json` (415) or larger than a request may be (413), more
//! than [`MAX_PER_MINUTE`] requests a minute (429), a document that does not check (422),
//! a request id already waiting (409), or a full queue (503). Accepted: 202, and the request
//! waits in the app's queue ([`crate::intake`]) until the person looks at it; the answer
//! goes where the request says, as for a link.
//!
//! Left out: keeping it on across restarts, and other addresses than 127.0.0.1.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::json;
use subtle::ConstantTimeEq;
use tracing::{info, warn};
use warden_core::request::{MAX_REQUEST_BYTES, SessionRequest};
use zeroize::Zeroizing;

use crate::error::AppError;

/// The port the intake listens on unless another is asked for.
pub const DEFAULT_PORT: u16 = 47651;
/// Requests accepted per minute at most.
pub const MAX_PER_MINUTE: usize = 10;
/// The path requests are POSTed to.
pub const PATH: &str = "/v1/requests";

/// Letters of a pairing code: no 0/O, 1/I/L, easy to read aloud.
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// A new pairing code: 16 letters from a 31-letter alphabet (about 79 bits), in groups of 4.
pub fn new_pairing_code() -> String {
    use rand::Rng as _;
    let mut rng = rand::rng();
    let letters: Vec<char> = (0..16).map(|_| CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())] as char).collect();
    letters.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}

/// Where an accepted request goes: the app's queue. Refuses with a status and reason.
pub type Sink = Arc<dyn Fn(SessionRequest, String) -> Result<(), (StatusCode, String)> + Send + Sync>;

/// What the handler needs.
struct Gate {
    code: Zeroizing<String>,
    port: u16,
    recent: Mutex<VecDeque<Instant>>,
    sink: Sink,
    now: Arc<dyn Fn() -> u64 + Send + Sync>,
}

/// The router for a listener on `port` that accepts `code`.
fn router(code: &str, port: u16, sink: Sink, now: Arc<dyn Fn() -> u64 + Send + Sync>) -> Router {
    let gate =
        Arc::new(Gate { code: Zeroizing::new(code.to_owned()), port, recent: Mutex::new(VecDeque::new()), sink, now });
    Router::new().route(PATH, post(accept)).with_state(gate)
}

fn refuse(status: StatusCode, reason: impl Into<String>) -> Response {
    let reason = reason.into();
    warn!(%status, %reason, "the loopback intake refused a request");
    (status, [(header::CONTENT_TYPE, "application/json")], json!({ "error": reason }).to_string()).into_response()
}

async fn accept(State(gate): State<Arc<Gate>>, headers: HeaderMap, body: Body) -> Response {
    let text = |name| headers.get(name).and_then(|h| h.to_str().ok());
    let host = text(header::HOST).unwrap_or_default();
    if host != format!("127.0.0.1:{}", gate.port) && host != format!("localhost:{}", gate.port) {
        return refuse(StatusCode::FORBIDDEN, format!("Host {host:?} is not this computer's intake address"));
    }
    if headers.contains_key(header::ORIGIN) {
        return refuse(StatusCode::FORBIDDEN, "requests from web pages (with an Origin) are not accepted");
    }
    let presented = text(header::AUTHORIZATION).and_then(|a| a.strip_prefix("Bearer ")).unwrap_or_default();
    let matches: bool =
        presented.len() == gate.code.len() && bool::from(presented.as_bytes().ct_eq(gate.code.as_bytes()));
    if !matches {
        return refuse(
            StatusCode::UNAUTHORIZED,
            "the pairing code is missing or wrong: send Authorization: Bearer <the code Warden shows>",
        );
    }
    let media = text(header::CONTENT_TYPE).unwrap_or_default();
    if !media.split(';').next().unwrap_or_default().trim().eq_ignore_ascii_case("application/json") {
        return refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("Content-Type must be application/json, not {media:?}"),
        );
    }
    {
        let mut recent = gate.recent.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = Instant::now();
        while recent.front().is_some_and(|t| now.duration_since(*t) > Duration::from_secs(60)) {
            recent.pop_front();
        }
        if recent.len() >= MAX_PER_MINUTE {
            return refuse(
                StatusCode::TOO_MANY_REQUESTS,
                format!("at most {MAX_PER_MINUTE} requests a minute; try again later"),
            );
        }
        recent.push_back(now);
    }
    let Ok(bytes) = axum::body::to_bytes(body, MAX_REQUEST_BYTES).await else {
        return refuse(StatusCode::PAYLOAD_TOO_LARGE, format!("a request is at most {MAX_REQUEST_BYTES} bytes"));
    };
    let Ok(document) = String::from_utf8(bytes.to_vec()) else {
        return refuse(StatusCode::UNPROCESSABLE_ENTITY, "the body is not UTF-8 text");
    };
    let request = match SessionRequest::parse(&document, (gate.now)()) {
        Ok(r) => r,
        Err(e) => return refuse(StatusCode::UNPROCESSABLE_ENTITY, e.to_string()),
    };
    let id = request.request_id;
    match (gate.sink)(request, document) {
        Ok(()) => {
            info!(request = %id, "the loopback intake queued a request");
            (
                StatusCode::ACCEPTED,
                [(header::CONTENT_TYPE, "application/json")],
                json!({ "requestId": id.to_string(), "status": "waiting for the owner" }).to_string(),
            )
                .into_response()
        }
        Err((status, reason)) => refuse(status, reason),
    }
}

/// The running listener, if any.
#[derive(Default)]
pub struct LoopbackIntake {
    running: Mutex<Option<Running>>,
}

struct Running {
    port: u16,
    code: Zeroizing<String>,
    stop: tokio::sync::oneshot::Sender<()>,
}

impl std::fmt::Debug for LoopbackIntake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LoopbackIntake")
    }
}

impl LoopbackIntake {
    /// Starts listening on 127.0.0.1:`port` with a new pairing code (stopping a listener
    /// already running); resolves to the port and the code.
    pub async fn start(
        &self,
        port: u16,
        sink: Sink,
        now: Arc<dyn Fn() -> u64 + Send + Sync>,
    ) -> Result<(u16, String), AppError> {
        self.stop();
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port))).await.map_err(|e| {
            AppError::invalid_input(format!("the intake cannot listen on 127.0.0.1:{port}: {e}; choose another port"))
        })?;
        let port = listener.local_addr().map_err(|e| AppError::internal(e.to_string()))?.port();
        let code = new_pairing_code();
        let app = router(&code, port, sink, now);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let served = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(e) = served.await {
                warn!(error = %e, "the loopback intake stopped");
            }
        });
        info!(port, "the loopback intake listens on 127.0.0.1");
        *self.lock() = Some(Running { port, code: Zeroizing::new(code.clone()), stop });
        Ok((port, code))
    }

    /// Stops listening (nothing when it is off).
    pub fn stop(&self) {
        if let Some(running) = self.lock().take() {
            let _ = running.stop.send(());
            info!(port = running.port, "the loopback intake stopped listening");
        }
    }

    /// The port and pairing code while it listens.
    pub fn status(&self) -> Option<(u16, String)> {
        self.lock().as_ref().map(|r| (r.port, r.code.to_string()))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Running>> {
        self.running.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use alloy_primitives::Address;
    use warden_core::permissions::Permission;
    use warden_core::request::{NewRequest, RequestedSigner};

    use super::*;

    const NOW: u64 = 1_800_000_000;

    fn document(valid_for: u64) -> (SessionRequest, String) {
        let r = SessionRequest::new(
            NewRequest {
                name: "Feed".into(),
                justification: "prices".into(),
                chain_id: 31337,
                permissions: vec![Permission::ContractAccess { address: Address::repeat_byte(9) }],
                expiry: 3600,
                is_adjustment_allowed: false,
                signer: RequestedSigner::Address { address: Address::repeat_byte(7) },
                answer_to: "http://127.0.0.1:9/answer".into(),
                valid_for,
            },
            NOW,
        )
        .unwrap();
        let json = r.to_json();
        (r, json)
    }

    /// A listener on a free port whose queue is `queued`; resolves to (port, code).
    async fn listen(queued: Arc<Mutex<Vec<String>>>) -> (LoopbackIntake, u16, String) {
        let intake = LoopbackIntake::default();
        let sink: Sink = Arc::new(move |r: SessionRequest, _doc| {
            let mut q = queued.lock().unwrap();
            let id = r.request_id.to_string();
            if q.contains(&id) {
                return Err((StatusCode::CONFLICT, format!("request {id} is already waiting")));
            }
            q.push(id);
            Ok(())
        });
        let (port, code) = intake.start(0, sink, Arc::new(|| NOW)).await.unwrap();
        (intake, port, code)
    }

    async fn post(port: u16, headers: &[(&str, &str)], body: String) -> (u16, String) {
        let mut req = reqwest::Client::new().post(format!("http://127.0.0.1:{port}{PATH}")).body(body);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let res = req.send().await.unwrap();
        (res.status().as_u16(), res.text().await.unwrap())
    }

    #[test]
    fn pairing_codes_are_four_groups_of_four_readable_letters_and_differ() {
        let a = new_pairing_code();
        assert_eq!(a.len(), 19, "{a}");
        assert!(a.split('-').all(|g| g.len() == 4 && g.bytes().all(|b| CODE_ALPHABET.contains(&b))), "{a}");
        assert_ne!(a, new_pairing_code());
    }

    #[tokio::test]
    async fn only_a_paired_json_request_from_this_computer_is_queued() {
        let queued = Arc::new(Mutex::new(Vec::new()));
        let (intake, port, code) = listen(queued.clone()).await;
        let bearer = format!("Bearer {code}");
        let host = format!("127.0.0.1:{port}");
        let json = ("content-type", "application/json");
        let (request, doc) = document(600);

        // Wrong or missing code, another Host, an Origin, not JSON: refused, nothing queued.
        type Case<'a> = (Vec<(&'a str, &'a str)>, u16, &'a str);
        let cases: Vec<Case> = vec![
            (vec![json], 401, "pairing code"),
            (vec![json, ("authorization", "Bearer AAAA-AAAA-AAAA-AAAA")], 401, "pairing code"),
            (vec![json, ("authorization", &bearer), ("host", "evil.example:80")], 403, "not this computer"),
            (vec![json, ("authorization", &bearer), ("origin", "https://evil.example")], 403, "web pages"),
            (vec![("content-type", "text/plain"), ("authorization", &bearer)], 415, "application/json"),
        ];
        for (headers, status, says) in cases {
            let (got, text) = post(port, &headers, doc.clone()).await;
            assert_eq!(got, status, "{headers:?}: {text}");
            assert!(text.contains(says), "{text}");
        }
        assert!(queued.lock().unwrap().is_empty());

        // Oversized, malformed and expired documents.
        let (got, text) = post(port, &[json, ("authorization", &bearer)], " ".repeat(MAX_REQUEST_BYTES + 10)).await;
        assert_eq!(got, 413, "{text}");
        let (got, text) =
            post(port, &[json, ("authorization", &bearer)], "{\"format\":\"warden.request.v1\"}".into()).await;
        assert_eq!(got, 422, "{text}");
        assert!(text.contains("not a warden.request.v1 document"), "{text}");
        let (_, stale) = document(1);
        let mut stale_value: serde_json::Value = serde_json::from_str(&stale).unwrap();
        stale_value["validUntil"] = json!(NOW - 10);
        stale_value["createdAt"] = json!(NOW - 20);
        let (got, text) = post(port, &[json, ("authorization", &bearer)], stale_value.to_string()).await;
        assert_eq!(got, 422, "{text}");
        assert!(text.contains("expired"), "{text}");

        // The right code: queued once; the same id again is a conflict.
        let (got, text) = post(port, &[json, ("authorization", &bearer), ("host", &host)], doc.clone()).await;
        assert_eq!(got, 202, "{text}");
        assert!(text.contains(&request.request_id.to_string()), "{text}");
        let (got, text) = post(port, &[json, ("authorization", &bearer)], doc.clone()).await;
        assert_eq!(got, 409, "{text}");
        assert_eq!(queued.lock().unwrap().clone(), vec![request.request_id.to_string()]);

        // Off: nothing listens any more.
        intake.stop();
        assert!(intake.status().is_none());
        tokio::time::sleep(Duration::from_millis(50)).await;
        let gone = reqwest::Client::new().post(format!("http://127.0.0.1:{port}{PATH}")).body("{}").send().await;
        assert!(gone.is_err(), "stopped");
    }

    #[tokio::test]
    async fn more_than_the_rate_is_refused() {
        let (_intake, port, code) = listen(Arc::new(Mutex::new(Vec::new()))).await;
        let bearer = format!("Bearer {code}");
        let mut statuses = Vec::new();
        for _ in 0..MAX_PER_MINUTE + 2 {
            let (_, doc) = document(600);
            statuses.push(post(port, &[("content-type", "application/json"), ("authorization", &bearer)], doc).await.0);
        }
        assert_eq!(statuses[..MAX_PER_MINUTE], [202; MAX_PER_MINUTE]);
        assert_eq!(statuses[MAX_PER_MINUTE..], [429, 429]);
    }
}
