//! `warden session inspect`: a credentials file in words — account, key, permissions, expiry,
//! risks — checked as any reader checks it; with `--status`, what the chain and the endpoint
//! say about the session now. Every number names where it came from: the file, the chain
//! (`eth_getBalance`, `EntryPoint.getNonce`), or the endpoint's `devnet_sessionUsage`
//! (which only the devnet serves; a hosted endpoint's usage is not knowable from here).

use std::collections::HashMap;
use std::path::PathBuf;

use alloy_primitives::{Address, U256};
use serde::Serialize;
use serde_json::{Value, json};
use warden_core::chains::{NativeCurrency, display_name, native_currency};
use warden_core::credentials::SessionCredentials;
use warden_core::mav2::nonce::NonceParts;
use warden_core::permissions::{self, Permission, TokenInfo, format_native, format_units};
use warden_core::rpc::RpcError;
use warden_core::usage::{DevnetUsage, UsageError, fetch_devnet_usage};

use crate::endpoint::{Connection, NetworkArgs, endpoint_failure, runtime};
use crate::exit::{CmdResult, Failure};
use crate::input::{now_unix, print_json, print_text};

#[derive(Debug, clap::Subcommand)]
pub enum SessionCommand {
    /// Show a credentials file in words; with --status, its usage and state from the chain
    /// and the endpoint.
    ///
    /// Example: warden session inspect session.json --status
    Inspect(InspectArgs),
}

#[derive(Debug, clap::Args)]
pub struct InspectArgs {
    /// The credentials file (warden.session.v1).
    pub file: PathBuf,
    /// Ask the chain and the endpoint about the session (default endpoint: the file's).
    #[arg(long)]
    pub status: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub endpoint: NetworkArgs,
}

pub fn run(cmd: SessionCommand) -> CmdResult {
    match cmd {
        SessionCommand::Inspect(args) => inspect(args),
    }
}

fn inspect(args: InspectArgs) -> CmdResult {
    let creds = crate::cmd::call::read_credentials(&args.file)?;
    let currency = native_currency(creds.chain_id);
    let now = now_unix();
    let mut report = json!({
        "file": args.file.display().to_string(),
        "source": "credentials file",
        "format": creds.format,
        "account": creds.account.to_checksum(None),
        "accountType": creds.account_type,
        "owner": creds.owner.to_checksum(None),
        "chainId": creds.chain_id,
        "chainName": display_name(creds.chain_id),
        "currency": {"symbol": currency.symbol, "decimals": currency.decimals},
        "endpoint": creds.endpoint,
        "sessionId": creds.session_id,
        "sessionKey": creds.key.public_key.to_checksum(None),
        "entityId": creds.grant.as_ref().map(|g| g.entity_id),
        "expirySec": creds.expiry_sec,
        "createdAt": creds.created_at,
        "secret": match &creds.secret {
            None => "none",
            Some(warden_core::credentials::Secret::Plaintext(_)) => "plaintext",
            Some(warden_core::credentials::Secret::Keystore(_)) => "keystore",
            Some(warden_core::credentials::Secret::Age(_)) => "age",
        },
        "permissions": creds.permissions,
    });
    let mut tokens = HashMap::new();
    let mut usage = None;
    if args.status {
        let (status, reported) = runtime()?.block_on(async {
            let conn = args.endpoint.connect(Some(&creds.endpoint), Some(creds.chain_id), None).await?;
            conn.backend.check_node_chain().await.map_err(|e| endpoint_failure(&e))?;
            for p in &creds.permissions {
                if let Permission::Erc20TokenTransfer { address, .. } = p
                    && let Some(info) = conn.backend.node().erc20_info(*address).await
                {
                    tokens.insert(*address, info);
                }
            }
            status(&conn, &creds).await
        })?;
        report["status"] = status;
        usage = Some(reported);
    }
    let description = permissions::describe(&creds.permissions, creds.expiry_sec, now, currency, &tokens);
    report["description"] = json!(description);
    if args.json {
        return print_json(&report);
    }
    print_text(&words(&report, usage.as_ref(), currency, &tokens))
}

/// What `--status` says about the session's usage: the devnet's own accounting, or why
/// there is none.
#[derive(Debug, Serialize)]
#[serde(untagged)]
enum UsageReport {
    /// The `devnet_sessionUsage` answer, with `source` naming it.
    Devnet {
        #[serde(flatten)]
        usage: DevnetUsage,
        source: &'static str,
    },
    /// The endpoint does not serve `devnet_sessionUsage`.
    Unknown { source: &'static str, note: &'static str },
}

