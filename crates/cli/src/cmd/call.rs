//! `warden call` and `warden status`: a server's calls within a session grant, from the
//! command line, through `warden_core::session::SessionClient`.
//!
//! The credentials file is read and checked first (a tampered document is refused before
//! anything is sent), then the calls are built from the flags, then the session key is
//! unlocked (keystore passphrase from `WARDEN_PASSPHRASE` or a hidden prompt; age identity
//! from `--identity FILE`). Progress goes to stderr on a terminal only; the result (call
//! id, status, transaction hash) to stdout, as text or `--json`. The exit status says how
//! it ended (see `exit`).
//!
//! Left out: owner-signed calls (the owner key never signs through this command).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

use alloy_dyn_abi::{DynSolType, DynSolValue};
use alloy_primitives::{Address, Bytes, U256, keccak256};
use serde_json::{Value, json};
use warden_core::api::{Call, UuidV4};
use warden_core::calls::{CallOutcome, CallsError, NoProgress, Progress, ProgressSink, WaitPolicy};
use warden_core::chains::{NativeCurrency, native_currency};
use warden_core::credentials::{CredentialsError, Secret, SessionCredentials, Unlock};
use warden_core::session::SessionClient;
use warden_core::{Coded, ErrorCode};
use zeroize::Zeroizing;

use crate::amount::{NativeAmount, parse_native};
use crate::endpoint::EndpointArgs;
use crate::exit::{CmdResult, Failure};
use crate::input::{print_json, print_text};

/// Shown after `--help` of both commands.
pub const EXIT_CODES: &str = "Exit status:
  0  confirmed (or, with --no-wait, accepted by the endpoint)
  1  refused or not verified: tampered credentials, a prepared call that does not match,
     a refused signature, an endpoint failure
  2  bad input: unreadable flags, files or credentials; a secret that cannot be unlocked
  3  refused by the endpoint: a session permission does not allow the calls (the message
     names the limit), or the account cannot pay
  4  refused by the endpoint: the session has expired, was revoked, or is unknown
  5  failed on chain (reverted) or dropped; the revert reason is printed
  6  no final status yet: still pending when the wait ended, or the send failed in transit
     (check with `warden status CALL_ID`; do not send again)";

/// `warden call`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXIT_CODES)]
pub struct CallArgs {
    /// The session credentials document (warden.session.v1).
    #[arg(long, value_name = "FILE")]
    credentials: PathBuf,
    /// The call's target address.
    #[arg(long, value_name = "ADDR", required_unless_present = "calls", conflicts_with = "calls")]
    to: Option<Address>,
    /// Native value to send, in the chain's currency: wei, or with a unit (0.01eth on an
    /// ether chain, 0.01pol on Polygon, 0.01bnb on BNB Smart Chain; 0.01ether = 10^16 wei
    /// anywhere; 2gwei, 100wei), or 0x hex wei.
    #[arg(long, value_name = "AMOUNT", requires = "to")]
    value: Option<NativeAmount>,
    /// Raw call data (0x hex).
    #[arg(long, value_name = "HEX", requires = "to", conflicts_with = "sig")]
    data: Option<Bytes>,
    /// A function signature whose call data is built from ARGS, e.g.
    /// 'transfer(address,uint256)' 0xB0b… 1000.
    #[arg(long, value_name = "SIGNATURE", requires = "to")]
    sig: Option<String>,
    /// The arguments of --sig, in order.
    #[arg(value_name = "ARGS", requires = "sig", allow_negative_numbers = true)]
    args: Vec<String>,
    /// Several calls, made atomically: a JSON array of {"to", "value"?, "data"?} ("-" for
    /// stdin); values as for --value (a JSON number is wei).
    #[arg(long, value_name = "FILE")]
    calls: Option<PathBuf>,
    /// Gas-manager policy to sponsor the calls (overrides the credentials' paymaster).
    #[arg(long, value_name = "UUID")]
    policy_id: Option<UuidV4>,
    /// The most one operation may cost in gas, in the chain's currency as for --value
    /// (e.g. 0.01eth, 0.5pol; default 0.05 of the native currency, lowered to the session's
    /// gas-limit). A prepared operation above it is refused before anything is signed.
    #[arg(long = "max-fee", value_name = "AMOUNT")]
    max_fee: Option<NativeAmount>,
    /// Pay the gas from the account when the gas policy declines the calls (without it,
    /// such calls are refused before anything is signed).
    #[arg(long)]
    allow_unsponsored: bool,
    /// Return once the endpoint accepted the calls, without waiting for a final status.
    #[arg(long)]
    no_wait: bool,
    /// Longest time to wait for a final status.
    #[arg(long, value_name = "SECONDS", default_value_t = 180)]
    timeout: u64,
    /// age identity file that decrypts an age-encrypted session key.
    #[arg(long, value_name = "FILE")]
    identity: Option<PathBuf>,
    #[command(flatten)]
    endpoint: EndpointArgs,
    /// Print the outcome as JSON.
    #[arg(long)]
    json: bool,
}

