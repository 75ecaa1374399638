//! Granting a session: the wizard's request becomes a `wallet_createSession` answer that
//! Warden verifies (`warden_core::grant`), then an approval shown in its own window and
//! answered there once: approve (the owner key signs exactly the verified digest and the
//! session joins the list) or reject (nothing is signed; a session key generated for it
//! is deleted). An approval that is not answered in time expires the same way, as does one
//! whose window is closed.
//!
//! These are the bodies of the `grant_start`, `approval_pending`, `approval_approve` and
//! `approval_reject` commands; `src-tauri/src/commands/grant.rs` keeps one command per name
//! (the approval window's capability allows exactly those three) and calls in here with its
//! [`Host`]. The answers check the calling window's label as well
//! ([`ensure_approval_window`]). Left out: the timer that sweeps expired approvals
//! ([`expire_due`] is what it calls), which the shell runs on its own runtime.

use std::collections::HashMap;

use alloy_primitives::Address;
use tracing::{info, warn};
use warden_core::account;
use warden_core::activity::{ActivityKind, NewEntry, Summary};
use warden_core::api::{CreateSession, UuidV4};
use warden_core::credentials::{PaymasterRef, SecretForm, SessionCredentials};
use warden_core::grant::{self, GrantError, PendingGrant, SessionSecret};
use warden_core::permissions::Permission;
use warden_core::request::{RequestedSigner, SessionRequest};
use warden_core::signing::VerifyGrantError;

use crate::approvals::{APPROVAL_TTL_SECS, APPROVAL_WINDOW, PendingApproval, ensure_approval_window};
use crate::args::{parse_address, parse_expiry, parse_permissions};
use crate::backend::ActiveBackend;
use crate::error::{AppError, ErrorCode};
use crate::host::{Host, emit};
use crate::keychain_access::selected_owner;
use crate::payloads::sessions::{
    APPROVAL_FINISHED_EVENT, ApprovalFinished, ApprovalOutcome, ApprovalView, GrantForm, Mismatch, RiskFlag,
    SESSIONS_CHANGED_EVENT, SessionKeyChoice, SessionView, permission_views,
};
use crate::payloads::{AccountType, BackendKind, Currency, PROGRESS_EVENT, ProgressEvent, ProgressStep};
use crate::records::session_id16;
use crate::state::DeskState;
use crate::store::{EndpointKind, EndpointRef, SessionRecord, check_label};
use crate::views::session_view;

fn report(host: &impl Host, step: ProgressStep, message: &str) {
    emit(host, PROGRESS_EVENT, &ProgressEvent { op: "grant".into(), step, message: message.into() });
}

/// `grant_start`: asks the endpoint for the grant the wizard describes, verifies the answer
/// and opens the approval window. Resolves to the approval id. Emits `progress` with op
/// "grant" (a failure too).
pub async fn grant_start(
    host: &impl Host,
    state: &impl DeskState,
    request: serde_json::Value,
) -> Result<String, AppError> {
    let result = start(host, state, request).await;
    if let Err(e) = &result {
        report(host, ProgressStep::Failed, &e.message);
    }
    result
}

async fn start(host: &impl Host, state: &impl DeskState, request: serde_json::Value) -> Result<String, AppError> {
    let request: GrantForm =
        serde_json::from_value(request).map_err(|e| AppError::invalid_input(format!("grant request: {e}")))?;
    let label = check_label(&request.label).map_err(|e| AppError::invalid_input(e.to_string()))?;
    let permissions = parse_permissions(&request.permissions).map_err(|errors| {
        let text = errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("; ");
        AppError::new(ErrorCode::InvalidPermissions, text)
    })?;
    let mut entered_decimals = HashMap::new();
    for (token, decimals) in &request.token_decimals {
        entered_decimals.insert(parse_address("tokenDecimals", token)?, *decimals);
    }
    let expiry_value = request.expiry_sec.map(serde_json::Value::from);
    let expiry_sec = parse_expiry(expiry_value.as_ref())?;
    let key = match &request.key {
        SessionKeyChoice::Generate => KeySource::Generate,
        SessionKeyChoice::External { address } => KeySource::External(parse_address("key.address", address)?),
    };
    begin(
        host,
        state,
        Begin {
            label,
            account_type: request.account_type,
            key,
            permissions,
            expiry_sec,
            entered_decimals,
            request: None,
        },
    )
    .await
}

