//! A server's permission request in the app: opened from a `warden://request?d=…` link or a
//! request document (pasted, or a file Rust opens), shown with who asks, their
//! justification (their words) and where the answer goes; granted as asked or adjusted
//! within what the request allows (lower limits, fewer permissions, a shorter session),
//! through the usual verified grant and approval window; or declined. The answer
//! (`warden.answer.v1`) is POSTed to the request's destination by the core
//! (`warden_core::request::deliver_answer`: no redirects, retried), and an answer that could
//! not be delivered can be sent again. Every step goes into the activity log.
//!
//! A request handed over as a launch argument ([`crate::intake`]) is taken with
//! [`request_take_incoming`] and opened the same way, as is one a server on this computer
//! sent to the loopback intake ([`intake_start`], [`crate::loopback_intake`]).
//!
//! The bodies of the `request_*` and `intake_*` commands; `src-tauri/src/commands/
//! requests.rs` keeps one `#[tauri::command]` per name and calls in here with its `Host`
//! (events, the file dialogs, the clipboard). Left out, for the shell's runtime: the
//! background task that delivers an approved request's answer ([`answer_approved`] hands
//! it what to send, [`deliver`] is what it runs) and the expiry timer of the approval a
//! request's grant opens.

use axum::http::StatusCode;
use tracing::{info, warn};
use warden_core::activity::{ActivityKind, NewEntry, Summary};
use warden_core::credentials::SessionCredentials;
use warden_core::request::{DELIVERY_RETRY_DELAYS, Decision, RequestedSigner, SessionRequest, deliver_answer};

use crate::args::parse_permissions;
use crate::error::{AppError, ErrorCode};
use crate::grant::{Begin, KeySource, begin};
use crate::host::{FileDialog, Host, emit};
use crate::intake::{Incoming, REQUEST_INCOMING_EVENT, read_capped};
use crate::loopback_intake::{DEFAULT_PORT, PATH, Sink};
use crate::payloads::requests::{IntakeStatus, REQUEST_ANSWERED_EVENT, RequestDelivery, RequestGrant, RequestView};
use crate::payloads::sessions::permission_views;
use crate::payloads::{BackendKind, Currency, PROGRESS_EVENT, ProgressEvent, ProgressStep};
use crate::state::DeskState;
use crate::store::check_label;

/// Opens a request from its link or document text.
pub async fn request_open(state: &impl DeskState, text: &str) -> Result<RequestView, AppError> {
    opened(state, text).await
}

/// The request handed to the app as a launch argument (a link, or a request file's text),
/// once; null when none is waiting. The UI opens it with `request_open`.
pub fn request_take_incoming(state: &impl DeskState) -> Result<Option<String>, AppError> {
    state.intake().take()
}

/// Opens a request document the person chooses in the file dialog Rust shows.
pub async fn request_open_file(host: &impl Host, state: &impl DeskState) -> Result<RequestView, AppError> {
    let dialog = FileDialog {
        title: "Open a permission request",
        file_name: None,
        filter: "Permission request",
        extensions: &["json"],
    };
    let chosen =
        host.open_file(dialog).await.map_err(|e| AppError::internal(format!("the file dialog stopped: {e}")))?;
    let path = chosen.into_path("no file was chosen", "read")?;
    let text = read_capped(&path)?;
    opened(state, &text).await
}

async fn opened(state: &impl DeskState, text: &str) -> Result<RequestView, AppError> {
    let now = state.now();
    let request = state.requests().open(text, now)?;
    info!(request = %request.request_id, origin = %request.requester.origin, "permission request opened");
    state.records().record(
        ActivityKind::GrantRequested,
        Summary::new("Permission request opened")
            .label(&request.requester.name)
            .host(&request.requester.origin)
            .uuid("request", request.request_id)
            .chain(request.chain_id),
        None,
    );
    view(state, &request, now).await
}

