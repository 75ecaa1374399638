//! `warden doctor`: read-only checks of a backend with the user's key — the wallet
//! endpoint, the node, the gas policy, the 7702 delegation — one line each, with what to
//! fix (`warden_core::doctor`). Exit 0 when nothing failed, 1 otherwise.

use warden_core::api::UuidV4;
use warden_core::doctor::{self, Outcome};

use crate::cmd::account::AccountTypeArg;
use crate::cmd::key::owner_key;
use crate::endpoint::{NetworkArgs, runtime};
use crate::exit::{CmdResult, Failure};
use crate::input::{print_json, print_text};

#[derive(Debug, clap::Args)]
pub struct DoctorArgs {
    #[command(flatten)]
    pub endpoint: NetworkArgs,
    /// Owner key in the keychain, by address or label (default: the selected key).
    #[arg(long, value_name = "KEY")]
    pub owner: Option<String>,
    /// The account type to check.
    #[arg(long = "type", value_enum, default_value = "sma-b")]
    pub account_type: AccountTypeArg,
    /// Gas policy id to check (prepared with, never sent).
    #[arg(long = "policy-id", value_name = "UUID")]
    pub policy_id: Option<UuidV4>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: DoctorArgs) -> CmdResult {
    let keychain = crate::cmd::key::open()?;
    let owner = owner_key(&keychain, args.owner.as_deref())?;
    let kind = args.account_type.kind();
    let findings = runtime()?.block_on(async {
        let conn = args.endpoint.connect(None, None, args.policy_id).await?;
        Ok::<_, Failure>(doctor::check(&conn.backend, owner, kind).await)
    })?;
    if args.json {
        print_json(&serde_json::json!({ "ok": doctor::all_ok(&findings), "checks": findings }))?;
    } else {
        let mut out = String::new();
        for f in &findings {
            let mark = match f.outcome {
                Outcome::Ok => "ok  ",
                Outcome::Warn => "warn",
                Outcome::Fail => "FAIL",
                Outcome::Skipped => "skip",
            };
            out.push_str(&format!("{mark}  {:<16} {}\n", f.check, f.detail));
            if let Some(fix) = &f.fix {
                out.push_str(&format!("      {:<16} fix: {fix}\n", ""));
            }
        }
        print_text(&out)?;
    }
    if doctor::all_ok(&findings) {
        Ok(())
    } else {
        Err(Failure::refused("doctor: at least one check failed (see above)"))
    }
}
