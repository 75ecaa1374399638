//! `doctor`: read-only checks that a backend is set up right, one finding per check, each
//! with what to fix.
//!
//! A backend has many ways to be wrong that only show at the first grant: an API key the
//! wallet endpoint refuses, a node URL of another chain, a gas policy the service does not
//! know, a 7702 account that is not delegated. [`check`] asks each question once, without
//! signing or sending anything that could change state:
//!
//! 1. the wallet endpoint answers `wallet_requestAccount` for the owner (which finds the
//!    owner's account, or reserves its counterfactual address; nothing goes on chain);
//! 2. the node answers `eth_chainId` with the backend's chain;
//! 3. the gas policy, when one is configured, is accepted: a zero-value call to the account
//!    itself is prepared with it (never signed or sent) and its `feePayment` must say
//!    sponsored;
//! 4. for a 7702 account, its delegation as the node reads it.
//!
//! Checks after a failed one that depend on it are reported as skipped, with the reason.
//! Left out: balances (the account screen shows them) and sending anything.

use alloy_primitives::{Address, U256};
use serde::Serialize;

use crate::account::{self, AccountKind, AccountRequest};
use crate::api::{Call, PrepareCalls, PreparedCall, PreparedCallElement};
use crate::backend::Backend;
use crate::calls::CallRequest;
use crate::error::Coded;
use crate::node::Delegation;

/// How a check came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Ok,
    /// Works, but something needs attention.
    Warn,
    Fail,
    /// Not run: an earlier check it depends on failed, or it does not apply.
    Skipped,
}

/// One finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// What was checked, e.g. "wallet endpoint".
    pub check: &'static str,
    pub outcome: Outcome,
    /// What was seen, in words.
    pub detail: String,
    /// What to do about it, when something is wrong.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

impl Finding {
    fn new(check: &'static str, outcome: Outcome, detail: impl Into<String>, fix: Option<String>) -> Self {
        Self { check, outcome, detail: detail.into(), fix }
    }
}

/// Runs every check for `owner`'s account of `kind` on `backend`.
pub async fn check(backend: &Backend, owner: Address, kind: AccountKind) -> Vec<Finding> {
    let mut findings = Vec::with_capacity(4);
    let wallet_host = backend.wallet().endpoint().host().to_owned();

    // 1. The wallet endpoint.
    let account = match account::request_account(backend, owner, AccountRequest::from(kind)).await {
        Ok(info) => {
            findings.push(Finding::new(
                "wallet endpoint",
                Outcome::Ok,
                format!(
                    "{wallet_host} answers wallet_requestAccount: account {} ({})",
                    info.address, info.account_type
                ),
                None,
            ));
            Some(info)
        }
        Err(e) => {
            findings.push(Finding::new(
                "wallet endpoint",
                Outcome::Fail,
                format!("{wallet_host}: {e}"),
                Some(wallet_fix(&e)),
            ));
            None
        }
    };

    // 2. The node.
    let node_host = backend.node().host().to_owned();
    let node_ok = match backend.node().chain_id().await {
        Ok(id) if id == backend.chain_id() => {
            findings.push(Finding::new("node", Outcome::Ok, format!("{node_host} serves chain {id}"), None));
            true
        }
        Ok(id) => {
            findings.push(Finding::new(
                "node",
                Outcome::Fail,
                format!("{node_host} serves chain {id}, but the backend is for chain {}", backend.chain_id()),
                Some(format!(
                    "point the node URL (--rpc-url / WARDEN_RPC_URL) at a node of chain {}",
                    backend.chain_id()
                )),
            ));
            false
        }
        Err(e) => {
            findings.push(Finding::new(
                "node",
                Outcome::Fail,
                format!("{node_host}: {e}"),
                Some(rpc_fix(&e.to_string(), e.code(), "node URL (--rpc-url / WARDEN_RPC_URL)")),
            ));
            false
        }
    };

    // 3. The gas policy.
    findings.push(match (backend.policy(), &account) {
        (None, _) => Finding::new(
            "gas policy",
            Outcome::Skipped,
            "no gas policy is configured: the account pays for its own operations",
            None,
        ),
        (Some(_), None) => Finding::new(
            "gas policy",
            Outcome::Skipped,
            "needs the account, which the wallet endpoint did not give",
            None,
        ),
        (Some(policy), Some(info)) => {
            let request = CallRequest::owner(
                info.address,
                backend.chain_id(),
                vec![Call { to: info.address, data: None, value: Some(U256::ZERO) }],
                Some(policy),
            );
            match backend.wallet().call::<PrepareCalls>(&request.params).await {
                Ok(prepared) => match sponsored(&prepared) {
                    Some(true) => Finding::new(
                        "gas policy",
                        Outcome::Ok,
                        format!("policy {policy} sponsors an operation of {} (prepared, not sent)", info.address),
                        None,
                    ),
                    Some(false) => Finding::new(
                        "gas policy",
                        Outcome::Fail,
                        format!("policy {policy} was accepted but does not sponsor an operation of {}", info.address),
                        Some("check the policy's rules and spending limits in the Gas Manager dashboard".into()),
                    ),
                    None => Finding::new(
                        "gas policy",
                        Outcome::Warn,
                        format!(
                            "the endpoint prepared a {} for policy {policy}; sponsorship not reported",
                            prepared.kind()
                        ),
                        None,
                    ),
                },
                Err(e) => Finding::new(
                    "gas policy",
                    Outcome::Fail,
                    format!("policy {policy}: {e}"),
                    Some("check the policy id, and that the policy is active for this app and chain".into()),
                ),
            }
        }
    });

    // 4. The 7702 delegation.
    findings.push(match account.as_ref().and_then(|a| a.delegation.clone().map(|d| (a.address, d))) {
        None => Finding::new(
            "7702 delegation",
            Outcome::Skipped,
            match &account {
                Some(_) => "the account is not a 7702 account",
                None => "needs the account, which the wallet endpoint did not give",
            },
            None,
        ),
        Some((address, Delegation::Delegated { implementation })) => Finding::new(
            "7702 delegation",
            Outcome::Ok,
            format!("{address} is delegated to {implementation} (Modular Account v2)"),
            None,
        ),
        Some((address, Delegation::NotDelegated)) => Finding::new(
            "7702 delegation",
            Outcome::Warn,
            format!("{address} is not delegated yet"),
            Some("delegate it before granting sessions (`warden account --type 7702 --delegate`)".into()),
        ),
        Some((address, Delegation::DelegatedElsewhere { implementation })) => Finding::new(
            "7702 delegation",
            Outcome::Fail,
            format!("{address} is delegated to {implementation}, not to Modular Account v2"),
            Some("Warden will not replace another delegation; use an SMA-B account instead".into()),
        ),
        Some((address, Delegation::Contract)) => Finding::new(
            "7702 delegation",
            Outcome::Fail,
            format!("{address} has contract code: it is not an EOA"),
            None,
        ),
        Some((address, Delegation::Unknown { reason, .. })) => Finding::new(
            "7702 delegation",
            if node_ok { Outcome::Warn } else { Outcome::Skipped },
            format!("{address}: {reason}"),
            None,
        ),
    });
    findings
}