/// Where a grant's session key comes from.
#[derive(Debug)]
pub enum KeySource {
    /// Warden generates it in the keychain.
    Generate,
    /// The server holds it: its address.
    External(Address),
}

/// A grant to ask the endpoint for: from the wizard, or from a server's permission request
/// (`request`; the answer then goes to the server once approved).
#[derive(Debug)]
pub struct Begin {
    pub label: String,
    pub account_type: AccountType,
    pub key: KeySource,
    pub permissions: Vec<Permission>,
    /// Unix seconds; 0 for never.
    pub expiry_sec: u64,
    /// The decimals ERC-20 amounts were entered with (flagged when they changed since).
    pub entered_decimals: HashMap<Address, u8>,
    pub request: Option<SessionRequest>,
}

/// Looks up the owner's account, checks the permissions, creates the session key when
/// Warden generates it, asks the endpoint for the grant and opens the approval.
pub async fn begin(host: &impl Host, state: &impl DeskState, grant: Begin) -> Result<String, AppError> {
    let Begin { label, account_type, key, permissions, expiry_sec, entered_decimals, request } = grant;
    let now = state.now();

    report(host, ProgressStep::Preparing, "Looking up the account");
    let owner = selected_owner(state.keychain()).await?;
    let active = state.active_backend().await?;
    if let Some(r) = &request
        && r.chain_id != active.chain_id()
    {
        return Err(AppError::invalid_input(format!(
            "the request is for chain {}, but Warden is on chain {}: switch the network in Settings first",
            r.chain_id,
            active.chain_id()
        )));
    }
    let info = account::request_account(&active.backend, owner, account_type.kind()).await?;
    if !info.ready_for_sessions() {
        return Err(AppError::new(
            ErrorCode::NotDelegated,
            format!(
                "the EIP-7702 account {} is not delegated to Modular Account v2 yet: delegate it on the Account \
                 screen, then grant the session",
                info.address
            ),
        ));
    }
    grant::validate_permissions(&permissions, info.address, expiry_sec, now).map_err(|e| AppError::coded(&e))?;
    let paymaster = active.policy().map(|policy_id| PaymasterRef { policy_id });

    let (session_key, generated) = match key {
        KeySource::Generate => {
            let address = state.keychain().run(|k| Ok(k.create_session_key()?)).await?;
            (address, Some(address))
        }
        KeySource::External(address) => (address, None),
    };
    let core_request = grant::GrantRequest {
        endpoint: active.url.clone(),
        chain_id: active.chain_id(),
        account: info.address,
        account_type: info.account_type,
        owner,
        session_key,
        permissions,
        expiry_sec,
        paymaster,
    };
    let opened = open_approval(
        host,
        state,
        &active,
        core_request,
        Opening { entered_decimals: &entered_decimals, label, generated, request },
        now,
    )
    .await;
    if opened.is_err()
        && let Some(address) = generated
    {
        delete_session_key(state, address).await;
    }
    opened
}

/// What [`open_approval`] needs besides the core's request.
struct Opening<'a> {
    entered_decimals: &'a HashMap<Address, u8>,
    label: String,
    generated: Option<Address>,
    request: Option<SessionRequest>,
}