/// What the chain and the endpoint say about the session now (the usage also typed, for the
/// words).
async fn status(conn: &Connection, creds: &SessionCredentials) -> Result<(Value, UsageReport), Failure> {
    let node = conn.backend.node();
    let wallet = conn.backend.wallet();
    let balance = node.balance(creds.account).await.map_err(|e| endpoint_failure(&e))?;
    let mut out = json!({
        "endpoint": wallet.endpoint().to_string(),
        "node": node.endpoint().to_string(),
        "accountBalance": {"wei": balance.to_string(), "source": "eth_getBalance"},
    });
    if let Some(grant) = &creds.grant {
        let key = NonceParts::from_nonce(grant.nonce).key();
        let current = node.entry_point_nonce(creds.account, key).await.map_err(|e| endpoint_failure(&e))?;
        let state = if current == grant.nonce {
            "unused: the grant's install nonce is still open"
        } else if current > grant.nonce {
            "used or cancelled: the grant's install nonce was consumed"
        } else {
            "unknown: the EntryPoint's nonce is behind the grant's (another chain?)"
        };
        out["installNonce"] = json!({
            "signed": format!("{:#x}", grant.nonce),
            "current": format!("{current:#x}"),
            "state": state,
            "source": "EntryPoint.getNonce (eth_call)",
        });
    }
    let usage = match fetch_devnet_usage(wallet, &creds.session_id).await {
        Ok(usage) => UsageReport::Devnet { usage, source: "devnet_sessionUsage" },
        Err(UsageError::Rpc(RpcError::Rpc { code: -32601, .. })) => UsageReport::Unknown {
            source: "none",
            note: "the endpoint does not report session usage (no devnet_sessionUsage); spent amounts are not known here",
        },
        // The endpoint's own error, worded as every other failed request is.
        Err(UsageError::Rpc(e)) => return Err(endpoint_failure(&e)),
        Err(e) => return Err(endpoint_failure(&e)),
    };
    out["usage"] = json!(usage);
    Ok((out, usage))
}

fn words(
    r: &Value,
    usage: Option<&UsageReport>,
    currency: &NativeCurrency,
    tokens: &HashMap<Address, TokenInfo>,
) -> String {
    let s = |v: &Value| v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string());
    let mut out = format!("{} (from the credentials file)\n", s(&r["file"]));
    out.push_str(&format!("  account     {} ({})\n", s(&r["account"]), s(&r["accountType"])));
    out.push_str(&format!("  owner       {}\n", s(&r["owner"])));
    out.push_str(&format!("  chain       {} ({}, pays in {})\n", r["chainId"], s(&r["chainName"]), currency.symbol));
    out.push_str(&format!("  endpoint    {}\n", s(&r["endpoint"])));
    out.push_str(&format!("  session     {} (entity {})\n", s(&r["sessionId"]), r["entityId"]));
    out.push_str(&format!("  key         {} (secret: {})\n", s(&r["sessionKey"]), s(&r["secret"])));
    let d = &r["description"];
    for line in d["permissions"].as_array().into_iter().flatten() {
        out.push_str(&format!("  - {}\n", s(line)));
    }
    out.push_str(&format!("  {}\n", s(&d["expiry"])));
    for risk in d["risks"].as_array().into_iter().flatten() {
        out.push_str(&format!("  risk {} [{}]: {}\n", s(&risk["severity"]), s(&risk["code"]), s(&risk["message"])));
    }
    let st = &r["status"];
    if !st.is_null() {
        out.push_str(&format!("status from {}\n", s(&st["endpoint"])));
        let wei = st["accountBalance"]["wei"].as_str().and_then(|w| w.parse::<U256>().ok()).unwrap_or_default();
        out.push_str(&format!("  account balance  {} (eth_getBalance)\n", format_native(wei, currency)));
        if !st["installNonce"].is_null() {
            out.push_str(&format!("  grant            {} (EntryPoint.getNonce)\n", s(&st["installNonce"]["state"])));
        }
        match usage {
            Some(UsageReport::Devnet { usage, .. }) => {
                let how = usage.revocation.map(|r| format!(" ({})", r.wire_name())).unwrap_or_default();
                out.push_str(&format!(
                    "  installed        {}, revoked {}{how} (devnet_sessionUsage)\n",
                    usage.installed, usage.revoked
                ));
                for l in &usage.limits {
                    let amount = |v: U256| amount(v, l.address, currency, tokens);
                    let of = l.address.map(|a| format!(" of {a}")).unwrap_or_default();
                    out.push_str(&format!(
                        "  {}{of}: spent {} of {}, remaining {} (devnet_sessionUsage)\n",
                        l.kind,
                        amount(l.spent),
                        amount(l.limit),
                        amount(l.remaining)
                    ));
                }
            }
            Some(UsageReport::Unknown { note, .. }) => out.push_str(&format!("  usage            {note}\n")),
            None => {}
        }
    }
    out
}

/// An amount in words: wei in the chain's currency, token units with the token's decimals
/// when known.
fn amount(n: U256, token: Option<Address>, currency: &NativeCurrency, tokens: &HashMap<Address, TokenInfo>) -> String {
    match token {
        None => format_native(n, currency),
        Some(t) => match tokens.get(&t) {
            Some(info) => format!("{} {}", format_units(n, info.decimals), info.symbol),
            None => format!("{n} raw units"),
        },
    }
}
