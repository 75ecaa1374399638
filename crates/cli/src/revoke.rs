//! `warden revoke`: end a session from its credentials file. The chain decides how
//! (`warden_core::revoke`): a grant never used is cancelled by consuming the nonce the
//! owner signed, a used session is uninstalled. Either way it is one owner-signed call,
//! signed in the keychain after a confirmation (a terminal prompt, or `--yes`), sent and
//! waited for; stdout gets the outcome as JSON.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use serde_json::json;
use warden_core::api::UuidV4;
use warden_core::calls::{NoProgress, ProgressSink, WaitPolicy};

use crate::call::{TerminalProgress, calls_failure};
use warden_core::revoke::{Revocation, plan_revoke, send_revocation};

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
    /// Endpoint (default: the credentials' endpoint).
    #[command(flatten)]
    pub endpoint: NetworkArgs,
}

pub fn run(args: RevokeArgs) -> CmdResult {
    let creds = crate::call::read_credentials(&args.credentials)?;
    if !args.yes && !std::io::stdin().is_terminal() {
        return Err(Failure::bad_input(
            "no terminal to confirm the revocation on: pass --yes to revoke without asking",
        ));
    }
    let keychain = crate::key::open()?;
    let signer = keychain.owner_signer(creds.owner).map_err(|e| {
        Failure::from_code(
            warden_core::Coded::code(&e),
            format!("the owner key {} of this session is not in the keychain: {e}", creds.owner),
        )
    })?;
    runtime()?.block_on(async {
        let conn = args.endpoint.connect(Some(&creds.endpoint)).await?;
        if conn.chain_id != creds.chain_id {
            return Err(Failure::refused(format!(
                "wrong endpoint: {} serves chain {}, the credentials are for chain {}",
                conn.rpc.endpoint().host(),
                conn.chain_id,
                creds.chain_id
            )));
        }
        let plan = plan_revoke(&conn.rpc, &creds).await.map_err(|e| endpoint_failure(&e))?;
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
        let _ = writeln!(std::io::stderr(), "Revoke session {}: {what}", creds.session_id);
        if !args.yes && !crate::input::confirm(&format!("Sign the revocation with owner key {}?", creds.owner))? {
            return Err(Failure::refused("the revocation was not approved; nothing was signed"));
        }
        let progress = TerminalProgress::new();
        let sink: &dyn ProgressSink = if progress.enabled { &progress } else { &NoProgress };
        let result = send_revocation(&conn.rpc, &plan, &signer, args.policy_id, &WaitPolicy::default(), sink).await;
        progress.finish();
        let outcome = result.map_err(|e| calls_failure(&e))?;
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
