//! `warden approve`: the owner's side of a permission request, on a terminal.
//!
//! The request (a file, a `warden://request?d=…` link, or `-` for stdin) is checked
//! (`warden_core::request`), refused if this owner answered it before, and shown in words:
//! who asks and their justification (marked as their words), where the answer goes, the
//! permissions with their risk flags, how long the session lasts, the session key. Then the
//! usual grant: the owner's account, `wallet_createSession`, `verify_grant` and the chain
//! checks, the grant in words, a confirmation (a terminal prompt, or `--yes`), the owner's
//! signature in the keychain. The answer (`warden.answer.v1`) is POSTed to the request's
//! destination — no redirects followed, retried with backoff — and, when it cannot be
//! delivered, written to `--out` (or stdout) for manual delivery. `--decline` sends a
//! decline. A key Warden generates for a request is sealed to the server's age recipient
//! and not kept: the server holds it.
//!
//! Left out: adjusting on a terminal (the request is granted as asked or declined; the app
//! lets the owner lower amounts).

use std::io::{IsTerminal, Read as _, Write as _};
use std::path::PathBuf;

use warden_core::account::request_account;
use warden_core::credentials::SecretForm;
use warden_core::grant::{GrantRequest, SessionSecret, request_grant};
use warden_core::permissions::{self, PermissionKind, Severity};
use warden_core::request::{
    AnsweredRequests, DELIVERY_RETRY_DELAYS, RequestedSigner, SessionAnswer, SessionRequest, deliver_answer,
};

use crate::cmd::account::AccountTypeArg;
use crate::cmd::key::owner_key;
use crate::endpoint::{NetworkArgs, endpoint_failure, runtime};
use crate::exit::{CmdResult, Failure};
use crate::input::{now_unix, print_text};

#[derive(Debug, clap::Args)]
pub struct ApproveArgs {
    /// The request: a file, a warden://request?d=… link, or - for stdin.
    #[arg(value_name = "REQUEST")]
    pub request: String,
    /// Approve without asking (after reviewing the request).
    #[arg(long, conflicts_with = "decline")]
    pub yes: bool,
    /// Decline the request (the server is told).
    #[arg(long)]
    pub decline: bool,
    /// Owner key in the keychain, by address or label (default: the selected key).
    #[arg(long, value_name = "KEY")]
    pub owner: Option<String>,
    /// The account the session is for.
    #[arg(long = "type", value_enum, default_value = "sma-b")]
    pub account_type: AccountTypeArg,
    /// Also write the answer here (mode 0600); it is written here, or printed, when it
    /// cannot be delivered.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub endpoint: NetworkArgs,
}

fn read_request(arg: &str) -> Result<String, Failure> {
    if arg == "-" {
        let mut text = String::new();
        std::io::stdin()
            .take(warden_core::request::MAX_REQUEST_BYTES as u64 * 2)
            .read_to_string(&mut text)
            .map_err(|e| Failure::bad_input(format!("stdin: {e}")))?;
        return Ok(text);
    }
    if arg.starts_with("warden://") || arg.trim_start().starts_with('{') {
        return Ok(arg.to_owned());
    }
    let path = std::path::Path::new(arg);
    let size = std::fs::metadata(path).map_err(|e| Failure::bad_input(format!("{arg}: {e}")))?.len();
    if size > warden_core::request::MAX_REQUEST_BYTES as u64 {
        return Err(Failure::bad_input(format!("{arg}: {size} bytes is too large for a request")));
    }
    std::fs::read_to_string(path).map_err(|e| Failure::bad_input(format!("{arg}: {e}")))
}

fn answered_path() -> Result<PathBuf, Failure> {
    Ok(crate::cmd::key::config_dir()?.join("answered-requests.json"))
}

/// The request in words, on stderr. Their words are quoted and marked as theirs.
fn show(request: &SessionRequest, now: u64) {
    let currency = warden_core::chains::native_currency(request.chain_id);
    let d = permissions::describe(&request.permissions, request.expiry_sec_at(now), now, currency, &Default::default());
    let mut t = String::new();
    t.push_str(&format!(
        "Permission request {} from {:?} ({})\n",
        request.request_id, request.requester.name, request.requester.origin
    ));
    t.push_str("  their words (not checked by Warden):\n");
    for line in request.justification.lines() {
        t.push_str(&format!("  > {line}\n"));
    }
    t.push_str(&format!(
        "  chain {} ({}, pays in {})\n",
        request.chain_id,
        warden_core::chains::display_name(request.chain_id),
        currency.symbol
    ));
    for line in &d.permissions {
        t.push_str(&format!("  - {line}\n"));
    }
    t.push_str(&format!("  the session lasts {} s once approved\n", request.expiry));
    match &request.signer {
        RequestedSigner::Address { address } => t.push_str(&format!("  session key {address} (held by the server)\n")),
        RequestedSigner::Generate { age_recipient } => {
            t.push_str(&format!("  session key generated by Warden, sent encrypted to {age_recipient}\n"));
        }
    }
    for risk in &d.risks {
        let level = match risk.severity {
            Severity::Critical => "CRITICAL",
            Severity::High => "HIGH",
            Severity::Medium => "MEDIUM",
            Severity::Low => "LOW",
        };
        t.push_str(&format!("  risk {level} [{}]: {}\n", risk.code, risk.message));
    }
    t.push_str(&format!("  the answer goes to {}\n", request.answer_to));
    let _ = std::io::stderr().write_all(t.as_bytes());
}

