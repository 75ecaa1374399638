//! The sessions dashboard: the list with live statuses, usage against each limit, a test
//! call with a session key Warden holds, revocation (owner-signed) and forgetting (local),
//! each of the last two confirmed in a native dialog first ([`crate::confirm`]).
//!
//! Sessions live on the endpoint that granted them. A session on the active backend (same
//! kind and chain) is reachable: its first use is read from the EntryPoint nonce, its
//! usage from the devnet, and it can be tested and revoked. Others are shown from what
//! the list recorded. Every change is written (atomically) before it is reported, and
//! ends with a `sessions-changed` event so every window reads the list again.
//!
//! The bodies of the `session*` commands; `src-tauri/src/commands/sessions.rs` keeps one
//! `#[tauri::command]` per name and calls in here with its `Host` (events, confirmations).

use std::sync::Arc;

use crate::store::{EndpointKind, SentCall, SentCallState, SessionRecord, SessionStatus};
use crate::usage;
use alloy_primitives::{Bytes, U256};
use tracing::warn;
use warden_core::activity::{ActivityKind, Summary};
use warden_core::api::{Call, UuidV4};
use warden_core::calls::{self, CallsError, WaitPolicy};
use warden_core::chains::native_currency;
use warden_core::revoke::{self, Revocation};
use warden_core::session::SessionClient;

use crate::args::{parse_address, parse_session_id};
use crate::backend::ActiveBackend;
use crate::confirm::{self, Question};
use crate::error::{AppError, ErrorCode};
use crate::host::{Host, emit};
use crate::payloads::sessions::{QuarantinedView, SESSIONS_CHANGED_EVENT, SessionView, UsageLine};
use crate::payloads::{BackendKind, CallResult, PROGRESS_EVENT, ProgressEvent, ProgressStep};
use crate::records::session_id16;
use crate::state::DeskState;
use crate::views::session_view;

/// Whether `record` lives on the active backend.
fn reachable(record: &SessionRecord, active: &ActiveBackend) -> bool {
    let same_kind = matches!(
        (record.endpoint.kind, active.kind),
        (EndpointKind::Devnet, BackendKind::Devnet) | (EndpointKind::Alchemy, BackendKind::Alchemy)
    );
    same_kind && record.chain_id == active.chain_id()
}

/// The active backend, if `record` lives there; otherwise an error saying where it lives.
async fn backend_of(state: &impl DeskState, record: &SessionRecord) -> Result<ActiveBackend, AppError> {
    let active = state.active_backend().await?;
    if reachable(record, &active) {
        Ok(active)
    } else {
        let place = match record.endpoint.kind {
            EndpointKind::Devnet => "the local devnet".to_owned(),
            EndpointKind::Alchemy => format!("Alchemy (chain {})", record.chain_id),
            EndpointKind::Custom => format!("{} (chain {})", record.endpoint.host, record.chain_id),
        };
        Err(AppError::invalid_input(format!(
            "session “{}” lives on {place}, not on the active backend: switch to it in Settings",
            record.label
        )))
    }
}

fn record_of(state: &impl DeskState, id: UuidV4) -> Result<SessionRecord, AppError> {
    state.records().with_sessions(|s| s.get(id).cloned())
}

fn changed(host: &impl Host) {
    emit(host, SESSIONS_CHANGED_EVENT, &());
}

