//! `warden request create` and `warden request wait`: the server's side of a permission
//! request (`warden_core::request`).
//!
//! `create` writes a `warden.request.v1` document (stdout without `--out`) and prints its
//! `warden://request?d=…` link on stderr, for the owner to open in Warden or to pass to
//! `warden approve`. `wait` listens for the answer on a local address, checks it against
//! the request (the credentials and the owner's signature, the session key, adjustments only
//! within what was allowed, the request id; a generated key is decrypted with the server's
//! age identity), answers the sender 4xx and keeps waiting on an answer that does not check,
//! and on an approval writes the credentials file (0600) and exits 0; a decline exits 1 and
//! no answer in time exits 6.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use alloy_primitives::Address;
use warden_core::grant::parse_expiry;
use warden_core::request::{Accepted, MAX_ANSWER_BYTES, NewRequest, RequestedSigner, SessionRequest};

use crate::cmd::grant::read_permissions;
use crate::endpoint::{parse_chain, runtime};
use crate::exit::{CmdResult, Failure};
use crate::input::{now_unix, print_text};

#[derive(Debug, clap::Subcommand)]
pub enum RequestCommand {
    /// Write a permission request for the owner to approve in Warden or with `warden approve`.
    ///
    /// Example: warden request create --permissions perms.json --expiry 7d --key 0xSERVER
    /// --justification "Pays supplier invoices" --answer-to http://127.0.0.1:8650/answer --out req.json
    Create(CreateArgs),
    /// Wait for the owner's answer to a request, check it, and write the credentials.
    ///
    /// Example: warden request wait --request req.json --listen 127.0.0.1:8650 --out session.json
    Wait(WaitArgs),
}

#[derive(Debug, clap::Args)]
pub struct CreateArgs {
    /// JSON file with the permissions asked for (wire form, as for `warden grant`).
    #[arg(long, value_name = "FILE")]
    pub permissions: PathBuf,
    /// How long the session should last once approved: 30m, 1h, 7d, 2w.
    #[arg(long, value_name = "DURATION")]
    pub expiry: String,
    /// The session key: the server's own 0x address, or `generate` (Warden generates it and
    /// encrypts it to --age-recipient).
    #[arg(long, value_name = "0xADDRESS|generate")]
    pub key: String,
    /// The age recipient (age1…) a generated key is encrypted to.
    #[arg(long, value_name = "age1…")]
    pub age_recipient: Option<String>,
    /// Why the session is needed, shown to the owner as your words (plain text, at most 500
    /// characters).
    #[arg(long, value_name = "TEXT")]
    pub justification: String,
    /// Where the answer is POSTed: an https URL, or an http URL on this computer.
    #[arg(long, value_name = "URL")]
    pub answer_to: String,
    /// The name shown to the owner.
    #[arg(long, value_name = "NAME", default_value = "a server")]
    pub name: String,
    /// The chain: an id or a name such as base-sepolia.
    #[arg(long, value_name = "CHAIN", value_parser = parse_chain, default_value = "31337")]
    pub chain: u32,
    /// Let the owner lower amounts, shorten the expiry or drop permissions.
    #[arg(long)]
    pub allow_adjust: bool,
    /// How long the request may be answered: 10m, 1h, 1d (at most 7d).
    #[arg(long, value_name = "DURATION", default_value = "1h")]
    pub valid_for: String,
    /// Write the request here (default: stdout).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct WaitArgs {
    /// The request document `warden request create` wrote.
    #[arg(long, value_name = "FILE")]
    pub request: PathBuf,
    /// The address to listen on for the answer, e.g. 127.0.0.1:8650.
    #[arg(long, value_name = "ADDR:PORT")]
    pub listen: SocketAddr,
    /// The age identity file that opens a generated key.
    #[arg(long, value_name = "FILE")]
    pub identity: Option<PathBuf>,
    /// Where to write the credentials (mode 0600; never replaces a file).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Longest time to wait, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 600)]
    pub timeout: u64,
}

pub fn run(command: RequestCommand) -> CmdResult {
    match command {
        RequestCommand::Create(args) => create(args),
        RequestCommand::Wait(args) => wait(args),
    }
}

/// A duration such as 30m or 7d, in seconds.
fn duration(flag: &str, text: &str) -> Result<u64, Failure> {
    let now = 1_000_000_000u64;
    let at = parse_expiry(text, now).map_err(|e| Failure::bad_input(format!("{flag} {text}: {e}")))?;
    if at <= now || !text.chars().last().is_some_and(|c| c.is_ascii_alphabetic()) {
        return Err(Failure::bad_input(format!("{flag} {text}: expected a duration such as 30m, 1h, 7d or 2w")));
    }
    Ok(at - now)
}