async fn open_approval(
    host: &impl Host,
    state: &impl DeskState,
    active: &ActiveBackend,
    request: grant::GrantRequest,
    opening: Opening<'_>,
    now: u64,
) -> Result<String, AppError> {
    let Opening { entered_decimals, label, generated, request: from_request } = opening;
    request.validate(now).map_err(|e| AppError::coded(&e))?;
    let records = state.records();
    records.record_first(
        ActivityKind::GrantRequested,
        Summary::new("Grant requested")
            .label(&label)
            .address("account", request.account)
            .address("key", request.session_key)
            .chain(request.chain_id),
        None,
    )?;
    report(host, ProgressStep::Preparing, "Asking the endpoint to prepare the grant");
    let answer = active.backend.wallet().call::<CreateSession>(&request.create_session_params()).await?;
    report(host, ProgressStep::Verifying, "Checking the grant against what you asked for");
    let tokens = records.tokens_read_now(active.backend.node(), active.chain_id(), &request.permissions).await;
    let (mut views, mut risks) =
        permission_views(&request.permissions, request.expiry_sec, now, request.chain_id, &tokens);
    // Decimals that changed since the wizard read them: the amounts no longer mean what was
    // typed. Flagged on the permission and first among the request's risks.
    for (i, p) in request.permissions.iter().enumerate() {
        for flag in warden_core::permissions::decimals_changed(std::slice::from_ref(p), entered_decimals, &tokens) {
            let flag = RiskFlag {
                severity: flag.severity.into(),
                message: flag.message,
                permission_index: u32::try_from(i).ok(),
            };
            if let Some(view) = views.get_mut(i) {
                view.risks.insert(0, flag.clone());
            }
            risks.insert(0, flag);
        }
    }
    let approval_id = UuidV4::new_random().to_string();
    let window = APPROVAL_WINDOW.to_owned();
    let mut view = ApprovalView {
        approval_id: approval_id.clone(),
        account: request.account.to_checksum(None),
        account_type: request.account_type,
        chain_id: request.chain_id,
        chain_name: match active.kind {
            BackendKind::Devnet => "Local devnet".to_owned(),
            BackendKind::Alchemy => warden_core::chains::display_name(request.chain_id),
        },
        currency: Currency::of_chain(request.chain_id),
        session_key: request.session_key.to_checksum(None),
        // A key generated for a server's request is sealed to the server, not kept.
        key_held_by_warden: generated.is_some() && from_request.is_none(),
        requested_by: from_request.as_ref().map(|r| format!("{} ({})", r.requester.name, r.requester.origin)),
        expiry_sec: (request.expiry_sec != 0).then_some(request.expiry_sec),
        permissions: views,
        risks,
        verified: false,
        mismatches: vec![],
        entity_id: None,
        digest: String::new(),
        valid_until: now + APPROVAL_TTL_SECS,
    };
    let endpoint = EndpointRef {
        kind: match active.kind {
            BackendKind::Devnet => EndpointKind::Devnet,
            BackendKind::Alchemy => EndpointKind::Alchemy,
        },
        host: active.host.clone(),
    };
    let local_entities = records.with_sessions(|s| {
        Ok(s.list()
            .iter()
            .filter(|r| r.revoked_at.is_none() && r.account == request.account && r.chain_id == request.chain_id)
            .filter_map(|r| r.credentials.grant.as_ref().map(|g| g.entity_id))
            .collect::<Vec<u32>>())
    })?;
    let grant = match PendingGrant::from_answer(request, &answer, now, &tokens) {
        Ok(pending) => {
            view.entity_id = Some(pending.verified().entity_id);
            match pending.check_entity_free(&active.backend, &local_entities).await {
                Ok(()) => {
                    view.verified = true;
                    view.digest = pending.digest().to_string();
                    Some(pending)
                }
                Err(GrantError::EntityInUse { entity_id, reason }) => {
                    warn!(entity_id, "the endpoint chose an entity id that is taken; the grant cannot be approved");
                    view.mismatches = vec![Mismatch {
                        field: "entityId".into(),
                        expected: "an entity id not used on this account".into(),
                        actual: format!("{entity_id}: {reason}"),
                    }];
                    None
                }
                Err(GrantError::NonceNotCurrent { signed, current }) => {
                    warn!(
                        "the endpoint's grant is bound to a nonce that is not the EntryPoint's next; it cannot be approved"
                    );
                    view.mismatches = vec![Mismatch {
                        field: "message.nonce".into(),
                        expected: format!("{current:#x} (the EntryPoint's next nonce for the key)"),
                        actual: format!("{signed:#x}"),
                    }];
                    None
                }
                Err(e) => return Err(AppError::coded(&e)),
            }
        }
        Err(GrantError::Verify(VerifyGrantError::Mismatches(found))) => {
            warn!(count = found.len(), "the endpoint's grant does not match the request; it cannot be approved");
            view.mismatches =
                found.into_iter().map(|m| Mismatch { field: m.field, expected: m.expected, actual: m.got }).collect();
            None
        }
        Err(e) => return Err(AppError::coded(&e)),
    };
    let verified = grant.is_some();
    state.approvals().open(
        PendingApproval {
            view,
            grant,
            label,
            generated_key: generated,
            endpoint,
            window: window.clone(),
            request: from_request,
        },
        now,
    )?;
    report(
        host,
        ProgressStep::Waiting,
        if verified {
            "Waiting for your approval"
        } else {
            "The grant does not match your request: see the approval window"
        },
    );
    if let Err(e) = host.show_approval_window() {
        drop(state.approvals().reject_window(&window));
        return Err(AppError::internal(format!("the approval window did not open: {e}")));
    }
    info!(approval = %approval_id, verified, "approval opened");
    Ok(approval_id)
}