/// Whether every finding is fine (warnings and skips included).
pub fn all_ok(findings: &[Finding]) -> bool {
    findings.iter().all(|f| f.outcome != Outcome::Fail)
}

/// Whether the prepared operations are sponsored (all of them), if the answer says.
fn sponsored(prepared: &PreparedCall) -> Option<bool> {
    let flags: Vec<bool> = match prepared {
        PreparedCall::UserOperationV070(op) => vec![op.fee_payment.sponsored],
        PreparedCall::UserOperationV060(op) => vec![op.fee_payment.sponsored],
        PreparedCall::Array(a) => a
            .data
            .iter()
            .filter_map(|el| match el {
                PreparedCallElement::UserOperationV070(op) => Some(op.fee_payment.sponsored),
                PreparedCallElement::UserOperationV060(op) => Some(op.fee_payment.sponsored),
                PreparedCallElement::Authorization(_) => None,
            })
            .collect(),
        PreparedCall::Authorization(_) | PreparedCall::PaymasterPermit(_) => return None,
    };
    (!flags.is_empty()).then(|| flags.iter().all(|s| *s))
}

fn wallet_fix(e: &account::AccountError) -> String {
    match e {
        account::AccountError::Rpc(rpc) => rpc_fix(&rpc.to_string(), rpc.code(), "wallet endpoint (--endpoint)"),
        other => other.to_string(),
    }
}

/// What to fix for an endpoint error, by its kind.
fn rpc_fix(text: &str, code: crate::ErrorCode, what: &str) -> String {
    use crate::ErrorCode as C;
    let lower = text.to_ascii_lowercase();
    if lower.contains("http 401")
        || lower.contains("http 403")
        || lower.contains("unauthorized")
        || lower.contains("api key")
    {
        return "check the API key (ALCHEMY_API_KEY, or the key stored in the keychain / Settings)".into();
    }
    match code {
        C::Unavailable => format!("the {what} cannot be reached: check the URL and the network"),
        C::RateLimited => "the endpoint is rate limiting: wait and try again".into(),
        C::BadResponse => format!("the {what} does not answer JSON-RPC: check the URL"),
        _ if lower.contains("-32601") => format!("the {what} does not serve this method: is it the right kind of URL?"),
        _ => format!("check the {what}"),
    }
}
