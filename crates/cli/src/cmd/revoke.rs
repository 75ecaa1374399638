//! `warden revoke`: end a session from its credentials file. The chain decides how
//! (`warden_core::revoke`): a grant never used is cancelled by consuming the nonce the
//! owner signed, a used session is uninstalled. Either way it is one owner-signed call,
//! signed in the keychain after a confirmation (a terminal prompt, or `--yes`), sent and
//! waited for, then confirmed on the chain's node; stdout gets the outcome as JSON. A
//! revocation the endpoint reports done but the chain does not show is an error (exit 1,
//! "the session is NOT revoked"); one the node cannot confirm is not final (exit 6).
//!
//! The owner's signature does not cover the endpoint a credentials file names, so the file's
//! endpoint is used only when it is Alchemy's own Wallets API; any other needs `--endpoint`
//! (or `WARDEN_ENDPOINT`) given explicitly, and the endpoint is printed before signing.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use serde_json::json;
use warden_core::api::UuidV4;
use warden_core::calls::{NoProgress, ProgressSink, WaitPolicy};
use warden_core::rpc::ALCHEMY_WALLET_URL;

use crate::cmd::call::{TerminalProgress, calls_failure};
use warden_core::chains::native_currency;
use warden_core::permissions::format_native;
use warden_core::revoke::{Revocation, RevokeError, plan_revoke, prepare_revocation, sign_and_send_revocation};

use crate::endpoint::{NetworkArgs, endpoint_failure, runtime};
use crate::exit::{CmdResult, Failure};
use crate::input::print_json;

#[derive(Debug, clap::Args)]
pub struct RevokeArgs {
    /// The session's credentials file.
    #[arg(long, value_name = "FILE")]
    pub credentials: PathBuf,
    /// Revoke without asking.
    #[arg(long)]
    pub yes: bool,
    /// Gas policy id to sponsor the owner's revocation (default: the account pays).
    #[arg(long = "policy-id", value_name = "UUID")]
    pub policy_id: Option<UuidV4>,
    /// The most one operation may cost in gas, in the chain's currency (e.g. 0.01eth, 0.5pol,
    /// 0.01ether = 10^16 wei; default 0.05 of the native
    /// currency, for the revocation). A prepared operation above it is
    /// refused before anything is signed.
    #[arg(long = "max-fee", value_name = "AMOUNT")]
    pub max_fee: Option<crate::amount::NativeAmount>,
    /// Pay the revocation from the account if the gas policy declines it.
    #[arg(long, requires = "policy_id")]
    pub allow_unsponsored: bool,
    /// Endpoint (default: the credentials' endpoint).
    #[command(flatten)]
    pub endpoint: NetworkArgs,
}

pub fn run(args: RevokeArgs) -> CmdResult {
    let creds = crate::cmd::call::read_credentials(&args.credentials)?;
    if !args.yes && !std::io::stdin().is_terminal() {
        return Err(Failure::bad_input(
            "no terminal to confirm the revocation on: pass --yes to revoke without asking",
        ));
    }
    let keychain = crate::cmd::key::open()?;
    let signer = keychain.owner_signer(creds.owner).map_err(|e| {
        Failure::from_code(
            warden_core::Coded::code(&e),
            format!("the owner key {} of this session is not in the keychain: {e}", creds.owner),
        )
    })?;
    if !args.endpoint.endpoint.is_explicit() && creds.endpoint.trim_end_matches('/') != ALCHEMY_WALLET_URL {
        return Err(Failure::bad_input(format!(
            "the credentials name the endpoint {}, which the owner's signature does not cover: pass --endpoint {} (or set WARDEN_ENDPOINT) to revoke through it",
            creds.endpoint, creds.endpoint
        )));
    }
    runtime()?.block_on(async {
        let conn = args.endpoint.connect(Some(&creds.endpoint), Some(creds.chain_id), args.policy_id).await?;
        let currency = native_currency(conn.backend.chain_id());
        let max_fee = crate::cmd::call::in_wei("--max-fee", args.max_fee.as_ref(), currency)?;
        let backend = &conn.backend.clone().allowing_unsponsored(args.allow_unsponsored).with_max_fee(max_fee);
        backend.check_node_chain().await.map_err(|e| endpoint_failure(&e))?;
        let plan = plan_revoke(backend, &creds).await.map_err(|e| endpoint_failure(&e))?;
        let what = match plan.revocation {
            Revocation::Uninstall => format!(
                "uninstall validation entity {} from account {} (the session was used)",
                plan.entity_id, plan.account
            ),
            Revocation::CancelUnused => format!(
                "cancel the unused grant: consume nonce {:#x} on the EntryPoint from account {}",
                plan.signed_nonce, plan.account
            ),
        };
        let progress = TerminalProgress::new();
        let sink: &dyn ProgressSink = if progress.enabled { &progress } else { &NoProgress };
        let prepared = prepare_revocation(backend, &plan, sink).await;
        progress.finish();
        let prepared = prepared.map_err(|e| calls_failure(&e))?;
        let (max_fee, sponsored) = prepared.fee();
        let fee = if sponsored {
            format!(
                "up to {} (paid by gas policy {})",
                format_native(max_fee, currency),
                args.policy_id.map(|p| p.to_string()).unwrap_or_default()
            )
        } else {
            format!("up to {} ({max_fee} wei), paid by the account", format_native(max_fee, currency))
        };
        let _ = writeln!(
            std::io::stderr(),
            "Revoke session {}: {what}\nthrough {} (chain {}, node {})\nmaximum network fee: {fee}",
            creds.session_id,
            backend.wallet().endpoint(),
            backend.chain_id(),
            backend.node().endpoint(),
        );
        if !args.yes && !crate::input::confirm(&format!("Sign the revocation with owner key {}?", creds.owner))? {
            return Err(Failure::refused("the revocation was not approved; nothing was signed"));
        }
        let progress = TerminalProgress::new();
        let sink: &dyn ProgressSink = if progress.enabled { &progress } else { &NoProgress };
        let result = sign_and_send_revocation(backend, &plan, prepared, &signer, &WaitPolicy::default(), sink).await;
        progress.finish();
        let outcome = result.map_err(|e| revoke_failure(&e))?;
        print_json(&json!({
            "sessionId": creds.session_id,
            "revocation": plan.revocation,
            "entityId": plan.entity_id,
            "callId": outcome.call_id,
            "status": outcome.status,
            "transactionHashes": outcome.transaction_hashes,
        }))
    })
}

/// A failed revocation as the failure of its kind: the calls' own classes, or (the chain
/// contradicting the endpoint) a refusal.
fn revoke_failure(error: &RevokeError) -> Failure {
    match error {
        RevokeError::Calls(e) => calls_failure(e),
        e => Failure::from_code(warden_core::Coded::code(e), e),
    }
}