/// `warden status`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXIT_CODES)]
pub struct StatusArgs {
    /// The call id `warden call` printed.
    #[arg(value_name = "CALL_ID")]
    call_id: Bytes,
    /// Take the endpoint from this credentials document (when --endpoint is not given).
    #[arg(long, value_name = "FILE")]
    credentials: Option<PathBuf>,
    /// Wait for a final status.
    #[arg(long)]
    wait: bool,
    /// Longest time to wait with --wait.
    #[arg(long, value_name = "SECONDS", default_value_t = 180)]
    timeout: u64,
    #[command(flatten)]
    endpoint: EndpointArgs,
    /// Print the outcome as JSON.
    #[arg(long)]
    json: bool,
}

fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::refused(format!("cannot start the async runtime: {e}")))
}

pub fn run_call(args: CallArgs) -> CmdResult {
    let creds = read_credentials(&args.credentials)?;
    let currency = native_currency(creds.chain_id);
    let calls = build_calls(&args, currency)?;
    let max_fee = in_wei("--max-fee", args.max_fee.as_ref(), currency)?;
    let unlock_material = UnlockMaterial::for_secret(creds.secret.as_ref(), args.identity.as_deref())?;
    let signer_creds = creds.clone();
    let rpc = args.endpoint.client(Some(&creds.endpoint))?;
    let client =
        SessionClient::from_credentials(&signer_creds, unlock_material.unlock(), rpc).map_err(credentials_failure)?;
    let client = match args.policy_id {
        Some(id) => client.with_policy(Some(id)),
        None => client,
    }
    .allowing_unsponsored(args.allow_unsponsored)
    .with_max_fee(max_fee);
    let wait = WaitPolicy { timeout: Duration::from_secs(args.timeout), ..WaitPolicy::default() };
    let progress = TerminalProgress::new();
    let sink: &dyn ProgressSink = if progress.enabled { &progress } else { &NoProgress };
    let result = runtime()?.block_on(client.send_calls_with(&calls, (!args.no_wait).then_some(&wait), sink));
    progress.finish();
    finish(result, args.json)
}

pub fn run_status(args: StatusArgs) -> CmdResult {
    let fallback = match &args.credentials {
        Some(path) => Some(read_credentials(path)?.endpoint),
        None => None,
    };
    let rpc = args.endpoint.client(fallback.as_deref())?;
    let runtime = runtime()?;
    let result = if args.wait {
        let wait = WaitPolicy { timeout: Duration::from_secs(args.timeout), ..WaitPolicy::default() };
        let progress = TerminalProgress::new();
        let sink: &dyn ProgressSink = if progress.enabled { &progress } else { &NoProgress };
        let r = runtime.block_on(warden_core::calls::wait_for(&rpc, &args.call_id, &wait, sink));
        progress.finish();
        r
    } else {
        runtime.block_on(warden_core::calls::status(&rpc, &args.call_id))
    };
    match result {
        Ok(outcome) if outcome.status.is_pending() => {
            print_outcome(&outcome, args.json)?;
            Err(Failure::NotFinal(format!("call {} is still {}", outcome.call_id, outcome.status)))
        }
        Ok(outcome) if outcome.status.is_failure() => {
            let error = CallsError::Failed { outcome: Box::new(outcome) };
            finish(Err(error), args.json)
        }
        other => finish(other, args.json),
    }
}