/// Every session, oldest first, with its status now. Sessions on the active backend that
/// wait for their first use are checked against the chain first.
pub async fn sessions_list(state: &impl DeskState) -> Result<Vec<SessionView>, AppError> {
    let records = state.records().with_sessions(|s| Ok(s.list().to_vec()))?;
    let now = state.now();
    let active = if records.is_empty() { None } else { state.active_backend().await.ok() };
    let mut views = Vec::with_capacity(records.len());
    for record in records {
        let mut record = record;
        if let Some(active) = active.as_ref().filter(|a| reachable(&record, a))
            && record.status(now) == SessionStatus::Waiting
            && let Ok(plan) = revoke::plan_revoke(&active.backend, &record.credentials).await
            && plan.revocation == Revocation::Uninstall
        {
            // The grant's nonce was consumed: someone used the session.
            match state.records().with_sessions(|s| s.mark_first_used(record.id, now).cloned()) {
                Ok(updated) => record = updated,
                Err(e) => warn!(error = %e.message, "could not record a session's first use"),
            }
        }
        let node = active.as_ref().filter(|a| reachable(&record, a)).map(|a| a.backend.node());
        let tokens = state.records().tokens_of(node, record.chain_id, &record.permissions).await;
        views.push(session_view(&record, now, &tokens));
    }
    Ok(views)
}

/// Usage of each limit of session `id`, with where each number comes from.
pub async fn session_usage(state: &impl DeskState, id: &str) -> Result<Vec<UsageLine>, AppError> {
    let record = record_of(state, parse_session_id(id)?)?;
    let active = state.active_backend().await.ok().filter(|a| reachable(&record, a));
    let tokens = state
        .records()
        .tokens_of(active.as_ref().map(|a| a.backend.node()), record.chain_id, &record.permissions)
        .await;
    Ok(usage::session_usage(&record, active.as_ref().map(|a| a.backend.wallet()), &tokens).await?)
}

fn progress_sink(host: &impl Host, op: &'static str) -> impl Fn(calls::Progress) + Send + Sync {
    move |p: calls::Progress| emit(host, PROGRESS_EVENT, &ProgressEvent::of_call(op, &p))
}

fn final_progress(host: &impl Host, op: &str, result: &Result<CallResult, AppError>) {
    let (step, message) = match result {
        Ok(r) => (ProgressStep::Done, format!("Done ({})", r.status_text)),
        Err(e) => (ProgressStep::Failed, e.message.clone()),
    };
    emit(host, PROGRESS_EVENT, &ProgressEvent { op: op.into(), step, message });
}

/// Sends one call with session `id`'s key (only when Warden holds it): prepare → verify →
/// sign → send → wait. `value` is decimal wei; `data` hex (empty for none). Emits
/// `progress` with op "test-call".
pub async fn session_test_call(
    host: &impl Host,
    state: &impl DeskState,
    id: &str,
    to: &str,
    value: &str,
    data: &str,
) -> Result<CallResult, AppError> {
    let result = test_call(host, state, id, to, value, data).await;
    final_progress(host, "test-call", &result);
    result
}

fn parse_call(to: &str, value: &str, data: &str) -> Result<Call, AppError> {
    let to = parse_address("to", to)?;
    let value = value.trim();
    let value = if value.is_empty() {
        U256::ZERO
    } else {
        U256::from_str_radix(value, 10)
            .map_err(|_| AppError::invalid_input(format!("value {value:?} is not a whole number of wei")))?
    };
    let data = data.trim();
    let data = if data.is_empty() || data == "0x" {
        None
    } else {
        Some(
            data.parse::<Bytes>()
                .map_err(|_| AppError::invalid_input("data must be 0x followed by hex digit pairs"))?,
        )
    };
    Ok(Call { to, data, value: (!value.is_zero()).then_some(value) })
}