/// Ends the approvals still unanswered whose time is up (the shell calls it once
/// [`APPROVAL_TTL_SECS`] have passed after an approval opened).
pub async fn expire_due(host: &impl Host, state: &impl DeskState) {
    for approval in state.approvals().expire_due(state.now()) {
        info!(approval = %approval.view.approval_id, "approval expired unanswered");
        ended_unsigned(host, state, approval, ApprovalOutcome::Expired).await;
    }
}

/// The approval window `label` closed: its open approval, if any, is rejected.
pub async fn window_closed(host: &impl Host, state: &impl DeskState, label: &str) {
    for approval in state.approvals().reject_window(label) {
        ended_unsigned(host, state, approval, ApprovalOutcome::Rejected).await;
    }
}

async fn delete_session_key(state: &impl DeskState, address: Address) {
    if let Err(e) = state.keychain().run(move |k| Ok(k.delete_session_key(address)?)).await {
        warn!(error = %e.message, %address, "could not delete a session key nobody will use");
    }
}

/// Clean-up of an approval that ended without a signature.
pub async fn ended_unsigned(
    host: &impl Host,
    state: &impl DeskState,
    approval: Box<PendingApproval>,
    outcome: ApprovalOutcome,
) {
    if let Some(address) = approval.generated_key {
        delete_session_key(state, address).await;
    }
    let summary = match outcome {
        ApprovalOutcome::Expired => Summary::new("Grant expired unanswered; nothing was signed"),
        _ => Summary::new("Grant rejected; nothing was signed"),
    };
    state.records().record(
        ActivityKind::Rejected,
        summary.label(&approval.label).address("key", parse_or_zero(&approval.view.session_key)),
        None,
    );
    emit(host, APPROVAL_FINISHED_EVENT, &ApprovalFinished { approval_id: approval.view.approval_id.clone(), outcome });
}

fn parse_or_zero(address: &str) -> Address {
    address.parse().unwrap_or(Address::ZERO)
}

/// `approval_pending`: the approval the approval window shows (`None` when none is open).
pub fn approval_pending(host: &impl Host, state: &impl DeskState) -> Result<Option<ApprovalView>, AppError> {
    ensure_approval_window(&host.caller_window().unwrap_or_default())?;
    Ok(state.approvals().pending_view(state.now()))
}

/// `approval_approve`: the owner key signs the verified digest, and the session joins the
/// list. When the grant answers a server's permission request, `answer_request` is handed
/// the request and the credentials to answer it (after the session is stored, before the
/// events).
pub async fn approval_approve(
    host: &impl Host,
    state: &impl DeskState,
    approval_id: String,
    answer_request: impl FnOnce(SessionRequest, SessionCredentials, u64) + Send,
) -> Result<SessionView, AppError> {
    ensure_approval_window(&host.caller_window().unwrap_or_default())?;
    let now = state.now();
    let approval = state.approvals().begin_approve(&approval_id, now)?;
    match sign_and_store(state, &approval, now).await {
        Ok((record, credentials)) => {
            state.approvals().finish(&approval_id, ApprovalOutcome::Approved);
            if let Some(request) = approval.request.clone() {
                if let Some(key) = approval.generated_key {
                    // Sealed to the server: Warden does not keep it.
                    delete_session_key(state, key).await;
                }
                answer_request(request, credentials, now);
            }
            emit(host, APPROVAL_FINISHED_EVENT, &ApprovalFinished { approval_id, outcome: ApprovalOutcome::Approved });
            emit(host, SESSIONS_CHANGED_EVENT, &());
            let tokens = state.records().tokens_of(None, record.chain_id, &record.permissions).await;
            Ok(session_view(&record, now, &tokens))
        }
        Err(e) => {
            // Nothing was stored: the person may try again (e.g. after unlocking the keychain).
            state.approvals().put_back(approval);
            Err(e)
        }
    }
}