pub fn run(args: ApproveArgs) -> CmdResult {
    let now = now_unix();
    let text = read_request(&args.request)?;
    let request = SessionRequest::parse_link_or_document(&text, now).map_err(|e| endpoint_failure(&e))?;
    let answered_at = answered_path()?;
    let mut answered = AnsweredRequests::load(&answered_at).map_err(|e| endpoint_failure(&e))?;
    answered.check_new(&request).map_err(|e| endpoint_failure(&e))?;
    show(&request, now);
    if args.decline {
        answered.record(&request, now, &answered_at).map_err(|e| endpoint_failure(&e))?;
        let answer = request.decline(None);
        return runtime()?.block_on(deliver(&request, &answer, args.out.as_ref()));
    }
    if !args.yes && !std::io::stdin().is_terminal() {
        return Err(Failure::bad_input("no terminal to confirm on: review the request and pass --yes, or --decline"));
    }
    if matches!(request.signer, RequestedSigner::Address { .. })
        && request.permissions.iter().any(|p| p.kind() == PermissionKind::Root)
    {
        let _ = writeln!(std::io::stderr(), "  THIS REQUEST ASKS FOR FULL CONTROL OF THE ACCOUNT (root)");
    }
    let keychain = crate::cmd::key::open()?;
    let owner = owner_key(&keychain, args.owner.as_deref())?;
    let kind = args.account_type.kind();
    runtime()?.block_on(async {
        let conn = args.endpoint.connect(None, Some(request.chain_id), None).await?;
        let account = request_account(&conn.backend, owner, kind).await.map_err(|e| endpoint_failure(&e))?;
        if account.needs_delegation() {
            return Err(Failure::refused(format!(
                "the 7702 account {} is not delegated yet: run `warden account --type 7702 --delegate` first",
                account.address
            )));
        }
        let (session_key, generated) = match &request.signer {
            RequestedSigner::Address { address } => (*address, false),
            RequestedSigner::Generate { .. } => {
                (keychain.create_session_key().map_err(crate::cmd::key::keychain_failure)?, true)
            }
        };
        let forget = |k: &warden_keychain::Keychain| {
            if generated && let Err(e) = k.delete_session_key(session_key) {
                let _ = writeln!(std::io::stderr(), "warning: could not delete the generated key {session_key}: {e}");
            }
        };
        let grant = GrantRequest {
            endpoint: conn.url.clone(),
            chain_id: conn.chain_id(),
            account: account.address,
            account_type: account.account_type,
            owner,
            session_key,
            permissions: request.permissions.clone(),
            expiry_sec: request.expiry_sec_at(now),
            paymaster: None,
        };
        let pending = match request_grant(&conn.backend, grant, now).await {
            Ok(p) => p,
            Err(e) => {
                forget(&keychain);
                return Err(endpoint_failure(&e));
            }
        };
        let s = pending.summary();
        let _ = writeln!(
            std::io::stderr(),
            "  verified: account {} ({}), entity {}; owner {} signs digest {}",
            s.account,
            account.account_type,
            s.entity_id,
            s.owner,
            s.digest
        );
        if !args.yes && !crate::input::confirm(&format!("Approve and sign with owner key {owner}?"))? {
            forget(&keychain);
            return Err(Failure::refused(
                "the request was not approved; nothing was signed (decline it with --decline)",
            ));
        }
        let signer = keychain.owner_signer(owner).map_err(crate::cmd::key::keychain_failure)?;
        let revealed = match (&request.signer, generated) {
            (RequestedSigner::Generate { .. }, true) => {
                Some(keychain.reveal_session_key(session_key).map_err(crate::cmd::key::keychain_failure)?)
            }
            _ => None,
        };
        let sealed = match (&request.signer, &revealed) {
            (RequestedSigner::Generate { age_recipient }, Some(key)) => SessionSecret::Seal {
                private_key_hex: key.expose(),
                form: SecretForm::Age { recipient: age_recipient },
            },
            _ => SessionSecret::None,
        };
        let creds = pending.approve(&signer, sealed).map_err(|e| endpoint_failure(&e));
        drop(revealed);
        forget(&keychain);
        let creds = creds?;
        answered.record(&request, now, &answered_at).map_err(|e| endpoint_failure(&e))?;
        let answer = request.approve(creds).map_err(|e| endpoint_failure(&e))?;
        deliver(&request, &answer, args.out.as_ref()).await
    })
}

/// POSTs the answer to the request's destination (`warden_core::request::deliver_answer`:
/// no redirects, retried with backoff); when it cannot be delivered the answer goes to `out`
/// (or stdout) for manual delivery and the command fails.
async fn deliver(request: &SessionRequest, answer: &SessionAnswer, out: Option<&PathBuf>) -> CmdResult {
    let json = zeroize::Zeroizing::new(answer.to_json());
    if let Some(path) = out {
        warden_core::atomic_file::write_atomic(
            path,
            json.as_bytes(),
            0o600,
            warden_core::atomic_file::Existing::Refuse,
        )
        .map_err(|e| Failure::refused(format!("{}: {e}", path.display())))?;
    }
    let reason = match deliver_answer(request, &json, &DELIVERY_RETRY_DELAYS).await {
        Ok(receipt) => {
            let _ = writeln!(
                std::io::stderr(),
                "answer ({:?}) delivered to {} (HTTP {})",
                answer.decision,
                request.requester.origin,
                receipt.http_status.unwrap_or_default()
            );
            return Ok(());
        }
        Err(e) => e.to_string(),
    };
    match out {
        Some(path) => Err(Failure::refused(format!(
            "the answer was not delivered ({reason}); it is in {} for manual delivery",
            path.display()
        ))),
        None => {
            print_text(&format!("{}\n", *json))?;
            Err(Failure::refused(format!(
                "the answer was not delivered ({reason}); it is printed above for manual delivery"
            )))
        }
    }
}