async fn test_call(
    host: &impl Host,
    state: &impl DeskState,
    id: &str,
    to: &str,
    value: &str,
    data: &str,
) -> Result<CallResult, AppError> {
    let id = parse_session_id(id)?;
    let call = parse_call(to, value, data)?;
    let record = record_of(state, id)?;
    if !record.key_held_by_warden {
        return Err(AppError::invalid_input("the server holds this session's key, so Warden cannot send with it"));
    }
    match record.status(state.now()) {
        SessionStatus::Revoked | SessionStatus::Expired => {
            return Err(AppError::invalid_input(format!(
                "session “{}” has ended; it can no longer send",
                record.label
            )));
        }
        SessionStatus::Waiting | SessionStatus::Active => {}
    }
    let active = backend_of(state, &record).await?;
    let key = record.session_key;
    let signer = state.keychain().run(move |k| Ok(k.session_signer(key)?)).await?;
    let client = SessionClient::with_signer(&record.credentials, Arc::new(signer), active.backend.wallet().clone())?
        .with_policy(active.policy());
    let sent_at = state.now();
    let sink = progress_sink(host, "test-call");
    let result = client.send_calls_with(std::slice::from_ref(&call), Some(&WaitPolicy::default()), &sink).await;
    let (outcome, call_id) = match &result {
        Ok(o) => (SentCallState::Confirmed, Some(o.call_id.clone())),
        Err(CallsError::Failed { outcome }) => (SentCallState::Failed, Some(outcome.call_id.clone())),
        Err(CallsError::Timeout { call_id, .. }) => (SentCallState::Pending, Some(call_id.clone())),
        Err(_) => (SentCallState::Failed, None),
    };
    if let Some(call_id) = call_id {
        let sent =
            SentCall { call_id: call_id.clone(), sent_at, calls: vec![call.clone()], outcome, gas_cost_wei: None };
        if let Err(e) = state.records().with_sessions(|s| s.record_call(id, sent).map(|_| ())) {
            warn!(error = %e.message, "could not record a test call in the session list");
        }
        let text = match outcome {
            SentCallState::Confirmed => "Test call confirmed",
            SentCallState::Failed => "Test call failed",
            SentCallState::Pending => "Test call sent, not final yet",
        };
        state.records().record(
            ActivityKind::TestCall,
            Summary::new(text)
                .label(&record.label)
                .address("to", call.to)
                .native("value", call.value.unwrap_or_default(), native_currency(record.chain_id))
                .call_id(&call_id),
            session_id16(&record.session_id),
        );
        changed(host);
    }
    Ok(CallResult::from(&result?))
}

/// Revokes session `id` with an owner-signed call (uninstall, or cancelling a grant never
/// used) and waits for it. Emits `progress` with op "revoke".
pub async fn session_revoke(host: &impl Host, state: &impl DeskState, id: &str) -> Result<CallResult, AppError> {
    let result = revoke_session(host, state, id).await;
    final_progress(host, "revoke", &result);
    result
}

async fn revoke_session(host: &impl Host, state: &impl DeskState, id: &str) -> Result<CallResult, AppError> {
    let id = parse_session_id(id)?;
    let record = record_of(state, id)?;
    if record.revoked_at.is_some() {
        return Err(AppError::invalid_input(format!("session “{}” is already revoked", record.label)));
    }
    let active = backend_of(state, &record).await?;
    emit(
        host,
        PROGRESS_EVENT,
        &ProgressEvent {
            op: "revoke".into(),
            step: ProgressStep::Preparing,
            message: "Reading the session's state".into(),
        },
    );
    let plan = revoke::plan_revoke(&active.backend, &record.credentials).await?;
    let what = match plan.revocation {
        Revocation::Uninstall => "uninstalls the session from",
        Revocation::CancelUnused => "cancels the unused grant on",
    };
    confirm::ask(
        host,
        Question::new(
            "Revoke session?",
            format!(
                "Revoke “{}”? Your owner key signs an operation that {what} account {}. \
                 Whoever holds the session key can no longer use it. This cannot be undone.",
                record.label,
                record.credentials.account.to_checksum(None)
            ),
            "Revoke session",
        ),
    )
    .await?;
    let owner = record.owner;
    let signer = state.keychain().run(move |k| Ok(k.owner_signer(owner)?)).await?;
    let sink = progress_sink(host, "revoke");
    let outcome = revoke::send_revocation(&active.backend, &plan, &signer, &WaitPolicy::default(), &sink).await?;
    let at = state.now();
    state.records().with_sessions(|s| s.mark_revoked(id, at).map(|_| ()))?;
    let how = match plan.revocation {
        Revocation::Uninstall => "Session revoked (uninstalled)",
        Revocation::CancelUnused => "Session revoked (unused grant cancelled)",
    };
    state.records().record(
        ActivityKind::Revoked,
        Summary::new(how).label(&record.label).call_id(&outcome.call_id),
        session_id16(&record.session_id),
    );
    changed(host);
    Ok(CallResult::from(&outcome))
}

