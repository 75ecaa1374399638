//! `warden account`: the smart account of an owner key, found or created through the
//! endpoint and checked by `warden_core::account`, with its balance and (7702) delegation;
//! `--delegate` delegates an undelegated 7702 account with an owner-signed empty call
//! (sponsored with `--policy-id`, so an owner with no native balance can delegate);
//! `--additional` asks for another account when the owner's existing one is of another kind.

use alloy_primitives::U256;
use serde_json::json;
use warden_core::account::{AccountError, AccountInfo, AccountKind, AccountRequest, delegate, request_account};
use warden_core::api::UuidV4;
use warden_core::calls::{NoProgress, ProgressSink, WaitPolicy};
use warden_core::chains::native_currency;
use warden_core::credentials::AccountType;
use warden_core::node::Delegation;
use warden_core::permissions::format_native;

use crate::cmd::call::{TerminalProgress, calls_failure};

use crate::cmd::key::owner_key;
use crate::endpoint::{NetworkArgs, endpoint_failure, runtime};
use crate::exit::{CmdResult, Failure};
use crate::input::{parse_u256, print_json, print_text};

/// Account kinds on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AccountTypeArg {
    /// Modular Account v2, semi-modular (the default).
    #[value(name = "sma-b")]
    SmaB,
    /// The owner's own address as a smart account, by EIP-7702 delegation.
    #[value(name = "7702")]
    Eip7702,
}

impl AccountTypeArg {
    /// The account of this type at the default salt (a `--salt` is only for `account`),
    /// as core maps each [`AccountType`].
    pub fn kind(self) -> AccountKind {
        match self {
            Self::SmaB => AccountType::SmaB,
            Self::Eip7702 => AccountType::Eip7702,
        }
        .kind()
    }
}

#[derive(Debug, clap::Args)]
pub struct AccountArgs {
    #[command(flatten)]
    pub endpoint: NetworkArgs,
    /// Owner key in the keychain, by address or label (default: the selected key).
    #[arg(long, value_name = "KEY")]
    pub owner: Option<String>,
    /// Account type to create when the owner has none.
    #[arg(long = "type", value_enum, default_value = "sma-b")]
    pub account_type: AccountTypeArg,
    /// CREATE2 salt of an SMA-B account (decimal or 0x hex).
    #[arg(long, value_parser = parse_u256, conflicts_with = "delegate")]
    pub salt: Option<U256>,
    /// Ask for an additional account of this type even if the owner has an account of
    /// another type (SMA-B: createAdditional; 7702: a new account id).
    #[arg(long)]
    pub additional: bool,
    /// Delegate a 7702 account that is not delegated yet (an owner-signed empty call).
    #[arg(long)]
    pub delegate: bool,
    /// Gas policy id that sponsors the delegation (default: the account pays).
    #[arg(long = "policy-id", value_name = "UUID", requires = "delegate")]
    pub policy_id: Option<UuidV4>,
    /// The most one operation may cost in gas, in the chain's currency (e.g. 0.01eth, 0.5pol,
    /// 0.01ether = 10^16 wei; default 0.05 of the native
    /// currency, for the delegation). A prepared operation above it is
    /// refused before anything is signed.
    #[arg(long = "max-fee", value_name = "AMOUNT")]
    pub max_fee: Option<crate::amount::NativeAmount>,
    /// Pay the delegation from the account if the gas policy declines it.
    #[arg(long, requires = "policy_id")]
    pub allow_unsponsored: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: AccountArgs) -> CmdResult {
    let keychain = crate::cmd::key::open()?;
    let owner = owner_key(&keychain, args.owner.as_deref())?;
    let kind = match args.account_type {
        AccountTypeArg::SmaB => AccountKind::SmaB { salt: args.salt },
        AccountTypeArg::Eip7702 if args.salt.is_some() => {
            return Err(Failure::bad_input("--salt applies to sma-b accounts; a 7702 account is the owner's address"));
        }
        AccountTypeArg::Eip7702 => AccountKind::Eip7702,
    };
    let request = AccountRequest { kind, additional: args.additional };
    runtime()?.block_on(async {
        let conn = args.endpoint.connect(None, None, args.policy_id).await?;
        let currency = native_currency(conn.backend.chain_id());
        let max_fee = crate::cmd::call::in_wei("--max-fee", args.max_fee.as_ref(), currency)?;
        let backend = &conn.backend.clone().allowing_unsponsored(args.allow_unsponsored).with_max_fee(max_fee);
        let mut info = request_account(backend, owner, request).await.map_err(|e| endpoint_failure(&e))?;
        let mut delegation_call = None;
        if args.delegate {
            if info.delegation.is_none() {
                return Err(Failure::bad_input(format!(
                    "--delegate applies to 7702 accounts; {} is an sma-b account",
                    info.address
                )));
            }
            if info.needs_delegation() || matches!(info.delegation, Some(Delegation::Unknown { .. })) {
                let signer = keychain.owner_signer(owner).map_err(crate::cmd::key::keychain_failure)?;
                let progress = TerminalProgress::new();
                let sink: &dyn ProgressSink = if progress.enabled { &progress } else { &NoProgress };
                let result = delegate(backend, &info, &signer, &WaitPolicy::default(), sink).await;
                progress.finish();
                let outcome = result.map_err(|e| match e {
                    AccountError::Calls(c) => calls_failure(&c),
                    other => endpoint_failure(&other),
                })?;
                delegation_call = Some(json!(outcome));
                info = request_account(backend, owner, request).await.map_err(|e| endpoint_failure(&e))?;
                info.notes.retain(|n| !n.contains("not delegated yet"));
            } else {
                info.notes.push("the 7702 account is already delegated; nothing was sent".into());
            }
        }
        if args.json {
            let mut v = json!(info);
            if let Some(call) = delegation_call {
                v["delegationCall"] = call;
            }
            print_json(&v)
        } else {
            print_text(&words(&info))
        }
    })
}

fn words(info: &AccountInfo) -> String {
    let kind = match info.account_type {
        AccountType::SmaB => "sma-b (Modular Account v2)",
        AccountType::Eip7702 => "7702 (the owner's own address)",
    };
    let balance = match (info.balance, &info.balance_unavailable) {
        (Some(wei), _) => format!("{} (eth_getBalance)", format_native(wei, native_currency(info.chain_id))),
        (None, reason) => format!("unavailable: {}", reason.as_deref().unwrap_or("not read")),
    };
    let mut out = format!(
        "account   {}\ntype      {kind}\nowner     {}\nchain     {}\nbalance   {balance}\n",
        info.address.to_checksum(None),
        info.owner.to_checksum(None),
        info.chain_id,
    );
    if let Some(salt) = info.salt {
        out.push_str(&format!("salt      {salt}\n"));
    }
    if let Some(d) = &info.delegation {
        let text = match d {
            Delegation::Delegated { implementation } => format!("delegated to {implementation} (eth_getCode)"),
            Delegation::NotDelegated => "not delegated (eth_getCode is empty)".to_owned(),
            Delegation::DelegatedElsewhere { implementation } => format!("delegated elsewhere, to {implementation}"),
            Delegation::Contract => "contract code, not a delegation".to_owned(),
            Delegation::Unknown { reported, reason } => match reported {
                Some(r) => format!("unknown ({reason}); the endpoint reports {r}"),
                None => format!("unknown ({reason})"),
            },
        };
        out.push_str(&format!("7702      {text}\n"));
    }
    for n in &info.notes {
        out.push_str(&format!("note      {n}\n"));
    }
    out
}