/// The request in words, with token symbols read from the active backend's node when it is
/// on the request's chain.
async fn view(state: &impl DeskState, request: &SessionRequest, now: u64) -> Result<RequestView, AppError> {
    let active = state.active_backend().await.ok();
    let on_active_chain = active.as_ref().is_some_and(|a| a.chain_id() == request.chain_id);
    let node = active.as_ref().filter(|_| on_active_chain).map(|a| a.backend.node());
    let tokens = state.records().tokens_of(node, request.chain_id, &request.permissions).await;
    let (permissions, risks) =
        permission_views(&request.permissions, request.expiry_sec_at(now), now, request.chain_id, &tokens);
    let chain_name = match active.as_ref().map(|a| a.kind) {
        Some(BackendKind::Devnet) if on_active_chain => "Local devnet".to_owned(),
        _ => warden_core::chains::display_name(request.chain_id),
    };
    Ok(RequestView {
        request_id: request.request_id.to_string(),
        requester_name: request.requester.name.clone(),
        answer_host: request.requester.origin.clone(),
        answer_to: request.answer_to.clone(),
        justification: request.justification.clone(),
        chain_id: request.chain_id,
        chain_name,
        on_active_chain,
        currency: Currency::of_chain(request.chain_id),
        permissions,
        permissions_wire: request
            .permissions
            .iter()
            .map(|p| serde_json::to_value(p).unwrap_or(serde_json::Value::Null))
            .collect(),
        risks,
        expiry_secs: request.expiry,
        adjustable: request.is_adjustment_allowed,
        server_key: match &request.signer {
            RequestedSigner::Address { address } => Some(address.to_checksum(None)),
            RequestedSigner::Generate { .. } => None,
        },
        valid_until: request.valid_until,
    })
}

/// Grants an open request, as asked or adjusted within what it allows: asks the endpoint
/// and opens the approval window. Resolves to the approval id. Emits `progress` with op
/// "grant"; once approved, `request-answered`.
pub async fn request_grant(
    host: &impl Host,
    state: &impl DeskState,
    grant: serde_json::Value,
) -> Result<String, AppError> {
    let result = granted(host, state, grant).await;
    if let Err(e) = &result {
        emit(
            host,
            PROGRESS_EVENT,
            &ProgressEvent { op: "grant".into(), step: ProgressStep::Failed, message: e.message.clone() },
        );
    }
    result
}

async fn granted(host: &impl Host, state: &impl DeskState, grant: serde_json::Value) -> Result<String, AppError> {
    let grant: RequestGrant =
        serde_json::from_value(grant).map_err(|e| AppError::invalid_input(format!("request grant: {e}")))?;
    let now = state.now();
    let request = state.requests().get(&grant.request_id, now)?;
    let label = check_label(&grant.label).map_err(|e| AppError::invalid_input(e.to_string()))?;
    let permissions = parse_permissions(&grant.permissions).map_err(|errors| {
        let text = errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("; ");
        AppError::new(ErrorCode::InvalidPermissions, text)
    })?;
    // Never more than was asked, and only the adjustments the request allows.
    request.adjustments(&permissions, grant.duration_secs).map_err(|e| {
        AppError::new(ErrorCode::InvalidPermissions, e.to_string().replace("answer.credentials.", "the grant's "))
    })?;
    let key = match &request.signer {
        RequestedSigner::Address { address } => KeySource::External(*address),
        RequestedSigner::Generate { .. } => KeySource::Generate,
    };
    begin(
        host,
        state,
        Begin {
            label,
            account_type: grant.account_type,
            key,
            permissions,
            expiry_sec: now.saturating_add(grant.duration_secs),
            entered_decimals: Default::default(),
            request: Some(request),
        },
    )
    .await
}

/// Declines an open request: the decline answer is recorded and sent.
pub async fn request_decline(
    host: &impl Host,
    state: &impl DeskState,
    request_id: &str,
    reason: Option<String>,
) -> Result<RequestDelivery, AppError> {
    let now = state.now();
    let request = state.requests().get(request_id, now)?;
    let reason = reason.map(|r| r.trim().chars().take(500).collect::<String>()).filter(|r| !r.is_empty());
    let answer = request.decline(reason);
    state.requests().mark_answered(&request, now)?;
    state.records().record(
        ActivityKind::Rejected,
        Summary::new("Permission request declined; nothing was signed")
            .label(&request.requester.name)
            .uuid("request", request.request_id),
        None,
    );
    Ok(deliver(host, state, request, answer.to_json(), Decision::Declined).await)
}