/// Removes session `id` from the list (nothing changes on chain) and deletes its session
/// key if Warden held it. Asks first in a native dialog ([`confirm::ask`]). Returns the list.
pub async fn session_forget(host: &impl Host, state: &impl DeskState, id: &str) -> Result<Vec<SessionView>, AppError> {
    let id = parse_session_id(id)?;
    let record = record_of(state, id)?;
    let still_valid = if record.revoked_at.is_some() {
        ""
    } else {
        " It stays valid on chain until it expires or is revoked, and Warden can no longer revoke it for you."
    };
    confirm::ask(
        host,
        Question::new(
            "Forget session?",
            format!(
                "Forget “{}”? Warden deletes its record{} from this computer.{still_valid}",
                record.label,
                if record.key_held_by_warden { " and its session key" } else { "" }
            ),
            "Forget session",
        ),
    )
    .await?;
    let removed = state.records().with_sessions(|s| s.forget(id))?;
    if removed.key_held_by_warden {
        let key = removed.session_key;
        if let Err(e) = state.keychain().run(move |k| Ok(k.delete_session_key(key)?)).await
            && e.code != ErrorCode::KeyNotFound
        {
            warn!(error = %e.message, "could not delete a forgotten session's key");
        }
    }
    state.records().record(
        ActivityKind::Forgotten,
        Summary::new("Session forgotten (local only)").label(&removed.label),
        session_id16(&removed.session_id),
    );
    changed(host);
    sessions_list(state).await
}

/// The session records that did not load and were set aside beside the list, oldest first.
pub async fn sessions_quarantined(state: &impl DeskState) -> Result<Vec<QuarantinedView>, AppError> {
    let kept_in = state.records().dir().join(crate::store::QUARANTINE_FILE).display().to_string();
    state.records().with_sessions(|s| {
        Ok(s.quarantined()
            .iter()
            .map(|q| QuarantinedView {
                label: q.label.clone(),
                reason: q.reason.clone(),
                quarantined_at: q.quarantined_at,
                kept_in: kept_in.clone(),
            })
            .collect())
    })
}

/// Starts a new, empty session list when the old one was set aside as damaged (the person
/// chose it on the Sessions screen; the damaged file stays where the refusal named it).
/// Changes nothing when a list exists. Returns the list.
pub async fn sessions_start_new_list(host: &impl Host, state: &impl DeskState) -> Result<Vec<SessionView>, AppError> {
    state.records().start_new_list()?;
    changed(host);
    sessions_list(state).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_call_arguments_are_checked() {
        let c = parse_call("0x1111111111111111111111111111111111111111", "1000", "").unwrap();
        assert_eq!(c.value, Some(U256::from(1000u64)));
        assert_eq!(c.data, None);
        let c = parse_call("0x1111111111111111111111111111111111111111", "0", "0xa9059cbb").unwrap();
        assert_eq!((c.value, c.data.unwrap().len()), (None, 4));
        assert!(parse_call("0x11", "0", "").is_err());
        assert!(parse_call("0x1111111111111111111111111111111111111111", "1.5", "").is_err());
        assert!(parse_call("0x1111111111111111111111111111111111111111", "1", "0xabc").is_err());
        assert_eq!(parse_session_id("nope").unwrap_err().code, ErrorCode::SessionUnknown);
    }
}