/// Prints the outcome and turns an error into its exit status.
fn finish(result: Result<CallOutcome, CallsError>, json: bool) -> CmdResult {
    match result {
        Ok(outcome) => print_outcome(&outcome, json),
        Err(error) => {
            if let CallsError::Failed { outcome } = &error {
                print_outcome(outcome, json)?;
            }
            Err(calls_failure(&error))
        }
    }
}

fn print_outcome(outcome: &CallOutcome, json: bool) -> CmdResult {
    if json {
        return print_json(&json!(outcome));
    }
    let mut text = format!("call id      {}\nstatus       {}\n", outcome.call_id, outcome.status);
    for hash in &outcome.transaction_hashes {
        text.push_str(&format!("transaction  {hash}\n"));
    }
    if let Some(reason) = &outcome.revert_reason {
        text.push_str(&format!("reverted     {reason}\n"));
    }
    print_text(&text)
}

/// The exit status of a pipeline error, with its code in the message.
pub fn calls_failure(error: &CallsError) -> Failure {
    let message = format!("{}: {error}", error.code());
    match error {
        CallsError::PermissionDenied { .. } | CallsError::InsufficientFunds { .. } => {
            Failure::PermissionDenied(message)
        }
        CallsError::SessionExpired { .. } | CallsError::SessionRevoked { .. } | CallsError::UnknownSession { .. } => {
            Failure::SessionEnded(message)
        }
        CallsError::Failed { .. } => Failure::FailedOnChain(message),
        CallsError::Timeout { .. } | CallsError::OutcomeUnknown { .. } => Failure::NotFinal(message),
        e if e.code() == ErrorCode::InvalidInput => Failure::BadInput(message),
        _ => Failure::Refused(message),
    }
}

pub(crate) fn read_credentials(path: &Path) -> Result<SessionCredentials, Failure> {
    SessionCredentials::read_file(path).map_err(credentials_failure)
}

/// Unparsable documents and secrets that cannot be unlocked are bad input (2); a document
/// that parses but contradicts itself (tampered) is refused (1).
fn credentials_failure(e: CredentialsError) -> Failure {
    let message = format!("{}: credentials: {e}", e.code());
    match e {
        CredentialsError::Inconsistent { .. } => Failure::Refused(message),
        _ => Failure::BadInput(message),
    }
}

/// What unlocks the document's secret, read before anything is sent.
enum UnlockMaterial {
    None,
    Passphrase(Zeroizing<String>),
    Identity(Zeroizing<String>),
}

impl UnlockMaterial {
    fn for_secret(secret: Option<&Secret>, identity: Option<&Path>) -> Result<Self, Failure> {
        match secret {
            None => Err(Failure::bad_input(
                "credentials: the document carries no session key (secret); SessionClient::with_signer serves a server that keeps its own key",
            )),
            Some(Secret::Plaintext(_)) => Ok(Self::None),
            Some(Secret::Keystore(_)) => passphrase().map(Self::Passphrase),
            Some(Secret::Age(_)) => {
                let path = identity.ok_or_else(|| {
                    Failure::bad_input("credentials: the session key is age-encrypted: pass --identity FILE")
                })?;
                let text = std::fs::read_to_string(path)
                    .map_err(|e| Failure::bad_input(format!("--identity {}: {e}", path.display())))?;
                Ok(Self::Identity(Zeroizing::new(text)))
            }
        }
    }

    fn unlock(&self) -> Unlock<'_> {
        match self {
            Self::None => Unlock::None,
            Self::Passphrase(p) => Unlock::Passphrase(p),
            Self::Identity(i) => Unlock::AgeIdentity(i),
        }
    }
}

/// `WARDEN_PASSPHRASE`, else a hidden prompt on a terminal.
fn passphrase() -> Result<Zeroizing<String>, Failure> {
    if let Ok(p) = std::env::var("WARDEN_PASSPHRASE") {
        return Ok(Zeroizing::new(p));
    }
    if std::io::stdin().is_terminal() {
        let p = rpassword::prompt_password("Keystore passphrase: ")
            .map_err(|e| Failure::bad_input(format!("cannot read the passphrase: {e}")))?;
        return Ok(Zeroizing::new(p));
    }
    Err(Failure::bad_input(
        "credentials: the session key is in a keystore: set WARDEN_PASSPHRASE or run on a terminal to be asked",
    ))
}