fn create(args: CreateArgs) -> CmdResult {
    let now = now_unix();
    let permissions = read_permissions(&args.permissions)?;
    let signer = match (args.key.as_str(), &args.age_recipient) {
        ("generate", Some(recipient)) => RequestedSigner::Generate { age_recipient: recipient.clone() },
        ("generate", None) => {
            return Err(Failure::bad_input("--key generate needs --age-recipient age1… to encrypt the key to"));
        }
        (address, None) => RequestedSigner::Address {
            address: address
                .parse::<Address>()
                .map_err(|_| Failure::bad_input(format!("--key {address}: expected a 0x address or `generate`")))?,
        },
        (_, Some(_)) => {
            return Err(Failure::bad_input("--age-recipient applies to --key generate only"));
        }
    };
    let request = SessionRequest::new(
        NewRequest {
            name: args.name,
            justification: args.justification,
            chain_id: args.chain,
            permissions,
            expiry: duration("--expiry", &args.expiry)?,
            is_adjustment_allowed: args.allow_adjust,
            signer,
            answer_to: args.answer_to,
            valid_for: duration("--valid-for", &args.valid_for)?,
        },
        now,
    )
    .map_err(|e| Failure::bad_input(e.to_string()))?;
    let json = format!("{}\n", request.to_json());
    match &args.out {
        Some(path) => warden_core::atomic_file::write_atomic(
            path,
            json.as_bytes(),
            0o644,
            warden_core::atomic_file::Existing::Refuse,
        )
        .map_err(|e| Failure::refused(format!("{}: {e}", path.display())))?,
        None => print_text(&json)?,
    }
    let _ = writeln!(std::io::stderr(), "{}", request.link());
    Ok(())
}

/// What the listener reports back to the command.
enum Outcome {
    Approved(Box<warden_core::credentials::SessionCredentials>, usize),
    Declined(Option<String>),
}

fn wait(args: WaitArgs) -> CmdResult {
    let text = std::fs::read_to_string(&args.request)
        .map_err(|e| Failure::bad_input(format!("--request {}: {e}", args.request.display())))?;
    let request = SessionRequest::parse_own(&text)
        .map_err(|e| Failure::bad_input(format!("--request {}: {e}", args.request.display())))?;
    let identity = match (&request.signer, &args.identity) {
        (RequestedSigner::Generate { .. }, None) => {
            return Err(Failure::bad_input(
                "the request asks Warden to generate the key: pass --identity FILE to open it",
            ));
        }
        (_, Some(path)) => Some(zeroize::Zeroizing::new(
            std::fs::read_to_string(path)
                .map_err(|e| Failure::bad_input(format!("--identity {}: {e}", path.display())))?,
        )),
        (_, None) => None,
    };
    if args.out.exists() {
        return Err(Failure::refused(format!("{}: already exists; refusing to overwrite it", args.out.display())));
    }
    let request = Arc::new(request);
    let identity = Arc::new(identity);
    runtime()?.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .map_err(|e| Failure::refused(format!("cannot listen on {}: {e}", args.listen)))?;
        let _ = writeln!(
            std::io::stderr(),
            "waiting for the answer to request {} on http://{}",
            request.request_id,
            args.listen
        );
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Outcome>(1);
        let state = Listener { request: request.clone(), identity, done: tx };
        let app = axum::Router::new()
            .fallback(axum::routing::post(receive))
            .layer(axum::extract::DefaultBodyLimit::max(MAX_ANSWER_BYTES))
            .with_state(Arc::new(state));
        let server = tokio::spawn(async move { axum::serve(listener, app).await });
        let outcome = tokio::time::timeout(Duration::from_secs(args.timeout), rx.recv()).await;
        // Let the sender read its reply before the server goes.
        tokio::time::sleep(Duration::from_millis(100)).await;
        server.abort();
        match outcome {
            Ok(Some(Outcome::Approved(creds, adjustments))) => {
                creds
                    .write_file(&args.out, false)
                    .map_err(|e| Failure::refused(format!("{}: {e}", args.out.display())))?;
                let _ = writeln!(
                    std::io::stderr(),
                    "approved: session {} on account {}; {} adjustment(s); credentials in {}",
                    creds.session_id,
                    creds.account,
                    adjustments,
                    args.out.display()
                );
                Ok(())
            }
            Ok(Some(Outcome::Declined(reason))) => Err(Failure::refused(format!(
                "the owner declined request {}{}",
                request.request_id,
                reason.map(|r| format!(": {r}")).unwrap_or_default()
            ))),
            Ok(None) | Err(_) => Err(Failure::NotFinal(format!(
                "no valid answer to request {} within {} s",
                request.request_id, args.timeout
            ))),
        }
    })
}

struct Listener {
    request: Arc<SessionRequest>,
    identity: Arc<Option<zeroize::Zeroizing<String>>>,
    done: tokio::sync::mpsc::Sender<Outcome>,
}

async fn receive(
    axum::extract::State(state): axum::extract::State<Arc<Listener>>,
    body: axum::body::Bytes,
) -> (axum::http::StatusCode, String) {
    use axum::http::StatusCode;
    let Ok(text) = std::str::from_utf8(&body) else {
        return (StatusCode::BAD_REQUEST, "the answer is not UTF-8 JSON\n".into());
    };
    match state.request.accept_answer(text, state.identity.as_deref().map(|s| s.as_str())) {
        Ok(Accepted::Approved { credentials, adjustments }) => {
            let _ = state.done.try_send(Outcome::Approved(credentials, adjustments.len()));
            (StatusCode::OK, "accepted\n".into())
        }
        Ok(Accepted::Declined { reason }) => {
            let _ = state.done.try_send(Outcome::Declined(reason));
            (StatusCode::OK, "decline received\n".into())
        }
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "refused an answer: {e}");
            (StatusCode::UNPROCESSABLE_ENTITY, format!("refused: {e}\n"))
        }
    }
}