/// Puts an answer that could not be delivered on the clipboard, for delivery by hand (it
/// carries no key in plaintext: a generated key is sealed to the server).
pub async fn request_answer_copy(host: &impl Host, state: &impl DeskState, request_id: &str) -> Result<(), AppError> {
    let (request, json) = state.requests().peek_undelivered(request_id)?;
    host.clipboard()
        .write_text(&json)
        .map_err(|e| AppError::new(ErrorCode::ExportFailed, format!("the clipboard did not take the answer: {e}")))?;
    let entry = NewEntry::new(
        ActivityKind::Exported,
        Summary::new("Answer to a permission request copied for delivery by hand")
            .label(&request.requester.name)
            .uuid("request", request.request_id),
        None,
    );
    state
        .records()
        .record_done(vec![entry], "The answer is on the clipboard, but Warden could not write it to the activity log")
        .await
}

/// Saves an answer that could not be delivered to a new file the person chooses (mode
/// 0600, never replacing one); resolves to its path.
pub async fn request_answer_save(
    host: &impl Host,
    state: &impl DeskState,
    request_id: &str,
) -> Result<String, AppError> {
    let (request, json) = state.requests().peek_undelivered(request_id)?;
    let name: String = request
        .requester
        .name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' { c.to_ascii_lowercase() } else { '-' })
        .collect();
    let dialog = FileDialog {
        title: "Save the answer",
        file_name: Some(format!("{}.warden-answer.json", name.trim_matches('-'))),
        filter: "Answer to a permission request",
        extensions: &["json"],
    };
    let chosen =
        host.save_file(dialog).await.map_err(|e| AppError::internal(format!("the save dialog stopped: {e}")))?;
    let path = chosen.into_path("no file was chosen; nothing was saved", "written")?;
    warden_core::atomic_file::write_atomic(&path, json.as_bytes(), 0o600, warden_core::atomic_file::Existing::Refuse)
        .map_err(|e| AppError::new(ErrorCode::ExportFailed, format!("{}: {e}", path.display())))?;
    let entry = NewEntry::new(
        ActivityKind::Exported,
        Summary::new("Answer to a permission request saved for delivery by hand")
            .label(&request.requester.name)
            .uuid("request", request.request_id),
        None,
    );
    state
        .records()
        .record_done(vec![entry], "The answer was saved, but Warden could not write it to the activity log")
        .await?;
    Ok(path.display().to_string())
}

/// Sends again an answer that could not be delivered.
pub async fn request_deliver(
    host: &impl Host,
    state: &impl DeskState,
    request_id: &str,
) -> Result<RequestDelivery, AppError> {
    let (request, json) = state.requests().take_undelivered(request_id)?;
    let decision = match serde_json::from_str::<serde_json::Value>(&json)
        .ok()
        .and_then(|v| v["decision"].as_str().map(str::to_owned))
    {
        Some(d) if d == "declined" => Decision::Declined,
        _ => Decision::Approved,
    };
    Ok(deliver(host, state, request, json, decision).await)
}

/// After the owner approved a request's grant: records the request as answered and builds
/// the approval answer, to be sent with [`deliver`] in the background (the shell runs it;
/// `request-answered` says how it went). `None` when there is nothing to send (the window
/// has been told why).
pub fn answer_approved(
    host: &impl Host,
    state: &impl DeskState,
    request: SessionRequest,
    credentials: SessionCredentials,
    now: u64,
) -> Option<(SessionRequest, String)> {
    if let Err(e) = state.requests().mark_answered(&request, now) {
        warn!(error = %e.message, "could not record the request as answered");
    }
    let answer = match request.approve(credentials) {
        Ok(a) => a,
        Err(e) => {
            // The grant was checked against the request before it was asked for.
            warn!(error = %e, "the granted session does not answer the request");
            emit(
                host,
                REQUEST_ANSWERED_EVENT,
                &RequestDelivery {
                    request_id: request.request_id.to_string(),
                    decision: "approved".into(),
                    answer_host: request.requester.origin.clone(),
                    delivered: false,
                    http_status: None,
                    detail: e.to_string(),
                },
            );
            return None;
        }
    };
    Some((request, answer.to_json()))
}