/// A native amount flag in wei on a chain paying in `currency`.
pub(crate) fn in_wei(
    flag: &str,
    amount: Option<&NativeAmount>,
    currency: &NativeCurrency,
) -> Result<Option<U256>, Failure> {
    amount.map(|a| a.in_wei(currency).map_err(|e| Failure::bad_input(format!("{flag}: {e}")))).transpose()
}

fn build_calls(args: &CallArgs, currency: &NativeCurrency) -> Result<Vec<Call>, Failure> {
    if let Some(path) = &args.calls {
        return read_calls_file(path, currency);
    }
    let to = args.to.ok_or_else(|| Failure::bad_input("pass --to ADDR or --calls FILE"))?;
    let data = match (&args.data, &args.sig) {
        (Some(data), _) => Some(data.clone()),
        (None, Some(sig)) => Some(encode_call(sig, &args.args).map_err(|e| Failure::bad_input(format!("--sig: {e}")))?),
        (None, None) => None,
    };
    Ok(vec![Call { to, data, value: in_wei("--value", args.value.as_ref(), currency)? }])
}

fn read_calls_file(path: &Path, currency: &NativeCurrency) -> Result<Vec<Call>, Failure> {
    let text = if path == Path::new("-") {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
            .map_err(|e| Failure::bad_input(format!("cannot read stdin: {e}")))?;
        s
    } else {
        std::fs::read_to_string(path).map_err(|e| Failure::bad_input(format!("--calls {}: {e}", path.display())))?
    };
    let value: Value =
        serde_json::from_str(&text).map_err(|e| Failure::bad_input(format!("--calls: not valid JSON: {e}")))?;
    parse_calls(&value, currency).map_err(|e| Failure::bad_input(format!("--calls: {e}")))
}

/// A JSON array of `{to, value?, data?}`, values in `currency` as for `--value`.
fn parse_calls(value: &Value, currency: &NativeCurrency) -> Result<Vec<Call>, String> {
    let items = value.as_array().ok_or("must be a JSON array of {\"to\", \"value\"?, \"data\"?}")?;
    if items.is_empty() {
        return Err("the array is empty".into());
    }
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let obj = item.as_object().ok_or(format!("[{i}] is not an object"))?;
            if let Some(key) = obj.keys().find(|k| !matches!(k.as_str(), "to" | "value" | "data")) {
                return Err(format!("[{i}].{key} is not a call field (to, value, data)"));
            }
            let to = obj
                .get("to")
                .and_then(Value::as_str)
                .ok_or(format!("[{i}].to is missing"))?
                .parse::<Address>()
                .map_err(|e| format!("[{i}].to: {e}"))?;
            let value = match obj.get("value") {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => Some(parse_native(s, currency).map_err(|e| format!("[{i}].value: {e}"))?),
                Some(Value::Number(n)) => {
                    Some(U256::from(n.as_u64().ok_or(format!("[{i}].value: {n} is not a whole number of wei"))?))
                }
                Some(_) => return Err(format!("[{i}].value must be a string or a number")),
            };
            let data = match obj.get("data") {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => Some(s.parse::<Bytes>().map_err(|e| format!("[{i}].data: {e}"))?),
                Some(_) => return Err(format!("[{i}].data must be a 0x hex string")),
            };
            Ok(Call { to, data, value })
        })
        .collect()
}

/// Call data for `signature` (e.g. `transfer(address,uint256)`) with `args` coerced to its
/// parameter types.
pub fn encode_call(signature: &str, args: &[String]) -> Result<Bytes, String> {
    let signature = signature.trim();
    let open = signature.find('(').ok_or(format!("{signature:?} is not name(type,…)"))?;
    let name = &signature[..open];
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(format!("{name:?} is not a function name"));
    }
    let params = DynSolType::parse(&signature[open..]).map_err(|e| format!("{signature:?}: {e}"))?;
    let DynSolType::Tuple(types) = &params else {
        return Err(format!("{signature:?}: the parameters are not a list of types"));
    };
    if types.len() != args.len() {
        return Err(format!("{signature} takes {} arguments, {} given", types.len(), args.len()));
    }
    let values = types
        .iter()
        .zip(args)
        .enumerate()
        .map(|(i, (ty, arg))| ty.coerce_str(arg).map_err(|e| format!("argument {} ({ty}): {e}", i + 1)))
        .collect::<Result<Vec<_>, _>>()?;
    let canonical = format!("{name}{}", params.sol_type_name());
    let mut data = keccak256(canonical.as_bytes())[..4].to_vec();
    data.extend(DynSolValue::Tuple(values).abi_encode_params());
    Ok(data.into())
}

