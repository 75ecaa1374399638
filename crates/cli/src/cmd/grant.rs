//! `warden grant`: grant a session headless — the owner's account, `wallet_createSession`,
//! `verify_grant`, the grant in words with its risk flags, a confirmation (a terminal
//! prompt, or `--yes`), the owner's signature in the keychain, and the credentials file
//! (mode 0600, never overwritten without `--force`).
//!
//! Everything that can be refused is refused before anything is sent or created: a bad
//! permissions file (the field named), a bad expiry, an existing output file, no terminal
//! and no `--yes`, a missing passphrase. The grant in words goes to stderr; stdout gets one
//! JSON summary (never a private key). A session key generated for a grant that was not
//! completed is deleted again.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use alloy_primitives::Address;
use serde_json::json;
use warden_core::account::request_account;
use warden_core::api::UuidV4;
use warden_core::credentials::{PaymasterRef, SecretForm};
use warden_core::grant::{
    GrantRequest, PendingGrant, SessionSecret, parse_expiry, request_grant, validate_permissions,
};
use warden_core::permissions::{Permission, Severity};
use warden_keychain::Keychain;
use zeroize::Zeroizing;

use crate::cmd::account::AccountTypeArg;
use crate::cmd::key::owner_key;
use crate::endpoint::{NetworkArgs, endpoint_failure, runtime};
use crate::exit::{CmdResult, Failure};
use crate::input::{now_unix, print_json};

/// Grant a session key permissions on the owner's account and write its credentials.
///
/// Example: warden grant --permissions perms.json --expiry 7d --out session.json
#[derive(Debug, clap::Args)]
pub struct GrantArgs {
    #[command(flatten)]
    pub endpoint: NetworkArgs,
    /// JSON file with the permissions: an array of {"type", "data"} as on the wire (or an
    /// object with a "permissions" array).
    #[arg(long, value_name = "FILE")]
    pub permissions: PathBuf,
    /// When the session ends: a duration (30m, 1h, 7d, 2w), a unix time, or `never`.
    #[arg(long, value_name = "WHEN")]
    pub expiry: String,
    /// The session key: `generate` (kept in the keychain, and written into the
    /// credentials) or the 0x address of a key the server holds.
    #[arg(long, value_name = "generate|ADDRESS", default_value = "generate")]
    pub key: String,
    /// Owner key in the keychain, by address or label (default: the selected key).
    #[arg(long, value_name = "KEY")]
    pub owner: Option<String>,
    /// Account type to create when the owner has no account yet.
    #[arg(long = "type", value_enum, default_value = "sma-b")]
    pub account_type: AccountTypeArg,
    /// Where to write the credentials (mode 0600). Required for a generated key; without
    /// it the credentials of an external key go to stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Encrypt the generated session key: `passphrase` (keystore v3; the passphrase from
    /// WARDEN_PASSPHRASE or a terminal prompt) or `age:RECIPIENT` (an age1… key).
    /// Without it the key is written in plain text, readable by whoever can read the file.
    #[arg(long, value_name = "passphrase|age:RECIPIENT")]
    pub encrypt: Option<String>,
    /// Gas policy id servers should use with every call (sponsorship).
    #[arg(long = "policy-id", value_name = "UUID")]
    pub policy_id: Option<UuidV4>,
    /// Replace an existing --out file.
    #[arg(long)]
    pub force: bool,
    /// Approve without asking (after reviewing what the grant allows).
    #[arg(long)]
    pub yes: bool,
}

/// The session key choice.
enum KeyChoice {
    Generate,
    External(Address),
}

/// How the generated key is written.
enum SecretChoice {
    Plaintext,
    Keystore(Zeroizing<String>),
    Age(String),
}

impl SecretChoice {
    fn form(&self) -> SecretForm<'_> {
        match self {
            Self::Plaintext => SecretForm::Plaintext,
            Self::Keystore(p) => SecretForm::Keystore { passphrase: p },
            Self::Age(r) => SecretForm::Age { recipient: r },
        }
    }

    fn name(&self) -> &'static str {
        match self {
            Self::Plaintext => "plaintext",
            Self::Keystore(_) => "keystore",
            Self::Age(_) => "age",
        }
    }
}

/// Reads a permissions file, naming the file and the field at fault.
pub fn read_permissions(path: &Path) -> Result<Vec<Permission>, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::bad_input(format!("--permissions {}: {e}", path.display())))?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| Failure::bad_input(format!("--permissions {}: not valid JSON: {e}", path.display())))?;
    let list = match value {
        serde_json::Value::Object(mut m) if m.contains_key("permissions") => {
            m.remove("permissions").unwrap_or_default()
        }
        other => other,
    };
    serde_path_to_error::deserialize::<_, Vec<Permission>>(list).map_err(|e| {
        let at = e.path().to_string();
        Failure::bad_input(format!("--permissions {}: permissions{at}: {}", path.display(), e.into_inner()))
    })
}