/// Signs the verified grant with the owner key and stores the session; returns the record
/// and the credentials (with the sealed key when a server's request had Warden generate it).
async fn sign_and_store(
    state: &impl DeskState,
    approval: &PendingApproval,
    now: u64,
) -> Result<(SessionRecord, SessionCredentials), AppError> {
    let grant =
        approval.grant.as_ref().ok_or_else(|| AppError::new(ErrorCode::NotVerified, "the grant did not verify"))?;
    let records = state.records();
    // A session id already in the list is refused before the owner key signs anything.
    let session_id = grant.verified().session_id.clone();
    if let Some(existing) =
        records.with_sessions(|s| Ok(s.list().iter().find(|r| r.session_id == session_id).map(|r| r.label.clone())))?
    {
        return Err(AppError::new(
            ErrorCode::NotVerified,
            format!(
                "the endpoint returned the session id of “{existing}”, a session already in the list; nothing was signed"
            ),
        ));
    }
    let owner = grant.request().owner;
    let signer = state.keychain().run(move |k| Ok(k.owner_signer(owner)?)).await?;
    // A key generated for a server's request goes to the server sealed to its age recipient.
    let sealed_for = match (&approval.request, approval.generated_key) {
        (Some(SessionRequest { signer: RequestedSigner::Generate { age_recipient }, .. }), Some(key)) => {
            Some((key, age_recipient.clone()))
        }
        _ => None,
    };
    let credentials = match sealed_for {
        Some((key, recipient)) => {
            let revealed = state.keychain().run(move |k| Ok(k.reveal_session_key(key)?)).await?;
            let secret = SessionSecret::Seal {
                private_key_hex: revealed.expose(),
                form: SecretForm::Age { recipient: &recipient },
            };
            grant.approve(&signer, secret)
        }
        None => grant.approve(&signer, SessionSecret::None),
    }
    .map_err(|e| AppError::coded(&e))?;
    let key_held_by_warden = approval.generated_key.is_some() && approval.request.is_none();
    let record = SessionRecord::new(&approval.label, &credentials, approval.endpoint.clone(), key_held_by_warden, now)
        .map_err(|e| AppError::invalid_input(e.to_string()))?;
    // Recorded before the session is stored or handed to anyone: an approval the activity
    // log does not show never takes effect (the approval is put back to try again).
    let session_id = session_id16(&record.session_id);
    records
        .record_done(
            vec![
                NewEntry::new(
                    ActivityKind::Approved,
                    Summary::new("Grant approved").label(&record.label).address("key", record.session_key),
                    session_id,
                ),
                NewEntry::new(
                    ActivityKind::Signed,
                    Summary::new("Owner signed the grant")
                        .address("owner", record.owner)
                        .address("account", record.account),
                    session_id,
                ),
            ],
            "The owner key signed the grant, but Warden could not write it to the activity log, so the session was not stored or sent to anyone (approve again once the log can be written)",
        )
        .await?;
    let stored = record.clone();
    records.with_sessions(move |s| s.insert(record))?;
    Ok((stored, credentials))
}

/// `approval_reject`: nothing is signed; a session key generated for the grant is deleted.
pub async fn approval_reject(host: &impl Host, state: &impl DeskState, approval_id: String) -> Result<(), AppError> {
    ensure_approval_window(&host.caller_window().unwrap_or_default())?;
    let approval = state.approvals().reject(&approval_id, state.now())?;
    ended_unsigned(host, state, approval, ApprovalOutcome::Rejected).await;
    Ok(())
}