/// One progress line on stderr, redrawn in place; only when stderr is a terminal.
pub(crate) struct TerminalProgress {
    pub(crate) enabled: bool,
}

impl TerminalProgress {
    pub(crate) fn new() -> Self {
        Self { enabled: std::io::stderr().is_terminal() }
    }

    pub(crate) fn finish(&self) {
        if self.enabled {
            eprint_raw("\r\x1b[2K");
        }
    }
}

impl ProgressSink for TerminalProgress {
    fn report(&self, progress: Progress) {
        eprint_raw(&format!("\r\x1b[2K… {progress}"));
    }
}

fn eprint_raw(text: &str) {
    use std::io::Write;
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
    let _ = err.flush();
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn signatures_encode_like_solidity() {
        let data = encode_call(
            "transfer(address,uint256)",
            &["0x0000000000000000000000000000000000000b0b".into(), "1000".into()],
        )
        .unwrap();
        assert_eq!(&data[..4], &[0xa9, 0x05, 0x9c, 0xbb]);
        assert_eq!(data.len(), 4 + 64);
        assert_eq!(U256::from_be_slice(&data[36..]), U256::from(1000));
        // `uint` is canonicalised to uint256 for the selector.
        assert_eq!(
            encode_call("transfer(address, uint)", &["0x0000000000000000000000000000000000000b0b".into(), "1".into()])
                .unwrap()[..4],
            data[..4]
        );
        assert_eq!(encode_call("ping()", &[]).unwrap().len(), 4);
        assert!(encode_call("transfer(address,uint256)", &["0x01".into()]).unwrap_err().contains("takes 2 arguments"));
        assert!(
            encode_call("transfer(address,uint256)", &["bob".into(), "1".into()]).unwrap_err().contains("argument 1")
        );
        assert!(encode_call("transfer", &[]).is_err());
    }

    #[test]
    fn calls_files_take_the_chains_currency() {
        let to = "0x0000000000000000000000000000000000000b0b";
        let calls = parse_calls(&json!([{"to": to, "value": "1.5pol"}]), native_currency(137)).unwrap();
        assert_eq!(calls[0].value, Some(U256::from(15u64) * U256::from(10u64.pow(17))));
        let calls = parse_calls(&json!([{"to": to, "value": "0.5 BNB"}]), native_currency(56)).unwrap();
        assert_eq!(calls[0].value, Some(U256::from(5u64) * U256::from(10u64.pow(17))));
        let e = parse_calls(&json!([{"to": to, "value": "1eth"}]), native_currency(56)).unwrap_err();
        assert!(e.starts_with("[0].value: unit \"eth\": this chain's currency is BNB"), "{e}");
    }

    #[test]
    fn calls_files_name_the_bad_field() {
        let eth = native_currency(warden_core::chains::LOCAL_CHAIN_ID);
        let calls = parse_calls(&json!([{"to": "0x0000000000000000000000000000000000000b0b", "value": "0.01ether"}, {"to": "0x0000000000000000000000000000000000000b0b", "data": "0x1234", "value": 5}]), eth).unwrap();
        assert_eq!(calls[0].value, Some(U256::from(10u64.pow(16))));
        assert_eq!(calls[1].data.as_ref().map(|d| d.to_vec()), Some(vec![0x12, 0x34]));
        assert!(
            parse_calls(&json!([{"to": "0x0000000000000000000000000000000000000b0b", "valeu": "1"}]), eth)
                .unwrap_err()
                .contains("[0].valeu")
        );
        assert!(parse_calls(&json!([]), eth).is_err());
        assert!(parse_calls(&json!({"to": "x"}), eth).is_err());
    }
}