fn key_choice(text: &str) -> Result<KeyChoice, Failure> {
    if text == "generate" {
        return Ok(KeyChoice::Generate);
    }
    text.parse::<Address>()
        .map(KeyChoice::External)
        .map_err(|_| Failure::bad_input(format!("--key {text}: expected `generate` or a 0x address")))
}

fn secret_choice(encrypt: Option<&str>) -> Result<SecretChoice, Failure> {
    match encrypt {
        None => Ok(SecretChoice::Plaintext),
        Some("passphrase") => Ok(SecretChoice::Keystore(passphrase()?)),
        Some(other) => match other.strip_prefix("age:") {
            Some(recipient) if recipient.starts_with("age1") => Ok(SecretChoice::Age(recipient.to_owned())),
            _ => Err(Failure::bad_input(format!("--encrypt {other}: expected `passphrase` or `age:age1…`"))),
        },
    }
}

/// The keystore passphrase: WARDEN_PASSPHRASE, else typed twice on a terminal; refused
/// when weak (before anything is created).
fn passphrase() -> Result<Zeroizing<String>, Failure> {
    let passphrase = read_passphrase()?;
    warden_core::keystore::check_passphrase(&passphrase)
        .map_err(|e| Failure::bad_input(format!("--encrypt passphrase: {e}")))?;
    Ok(passphrase)
}

fn read_passphrase() -> Result<Zeroizing<String>, Failure> {
    if let Ok(p) = std::env::var("WARDEN_PASSPHRASE") {
        if p.is_empty() {
            return Err(Failure::bad_input("WARDEN_PASSPHRASE is empty"));
        }
        return Ok(Zeroizing::new(p));
    }
    if !std::io::stdin().is_terminal() {
        return Err(Failure::bad_input(
            "--encrypt passphrase: set WARDEN_PASSPHRASE, or run on a terminal to type the passphrase",
        ));
    }
    let first = Zeroizing::new(
        rpassword::prompt_password("Passphrase for the session key: ")
            .map_err(|e| Failure::bad_input(format!("cannot read the passphrase: {e}")))?,
    );
    let again = Zeroizing::new(
        rpassword::prompt_password("Same passphrase again: ")
            .map_err(|e| Failure::bad_input(format!("cannot read the passphrase: {e}")))?,
    );
    if first.is_empty() || *first != *again {
        return Err(Failure::bad_input("the passphrases are empty or differ"));
    }
    Ok(first)
}

fn grant_failure(e: &warden_core::grant::GrantError) -> Failure {
    endpoint_failure(e)
}

pub fn run(args: GrantArgs) -> CmdResult {
    let now = now_unix();
    let permissions = read_permissions(&args.permissions)?;
    let expiry_sec = parse_expiry(&args.expiry, now).map_err(|e| grant_failure(&e))?;
    let key = key_choice(&args.key)?;
    if matches!(key, KeyChoice::External(_)) && args.encrypt.is_some() {
        return Err(Failure::bad_input("--encrypt: an external key's private key is not Warden's to write"));
    }
    if matches!(key, KeyChoice::Generate) && args.out.is_none() {
        return Err(Failure::bad_input(
            "--out FILE is needed: the credentials of a generated key carry its private key, which is never printed",
        ));
    }
    if let Some(out) = &args.out {
        check_out(out, args.force)?;
    }
    if !args.yes && !std::io::stdin().is_terminal() {
        return Err(Failure::bad_input(
            "no terminal to confirm the grant on: review it and pass --yes to approve without asking",
        ));
    }
    let secret = match key {
        KeyChoice::Generate => Some(secret_choice(args.encrypt.as_deref())?),
        KeyChoice::External(_) => None,
    };
    let keychain = crate::cmd::key::open()?;
    let owner = owner_key(&keychain, args.owner.as_deref())?;
    let kind = args.account_type.kind();

    runtime()?.block_on(async {
        let conn = args.endpoint.connect(None, None, None).await?;
        let account = request_account(&conn.backend, owner, kind).await.map_err(|e| endpoint_failure(&e))?;
        if account.needs_delegation() {
            return Err(Failure::refused(format!(
                "the 7702 account {} is not delegated yet: run `warden account --type 7702 --delegate` first",
                account.address
            )));
        }
        validate_permissions(&permissions, account.address, expiry_sec, now).map_err(|e| grant_failure(&e))?;
        let session_key = match key {
            KeyChoice::Generate => keychain.create_session_key().map_err(crate::cmd::key::keychain_failure)?,
            KeyChoice::External(a) => a,
        };
        let generated = matches!(key, KeyChoice::Generate).then_some(session_key);
        let request = GrantRequest {
            endpoint: conn.url.clone(),
            chain_id: conn.chain_id(),
            account: account.address,
            account_type: account.account_type,
            owner,
            session_key,
            permissions,
            expiry_sec,
            paymaster: args.policy_id.map(|policy_id| PaymasterRef { policy_id }),
        };
        let outcome = grant_and_write(&conn.backend, &keychain, request, now, secret.as_ref(), &args).await;
        if outcome.is_err()
            && let Some(address) = generated
        {
            // Nobody will ever hold credentials for this key: do not leave it behind.
            if let Err(e) = keychain.delete_session_key(address) {
                tracing_warn(&format!("could not delete the unused session key {address}: {e}"));
            }
        }
        outcome
    })
}