/// Records the answer as sent, POSTs `json` to the request's destination, logs a failed
/// delivery, keeps the answer when it was not delivered, and emits `request-answered`. An
/// answer that cannot be recorded first is not sent (kept to send again, saying why).
pub async fn deliver(
    host: &impl Host,
    state: &impl DeskState,
    request: SessionRequest,
    json: String,
    decision: Decision,
) -> RequestDelivery {
    let decision = match decision {
        Decision::Approved => "approved",
        Decision::Declined => "declined",
    };
    let sent = NewEntry::new(
        ActivityKind::Exported,
        Summary::new("Answer to a permission request sent")
            .label(&request.requester.name)
            .host(&request.requester.origin)
            .uuid("request", request.request_id),
        None,
    );
    if let Err(e) = state
        .records()
        .record_done(vec![sent], "The answer was not sent, because Warden could not write it to the activity log first")
        .await
    {
        let delivery = RequestDelivery {
            request_id: request.request_id.to_string(),
            decision: decision.into(),
            answer_host: request.requester.origin.clone(),
            delivered: false,
            http_status: None,
            detail: e.message,
        };
        state.requests().keep_undelivered(request, json);
        emit(host, REQUEST_ANSWERED_EVENT, &delivery);
        return delivery;
    }
    let result = deliver_answer(&request, &json, &DELIVERY_RETRY_DELAYS).await;
    let delivery = match result {
        Ok(receipt) => RequestDelivery {
            request_id: request.request_id.to_string(),
            decision: decision.into(),
            answer_host: request.requester.origin.clone(),
            delivered: true,
            http_status: receipt.http_status,
            detail: format!("{} accepted the answer", request.requester.origin),
        },
        Err(e) => {
            warn!(error = %e, "the answer to a permission request was not delivered");
            state.records().record(
                ActivityKind::Exported,
                Summary::new("Answer to a permission request NOT delivered; kept to send again")
                    .label(&request.requester.name)
                    .host(&request.requester.origin)
                    .uuid("request", request.request_id),
                None,
            );
            let delivery = RequestDelivery {
                request_id: request.request_id.to_string(),
                decision: decision.into(),
                answer_host: request.requester.origin.clone(),
                delivered: false,
                http_status: match &e {
                    warden_core::export::ExportError::Refused { status, .. }
                    | warden_core::export::ExportError::Redirected { status, .. } => Some(*status),
                    _ => None,
                },
                detail: e.to_string(),
            };
            state.requests().keep_undelivered(request, json);
            delivery
        }
    };
    emit(host, REQUEST_ANSWERED_EVENT, &delivery);
    delivery
}

fn intake_status_of(state: &impl DeskState) -> IntakeStatus {
    let running = state.loopback().status();
    IntakeStatus {
        listening: running.is_some(),
        url: running.as_ref().map(|(port, _)| format!("http://127.0.0.1:{port}{PATH}")),
        pairing_code: running.map(|(_, code)| code),
        default_port: DEFAULT_PORT,
    }
}

/// Whether the loopback intake listens, where, and its pairing code.
pub fn intake_status(state: &impl DeskState) -> IntakeStatus {
    intake_status_of(state)
}

/// A request a server POSTed to the loopback intake: queued for the main window, which
/// hears `request-incoming`; refused with 409 when its id is already waiting or the queue
/// is full. What the shell's [`Sink`] for [`intake_start`] calls.
pub fn queue_posted(
    host: &impl Host,
    state: &impl DeskState,
    request: SessionRequest,
    text: String,
) -> Result<(), (StatusCode, String)> {
    let incoming = Incoming::Document { id: request.request_id.to_string(), text };
    match state.intake().queue(incoming) {
        Ok(_) => {
            emit(host, REQUEST_INCOMING_EVENT, &());
            Ok(())
        }
        Err(reason) => Err((StatusCode::CONFLICT, reason)),
    }
}

/// Turns the loopback intake on (on `port`, else the default) with a new pairing code;
/// accepted requests go to `sink` ([`queue_posted`]).
pub async fn intake_start(state: &impl DeskState, port: Option<u16>, sink: Sink) -> Result<IntakeStatus, AppError> {
    state.loopback().start(port.unwrap_or(DEFAULT_PORT), sink, std::sync::Arc::new(crate::records::now)).await?;
    let entry = NewEntry::new(
        ActivityKind::Exported,
        Summary::new("Loopback intake turned on for servers on this computer"),
        None,
    );
    if let Err(e) = state
        .records()
        .record_done(
            vec![entry],
            "The loopback intake was turned off again, because Warden could not write it to the activity log",
        )
        .await
    {
        state.loopback().stop();
        return Err(e);
    }
    Ok(intake_status_of(state))
}

/// Turns the loopback intake off.
pub fn intake_stop(state: &impl DeskState) -> IntakeStatus {
    state.loopback().stop();
    intake_status_of(state)
}