fn tracing_warn(text: &str) {
    let _ = writeln!(std::io::stderr(), "warning: {text}");
}

/// Refuses an existing file (without --force) and a missing folder before anything else.
fn check_out(out: &Path, force: bool) -> Result<(), Failure> {
    if out.exists() && !force {
        return Err(Failure::refused(format!(
            "{}: already exists; refusing to overwrite it (pass --force to replace it)",
            out.display()
        )));
    }
    if out.is_dir() {
        return Err(Failure::bad_input(format!("{}: is a folder, not a file", out.display())));
    }
    let dir = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if !dir.is_dir() {
        return Err(Failure::bad_input(format!("{}: the folder {} does not exist", out.display(), dir.display())));
    }
    Ok(())
}

async fn grant_and_write(
    backend: &warden_core::Backend,
    keychain: &Keychain,
    request: GrantRequest,
    now: u64,
    secret: Option<&SecretChoice>,
    args: &GrantArgs,
) -> CmdResult {
    let owner = request.owner;
    let pending = request_grant(backend, request, now).await.map_err(|e| grant_failure(&e))?;
    show(&pending, secret, args.out.as_deref());
    if !args.yes && !crate::input::confirm(&format!("Sign the grant with owner key {owner}?"))? {
        return Err(Failure::refused("the grant was not approved; nothing was signed"));
    }
    let signer = keychain.owner_signer(owner).map_err(crate::cmd::key::keychain_failure)?;
    let session_key = pending.request().session_key;
    let revealed = match secret {
        Some(_) => Some(keychain.reveal_session_key(session_key).map_err(crate::cmd::key::keychain_failure)?),
        None => None,
    };
    let sealed = match (secret, &revealed) {
        (Some(choice), Some(key)) => SessionSecret::Seal { private_key_hex: key.expose(), form: choice.form() },
        _ => SessionSecret::None,
    };
    let creds = pending.approve(&signer, sealed).map_err(|e| grant_failure(&e))?;
    drop(revealed);
    let summary = json!({
        "credentials": args.out.as_ref().map(|p| p.display().to_string()),
        "sessionId": creds.session_id,
        "account": creds.account.to_checksum(None),
        "accountType": creds.account_type,
        "owner": creds.owner.to_checksum(None),
        "sessionKey": session_key.to_checksum(None),
        "chainId": creds.chain_id,
        "expirySec": creds.expiry_sec,
        "secret": secret.map_or("none", SecretChoice::name),
        "keychain": secret.is_some(),
    });
    match &args.out {
        Some(out) => {
            creds.write_file(out, args.force).map_err(|e| endpoint_failure(&e))?;
            if matches!(secret, Some(SecretChoice::Plaintext)) {
                tracing_warn(&format!(
                    "{} holds the session private key in plain text (mode 0600): move it to the server and delete it here",
                    out.display()
                ));
            }
            print_json(&summary)
        }
        None => crate::input::print_text(&format!("{}\n", creds.to_json().as_str())),
    }
}

/// The grant in words, on stderr.
fn show(pending: &PendingGrant, secret: Option<&SecretChoice>, out: Option<&Path>) {
    let s = pending.summary();
    let mut text = String::new();
    text.push_str(&format!(
        "Grant on account {} ({}), chain {}\n",
        s.account,
        serde_json::to_value(s.account_type).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default(),
        s.chain_id
    ));
    text.push_str(&format!("  session key {} (entity {})\n", s.session_key, s.entity_id));
    for line in &s.description.permissions {
        text.push_str(&format!("  - {line}\n"));
    }
    text.push_str(&format!("  {}\n", s.description.expiry));
    for risk in &s.description.risks {
        let level = match risk.severity {
            Severity::Critical => "CRITICAL",
            Severity::High => "HIGH",
            Severity::Medium => "MEDIUM",
            Severity::Low => "LOW",
        };
        text.push_str(&format!("  risk {level} [{}]: {}\n", risk.code, risk.message));
    }
    for w in &s.warnings {
        text.push_str(&format!("  warning: {w}\n"));
    }
    if let (Some(choice), Some(out)) = (secret, out) {
        text.push_str(&format!("  the session private key goes into {} ({})\n", out.display(), choice.name()));
    }
    text.push_str(&format!("  owner {} signs digest {}\n", s.owner, s.digest));
    let _ = std::io::stderr().write_all(text.as_bytes());
}
